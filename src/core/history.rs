//! # History and its indexes
//!
//! The processor appends every event to a bounded [`History`]: a ring of the most recent
//! `capacity` events, with two indexes the original keeps too, `events_by_id` and
//! `children_by_parent`.
//!
//! ## Why the indexes are pruned with the ring
//! The original bounds its history deque but never prunes `_events_by_id` and
//! `_children_by_parent`, so memory grows without limit. Here every eviction removes the event
//! from both indexes in O(1), so memory is flat once the cap is reached.
//!
//! ## Why children are intrusive links, not a `Vec` per parent
//! A `Vec` per parent is one allocation per operation and a cache miss per append (ANCHORS.md
//! measured 3–4× the cost). Instead each parent maps to the positions of its first and last
//! child, and each slot holds the position of its next sibling. Events are appended and evicted
//! in the same (processing) order, so the evicted child of a parent is always its first
//! remaining child: eviction just moves the list head along.
//!
//! Positions are absolute processing indexes (`u64`, never reused), so a stale link is
//! recognisable by comparison with the ring's base instead of needing a sweep.

use std::collections::VecDeque;

use uuid::Uuid;

use super::event::Event;
use super::ids::IdMap;

/// No next sibling.
const NONE: u64 = u64::MAX;

/// The default number of events kept, as in the original (`max_history=10000`).
pub const DEFAULT_CAPACITY: usize = 10_000;

#[derive(Clone, Debug)]
struct Slot {
    event: Event,
    processed_ns: u64,
    next_sibling: u64,
}

#[derive(Clone, Copy, Debug)]
struct ChildList {
    first: u64,
    last: u64,
}

/// A bounded, indexed record of processed events, oldest first.
#[derive(Clone, Debug)]
pub struct History {
    capacity: usize,
    slots: VecDeque<Slot>,
    /// Absolute position of `slots[0]`.
    base: u64,
    by_id: IdMap<u64>,
    children: IdMap<ChildList>,
    duplicate_ids: u64,
}

impl History {
    /// An empty history keeping at most `capacity` events (at least one).
    pub fn with_capacity(capacity: usize) -> History {
        let capacity = capacity.max(1);
        let reserve = capacity.min(1 << 16);
        History {
            capacity,
            slots: VecDeque::with_capacity(reserve),
            base: 0,
            by_id: IdMap::with_capacity_and_hasher(reserve, Default::default()),
            children: IdMap::with_capacity_and_hasher(reserve / 2, Default::default()),
            duplicate_ids: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// How many events were evicted to respect the cap.
    pub fn pruned(&self) -> u64 {
        self.base
    }

    /// How many events arrived with an id already present (imports can carry such).
    pub fn duplicate_ids(&self) -> u64 {
        self.duplicate_ids
    }

    /// Appends an event, evicting the oldest when full. Returns its absolute position.
    pub fn push(&mut self, event: Event, processed_ns: u64) -> u64 {
        if self.slots.len() == self.capacity {
            self.evict_oldest();
        }
        let pos = self.base + self.slots.len() as u64;
        if self.by_id.insert(event.id, pos).is_some() {
            self.duplicate_ids += 1;
        }
        if let Some(parent) = event.parent_id {
            match self.children.get_mut(&parent) {
                Some(list) => {
                    let last = list.last;
                    list.last = pos;
                    let idx = (last - self.base) as usize;
                    self.slots[idx].next_sibling = pos;
                }
                None => {
                    self.children.insert(
                        parent,
                        ChildList {
                            first: pos,
                            last: pos,
                        },
                    );
                }
            }
        }
        self.slots.push_back(Slot {
            event,
            processed_ns,
            next_sibling: NONE,
        });
        pos
    }

    fn evict_oldest(&mut self) {
        let Some(slot) = self.slots.front() else {
            return;
        };
        let (id, parent_id, next_sibling) =
            (slot.event.id, slot.event.parent_id, slot.next_sibling);
        // Dropped where it lies: `pop_front` would first copy the ~300-byte slot out.
        self.slots.drain(..1);
        let pos = self.base;
        self.base += 1;
        // Only drop the id entry if it still points here: a later duplicate may own it now.
        if self.by_id.get(&id) == Some(&pos) {
            self.by_id.remove(&id);
        }
        if let Some(parent) = parent_id {
            if let Some(list) = self.children.get_mut(&parent) {
                debug_assert_eq!(list.first, pos, "evicted child must head its list");
                if next_sibling == NONE {
                    self.children.remove(&parent);
                } else {
                    list.first = next_sibling;
                }
            }
        }
    }

    /// Changes the cap, evicting the oldest events if the history is now over it.
    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.slots.len() > self.capacity {
            self.evict_oldest();
        }
    }

    /// Forgets every event (the position counter keeps counting).
    pub fn clear(&mut self) {
        self.base += self.slots.len() as u64;
        self.slots.clear();
        self.by_id.clear();
        self.children.clear();
    }

    fn slot_at(&self, pos: u64) -> Option<&Slot> {
        pos.checked_sub(self.base)
            .and_then(|i| self.slots.get(i as usize))
    }

    /// The event with this id, if it is still in the history.
    pub fn get(&self, id: &Uuid) -> Option<&Event> {
        self.position_of(id)
            .and_then(|p| self.slot_at(p))
            .map(|s| &s.event)
    }

    /// The absolute processing position of an event still in the history.
    pub fn position_of(&self, id: &Uuid) -> Option<u64> {
        self.by_id.get(id).copied()
    }

    /// When the processor recorded the event at `pos` (bus clock, ns).
    pub fn processed_ns_at(&self, pos: u64) -> Option<u64> {
        self.slot_at(pos).map(|s| s.processed_ns)
    }

    /// The event at an absolute position.
    pub fn at(&self, pos: u64) -> Option<&Event> {
        self.slot_at(pos).map(|s| &s.event)
    }

    /// The children of `parent` still in the history, in processing order: the
    /// `children_by_parent` index. The parent itself need not be present.
    pub fn children(&self, parent: &Uuid) -> Children<'_> {
        Children {
            history: self,
            next: self.children.get(parent).map_or(NONE, |l| l.first),
        }
    }

