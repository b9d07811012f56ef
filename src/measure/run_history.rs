//! # The Compare tab's past runs
//!
//! Each press of *Compare modes* measures again, and browsers are noisy: the figures of one
//! run mean most beside another's. So the tab keeps the last [`RUNS_KEPT`] runs, numbered
//! in order (a number is never reused, so "run 3" stays run 3 after older ones go), and
//! shows at most [`SHOWN_AT_ONCE`] of them side by side: picking a third drops the one
//! picked first. A new run is shown alone.
//!
//! The runs and the picks are two values, not one, so that ticking a box re-renders the
//! charts but not the row of boxes being clicked.

use super::comparison::Comparison;

/// Runs kept for side-by-side comparison.
pub const RUNS_KEPT: usize = 8;

/// Runs shown side by side at most.
pub const SHOWN_AT_ONCE: usize = 2;

/// A finished comparison, labelled for the history list.
#[derive(Clone, Debug, PartialEq)]
pub struct PastRun {
    pub number: usize,
    pub label: String,
    pub result: Comparison,
}

/// The runs kept, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunHistory {
    pub runs: Vec<PastRun>,
}

impl RunHistory {
    /// Keeps a finished run under the next number, dropping the oldest beyond
    /// [`RUNS_KEPT`]; returns its number.
    pub fn record(&mut self, result: Comparison) -> usize {
        let number = self.runs.last().map_or(1, |l| l.number + 1);
        self.runs.push(PastRun {
            number,
            label: format!("run {number}"),
            result,
        });
        if self.runs.len() > RUNS_KEPT {
            self.runs.remove(0);
        }
        number
    }

    /// The runs picked in `shown`, oldest first.
    pub fn picked(&self, shown: &Shown) -> Vec<PastRun> {
        self.runs
            .iter()
            .filter(|r| shown.contains(r.number))
            .cloned()
            .collect()
    }
}

/// The numbers of the runs shown side by side, in the order they were picked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shown(Vec<usize>);

impl Shown {
    /// Just run `number` (a new run).
    pub fn only(number: usize) -> Shown {
        Shown(vec![number])
    }

    pub fn contains(&self, number: usize) -> bool {
        self.0.contains(&number)
    }

    /// Ticks (`on`) or unticks run `number`; a tick beyond [`SHOWN_AT_ONCE`] drops the
    /// earliest pick.
    pub fn set(&mut self, number: usize, on: bool) {
        self.0.retain(|x| *x != number);
        if on {
            self.0.push(number);
            if self.0.len() > SHOWN_AT_ONCE {
                self.0.remove(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::measure::chart::tests::empty;

    #[test]
    fn runs_are_numbered_in_order_and_only_the_last_eight_are_kept() {
        let mut h = RunHistory::default();
        for expected in 1..=RUNS_KEPT + 2 {
            assert_eq!(h.record(empty()), expected);
        }
        let numbers: Vec<usize> = h.runs.iter().map(|r| r.number).collect();
        assert_eq!(numbers, (3..=RUNS_KEPT + 2).collect::<Vec<_>>());
        assert_eq!(h.runs[0].label, "run 3");
    }

    #[test]
    fn at_most_two_runs_show_and_a_third_pick_drops_the_first() {
        let mut shown = Shown::only(1);
        shown.set(2, true);
        shown.set(3, true);
        assert!(!shown.contains(1) && shown.contains(2) && shown.contains(3));
        shown.set(2, false);
        assert!(!shown.contains(2) && shown.contains(3));
        shown.set(3, true);
        assert_eq!(shown, Shown::only(3), "ticking twice does not count twice");
    }

    #[test]
    fn the_picked_runs_come_oldest_first_and_dropped_runs_are_not_picked() {
        let mut h = RunHistory::default();
        for _ in 0..RUNS_KEPT + 1 {
            h.record(empty());
        }
        let mut shown = Shown::only(5);
        shown.set(1, true);
        assert_eq!(
            h.picked(&shown)
                .iter()
                .map(|r| r.number)
                .collect::<Vec<_>>(),
            [5],
            "run 1 is no longer kept"
        );
        shown.set(3, true);
        let picked: Vec<usize> = h.picked(&shown).iter().map(|r| r.number).collect();
        assert_eq!(picked, [3]);
        shown.set(4, true);
        let picked: Vec<usize> = h.picked(&shown).iter().map(|r| r.number).collect();
        assert_eq!(picked, [3, 4]);
    }
}
