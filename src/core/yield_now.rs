//! A single yield to the executor, executor-agnostic (no timer, no runtime).

use std::future::Future;
use std::task::Poll;

/// Returns `Pending` once after waking itself, so every other ready task runs first.
pub fn yield_now() -> impl Future<Output = ()> {
    let mut yielded = false;
    futures::future::poll_fn(move |cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}