    /// Ids that have at least one child in the history.
    pub fn parents(&self) -> impl Iterator<Item = &Uuid> {
        self.children.keys()
    }

    /// Events oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + ExactSizeIterator {
        self.slots.iter().map(|s| &s.event)
    }

    /// Events oldest first, with their position and processing time.
    pub fn records(&self) -> impl Iterator<Item = (u64, &Event, u64)> {
        self.slots
            .iter()
            .enumerate()
            .map(move |(i, s)| (self.base + i as u64, &s.event, s.processed_ns))
    }

    /// Checks that both indexes agree with the ring: every indexed id and every child link
    /// points at an event still held, and every held event is reachable. Returns the first
    /// inconsistency found. Tests and property tests call it after every run.
    pub fn check_indexes(&self) -> Result<(), String> {
        for (id, &pos) in &self.by_id {
            match self.slot_at(pos) {
                Some(s) if s.event.id == *id => {}
                _ => return Err(format!("events_by_id[{id}] points at {pos}, not held")),
            }
        }
        let mut linked = 0usize;
        for (parent, list) in &self.children {
            let mut pos = list.first;
            let mut last = NONE;
            while pos != NONE {
                let Some(slot) = self.slot_at(pos) else {
                    return Err(format!("children_by_parent[{parent}] has dangling {pos}"));
                };
                if slot.event.parent_id != Some(*parent) {
                    return Err(format!("child at {pos} does not name {parent} as parent"));
                }
                linked += 1;
                last = pos;
                pos = slot.next_sibling;
            }
            if last != list.last {
                return Err(format!("children_by_parent[{parent}] tail is stale"));
            }
        }
        let with_parent = self
            .slots
            .iter()
            .filter(|s| s.event.parent_id.is_some())
            .count();
        if linked != with_parent {
            return Err(format!(
                "{with_parent} held events have a parent but {linked} are linked"
            ));
        }
        if self.by_id.len() > self.slots.len() {
            return Err("more ids indexed than events held".into());
        }
        Ok(())
    }
}

impl Default for History {
    fn default() -> Self {
        History::with_capacity(DEFAULT_CAPACITY)
    }
}

/// Iterator over one parent's children; see [`History::children`].
pub struct Children<'a> {
    history: &'a History,
    next: u64,
}

impl<'a> Iterator for Children<'a> {
    type Item = &'a Event;

    fn next(&mut self) -> Option<&'a Event> {
        let slot = self.history.slot_at(self.next)?;
        self.next = slot.next_sibling;
        Some(&slot.event)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::event::Phase;

    #[test]
    fn children_are_listed_in_processing_order() {
        let mut h = History::with_capacity(10);
        let root = Event::root("processing", Phase::Started);
        let a = Event::child_of(&root, "processing", Phase::Started);
        let b = Event::child_of(&root, "processing", Phase::Started);
        h.push(root.clone(), 0);
        h.push(a.clone(), 0);
        h.push(b.clone(), 0);
        let ids: Vec<_> = h.children(&root.id).map(|e| e.id).collect();
        assert_eq!(ids, vec![a.id, b.id]);
        h.check_indexes().unwrap();
    }

    #[test]
    fn shrinking_the_cap_evicts_oldest_and_keeps_indexes_consistent() {
        let mut h = History::with_capacity(100);
        let root = Event::root("processing", Phase::Started);
        h.push(root.clone(), 0);
        for _ in 0..50 {
            h.push(Event::child_of(&root, "processing", Phase::Started), 0);
        }
        h.set_capacity(10);
        assert_eq!(h.len(), 10);
        assert!(h.get(&root.id).is_none());
        assert_eq!(h.children(&root.id).count(), 10);
        h.check_indexes().unwrap();
    }
}
