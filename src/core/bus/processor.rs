//! # The processor
//!
//! One background task per bus takes events off the queue in FIFO order, appends each to
//! the history, counts it, runs the matching handlers in priority order (awaiting async ones
//! in turn), and only then marks it done. It yields to other tasks every [`PROCESS_BUDGET`]
//! events, so a long burst does not starve the emitters, and stops once the bus is shut down
//! and the queue is empty. While nobody subscribes there is no handler to await, so it
//! records what is queued in one synchronous batch (up to the same budget) instead of one
//! turn of its loop per event.

use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::future::poll_fn;
use futures::FutureExt;

use super::tally::Tally;
use super::{Counters, Inner, STOPPED};
use crate::core::event::Event;
use crate::core::stats::HandlerFailure;
use crate::core::store::symbols::Sym;
use crate::core::subscription::{Handler, SubscriptionId};
use crate::core::yield_now::yield_now;

/// How many handler failures are kept for inspection.
const FAILURES_KEPT: usize = 1_000;
/// Events the processor handles per poll before yielding to other tasks.
const PROCESS_BUDGET: usize = 1_024;
/// Events recorded with one reading of the clock for their processing time. A clock read
/// costs about as much as recording a small event (≈30 ns natively, more through
/// `performance.now()`), so within a burst the processor reads it once per this many events;
/// a processing time is then at most that many events' processing (a few µs) early.
const PROCESSED_CLOCK_EVERY: u32 = 32;

/// The background task: drain the queue in FIFO order, record, run handlers.
pub(super) async fn run_processor(inner: Rc<Inner>) {
    let mut handlers: Vec<(SubscriptionId, Handler)> = Vec::new();
    let mut budget = PROCESS_BUDGET;
    let mut now = 0;
    let mut reads_left = 0u32;
    while poll_fn(|cx| {
        let ready = inner.poll_nonempty(cx);
        if ready.is_pending() {
            // The burst is over: the next event gets a fresh reading.
            reads_left = 0;
        }
        ready
    })
    .await
    {
        if inner.registry.len() == 0 {
            // No handler to run: record what is queued in one go, up to the budget.
            budget -= inner.record_unheard(budget, &mut now, &mut reads_left);
            if budget == 0 {
                budget = PROCESS_BUDGET;
                reads_left = 0;
                yield_now().await;
            }
            continue;
        }
        if reads_left == 0 {
            now = inner.clock.now_ns();
            reads_left = PROCESSED_CLOCK_EVERY;
        }
        reads_left -= 1;
        let mut for_handlers = None;
        let Some(seq) = inner.record_front(&mut handlers, &mut for_handlers, now) else {
            continue;
        };
        if let Some(event) = for_handlers {
            for (sub, handler) in handlers.drain(..) {
                inner.counters.borrow_mut().handler_calls += 1;
                let outcome = match handler {
                    Handler::Sync(h) => std::panic::catch_unwind(AssertUnwindSafe(|| h(&event))),
                    Handler::Async(h) => AssertUnwindSafe(h(event.clone())).catch_unwind().await,
                };
                match outcome {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => inner.handler_failed(sub, &event, e.0, false),
                    Err(p) => inner.handler_failed(sub, &event, panic_message(&*p), true),
                }
            }
            // Handlers may have awaited for a while: read the clock afresh.
            reads_left = 0;
        }
        inner.completion.mark_done(seq);
        budget -= 1;
        if budget == 0 {
            budget = PROCESS_BUDGET;
            reads_left = 0;
            yield_now().await;
        }
    }
    inner.processor_finished.set(true);
    for w in inner.finish_waiters.borrow_mut().drain(..) {
        w.wake();
    }
}

impl Inner {
    pub(super) fn wake_processor(&self) {
        if let Some(w) = self.processor_waker.borrow_mut().take() {
            w.wake();
        }
    }

