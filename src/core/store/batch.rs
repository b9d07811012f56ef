//! # Making a run of queued records held at once
//!
//! While nobody subscribes, the bus's processor has no handler to await between two events,
//! so it records what is queued in batches (`core::bus::processor`). Made held one at a time
//! ([`EventStore::process_pending`]), each record re-derived what the one before it had
//! just derived: whether the store is full, where the first queued record is, its slot and
//! position, and, for the eviction that makes room, where the oldest is, whether its id was
//! indexed and which runs of emission numbers it leaves behind.
//! [`EventStore::process_pending_run`] derives them once for a run of records.
//!
//! A run that makes room evicts every event it has to first, then appends its records. One
//! at a time, evictions and appends alternate; the state they leave is the same, because
//! each record queued already holds what eviction could take from under it: a reference to
//! its parent's entry and to its tree (taken when it was encoded), its own ring slot (no
//! slot is written while the run is made held) and its own arena bytes. A child list
//! emptied by the eviction of its last child and then appended to ends as the same one-child
//! list as one appended to and then stripped of its first child. Only a run longer than the
//! room the held events leave would evict its own records; it goes one record at a time.

use super::record::NO_SIBLING;
use super::write::wrap;
use super::EventStore;
use crate::core::event::Phase;
use crate::core::store::symbols::Sym;

impl EventStore {
    /// Makes the first `n` queued records held, every one stamped `processed_ns`, and tells
    /// `each` of every one in order: its emission number, phase and kind. The same as `n`
    /// calls of [`process_pending`](Self::process_pending) (the module docs say why).
    #[inline]
    pub(crate) fn process_pending_run(
        &mut self,
        n: usize,
        processed_ns: u64,
        mut each: impl FnMut(u64, Phase, Sym),
    ) {
        assert!(
            n <= self.pending,
            "fewer records are waiting to be processed"
        );
        let evicted = (self.len + n).saturating_sub(self.capacity);
        if evicted > self.len {
            return self.process_pending_one_by_one(n, processed_ns, &mut each);
        }
        self.evict_heads(evicted);
        let ring = self.records.len();
        let mut slot = wrap(self.head + self.len, ring);
        let mut pos = self.base + self.len as u64;
        // A counter beside the slot, not `for pos in a..b`: the range measured 3 instructions
        // an event more (callgrind, branch `procbatch`).
        #[allow(clippy::explicit_counter_loop)]
        for _ in 0..n {
            let r = &self.records[slot];
            let (seq, phase, kind) = (self.seq(pos, r), r.phase, self.kind_sym(r));
            let lag = self.lag_at(pos, r.timestamp_ns, processed_ns);
            let r = &mut self.records[slot];
            r.lag = lag;
            r.next_sibling = NO_SIBLING;
            // Its id waits for a read (`catch_up_ids`); its parent's child list does not.
            self.link_child(slot as u32);
            each(seq, phase, kind);
            slot = if slot + 1 == ring { 0 } else { slot + 1 };
            pos += 1;
        }
        self.len += n;
        self.pending -= n;
    }

    /// A run longer than the room the held events leave: one record at a time, as
    /// [`process_pending`](Self::process_pending) evicts (a history of a few events).
    #[cold]
    #[inline(never)]
    fn process_pending_one_by_one(
        &mut self,
        n: usize,
        processed_ns: u64,
        each: &mut dyn FnMut(u64, Phase, Sym),
    ) {
        for _ in 0..n {
            let (pos, r) = self.pending_front_at().expect("queued");
            let (seq, phase, kind) = (self.seq(pos, r), r.phase, self.kind_sym(r));
            self.process_pending(processed_ns);
            each(seq, phase, kind);
        }
    }

