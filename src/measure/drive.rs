//! # Driving a batch to completion
//!
//! Timed code must run the same way natively and on the browser's main thread, where a thread
//! may not park. [`drive`] polls the batch future directly and, whenever it is pending, lets
//! the bus's [`LocalPool`] run every task that can progress (the processor, fire-and-forget
//! puts), then polls again. Nothing ever sleeps, so nothing but the work itself is timed.
//!
//! Polling directly (rather than spawning the batch) also lets the ablation time the emitting
//! side alone: a future polled here runs while the processor, which lives in the pool, does
//! not.

use std::future::Future;
use std::task::{Context, Poll};

use futures::executor::LocalPool;

/// Rounds of poll + run-the-pool after which a batch is declared stalled.
const STALL_LIMIT: usize = 1 << 20;

/// Runs `fut` to completion, running `pool` whenever `fut` waits. Panics if neither makes
/// progress for `STALL_LIMIT` rounds: a batch that waits on something outside the pool is a
/// bug in the measurement, not a slow run.
pub fn drive<F: Future>(pool: &mut LocalPool, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    for _ in 0..STALL_LIMIT {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
        pool.run_until_stalled();
    }
    panic!("a measured batch stalled: it waits on something the bus's pool never provides");
}

/// Like [`drive`], and also returns the nanoseconds `clock` saw the pool run while `fut`
/// waited: background work (the processor, spawned puts) that ran on the caller's time.
/// The clock is read only around those runs, so a future that never waits costs no reading.
pub fn drive_timed<F: Future>(
    pool: &mut LocalPool,
    fut: F,
    clock: &dyn crate::core::Clock,
) -> (F::Output, u64) {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    let mut in_pool = 0u64;
    for _ in 0..STALL_LIMIT {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return (out, in_pool);
        }
        let t0 = clock.now_ns();
        pool.run_until_stalled();
        in_pool += clock.now_ns().saturating_sub(t0);
    }
    panic!("a measured batch stalled: it waits on something the bus's pool never provides");
}

/// Splits `ops` operations starting at `first` into ranges of at most `chunk`.
pub fn chunks(
    first: usize,
    ops: usize,
    chunk: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> {
    let chunk = chunk.max(1);
    (0..ops.div_ceil(chunk)).map(move |i| {
        let start = first + i * chunk;
        start..(start + chunk).min(first + ops)
    })
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn chunks_cover_every_operation_once() {
        let ranges: Vec<_> = chunks(10, 2_500, 1_024).collect();
        assert_eq!(ranges, vec![10..1_034, 1_034..2_058, 2_058..2_510]);
        assert_eq!(chunks(0, 0, 1_024).count(), 0);
    }

    #[test]
    fn drive_finishes_a_future_that_needs_the_pool() {
        use futures::task::LocalSpawnExt;
        let mut pool = LocalPool::new();
        let (tx, rx) = futures::channel::oneshot::channel();
        pool.spawner()
            .spawn_local(async move {
                crate::core::yield_now::yield_now().await;
                tx.send(7).unwrap();
            })
            .unwrap();
        assert_eq!(drive(&mut pool, rx), Ok(7));
    }

    #[test]
    fn drive_timed_counts_only_the_pool_while_the_future_waits() {
        use crate::core::ManualClock;
        use futures::task::LocalSpawnExt;
        let clock = ManualClock::new();
        let mut pool = LocalPool::new();
        let (tx, rx) = futures::channel::oneshot::channel();
        let in_task = clock.clone();
        pool.spawner()
            .spawn_local(async move {
                in_task.advance(250);
                tx.send(1).unwrap();
            })
            .unwrap();
        let (out, background) = drive_timed(&mut pool, rx, &clock);
        assert_eq!((out, background), (Ok(1), 250));
        // A future that never waits reads no clock and counts nothing.
        assert_eq!(drive_timed(&mut pool, async { 2 }, &clock), (2, 0));
    }
}
