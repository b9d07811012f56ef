//! # The page's live feed: messages in, batches out
//!
//! [`LiveFeed`] is everything the page keeps about a live source except the view: the
//! connection ([`Connection`]), the numbering ([`Sequence`]), the listener's last hello and
//! status, and the events received but not yet shown. The page hands it each message
//! ([`LiveFeed::on_message`]) and does what the returned [`Reaction`] says with its
//! `EventSource`; once per animation frame it takes what is waiting ([`LiveFeed::take`])
//! and advances the view by those events.
//!
//! ## Pause, and a view that falls behind
//! Paused, the view holds still and events keep arriving into the waiting queue; the page
//! says how many wait. The queue is bounded by [`MAX_WAITING`] (a long pause, or a hidden
//! tab whose frames the browser stopped): past it the feed closes the stream
//! ([`Reaction::CloseStream`]) and, once resumed and drained to a quarter, opens it again at
//! the first number it does not hold ([`Reaction::Open`] from [`LiveFeed::tick`]), so a long
//! pause costs the listener's window, not the page's memory, and loses nothing the listener
//! still holds.

use std::collections::VecDeque;

use super::connection::Connection;
use super::message::{Hello, Message, Status};
use super::sequence::{HelloOutcome, Sequence};
use super::wire::LiveEvent;
use super::LiveAddress;

/// Events held waiting while paused before the stream is closed until resume.
pub const MAX_WAITING: usize = 200_000;
/// Problems kept to show (the rest are counted).
const MAX_PROBLEMS: usize = 5;

/// What the page must do with its `EventSource` after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaction {
    Nothing,
    /// Close the current stream (if any) and open one at [`Sequence::resume_from`].
    Open,
    /// Close the current stream and open none for now.
    CloseStream,
}

/// A live source's state on the page; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct LiveFeed {
    pub address: LiveAddress,
    pub connection: Connection,
    pub sequence: Sequence,
    pub hello: Option<Hello>,
    pub status: Option<Status>,
    waiting: VecDeque<LiveEvent>,
    paused: bool,
    /// The stream was closed because too many events waited during a pause.
    suspended: bool,
    /// New events received (duplicates not counted).
    pub received: u64,
    /// Lines and messages that could not be read.
    pub rejected: u64,
    /// Events shown and then let go to keep within the page's budget
    /// ([`super::LiveView::let_go_if_full`]): received = let go + in view + waiting.
    pub let_go: u64,
    /// What was wrong with the first few of them (escaped, bounded).
    pub problems: Vec<String>,
}

impl LiveFeed {
    /// A feed for `address`, connecting.
    pub fn new(address: LiveAddress) -> LiveFeed {
        let mut feed = LiveFeed {
            address,
            ..LiveFeed::default()
        };
        feed.connection.connecting();
        feed
    }

    /// The stream's URL for the next connection.
    pub fn stream_url(&self) -> String {
        self.address.stream_url(self.sequence.resume_from())
    }

    /// One message from the stream, at `now_ms`.
    pub fn on_message(&mut self, m: Message, now_ms: f64) -> Reaction {
        match m {
            Message::Hello(h) => {
                self.connection.live();
                let outcome = self.sequence.hello(&h);
                self.hello = Some(h);
                match outcome {
                    HelloOutcome::Continue => Reaction::Nothing,
                    HelloOutcome::Reopen { .. } => {
                        self.connection.connecting();
                        Reaction::Open
                    }
                }
            }
            Message::Gap(g) => {
                self.sequence.gap(&g);
                Reaction::Nothing
            }
            Message::Events(b) => {
                self.rejected += b.rejected;
                self.note_problems(b.problems.iter().cloned());
                let fresh = self.sequence.accept(b);
                self.received += fresh.len() as u64;
                self.waiting.extend(fresh);
                if self.waiting.len() >= MAX_WAITING {
                    self.suspended = true;
                    return Reaction::CloseStream;
                }
                Reaction::Nothing
            }
            Message::Status(s) => {
                if let Some(id) = &s.instance {
                    self.sequence.adopt_instance(id);
                }
                self.status = Some(s);
                Reaction::Nothing
            }
            Message::Bye(reason) => {
                self.connection
                    .dropped(now_ms, format!("the listener said: {reason}"));
                Reaction::CloseStream
            }
        }
    }

