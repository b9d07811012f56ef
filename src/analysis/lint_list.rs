//! # A trace's lints, one list per kind
//!
//! The page and `lineage summary` show lints grouped by kind, in [`LintKind::ALL`] order. They
//! were one `Vec<Lint>` sorted by kind, and that shape cost a live trace its pace: a live
//! batch remakes the kinds that change in the middle (the operations unfinished so far come
//! first in the order) and appends to the others, and each of those was a splice into the one
//! list, moving every lint of the kinds after it. With 1.7 M order inversions in a trace of
//! 2 M events, every batch moved them all, 3.2 s of a 20 s stream's main thread
//! (docs/live-page.md), and the panel's grouping scanned the whole list once per kind at every
//! redraw. [`Lints`] keeps each kind in its own list: a kind is replaced or grown without
//! touching the others, and a kind's lints are a slice.

use super::lints::{Lint, LintKind};

const KINDS: usize = LintKind::ALL.len();

/// The lints of one kind kept whole; past it a kind is only counted. The page lists 50 of
/// a kind and `lineage summary` 1 000 by default, but a hostile or merely odd trace can hold a
/// finding per event: a million orphans or alternating emission numbers were a million
/// formatted messages (~150 B each) that no one could read and no budget counted. Kept lints
/// are the kind's first ones, so every list a reader sees is a prefix, and the count stays
/// whole.
pub const KEPT_PER_KIND: usize = 10_000;

/// The lints of a trace, by kind; see the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lints {
    /// Each kind's first [`KEPT_PER_KIND`] lints.
    kinds: [Vec<Lint>; KINDS],
    /// Each kind's lints, kept or not.
    counts: [usize; KINDS],
}

/// Where `kind`'s list is: its place in [`LintKind::ALL`], which is the order the kinds are
/// declared in (a test holds them equal).
fn slot(kind: LintKind) -> usize {
    kind as usize
}

impl Lints {
    /// The kept lints of `kind` (its first [`KEPT_PER_KIND`]), in the order of the spans and
    /// events they concern; [`Lints::count`] says how many there are.
    pub fn of(&self, kind: LintKind) -> &[Lint] {
        &self.kinds[slot(kind)]
    }

    /// How many lints of `kind` the trace has, kept or only counted.
    pub fn count(&self, kind: LintKind) -> usize {
        self.counts[slot(kind)]
    }

