#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::json;

use super::*;
use crate::core::event::{Event, Payload, Phase};

fn rich(parent: Option<&Event>) -> Event {
    let mut e = match parent {
        Some(p) => Event::child_of(p, "processing", Phase::Started),
        None => Event::root("processing", Phase::Started),
    };
    e.payload = Payload::process("function_execution")
        .function("update_gpa")
        .with("n", u64::MAX)
        .with("neg", -5)
        .with("f", 1.5)
        .with("s", "text")
        .with("obj", json!({"a": [1, {"b": null}]}));
    e.payload.input_entity_ids.push(Uuid::from_u128(7));
    e.payload.entity_count = Some(3);
    e.duration_ns = Some(12_345);
    e.error = Some("disk full".into());
    e.start_id = Some(Uuid::from_u128(9));
    e.seq = 42;
    e.timestamp_ns = 1 << 40;
    e
}

#[test]
fn every_field_of_an_event_comes_back_from_its_record() {
    let mut s = EventStore::unbounded();
    let root = rich(None);
    let mut child = rich(Some(&root));
    child.kind = Kind::Owned("a kind read from a file".into());
    child.payload.function_name = None;
    s.push_event(&root, 5);
    s.push_event(&child, 6);
    assert_eq!(s.get(&root.id).unwrap(), root);
    assert_eq!(s.get(&child.id).unwrap(), child);
    assert_eq!(s.processed_ns_at(1), Some(6));
    assert_eq!(s.child_positions(&root.id).collect::<Vec<_>>(), vec![1]);
    s.check_indexes().unwrap();
}

#[test]
fn a_bounded_store_evicts_in_order_and_keeps_its_indexes_consistent() {
    let mut s = EventStore::bounded(10, Duplicates::KeepLatest);
    let root = Event::root("processing", Phase::Started);
    s.push_event(&root, 0);
    let kids: Vec<Event> = (0..50)
        .map(|_| Event::child_of(&root, "processing", Phase::Started))
        .collect();
    for k in &kids {
        s.push_event(k, 0);
        s.check_indexes().unwrap();
    }
    assert_eq!(s.len(), 10);
    assert_eq!(s.pruned(), 41);
    assert!(s.get(&root.id).is_none());
    let held: Vec<Uuid> = s
        .child_positions(&root.id)
        .map(|p| s.event(p).unwrap().id)
        .collect();
    assert_eq!(held, kids[40..].iter().map(|k| k.id).collect::<Vec<_>>());
    // Shrinking and growing the cap relays the ring out and keeps every link.
    s.set_capacity(4);
    s.check_indexes().unwrap();
    assert_eq!(s.child_positions(&root.id).count(), 4);
    s.set_capacity(100);
    for k in &kids[..20] {
        s.push_event(k, 0);
    }
    s.check_indexes().unwrap();
    assert_eq!(s.len(), 24);
    assert_eq!(
        s.trees.len(),
        1,
        "one (root, lineage) pair for the whole call"
    );
}

#[test]
fn duplicate_ids_follow_the_stores_policy() {
    let e = Event::root("processing", Phase::Started);
    let mut later = e.clone();
    later.seq = 9;
    for (policy, seq) in [(Duplicates::KeepLatest, 9), (Duplicates::KeepFirst, 0)] {
        let mut s = EventStore::bounded(10, policy);
        s.push_event(&e, 0);
        s.push_event(&later, 0);
        assert_eq!(s.duplicate_ids(), 1);
        assert_eq!(s.get(&e.id).unwrap().seq, seq);
        s.check_indexes().unwrap();
    }
}

#[test]
fn a_full_store_recycles_its_memory() {
    let mut s = EventStore::bounded(1_000, Duplicates::KeepLatest);
    let root = rich(None);
    // Warm-up: the id table settles at its size under delete/insert churn.
    for _ in 0..20_000 {
        s.push_event(&rich(Some(&root)), 0);
    }
    let warm = s.heap_bytes();
    for _ in 0..50_000 {
        s.push_event(&rich(Some(&root)), 0);
    }
    assert_eq!(
        s.heap_bytes(),
        warm,
        "nothing grows once the cap is reached"
    );
    s.check_indexes().unwrap();
}

#[test]
fn a_record_stays_small() {
    assert_eq!(std::mem::size_of::<Record>(), 52);
}