    /// Evicts the `k` oldest events of a store that holds at least `k`: what `k` calls of
    /// `evict_head` do, with the ring's head, `len`, `base`, the runs of emission numbers and
    /// `ids_to` moved on once.
    #[inline]
    fn evict_heads(&mut self, k: usize) {
        if k == 0 {
            return;
        }
        debug_assert!(k <= self.len, "evicting more than the store holds");
        let ring = self.records.len();
        let (mut slot, mut pos) = (self.head, self.base);
        #[allow(clippy::explicit_counter_loop)]
        for _ in 0..k {
            self.let_go(slot, pos);
            slot = if slot + 1 == ring { 0 } else { slot + 1 };
            pos += 1;
        }
        self.head = slot;
        self.len -= k;
        self.base = pos;
        self.seqs.evicted_to(pos);
        self.ids_to = self.ids_to.max(pos);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use uuid::Uuid;

    use crate::core::event::{Event, Payload, Phase};
    use crate::core::store::symbols::Sym;
    use crate::core::store::{Duplicates, EventStore};

    fn id(n: u64) -> Uuid {
        Uuid::from_u128(u128::from(n) + 1)
    }

    /// Event `n`: every other one a child of one root, every fourth the end of the event
    /// before it and every fourth another the end of one three back (the two ways an end
    /// names its start), numbered in step with its position except for skips, zeros and
    /// numbers out of order.
    fn event(n: u64) -> Event {
        let root = Uuid::from_u128(999);
        let parent = (n % 2 == 1).then_some(root);
        let start_id = match n % 4 {
            1 => Some(id(n - 1)),
            3 if n >= 3 => Some(id(n - 3)),
            _ => None,
        };
        let seq = match n % 13 {
            4 => 0,
            7 => n + 1_000,
            9 => n / 2,
            _ => n + 5 + n / 26,
        };
        Event {
            id: id(n),
            kind: ["a", "b", "c"][n as usize % 3].into(),
            phase: [Phase::Started, Phase::Completed, Phase::Pending][n as usize % 3],
            parent_id: parent,
            root_id: parent.unwrap_or(id(n)),
            lineage_id: Uuid::from_u128(7),
            start_id,
            seq,
            timestamp_ns: n * 10,
            duration_ns: None,
            error: None,
            payload: Payload::default(),
            unknown: Default::default(),
        }
    }

    /// When run `k` is processed: mostly after its events, sometimes before the newest
    /// of them (a processing time the record's lag cannot hold).
    fn stamp(k: u64, newest: u64) -> u64 {
        if k % 5 == 2 {
            1
        } else {
            newest * 10 + 5 + k
        }
    }

    /// Queued records made held in runs of every length up to and past the cap, against
    /// the same records made held one at a time: the same events, numbers, indexes, child
    /// lists and processing times, and the same (number, phase, kind) told in the same
    /// order. Ids are caught up after some bursts, so evictions take indexed ids out too.
    #[test]
    fn a_run_made_held_at_once_equals_its_records_made_held_one_at_a_time() {
        let root = Uuid::from_u128(999);
        for cap in [1usize, 3, 16, 40] {
            for run in [1usize, 2, 5, 32, 100] {
                let mut batched = EventStore::bounded(cap, Duplicates::KeepLatest);
                let mut single = EventStore::bounded(cap, Duplicates::KeepLatest);
                let (mut told_batched, mut told_single) = (Vec::new(), Vec::new());
                let mut n = 0;
                let mut k = 0;
                for round in 0..9u64 {
                    let size = 1 + (round as usize * 7 + run) % 45;
                    for _ in 0..size {
                        let e = event(n);
                        let r = batched.encode_event(&e);
                        batched.append_pending(r);
                        let r = single.encode_event(&e);
                        single.append_pending(r);
                        n += 1;
                    }
                    while batched.pending() > 0 {
                        let m = run.min(batched.pending());
                        let at = stamp(k, n);
                        batched.process_pending_run(m, at, |seq, phase, kind| {
                            told_batched.push((seq, phase, kind));
                        });
                        for _ in 0..m {
                            let (pos, r) = single.pending_front_at().expect("queued");
                            let told: (u64, Phase, Sym) =
                                (single.seq(pos, r), r.phase, single.kind_sym(r));
                            told_single.push(told);
                            single.process_pending(at);
                        }
                        k += 1;
                    }
                    assert_eq!(single.pending(), 0);
                    let at = format!("cap {cap}, run {run}, round {round}");
                    assert_eq!(told_batched, told_single, "{at}");
                    assert_eq!(batched.positions(), single.positions(), "{at}");
                    let a: Vec<Event> = batched.events().collect();
                    let b: Vec<Event> = single.events().collect();
                    assert_eq!(a, b, "{at}");
                    let ca: Vec<u64> = batched.child_positions(&root).collect();
                    let cb: Vec<u64> = single.child_positions(&root).collect();
                    assert_eq!(ca, cb, "{at}");
                    for p in batched.positions() {
                        assert_eq!(batched.processed_ns_at(p), single.processed_ns_at(p));
                    }
                    if round % 3 == 1 {
                        // Read by id now and then: the next evictions take indexed ids out.
                        batched.catch_up_ids();
                        single.catch_up_ids();
                        batched.check_indexes().unwrap();
                        single.check_indexes().unwrap();
                        for p in batched.positions() {
                            let e = batched.event(p).expect("held");
                            assert_eq!(batched.position_of(&e.id), Some(p), "{at}");
                        }
                    }
                }
                assert_eq!(told_batched.len() as u64, n);
            }
        }
    }
}
