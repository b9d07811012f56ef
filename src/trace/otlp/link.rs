//! # Roots of spans that arrive in any order
//!
//! Every event of a span carries the span's root (the topmost span its parent links reach)
//! and the lineage derived from it. A parent may come after its child: collectors write a
//! span when it ends, so children usually come first. Holding every event until the end
//! of the input (what this importer once did) cost 3 GB for a million spans and checked
//! the budget only after the whole document was read.
//!
//! So the [`Linker`] keeps only what linking needs:
//! - the root of every span seen so far, so a span whose parent is known goes to the sink
//!   at once, root and all: span uuid → the root's number (20 bytes a span), each root's
//!   uuid kept once in a list (a trace's spans share it). The root's uuid itself in every
//!   entry (32 bytes) was 60 MB counted against the budget for the million spans of
//!   `docs/budget.md`, where the page's 400 MiB has ~20 to spare;
//! - the spans whose parent has not come yet, by the parent's uuid. They wait, counted
//!   against the memory budget, and go to the sink the moment their parent (and so their
//!   root) is known, taking their own waiting children with them.
//!
//! What still waits at the end has a parent that never came (or a parent cycle): those
//! are linked among themselves as [`link_roots`](crate::trace::link_roots) links any
//! trace, a missing parent making its child the root of its subtree. That pass runs in
//! slices ([`Linker::step`], [`super::leftovers`]), none of them longer than its budget, so
//! a page can run it between frames.

use uuid::Uuid;

use super::leftovers::Leftovers;
use super::span_events::SpanEvents;
use crate::core::ids::IdMap;
use crate::core::Event;
use crate::trace::{lineage_of, Linkable};

impl<E: Linkable> SpanEvents<E> {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self
                .events
                .iter()
                .map(|e| std::mem::size_of::<E>() + e.heap_bytes())
                .sum::<usize>()
    }
}

/// See the module docs.
pub(super) struct Linker<E = Event> {
    /// Span uuid → its root's number in `tree_roots`.
    roots: IdMap<u32>,
    /// The roots' uuids, by number.
    tree_roots: Vec<Uuid>,
    /// The last spans placed, with their roots as `roots` holds them (an entry never
    /// changes once made): a span's parent is nearly always among the last few when
    /// parents come first, found here without hashing.
    recent: [(Uuid, u32); RECENT],
    next_recent: usize,
    waiting: IdMap<Vec<SpanEvents<E>>>,
    /// Bytes held by the waiting spans.
    waiting_bytes: usize,
    /// The end-of-input pass over the leftovers, once begun.
    leftovers: Option<Leftovers<E>>,
}

impl<E> Default for Linker<E> {
    fn default() -> Self {
        Linker {
            roots: IdMap::default(),
            tree_roots: Vec::new(),
            recent: [(Uuid::nil(), 0); RECENT],
            next_recent: 0,
            waiting: IdMap::default(),
            waiting_bytes: 0,
            leftovers: None,
        }
    }
}

/// What a map entry of ours costs: key, value and the table's control byte, with the
/// table's slack (it grows by doubling, so up to half its slots are empty).
const ENTRY_BYTES: usize = 2 * (16 + 4 + 1);

/// A span's root as [`Linker::place`] found it: its uuid, and its number in the linker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Root {
    pub id: Uuid,
    at: u32,
}

/// Spans [`Linker::place`] remembers without hashing.
const RECENT: usize = 4;

