//! # The page's stream (`GET /v1/stream?from=SEQ[&encoding=compact]`)
//!
//! Each stream is a cursor, the next seq it sends, read from the store at the pace the
//! client takes the bytes: hyper asks for the next message only when the previous one is
//! written, so a slow page holds one message, not a queue, and never holds the store's lock
//! while it waits. A cursor that falls behind the retained window (keep-newest evicted what
//! it had not read yet) is moved to the oldest event held with a `gap` message. Between
//! events the stream sends `status` about once a second and a keepalive comment every 15 s;
//! when the listener stops it sends `bye` and ends.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use tokio::sync::watch;
use tokio::time::Instant;

use super::answer::Body;
use super::answer::{bytes_response, with_cors};
use super::shared::Shared;
use crate::listener::sse::{self, Status};
use crate::listener::LISTENER;

const STATUS_EVERY: Duration = Duration::from_secs(1);
const KEEPALIVE_EVERY: Duration = Duration::from_secs(15);

/// A query parameter's value (no percent-decoding beyond what tokens and numbers need).
pub(super) fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

/// Counts a stream as a client while it lives.
struct Client(Arc<Shared>);

impl Drop for Client {
    fn drop(&mut self) {
        self.0.clients.fetch_sub(1, Ordering::Relaxed);
    }
}

enum Stage {
    Hello,
    Running,
    Done,
}

struct Cursor {
    client: Client,
    stage: Stage,
    next: u64,
    encoding: sse::Encoding,
    stored: watch::Receiver<u64>,
    stopping: watch::Receiver<Option<String>>,
    next_status: Instant,
    next_keepalive: Instant,
}

/// Opens a stream from `?from=SEQ` (default 1: everything held).
pub(super) fn open(query: Option<&str>, shared: &Arc<Shared>) -> Response<Body> {
    let from = match query_param(query, "from").map(|v| v.parse::<u64>()) {
        None => 1,
        Some(Ok(n)) => n.max(1),
        Some(Err(_)) => {
            return bytes_response(
                StatusCode::BAD_REQUEST,
                "text/plain; charset=utf-8",
                b"from= must be a sequence number (1, 2, ...)\n".to_vec(),
            )
        }
    };
    shared.clients.fetch_add(1, Ordering::Relaxed);
    let now = Instant::now();
    let cursor = Cursor {
        client: Client(shared.clone()),
        stage: Stage::Hello,
        next: from,
        encoding: sse::Encoding::named(query_param(query, "encoding").as_deref()),
        stored: shared.stored.subscribe(),
        stopping: shared.stopping.subscribe(),
        next_status: now + STATUS_EVERY,
        next_keepalive: now + KEEPALIVE_EVERY,
    };
    let frames = futures::stream::unfold(cursor, |mut c| async move {
        let text = next_message(&mut c).await?;
        c.next_keepalive = Instant::now() + KEEPALIVE_EVERY;
        Some((
            Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from(text))),
            c,
        ))
    });
    let mut r = with_cors(
        StatusCode::OK,
        "text/event-stream",
        StreamBody::new(frames).boxed_unsync(),
    );
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

/// The next message for this stream, waiting for one if need be; `None` ends the stream.
async fn next_message(c: &mut Cursor) -> Option<String> {
    loop {
        match c.stage {
            Stage::Done => return None,
            Stage::Hello => {
                c.stage = Stage::Running;
                let shared = &c.client.0;
                let store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
                let mut text = sse::hello(&store, LISTENER);
                if c.next > store.next_seq() {
                    // Numbers from another run (a listener restarted without its
                    // recording): the page sees `next_seq` < its `from` in hello.
                    c.next = store.first_seq();
                } else if c.next < store.first_seq() {
                    text.push_str(&sse::gap(c.next, store.first_seq()));
                    c.next = store.first_seq();
                }
                return Some(text);
            }
            Stage::Running => {}
        }
        if let Some(reason) = c.stopping.borrow().clone() {
            c.stage = Stage::Done;
            return Some(sse::bye(&reason));
        }
        if let Some(text) = read(c) {
            return Some(text);
        }
        let now = Instant::now();
        if now >= c.next_status {
            c.next_status = now + STATUS_EVERY;
            let shared = &c.client.0;
            let store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
            return Some(sse::status(&Status::of(&store, shared.clients())));
        }
        if now >= c.next_keepalive {
            return Some(sse::KEEPALIVE.to_owned());
        }
        let wake = c.next_status.min(c.next_keepalive);
        tokio::select! {
            _ = c.stored.changed() => {}
            _ = c.stopping.changed() => {}
            () = tokio::time::sleep_until(wake) => {}
        }
    }
}

/// The next `events` (or `gap`) message, if the cursor is behind the store.
fn read(c: &mut Cursor) -> Option<String> {
    let store = c.client.0.store.lock().unwrap_or_else(|p| p.into_inner());
    c.stored.mark_unchanged();
    if c.next < store.first_seq() {
        let text = sse::gap(c.next, store.first_seq());
        c.next = store.first_seq();
        return Some(text);
    }
    let (text, next) = sse::events_as(&store, c.next, c.encoding)?;
    c.next = next;
    Some(text)
}
