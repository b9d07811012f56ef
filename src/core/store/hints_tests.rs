//! A child's parent entry found through its frame's hint (`parent_hints.rs`): the entries
//! made that way are left out of `by_id` until something asks by id, and a hint that no
//! longer holds (its start evicted and its slot written again, the ring emptied or laid out
//! again, an entry made by hashing since) falls back to hashing. These tests queue events
//! the way the bus does (encode, `append_pending`, `process_pending`) with the hints the
//! wrapper passes.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::event::{Event, Payload, Phase};

/// Queues `e` the way the bus's wrapper does, with the hints of its parent's and its
/// start's records; returns the hint of its own.
fn queue(s: &mut EventStore, e: &Event, parent: ParentHint, start: ParentHint) -> ParentHint {
    let header = Header {
        parent_hint: parent,
        start_hint: start,
        ..Header::of_event(e)
    };
    let r = s.encode(&header, &e.payload);
    s.append_pending(r);
    s.queued_hint()
}

fn process_all(s: &mut EventStore) {
    while s.pending() > 0 {
        s.process_pending(1);
    }
}

fn end_of(start: &Event) -> Event {
    let mut e = Event::child_of(start, "processed", Phase::Completed);
    e.parent_id = start.parent_id;
    e.start_id = Some(start.id);
    e.duration_ns = Some(1);
    e.payload = Payload::process("p");
    e
}

/// One call two levels deep, queued with hints as the wrapper queues it: the outer start
/// `a` (whose hint is returned with it), its child's start and end, and `a`'s end queued
/// only if `close`.
fn call(s: &mut EventStore, close: bool) -> (Event, ParentHint) {
    let a = Event::root("processing", Phase::Started);
    let at_a = queue(s, &a, ParentHint::NONE, ParentHint::NONE);
    let b = Event::child_of(&a, "processing", Phase::Started);
    let at_b = queue(s, &b, at_a, ParentHint::NONE);
    queue(s, &end_of(&b), at_a, at_b);
    if close {
        queue(s, &end_of(&a), ParentHint::NONE, at_a);
    }
    (a, at_a)
}

#[test]
fn hinted_parents_are_left_unindexed_and_found_by_id_when_asked() {
    let mut s = EventStore::bounded(1_000, Duplicates::KeepLatest);
    let calls: Vec<Event> = (0..50).map(|_| call(&mut s, true).0).collect();
    process_all(&mut s);
    assert_eq!(s.parents.len(), 50);
    assert_eq!(
        s.parents.unindexed_count(),
        50,
        "every parent of a hinted child made without hashing"
    );
    // A read through `&self` finds them before anything indexed them...
    for (i, a) in calls.iter().enumerate() {
        let kids: Vec<u64> = s.child_positions(&a.id).collect();
        let first = 4 * i as u64;
        assert_eq!(kids, vec![first + 1, first + 2], "call {i}");
    }
    // ...and the bus's catch-up before a read indexes them.
    s.catch_up_ids();
    assert_eq!(s.parents.unindexed_count(), 0);
    s.check_indexes().unwrap();
    for (i, a) in calls.iter().enumerate() {
        let first = 4 * i as u64;
        assert_eq!(s.child_positions(&a.id).count(), 2);
        assert_eq!(s.event(first + 3).unwrap().start_id, Some(a.id));
    }
}

#[test]
fn a_bare_id_child_after_hinted_ones_finds_the_same_entry() {
    let mut s = EventStore::bounded(1_000, Duplicates::KeepLatest);
    let (a, at_a) = call(&mut s, false);
    assert_eq!(s.parents.unindexed_count(), 1);
    // `emit()` of an event naming `a` by its id only (a file's order, a user's event).
    let note = Event::child_of(&a, "note", Phase::Progress);
    let r = s.encode_event(&note);
    s.append_pending(r);
    assert_eq!(s.parents.len(), 1, "the hashed path found the hinted entry");
    // A hinted child after it still lands in the one entry.
    let c = Event::child_of(&a, "processing", Phase::Started);
    queue(&mut s, &c, at_a, ParentHint::NONE);
    queue(&mut s, &end_of(&a), ParentHint::NONE, at_a);
    process_all(&mut s);
    assert_eq!(s.parents.len(), 1);
    s.catch_up_ids();
    s.check_indexes().unwrap();
    assert_eq!(s.child_positions(&a.id).count(), 4);
    assert_eq!(s.event(5).unwrap().start_id, Some(a.id));
}

