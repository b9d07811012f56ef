//! # A recorded operation
//!
//! The future [`Operation::run`](super::Operation::run) returns when the mode records: the
//! work, the factories, and where the operation is ([`Step`]). The events themselves are put
//! by [`super::open::OpenOperation`], which also owns what the end event needs.

use std::fmt::Display;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::open::OpenOperation;
use super::{ResultFactory, StartFactory};
use crate::core::bus::Put;
use crate::core::context;
use crate::core::event::Phase;

/// Where a [`Recorded`] operation is, holding only what its next steps need: the start
/// factory and kind until the start is put, the end factories and kind until the end is
/// put, the output while the end waits for room. One enum instead of a step beside three
/// `Option`ed factories and an `Option`ed output: those never live at once, and a level's
/// future (moved whole whenever its parent moves) is that much smaller.
pub(super) enum Stage<S, D, F, O> {
    NotStarted {
        start: S,
        start_kind: &'static str,
        ends: Ends<D, F>,
    },
    /// The start event waits for room in a full queue.
    PuttingStart(Ends<D, F>),
    Running(Ends<D, F>),
    /// The end event waits for room in a full queue; the output is kept meanwhile.
    PuttingEnd(O),
    Done,
}

/// What the end event needs of the operation's definition.
pub(super) struct Ends<D, F> {
    pub(super) end: D,
    pub(super) failed: F,
    pub(super) end_kind: &'static str,
}

pin_project_lite::pin_project! {
    /// An operation whose events are recorded.
    ///
    /// ## Why a hand-written future
    /// An `async fn` wrapper keeps its `work` argument *and* the awaited work in separate
    /// slots of its state, and the events it awaits to put as well; nested three deep, the
    /// future of one call grew to 23 KB, and moving it cost more than emitting its six events.
    /// This state machine holds the work once, puts events without keeping them (only a
    /// full queue boxes a wait), and costs a few hundred bytes over the work itself.
    #[project = RecordedProj]
    pub struct Recorded<'a, S, D, F, W>
    where
        W: Future,
    {
        // Drop order matters on cancellation: the work first (inner operations close before
        // outer ones), then a pending put (its event is queued), then the open operation
        // (which emits the cancelled end event).
        #[pin]
        pub(super) work: W,
        pub(super) wait: Option<Pin<Box<Put<'a>>>>,
        pub(super) open: OpenOperation<'a>,
        pub(super) stage: Stage<S, D, F, W::Output>,
    }
}

impl<S, D, F, W, T, E> Future for Recorded<'_, S, D, F, W>
where
    S: StartFactory,
    D: ResultFactory<T>,
    F: ResultFactory<E>,
    E: Display,
    W: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, E>> {
        let mut this = self.project();
        loop {
            match *this.stage {
                Stage::NotStarted { .. } => {
                    let Stage::NotStarted {
                        start,
                        start_kind,
                        ends,
                    } = mem::replace(this.stage, Stage::Done)
                    else {
                        unreachable!("matched above")
                    };
                    let open = &mut *this.open;
                    *this.wait = start.put_into(open.bus, |p| open.start(start_kind, p));
                    *this.stage = if this.wait.is_some() {
                        Stage::PuttingStart(ends)
                    } else {
                        Stage::Running(ends)
                    };
                }
                Stage::PuttingStart(_) | Stage::PuttingEnd(_) => {
                    if let Some(wait) = this.wait.as_mut() {
                        ready!(wait.as_mut().poll(cx));
                    }
                    *this.wait = None;
                    match mem::replace(this.stage, Stage::Done) {
                        Stage::PuttingStart(ends) => *this.stage = Stage::Running(ends),
                        Stage::PuttingEnd(output) => return Poll::Ready(output),
                        _ => unreachable!("matched above"),
                    }
                }
                Stage::Running(_) => {
                    let frame = this.open.frame;
                    let work = this.work.as_mut();
                    let result = ready!(context::scope(frame, || work.poll(cx)));
                    let Stage::Running(ends) = mem::replace(this.stage, Stage::Done) else {
                        unreachable!("matched above")
                    };
                    *this.wait = end(ends, this.open, &result);
                    if this.wait.is_none() {
                        return Poll::Ready(result);
                    }
                    *this.stage = Stage::PuttingEnd(result);
                }
                Stage::Done => panic!("an operation's future was polled after it completed"),
            }
        }
    }
}

/// Puts the end event the result calls for: completed with the end factory's payload, or
/// failed with the failure factory's and the error's message.
#[inline]
fn end<'a, D, F, T, E>(
    ends: Ends<D, F>,
    open: &mut OpenOperation<'a>,
    result: &Result<T, E>,
) -> Option<Pin<Box<Put<'a>>>>
where
    D: ResultFactory<T>,
    F: ResultFactory<E>,
    E: Display,
{
    match result {
        Ok(value) => {
            let kind = ends.end_kind;
            ends.end.put_into(value, open.bus, |p| {
                open.end(kind, Phase::Completed, p, None)
            })
        }
        Err(error) => {
            let message = error.to_string();
            let kind = open.failed_kind;
            ends.failed.put_into(error, open.bus, |p| {
                open.end(kind, Phase::Failed, p, Some(&message))
            })
        }
    }
}
