//! What a record no longer keeps because its position says it: the emission number (a run's
//! constant, `seqs.rs`) and an innermost end's start (the event before it, `START_PREV`).
//! These tests read every event held back equal to the event pushed, after every push,
//! through evictions at every cap from one event up, the bus's queue, and a relayout.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::record::{ENDED_NEXT, SEQ_WIDE, SEQ_ZERO, START_PREV};
use super::*;
use crate::core::event::{Event, Phase};

/// One call with a sub-call and a point event, as the bus emits them, numbered from `seq`:
/// start, sub-call start, sub-call end (its start is the event before), a point, the
/// call's end (its start has a child: by reference).
fn call(seq: &mut u64) -> Vec<Event> {
    let start = Event::root("call", Phase::Started);
    let sub = Event::child_of(&start, "step", Phase::Started);
    let mut sub_end = Event::child_of(&start, "step", Phase::Completed);
    sub_end.start_id = Some(sub.id);
    let point = Event::child_of(&start, "note", Phase::Progress);
    let mut end = Event::root("call", Phase::Completed);
    end.id = Uuid::new_v4();
    end.root_id = start.root_id;
    end.lineage_id = start.lineage_id;
    end.start_id = Some(start.id);
    let mut events = vec![start, sub, sub_end, point, end];
    for e in &mut events {
        *seq += 1;
        e.seq = *seq;
    }
    events
}

fn assert_held_equal(s: &EventStore, pushed: &[Event]) {
    for pos in s.positions() {
        assert_eq!(
            s.event(pos).as_ref(),
            Some(&pushed[pos as usize]),
            "at {pos}"
        );
        assert_eq!(s.seq_at(pos), Some(pushed[pos as usize].seq));
        assert_eq!(s.start_id_at(pos), pushed[pos as usize].start_id);
    }
    s.check_indexes().unwrap();
}

#[test]
fn an_innermost_end_names_its_start_through_every_eviction() {
    for cap in 1..=12 {
        let mut s = EventStore::bounded(cap, Duplicates::KeepLatest);
        let mut pushed = Vec::new();
        let mut seq = 0;
        for _ in 0..6 {
            for e in call(&mut seq) {
                s.push_event(&e, 0);
                pushed.push(e);
                assert_held_equal(&s, &pushed);
            }
        }
        // The sub-call's end kept nothing for its start; its start knew.
        let ends: Vec<u64> = s
            .records()
            .filter(|(_, r)| r.flags & START_PREV != 0)
            .map(|(p, _)| p)
            .collect();
        assert!(!ends.is_empty() || cap < 3, "cap {cap}");
        for p in ends.into_iter().filter(|&p| p > s.first_position()) {
            assert_ne!(s.record(p - 1).unwrap().flags & ENDED_NEXT, 0);
        }
        s.set_capacity(cap.div_ceil(2));
        assert_held_equal(&s, &pushed);
    }
}

#[test]
fn the_same_through_the_bus_queue() {
    for cap in 1..=8 {
        for burst in [1usize, 2, 3, 7] {
            let mut s = EventStore::bounded(cap, Duplicates::KeepLatest);
            let mut pushed = Vec::new();
            let mut seq = 0;
            for _ in 0..5 {
                for e in call(&mut seq) {
                    let r = s.encode_event(&e);
                    s.append_pending(r);
                    pushed.push(e);
                    if s.pending() >= burst {
                        while s.pending() > 0 {
                            let (pos, r) = s.pending_front_at().unwrap();
                            assert_eq!(s.decode(pos, r), pushed[pos as usize]);
                            s.process_pending(1);
                        }
                        s.catch_up_ids();
                        assert_held_equal(&s, &pushed);
                    }
                }
            }
        }
    }
}

#[test]
fn emission_numbers_come_back_exact_through_skips_zeros_and_disorder() {
    let seqs = [
        5,
        6,
        7,
        12, // numbers skipped (refused events)
        13,
        14,
        0, // imported without one
        0,
        15,
        3, // out of order
        16,
        u64::MAX,
        17,
        18,
        19,
    ];
    for cap in [1, 2, 3, 5, 100] {
        let mut s = EventStore::bounded(cap, Duplicates::KeepLatest);
        let mut pushed = Vec::new();
        for round in 0..4u64 {
            for &n in &seqs {
                let mut e = Event::root("tick", Phase::Progress);
                e.seq = if n == 0 || n == u64::MAX {
                    n
                } else {
                    n + round * 100
                };
                s.push_event(&e, 0);
                pushed.push(e);
                assert_held_equal(&s, &pushed);
                // Runs leave with their events: never more than one per event held.
                assert!(s.seqs.len() <= s.len() + 1, "{} runs", s.seqs.len());
            }
        }
    }
    // A bus's numbers in step: one run, no number kept in a record.
    let mut s = EventStore::bounded(50, Duplicates::KeepLatest);
    for n in 1..=500 {
        let mut e = Event::root("tick", Phase::Progress);
        e.seq = n;
        s.push_event(&e, 0);
    }
    assert_eq!(s.seqs.len(), 1);
    assert!(s
        .records()
        .all(|(_, r)| r.flags & (SEQ_WIDE | SEQ_ZERO) == 0));
}
