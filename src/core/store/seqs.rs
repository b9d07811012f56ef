//! # Emission numbers as runs of positions
//!
//! A bus numbers its events as it makes them and queues them in that order, so in its history
//! an event's emission number is its position plus a constant: a field of four bytes in every
//! record said what the position already says. The store keeps the constant instead, once
//! per *run* (the positions from where it changed on), and a record keeps its number only
//! when it breaks the run: in front of its blob (`record::SEQ_WIDE`), or as a flag when it is
//! 0 (`record::SEQ_ZERO`: an imported event without one).
//!
//! The constant changes when numbers are skipped (a refused event keeps its number and is
//! never stored) or come out of order (a put that waited for room, fire-and-forget's spawned
//! puts, a file). An event that breaks the run is kept wide; the next one starts a new run
//! if it follows it (its number is one more), so a skip costs one wide number and one run,
//! and numbers in no order cost what they cost before (a wide number per event) without
//! making a run each.
//!
//! Runs are dropped from the front as their positions are evicted: the table is as flat as
//! the history (a bus that never skips a number keeps one run).

use std::collections::VecDeque;

/// Where an event's emission number is, as the encoder decided ([`Seqs::place`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeqPlace {
    /// Its position plus its run's constant: nothing in the record.
    Run,
    /// 0 (no number): a flag.
    Zero,
    /// In front of the blob.
    Wide,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Seqs {
    /// `(first position, number − position)` of each run, oldest first (wrapping).
    runs: VecDeque<(u64, u64)>,
    /// The number of the event encoded last: the next one starts a run if it follows it.
    last: u64,
}

/// What one run costs, counted with the records.
pub(crate) const RUN_BYTES: usize = 16;

impl Seqs {
    /// Where the number `seq` of the event about to take position `pos` goes, starting a run
    /// at `pos` when it follows the last number but not the run.
    #[inline]
    pub(crate) fn place(&mut self, pos: u64, seq: u64) -> SeqPlace {
        let last = std::mem::replace(&mut self.last, seq);
        if seq == 0 {
            return SeqPlace::Zero;
        }
        match self.runs.back() {
            Some(&(_, delta)) if pos.wrapping_add(delta) == seq => SeqPlace::Run,
            Some(_) if seq != last.wrapping_add(1) => SeqPlace::Wide,
            _ => {
                self.start_run(pos, seq);
                SeqPlace::Run
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn start_run(&mut self, pos: u64, seq: u64) {
        let delta = seq.wrapping_sub(pos);
        // An event encoded at `pos` and never stored (its run is then another's).
        if self.runs.back().is_some_and(|&(first, _)| first >= pos) {
            while self.runs.back().is_some_and(|&(first, _)| first >= pos) {
                self.runs.pop_back();
            }
        }
        self.runs.push_back((pos, delta));
    }

    /// The number of the event at `pos`, kept by its run.
    #[inline]
    pub(crate) fn at(&self, pos: u64) -> u64 {
        let &(first, delta) = self.runs.back().expect("a run for every event kept in one");
        if first <= pos {
            return pos.wrapping_add(delta);
        }
        self.in_older_run(pos)
    }

    #[cold]
    #[inline(never)]
    fn in_older_run(&self, pos: u64) -> u64 {
        let i = self.runs.partition_point(|&(first, _)| first <= pos);
        let (_, delta) = self.runs[i.max(1) - 1];
        pos.wrapping_add(delta)
    }

    /// The events before `base` are gone: runs that end before it are dropped.
    #[inline]
    pub(crate) fn evicted_to(&mut self, base: u64) {
        if self.runs.len() > 1 && self.runs[1].0 <= base {
            self.drop_runs_to(base);
        }
    }

    #[cold]
    #[inline(never)]
    fn drop_runs_to(&mut self, base: u64) {
        while self.runs.len() > 1 && self.runs[1].0 <= base {
            self.runs.pop_front();
        }
    }

    /// Runs held (the store's tests check the table stays small).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.runs.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.runs.capacity() * RUN_BYTES
    }

    /// A run holds the event at `pos`, the oldest held whose number is its run's
    /// (`check_indexes`).
    pub(crate) fn check(&self, pos: u64) -> Result<(), String> {
        match self.runs.front() {
            Some(&(first, _)) if first <= pos => Ok(()),
            _ => Err(format!("no emission-number run holds the event at {pos}")),
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn numbers_in_step_with_positions_keep_one_run() {
        let mut s = Seqs::default();
        for pos in 0..1_000 {
            assert_eq!(s.place(pos, pos + 7), SeqPlace::Run);
        }
        assert_eq!(s.len(), 1);
        assert_eq!(s.at(500), 507);
    }

    #[test]
    fn a_skip_costs_one_wide_number_and_one_run() {
        let mut s = Seqs::default();
        assert_eq!(s.place(0, 1), SeqPlace::Run);
        assert_eq!(s.place(1, 2), SeqPlace::Run);
        assert_eq!(s.place(2, 9), SeqPlace::Wide, "2 refused numbers skipped");
        assert_eq!(s.place(3, 10), SeqPlace::Run, "follows 9: a new run");
        assert_eq!(s.place(4, 11), SeqPlace::Run);
        assert_eq!(s.place(5, 0), SeqPlace::Zero);
        assert_eq!(s.len(), 2);
        assert_eq!((s.at(1), s.at(3), s.at(4)), (2, 10, 11));
        s.evicted_to(3);
        assert_eq!(s.len(), 1);
        assert_eq!(s.at(4), 11);
    }

    #[test]
    fn numbers_in_no_order_are_wide_and_make_no_runs() {
        let mut s = Seqs::default();
        assert_eq!(s.place(0, 50), SeqPlace::Run);
        for (pos, seq) in [(1, 40), (2, 60), (3, 45), (4, 70), (5, 20)] {
            assert_eq!(s.place(pos, seq), SeqPlace::Wide);
        }
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn a_position_encoded_again_replaces_its_run() {
        let mut s = Seqs::default();
        s.place(0, 1);
        s.place(1, 5);
        assert_eq!(s.place(2, 6), SeqPlace::Run, "a run from position 2");
        // Position 2's event was never stored; another is encoded there.
        assert_eq!(s.place(2, 3), SeqPlace::Wide);
        assert_eq!(
            s.place(2, 4),
            SeqPlace::Run,
            "follows 3: the run from 2 is replaced"
        );
        assert_eq!(s.place(3, 5), SeqPlace::Run);
        assert_eq!(s.len(), 2);
        assert_eq!((s.at(0), s.at(2), s.at(3)), (1, 4, 5));
    }
}
