//! The page's side of the warm-up ([`crate::view::live::warm`]): once the page follows a
//! listener (a `?live=` link at load, or *Live…*), made-up events run through the live
//! path in slices of at most [`SLICE_MS`], each in a moment the browser says it is idle
//! (`requestIdleCallback`; a short timer where there is none), so that V8 has optimised
//! the path before the program's first events arrive. A page that never goes live never
//! pays for it (1.3–2 s of idle-time work).
//!
//! It never holds anything back: it opens no stream and waits for none (a `?live=` link
//! connects at load, as before), a slice runs only when the browser has nothing else to do
//! (first paint, the first visit's run, a message, input all come first), and it stops
//! for good, dropping everything it made, as soon as real events arrive, a file is being
//! opened, a trace other than the first visit's is on screen, or it is done. What it did is
//! left in `window.__lineageLiveWarm` (`{events, ms, wall_ms, ended}`) for the
//! measurements (`tests/e2e_live_latency.rs`).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::warm_screen::WarmScreen;
use super::Live;
use crate::ui::state::{now_ms, Source, Ui};
use crate::view::live::warm::WarmUp;

/// Made-up events in all. At 30 000 the earlier warm-up before the stream opened met the
/// goals in some runs (docs/live-page.md, "Tried and not kept"); a few more so the
/// functions that run once per message, not per event, also pass V8's budget.
const EVENTS: usize = 40_000;
/// Work per idle slice, in ms: half a frame, so a frame that starts meanwhile is not held.
const SLICE_MS: f64 = 8.0;
/// Each step aims at this much work, so a slice never overshoots by much.
const STEP_MS: f64 = 2.0;
/// The share of a slice the steps may take; the rest is the warm-up screen's redraw.
const STEPS_SHARE: f64 = 0.6;
/// How often a page that follows no listener yet checks whether it does, in ms.
const WAIT_MS: u32 = 250;
/// Where the measurement reads what the warm-up did.
const OUT: &str = "__lineageLiveWarm";
/// Set to `true` on `window` before the page loads: no warm-up (for comparisons).
const OFF: &str = "__lineageNoLiveWarm";

#[wasm_bindgen]
extern "C" {
    /// `requestIdleCallback`'s deadline (bound here: one method, no `web-sys` feature).
    type IdleDeadline;
    #[wasm_bindgen(method, js_name = timeRemaining)]
    fn time_remaining(this: &IdleDeadline) -> f64;
}

/// Why the warm-up ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ended {
    Done,
    /// Real events arrived, or the page's screen went to a file or a live source.
    NeededElsewhere,
}

impl Live {
    /// Starts the warm-up (see the module docs): called once, at page load; it waits
    /// there until the page follows a listener.
    pub fn warm_up(self, ui: Ui) {
        let window = web_sys::window();
        let off = window.as_ref().is_some_and(|w| {
            js_sys::Reflect::get(w, &JsValue::from_str(OFF)).ok() == Some(JsValue::TRUE)
        });
        if off {
            return;
        }
        leptos::task::spawn_local(async move {
            // Only a page that follows a listener needs its live path fast: a page used for
            // files or the simulation spends no CPU on it (a check four times a second).
            loop {
                match self.address.try_with_untracked(Option::is_some) {
                    Some(true) => break,
                    Some(false) => gloo_timers::future::TimeoutFuture::new(WAIT_MS).await,
                    None => return,
                }
            }
            let started = now_ms();
            let mut warm: Option<(WarmUp, Option<WarmScreen>)> = None;
            let (mut spent, mut per_ms) = (0.0, 20.0);
            let ended = loop {
                let budget = idle().await.min(SLICE_MS);
                if self.needed_elsewhere(ui) {
                    break Ended::NeededElsewhere;
                }
                let (w, screen) =
                    warm.get_or_insert_with(|| (WarmUp::new(EVENTS), WarmScreen::new()));
                let t0 = now_ms();
                if let Some(s) = screen {
                    s.release();
                }
                // The steps leave a share of the slice to the redraw that follows them.
                while !w.done() && now_ms() - t0 < budget * STEPS_SHARE {
                    if self.needed_elsewhere(ui) {
                        break;
                    }
                    let t = now_ms();
                    let n = ((per_ms * STEP_MS) as usize).clamp(16, 4096);
                    let n = w.step(n, t);
                    let ms = now_ms() - t;
                    if ms > 0.0 {
                        per_ms = 0.5 * per_ms + 0.5 * n as f64 / ms;
                    }
                }
                if let Some(s) = screen {
                    s.show(w.inspection());
                    // The effects the publish woke (the redraw) run before this resumes.
                    leptos::task::tick().await;
                }
                spent += now_ms() - t0;
                if w.done() {
                    break Ended::Done;
                }
            };
            let events = warm.as_ref().map_or(0, |(w, _)| w.warmed());
            drop(warm);
            report(events, spent, now_ms() - started, ended);
        });
    }

    /// Whether the page needs the main thread for real: events arrived from a stream, or
    /// the screen is a file's (or one is being opened). A page whose state is gone (its
    /// owner disposed, as a test's mount can be) needs nothing more from the warm-up either.
    fn needed_elsewhere(self, ui: Ui) -> bool {
        let events = self
            .feed
            .try_with_value(|f| f.as_ref().is_some_and(|f| f.received + f.rejected > 0));
        let loading = ui.loading.try_with_untracked(Option::is_some);
        let source = ui
            .source
            .try_with_untracked(|s| matches!(s, Source::Imported(_)));
        match (events, loading, source) {
            (Some(events), Some(loading), Some(file)) => events || loading || file,
            _ => true,
        }
    }
}

/// Resolves once the browser is idle, with the ms it says it has (a short timer's worth
/// where it has no `requestIdleCallback`).
async fn idle() -> f64 {
    let remaining = std::rc::Rc::new(std::cell::Cell::new(SLICE_MS));
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        };
        let has_idle = js_sys::Reflect::get(&w, &JsValue::from_str("requestIdleCallback"))
            .is_ok_and(|f| f.is_function());
        if has_idle {
            let remaining = remaining.clone();
            let cb = Closure::once_into_js(move |deadline: JsValue| {
                let d: IdleDeadline = deadline.unchecked_into();
                remaining.set(d.time_remaining());
                let _ = resolve.call0(&JsValue::NULL);
            });
            let _ = w.request_idle_callback(cb.unchecked_ref());
        } else {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 16);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    remaining.get()
}

/// Leaves what the warm-up did in `window.__lineageLiveWarm`.
fn report(events: usize, ms: f64, wall_ms: f64, ended: Ended) {
    let Some(w) = web_sys::window() else { return };
    let o = js_sys::Object::new();
    let ended = match ended {
        Ended::Done => "done",
        Ended::NeededElsewhere => "needed elsewhere",
    };
    for (k, v) in [
        ("events", JsValue::from_f64(events as f64)),
        ("ms", JsValue::from_f64(ms)),
        ("wall_ms", JsValue::from_f64(wall_ms)),
        ("ended", JsValue::from_str(ended)),
    ] {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
    }
    let _ = js_sys::Reflect::set(&w, &JsValue::from_str(OUT), &o);
}
