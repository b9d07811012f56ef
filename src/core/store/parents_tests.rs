//! Parent ids are kept once in the parents table and end events name a start that is a
//! parent by its entry there (`parents.rs`, `record.rs`): these tests hold every id exact
//! while the events naming it come and go, and the table empty once they are gone.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::event::{Event, Payload, Phase};

/// One call three levels deep, as the wrapper emits it: starts outside in, then ends inside
/// out, each end a sibling of its start naming it.
fn call() -> Vec<Event> {
    let s1 = Event::root("processing", Phase::Started);
    let s2 = Event::child_of(&s1, "processing", Phase::Started);
    let s3 = Event::child_of(&s2, "processing", Phase::Started);
    let end = |start: &Event| {
        let mut e = Event::child_of(start, "processed", Phase::Completed);
        e.parent_id = start.parent_id;
        e.start_id = Some(start.id);
        e.duration_ns = Some(5);
        e.payload = Payload::process("p").with("ok", true);
        e
    };
    let (e3, e2, e1) = (end(&s3), end(&s2), end(&s1));
    vec![s1, s2, s3, e3, e2, e1]
}

#[test]
fn an_end_names_its_start_exactly_after_the_start_was_evicted() {
    let mut s = EventStore::bounded(3, Duplicates::KeepLatest);
    let events = call();
    for e in &events {
        s.push_event(e, 0);
        s.check_indexes().unwrap();
    }
    // Held: the three ends; their starts are gone, two of them named through the table.
    for (pos, e) in (3..6).zip(&events[3..]) {
        assert_eq!(s.event(pos).as_ref(), Some(e), "at {pos}");
        assert_eq!(s.start_id_at(pos), e.start_id);
    }
    let by_ref = |pos| s.record(pos).unwrap().flags & record::START_REF != 0;
    assert!(
        !by_ref(3),
        "the innermost start has no children: not referenced"
    );
    assert_ne!(
        s.record(3).unwrap().flags & record::START_PREV,
        0,
        "the innermost end follows its start: named as the event before it"
    );
    assert!(
        by_ref(4) && by_ref(5),
        "the outer starts are parents: referenced"
    );
    // The starts are gone; their ends still name them and are still listed as children.
    let kids: Vec<u64> = s.child_positions(&events[0].id).collect();
    assert_eq!(kids, vec![4], "E2 is a child of S1");
    assert_eq!(s.parents().count(), 2);
    for _ in 0..3 {
        s.push_event(&Event::root("tick", Phase::Progress), 0);
    }
    assert_eq!(
        s.parents.len(),
        0,
        "every entry forgotten with the events naming it"
    );
    s.check_indexes().unwrap();
}

#[test]
fn many_calls_come_back_exact_and_the_table_stays_as_flat_as_the_history() {
    let mut s = EventStore::bounded(60, Duplicates::KeepLatest);
    let mut all = EventStore::unbounded();
    let mut recent = std::collections::VecDeque::new();
    for _ in 0..500 {
        for e in call() {
            s.push_event(&e, 0);
            all.push_event(&e, 0);
            recent.push_back(e);
            if recent.len() > 60 {
                recent.pop_front();
            }
        }
        // Two parents per call, ten calls held and one arriving.
        assert!(s.parents.len() <= 22, "{} entries", s.parents.len());
    }
    s.check_indexes().unwrap();
    all.check_indexes().unwrap();
    assert_eq!(s.events().collect::<Vec<_>>(), Vec::from(recent));
    let first = call();
    for e in &first {
        all.push_event(e, 0);
    }
    let s1 = all.position_of(&first[0].id).unwrap();
    let kids: Vec<u64> = all.child_positions(&first[0].id).collect();
    assert_eq!(kids, vec![s1 + 1, s1 + 4], "S2 and E2, in order");
    assert_eq!(all.parents.len(), 2 * 501);
}

