//! # A sort that can stop and go on
//!
//! The end of a Chrome import sorts every slice (a million for an 18 MB file); in the page a
//! sort of that size is a frame of hundreds of milliseconds, and `slice::sort_by` cannot be
//! paused. [`StepSort`] is a stable bottom-up merge sort of `0..n` (indexes into the caller's
//! items) done a bounded number of moves per [`step`](StepSort::step): runs of [`RUN`]
//! indexes sorted each in one go (a few hundred microseconds), then merge passes that keep
//! their place between steps. Its result equals a stable `sort_by` with the same comparison
//! (tested), so the importer's output does not depend on how it was stepped.

use std::cmp::Ordering;

/// Indexes sorted in one go before the merging starts.
const RUN: usize = 1024;

/// A stable sort of `0..n` under way; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct StepSort {
    order: Vec<u32>,
    buf: Vec<u32>,
    /// The sorted run length of `order` (runs of [`RUN`] are being sorted while below it).
    width: usize,
    /// The next run to sort, or where the current merge pass is: the pair of runs starting
    /// at `lo`, with `i` and `j` the next index of each and `k` the next place in `buf`.
    lo: usize,
    i: usize,
    j: usize,
    k: usize,
}

impl StepSort {
    /// A sort of the indexes `0..n`.
    pub(crate) fn new(n: usize) -> StepSort {
        debug_assert!(n <= u32::MAX as usize);
        StepSort {
            order: (0..n as u32).collect(),
            buf: Vec::new(),
            width: 0,
            ..StepSort::default()
        }
    }

    /// How far the sort has got, 0 to 1, by passes.
    pub(crate) fn fraction(&self) -> f64 {
        let n = self.order.len().max(2) as f64;
        let passes = (n / RUN as f64).log2().ceil().max(0.0) + 1.0;
        let done = if self.width == 0 {
            0.0
        } else {
            (self.width as f64 / RUN as f64).log2() + 1.0
        };
        (done / passes).min(1.0)
    }

    /// Does about `budget` moves (at least one run or one merged index); the sorted order
    /// once done. `less` compares two indexes; it must be the same at every step.
    pub(crate) fn step(
        &mut self,
        budget: usize,
        cmp: impl Fn(u32, u32) -> Ordering,
    ) -> Option<Vec<u32>> {
        let n = self.order.len();
        let mut left = budget.clamp(1, isize::MAX as usize) as isize;
        while left > 0 {
            if self.width == 0 {
                let end = (self.lo + RUN).min(n);
                self.order[self.lo..end].sort_by(|&a, &b| cmp(a, b));
                // A run costs about RUN·log2(RUN) comparisons.
                left -= 10 * (end - self.lo) as isize;
                self.lo = end;
                if self.lo >= n {
                    self.start_pass(RUN);
                }
            } else if self.width >= n {
                self.buf = Vec::new();
                return Some(std::mem::take(&mut self.order));
            } else {
                left -= self.merge(left as usize, &cmp) as isize;
            }
        }
        None
    }

    fn start_pass(&mut self, width: usize) {
        self.width = width;
        self.lo = 0;
        self.i = 0;
        self.j = width.min(self.order.len());
        self.k = 0;
        if width < self.order.len() && self.buf.len() != self.order.len() {
            self.buf = vec![0; self.order.len()];
        }
    }

    /// Merges up to `budget` indexes of the current pass; returns how many it moved.
    fn merge(&mut self, budget: usize, cmp: &impl Fn(u32, u32) -> Ordering) -> usize {
        let n = self.order.len();
        let w = self.width;
        let mut moved = 0;
        while moved < budget {
            let mid = (self.lo + w).min(n);
            let hi = (self.lo + 2 * w).min(n);
            if self.i >= mid && self.j >= hi {
                // This pair is merged: on to the next, or the pass is over.
                self.lo = hi;
                if self.lo >= n {
                    std::mem::swap(&mut self.order, &mut self.buf);
                    self.start_pass(2 * w);
                    return moved.max(1);
                }
                self.i = self.lo;
                self.j = (self.lo + w).min(n);
                continue;
            }
            // Stable: the left run's index goes first unless the right one is smaller.
            let take_left = self.j >= hi
                || (self.i < mid && cmp(self.order[self.j], self.order[self.i]) != Ordering::Less);
            if take_left {
                self.buf[self.k] = self.order[self.i];
                self.i += 1;
            } else {
                self.buf[self.k] = self.order[self.j];
                self.j += 1;
            }
            self.k += 1;
            moved += 1;
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// `keys` sorted by `StepSort` in steps of `budget`, and the number of steps.
    fn stepped(keys: &[u32], budget: usize) -> (Vec<u32>, usize) {
        let mut sort = StepSort::new(keys.len());
        let mut steps = 0;
        loop {
            steps += 1;
            if let Some(order) = sort.step(budget, |a, b| keys[a as usize].cmp(&keys[b as usize])) {
                return (order, steps);
            }
        }
    }

    fn stable(keys: &[u32]) -> Vec<u32> {
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_by_key(|&i| keys[i as usize]);
        order
    }

    #[test]
    fn a_stepped_sort_is_the_stable_sort_whatever_the_step() {
        let mut x = 0x9e37_79b9_u32;
        let mut keys = Vec::new();
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            keys.push(x % 97); // many equal keys: stability shows
        }
        for n in [0, 1, 2, 1023, 1024, 1025, 3000, 5000] {
            let keys = &keys[..n];
            for budget in [1, 7, 1000, usize::MAX] {
                assert_eq!(
                    stepped(keys, budget).0,
                    stable(keys),
                    "n {n}, budget {budget}"
                );
            }
        }
    }

    #[test]
    fn a_big_sort_takes_many_bounded_steps() {
        let keys: Vec<u32> = (0..100_000u32).rev().collect();
        let (order, steps) = stepped(&keys, 20_000);
        assert_eq!(order, stable(&keys));
        assert!(steps > 10, "{steps} steps");
        assert_eq!(stepped(&keys, usize::MAX).1, 1);
    }

    #[test]
    fn the_fraction_grows_to_one() {
        let keys: Vec<u32> = (0..10_000u32).rev().collect();
        let mut sort = StepSort::new(keys.len());
        let mut last = 0.0;
        while sort
            .step(500, |a, b| keys[a as usize].cmp(&keys[b as usize]))
            .is_none()
        {
            let f = sort.fraction();
            assert!(f >= last && f <= 1.0, "{f} after {last}");
            last = f;
        }
        assert!(last > 0.5);
    }
}
