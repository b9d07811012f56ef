//! # Pacing: a long run hands the thread back in time
//!
//! In the browser the simulated pipeline, the bus and the page share one thread. The page's
//! executor (`LocalPool::run_until_stalled`) runs every ready task until none is left, so a
//! configured run of 50 operations × 8 levels × 10 000 000 iterations of work, or 100
//! subscribers spending 10 000 000 iterations each on every event, held the page for seconds:
//! no paint, no click, no way to stop it.
//!
//! A [`Pacer`] is a deadline on a [`Clock`]. The paced work checks it at every level, between
//! chunks of busy work and between simulated handler calls ([`Pacer::checkpoint`]); once the
//! deadline has passed, the checkpoint parks its task instead of going on. When every task is
//! parked the executor stalls, `run_until_stalled` returns, and the page gets its thread back.
//! [`Pacer::begin`] sets the next deadline and wakes the parked tasks, which carry on exactly
//! where they stopped. Nothing is dropped or reordered: a paced run records what an unpaced
//! one does, only spread over several turns of the page.
//!
//! The longest time the thread is held is the budget plus the longest step that cannot be
//! cut: one chunk of work ([`SPIN_CHUNK`] iterations), or one call of a simulated *sync*
//! handler, which by definition runs to completion (at most the form's 10 000 000
//! iterations, about 10 ms).
//!
//! Only the replay paces; the measurement and the command line run unpaced.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::core::Clock;

/// Spins `iterations` times in a way the optimiser cannot remove: simulated CPU work.
#[inline]
pub(crate) fn spin(iterations: u32) {
    let mut x = 0u64;
    for i in 0..iterations {
        x = black_box(x.wrapping_add(i as u64));
    }
    black_box(x);
}

/// Iterations of busy work between two looks at the clock: a fraction of a millisecond,
/// so a long `work / level` or handler cost is cut finely, while the clock (≈ 50 ns through
/// `performance.now()`) is read rarely enough not to matter.
pub(crate) const SPIN_CHUNK: u32 = 200_000;

/// A deadline shared by the tasks of one run; see the module docs. Cloning shares it.
#[derive(Clone)]
pub struct Pacer(Rc<State>);

struct State {
    clock: Rc<dyn Clock>,
    /// Clock time (ns) after which checkpoints park.
    deadline: Cell<u64>,
    parked: RefCell<Vec<Waker>>,
    /// How many times a checkpoint has parked a task (for tests and curiosity).
    pauses: Cell<u64>,
}

impl Pacer {
    /// A pacer on `clock` with no deadline yet: checkpoints park until [`Pacer::begin`].
    pub fn new(clock: Rc<dyn Clock>) -> Pacer {
        Pacer(Rc::new(State {
            clock,
            deadline: Cell::new(0),
            parked: RefCell::new(Vec::new()),
            pauses: Cell::new(0),
        }))
    }

    /// Starts a turn: checkpoints pass for the next `budget_ns` of clock time, and every task
    /// parked at a checkpoint is woken.
    pub fn begin(&self, budget_ns: u64) {
        let now = self.0.clock.now_ns();
        self.0.deadline.set(now.saturating_add(budget_ns));
        for w in self.0.parked.borrow_mut().drain(..) {
            w.wake();
        }
    }

    /// Has this turn's budget been spent?
    pub fn out_of_time(&self) -> bool {
        self.0.clock.now_ns() >= self.0.deadline.get()
    }

    /// Tasks parked so far, over all turns.
    pub fn pauses(&self) -> u64 {
        self.0.pauses.get()
    }

    /// Completes at once while the turn lasts; after its deadline, parks the task until the
    /// next [`Pacer::begin`].
    pub fn checkpoint(&self) -> Checkpoint<'_> {
        Checkpoint {
            pacer: self,
            parked: false,
        }
    }

    /// The simulated work (the free `spin`) cut into chunks of `SPIN_CHUNK` iterations with
    /// a checkpoint between two.
    pub async fn spin(&self, iterations: u32) {
        let mut left = iterations;
        while left > 0 {
            let n = left.min(SPIN_CHUNK);
            spin(n);
            left -= n;
            if left > 0 {
                self.checkpoint().await;
            }
        }
    }
}

/// The future of [`Pacer::checkpoint`].
#[must_use = "a checkpoint pauses only when awaited"]
pub struct Checkpoint<'a> {
    pacer: &'a Pacer,
    parked: bool,
}

impl Future for Checkpoint<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if !self.pacer.out_of_time() {
            return Poll::Ready(());
        }
        if !self.parked {
            self.parked = true;
            let s = &self.pacer.0;
            s.pauses.set(s.pauses.get() + 1);
        }
        self.pacer.0.parked.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use std::rc::Rc;

    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;

    use super::*;
    use crate::core::ManualClock;

    #[test]
    fn a_checkpoint_passes_within_the_budget_and_parks_after_it_until_the_next_turn() {
        let clock = ManualClock::new();
        let pacer = Pacer::new(Rc::new(clock.clone()));
        let mut pool = LocalPool::new();
        let passed = Rc::new(Cell::new(0));
        let (p, n) = (pacer.clone(), passed.clone());
        pool.spawner()
            .spawn_local(async move {
                for _ in 0..3 {
                    p.checkpoint().await;
                    n.set(n.get() + 1);
                }
            })
            .unwrap();
        pacer.begin(1_000);
        pool.run_until_stalled();
        assert_eq!(passed.get(), 3, "within the budget nothing parks");

        let passed = Rc::new(Cell::new(0));
        let (p, n) = (pacer.clone(), passed.clone());
        pool.spawner()
            .spawn_local(async move {
                p.checkpoint().await;
                n.set(n.get() + 1);
            })
            .unwrap();
        clock.advance(1_000);
        pool.run_until_stalled();
        assert_eq!(passed.get(), 0, "after the deadline the task parks");
        assert_eq!(pacer.pauses(), 1);
        pacer.begin(1_000);
        pool.run_until_stalled();
        assert_eq!(passed.get(), 1, "the next turn wakes it where it stopped");
    }
}
