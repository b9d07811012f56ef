//! # Spans whose parent never came, linked in slices
//!
//! At the end of the input the spans still waiting in the [`Linker`](super::link::Linker)
//! have a parent that never came (or a parent cycle). They are linked among themselves as
//! [`link_roots`](crate::trace::link_roots) links any trace: a missing parent makes its
//! child the root of its subtree, and a walk that meets itself closes its loop there. That
//! is a few passes over what waited (a million spans in the worst case), so it is done in
//! slices of a bounded number of items ([`Leftovers::step`]), each pass resumable where the
//! last slice stopped, the walk up a chain included: a page runs it between frames.
//!
//! The passes are `link_roots`'s, in its order, so the result is the same: gather the
//! waiting spans' events (in the map's order), index them by id, walk each to its root,
//! hand them over with their root set.

use std::collections::hash_map;

use uuid::Uuid;

use super::span_events::SpanEvents;
use crate::core::ids::IdMap;
use crate::trace::{lineage_of, Linkable};

const UNKNOWN: usize = usize::MAX;
const ON_PATH: usize = usize::MAX - 1;

/// The end-of-input pass; see the module docs.
pub(super) struct Leftovers<E> {
    /// What waited, by the parent it waited for, not yet gathered.
    waiting: Option<hash_map::IntoIter<Uuid, Vec<SpanEvents<E>>>>,
    events: Vec<E>,
    ids: Vec<Uuid>,
    index: IdMap<usize>,
    /// Each event's root, as an index into `events` (or a walk's marks).
    root: Vec<usize>,
    /// The walk: the next event to start from, the event reached, the path walked.
    next: usize,
    cur: Option<usize>,
    path: Vec<usize>,
    /// The hand-over: the events left, and how many have gone.
    handing: Option<std::vec::IntoIter<E>>,
    handed: usize,
    /// Items done, and the items the whole pass takes (an estimate until gathered).
    done: usize,
    total: usize,
}

impl<E: Linkable> Leftovers<E> {
    /// The pass over `waiting`, holding `events` events.
    pub(super) fn new(waiting: IdMap<Vec<SpanEvents<E>>>, events: usize) -> Self {
        Leftovers {
            waiting: Some(waiting.into_iter()),
            events: Vec::with_capacity(events),
            ids: Vec::with_capacity(events),
            index: IdMap::default(),
            root: Vec::new(),
            next: 0,
            cur: None,
            path: Vec::new(),
            handing: None,
            handed: 0,
            done: 0,
            total: 4 * events,
        }
    }

    /// How far the pass has got, 0 to 1.
    pub(super) fn fraction(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        (self.done as f64 / self.total as f64).min(1.0)
    }

    /// Does at most about `budget` items (at least one), handing linked events to `ready`;
    /// `true` once every event has gone.
    pub(super) fn step<X>(
        &mut self,
        budget: usize,
        ready: &mut impl FnMut(E) -> Result<(), X>,
    ) -> Result<bool, X> {
        let mut left = budget.max(1);
        while left > 0 {
            let used = if self.waiting.is_some() {
                self.gather(left)
            } else if self.ids.len() < self.events.len() {
                self.index_some(left)
            } else if self.next < self.events.len() || self.cur.is_some() {
                self.walk(left)
            } else {
                match self.hand_over(left, ready)? {
                    Some(used) => used,
                    None => return Ok(true),
                }
            };
            self.done += used;
            left = left.saturating_sub(used.max(1));
        }
        Ok(false)
    }

    /// Moves the events of up to `budget` waiting spans into one list.
    fn gather(&mut self, budget: usize) -> usize {
        let Some(waiting) = self.waiting.as_mut() else {
            return 0;
        };
        let mut used = 0;
        while used < budget {
            let Some((_, spans)) = waiting.next() else {
                self.waiting = None;
                self.root = vec![UNKNOWN; self.events.len()];
                self.index.reserve(self.events.len());
                break;
            };
            for span in spans {
                used += span.events.len();
                self.events.extend(span.events);
            }
        }
        used
    }

