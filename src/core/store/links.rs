//! # How a record names other events
//!
//! What [`EventStore::encode`] asks before it writes a record: how an end names its start
//! (the event before it, a parents-table entry, or its id: `record.rs`), which entry names
//! its parent (`parents.rs`, `parent_slots.rs`), and where its emission number goes
//! (`seqs.rs`). Each is the position or slot of an event in the ring when it can be, and an
//! id only when it must.

use super::parent_hints::ParentHint;
use super::parents::{Newest, ParentId};
use super::record::{SeqPlace, StartLink, ENDED_NEXT};
use super::write::wrap;
use super::EventStore;

impl EventStore {
    /// How an end event about to be encoded names its start: as the event before it when
    /// the start is the newest event (held or queued), by reference when the start is in
    /// the parents table already, else by its id (`record.rs` says why).
    #[inline]
    pub(super) fn start_link(
        &mut self,
        start_id: Option<uuid::Uuid>,
        hint: ParentHint,
    ) -> StartLink {
        let Some(id) = start_id else {
            return StartLink::None;
        };
        let used = self.len + self.pending;
        if used > 0 {
            let newest = wrap(self.head + used - 1, self.records.len());
            let r = &mut self.records[newest];
            if r.id == id {
                r.flags |= ENDED_NEXT;
                return StartLink::Prev;
            }
        }
        if let Some(p) = self.parents.acquire_named_hinted(id, hint, &self.records) {
            return StartLink::Ref(p);
        }
        match self.parents.acquire_named(id, &self.records) {
            Some(p) => StartLink::Ref(p),
            None => StartLink::Id(id),
        }
    }

    /// Where the emission number of the event about to be encoded goes (`seqs.rs`): its
    /// position is the next one after every event held or queued.
    #[inline]
    pub(super) fn seq_place(&mut self, seq: u64) -> SeqPlace {
        if self.seqs.in_run(seq) {
            return SeqPlace::Run;
        }
        let pos = self.base + (self.len + self.pending) as u64;
        self.seq_off_run(pos, seq)
    }

    /// A number its run does not give: 0, a new run's first if it follows the number of the
    /// event before it, or wide.
    #[cold]
    #[inline(never)]
    fn seq_off_run(&mut self, pos: u64, seq: u64) -> SeqPlace {
        if seq == 0 {
            return SeqPlace::Zero;
        }
        let used = self.len + self.pending;
        let follows = used == 0 || {
            let prev = &self.records[wrap(self.head + used - 1, self.records.len())];
            self.seq(pos - 1, prev).wrapping_add(1) == seq
        };
        if follows {
            self.seqs.start_run(pos, seq);
            SeqPlace::Run
        } else {
            SeqPlace::Wide
        }
    }

    /// The parents table's entry for an event's parent, counted (`parents.rs`); 0, unread,
    /// for an event without one.
    #[inline]
    pub(super) fn parent_of(
        &mut self,
        parent_id: Option<uuid::Uuid>,
        hint: ParentHint,
    ) -> ParentId {
        match parent_id {
            Some(id) => match self.parents.acquire_last(id) {
                Some(p) => p,
                None => {
                    if let Some(p) = self.parents.acquire_hinted(id, hint, &mut self.records) {
                        return p;
                    }
                    let newest = Newest {
                        head: self.head,
                        used: self.len + self.pending,
                    };
                    self.parents.acquire(id, &mut self.records, newest)
                }
            },
            None => 0,
        }
    }
}

impl EventStore {
    /// The hint a frame carries for the record queued last (`parent_hints.rs`).
    #[inline]
    pub(crate) fn queued_hint(&self) -> ParentHint {
        let used = self.len + self.pending;
        let slot = wrap(self.head + used - 1, self.records.len());
        ParentHint::new(slot, self.parents.era())
    }
}