/// An entry names its parent's record by slot (`parent_slots.rs`): the id is read from the
/// slot after the parent is evicted, moves into the table only when the slot is written
/// again while a child still names the parent, and every child reads its parent exact
/// throughout: a ring written at once (a file's store) and one with room for a queue (a
/// bus's), laid out again in between.
#[test]
fn a_parent_named_by_its_slot_is_read_exact_after_its_eviction_and_its_slot_reused() {
    // At once: a cap of 4 writes the slot of each evicted event with the next one.
    let mut s = EventStore::bounded(4, Duplicates::KeepLatest);
    let mut pushed = Vec::new();
    for _ in 0..5 {
        for e in call() {
            s.push_event(&e, 0);
            pushed.push(e);
            for pos in s.positions() {
                assert_eq!(s.event(pos).as_ref(), Some(&pushed[pos as usize]));
            }
            s.check_indexes().unwrap();
        }
    }
    assert!(
        !s.parents.ids.is_empty(),
        "ids moved when slots were written at once"
    );
    // Through a queue: the ring has room past the history, so slots are written again
    // long after their events left, and their entries with them.
    let mut q = EventStore::bounded(6, Duplicates::KeepLatest);
    let mut pushed = Vec::new();
    for round in 0..40 {
        for e in call() {
            let r = q.encode_event(&e);
            q.append_pending(r);
            pushed.push(e);
        }
        if round % 4 == 3 {
            while q.pending() > 0 {
                q.process_pending(1);
                q.catch_up_ids();
                for pos in q.positions() {
                    assert_eq!(q.event(pos).as_ref(), Some(&pushed[pos as usize]));
                }
                q.check_indexes().unwrap();
            }
        }
    }
    assert_eq!(
        q.parents.ids.len(),
        0,
        "no id moved: no slot was written while a child named its parent"
    );
    // Laid out again with fewer slots: the ids of evicted parents still named move.
    for e in call() {
        let r = q.encode_event(&e);
        q.append_pending(r);
        pushed.push(e);
    }
    q.process_pending(1);
    q.process_pending(1);
    q.set_capacity(5);
    while q.pending() > 0 {
        q.process_pending(1);
    }
    q.catch_up_ids();
    for pos in q.positions() {
        assert_eq!(q.event(pos).as_ref(), Some(&pushed[pos as usize]));
    }
    q.check_indexes().unwrap();
}

// The table alone, without a store: ids kept once, entries reused, the id table flat.

#[test]
fn an_id_is_kept_once_while_named_and_its_entry_reused_after() {
    let mut t = parents::Parents::default();
    let no: &mut [record::Record] = &mut [];
    let none = parents::Newest { head: 0, used: 0 };
    let (a_id, b_id) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let a = t.acquire(a_id, no, none);
    let b = t.acquire(b_id, no, none);
    assert_eq!(t.acquire(a_id, no, none), a, "found again by its id");
    assert_ne!(a, b);
    assert_eq!((t.id(a, no), t.id(b, no)), (a_id, b_id));
    assert_eq!(t.append(a, 7), parents::NO_SLOT);
    assert_eq!(t.append(a, 9), 7);
    assert_eq!(t.list(a), (7, 9));
    t.drop_first(a, 9);
    t.drop_first(a, parents::NO_SLOT);
    assert_eq!(t.list(a), (parents::NO_SLOT, parents::NO_SLOT));
    t.release(a, no);
    t.release(a, no);
    assert_eq!(t.len(), 1);
    assert_eq!(t.find(&a_id, no), None, "forgotten with its last reference");
    let c = t.acquire(Uuid::from_u128(3), no, none);
    assert_eq!(c, a, "the freed entry is reused");
    t.release(b, no);
    t.release(c, no);
    assert_eq!(t.len(), 0);
    t.check(no).unwrap();
}

#[test]
fn the_id_table_keeps_its_size_while_parents_come_and_go() {
    let mut t = parents::Parents::default();
    let no: &mut [record::Record] = &mut [];
    let none = parents::Newest { head: 0, used: 0 };
    let mut held = std::collections::VecDeque::new();
    for n in 0..200_000u128 {
        held.push_back(t.acquire(Uuid::from_u128(n * 7919 + 1), no, none));
        if held.len() > 1_000 {
            t.release(held.pop_front().unwrap(), no);
        }
    }
    t.check(no).unwrap();
    // 1 000 live ids: 1 024 or 2 048 buckets of five bytes, not the doubling tombstones
    // bring.
    let bytes = t.by_id.allocation_size();
    assert!(bytes < 4_096 * 5, "{bytes} bytes");
}