    /// A message that could not be read at all.
    pub fn on_bad_message(&mut self, why: &str) {
        self.rejected += 1;
        self.note_problems(std::iter::once(why.to_string()));
    }

    fn note_problems(&mut self, new: impl Iterator<Item = String>) {
        let room = MAX_PROBLEMS.saturating_sub(self.problems.len());
        self.problems.extend(new.take(room));
    }

    /// The stream failed or closed (network, listener gone) at `now_ms`.
    pub fn on_error(&mut self, now_ms: f64) -> Reaction {
        if self.suspended {
            return Reaction::Nothing;
        }
        self.connection
            .dropped(now_ms, "the stream dropped; resuming where it stopped");
        Reaction::CloseStream
    }

    /// Called every frame: opens a stream when a retry is due, or when a stream closed for
    /// too many waiting events can open again.
    pub fn tick(&mut self, now_ms: f64) -> Reaction {
        if self.suspended {
            let closed = matches!(
                self.connection.state,
                super::connection::State::Closed { .. }
            );
            if self.paused || closed || self.waiting.len() > MAX_WAITING / 4 {
                return Reaction::Nothing;
            }
            self.suspended = false;
            self.connection.connecting();
            return Reaction::Open;
        }
        if self.connection.retry_due(now_ms) {
            self.connection.connecting();
            return Reaction::Open;
        }
        Reaction::Nothing
    }

    /// Up to `max` waiting events, oldest first (none while paused).
    pub fn take(&mut self, max: usize) -> Vec<LiveEvent> {
        if self.paused {
            return Vec::new();
        }
        let n = max.min(self.waiting.len());
        self.waiting.drain(..n).collect()
    }

    /// Gives back events [`LiveFeed::take`] handed out and the frame had no time for: they
    /// wait first, in their order.
    pub fn put_back(&mut self, events: Vec<LiveEvent>) {
        for e in events.into_iter().rev() {
            self.waiting.push_front(e);
        }
    }

    /// Events received and not shown yet.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// Whether the stream is closed until resume (too many waited).
    pub fn suspended(&self) -> bool {
        self.suspended
    }

    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Resumes the view (a stream a long pause closed opens again from [`LiveFeed::tick`]).
    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Stops for good, saying why.
    pub fn close(&mut self, reason: impl Into<String>) -> Reaction {
        self.connection.close(reason);
        Reaction::CloseStream
    }

    /// Whether events from the stream must be checked against the ids on the page: a new
    /// listener may serve again events the page has (a store reloaded from its file).
    pub fn dedupe_by_id(&self) -> bool {
        self.sequence.segments() > 1
    }

    /// The counts the page shows under the state, e.g. `1 204 received · 3 lost in gaps`.
    pub fn describe_counts(&self) -> String {
        let mut parts = vec![format!("{} received", self.received)];
        if self.paused || self.waiting() > 0 {
            parts.push(format!("{} waiting", self.waiting()));
        }
        if self.let_go > 0 {
            parts.push(format!(
                "{} older let go to stay within the page's budget (the newest are shown)",
                self.let_go
            ));
        }
        if self.sequence.lost > 0 {
            parts.push(format!(
                "{} lost (evicted by the listener before this page read them)",
                self.sequence.lost
            ));
        }
        if self.sequence.before_start > 0 {
            parts.push(format!(
                "{} older ones no longer held by the listener",
                self.sequence.before_start
            ));
        }
        if self.sequence.duplicates > 0 {
            parts.push(format!(
                "{} received twice, shown once",
                self.sequence.duplicates
            ));
        }
        if self.rejected > 0 {
            parts.push(format!("{} unreadable", self.rejected));
        }
        if self.sequence.segments() > 1 {
            parts.push(format!(
                "listener restarted {}×",
                self.sequence.segments() - 1
            ));
        }
        parts.join(" · ")
    }
}
