//! The listener's stream read by a dedicated worker: the page's side.
//!
//! Why: the browser's own `EventSource` parsing was the largest main-thread cost left under a
//! flood (2.7–3.1 s per 300 000 events at 100 k events/s, then the `TextEncoder` copy,
//! 0.3–0.5 s; docs/live-page.md). In a worker (`worker.js`) both run beside the page: the
//! main thread gets one transferred `ArrayBuffer` of frames every few ms
//! ([`crate::view::live::frames`]), copies it into the module's memory in one block, and
//! reads each message as before ([`Live::on_message`]); storing and redrawing stay in their
//! paced slices (`store.rs`).
//!
//! The worker is built from its text, compiled into the wasm, as a `blob:` URL: nothing to
//! ship beside the page or keep in step with it, and the same worker runs under
//! `trunk serve`, from `dist/` and in the in-browser tests. Where a worker cannot be made
//! (or its script fails), or when `window.__lineageLiveNoWorker` is `true`, the page opens
//! the `EventSource` itself, as before (`stream.rs`).
//!
//! The state machine is untouched: the worker only opens and closes streams when the page
//! says, and reports a failure as a frame in the stream's order; reconnecting from the last
//! sequence, Pause and the counts are the page's, as with its own `EventSource`.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::Live;
use crate::ui::worker::{member, object, RunningWorker, Worker};
use crate::view::live::frames::{Frame, Frames};

/// The worker's script (see the module docs).
const SCRIPT: &str = include_str!("worker.js");
/// Set to `true` on `window` before connecting: the page reads the stream itself.
const NO_WORKER: &str = "__lineageLiveNoWorker";

/// The page's worker, made at the first stream.
#[derive(Default)]
pub(super) enum Pipe {
    #[default]
    Untried,
    Up(PipeWorker),
    /// No worker here (or it failed): the page reads the stream itself.
    Unavailable,
}

/// A running worker and its handlers; terminated when dropped.
pub(super) struct PipeWorker {
    running: RunningWorker,
    /// The script failed: dropped at the next stream (not from inside its own handler).
    failed: Rc<Cell<bool>>,
}

/// A stream the worker reads; asks it to close when dropped.
pub(super) struct WorkerStream(Worker);

impl Drop for WorkerStream {
    fn drop(&mut self) {
        self.0.post(&object(&[("close", JsValue::TRUE)]));
    }
}

/// `url` made absolute against the page: a `blob:` worker has no base to resolve it by.
fn absolute(url: &str) -> Option<String> {
    let base = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new_with_base(url, &base)
        .ok()
        .map(|u| u.href())
}

impl Live {
    /// Asks the worker to open `url` for the current session and stream; `None` when
    /// there is no worker (the caller opens the stream itself).
    pub(super) fn open_in_worker(self, url: &str) -> Option<WorkerStream> {
        let asked_not =
            web_sys::window().is_some_and(|w| member(&w, NO_WORKER).as_bool() == Some(true));
        if asked_not {
            return None;
        }
        if self
            .pipe
            .with_value(|p| matches!(p, Pipe::Up(w) if w.failed.get()))
        {
            self.pipe.set_value(Pipe::Unavailable);
        }
        if self.pipe.with_value(|p| matches!(p, Pipe::Untried)) {
            let made = self.make_worker().map_or(Pipe::Unavailable, Pipe::Up);
            self.pipe.set_value(made);
        }
        let worker = self.pipe.with_value(|p| match p {
            Pipe::Up(w) => Some(w.running.worker.clone()),
            _ => None,
        })?;
        let (session, stream) = (self.session.get_value(), self.stream_id.get_value());
        worker.post(&object(&[
            ("open", JsValue::from_str(&absolute(url)?)),
            ("session", JsValue::from_f64(session as f64)),
            ("stream", JsValue::from_f64(stream as f64)),
        ]));
        Some(WorkerStream(worker))
    }

    fn make_worker(self) -> Option<PipeWorker> {
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                self.on_batch(&ev.data());
            });
        // The script failed to load or threw: the page reads the stream itself from now on,
        // and the stream the worker had counts as dropped (reopened by the usual backoff).
        let failed = Rc::new(Cell::new(false));
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let failed = failed.clone();
            move |_| {
                failed.set(true);
                self.on_error();
            }
        });
        Some(PipeWorker {
            running: RunningWorker::start(SCRIPT, on_message, on_error)?,
            failed,
        })
    }

    /// Whether a batch tagged `session`/`stream` belongs to the stream the page reads now.
    fn is_current(self, session: f64, stream: f64) -> bool {
        self.session.get_value() as f64 == session && self.stream_id.get_value() as f64 == stream
    }

    /// One batch from the worker: its messages handed on in order while their stream is
    /// still the page's (a message that makes the page leave it, a `bye`, ends the batch, as
    /// the page's own `EventSource` handlers stop).
    fn on_batch(self, data: &JsValue) {
        let (session, stream) = (member(data, "session"), member(data, "stream"));
        let (Some(session), Some(stream)) = (session.as_f64(), stream.as_f64()) else {
            return;
        };
        let Ok(buffer) = member(data, "bytes").dyn_into::<js_sys::ArrayBuffer>() else {
            return;
        };
        if !self.is_current(session, stream) {
            return;
        }
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        for frame in Frames::new(&bytes) {
            if !self.is_current(session, stream) {
                break;
            }
            match frame {
                Ok(Frame::Message { name, id, data }) => self.on_message(name, data.into(), id),
                Ok(Frame::Failed) => self.on_error(),
                Err(why) => self.on_bad_batch(&why),
            }
        }
    }
}
