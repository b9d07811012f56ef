//! # Children held until their parent arrives
//!
//! OpenTelemetry exporters send a span when it ends, so a child span (which ends first)
//! usually reaches the page before its parent, in the same batch or the next. Shown as they
//! come, such children would make the live trace irregular, and from then on the page could
//! only rebuild its whole inspection after every batch (see [`crate::view::scrub`]). Instead,
//! [`Reorder`] holds an event that links (by parent or start id) to an id the page has not
//! received, and releases it right after the event it waits for: the trace stays in an order
//! where every event follows what it links to, and the view keeps advancing in place.
//!
//! A parent may never come (the client dropped it, or it lies before the listener's window).
//! Held events are therefore released, in the order they came, once they have waited
//! [`MAX_WAIT_MS`] or once more than [`MAX_HELD`] wait; if the parent arrives after that, the
//! trace is irregular after all and the page falls back to a rebuild, as before. The wait is
//! a few export intervals of an SDK's batch processor at most, so the view is never held back
//! long, and what waits is counted on the page.

use std::collections::VecDeque;

use uuid::Uuid;

use super::wire::{Incoming, LiveEvent};
use crate::core::ids::IdMap;

/// The longest an event waits for the event it links to, in ms (the OpenTelemetry SDKs'
/// batch processors export every 5 s by default; a parent ending later than that is rare).
pub const MAX_WAIT_MS: f64 = 6_000.0;
/// The most events held at once; past it the oldest are released.
pub const MAX_HELD: usize = 50_000;

/// Events waiting for an id; see the module docs. Each is held owned
/// ([`Incoming::to_hold`]), so it keeps nothing else of its message alive.
#[derive(Debug)]
pub struct Reorder<E = LiveEvent> {
    /// Held events by the id each waits for.
    waiting: IdMap<VecDeque<Held<E>>>,
    /// Every held event's id, to release and to deduplicate, in the order they came.
    queue: VecDeque<(Uuid, Uuid, f64)>,
    /// Ids of the events held (a repeated delivery of one is dropped).
    held: IdMap<()>,
}

impl<E> Default for Reorder<E> {
    fn default() -> Self {
        Reorder {
            waiting: IdMap::default(),
            queue: VecDeque::new(),
            held: IdMap::default(),
        }
    }
}

#[derive(Debug)]
struct Held<E> {
    event: E,
}

impl<E: Incoming> Reorder<E> {
    /// Events held.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Whether `id` is held.
    pub fn holds(&self, id: &Uuid) -> bool {
        self.held.contains_key(id)
    }

    /// Orders `events` (in the order received) so each follows what it links to: returns
    /// the events to show now, holding those whose link `is_known` does not know and no event
    /// of this batch provides, and releasing what waited for an event now shown or waited
    /// too long. `is_known` says whether the page holds an id already.
    pub fn order(
        &mut self,
        events: Vec<E>,
        now_ms: f64,
        is_known: impl Fn(&Uuid) -> bool,
    ) -> Vec<E> {
        let mut out: Vec<E> = Vec::with_capacity(events.len());
        let mut shown: IdMap<()> =
            IdMap::with_capacity_and_hasher(events.len(), Default::default());
        for e in events {
            if self.held.contains_key(&e.id()) {
                continue; // delivered again while held
            }
            match first_missing(&e, &is_known, &shown) {
                Some(id) => self.hold(e, id, now_ms),
                None => self.show(e, &mut out, &mut shown, &is_known),
            }
        }
        self.release_aged(now_ms, &mut out, &mut shown, &is_known);
        out
    }

    fn hold(&mut self, event: E, waits_for: Uuid, now_ms: f64) {
        let event = event.to_hold();
        self.held.insert(event.id(), ());
        self.queue.push_back((event.id(), waits_for, now_ms));
        self.waiting
            .entry(waits_for)
            .or_default()
            .push_back(Held { event });
    }

    /// Shows `e`, then whatever waited for it (and for those, in turn).
    fn show(
        &mut self,
        e: E,
        out: &mut Vec<E>,
        shown: &mut IdMap<()>,
        is_known: &impl Fn(&Uuid) -> bool,
    ) {
        let mut next = vec![e];
        while let Some(e) = next.pop() {
            let id = e.id();
            shown.insert(id, ());
            out.push(e);
            // (Nothing held, as a regular stream goes: no look-up.)
            let children = match self.waiting.is_empty() {
                true => None,
                false => self.waiting.remove(&id),
            };
            if let Some(children) = children {
                // A child may wait for a second link too (an end for its start): hold it
                // again under that one.
                for held in children.into_iter().rev() {
                    let c = held.event;
                    self.held.remove(&c.id());
                    match first_missing(&c, is_known, shown) {
                        Some(other) => {
                            self.held.insert(c.id(), ());
                            self.waiting
                                .entry(other)
                                .or_default()
                                .push_back(Held { event: c });
                        }
                        None => next.push(c),
                    }
                }
            }
        }
    }

    /// Releases, oldest first, what waited [`MAX_WAIT_MS`] or beyond [`MAX_HELD`].
    fn release_aged(
        &mut self,
        now_ms: f64,
        out: &mut Vec<E>,
        shown: &mut IdMap<()>,
        is_known: &impl Fn(&Uuid) -> bool,
    ) {
        while let Some(&(id, waits_for, since)) = self.queue.front() {
            if !self.held.contains_key(&id) {
                self.queue.pop_front(); // shown already
                continue;
            }
            if now_ms - since < MAX_WAIT_MS && self.held.len() <= MAX_HELD {
                break;
            }
            self.queue.pop_front();
            // Take it out of whichever list holds it now (its first wait, or a second one).
            let event = self.take_held(&id, waits_for);
            if let Some(e) = event {
                self.show(e, out, shown, is_known);
            }
        }
    }

