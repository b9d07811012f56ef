//! # A file's slices, read by a worker
//!
//! Opening a file reads it in slices (`Blob.slice` + `arrayBuffer`). Asked from the page,
//! a slice's bytes arrive on the page's main thread, which drains them between its own
//! tasks: a slice asked ahead hardly moves while the page imports, and a 1 M-event file
//! (475 MB) waited 0.7–1.3 s of a 2.2–4.3 s open for its slices with one asked ahead. A
//! dedicated worker ([`SCRIPT`]) takes them in on its own thread, two ahead of the page, and
//! hands each over as a transferred `ArrayBuffer` (moved, not copied); the page only copies
//! its pieces into wasm memory, as before. Waiting fell to 0.17–0.53 s in every paired run;
//! on the project's 2-core machine under other builds the worker's reading then lengthened
//! the import's own work about as much, so the open was no faster there; with a core to
//! spare the same reading took a quarter less (docs/page-open.md, "The page's file read by
//! a worker").
//!
//! Where no worker can be made, or when `window.__lineageFileNoWorker` is `true`, the page
//! asks for the slices itself, one ahead ([`FileSlices::next`] hides which).

use std::collections::VecDeque;

use futures::channel::mpsc;
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::worker::{member, object, RunningWorker};

/// The worker's script (see the module docs).
const SCRIPT: &str = include_str!("file_slices.js");
/// Set to `true` on `window` before opening: the page reads the file's slices itself.
const NO_WORKER: &str = "__lineageFileNoWorker";
/// Slices the page asks ahead when it reads them itself (in JS memory, not wasm memory):
/// one; three gained nothing measurable in paired runs and held up to 100 MB more JS heap
/// (docs/page-open.md).
const PAGE_AHEAD: usize = 1;

/// The next slices of one file, in order; see the module docs.
pub(crate) enum FileSlices {
    /// Read by a worker, which posts them into `arrived`.
    Worker(SliceWorker),
    /// Asked by the page itself: the slices asked and not yet taken, oldest first.
    Page {
        file: web_sys::File,
        slice: f64,
        ahead: usize,
        asked_to: f64,
        asked: VecDeque<AskedSlice>,
    },
}

/// A slice asked of the browser from the page: its bytes once they have come.
type AskedSlice = std::pin::Pin<Box<dyn std::future::Future<Output = Option<js_sys::Uint8Array>>>>;

/// The worker reading one file, terminated when dropped (a cancelled open stops reading).
pub(crate) struct SliceWorker {
    running: RunningWorker,
    arrived: mpsc::UnboundedReceiver<Option<js_sys::Uint8Array>>,
    /// Bytes still to come.
    left: f64,
}

impl FileSlices {
    /// Starts reading `file` in slices of `slice` bytes; a worker reads at most `ahead` of
    /// them before the page takes them.
    pub(crate) fn new(file: &web_sys::File, slice: f64, ahead: usize) -> FileSlices {
        let asked_not =
            web_sys::window().is_some_and(|w| member(&w, NO_WORKER).as_bool() == Some(true));
        let by_worker = if asked_not {
            None
        } else {
            SliceWorker::start(file, slice, ahead)
        };
        by_worker.map_or_else(
            || FileSlices::Page {
                file: file.clone(),
                slice,
                ahead: PAGE_AHEAD,
                asked_to: 0.0,
                asked: VecDeque::new(),
            },
            FileSlices::Worker,
        )
    }

    /// Who reads the file: `"worker"` or `"page"` (for `window.__lineageRead`).
    pub(crate) fn reader(&self) -> &'static str {
        match self {
            FileSlices::Worker(_) => "worker",
            FileSlices::Page { .. } => "page",
        }
    }

    /// The next slice's bytes, still on the JS side; `Ok(None)` at the end of the file,
    /// `Err` if the browser could not read it.
    pub(crate) async fn next(&mut self) -> Result<Option<js_sys::Uint8Array>, ()> {
        match self {
            FileSlices::Worker(w) => {
                if w.left <= 0.0 {
                    return Ok(None);
                }
                let bytes = w.arrived.next().await.flatten().ok_or(())?;
                w.left -= f64::from(bytes.length());
                w.running.worker.post(&object(&[("taken", JsValue::TRUE)]));
                Ok(Some(bytes))
            }
            FileSlices::Page {
                file,
                slice,
                ahead,
                asked_to,
                asked,
            } => {
                // This slice and `ahead` more asked before it is awaited: the browser reads
                // them while this one is fed.
                let total = file.size();
                while asked.len() < *ahead + 1 && *asked_to < total {
                    let end = (*asked_to + *slice).min(total);
                    asked.push_back(Box::pin(ask_slice(file, *asked_to, end)));
                    *asked_to = end;
                }
                match asked.pop_front() {
                    None => Ok(None),
                    Some(next) => next.await.map(Some).ok_or(()),
                }
            }
        }
    }
}