#[test]
fn a_full_history_keeps_its_indexes_and_records_at_the_size_the_cap_needs() {
    // Parents with two children each, as the pipeline's levels: both indexes see one insert
    // and one removal per event once the ring is full, forever.
    let cap = 20_000;
    let mut s = EventStore::bounded(cap, Duplicates::KeepLatest);
    let push_call = |s: &mut EventStore| {
        let root = Event::root("processing", Phase::Started);
        let child = Event::child_of(&root, "processing", Phase::Started);
        let grandchild = Event::child_of(&child, "processing", Phase::Started);
        for e in [&root, &child, &grandchild] {
            s.push_event(e, 0);
        }
    };
    for _ in 0..cap {
        push_call(&mut s);
    }
    let sizes = |s: &EventStore| s.heap_parts().map(|(name, bytes)| (name, bytes));
    let full = sizes(&s);
    for _ in 0..10 * cap {
        push_call(&mut s);
    }
    s.check_indexes().unwrap();
    let after = sizes(&s);
    for ((name, before), (_, now)) in full.iter().zip(after.iter()) {
        if matches!(*name, "records" | "events_by_id" | "children_by_parent") {
            assert_eq!(now, before, "{name} grew while the history was full");
        }
    }
    let record_bytes = full[0].1;
    assert_eq!(record_bytes, cap * std::mem::size_of::<Record>());
}

/// An event read from a file with what a typed event cannot hold: unknown members at the
/// top level and in the payload, and payload fields a `Value` would change.
fn hostile() -> Event {
    let id = "00000000-0000-4000-8000-000000000001";
    let text = format!(
        r#"{{"id":"{id}","kind":"k","phase":"started","root_id":"{id}","lineage_id":"{id}","seq":0,"timestamp_ns":0,"payload":{{"process_name":"p","extra":{{"ok":1.5,"big":123456789012345678901234567890,"x":1e400,"d":{{"a":1,"a":2}}}},"bar":{{"n":18446744073709551616}},"Baz":"Q"}},"foo":-9223372036854775809,"nested":{{"deep":[{{"z":-1e-400}}]}}}}"#
    );
    serde_json::from_str(&text).unwrap()
}

#[test]
fn unknown_members_and_values_kept_as_text_come_back_from_the_record() {
    let e = hostile();
    assert_eq!(e.unknown.len(), 2);
    assert_eq!(e.payload.unknown.len(), 2);
    assert_eq!(e.payload.extra.raw().len(), 3);
    let mut s = EventStore::unbounded();
    let pos = s.push_event(&e, 0);
    let back = s.event(pos).unwrap();
    assert_eq!(back, e);
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&e).unwrap()
    );
    // The payload's JSON written from the blob is serde_json's text of the payload.
    let mut json = Vec::new();
    let r = *s.record(pos).unwrap();
    super::payload_json::write_payload_json(&s, &r, &mut json);
    assert_eq!(
        String::from_utf8(json).unwrap(),
        serde_json::to_string(&e.payload).unwrap()
    );
}
/// An id whose halves fold to one value under `rotl(hi, 23) ^ lo`, the unseeded hash the
/// indexes used until 2026-12: `n` picks the high half, the low half follows from it.
fn same_fold_id(n: u64) -> Uuid {
    let hi = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    Uuid::from_u64_pair(hi, hi.rotate_left(23) ^ 0x6c69_6e65_6167_6521)
}

/// How many of `hashes` share the fullest bucket of a table of `buckets` (a power of two):
/// hashbrown picks the bucket from the low bits.
fn fullest_bucket(hashes: impl Iterator<Item = u64>, buckets: usize) -> usize {
    let mut load = vec![0usize; buckets];
    for h in hashes {
        load[h as usize & (buckets - 1)] += 1;
    }
    load.into_iter().max().unwrap_or(0)
}

