//! # A batch's counts, added once
//!
//! The processor counts every event it records: per phase, per kind, whether it came out of
//! order, and marks it done. Counted one at a time, each event read and wrote the bus's
//! counters and its completion watermark through their cells, and the compiler cannot keep
//! them in registers across the store's calls. A [`Tally`] keeps what a batch adds up in
//! locals (events per phase, the newest number seen and the inversions, the run of numbers
//! done) and hands it over when the batch ends, or when a number breaks the run of done
//! ones. Nothing reads the counters or the watermark while a batch is recorded (it is
//! synchronous), so what anyone sees after it is what one-at-a-time counting showed.

use super::completion::Completion;
use super::Counters;
use crate::core::event::Phase;
use crate::core::store::symbols::Sym;

/// What one batch of recorded events adds to the counters and the completion.
pub(super) struct Tally<'a> {
    counters: &'a mut Counters,
    completion: &'a Completion,
    by_phase: [u64; 8],
    /// `Counters::max_seq_processed` and `order_inversions` as this batch moves them.
    max_seq: Option<u64>,
    inversions: u64,
    /// Numbers done and not yet marked: `done_len` of them from `done_from` on.
    done_from: u64,
    done_len: u64,
}

impl<'a> Tally<'a> {
    pub(super) fn new(counters: &'a mut Counters, completion: &'a Completion) -> Tally<'a> {
        Tally {
            max_seq: counters.max_seq_processed,
            inversions: 0,
            counters,
            completion,
            by_phase: [0; 8],
            done_from: 0,
            done_len: 0,
        }
    }

    /// Counts one recorded event and marks it done (`Counters::count` and
    /// `Completion::mark_done`, for a batch).
    #[inline]
    pub(super) fn count(&mut self, seq: u64, phase: Phase, kind: Sym) {
        self.by_phase[phase.index()] += 1;
        self.counters.count_kind(kind);
        match self.max_seq {
            Some(max) if seq < max => self.inversions += 1,
            Some(max) if seq == max => {}
            _ => self.max_seq = Some(seq),
        }
        if seq == self.done_from.wrapping_add(self.done_len) {
            self.done_len += 1;
        } else {
            self.mark_done();
            (self.done_from, self.done_len) = (seq, 1);
        }
    }

    #[inline]
    fn mark_done(&self) {
        if self.done_len > 0 {
            self.completion.mark_run_done(self.done_from, self.done_len);
        }
    }

    /// Hands the batch's counts over.
    pub(super) fn finish(self) {
        self.mark_done();
        let c = self.counters;
        for (total, n) in c.by_phase.iter_mut().zip(self.by_phase) {
            *total += n;
        }
        c.processed += self.by_phase.iter().sum::<u64>();
        c.order_inversions += self.inversions;
        c.max_seq_processed = self.max_seq;
    }
}
