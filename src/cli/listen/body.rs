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

use super::server::Shared;

/// Why a body was not read.
#[derive(Debug)]
pub(super) enum BodyError {
    TooLarge {
        limit: usize,
    },
    Timeout,
    /// The bodies being read together would exceed the in-flight budget.
    Busy,
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
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut held = Reservation { shared, bytes: 0 };
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + shared.settings.read_timeout;
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
            return Err(BodyError::TooLarge { limit });
        }
        if !held.grow(data.len()) {
            return Err(BodyError::Busy);
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}
