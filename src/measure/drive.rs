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
/// progress for [`STALL_LIMIT`] rounds: a batch that waits on something outside the pool is a
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
}