#[test]
fn ids_chosen_to_share_one_fold_spread_over_the_buckets() {
    const N: u64 = 50_000;
    let fold = |id: Uuid| {
        let (hi, lo) = id.as_u64_pair();
        hi.rotate_left(23) ^ lo
    };
    assert!((0..2 * N).all(|n| fold(same_fold_id(n)) == fold(same_fold_id(0))));
    let mut s = EventStore::unbounded();
    for n in 0..N {
        let mut e = Event::root("processing", Phase::Started);
        e.id = same_fold_id(n);
        // Two children per chosen parent id, so `children_by_parent` is keyed by them too.
        e.parent_id = Some(same_fold_id(N + n / 2));
        assert_eq!(s.push_event(&e, 0), n);
    }
    s.check_indexes().unwrap();
    for n in (0..N).step_by(97) {
        assert_eq!(s.position_of(&same_fold_id(n)), Some(n));
        assert_eq!(s.child_positions(&same_fold_id(N + n / 2)).count(), 2);
    }
    let ids: Vec<Uuid> = (0..N).map(same_fold_id).collect();
    let hashes: std::collections::HashSet<u64> = ids.iter().map(|id| s.id_hash.hash(id)).collect();
    assert_eq!(hashes.len(), N as usize, "chosen ids share hash values");
    // Random keys at this load put at most a handful in one bucket; the unseeded fold put all
    // 50 000 in one.
    let buckets = (s.by_id.capacity() * 8 / 7).next_power_of_two();
    let fullest = fullest_bucket(hashes.iter().copied(), buckets);
    assert!(
        fullest <= 16,
        "{fullest} of {N} ids share one of {buckets} buckets"
    );
    let parents = (N..N + N / 2).map(|n| s.parents.hash(&same_fold_id(n)));
    let buckets = (s.parents.capacity() * 8 / 7).next_power_of_two();
    let fullest = fullest_bucket(parents, buckets);
    assert!(
        fullest <= 16,
        "{fullest} parents share one of {buckets} buckets"
    );
}

#[test]
fn two_stores_hash_the_same_id_apart() {
    let id = same_fold_id(1);
    let (a, b) = (EventStore::unbounded(), EventStore::unbounded());
    assert_ne!(a.id_hash.hash(&id), b.id_hash.hash(&id));
    assert_eq!(a.clone().id_hash.hash(&id), a.id_hash.hash(&id));
}

#[test]
fn room_reserved_up_front_is_used_without_growing_and_the_indexes_stay_whole() {
    let mut s = EventStore::unbounded();
    let root = Event::root("processing", Phase::Started);
    s.push_event(&root, 0);
    // Reserved on a store that holds events: they are indexed again, once.
    s.reserve(50_000);
    s.check_indexes().unwrap();
    let reserved = s.heap_parts();
    let mut parent = root.clone();
    for i in 0..50_000 {
        let e = Event::child_of(&parent, "processing", Phase::Started);
        s.push_event(&e, 0);
        if i % 2 == 0 {
            parent = e;
        }
    }
    s.check_indexes().unwrap();
    let [records, _, ids, children, ..] = reserved;
    let [records_after, _, ids_after, children_after, ..] = s.heap_parts();
    assert_eq!(records, records_after, "the record vector did not grow");
    assert_eq!(ids, ids_after, "events_by_id did not grow");
    assert_eq!(children, children_after, "children_by_parent did not grow");
    assert_eq!(s.position_of(&parent.id), Some(s.len() as u64 - 2));
    // A bounded store makes room up to its cap only.
    let mut capped = EventStore::bounded(10, Duplicates::KeepFirst);
    capped.reserve(1_000_000);
    assert!(capped.heap_parts()[0].1 <= 16 * std::mem::size_of::<Record>());
}

#[test]
fn room_for_parents_follows_the_share_of_parents_seen_so_far() {
    // A root and three children: a new parent every fourth event.
    let add = |s: &mut EventStore| {
        let root = Event::root("processing", Phase::Started);
        s.push_event(&root, 0);
        for _ in 0..3 {
            s.push_event(&Event::child_of(&root, "processing", Phase::Started), 0);
        }
    };
    let mut s = EventStore::unbounded();
    // No room for events before it is told: records, id index, parents and trees empty (the
    // symbols' fixed caches, a few KB, are no room for events).
    for (part, bytes) in s.heap_parts() {
        if part != "symbols" {
            assert!(
                bytes < 1024,
                "a file's store makes no room before it is told: {part} {bytes} B"
            );
        }
    }
    for _ in 0..2_000 {
        add(&mut s);
    }
    s.reserve(80_000);
    let children = s.heap_parts()[3].1;
    for _ in 0..20_000 {
        add(&mut s);
    }
    s.check_indexes().unwrap();
    assert_eq!(
        children,
        s.heap_parts()[3].1,
        "children_by_parent did not grow"
    );
    // Told before it has seen the trace's shape, it makes room for the most (half).
    let mut blind = EventStore::unbounded();
    add(&mut blind);
    blind.reserve(80_000);
    // In entries (16 bytes each since they name their parent's slot, so the id table, the
    // same 65 536 buckets in both, is too large a share of the bytes for a ratio of them).
    assert!(children < blind.heap_parts()[3].1, "{children}");
    let (room, blind_room) = (s.parents.entry_room(), blind.parents.entry_room());
    assert!(
        room < blind_room * 3 / 4,
        "{room} entries against {blind_room}"
    );
}
