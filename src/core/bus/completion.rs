//! # Completion: what a flush waits for
//!
//! Every event gets the bus's next sequence number when it is made, and is *done* once the
//! processor has recorded it and run its handlers, or once the bus has refused it.
//! [`EventBus::flush`](super::EventBus::flush) must resolve when every event emitted before
//! the call is done, and puts do not arrive in sequence order: a fire-and-forget put spawned
//! first reaches the queue after an awaited put made later, a put waiting on a full queue is
//! overtaken, an event is made and only then offered. So neither "the queue is empty" nor
//! "the newest event was processed" answers the question.
//!
//! The answer kept here is a watermark: every sequence number below it is done. A number
//! done ahead of a gap waits in a small ordered set until the gap closes, and the watermark
//! then jumps over the whole run. A flush remembers the number the next event would get
//! when it was called and is ready once the watermark reaches it: one comparison per poll,
//! and completions that arrive in order (the common case) never touch the set.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Sequence numbers handed out, and which of them are done.
///
/// Events usually finish in the order they were numbered, with no flush waiting yet: the
/// two counters below let that case advance the watermark without touching the set or the
/// waiters (two `RefCell` borrows per event, measured at 50 instructions of the processor's
/// ~700 per event).
pub(super) struct Completion {
    /// The sequence number the next event gets.
    next_seq: Cell<u64>,
    /// Every sequence number below this is done (processed or refused).
    watermark: Cell<u64>,
    /// Done sequence numbers above the watermark (out-of-order completions).
    done_ahead: RefCell<BTreeSet<u64>>,
    /// Flushes waiting, with the watermark each waits for.
    flush_waiters: RefCell<Vec<(u64, Waker)>>,
    /// How many numbers `done_ahead` holds.
    ahead: Cell<usize>,
    /// The lowest watermark a waiting flush waits for (`u64::MAX`: none waits).
    first_target: Cell<u64>,
}

impl Default for Completion {
    fn default() -> Completion {
        Completion {
            next_seq: Cell::new(0),
            watermark: Cell::new(0),
            done_ahead: RefCell::default(),
            flush_waiters: RefCell::default(),
            ahead: Cell::new(0),
            first_target: Cell::new(u64::MAX),
        }
    }
}

impl Completion {
    /// Hands out the next sequence number.
    #[inline]
    pub(super) fn issue(&self) -> u64 {
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        seq
    }

    /// How many sequence numbers were handed out (events emitted).
    pub(super) fn issued(&self) -> u64 {
        self.next_seq.get()
    }

    /// Records that event `seq` is finished and advances the watermark.
    ///
    /// The common case inline (the next number, nothing done ahead, no flush reached): one
    /// store. The whole function was outlined, and its call cost more than its work.
    #[inline]
    pub(super) fn mark_done(&self, seq: u64) {
        let w = self.watermark.get();
        if seq == w && self.ahead.get() == 0 && w + 1 < self.first_target.get() {
            self.watermark.set(w + 1);
        } else {
            self.mark_done_slow(seq);
        }
    }

    #[inline(never)]
    fn mark_done_slow(&self, seq: u64) {
        let w = self.watermark.get();
        if seq == w {
            let mut w = w + 1;
            if self.ahead.get() > 0 {
                let mut ahead = self.done_ahead.borrow_mut();
                while ahead.first() == Some(&w) {
                    ahead.pop_first();
                    w += 1;
                }
                self.ahead.set(ahead.len());
            }
            self.watermark.set(w);
            if w >= self.first_target.get() {
                self.wake_flushers(w);
            }
        } else if seq > w {
            let mut ahead = self.done_ahead.borrow_mut();
            ahead.insert(seq);
            self.ahead.set(ahead.len());
        }
    }

    fn wake_flushers(&self, watermark: u64) {
        let mut waiters = self.flush_waiters.borrow_mut();
        let mut i = 0;
        let mut first = u64::MAX;
        while i < waiters.len() {
            if waiters[i].0 <= watermark {
                waiters.swap_remove(i).1.wake();
            } else {
                first = first.min(waiters[i].0);
                i += 1;
            }
        }
        self.first_target.set(first);
    }

    /// A wait for every sequence number handed out so far.
    pub(super) fn flush(&self) -> Flush<'_> {
        Flush {
            completion: self,
            target: self.next_seq.get(),
        }
    }
}

/// See [`EventBus::flush`](super::EventBus::flush).
#[must_use = "flush does nothing unless awaited"]
pub struct Flush<'a> {
    completion: &'a Completion,
    target: u64,
}

impl Future for Flush<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let c = self.completion;
        if c.watermark.get() >= self.target {
            Poll::Ready(())
        } else {
            c.flush_waiters
                .borrow_mut()
                .push((self.target, cx.waker().clone()));
            c.first_target.set(c.first_target.get().min(self.target));
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use futures::FutureExt;

    use super::*;

    #[test]
    fn a_flush_waits_for_every_number_issued_before_it_whatever_order_they_finish_in() {
        let c = Completion::default();
        let seqs: Vec<u64> = (0..4).map(|_| c.issue()).collect();
        let mut flush = c.flush();
        let later = c.issue();
        for &seq in &[seqs[3], seqs[1], seqs[2]] {
            c.mark_done(seq);
            assert!((&mut flush).now_or_never().is_none(), "0 is not done yet");
        }
        c.mark_done(seqs[0]);
        assert_eq!(c.watermark.get(), 4, "the watermark jumps over the run");
        assert!(c.done_ahead.borrow().is_empty());
        assert!(flush.now_or_never().is_some());
        assert!(c.flush().now_or_never().is_none(), "{later} is still open");
        c.mark_done(later);
        assert!(c.flush().now_or_never().is_some());
    }

    #[test]
    fn finishing_a_number_wakes_only_the_flushes_it_completes() {
        let c = Completion::default();
        let first = c.issue();
        let mut early = Box::pin(c.flush());
        let second = c.issue();
        let mut late = Box::pin(c.flush());
        assert!(early.as_mut().now_or_never().is_none());
        assert!(late.as_mut().now_or_never().is_none());
        assert_eq!(c.flush_waiters.borrow().len(), 2);
        c.mark_done(first);
        assert_eq!(
            c.flush_waiters.borrow().len(),
            1,
            "the early flush was woken"
        );
        assert!(early.as_mut().now_or_never().is_some());
        c.mark_done(second);
        assert!(c.flush_waiters.borrow().is_empty());
        assert!(late.as_mut().now_or_never().is_some());
    }

    #[test]
    fn a_number_finished_twice_or_below_the_watermark_changes_nothing() {
        let c = Completion::default();
        let a = c.issue();
        let b = c.issue();
        c.mark_done(a);
        c.mark_done(a);
        assert_eq!(c.watermark.get(), 1);
        assert!(c.done_ahead.borrow().is_empty());
        c.mark_done(b);
        assert_eq!(c.watermark.get(), 2);
    }
}
