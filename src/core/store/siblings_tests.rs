//! A record names its next sibling by how many ring slots further on it is, in 16 bits
//! (`Record::next_sibling`); siblings further apart are kept in `far_siblings`. These tests
//! put siblings on both sides of that limit, through the ring's wrap, an eviction and a
//! relayout, and hold the child lists equal to the children pushed.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::record::FAR_SIBLING;
use super::*;
use crate::core::event::{Event, Phase};

const FAR: usize = FAR_SIBLING as usize;

#[test]
fn siblings_far_apart_are_listed_in_order_and_forgotten_with_their_events() {
    let mut s = EventStore::bounded(FAR + 40, Duplicates::KeepLatest);
    let parent = Event::root("call", Phase::Started);
    let other = Event::root("other", Phase::Started);
    let child = |p: &Event| Event::child_of(p, "step", Phase::Progress);
    // Children of `parent` at 1, 2 (near), FAR + 3 (far from 2) and FAR + 4 (near).
    let mut kids = Vec::new();
    let push = |s: &mut EventStore, e: &Event| s.push_event(e, 0);
    push(&mut s, &parent);
    for _ in 0..2 {
        let k = child(&parent);
        kids.push(push(&mut s, &k));
    }
    for _ in 0..FAR {
        push(&mut s, &child(&other));
    }
    for _ in 0..2 {
        let k = child(&parent);
        kids.push(push(&mut s, &k));
    }
    s.check_indexes().unwrap();
    assert_eq!(
        s.far_siblings.len(),
        1,
        "one pair of siblings is too far apart"
    );
    let listed: Vec<u64> = s.child_positions(&parent.id).collect();
    assert_eq!(listed, kids);
    // The ring wraps: the first children are evicted, the far link with them.
    for _ in 0..50 {
        push(&mut s, &child(&other));
    }
    s.check_indexes().unwrap();
    let listed: Vec<u64> = s.child_positions(&parent.id).collect();
    assert_eq!(listed, &kids[2..]);
    assert!(
        s.far_siblings.is_empty(),
        "the far link left with its child"
    );
    // A far pair across the wrap, then laid out again by a new cap.
    let k = child(&parent);
    kids.push(push(&mut s, &k));
    for _ in 0..FAR {
        push(&mut s, &child(&other));
    }
    let k = child(&parent);
    let last = push(&mut s, &k);
    kids.push(last);
    s.check_indexes().unwrap();
    let held: Vec<u64> = kids
        .iter()
        .copied()
        .filter(|&p| p >= s.first_position())
        .collect();
    let listed: Vec<u64> = s.child_positions(&parent.id).collect();
    assert_eq!(listed, held);
    assert_eq!(s.far_siblings.len(), 1);
    s.set_capacity(FAR + 20);
    s.check_indexes().unwrap();
    let listed: Vec<u64> = s.child_positions(&parent.id).collect();
    let held: Vec<u64> = held
        .into_iter()
        .filter(|&p| p >= s.first_position())
        .collect();
    assert_eq!(listed, held);
    assert_eq!(listed.last(), Some(&last));
}