impl SliceWorker {
    fn start(file: &web_sys::File, slice: f64, ahead: usize) -> Option<SliceWorker> {
        let (tx, arrived) = mpsc::unbounded();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
            let tx = tx.clone();
            move |ev: web_sys::MessageEvent| {
                let bytes = member(&ev.data(), "bytes")
                    .dyn_into::<js_sys::ArrayBuffer>()
                    .ok()
                    .map(|b| js_sys::Uint8Array::new(&b));
                let _ = tx.unbounded_send(bytes);
            }
        });
        // The script failed: the slice awaited fails, and with it the open.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let _ = tx.unbounded_send(None);
        });
        let running = RunningWorker::start(SCRIPT, on_message, on_error)?;
        running.worker.post(&object(&[
            ("file", JsValue::from(file.clone())),
            ("slice", JsValue::from_f64(slice)),
            ("ahead", JsValue::from_f64(ahead as f64)),
        ]));
        Some(SliceWorker {
            running,
            arrived,
            left: file.size(),
        })
    }
}

/// Asks the browser for bytes `start..end` of `file`; the answer, awaited, is those bytes
/// still on the JS side (`None` if the file could not be read).
fn ask_slice(
    file: &web_sys::File,
    start: f64,
    end: f64,
) -> impl std::future::Future<Output = Option<js_sys::Uint8Array>> {
    let asked = file
        .slice_with_f64_and_f64(start, end)
        .ok()
        .map(|blob| JsFuture::from(blob.array_buffer()));
    async move {
        let buf = asked?.await.ok()?;
        Some(js_sys::Uint8Array::new(&buf))
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// A file of `len` bytes that differ from slice to slice, so a slice out of order or
    /// read twice shows.
    fn patterned(len: usize) -> (Vec<u8>, web_sys::File) {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 1000) as u8).collect();
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(&bytes[..]));
        let file = web_sys::File::new_with_u8_array_sequence(&parts, "t.ndjson").unwrap();
        (bytes, file)
    }

    async fn read_all(slices: &mut FileSlices) -> Vec<u8> {
        let mut read = Vec::new();
        while let Some(slice) = slices.next().await.expect("the file reads") {
            read.extend(slice.to_vec());
        }
        read
    }

    fn no_worker(value: bool) {
        let window = web_sys::window().unwrap();
        js_sys::Reflect::set(&window, &NO_WORKER.into(), &JsValue::from_bool(value)).unwrap();
    }

    #[test]
    async fn the_worker_hands_over_every_slice_in_order() {
        no_worker(false);
        // 10 slices and a short last one, three read ahead.
        let (bytes, file) = patterned(10 * 4096 + 123);
        let mut slices = FileSlices::new(&file, 4096.0, 3);
        assert_eq!(slices.reader(), "worker");
        assert_eq!(read_all(&mut slices).await, bytes);
        assert!(
            matches!(slices.next().await, Ok(None)),
            "nothing after the end"
        );
    }

    #[test]
    async fn the_page_reads_the_slices_itself_when_asked() {
        no_worker(true);
        let (bytes, file) = patterned(5 * 4096 + 1);
        let mut slices = FileSlices::new(&file, 4096.0, 3);
        no_worker(false);
        assert_eq!(slices.reader(), "page");
        assert_eq!(read_all(&mut slices).await, bytes);
    }

    #[test]
    async fn an_empty_file_has_no_slices() {
        no_worker(false);
        let (_, file) = patterned(0);
        let mut slices = FileSlices::new(&file, 4096.0, 2);
        assert!(matches!(slices.next().await, Ok(None)));
    }
}
