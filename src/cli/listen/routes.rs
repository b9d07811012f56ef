//! # One request
//!
//! Auth and CORS first (every answer carries `Access-Control-Allow-Origin: *` and
//! `Cross-Origin-Resource-Policy: cross-origin`, so the page, served from another origin and
//! cross-origin isolated, may read them), then the route. The OTLP route answers as the
//! OTLP/HTTP specification says: an `ExportTraceServiceResponse` in the request's encoding
//! (with `partial_success` when spans were refused), a `google.rpc.Status` for a body that
//! cannot be decoded, 413, 415, 429/503 with `Retry-After`.

use std::convert::Infallible;
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::json;

use super::answer::{export_response, json_response, preflight, rpc_status, text, Body, Encoding};
use super::body::{self, BodyError};
use super::shared::Shared;
use crate::listener::bad_body::{BadBody, MAX_LINE_ERRORS};
use crate::listener::batch::Batch;
use crate::listener::ingest;
use crate::listener::lines::{self, StoredLines};
use crate::listener::sse::Status;
use crate::listener::{inflate, Committed, LiveStore};

pub(super) async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Body>, Infallible> {
    if req.method() == Method::OPTIONS {
        return Ok(preflight());
    }
    let path = req.uri().path().to_owned();
    if !authorized(&req, &shared, path == "/v1/stream") {
        let mut r = text(StatusCode::UNAUTHORIZED, "a bearer token is required");
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return Ok(r);
    }
    let answer = match (req.method(), path.as_str()) {
        (&Method::POST, "/v1/traces") => traces(req, &shared).await,
        (&Method::POST, "/v1/events") => events(req, &shared).await,
        (&Method::GET, "/v1/stream") => super::stream::open(req.uri().query(), &shared),
        (&Method::GET, "/v1/status") => status(&shared),
        (_, "/v1/traces" | "/v1/events" | "/v1/stream" | "/v1/status") => {
            text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed here")
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "lineage listen: POST /v1/traces (OTLP), POST /v1/events (JSON lines), \
             GET /v1/stream (Server-Sent Events), GET /v1/status",
        ),
    };
    Ok(answer)
}

