//! # A recorded operation
//!
//! The future [`Operation::run`](super::Operation::run) returns when the mode records: the
//! work, the factories, and where the operation is ([`Step`]). The events themselves are put
//! by [`super::open::OpenOperation`], which also owns what the end event needs.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::open::OpenOperation;
use super::{ResultFactory, StartFactory};
use crate::core::bus::Put;
use crate::core::context;
use crate::core::event::Phase;
use crate::core::mode::EmitMode;

/// Where a [`Recorded`] operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    NotStarted,
    /// The start event waits for room in a full queue.
    PuttingStart,
    Running,
    /// The end event waits for room in a full queue; the output is kept meanwhile.
    PuttingEnd,
    Done,
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
        pub(super) step: Step,
        pub(super) mode: EmitMode,
        pub(super) start_kind: &'static str,
        pub(super) end_kind: &'static str,
        pub(super) start: Option<S>,
        pub(super) end: Option<D>,
        pub(super) failed: Option<F>,
        pub(super) output: Option<W::Output>,
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
            match *this.step {
                Step::NotStarted => {
                    let factory = this.start.take().expect("start factory called once");
                    let (open, kind, mode) = (&mut *this.open, *this.start_kind, *this.mode);
                    *this.wait = factory.put_into(open.bus, |p| open.start(kind, p, mode));
                    *this.step = if this.wait.is_some() {
                        Step::PuttingStart
                    } else {
                        Step::Running
                    };
                }
                Step::PuttingStart | Step::PuttingEnd => {
                    if let Some(wait) = this.wait.as_mut() {
                        ready!(wait.as_mut().poll(cx));
                    }
                    *this.wait = None;
                    if *this.step == Step::PuttingStart {
                        *this.step = Step::Running;
                    } else {
                        *this.step = Step::Done;
                        return Poll::Ready(this.output.take().expect("output kept while putting"));
                    }
                }
                Step::Running => {
                    let frame = this.open.frame;
                    let work = this.work.as_mut();
                    let result = ready!(context::scope(frame, || work.poll(cx)));
                    *this.wait = end(&mut this, &result);
                    if this.wait.is_none() {
                        *this.step = Step::Done;
                        return Poll::Ready(result);
                    }
                    *this.output = Some(result);
                    *this.step = Step::PuttingEnd;
                }
                Step::Done => panic!("an operation's future was polled after it completed"),
            }
        }
    }
}

/// Puts the end event the result calls for: completed with the end factory's payload, or
/// failed with the failure factory's and the error's message.
#[inline]
fn end<'a, S, D, F, W, T, E>(
    this: &mut RecordedProj<'_, 'a, S, D, F, W>,
    result: &Result<T, E>,
) -> Option<Pin<Box<Put<'a>>>>
where
    D: ResultFactory<T>,
    F: ResultFactory<E>,
    E: Display,
    W: Future<Output = Result<T, E>>,
{
    let mode = *this.mode;
    match result {
        Ok(value) => {
            let factory = this.end.take().expect("end factory called once");
            let (open, kind) = (&mut *this.open, *this.end_kind);
            factory.put_into(value, open.bus, |p| {
                open.end(kind, Phase::Completed, p, None, mode)
            })
        }
        Err(error) => {
            let factory = this.failed.take().expect("failed factory called once");
            let message = error.to_string();
            let open = &mut *this.open;
            let kind = open.failed_kind;
            factory.put_into(error, open.bus, |p| {
                open.end(kind, Phase::Failed, p, Some(&message), mode)
            })
        }
    }
}
