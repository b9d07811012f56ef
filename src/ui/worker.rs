//! # Dedicated workers built from their own text
//!
//! The page runs two scripts beside its main thread: the live stream's reader
//! (`live/worker.js`) and the file reader (`file_slices.js`). Each is compiled into the wasm
//! as text and started from a `blob:` URL, so nothing is shipped beside the page or kept in
//! step with it, and the same worker runs under `trunk serve`, from `dist/` and in the
//! in-browser tests.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The browser's dedicated `Worker` (bound here: the few members used, no `web-sys`
    /// feature needed).
    #[derive(Clone)]
    pub(crate) type Worker;
    #[wasm_bindgen(constructor, catch)]
    fn new(url: &str) -> Result<Worker, JsValue>;
    #[wasm_bindgen(method, js_name = postMessage)]
    pub(crate) fn post(this: &Worker, message: &JsValue);
    #[wasm_bindgen(method)]
    pub(crate) fn terminate(this: &Worker);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_onmessage(this: &Worker, f: Option<&js_sys::Function>);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_onerror(this: &Worker, f: Option<&js_sys::Function>);
}

/// A worker started from its own text with its two handlers, stopped when dropped: the
/// handlers unset first (no message reaches a dropped closure), the worker terminated, its
/// `blob:` URL revoked. The live stream's reader and the file reader each hold one.
pub(crate) struct RunningWorker {
    pub(crate) worker: Worker,
    blob_url: String,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl RunningWorker {
    /// `script` running with these handlers; `None` where the page cannot make a worker.
    pub(crate) fn start(
        script: &str,
        on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
        on_error: Closure<dyn FnMut(web_sys::Event)>,
    ) -> Option<RunningWorker> {
        let (worker, blob_url) = start(script)?;
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(RunningWorker {
            worker,
            blob_url,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

impl Drop for RunningWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        let _ = web_sys::Url::revoke_object_url(&self.blob_url);
    }
}

/// A worker running `script`, and the `blob:` URL it was started from (to revoke when the
/// worker goes); `None` where the page cannot make one.
fn start(script: &str) -> Option<(Worker, String)> {
    let parts = js_sys::Array::of1(&JsValue::from_str(script));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let blob_url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    match Worker::new(&blob_url) {
        Ok(worker) => Some((worker, blob_url)),
        Err(_) => {
            let _ = web_sys::Url::revoke_object_url(&blob_url);
            None
        }
    }
}

/// A plain JS object with these members.
pub(crate) fn object(members: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in members {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// The member `name` of `v` (`undefined` when it has none).
pub(crate) fn member(v: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
