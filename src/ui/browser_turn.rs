//! # Giving the browser its turn without a timer
//!
//! Long work in the page (opening a file, building its view) runs in slices and gives the
//! browser a turn between them, so it can draw a frame and answer a click. The page used
//! `setTimeout(0)` for that turn, but browsers clamp a timer set from within a timer's task
//! to at least 4 ms once such timers nest five deep (the HTML standard's timer nesting
//! level), and a slice loop nests them every time: 3–5 ms per turn were measured, 0.6–0.9 s
//! of a 5–6 s open of a million events (docs/page-open.md).
//!
//! A message posted on a `MessageChannel` is a task with no delay. Tasks already due run
//! before it (a frame whose time came during the slice, input), then the page's next slice,
//! so the browser still draws between slices while the turn itself costs next to nothing.
//! This is how scheduler libraries yield (React's scheduler does the same). Where a channel
//! cannot be made, the turn falls back to the timer.

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Returns after the browser has run the tasks that were due: a frame, input, other timers.
pub(crate) async fn browser_turn() {
    let Ok(channel) = web_sys::MessageChannel::new() else {
        return TimeoutFuture::new(0).await;
    };
    let port = channel.port1();
    let turn = js_sys::Promise::new(&mut |resolve, _reject| port.set_onmessage(Some(&resolve)));
    if channel.port2().post_message(&JsValue::UNDEFINED).is_err() {
        return TimeoutFuture::new(0).await;
    }
    // The channel is held until the message came, so neither port can be collected first.
    let _ = JsFuture::from(turn).await;
    port.set_onmessage(None);
    port.close();
    channel.port2().close();
}
