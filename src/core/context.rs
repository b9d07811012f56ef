//! # The current-event context
//!
//! Parentage comes from "the operation I am running inside". On a single-threaded executor
//! many operations interleave, so a thread-local stack pushed before an `.await` and popped
//! after it would hand one task's parent to another. Instead, like `tracing`'s
//! `Instrumented`, an operation's future sets its frame around *each poll* of the work it
//! wraps ([`scope`], called by `core::emit`'s `Run`) and restores the previous one when the
//! poll returns (or unwinds). Whatever task is being polled therefore always sees its own
//! frame.
//!
//! The context is per thread, not per bus: operations on two buses nested in one another link
//! as they nest, as with the original's context variable.

use std::cell::Cell;

use uuid::Uuid;

use super::store::ParentHint;

/// What a nested operation needs of its enclosing one.
///
/// Two frames are equal when their three ids are: the hint the wrapper adds is where to
/// look for the enclosing start, not part of what the frame says.
#[derive(Clone, Copy, Debug, Default, Eq)]
pub struct Frame {
    /// The enclosing operation's start event: the parent of events emitted inside it.
    pub event_id: Uuid,
    /// The enclosing tree's root start event: becomes the `root_id` of events emitted inside.
    pub root_id: Uuid,
    /// The enclosing tree's lineage: becomes the `lineage_id` of events emitted inside.
    pub lineage_id: Uuid,
    /// Where the enclosing start's record was queued, so the bus finds its children's
    /// parent entry without hashing `event_id` (`core::store::parent_hints`); checked
    /// before use, so a frame copied anywhere stays correct.
    pub(crate) hint: ParentHint,
}

impl Frame {
    /// A frame naming an enclosing operation by its start event, root and lineage.
    pub fn new(event_id: Uuid, root_id: Uuid, lineage_id: Uuid) -> Frame {
        Frame {
            event_id,
            root_id,
            lineage_id,
            hint: ParentHint::NONE,
        }
    }
}

impl PartialEq for Frame {
    fn eq(&self, other: &Frame) -> bool {
        self.event_id == other.event_id
            && self.root_id == other.root_id
            && self.lineage_id == other.lineage_id
    }
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
