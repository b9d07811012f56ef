//! # Pairing two runs' operations
//!
//! [`pair`] gives each of A's operations its partner in B, if any: by id first (the same
//! start event on both sides), then by name and input entity (the same call on the same
//! entity: what aligns a sampled run, which kept only some operations, with a full one of
//! the same seed), then by name and order among the rest (the k-th `aexecute` left in A with
//! the k-th left in B). [`merge`] then lays out one list: A's operations in
//! their order, each B-only operation right after the aligned operation that precedes it in
//! B, so a newcomer on B shows where it happened.

use std::collections::{HashMap, VecDeque};

use super::op::{OpDiff, PairedBy, Presence};
use super::operations::Operations;

/// For each of A's operations (by index), its partner in B and how they were paired.
pub(super) type Pairs = Vec<Option<(usize, PairedBy)>>;

/// Pairs A's operations with B's; see the module docs.
pub(super) fn pair(a: &Operations<'_>, b: &Operations<'_>) -> Pairs {
    let mut pairs: Pairs = vec![None; a.roots.len()];
    let mut taken_b = vec![false; b.roots.len()];
    by_id(a, b, &mut pairs, &mut taken_b);
    by_name_and_entity(a, b, &mut pairs, &mut taken_b);
    by_name_and_order(a, b, &mut pairs, &mut taken_b);
    pairs
}

/// A root whose start event has the same id on both sides is the same operation.
fn by_id(a: &Operations<'_>, b: &Operations<'_>, pairs: &mut Pairs, taken_b: &mut [bool]) {
    let b_by_id: HashMap<uuid::Uuid, usize> =
        (0..b.roots.len()).map(|kb| (b.start_id(kb), kb)).collect();
    for (k, pair) in pairs.iter_mut().enumerate() {
        if let Some(&kb) = b_by_id.get(&a.start_id(k)) {
            if !taken_b[kb] {
                *pair = Some((kb, PairedBy::Id));
                taken_b[kb] = true;
            }
        }
    }
}

/// Among the operations not paired by id, the k-th of a name and input entity in A pairs with
/// the k-th of that name and entity in B. Operations without an input entity are left to
/// [`by_name_and_order`].
fn by_name_and_entity(
    a: &Operations<'_>,
    b: &Operations<'_>,
    pairs: &mut Pairs,
    taken_b: &mut [bool],
) {
    let mut queues: HashMap<(&str, uuid::Uuid), VecDeque<usize>> = HashMap::new();
    for (kb, name) in b.names.iter().enumerate() {
        if let (false, Some(entity)) = (taken_b[kb], b.input_entity(kb)) {
            queues
                .entry((name.as_str(), entity))
                .or_default()
                .push_back(kb);
        }
    }
    if queues.is_empty() {
        return;
    }
    for (k, name) in a.names.iter().enumerate() {
        if pairs[k].is_some() {
            continue;
        }
        let Some(entity) = a.input_entity(k) else {
            continue;
        };
        if let Some(kb) = queues
            .get_mut(&(name.as_str(), entity))
            .and_then(VecDeque::pop_front)
        {
            pairs[k] = Some((kb, PairedBy::NameAndEntity));
            taken_b[kb] = true;
        }
    }
}

/// Among the operations not paired by id, the k-th of a name in A pairs with the k-th of
/// that name in B (emission order).
fn by_name_and_order(
    a: &Operations<'_>,
    b: &Operations<'_>,
    pairs: &mut Pairs,
    taken_b: &mut [bool],
) {
    let mut queues: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (kb, name) in b.names.iter().enumerate() {
        if !taken_b[kb] {
            queues.entry(name.as_str()).or_default().push_back(kb);
        }
    }
    for (k, name) in a.names.iter().enumerate() {
        if pairs[k].is_some() {
            continue;
        }
        if let Some(kb) = queues.get_mut(name.as_str()).and_then(VecDeque::pop_front) {
            pairs[k] = Some((kb, PairedBy::NameAndOrder));
            taken_b[kb] = true;
        }
    }
}

/// One list of every operation of either side: A's order, each B-only operation after the
/// entry of the B operation before it.
pub(super) fn merge(a: &Operations<'_>, b: &Operations<'_>, pairs: &Pairs) -> Vec<OpDiff> {
    let b_only_after = b_only_slots(b.roots.len(), pairs);
    let mut ops =
        Vec::with_capacity(a.roots.len() + b_only_after.iter().map(Vec::len).sum::<usize>());
    let only_b = |kb: usize| OpDiff {
        name: b.names[kb].clone(),
        occurrence: b.occurrence[kb],
        presence: Presence::OnlyB,
        paired_by: None,
        a: None,
        b: Some(b.side(kb)),
    };
    ops.extend(b_only_after[0].iter().map(|&kb| only_b(kb)));
    for (k, p) in pairs.iter().enumerate() {
        ops.push(OpDiff {
            name: a.names[k].clone(),
            occurrence: a.occurrence[k],
            presence: if p.is_some() {
                Presence::Both
            } else {
                Presence::OnlyA
            },
            paired_by: p.map(|(_, by)| by),
            a: Some(a.side(k)),
            b: p.map(|(kb, _)| b.side(kb)),
        });
        ops.extend(b_only_after[k + 1].iter().map(|&kb| only_b(kb)));
    }
    ops
}

/// B's unpaired operations by slot: slot 0 before every A operation, slot `k + 1` after A's
/// operation `k` (the last paired B operation before them is paired with it).
fn b_only_slots(b_len: usize, pairs: &Pairs) -> Vec<Vec<usize>> {
    let mut paired_with: Vec<Option<usize>> = vec![None; b_len];
    for (k, p) in pairs.iter().enumerate() {
        if let Some((kb, _)) = p {
            paired_with[*kb] = Some(k);
        }
    }
    let mut slots: Vec<Vec<usize>> = vec![Vec::new(); pairs.len() + 1];
    let mut anchor = 0;
    for (kb, paired) in paired_with.iter().enumerate() {
        match *paired {
            Some(k) => anchor = k + 1,
            None => slots[anchor].push(kb),
        }
    }
    slots
}