#[test]
fn a_hint_made_before_a_hashed_entry_of_its_parent_is_not_trusted() {
    let mut s = EventStore::bounded(1_000, Duplicates::KeepLatest);
    let a = Event::root("processing", Phase::Started);
    let at_a = queue(&mut s, &a, ParentHint::NONE, ParentHint::NONE);
    // Something else is queued, then a bare-id child of `a`: `a` is not the newest record,
    // so its entry keeps `a`'s id itself and the record does not know.
    let tick = Event::root("tick", Phase::Progress);
    queue(&mut s, &tick, ParentHint::NONE, ParentHint::NONE);
    let r = s.encode_event(&Event::child_of(&a, "note", Phase::Progress));
    s.append_pending(r);
    // And a child of another parent, so the table's last-asked entry is not `a`'s.
    let r = s.encode_event(&Event::child_of(&tick, "note", Phase::Progress));
    s.append_pending(r);
    assert_eq!(s.parents.len(), 2);
    // The hint still points at `a`'s record, which has no `PARENT_NAMED`: only the era
    // says an entry was made since, and the child must not make a second one.
    let c = Event::child_of(&a, "processing", Phase::Started);
    queue(&mut s, &c, at_a, ParentHint::NONE);
    process_all(&mut s);
    assert_eq!(s.parents.len(), 2, "one entry per parent id");
    s.catch_up_ids();
    s.check_indexes().unwrap();
    assert_eq!(s.child_positions(&a.id).collect::<Vec<_>>(), vec![2, 4]);
}

#[test]
fn a_hint_whose_start_was_evicted_and_its_slot_written_again_falls_back() {
    let mut s = EventStore::bounded(8, Duplicates::KeepLatest);
    let (a, at_a) = call(&mut s, true);
    process_all(&mut s);
    // Turn the ring over: `a`'s slot now holds another event.
    for _ in 0..20 {
        call(&mut s, true);
        process_all(&mut s);
    }
    // A frame copied out of `a`'s operation and used now.
    let late = Event::child_of(&a, "processing", Phase::Started);
    queue(&mut s, &late, at_a, ParentHint::NONE);
    process_all(&mut s);
    let pos = s.first_position() + s.len() as u64 - 1;
    assert_eq!(s.event(pos).unwrap().parent_id, Some(a.id), "named exactly");
    s.catch_up_ids();
    s.check_indexes().unwrap();
    assert_eq!(s.child_positions(&a.id).collect::<Vec<_>>(), vec![pos]);
}

#[test]
fn a_hint_into_an_emptied_or_laid_out_ring_falls_back() {
    for relayout in [false, true] {
        // A ring of 16 that has wrapped: `a` at position 20, slot 4.
        let mut s = EventStore::bounded(16, Duplicates::KeepLatest);
        for _ in 0..5 {
            call(&mut s, true);
            process_all(&mut s);
        }
        let (a, at_a) = call(&mut s, false);
        process_all(&mut s);
        if relayout {
            // Laid out again from slot 0: `a` moves, the hint's slot holds another event.
            s.set_capacity(30);
        } else {
            // Emptied: the ring starts again from slot 0 with other events.
            s.set_capacity(1);
            while s.evict_oldest_event() {}
            s.set_capacity(16);
            for _ in 0..3 {
                call(&mut s, true);
                process_all(&mut s);
            }
        }
        let late = Event::child_of(&a, "processing", Phase::Started);
        queue(&mut s, &late, at_a, ParentHint::NONE);
        queue(&mut s, &end_of(&a), ParentHint::NONE, at_a);
        process_all(&mut s);
        let newest = s.first_position() + s.len() as u64 - 1;
        let late_at = newest - 1;
        assert_eq!(s.event(late_at).unwrap().parent_id, Some(a.id));
        assert_eq!(s.event(newest).unwrap().start_id, Some(a.id));
        s.catch_up_ids();
        s.check_indexes().unwrap();
        let kids: Vec<u64> = s.child_positions(&a.id).collect();
        assert_eq!(kids.last(), Some(&late_at), "relayout {relayout}");
    }
}

#[test]
fn a_hint_from_another_store_is_not_taken() {
    let mut one = EventStore::bounded(100, Duplicates::KeepLatest);
    let mut two = EventStore::bounded(100, Duplicates::KeepLatest);
    let (a, at_a) = call(&mut one, false);
    // The same slot in the other store holds another event.
    call(&mut two, true);
    let c = Event::child_of(&a, "processing", Phase::Started);
    queue(&mut two, &c, at_a, ParentHint::NONE);
    process_all(&mut one);
    process_all(&mut two);
    assert_eq!(two.event(4).unwrap().parent_id, Some(a.id));
    two.catch_up_ids();
    two.check_indexes().unwrap();
    assert_eq!(two.child_positions(&a.id).collect::<Vec<_>>(), vec![4]);
}
