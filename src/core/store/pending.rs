//! # The bus's queue as the ring's unprocessed tail
//!
//! The bus encodes an event when it is put on its queue and records it when the processor
//! takes it off. The queue used to be a `VecDeque` of records beside the ring: each record
//! was written into it, copied out by the processor and copied again into its ring slot,
//! and the queue's own buffer sat beside the ring. Here the queue *is* the ring past the
//! held events: [`EventStore::append_pending`] writes the record once, into the slot it will
//! keep, and [`EventStore::process_pending`] only makes the first of them held (evicting the
//! oldest held event if the store is full, then indexing the new one).
//!
//! Only held events are evicted: the cap bounds the history, not the queue, so a queue longer
//! than the room left in the ring grows the ring (a bus queues up to its queue bound, 65 536
//! by default, whatever its history keeps). Growing a ring that has wrapped lays it out again
//! (`relayout_with_room`, once per doubling of the most records ever queued at once); after
//! that the ring keeps its size. Unprocessed records are not indexed and no read sees them:
//! `len`, positions, `events_by_id` and `children_by_parent` are the held events' alone.

use super::record::{Record, NO_SIBLING};
use super::write::wrap;
use super::EventStore;

impl EventStore {
    /// Records encoded but not yet processed: the bus's queue length.
    #[inline]
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Queues an encoded record behind the held events and the records already queued, in
    /// the ring slot it will keep once processed. Records must be appended in the order they
    /// were encoded (the arena is a FIFO).
    #[inline]
    pub(crate) fn append_pending(&mut self, record: Record) {
        let used = self.len + self.pending;
        if used == self.records.len() {
            if self.head != 0 {
                // Wrapped and full: lay it out from slot 0 with room for as many more.
                self.relayout_with_room(self.pending.max(16));
            } else if used == self.records.capacity() {
                self.records.reserve_exact(self.room_to_grow(used));
            }
            self.records.push(record);
        } else {
            let slot = wrap(self.head + used, self.records.len());
            self.write_slot(slot, record);
        }
        self.pending += 1;
        self.seqs.appended();
    }

    /// How many records a ring growing at its end (never wrapped) makes room for: doubling
    /// up to the cap, never past it for held events (a 100 000-event history would otherwise
    /// allocate room for 131 072 records); past it, doubling the room for queued ones.
    #[inline]
    fn room_to_grow(&self, used: usize) -> usize {
        if used < self.capacity {
            (self.capacity - used).min(used.max(16))
        } else {
            self.pending.max(16)
        }
    }

    /// The first unprocessed record, which [`process_pending`](Self::process_pending) makes
    /// held next.
    #[inline]
    pub(crate) fn pending_front(&self) -> Option<&Record> {
        if self.pending == 0 {
            return None;
        }
        Some(&self.records[wrap(self.head + self.len, self.records.len())])
    }

