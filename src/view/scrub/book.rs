//! The lint lists of an inspection ([`Lints`], one list per kind), changed in place.
//!
//! [`lint`](crate::analysis::lint_pass::lint) lists findings grouped by kind, each kind in the order of
//! the spans or events it concerns. As a replay's cursor moves, most kinds only grow or
//! shrink at their end (an orphan, a lone end, an order inversion or an odd timestamp stays
//! what it is once its event is shown), so each step appends or cuts the events in between;
//! the few that change in the middle (operations unfinished at the cursor, ends before
//! starts, handler failures) are remade whole, and there are few of them.

use crate::analysis::lints::Lint;
use crate::analysis::lints::LintKind;
use crate::analysis::Lints;

const KINDS: usize = LintKind::ALL.len();

fn slot(kind: LintKind) -> usize {
    LintKind::ALL
        .iter()
        .position(|&k| k == kind)
        .expect("every kind is in ALL")
}

/// What changes in [`Inspection::lints`](crate::analysis::Inspection::lints) and
/// [`Inspection::cut_by_cap`](crate::analysis::Inspection::cut_by_cap) at the next flush.
#[derive(Clone, Debug, Default)]
pub(super) struct LintBook {
    /// Lints of each kind in the lists.
    count: [usize; KINDS],
    /// For kinds that only grow at their end: the event each lint belongs to, in order.
    keys: [Vec<usize>; KINDS],
    /// Lints made since the last [`LintBook::flush`], with their events.
    pending: [Vec<(usize, Lint)>; KINDS],
    /// Kinds to be replaced whole at the next flush.
    remade: [Option<Vec<Lint>>; KINDS],
    /// Orphans and lone ends go to `cut_by_cap` (the history was pruned: see `Inspection`).
    cut: bool,
}

impl LintBook {
    pub(crate) fn new(cut: bool) -> LintBook {
        LintBook {
            cut,
            ..LintBook::default()
        }
    }

    /// Kinds whose lints belong to one event each, shown or not with it (the others are
    /// remade whole).
    fn grows_at_end(k: usize) -> bool {
        !matches!(
            LintKind::ALL[k],
            LintKind::Unfinished | LintKind::EndBeforeStart | LintKind::HandlerError
        )
    }

    fn in_cut(&self, k: usize) -> bool {
        self.cut
            && matches!(
                LintKind::ALL[k],
                LintKind::Orphan | LintKind::EndWithoutStart
            )
    }

    /// A lint of event `key`, to go at the end of its kind.
    pub(crate) fn append(&mut self, key: usize, lint: Lint) {
        debug_assert!(Self::grows_at_end(slot(lint.kind)));
        self.pending[slot(lint.kind)].push((key, lint));
    }

    /// Replaces every lint of `kind` at the next flush.
    pub(crate) fn remake(&mut self, kind: LintKind, lints: Vec<Lint>) {
        self.remade[slot(kind)] = Some(lints);
    }

    /// How many lints of `kind` there are (as of the last flush).
    pub(crate) fn count(&self, kind: LintKind) -> usize {
        self.count[slot(kind)]
    }

    /// Brings the lists to the first `shown` events: drops the appended lints of events past
    /// them, then adds what was appended and remade since the last flush. Each kind is its
    /// own list, so a kind remade or grown moves no other kind's lints.
    pub(crate) fn flush(&mut self, lints: &mut Lints, cut_by_cap: &mut Lints, shown: usize) {
        for (k, kind) in LintKind::ALL.into_iter().enumerate() {
            let list = if self.in_cut(k) {
                &mut *cut_by_cap
            } else {
                &mut *lints
            };
            if let Some(new) = self.remade[k].take() {
                self.count[k] = new.len();
                list.replace(kind, new);
                continue;
            }
            let keep = self.keys[k].partition_point(|&i| i < shown);
            if Self::grows_at_end(k) && keep < self.count[k] {
                list.truncate(kind, keep);
                self.keys[k].truncate(keep);
                self.count[k] = keep;
            }
            let pending = std::mem::take(&mut self.pending[k]);
            if !pending.is_empty() {
                self.count[k] += pending.len();
                self.keys[k].extend(pending.iter().map(|(i, _)| *i));
                list.extend(kind, pending.into_iter().map(|(_, l)| l));
            }
        }
    }
}
