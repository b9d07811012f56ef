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
//! if it follows the event before it (its number is one more), so a skip costs one wide
//! number and one run, and numbers in no order cost what they cost before (a wide number
//! per event) without making a run each. Only the check against the newest run is on every
//! event's path; the rest is `#[cold]`.
//!
//! Runs are dropped from the front as their positions are evicted: the table is as flat as
//! the history (a bus that never skips a number keeps one run).

use std::collections::VecDeque;

/// Where an event's emission number is, as the encoder decided (`EventStore::seq_place`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SeqPlace {
    /// Its position plus its run's constant: nothing in the record.
    Run,
    /// 0 (no number): a flag.
    Zero,
    /// In front of the blob.
    Wide,
}

/// The runs. The newest is kept apart from the older ones: every event is encoded and
/// processed in it, and a deque's back costs a wrapped index each time. A store starts with
/// a run from position 0 of numbers equal to positions, so there always is a newest.
#[derive(Clone, Debug, Default)]
pub(crate) struct Seqs {
    /// The newest run's first position and `number − position` (wrapping).
    first: u64,
    delta: u64,
    /// The older runs still holding an event, oldest first.
    older: VecDeque<(u64, u64)>,
    /// The number the newest run gives the next position (one more at every event stored:
    /// [`Seqs::appended`]), so an event is checked against its run without working out its
    /// position.
    expected: u64,
}

/// What one run costs, counted with the records.
pub(crate) const RUN_BYTES: usize = 16;

impl Seqs {
    /// Whether the newest run gives `seq` to the event about to take the next position.
    #[inline]
    pub(crate) fn in_run(&self, seq: u64) -> bool {
        seq == self.expected
    }

    /// An event took the next position (a record encoded is stored or queued at once, in
    /// the order encoded, as the arena needs too).
    #[inline]
    pub(crate) fn appended(&mut self) {
        self.expected = self.expected.wrapping_add(1);
    }

    /// Starts a run at `pos` (the next position) of numbers from `seq` on.
    #[cold]
    #[inline(never)]
    pub(crate) fn start_run(&mut self, pos: u64, seq: u64) {
        // Runs from `pos` on were those of events encoded there and never stored.
        while self.first >= pos {
            match self.older.pop_back() {
                Some((first, delta)) => (self.first, self.delta) = (first, delta),
                None => break,
            }
        }
        if self.first < pos {
            self.older.push_back((self.first, self.delta));
        }
        (self.first, self.delta) = (pos, seq.wrapping_sub(pos));
        self.expected = seq;
    }

    /// The number of the event at `pos`, kept by its run.
    #[inline]
    pub(crate) fn at(&self, pos: u64) -> u64 {
        if pos >= self.first {
            return pos.wrapping_add(self.delta);
        }
        self.in_older_run(pos)
    }

    #[cold]
    #[inline(never)]
    fn in_older_run(&self, pos: u64) -> u64 {
        let i = self.older.partition_point(|&(first, _)| first <= pos);
        let (_, delta) = self.older[i.max(1) - 1];
        pos.wrapping_add(delta)
    }

    /// The events before `base` are gone: runs that end before it are dropped.
    #[inline]
    pub(crate) fn evicted_to(&mut self, base: u64) {
        if !self.older.is_empty() {
            self.drop_runs_to(base);
        }
    }

    #[cold]
    #[inline(never)]
    fn drop_runs_to(&mut self, base: u64) {
        while !self.older.is_empty() {
            let next = self.older.get(1).map_or(self.first, |&(first, _)| first);
            if next > base {
                return;
            }
            self.older.pop_front();
        }
    }

