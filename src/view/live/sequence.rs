//! # Sequence numbers: no gap, no duplicate
//!
//! The listener numbers every event it stores (1, 2, 3, …) and the page asks for
//! `?from=SEQ`. [`Sequence`] is the page's side of that: the next number it expects (what it
//! resumes from after a dropped connection), which events of a message it has already (a
//! message overlapping what it holds after a reconnect), and what it lost (a `gap` the
//! listener announced because it evicted events before the page read them, or a hole it did
//! not announce).
//!
//! ## A new listener
//! A restarted listener has a new store, numbered from 1 again. The page tells by the hello:
//! an `instance` id that changed, or else a `next_seq` below what the page already read
//! (a store's numbers never go back). It then starts a new *segment*: it forgets the old
//! numbers and reads the new store from its first event ([`HelloOutcome::Reopen`], since
//! the stream it has was opened at the old numbers). Events already on the page are kept;
//! an event the new listener serves again (a store reloaded from its `--out` file) is
//! recognised by its id and not shown twice ([`Sequence::segments`] > 1 turns that check on).

use super::message::{Batch, Gap, Hello};
use super::wire::LiveEvent;

/// What the page does after a hello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelloOutcome {
    /// The stream continues where the page is.
    Continue,
    /// A new store: read it again from this sequence number (a new segment began).
    Reopen { from: u64 },
}

/// The page's sequence bookkeeping; see the module docs.
#[derive(Clone, Debug)]
pub struct Sequence {
    /// The next sequence number expected: the stream is (re)opened with `from=next`.
    next: u64,
    /// Whether `next` came from events read (else it is the first request's 1).
    read_any: bool,
    /// The listener's instance id, if it sends one.
    instance: Option<String>,
    /// Listeners (stores) read from: 1 for the first, one more per restart seen.
    segments: u32,
    /// Events the listener evicted before the page read them (announced gaps) or that were
    /// missing from the numbering (holes).
    pub lost: u64,
    /// Events the listener no longer held when this page first connected to it (older than
    /// its window): not lost by the page, only never seen.
    pub before_start: u64,
    /// Events received again and skipped (a message overlapping what the page holds).
    pub duplicates: u64,
}

impl Default for Sequence {
    fn default() -> Self {
        Sequence {
            next: 1,
            read_any: false,
            instance: None,
            segments: 0,
            lost: 0,
            before_start: 0,
            duplicates: 0,
        }
    }
}

impl Sequence {
    /// Where to (re)open the stream: `?from=` this.
    pub fn resume_from(&self) -> u64 {
        self.next
    }

    /// How many listeners' stores the page has read (restarts seen + 1; 0 before a hello).
    pub fn segments(&self) -> u32 {
        self.segments
    }

    /// A hello, first message of every connection.
    pub fn hello(&mut self, h: &Hello) -> HelloOutcome {
        let other_instance = match (&self.instance, &h.instance) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        };
        let went_back = self.read_any && h.next_seq < self.next;
        let first = self.segments == 0;
        if h.instance.is_some() {
            self.instance = h.instance.clone();
        }
        if first {
            self.segments = 1;
            return HelloOutcome::Continue;
        }
        if !(other_instance || went_back) {
            return HelloOutcome::Continue;
        }
        self.segments += 1;
        self.next = h.first_seq.max(1);
        self.read_any = false;
        HelloOutcome::Reopen { from: self.next }
    }

    /// An instance named by a `status` on the connection the page reads: the same listener
    /// as its hello's, so it is kept (only if the hello had none) without starting a segment.
    pub fn adopt_instance(&mut self, id: &str) {
        if self.instance.is_none() {
            self.instance = Some(id.to_owned());
        }
    }

    /// A `gap`: events from `g.from` up to `g.first_seq` are gone.
    pub fn gap(&mut self, g: &Gap) {
        if g.first_seq > self.next {
            let missed = g.first_seq - self.next;
            if self.read_any {
                self.lost += missed;
            } else {
                self.before_start += missed;
            }
            self.next = g.first_seq;
        }
    }

    /// The events of `batch` the page does not have yet, in order; counts the ones it had
    /// (duplicates) and any hole before them (lost).
    pub fn accept(&mut self, batch: Batch) -> Vec<LiveEvent> {
        if batch.last_seq < self.next {
            self.duplicates += batch.events.len() as u64 + batch.rejected;
            return Vec::new();
        }
        let first = batch.first_seq();
        if first > self.next {
            self.lost += first - self.next;
        }
        let mut fresh = Vec::with_capacity(batch.events.len());
        for (seq, e) in batch.events {
            if seq < self.next {
                self.duplicates += 1;
            } else {
                fresh.push(e);
            }
        }
        self.next = batch.last_seq + 1;
        self.read_any = true;
        fresh
    }
}