    /// Every kept lint, kinds in [`LintKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = &Lint> + '_ {
        self.kinds.iter().flatten()
    }

    /// The kinds that have lints, each with its count and its kept lints, in
    /// [`LintKind::ALL`] order: how the page lists them.
    pub fn by_kind(&self) -> impl Iterator<Item = (LintKind, usize, &[Lint])> + '_ {
        LintKind::ALL
            .into_iter()
            .map(|kind| (kind, self.count(kind), self.of(kind)))
            .filter(|&(_, n, _)| n > 0)
    }

    /// Lints of every kind, kept or only counted.
    pub fn len(&self) -> usize {
        self.counts.iter().sum()
    }

    /// No lint of any kind.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    /// Whether a lint of `kind` added now would be kept: callers that format a message only
    /// for kept lints ask first ([`Lints::add`]).
    pub fn keeps(&self, kind: LintKind) -> bool {
        self.kinds[slot(kind)].len() < KEPT_PER_KIND
    }

    /// Adds `lint` at the end of its kind (kept if its kind has room, counted always).
    pub fn push(&mut self, lint: Lint) {
        let k = slot(lint.kind);
        self.counts[k] += 1;
        if self.kinds[k].len() < KEPT_PER_KIND {
            self.kinds[k].push(lint);
        }
    }

    /// Counts a lint of `kind`, calling `make` for it only if it is kept: a trace with a
    /// million findings of a kind formats [`KEPT_PER_KIND`] messages, not a million.
    pub fn add(&mut self, kind: LintKind, make: impl FnOnce() -> Lint) {
        let k = slot(kind);
        self.counts[k] += 1;
        if self.kinds[k].len() < KEPT_PER_KIND {
            let lint = make();
            debug_assert_eq!(lint.kind, kind);
            self.kinds[k].push(lint);
        }
    }

    /// Replaces every lint of `kind` (the replay's incremental inspection remakes a few
    /// kinds whole, `view::scrub`).
    pub(crate) fn replace(&mut self, kind: LintKind, mut lints: Vec<Lint>) {
        let k = slot(kind);
        self.counts[k] = lints.len();
        lints.truncate(KEPT_PER_KIND);
        self.kinds[k] = lints;
    }

    /// Keeps the first `n` lints of `kind` (the replay's cursor moved back).
    pub(crate) fn truncate(&mut self, kind: LintKind, n: usize) {
        let k = slot(kind);
        self.counts[k] = self.counts[k].min(n);
        self.kinds[k].truncate(n);
    }

    /// Adds `lints` at the end of `kind`.
    pub(crate) fn extend(&mut self, kind: LintKind, lints: impl IntoIterator<Item = Lint>) {
        for lint in lints {
            debug_assert_eq!(lint.kind, kind);
            self.push(lint);
        }
    }

    /// Removes up to `n` kept lints, the last kinds' last ones first; how many it removed
    /// (the page frees a let-go inspection a slice at a time, `view::live::retire`). A kind
    /// whose kept lints are all gone counts none.
    pub fn shed(&mut self, n: usize) -> usize {
        let mut left = n;
        for (list, count) in self.kinds.iter_mut().zip(&mut self.counts).rev() {
            let k = list.len().min(left);
            list.truncate(list.len() - k);
            left -= k;
            if list.is_empty() {
                *count = 0;
            }
            if left == 0 {
                break;
            }
        }
        n - left
    }

    /// Splits off the lints of `kinds` (with a pruned history, orphans and ends without a
    /// start are the cap's doing, not the trace's: `Inspection::of_history`).
    pub fn take_kinds(&mut self, kinds: &[LintKind]) -> Lints {
        let mut taken = Lints::default();
        for &k in kinds {
            taken.kinds[slot(k)] = std::mem::take(&mut self.kinds[slot(k)]);
            taken.counts[slot(k)] = std::mem::take(&mut self.counts[slot(k)]);
        }
        taken
    }
}

impl FromIterator<Lint> for Lints {
    /// Each lint at the end of its kind: lints in any order come out grouped by kind, each
    /// kind's in the order given.
    fn from_iter<I: IntoIterator<Item = Lint>>(lints: I) -> Lints {
        let mut out = Lints::default();
        for l in lints {
            out.push(l);
        }
        out
    }
}

impl std::ops::Index<usize> for Lints {
    type Output = Lint;

    /// The `i`-th kept lint, kinds in [`LintKind::ALL`] order.
    fn index(&self, i: usize) -> &Lint {
        let mut rest = i;
        for list in &self.kinds {
            match list.get(rest) {
                Some(l) => return l,
                None => rest -= list.len(),
            }
        }
        panic!(
            "lint {i} of {} kept",
            self.kinds.iter().map(Vec::len).sum::<usize>()
        )
    }
}

