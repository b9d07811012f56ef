//! # Reading a request body within its limits
//!
//! A body is read frame by frame (never trusting `Content-Length`, which is only checked
//! first to refuse early), and stops at the first of: the body limit (413), the read
//! deadline (a client trickling its body is dropped), or the listener's budget for bodies
//! being read at once (503: under a flood the bytes held stay bounded, whatever the number
//! of connections).

use std::sync::atomic::Ordering;

use http_body_util::BodyExt;
use hyper::body::Incoming;

use super::shared::Shared;

/// Why a body was not read.
#[derive(Debug)]
pub(super) enum BodyError {
    /// Over the body limit; `whole`: the rest was read without being kept, to its end, so
    /// the 413 reaches the client (see [`OVER_LIMIT_READ`]).
    TooLarge {
        limit: usize,
        whole: bool,
    },
    Timeout,
    /// The bodies being read together would exceed the in-flight budget; the rest of the
    /// body was read without being kept (`whole`: to its end, so the connection may go on).
    Busy {
        whole: bool,
    },
    /// The connection broke or the framing was wrong.
    Broken(String),
}

/// Bytes reserved against [`Shared::in_flight`], released when dropped.
struct Reservation<'a> {
    shared: &'a Shared,
    bytes: usize,
}

impl Reservation<'_> {
    fn grow(&mut self, n: usize) -> bool {
        let budget = self.shared.settings.max_in_flight;
        let before = self.shared.in_flight.fetch_add(n, Ordering::Relaxed);
        self.bytes += n;
        before + n <= budget
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.shared
            .in_flight
            .fetch_sub(self.bytes, Ordering::Relaxed);
    }
}

/// Reads the whole body (see the module docs).
pub(super) async fn read(
    mut body: Incoming,
    declared: Option<u64>,
    shared: &Shared,
) -> Result<Vec<u8>, BodyError> {
    let limit = shared.settings.max_body;
    let deadline = tokio::time::Instant::now() + shared.settings.read_timeout;
    let past_reading = limit.saturating_mul(OVER_LIMIT_READ);
    if let Some(n) = declared.filter(|&n| n > limit as u64) {
        let whole = n <= past_reading as u64 && drain_rest(body, deadline, past_reading).await;
        return Err(BodyError::TooLarge { limit, whole });
    }
    let mut held = Reservation { shared, bytes: 0 };
    let mut out = Vec::new();
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(BodyError::Timeout),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(BodyError::Broken(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        if out.len() + data.len() > limit {
            let seen = out.len() + data.len();
            drop((held, out));
            let whole = drain_rest(body, deadline, past_reading - seen.min(past_reading)).await;
            return Err(BodyError::TooLarge { limit, whole });
        }
        if !held.grow(data.len()) {
            drop((held, out));
            let whole = drain_rest(body, deadline, limit).await;
            return Err(BodyError::Busy { whole });
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}

/// How far past the body limit, in multiples of it, an over-limit body is still read (and
/// dropped frame by frame) before its 413 is answered. An HTTP/1 server that answers before
/// the body is read closes the connection, and a client still sending gets a reset instead
/// of the 413 (a test caught it: a 2 MiB body against a 1 MiB limit, now and then). Reading
/// on costs bandwidth and time within the read deadline, never memory; a body declared
/// larger still is answered at once.
const OVER_LIMIT_READ: usize = 4;

/// Reads a body that is refused (a full listener, no room to hold it) to its end without
/// keeping it, within the body limit and the read deadline; `true` when it was read whole.
///
/// Why read what is refused: an HTTP/1 server that answers before the body is read must
/// close the connection, and a client still sending its body then gets a reset instead of
/// the answer (seen under a flood: a 429 answered, the client's next request on that
/// connection cancelled). Read to its end, the connection stays usable and the answer
/// arrives. Nothing is held: each frame is dropped as it comes.
pub(super) async fn drain(body: Incoming, declared: Option<u64>, shared: &Shared) -> bool {
    let limit = shared.settings.max_body;
    if declared.is_some_and(|n| n > limit as u64) {
        return false;
    }
    let deadline = tokio::time::Instant::now() + shared.settings.read_timeout;
    drain_rest(body, deadline, limit).await
}

async fn drain_rest(mut body: Incoming, deadline: tokio::time::Instant, limit: usize) -> bool {
    let mut seen = 0usize;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None) => return true,
            Ok(Some(Ok(frame))) => {
                seen += frame.data_ref().map_or(0, |d| d.len());
                if seen > limit {
                    return false;
                }
            }
            Err(_) | Ok(Some(Err(_))) => return false,
        }
    }
}