/// The token, compared in time independent of where it differs.
fn authorized(req: &Request<Incoming>, shared: &Shared, query_allowed: bool) -> bool {
    let Some(token) = shared.settings.token.as_deref() else {
        return true;
    };
    let same = |given: &str| {
        given.len() == token.len()
            && given
                .bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if header.is_some_and(same) {
        return true;
    }
    query_allowed
        && super::stream::query_param(req.uri().query(), "token").is_some_and(|t| same(&t))
}

async fn traces(req: Request<Incoming>, shared: &Shared) -> Response<Body> {
    let encoding = match media_type(&req).as_str() {
        "application/x-protobuf" | "application/protobuf" => Encoding::Protobuf,
        "application/json" => Encoding::Json,
        other => {
            let msg = format!(
                "OTLP/HTTP takes application/x-protobuf or application/json, not {:?}",
                crate::text::Excerpt::clipped_at(other, 100).to_string()
            );
            return text(StatusCode::UNSUPPORTED_MEDIA_TYPE, &msg);
        }
    };
    let body = match read_body(req, shared).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let decoded = match encoding {
        Encoding::Protobuf => ingest::otlp_protobuf(&body, shared.settings.request_limits),
        Encoding::Json => ingest::otlp_json(&body, shared.settings.request_limits),
    };
    drop(body);
    let spans = match decoded {
        Ok(s) => s,
        Err(bad) => return rpc_status(encoding, &bad),
    };
    let (stored, refused_spans) = commit(shared, &spans.events);
    if stored == 0 && !spans.events.is_empty() {
        return full(shared);
    }
    let rejected = spans.rejected + refused_spans;
    let message = match (spans.rejected, refused_spans) {
        (0, 0) => String::new(),
        (0, n) => format!("{n} spans refused: the listener is full (--when-full refuse)"),
        (_, 0) => spans.rejection.clone(),
        (_, n) => format!(
            "{}; {n} spans refused: the listener is full",
            spans.rejection
        ),
    };
    export_response(encoding, rejected, &message)
}

async fn events(req: Request<Incoming>, shared: &Shared) -> Response<Body> {
    let body = match read_body(req, shared).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Read straight into the store, each line as it is read (`listener::lines`).
    let read = with_store_lines(shared, |store| {
        lines::store_lines(&body, shared.settings.request_limits, store)
    });
    drop(body);
    let lines = match read {
        Ok(l) => l,
        Err(bad) => {
            let body = json!({"accepted": 0, "rejected": 1, "errors": [bad.0]});
            return json_response(StatusCode::BAD_REQUEST, &body);
        }
    };
    let (stored, refused) = (lines.committed.stored, lines.committed.refused);
    let mut errors = lines.report.errors;
    if refused > 0 {
        if stored == 0 {
            return full(shared);
        }
        if errors.len() < MAX_LINE_ERRORS {
            errors.push(format!(
                "{refused} events refused: the listener is full (--when-full refuse)"
            ));
        }
    }
    let rejected = lines.report.rejected + refused;
    let body = json!({"accepted": stored, "rejected": rejected, "errors": errors});
    json_response(StatusCode::OK, &body)
}

/// Reads a body of lines into the store under its lock, says why the recording failed if
/// it did, and tells the streams.
fn with_store_lines(
    shared: &Shared,
    read: impl FnOnce(&mut LiveStore) -> Result<StoredLines, BadBody>,
) -> Result<StoredLines, BadBody> {
    let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
    let read = read(&mut store);
    if let Ok(StoredLines {
        written: Err(e), ..
    }) = &read
    {
        eprintln!("lineage listen: the recording could not be written: {e}");
    }
    shared.stored.send_replace(store.next_seq());
    read
}

/// Stores a request's spans, tells the streams; returns (events stored, spans refused).
fn commit(shared: &Shared, batch: &Batch) -> (u64, u64) {
    let done = store_batch(shared, batch);
    (done.stored, batch.span_starts_from(done.stored as usize))
}

fn store_batch(shared: &Shared, batch: &Batch) -> crate::listener::Committed {
    if batch.is_empty() {
        return crate::listener::Committed::default();
    }
    with_store(shared, |store| store.commit_batch(batch))
}

/// Runs a commit under the store's lock, says why the recording failed if it did, and
/// tells the streams.
fn with_store(
    shared: &Shared,
    commit: impl FnOnce(&mut LiveStore) -> (Committed, std::io::Result<()>),
) -> Committed {
    let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
    let (done, written) = commit(&mut store);
    if let Err(e) = written {
        eprintln!("lineage listen: the recording could not be written: {e}");
    }
    shared.stored.send_replace(store.next_seq());
    done
}

/// The body, read within its limits and inflated if gzip; or the answer that refuses it.
async fn read_body(req: Request<Incoming>, shared: &Shared) -> Result<Vec<u8>, Response<Body>> {
    let gzip = match req
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("" | "identity") => false,
        Some("gzip" | "x-gzip") => true,
        Some(_) => {
            return Err(text(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding must be gzip or none",
            ))
        }
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    if shared
        .store
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_refusing()
    {
        // Read to its end so the client gets the answer on a connection it may reuse.
        let whole = body::drain(req.into_body(), declared, shared).await;
        return Err(closing_unless(whole, full(shared)));
    }
    let raw = body::read(req.into_body(), declared, shared)
        .await
        .map_err(|e| body_error(e, shared))?;
    if !gzip {
        return Ok(raw);
    }
    inflate::gunzip(&raw, shared.settings.max_inflated).map_err(|e| match e {
        inflate::InflateError::TooLarge { .. } => {
            text(StatusCode::PAYLOAD_TOO_LARGE, &e.to_string())
        }
        inflate::InflateError::Corrupt(_) => text(StatusCode::BAD_REQUEST, &e.to_string()),
    })
}

/// `answer`, with `Connection: close` unless the request's body was read whole (the
/// connection cannot carry another request after a body left unread).
fn closing_unless(whole: bool, mut answer: Response<Body>) -> Response<Body> {
    if !whole {
        answer
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    answer
}

fn body_error(e: BodyError, shared: &Shared) -> Response<Body> {
    match e {
        BodyError::TooLarge { limit, whole } => closing_unless(
            whole,
            text(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the body is larger than {limit} bytes, the limit (--max-body)"),
            ),
        ),
        BodyError::Timeout => {
            let mut r = text(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time (--read-timeout)",
            );
            r.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            r
        }
        BodyError::Busy { whole } => closing_unless(
            whole,
            retry_later(
                StatusCode::SERVICE_UNAVAILABLE,
                "the listener is reading as many bodies as it may hold; retry",
                shared,
            ),
        ),
        BodyError::Broken(why) => text(
            StatusCode::BAD_REQUEST,
            &format!(
                "the body could not be read: {}",
                crate::text::Excerpt::clipped_at(&why, 200)
            ),
        ),
    }
}

fn full(shared: &Shared) -> Response<Body> {
    retry_later(
        StatusCode::TOO_MANY_REQUESTS,
        "the listener is full (--when-full refuse): no event was stored",
        shared,
    )
}

fn retry_later(code: StatusCode, why: &str, _shared: &Shared) -> Response<Body> {
    let mut r = text(code, why);
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

fn status(shared: &Shared) -> Response<Body> {
    let store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
    let status = Status::of(&store, shared.clients());
    drop(store);
    json_response(
        StatusCode::OK,
        &serde_json::to_value(status).unwrap_or_default(),
    )
}

/// The media type without parameters, lowercase.
fn media_type(req: &Request<Incoming>) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}