impl<'a> IntoIterator for &'a Lints {
    type Item = &'a Lint;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Lint>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.kinds.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn lint(kind: LintKind, message: &str) -> Lint {
        Lint {
            kind,
            message: message.to_owned(),
            events: Vec::new(),
        }
    }

    #[test]
    fn every_kind_has_the_slot_of_its_place_in_all() {
        for (i, k) in LintKind::ALL.into_iter().enumerate() {
            assert_eq!(slot(k), i, "{k:?}");
        }
    }

    #[test]
    fn lints_in_any_order_come_out_grouped_by_kind_in_their_order_within_it() {
        let lints: Lints = [
            lint(LintKind::OrderInversion, "a"),
            lint(LintKind::Unfinished, "b"),
            lint(LintKind::OrderInversion, "c"),
            lint(LintKind::Orphan, "d"),
            lint(LintKind::Unfinished, "e"),
        ]
        .into_iter()
        .collect();
        let order: Vec<&str> = lints.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(order, ["b", "e", "d", "a", "c"]);
        assert_eq!(
            (lints[0].message.as_str(), lints[3].message.as_str()),
            ("b", "a")
        );
        assert_eq!(lints.len(), 5);
        let kinds: Vec<(LintKind, usize)> = lints.by_kind().map(|(k, n, _)| (k, n)).collect();
        assert_eq!(
            kinds,
            [
                (LintKind::Unfinished, 2),
                (LintKind::Orphan, 1),
                (LintKind::OrderInversion, 2)
            ]
        );
    }

    #[test]
    fn a_kind_replaced_in_place_leaves_the_others_as_they_were() {
        let mut lints: Lints = [
            lint(LintKind::Unfinished, "u"),
            lint(LintKind::OrderInversion, "i"),
        ]
        .into_iter()
        .collect();
        lints.replace(LintKind::Unfinished, vec![lint(LintKind::Unfinished, "v")]);
        let order: Vec<&str> = lints.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(order, ["v", "i"]);
        let cut = lints.take_kinds(&[LintKind::OrderInversion, LintKind::Orphan]);
        assert_eq!((cut.clone().shed(5), cut.clone().shed(0)), (1, 0));
        assert_eq!((lints.len(), cut.len()), (1, 1));
        assert!(Lints::default().is_empty() && !cut.is_empty());
    }

    #[test]
    fn past_the_kept_ones_a_kind_is_counted_and_its_messages_never_made() {
        let mut lints = Lints::default();
        let mut made = 0;
        for i in 0..KEPT_PER_KIND + 5 {
            lints.add(LintKind::Orphan, || {
                made += 1;
                lint(LintKind::Orphan, &i.to_string())
            });
        }
        lints.push(lint(LintKind::Orphan, "pushed"));
        lints.push(lint(LintKind::Cycle, "c"));
        assert_eq!(made, KEPT_PER_KIND);
        assert_eq!(lints.count(LintKind::Orphan), KEPT_PER_KIND + 6);
        assert_eq!(lints.of(LintKind::Orphan).len(), KEPT_PER_KIND);
        assert_eq!(
            lints.of(LintKind::Orphan)[KEPT_PER_KIND - 1].message,
            (KEPT_PER_KIND - 1).to_string()
        );
        assert_eq!(lints.len(), KEPT_PER_KIND + 7);
        assert!(!lints.keeps(LintKind::Orphan) && lints.keeps(LintKind::Cycle));
        let listed: Vec<(LintKind, usize, usize)> = lints
            .by_kind()
            .map(|(k, n, kept)| (k, n, kept.len()))
            .collect();
        assert_eq!(
            listed,
            [
                (LintKind::Orphan, KEPT_PER_KIND + 6, KEPT_PER_KIND),
                (LintKind::Cycle, 1, 1)
            ]
        );
        // The cursor moving back keeps a prefix: still counted whole above the kept ones.
        lints.truncate(LintKind::Orphan, KEPT_PER_KIND + 2);
        assert_eq!(lints.count(LintKind::Orphan), KEPT_PER_KIND + 2);
        lints.truncate(LintKind::Orphan, 3);
        assert_eq!(
            (
                lints.count(LintKind::Orphan),
                lints.of(LintKind::Orphan).len()
            ),
            (3, 3)
        );
        lints.extend(LintKind::Orphan, [lint(LintKind::Orphan, "x")]);
        assert_eq!(lints.of(LintKind::Orphan)[3].message, "x");
        // Replaced whole: counted whole, kept up to the limit.
        let many = (0..KEPT_PER_KIND + 1)
            .map(|_| lint(LintKind::Cycle, "m"))
            .collect();
        lints.replace(LintKind::Cycle, many);
        assert_eq!(lints.count(LintKind::Cycle), KEPT_PER_KIND + 1);
        assert_eq!(lints.of(LintKind::Cycle).len(), KEPT_PER_KIND);
        // Shedding every kept lint leaves nothing counted.
        while lints.shed(4_096) > 0 {}
        assert!(lints.is_empty());
        assert_eq!(lints.len(), 0);
    }
}