    /// Ready when an event is queued (`true`) or the bus has stopped with nothing left
    /// (`false`); otherwise parks the processor.
    fn poll_nonempty(&self, cx: &mut Context<'_>) -> Poll<bool> {
        if self.history.borrow().pending() > 0 {
            return Poll::Ready(true);
        }
        if self.state.get() == STOPPED {
            return Poll::Ready(false);
        }
        *self.processor_waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Takes the next event off the queue, counts it and makes it held in the history;
    /// returns its sequence number, and leaves a copy in `for_handlers` if any handler
    /// accepts it (an out-parameter: returning an `Option<Event>` copied ~300 bytes even
    /// when `None`).
    ///
    /// Synchronous on purpose: the record stays in the ring slot the put wrote it to
    /// (`core::store::pending`); the processor only reads it, indexes it and counts it.
    #[inline]
    fn record_front(
        &self,
        handlers: &mut Vec<(SubscriptionId, Handler)>,
        for_handlers: &mut Option<Event>,
        now: u64,
    ) -> Option<u64> {
        let mut history = self.history.borrow_mut();
        let queued = history.pending();
        let (pos, record) = history.pending_front_at()?;
        let (seq, phase, kind) = (
            history.seq(pos, record),
            record.phase,
            history.kind_sym(record),
        );
        if queued >= self.queue_capacity {
            // Waking only schedules the waiting puts: they run after this borrow ends.
            for w in self.put_waiters.borrow_mut().drain(..) {
                w.wake();
            }
        }
        self.counters.borrow_mut().count(seq, phase.index(), kind);
        if self.registry.len() > 0 {
            // Filters and handlers see the public event: decoded only when someone listens.
            let (pos, record) = history.pending_front_at().expect("queued");
            let event = history.decode(pos, record);
            self.registry.matching(&event, handlers);
            if !handlers.is_empty() {
                *for_handlers = Some(event);
            }
        }
        history.process_pending(now);
        Some(seq)
    }

    /// Records up to `budget` queued events while nobody listens, under one borrow of the
    /// history and the counters (an event costs what the store's indexes cost, not a turn of
    /// the processor's loop each); returns how many. Each is done as soon as it is held, as
    /// in the loop: with no handler, recording is all its processing. The store makes them
    /// held a run at a time, a run being the events that share a reading of the clock
    /// (`EventStore::process_pending_run`), and a [`Tally`] adds their counts up.
    fn record_unheard(&self, budget: usize, now: &mut u64, reads_left: &mut u32) -> usize {
        let mut history = self.history.borrow_mut();
        let queued = history.pending();
        if queued >= self.queue_capacity {
            for w in self.put_waiters.borrow_mut().drain(..) {
                w.wake();
            }
        }
        let n = queued.min(budget);
        let mut counters = self.counters.borrow_mut();
        let mut tally = Tally::new(&mut counters, &self.completion);
        let mut left = n;
        while left > 0 {
            if *reads_left == 0 {
                *now = self.clock.now_ns();
                *reads_left = PROCESSED_CLOCK_EVERY;
            }
            let run = left.min(*reads_left as usize);
            history.process_pending_run(run, *now, |seq, phase, kind| {
                tally.count(seq, phase, kind);
            });
            *reads_left -= run as u32;
            left -= run;
        }
        tally.finish();
        n
    }

    fn handler_failed(&self, sub: SubscriptionId, event: &Event, message: String, panicked: bool) {
        {
            let mut c = self.counters.borrow_mut();
            if panicked {
                c.handler_panics += 1;
            } else {
                c.handler_errors += 1;
            }
        }
        let mut f = self.failures.borrow_mut();
        if f.len() == FAILURES_KEPT {
            f.pop_front();
        }
        f.push_back(HandlerFailure {
            subscription: sub,
            event_id: event.id,
            event_kind: event.kind.clone(),
            message,
            panicked,
        });
    }
}

impl Counters {
    /// Counts one processed event.
    #[inline]
    fn count(&mut self, seq: u64, phase: usize, kind: Sym) {
        self.processed += 1;
        self.by_phase[phase] += 1;
        self.count_kind(kind);
        match self.max_seq_processed {
            Some(max) if seq < max => self.order_inversions += 1,
            Some(max) if seq == max => {}
            _ => self.max_seq_processed = Some(seq),
        }
    }

    /// Counts one processed event of `kind`.
    #[inline]
    pub(super) fn count_kind(&mut self, kind: Sym) {
        let k = kind.0 as usize;
        if k >= self.by_kind_sym.len() {
            self.by_kind_sym.resize(k + 1, 0);
        }
        // One bounds check, not three.
        let n = &mut self.by_kind_sym[k];
        if *n == 0 {
            self.kind_order.push(kind);
        }
        *n += 1;
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_owned()
    }
}
