//! # Where an exporter reads the events
//!
//! The Chrome and OTLP writers are written once, over [`EventSource`]: the page's store (an
//! [`EventLog`], each event decoded when it is written, so no list of the trace exists) or a
//! caller's list (`&[Event]`, `lineage convert`'s import, borrowed as it is, so nothing is
//! decoded twice). Either way the spans are the events' own [`Spans`](crate::model::Spans):
//! the page's inspection holds them, the list's entry pairs them once in an `EventLog` it
//! drops before writing.

use std::borrow::Cow;

use crate::core::Event;
use crate::model::EventLog;

/// The events of a trace by index, as the spans index them.
pub(crate) trait EventSource {
    /// When event `i` happened (ns): the writers lay out and sort by this alone.
    fn timestamp_ns(&self, i: usize) -> u64;
    /// Event `i`, whole: borrowed from a list, decoded from a store.
    fn event(&self, i: usize) -> Cow<'_, Event>;
    /// The earliest timestamp, 0 when there are no events.
    fn origin_ns(&self) -> u64;
}

impl EventSource for EventLog {
    fn timestamp_ns(&self, i: usize) -> u64 {
        EventLog::timestamp_ns(self, i)
    }

    fn event(&self, i: usize) -> Cow<'_, Event> {
        Cow::Owned(EventLog::event(self, i))
    }

    fn origin_ns(&self) -> u64 {
        self.time_range().0
    }
}

impl EventSource for [Event] {
    fn timestamp_ns(&self, i: usize) -> u64 {
        self[i].timestamp_ns
    }

    fn event(&self, i: usize) -> Cow<'_, Event> {
        Cow::Borrowed(&self[i])
    }

    fn origin_ns(&self) -> u64 {
        self.iter().map(|e| e.timestamp_ns).min().unwrap_or(0)
    }
}
