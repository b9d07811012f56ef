//! # The connection to a listener, as the page shows it
//!
//! [`Connection`] is the state the page always shows next to the *Live…* control:
//! connecting, live, reconnecting in N s (with the reason: the network dropped, or the
//! listener said `bye`), or closed (by the user, or because the page's own budget is full).
//! A dropped stream is retried with exponential backoff ([`BACKOFF_MS`]), reset by the next
//! hello, so a listener restarted by hand is found again within a few seconds and a listener
//! gone for good costs one attempt every [`MAX_BACKOFF_MS`].
//!
//! The browser's `EventSource` reconnects by itself, but with the URL it was opened with
//! (`from=` the old number); the page closes it on error instead and opens a new one at
//! [`super::Sequence::resume_from`] when the backoff is over.

/// Delays before the first retries, in ms; later retries wait [`MAX_BACKOFF_MS`].
pub const BACKOFF_MS: [f64; 5] = [500.0, 1_000.0, 2_000.0, 4_000.0, 8_000.0];
pub const MAX_BACKOFF_MS: f64 = 10_000.0;

/// Where the connection is.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// Not connected and not trying (no address yet).
    Idle,
    /// A stream is opening; `attempt` retries before this one.
    Connecting { attempt: u32 },
    /// The listener said hello: events arrive as it stores them.
    Live,
    /// The stream dropped; the next attempt starts at `at_ms` (page clock).
    Reconnecting {
        at_ms: f64,
        attempt: u32,
        why: String,
    },
    /// Not connected, and not retrying, for this reason.
    Closed { reason: String },
}

/// The connection's state machine; see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    pub state: State,
}

impl Default for Connection {
    fn default() -> Self {
        Connection { state: State::Idle }
    }
}

impl Connection {
    /// The delay before retry number `attempt` (0-based).
    pub fn backoff_ms(attempt: u32) -> f64 {
        BACKOFF_MS
            .get(attempt as usize)
            .copied()
            .unwrap_or(MAX_BACKOFF_MS)
    }

    /// A stream is being opened (first time, or a retry that came due).
    pub fn connecting(&mut self) {
        let attempt = match self.state {
            State::Reconnecting { attempt, .. } => attempt,
            _ => 0,
        };
        self.state = State::Connecting { attempt };
    }

    /// The listener said hello.
    pub fn live(&mut self) {
        self.state = State::Live;
    }

    /// The stream dropped (network error, listener gone, or its `bye`): retry after the
    /// backoff. Returns the delay in ms. A closed connection stays closed.
    pub fn dropped(&mut self, now_ms: f64, why: impl Into<String>) -> Option<f64> {
        let attempt = match &self.state {
            // Already waiting (the error that follows a `bye`): the schedule stands.
            State::Closed { .. } | State::Idle | State::Reconnecting { .. } => return None,
            State::Connecting { attempt } => *attempt,
            State::Live => 0,
        };
        let delay = Connection::backoff_ms(attempt);
        let why = why.into();
        self.state = State::Reconnecting {
            at_ms: now_ms + delay,
            attempt: attempt + 1,
            why,
        };
        Some(delay)
    }

    /// Whether a retry is due at `now_ms`.
    pub fn retry_due(&self, now_ms: f64) -> bool {
        matches!(self.state, State::Reconnecting { at_ms, .. } if now_ms >= at_ms)
    }

    /// Stops for good (Disconnect, or the page's budget is full).
    pub fn close(&mut self, reason: impl Into<String>) {
        self.state = State::Closed {
            reason: reason.into(),
        };
    }

    /// Whether a stream should be open (connecting or live).
    pub fn wants_stream(&self) -> bool {
        matches!(self.state, State::Connecting { .. } | State::Live)
    }

    /// One line for the page, at `now_ms`.
    pub fn describe(&self, now_ms: f64) -> String {
        match &self.state {
            State::Idle => "not connected".into(),
            State::Connecting { attempt: 0 } => "connecting…".into(),
            State::Connecting { attempt } => format!("connecting… (attempt {})", attempt + 1),
            State::Live => "live".into(),
            State::Reconnecting { at_ms, why, .. } => {
                let s = ((at_ms - now_ms) / 1000.0).ceil().max(0.0);
                format!("reconnecting in {s} s ({why})")
            }
            State::Closed { reason } => format!("closed: {reason}"),
        }
    }

    /// A short class name for the page's badge.
    pub fn class(&self) -> &'static str {
        match self.state {
            State::Idle => "idle",
            State::Connecting { .. } => "connecting",
            State::Live => "live",
            State::Reconnecting { .. } => "reconnecting",
            State::Closed { .. } => "closed",
        }
    }
}