    /// Makes the first unprocessed record held: evicts the oldest held event when the store
    /// is full, stamps the record's processing time and links it to its parent's children
    /// (its id is indexed when a read asks, `EventStore::catch_up_ids`). Returns its position.
    /// The record is not moved.
    #[inline]
    pub(crate) fn process_pending(&mut self, processed_ns: u64) -> u64 {
        assert!(self.pending > 0, "no record is waiting to be processed");
        if self.len == self.capacity {
            // Full, so it holds one (a cap is at least 1), and this record stays behind.
            self.evict_head();
        }
        let pos = self.base + self.len as u64;
        let slot = wrap(self.head + self.len, self.records.len());
        let timestamp_ns = self.records[slot].timestamp_ns;
        let lag = self.lag_at(pos, timestamp_ns, processed_ns);
        let r = &mut self.records[slot];
        r.lag = lag;
        r.next_sibling = NO_SIBLING;
        self.len += 1;
        self.pending -= 1;
        // Its id waits for a read (`catch_up_ids`); its parent's child list does not.
        self.link_child(slot as u32);
        pos
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use crate::core::event::{Event, Payload, Phase};
    use crate::core::store::{Duplicates, EventStore};

    fn event(n: u64, parent: Option<Uuid>) -> Event {
        let id = Uuid::from_u128(u128::from(n) + 1);
        Event {
            id,
            kind: "k".into(),
            phase: Phase::Pending,
            parent_id: parent,
            root_id: parent.unwrap_or(id),
            lineage_id: Uuid::from_u128(7),
            start_id: None,
            seq: n,
            timestamp_ns: n * 10,
            duration_ns: None,
            error: None,
            payload: Payload::default(),
            unknown: Default::default(),
        }
    }

    /// The same events through the queue, processed in bursts of every length up to and
    /// past the cap, as a store pushed one at a time: the same events, indexes and times.
    #[test]
    fn queued_then_processed_equals_pushed() {
        for cap in [1usize, 3, 16, 40] {
            for burst in [1usize, 2, 5, 17, 41, 100] {
                let mut queued = EventStore::bounded(cap, Duplicates::KeepLatest);
                let mut pushed = EventStore::bounded(cap, Duplicates::KeepLatest);
                let root = Uuid::from_u128(999);
                let mut n = 0;
                for round in 0..7 {
                    let size = burst + round % 3;
                    for _ in 0..size {
                        let parent = (n % 2 == 1).then_some(root);
                        let e = event(n, parent);
                        let r = queued.encode_event(&e);
                        queued.append_pending(r);
                        pushed.push_event(&e, n * 10 + 5);
                        n += 1;
                    }
                    assert_eq!(queued.pending(), size);
                    let mut t = n - size as u64;
                    while queued.pending() > 0 {
                        let front = queued.pending_front_at().map(|(p, r)| queued.seq(p, r));
                        assert_eq!(front, Some(t));
                        queued.process_pending(t * 10 + 5);
                        t += 1;
                    }
                    queued.catch_up_ids();
                    queued.check_indexes().unwrap();
                    let a: Vec<Event> = queued.events().collect();
                    let b: Vec<Event> = pushed.events().collect();
                    assert_eq!(a, b, "cap {cap}, burst {burst}, round {round}");
                    assert_eq!(queued.positions(), pushed.positions());
                    let ca: Vec<u64> = queued.child_positions(&root).collect();
                    let cb: Vec<u64> = pushed.child_positions(&root).collect();
                    assert_eq!(ca, cb);
                    for p in queued.positions() {
                        assert_eq!(queued.processed_ns_at(p), pushed.processed_ns_at(p));
                    }
                }
            }
        }
    }

    /// Queued records are not held: no read, count or index sees them until processed, and
    /// queuing never evicts a held event.
    #[test]
    fn queued_records_are_not_held() {
        let mut s = EventStore::bounded(4, Duplicates::KeepLatest);
        for n in 0..4 {
            s.push_event(&event(n, None), 1);
        }
        for n in 4..20 {
            let r = s.encode_event(&event(n, None));
            s.append_pending(r);
        }
        assert_eq!(s.len(), 4);
        assert_eq!(s.pending(), 16);
        assert_eq!(s.positions(), 0..4);
        s.catch_up_ids();
        assert_eq!(s.position_of(&event(5, None).id), None);
        assert!(s.get(&event(0, None).id).is_some());
        s.check_indexes().unwrap();
        s.process_pending(100);
        s.catch_up_ids();
        assert_eq!(s.positions(), 1..5);
        assert_eq!(s.position_of(&event(4, None).id), Some(4));
        assert_eq!(s.get(&event(0, None).id), None);
        // A cap changed while records are queued keeps them queued, in order.
        s.set_capacity(2);
        assert_eq!(s.positions(), 3..5);
        assert_eq!(s.pending(), 15);
        while s.pending() > 0 {
            s.process_pending(100);
        }
        let seqs: Vec<u64> = s.events().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![18, 19]);
        s.catch_up_ids();
        s.check_indexes().unwrap();
    }
}