    /// Indexes up to `budget` events by id (the first of an id wins, as in `link_roots`).
    fn index_some(&mut self, budget: usize) -> usize {
        let from = self.ids.len();
        let to = (from + budget).min(self.events.len());
        for i in from..to {
            let id = self.events[i].id();
            self.index.entry(id).or_insert(i);
            self.ids.push(id);
        }
        to - from
    }

    /// Walks up to `budget` steps towards the roots, resuming a walk cut by the last slice.
    fn walk(&mut self, budget: usize) -> usize {
        let mut used = 0;
        while used < budget {
            let cur = match self.cur.take() {
                Some(cur) => cur,
                None if self.next < self.events.len() => {
                    self.next += 1;
                    self.next - 1
                }
                None => break,
            };
            used += 1;
            let found = match self.root[cur] {
                UNKNOWN => None,
                ON_PATH => Some(cur), // a cycle: close it here
                r => Some(r),
            };
            let found = found.or_else(|| {
                self.root[cur] = ON_PATH;
                self.path.push(cur);
                // An end event belongs where its start does (a root's end has no parent).
                let e = &self.events[cur];
                let up = e
                    .start_id()
                    .and_then(|s| self.index.get(&s).copied())
                    .or_else(|| e.parent_id().and_then(|p| self.index.get(&p).copied()));
                match up {
                    Some(p) if p != cur => {
                        self.cur = Some(p);
                        None
                    }
                    _ => Some(cur),
                }
            });
            if let Some(found) = found {
                for p in self.path.drain(..) {
                    self.root[p] = found;
                }
            }
        }
        used
    }

    /// Hands over up to `budget` events with their roots set; `None` once all have gone.
    fn hand_over<X>(
        &mut self,
        budget: usize,
        ready: &mut impl FnMut(E) -> Result<(), X>,
    ) -> Result<Option<usize>, X> {
        let handing = self
            .handing
            .get_or_insert_with(|| std::mem::take(&mut self.events).into_iter());
        if handing.len() == 0 {
            self.index = IdMap::default();
            return Ok(None);
        }
        let mut used = 0;
        for mut e in handing.by_ref().take(budget) {
            let root_id = self.ids[self.root[self.handed]];
            e.set_tree(root_id, lineage_of(root_id));
            self.handed += 1;
            used += 1;
            ready(e)?;
        }
        Ok(Some(used))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Phase};
    use crate::trace::link_roots;

    /// Spans with parents among themselves (cycles and chains included) or missing.
    fn waiting(n: u128, seed: u64) -> IdMap<Vec<SpanEvents>> {
        let mut x = seed;
        let mut map: IdMap<Vec<SpanEvents>> = IdMap::default();
        for id in 1..=n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let parent = Uuid::from_u128(1 + u128::from(x >> 33) % (n + n / 4));
            let mut e = Event::root("span", Phase::Started);
            e.id = Uuid::from_u128(id);
            e.parent_id = Some(parent);
            let mut end = e.clone();
            end.id = Uuid::from_u128(id + (1 << 64));
            end.start_id = Some(e.id);
            map.entry(parent).or_default().push(SpanEvents {
                id: e.id,
                parent: Some(parent),
                events: vec![e, end],
            });
        }
        map
    }

    #[test]
    fn the_pass_in_slices_links_as_link_roots_does() {
        for (seed, budget) in [(1, 1), (2, 3), (3, 64), (4, usize::MAX)] {
            let map = waiting(500, seed);
            let mut expected: Vec<Event> = map
                .values()
                .flat_map(|spans| spans.iter().flat_map(|s| s.events.clone()))
                .collect();
            link_roots(&mut expected);
            let mut pass = Leftovers::new(map, 1000);
            let mut got = Vec::new();
            let mut steps = 0;
            while !pass
                .step(budget, &mut |e| {
                    got.push(e);
                    Ok::<_, ()>(())
                })
                .unwrap()
            {
                steps += 1;
                assert!(got.len() <= steps * budget.min(1 << 20));
            }
            assert_eq!(got, expected, "seed {seed}, budget {budget}");
            assert_eq!(pass.fraction(), 1.0);
        }
    }
}
