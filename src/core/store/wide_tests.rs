//! The record keeps the emission number and the processing time in 32 bits (`record.rs`):
//! these tests hold the values that do not fit exact, through every path that writes,
//! rewrites or evicts them.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::core::event::{Event, Payload, Phase};

fn event(seq: u64, timestamp_ns: u64, start: Option<Uuid>) -> Event {
    let mut e = Event::root("processing", Phase::Completed);
    e.seq = seq;
    e.timestamp_ns = timestamp_ns;
    e.start_id = start;
    e.duration_ns = Some(7);
    e.payload = Payload::process("p").with("rows", 3).with("s", "text");
    e
}

#[test]
fn an_emission_number_beyond_32_bits_comes_back_exact_with_its_payload() {
    let mut s = EventStore::unbounded();
    let cases = [
        event(u64::from(u32::MAX) - 1, 1, None),
        event(u64::from(u32::MAX), 1, None),
        event(u64::MAX, 1, Some(Uuid::from_u128(9))),
        event(1 << 40, 1, Some(Uuid::from_u128(10))),
    ];
    for e in &cases {
        s.push_event(e, 0);
    }
    for (pos, e) in cases.iter().enumerate() {
        assert_eq!(s.seq_at(pos as u64), Some(e.seq));
        assert_eq!(s.start_id_at(pos as u64), e.start_id);
        assert_eq!(s.get(&e.id).as_ref(), Some(e));
    }
    s.check_indexes().unwrap();
}

#[test]
fn processing_times_a_lag_cannot_hold_come_back_exact() {
    let mut s = EventStore::unbounded();
    let ts = 1 << 40;
    let times = [
        0,                            // none (imported)
        ts,                           // lag 0
        ts + u64::from(u32::MAX) - 2, // the longest lag held in the record
        ts + u64::from(u32::MAX) - 1, // one more: in the late table
        ts - 1,                       // before the timestamp
        u64::MAX,                     // far after
    ];
    for &p in &times {
        s.push_event(&event(1, ts, None), p);
    }
    for (pos, &p) in times.iter().enumerate() {
        assert_eq!(s.processed_ns_at(pos as u64), Some(p), "at {pos}");
    }
    assert_eq!(s.late.len(), 3);
    // Rewritten both ways: a late time made short leaves the table, and back.
    s.set_processed_ns(3, ts + 5);
    s.set_processed_ns(1, ts - 2);
    assert_eq!(s.processed_ns_at(3), Some(ts + 5));
    assert_eq!(s.processed_ns_at(1), Some(ts - 2));
    assert_eq!(s.late.len(), 3);
}

#[test]
fn an_evicted_event_takes_its_late_time_with_it() {
    let mut s = EventStore::bounded(4, Duplicates::KeepLatest);
    for i in 0..40u64 {
        // Every other event processed "before" it was made: kept in the late table.
        let processed = if i % 2 == 0 { 1 } else { 100 + i };
        s.push_event(&event(i, 100, None), processed);
        assert!(
            s.late.len() <= 2,
            "{} late times for 4 events",
            s.late.len()
        );
    }
    for pos in s.positions() {
        let expected = if pos % 2 == 0 { 1 } else { 100 + pos };
        assert_eq!(s.processed_ns_at(pos), Some(expected));
    }
    s.set_capacity(1);
    assert_eq!(s.late.len(), 0, "the one held event has a short lag");
    assert!(s.evict_oldest_event());
    assert!(s.late.is_empty());
    s.check_indexes().unwrap();
}