    /// Runs held (the store's tests check the table stays small).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.older.len() + 1
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.older.capacity() * RUN_BYTES
    }

    /// A run holds the event at `pos`, the oldest held whose number is its run's
    /// (`check_indexes`).
    pub(crate) fn check(&self, pos: u64) -> Result<(), String> {
        let oldest = self.older.front().map_or(self.first, |&(first, _)| first);
        if oldest <= pos {
            Ok(())
        } else {
            Err(format!("no emission-number run holds the event at {pos}"))
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// `EventStore::seq_place` for a store whose previous event's number was `prev`: where
    /// the number of an event encoded at `pos` goes (not stored).
    fn place(s: &mut Seqs, pos: u64, seq: u64, prev: Option<u64>) -> SeqPlace {
        assert_eq!(
            s.expected,
            pos.wrapping_add(s.delta),
            "the run's next number"
        );
        if s.in_run(seq) {
            SeqPlace::Run
        } else if seq == 0 {
            SeqPlace::Zero
        } else if prev.is_none_or(|p| p.wrapping_add(1) == seq) {
            s.start_run(pos, seq);
            SeqPlace::Run
        } else {
            SeqPlace::Wide
        }
    }

    /// [`place`], the event then stored.
    fn put(s: &mut Seqs, pos: u64, seq: u64, prev: Option<u64>) -> SeqPlace {
        let placed = place(s, pos, seq, prev);
        s.appended();
        placed
    }

    #[test]
    fn numbers_in_step_with_positions_keep_one_run() {
        let mut s = Seqs::default();
        let mut prev = None;
        for pos in 0..1_000 {
            assert_eq!(put(&mut s, pos, pos + 7, prev), SeqPlace::Run);
            prev = Some(pos + 7);
        }
        assert_eq!(s.len(), 1);
        assert_eq!(s.at(500), 507);
    }

    #[test]
    fn a_skip_costs_one_wide_number_and_one_run() {
        let mut s = Seqs::default();
        assert_eq!(put(&mut s, 0, 1, None), SeqPlace::Run);
        assert_eq!(put(&mut s, 1, 2, Some(1)), SeqPlace::Run);
        assert_eq!(
            put(&mut s, 2, 9, Some(2)),
            SeqPlace::Wide,
            "numbers skipped"
        );
        assert_eq!(
            put(&mut s, 3, 10, Some(9)),
            SeqPlace::Run,
            "follows 9: a run"
        );
        assert_eq!(put(&mut s, 4, 11, Some(10)), SeqPlace::Run);
        assert_eq!(put(&mut s, 5, 0, Some(11)), SeqPlace::Zero);
        assert_eq!(s.len(), 2);
        assert_eq!((s.at(1), s.at(3), s.at(4)), (2, 10, 11));
        s.evicted_to(3);
        assert_eq!(s.len(), 1);
        assert_eq!(s.at(4), 11);
    }

    #[test]
    fn numbers_in_no_order_are_wide_and_make_no_runs() {
        let mut s = Seqs::default();
        assert_eq!(put(&mut s, 0, 50, None), SeqPlace::Run);
        let mut prev = 50;
        for (pos, seq) in [(1, 40), (2, 60), (3, 45), (4, 70), (5, 20)] {
            assert_eq!(put(&mut s, pos, seq, Some(prev)), SeqPlace::Wide);
            prev = seq;
        }
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn a_position_encoded_again_replaces_its_run() {
        let mut s = Seqs::default();
        put(&mut s, 0, 1, None);
        put(&mut s, 1, 5, Some(1));
        assert_eq!(place(&mut s, 2, 6, Some(5)), SeqPlace::Run, "a run from 2");
        // Position 2's event was never stored; another is encoded there.
        assert_eq!(place(&mut s, 2, 3, Some(5)), SeqPlace::Wide);
        assert_eq!(
            place(&mut s, 2, 6, Some(5)),
            SeqPlace::Run,
            "the run from 2"
        );
        // And once more, starting a run of its own there, stored this time.
        assert_eq!(put(&mut s, 2, 4, Some(3)), SeqPlace::Run, "follows 3");
        assert_eq!(put(&mut s, 3, 5, Some(4)), SeqPlace::Run);
        assert_eq!(s.len(), 2);
        assert_eq!((s.at(0), s.at(2), s.at(3)), (1, 4, 5));
    }
}
