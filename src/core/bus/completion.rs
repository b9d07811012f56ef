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

    /// Records that the `count` events numbered from `first` on are finished: what `count`
    /// calls of [`mark_done`](Self::mark_done) do, in one step when the run continues the
    /// watermark with nothing done ahead (a processor's batch, whose numbers usually run on
    /// from it). Flushes are woken in the order those calls would wake them: the nearest
    /// target first.
    #[inline]
    pub(super) fn mark_run_done(&self, first: u64, count: u64) {
        let w = self.watermark.get();
        if first == w && self.ahead.get() == 0 {
            let end = w + count;
            self.watermark.set(end);
            while self.first_target.get() <= end {
                self.wake_flushers(self.first_target.get());
            }
        } else {
            for seq in first..first + count {
                self.mark_done(seq);
            }
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

    /// A waker that writes its name down when woken.
    struct Named(u64, std::sync::Arc<std::sync::Mutex<Vec<u64>>>);

    impl std::task::Wake for Named {
        fn wake(self: std::sync::Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    /// Completions issued `issued` numbers with flushes waiting at each of `flushes_at`
    /// (how many numbers were issued when it was called), and the log their wakers write.
    fn with_flushes(
        issued: u64,
        flushes_at: &[u64],
    ) -> (Completion, std::sync::Arc<std::sync::Mutex<Vec<u64>>>) {
        let c = Completion::default();
        let log = std::sync::Arc::default();
        for _ in 0..issued {
            c.issue();
        }
        for &target in flushes_at {
            let waker = std::sync::Arc::new(Named(target, std::sync::Arc::clone(&log))).into();
            let mut flush = Flush {
                completion: &c,
                target,
            };
            let polled = Pin::new(&mut flush).poll(&mut Context::from_waker(&waker));
            assert!(polled.is_pending());
        }
        (c, log)
    }

    /// A run marked done at once leaves what its numbers marked one at a time leave: the
    /// watermark, the numbers done ahead, and the flushes woken, nearest target first,
    /// whether the run continues the watermark, lies ahead of a gap or closes one.
    #[test]
    fn a_run_marked_done_at_once_equals_its_numbers_marked_one_at_a_time() {
        let flushes = [9, 3, 6, 3, 12, 20];
        let runs: &[&[(u64, u64)]] = &[
            &[(0, 12)],
            &[(0, 4), (4, 8)],
            &[(5, 3), (0, 5), (8, 4)],
            &[(2, 1), (4, 2), (0, 2), (3, 1), (6, 6)],
            &[(0, 3), (1, 2), (3, 9)],
        ];
        for case in runs {
            let (at_once, log_at_once) = with_flushes(20, &flushes);
            let (one_by_one, log_one_by_one) = with_flushes(20, &flushes);
            for &(first, count) in *case {
                at_once.mark_run_done(first, count);
                for seq in first..first + count {
                    one_by_one.mark_done(seq);
                }
                assert_eq!(at_once.watermark.get(), one_by_one.watermark.get());
                assert_eq!(
                    *at_once.done_ahead.borrow(),
                    *one_by_one.done_ahead.borrow()
                );
                assert_eq!(at_once.ahead.get(), one_by_one.ahead.get());
                assert_eq!(at_once.first_target.get(), one_by_one.first_target.get());
                assert_eq!(
                    *log_at_once.lock().unwrap(),
                    *log_one_by_one.lock().unwrap()
                );
            }
            assert_eq!(at_once.watermark.get(), 12, "{case:?}");
            assert_eq!(*log_at_once.lock().unwrap(), vec![3, 3, 6, 9, 12]);
            assert_eq!(at_once.first_target.get(), 20);
        }
    }
}