    fn take_held(&mut self, id: &Uuid, first_wait: Uuid) -> Option<E> {
        self.held.remove(id)?;
        // Held in the order they came, so the oldest is found first (at the front).
        let from = |list: &mut VecDeque<Held<E>>| {
            let at = list.iter().position(|h| h.event.id() == *id)?;
            list.remove(at).map(|h| h.event)
        };
        if let Some(e) = self.waiting.get_mut(&first_wait).and_then(from) {
            if self
                .waiting
                .get(&first_wait)
                .is_some_and(VecDeque::is_empty)
            {
                self.waiting.remove(&first_wait);
            }
            return Some(e);
        }
        // Re-held under a second link: look for it (rare: an end whose start also waits).
        let key = self
            .waiting
            .iter()
            .find(|(_, l)| l.iter().any(|h| h.event.id() == *id))
            .map(|(k, _)| *k)?;
        let list = self.waiting.get_mut(&key)?;
        let e = from(list);
        if list.is_empty() {
            self.waiting.remove(&key);
        }
        e
    }
}

/// The first id `e` links to (its start, then its parent) that neither the page nor this
/// batch has shown; a link to itself counts as none (the scrub reports it).
fn first_missing(
    e: &impl Incoming,
    is_known: &impl Fn(&Uuid) -> bool,
    shown: &IdMap<()>,
) -> Option<Uuid> {
    let own = e.id();
    [e.start_id(), e.parent_id()]
        .into_iter()
        .flatten()
        .find(|id| *id != own && !is_known(id) && !shown.contains_key(id))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Phase};

    fn ids(events: &[Event]) -> Vec<Uuid> {
        events.iter().map(|e| e.id).collect()
    }

    /// A root span and a child span as an exporter converts them: start and end each.
    fn spans() -> (Vec<Event>, Vec<Event>) {
        let root = Event::root("processing", Phase::Started);
        let mut root_end = Event::child_of(&root, "processing", Phase::Completed);
        root_end.start_id = Some(root.id);
        root_end.parent_id = root.parent_id;
        let child = Event::child_of(&root, "processing", Phase::Started);
        let mut child_end = Event::child_of(&child, "processing", Phase::Completed);
        child_end.start_id = Some(child.id);
        child_end.parent_id = child.parent_id;
        (vec![root, root_end], vec![child, child_end])
    }

    #[test]
    fn a_child_sent_before_its_parent_follows_it() {
        let (parent, child) = spans();
        let mut r = Reorder::default();
        let first = r.order(child.clone(), 0.0, |_| false);
        assert!(first.is_empty(), "the child waits for its parent");
        assert_eq!(r.len(), 2);
        let second = r.order(parent.clone(), 10.0, |_| false);
        // The parent's start, then its child (start, end) right after it, then its end.
        let expected = vec![parent[0].id, child[0].id, child[1].id, parent[1].id];
        assert_eq!(ids(&second), expected, "each event after what it links to");
        assert!(r.is_empty());
    }

    #[test]
    fn a_batch_with_the_child_first_comes_out_parent_first() {
        let (parent, child) = spans();
        let mut r = Reorder::default();
        let batch: Vec<Event> = child.iter().chain(&parent).cloned().collect();
        let out = r.order(batch, 0.0, |_| false);
        assert_eq!(out.len(), 4);
        let at = |id: Uuid| out.iter().position(|e| e.id == id).unwrap();
        assert!(at(parent[0].id) < at(child[0].id));
        assert!(at(child[0].id) < at(child[1].id));
        assert!(r.is_empty());
    }

    #[test]
    fn a_parent_that_never_comes_releases_its_children_after_the_wait_in_order() {
        let (_, child) = spans();
        let mut r = Reorder::default();
        assert!(r.order(child.clone(), 0.0, |_| false).is_empty());
        assert!(r.order(Vec::new(), MAX_WAIT_MS - 1.0, |_| false).is_empty());
        let out = r.order(Vec::new(), MAX_WAIT_MS, |_| false);
        assert_eq!(ids(&out), ids(&child));
        assert!(r.is_empty());
    }

    #[test]
    fn an_event_delivered_again_while_held_is_held_once() {
        let (parent, child) = spans();
        let mut r = Reorder::default();
        r.order(child.clone(), 0.0, |_| false);
        r.order(child.clone(), 1.0, |_| false);
        assert_eq!(r.len(), 2);
        assert_eq!(r.order(parent, 2.0, |_| false).len(), 4);
    }

    #[test]
    fn links_the_page_holds_already_need_no_wait() {
        let (parent, child) = spans();
        let mut r = Reorder::default();
        let known = ids(&parent);
        assert_eq!(r.order(child, 0.0, |id| known.contains(id)).len(), 2);
    }

    #[test]
    fn past_the_cap_the_oldest_are_released() {
        let mut r = Reorder::default();
        let missing = Uuid::from_u128(7);
        let orphans: Vec<Event> = (0..MAX_HELD + 3)
            .map(|_| {
                let mut e = Event::root("processing", Phase::Started);
                e.parent_id = Some(missing);
                e
            })
            .collect();
        let out = r.order(orphans.clone(), 0.0, |_| false);
        assert_eq!(ids(&out), ids(&orphans[..3]));
        assert_eq!(r.len(), MAX_HELD);
    }
}
