//! # The events' way out
//!
//! Every format's reader pushes its events through one [`Output`], which holds the sink and
//! checks the budgets ([`Limits`]) at each event: so a budget is enforced the same way for
//! every format, and its error says at which event and where in the input it ran out.

use crate::core::{Event, EventRef};
use crate::model::sink::{BudgetExceeded, EventSink};
use crate::trace::error::{Budget, ImportError, Position, Problem};
use crate::trace::read::Limits;
use crate::trace::Format;

/// What one event reserved in the event store costs at most: its record (56 bytes), its
/// share of `events_by_id` (a slot and a control byte, 9/8 of the events rounded up to a
/// power of two: up to ~11 bytes) and of `children_by_parent` (up to 9/16 of an entry and
/// its slot): 87 bytes measured in `tests/import_makes_room_up_front.rs`. It said 128 (a
/// 104-byte record) after the record had shrunk: the page's guess from a 2 M-event file's
/// first slice then reserved only the 1.64 M records that half its 400 MiB held at 128
/// bytes, and the record vector doubled past them (3.3 M records, 185 MB), refusing the
/// file at event 1.8 M (`examples/page_open_cost`, the 1 M-span OTLP document of
/// docs/budget.md). At 96, half the page's budget has room for its 2 M events.
const RESERVED_BYTES_PER_EVENT: u64 = 96;

/// The events' way out, with the counts and budgets every reader shares.
pub(crate) struct Output<S> {
    pub(crate) sink: S,
    pub(super) format: Format,
    pub(super) limits: Limits,
    pub(super) events: u64,
    /// Bytes the reader holds back (pending slices, root maps), counted against the budget.
    pub(super) held: usize,
    /// Events the reader owes and will push at the end (a Chrome trace's held slices),
    /// counted against the event budget while the input is read.
    pub(crate) pending: u64,
    /// Where the record being read starts, for errors.
    pub(crate) at: Option<Position>,
    pub(crate) skipped: Vec<(String, usize)>,
    pub(crate) notes: Vec<String>,
}

impl<S: EventSink> Output<S> {
    /// Pushes one event, within the budgets.
    pub(crate) fn push(&mut self, event: Event) -> Result<(), ImportError> {
        self.admit(|sink| sink.push(event))
    }

    /// Pushes one event still borrowed from its text, within the budgets.
    /// The event is read where it lies (see [`EventSink::push_borrowed`]).
    pub(crate) fn push_ref(&mut self, event: &EventRef<'_>) -> Result<(), ImportError> {
        self.admit(|sink| sink.push_borrowed(event))
    }

    /// Hands one event to the sink with `push` if the event budget has room, then checks
    /// the memory budget.
    #[inline]
    fn admit(
        &mut self,
        push: impl FnOnce(&mut S) -> Result<(), BudgetExceeded>,
    ) -> Result<(), ImportError> {
        if self.events >= self.limits.max_events {
            return Err(self.over(Budget::Events {
                limit: self.limits.max_events,
            }));
        }
        if let Err(refused) = push(&mut self.sink) {
            return Err(self.over(Budget::Memory {
                limit: refused.limit_bytes as u64,
                held: refused.retained_bytes as u64,
            }));
        }
        self.events += 1;
        self.check_memory()
    }

    /// Records that the reader now holds `bytes` of its own (replacing the last figure).
    pub(crate) fn hold(&mut self, bytes: usize) -> Result<(), ImportError> {
        self.held = bytes;
        self.check_memory()
    }

    /// Records that the reader owes `events` events it will push at the end (replacing the
    /// last figure), so the event budget stops the import while the input is read, not
    /// after a pass over everything it held back.
    pub(crate) fn promise(&mut self, events: u64) -> Result<(), ImportError> {
        self.pending = events;
        if self.events + events > self.limits.max_events {
            return Err(self.over(Budget::Events {
                limit: self.limits.max_events,
            }));
        }
        Ok(())
    }

    /// Lets the sink make room for `events` events the reader is about to push (see
    /// [`EventSink::reserve`]), as far as `1 / share` of the memory budget's room has room
    /// for them at [`RESERVED_BYTES_PER_EVENT`]: past the whole room the budget stops the
    /// import anyway, and a reservation must not ask the allocator for more than the budget
    /// allows (a guess asks for a share of it only).
    pub(crate) fn reserve(&mut self, events: u64, share: u64) {
        let held = (self.sink.retained_bytes() + self.held) as u64;
        let room = self.limits.max_retained_bytes.saturating_sub(held) / share.max(1);
        let fits = room / RESERVED_BYTES_PER_EVENT;
        self.sink.reserve(events.min(fits) as usize);
    }

    fn check_memory(&self) -> Result<(), ImportError> {
        let held = (self.sink.retained_bytes() + self.held) as u64;
        if held > self.limits.max_retained_bytes {
            return Err(self.over(Budget::Memory {
                limit: self.limits.max_retained_bytes,
                held,
            }));
        }
        Ok(())
    }

    fn over(&self, budget: Budget) -> ImportError {
        ImportError::new(
            Some(self.format),
            self.at,
            Problem::OverBudget {
                budget,
                // The event that did not fit, owed ones included.
                event: self.events + self.pending.max(1),
            },
        )
    }

    /// Counts one skipped record of kind `what`.
    pub(crate) fn skip(&mut self, what: &str) {
        match self.skipped.iter_mut().find(|(w, _)| w == what) {
            Some((_, n)) => *n += 1,
            None => self.skipped.push((what.to_owned(), 1)),
        }
    }
}