impl<E: Linkable> Linker<E> {
    /// A linker for about `spans` spans, its table of roots sized once.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn with_capacity(spans: usize) -> Self {
        Linker {
            roots: IdMap::with_capacity_and_hasher(spans, Default::default()),
            ..Linker::default()
        }
    }

    /// Bytes held for linking: the root map and the waiting spans.
    pub(super) fn held(&self) -> usize {
        self.roots.capacity() * ENTRY_BYTES / 2
            + self.tree_roots.capacity() * 16
            + self.waiting.capacity() * (16 + 24 + 1)
            + self.waiting_bytes
    }

    /// Spans still waiting for a parent.
    #[cfg(test)]
    pub(super) fn waiting(&self) -> usize {
        self.waiting.values().map(Vec::len).sum()
    }

    /// Events the end-of-input pass has yet to hand over, before it has begun (what still
    /// waits); 0 once it has begun.
    pub(super) fn events_to_hand_over(&self) -> usize {
        if self.leftovers.is_some() {
            return 0;
        }
        self.waiting
            .values()
            .flat_map(|spans| spans.iter().map(|s| s.events.len()))
            .sum()
    }

    /// Takes one span: its events come back through `ready` with their root set, now or
    /// (with any waiting children) once its parent is known.
    pub(super) fn add<X>(
        &mut self,
        span: SpanEvents<E>,
        ready: &mut impl FnMut(E) -> Result<(), X>,
    ) -> Result<(), X> {
        match self.place(span.id, span.parent) {
            Some(root) => {
                let lineage = lineage_of(root.id);
                for mut e in span.events {
                    e.set_tree(root.id, lineage);
                    ready(e)?;
                }
                self.release_waiting(span.id, root, ready)
            }
            None => {
                self.wait(span);
                Ok(())
            }
        }
    }

    /// The first half of [`Linker::add`], for a caller that hands over a span's events
    /// itself (the listener's prepared spans, which then need no `Vec` per span): when the
    /// root of span `id` is known now, records it and returns it. The caller then hands
    /// over the span's events with that root, then calls [`Linker::release_waiting`].
    /// `None`: the parent has not come; the caller gives the span to [`Linker::wait`].
    pub(super) fn place(&mut self, id: Uuid, parent: Option<Uuid>) -> Option<Root> {
        let at = match parent {
            Some(p) if p != id => match self.recent.iter().find(|(span, _)| *span == p) {
                // The nil id is never a parent here (`span_uuid` of a span id of zeros
                // and a trace id ending in zeros is nil, so look that one up).
                Some(&(_, at)) if !p.is_nil() => at,
                _ => *self.roots.get(&p)?,
            },
            // A root: a number of its own.
            _ => {
                self.tree_roots.push(id);
                (self.tree_roots.len() - 1) as u32
            }
        };
        // The first span of an id decides its root, as in `link_roots`.
        let kept = *self.roots.entry(id).or_insert(at);
        self.recent[self.next_recent] = (id, kept);
        self.next_recent = (self.next_recent + 1) % RECENT;
        Some(Root {
            id: self.tree_roots[at as usize],
            at,
        })
    }

    /// Holds a span whose parent has not come (see [`Linker::place`]).
    pub(super) fn wait(&mut self, span: SpanEvents<E>) {
        let parent = span.parent.unwrap_or(span.id);
        self.waiting_bytes += span.bytes();
        self.waiting.entry(parent).or_default().push(span);
    }

    /// Hands over every span that waited for span `id`, now placed under `root`, depth
    /// first through an explicit stack (a chain of a million waiting spans must not
    /// recurse). Nothing is allocated when nobody waits (nearly all of a live stream).
    pub(super) fn release_waiting<X>(
        &mut self,
        id: Uuid,
        root: Root,
        ready: &mut impl FnMut(E) -> Result<(), X>,
    ) -> Result<(), X> {
        if self.waiting.is_empty() {
            return Ok(());
        }
        let mut stack = Vec::new();
        self.push_children(id, &mut stack);
        let lineage = lineage_of(root.id);
        while let Some(span) = stack.pop() {
            self.roots.entry(span.id).or_insert(root.at);
            self.push_children(span.id, &mut stack);
            for mut e in span.events {
                e.set_tree(root.id, lineage);
                ready(e)?;
            }
        }
        Ok(())
    }

    /// Moves the spans waiting for `id` onto `stack`, in the order they came.
    fn push_children(&mut self, id: Uuid, stack: &mut Vec<SpanEvents<E>>) {
        if self.waiting.is_empty() {
            return;
        }
        for child in self.waiting.remove(&id).into_iter().flatten() {
            self.waiting_bytes -= child.bytes();
            stack.push(child);
        }
    }

    /// The end of the input, in slices: does at most about `budget` items of linking the
    /// spans whose parent never came among themselves and handing them over, and says
    /// whether it is done (see [`super::leftovers`]).
    pub(super) fn step<X>(
        &mut self,
        budget: usize,
        ready: &mut impl FnMut(E) -> Result<(), X>,
    ) -> Result<bool, X> {
        if self.leftovers.is_none() {
            let events = self.events_to_hand_over();
            let waiting = std::mem::take(&mut self.waiting);
            self.waiting_bytes = 0;
            self.roots = IdMap::default();
            self.tree_roots = Vec::new();
            self.recent = [(Uuid::nil(), 0); RECENT];
            self.leftovers = Some(Leftovers::new(waiting, events));
        }
        match self.leftovers.as_mut() {
            Some(left) => left.step(budget, ready),
            None => Ok(true),
        }
    }

    /// How far the end-of-input pass has got, 0 to 1.
    pub(super) fn fraction(&self) -> f64 {
        self.leftovers.as_ref().map_or(0.0, Leftovers::fraction)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    fn span(id: u128, parent: Option<u128>) -> SpanEvents {
        let mut e = Event::root("span", Phase::Started);
        e.id = Uuid::from_u128(id);
        e.parent_id = parent.map(Uuid::from_u128);
        SpanEvents {
            id: e.id,
            parent: e.parent_id,
            events: vec![e],
        }
    }

    fn run(spans: Vec<SpanEvents>) -> (Vec<Event>, usize) {
        let mut linker = Linker::default();
        let mut out = Vec::new();
        let mut waited = 0;
        for s in spans {
            linker
                .add(s, &mut |e| {
                    out.push(e);
                    Ok::<_, ()>(())
                })
                .unwrap();
            waited = waited.max(linker.waiting());
        }
        let mut take = |e| {
            out.push(e);
            Ok::<_, ()>(())
        };
        while !linker.step(1, &mut take).unwrap() {}
        (out, waited)
    }

    fn root_of(out: &[Event], id: u128) -> Uuid {
        out.iter()
            .find(|e| e.id == Uuid::from_u128(id))
            .unwrap()
            .root_id
    }

    #[test]
    fn parents_first_wait_for_nothing() {
        let (out, waited) = run(vec![span(1, None), span(2, Some(1)), span(3, Some(2))]);
        assert_eq!(waited, 0);
        assert_eq!(root_of(&out, 3), Uuid::from_u128(1));
        assert_eq!(out[2].lineage_id, lineage_of(Uuid::from_u128(1)));
    }

    #[test]
    fn a_span_id_keeps_its_first_root_whether_found_among_the_recent_or_in_the_table() {
        let u = Uuid::from_u128;
        let mut linker = Linker::<Event>::default();
        let mut place = |id, parent| linker.place(id, parent).map(|root| root.id);
        // Before any span, the window's empty (nil) entries never stand for a nil parent.
        assert_eq!(place(u(5), Some(Uuid::nil())), None);
        assert_eq!(place(u(1), None), Some(u(1)));
        assert_eq!(place(u(9), None), Some(u(9)));
        assert_eq!(place(u(2), Some(u(1))), Some(u(1)));
        // Span 2 again, under another root: placed there, but its id keeps its first root.
        assert_eq!(place(u(2), Some(u(9))), Some(u(9)));
        assert_eq!(place(u(3), Some(u(2))), Some(u(1)));
        for k in 10..20 {
            place(u(k), None);
        }
        // Span 2 has left the window: the table says the same.
        assert_eq!(place(u(4), Some(u(2))), Some(u(1)));
        assert_eq!(place(u(6), Some(Uuid::nil())), None);
    }

    #[test]
    fn children_first_wait_for_their_parent_then_all_go() {
        let (out, waited) = run(vec![span(3, Some(2)), span(2, Some(1)), span(1, None)]);
        assert_eq!(waited, 2);
        assert_eq!(out.len(), 3);
        for id in 1..=3 {
            assert_eq!(root_of(&out, id), Uuid::from_u128(1));
        }
    }

    #[test]
    fn a_missing_parent_makes_its_child_the_root_and_a_cycle_ends() {
        let (out, _) = run(vec![
            span(5, Some(4)),
            span(6, Some(5)),
            span(7, Some(8)),
            span(8, Some(7)),
        ]);
        assert_eq!(out.len(), 4);
        assert_eq!(root_of(&out, 6), Uuid::from_u128(5));
        assert!([7, 8].map(Uuid::from_u128).contains(&root_of(&out, 7)));
        assert_eq!(root_of(&out, 7), root_of(&out, 8));
    }

    #[test]
    fn a_chain_of_many_waiting_spans_is_released_without_recursion() {
        let n = 20_000u128;
        let mut spans: Vec<_> = (2..=n).rev().map(|i| span(i, Some(i - 1))).collect();
        spans.push(span(1, None));
        let (out, waited) = run(spans);
        assert_eq!(waited as u128, n - 1);
        assert_eq!(out.len() as u128, n);
        assert_eq!(root_of(&out, n), Uuid::from_u128(1));
    }
}
