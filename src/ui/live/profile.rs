//! The page's [`FrameProfile`], kept only when `window.__lineageLiveProfile` is `true` (as the
//! latency measurement sets it) and handed back as JSON in `window.__lineageLiveProfileOut`
//! after each applying frame: a measurement of where a live frame's time goes, in the
//! browser that shows it, without a profiler attached.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::Live;
use crate::ui::state::now_ms;
use crate::view::live::FrameProfile;

/// The flag a measurement sets before connecting, and where the sums are written.
const FLAG: &str = "__lineageLiveProfile";
const OUT: &str = "__lineageLiveProfileOut";

/// Whether the page was asked to keep a profile.
pub(super) fn asked() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str(FLAG)).ok())
        .is_some_and(|v| v.as_bool() == Some(true))
}

impl Live {
    /// Runs `f` and, when profiling, notes its time with `note`.
    pub(super) fn profiled<T>(
        self,
        f: impl FnOnce() -> T,
        note: impl FnOnce(&mut FrameProfile, &T, f64),
    ) -> T {
        if !self.profile.with_value(Option::is_some) {
            return f();
        }
        let t0 = now_ms();
        let out = f();
        let ms = now_ms() - t0;
        self.profile.update_value(|p| {
            if let Some(p) = p {
                note(p, &out, ms);
            }
        });
        out
    }

    /// A frame at `at` stored `events` events in `ms`.
    pub(super) fn note_stored(self, at: f64, events: usize, ms: f64) {
        if events == 0 {
            return;
        }
        self.profile.update_value(|p| {
            if let Some(p) = p {
                p.applied(at, events, ms);
            }
        });
    }

    /// The frame that stored `events` published in `publish` ms: times
    /// the redraw as what runs before a task queued now (the effects the publish woke are
    /// queued before it), then writes the sums out.
    /// The redraw's cost (publish and effects) also goes to the pace, profiling or not
    /// ([`crate::view::live::RedrawPace::took`]).
    pub(super) fn note_redraw(self, events: usize, publish: f64) {
        let queued = now_ms();
        leptos::task::spawn_local(async move {
            let ms = now_ms() - queued;
            self.pace.update_value(|p| p.took(publish + ms));
            if !self.profile.with_value(Option::is_some) {
                return;
            }
            let json = self.profile.try_update_value(|p| {
                p.as_mut().map(|p| {
                    p.redrawn(publish, ms, events);
                    serde_json::to_string(p).unwrap_or_default()
                })
            });
            if let (Some(json), Some(w)) = (json.flatten(), web_sys::window()) {
                let _ = js_sys::Reflect::set(&w, &JsValue::from_str(OUT), &json.into());
            }
        });
    }
}
