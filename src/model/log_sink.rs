//! # A trace as an import's sink
//!
//! Imports stream straight into an [`EventLog`]: no `Vec<Event>` of the whole file is ever
//! built, so a file's events cost the store's compact records, not owned events first.

use super::events::EventLog;
use super::sink::{BudgetExceeded, EventSink};
use crate::core::{Event, EventRef};

/// An import streams straight into a trace: each event is encoded into the store as it
/// arrives, and the budget counts the store's real heap.
impl EventSink for EventLog {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        EventLog::push(self, &event);
        Ok(())
    }

    fn push_ref(&mut self, event: EventRef<'_>) -> Result<(), BudgetExceeded> {
        EventLog::push_ref(self, &event);
        Ok(())
    }

    fn push_borrowed(&mut self, event: &EventRef<'_>) -> Result<(), BudgetExceeded> {
        EventLog::push_ref(self, event);
        Ok(())
    }

    const ENCODES_BORROWED: bool = true;

    fn retained_bytes(&self) -> usize {
        self.heap_bytes()
    }

    fn reserve(&mut self, events: usize) {
        EventLog::reserve(self, events);
    }
}
