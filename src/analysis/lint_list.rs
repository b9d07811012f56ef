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

/// The lints of a trace, by kind; see the module docs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lints {
    kinds: [Vec<Lint>; KINDS],
}

/// Where `kind`'s list is: its place in [`LintKind::ALL`], which is the order the kinds are
/// declared in (a test holds them equal).
fn slot(kind: LintKind) -> usize {
    kind as usize
}

impl Lints {
    /// The lints of `kind`, in the order of the spans and events they concern.
    pub fn of(&self, kind: LintKind) -> &[Lint] {
        &self.kinds[slot(kind)]
    }

    /// `kind`'s list, to be replaced or grown in place (the replay's incremental
    /// inspection, `view::scrub`).
    pub(crate) fn of_mut(&mut self, kind: LintKind) -> &mut Vec<Lint> {
        &mut self.kinds[slot(kind)]
    }

    /// Every lint, kinds in [`LintKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = &Lint> + '_ {
        self.kinds.iter().flatten()
    }

    /// The kinds that have lints, each with its lints, in [`LintKind::ALL`] order: how the
    /// page lists them.
    pub fn by_kind(&self) -> impl Iterator<Item = (LintKind, &[Lint])> + '_ {
        LintKind::ALL
            .into_iter()
            .map(|kind| (kind, self.of(kind)))
            .filter(|(_, of_kind)| !of_kind.is_empty())
    }

    /// Lints of every kind.
    pub fn len(&self) -> usize {
        self.kinds.iter().map(Vec::len).sum()
    }

    /// No lint of any kind.
    pub fn is_empty(&self) -> bool {
        self.kinds.iter().all(Vec::is_empty)
    }

    /// Adds `lint` at the end of its kind.
    pub fn push(&mut self, lint: Lint) {
        self.kinds[slot(lint.kind)].push(lint);
    }

    /// Removes up to `n` lints, the last kinds' last ones first; how many it removed (the
    /// page frees a let-go inspection a slice at a time, `view::live::retire`).
    pub fn shed(&mut self, n: usize) -> usize {
        let mut left = n;
        for list in self.kinds.iter_mut().rev() {
            let k = list.len().min(left);
            list.truncate(list.len() - k);
            left -= k;
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

    /// The `i`-th lint, kinds in [`LintKind::ALL`] order.
    fn index(&self, i: usize) -> &Lint {
        let mut rest = i;
        for list in &self.kinds {
            match list.get(rest) {
                Some(l) => return l,
                None => rest -= list.len(),
            }
        }
        panic!("lint {i} of {}", self.len())
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
        let kinds: Vec<(LintKind, usize)> = lints.by_kind().map(|(k, l)| (k, l.len())).collect();
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
        *lints.of_mut(LintKind::Unfinished) = vec![lint(LintKind::Unfinished, "v")];
        let order: Vec<&str> = lints.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(order, ["v", "i"]);
        let cut = lints.take_kinds(&[LintKind::OrderInversion, LintKind::Orphan]);
        assert_eq!((cut.clone().shed(5), cut.clone().shed(0)), (1, 0));
        assert_eq!((lints.len(), cut.len()), (1, 1));
        assert!(Lints::default().is_empty() && !cut.is_empty());
    }
}
