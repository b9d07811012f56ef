//! # The current-event context
//!
//! Parentage comes from "the operation I am running inside". On a single-threaded executor
//! many operations interleave, so a thread-local stack pushed before an `.await` and popped
//! after it would hand one task's parent to another. Instead, like `tracing`'s
//! `Instrumented`, [`InContext`] sets the current frame around *each poll* of the wrapped
//! future and restores the previous one when the poll returns (or unwinds). Whatever task is
//! being polled therefore always sees its own frame.
//!
//! The context is per thread, not per bus: operations on two buses nested in one another link
//! as they nest, as with the original's context variable.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use uuid::Uuid;

/// What a nested operation needs of its enclosing one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The enclosing operation's start event: the parent of events emitted inside it.
    pub event_id: Uuid,
    /// The enclosing tree's root start event: becomes the `root_id` of events emitted inside.
    pub root_id: Uuid,
    /// The enclosing tree's lineage: becomes the `lineage_id` of events emitted inside.
    pub lineage_id: Uuid,
}

thread_local! {
    static CURRENT: Cell<Option<Frame>> = const { Cell::new(None) };
}

/// The frame of the operation being polled right now, if any.
#[inline]
pub fn current() -> Option<Frame> {
    CURRENT.with(Cell::get)
}

/// Restores the previous frame when dropped, so a panic inside a poll leaves the context as
/// it found it.
struct Restore(Option<Frame>);

impl Drop for Restore {
    #[inline]
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

#[inline]
fn enter(frame: Frame) -> Restore {
    Restore(CURRENT.with(|c| c.replace(Some(frame))))
}

/// Runs `f` with `frame` as the current frame.
pub fn scope<R>(frame: Frame, f: impl FnOnce() -> R) -> R {
    let _restore = enter(frame);
    f()
}

pin_project_lite::pin_project! {
    /// A future that runs every poll of `inner` inside `frame`.
    pub struct InContext<F> {
        frame: Frame,
        #[pin]
        inner: F,
    }
}

impl<F> InContext<F> {
    /// Wraps `inner` so that each of its polls runs with `frame` as the current frame.
    pub fn new(frame: Frame, inner: F) -> InContext<F> {
        InContext { frame, inner }
    }
}

impl<F: Future> Future for InContext<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let _restore = enter(*this.frame);
        this.inner.poll(cx)
    }
}
