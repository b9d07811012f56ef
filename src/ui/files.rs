//! Traces in and out of the app: open (file picker or drag and drop) and export (download).
//!
//! An import is all or nothing: the file is read and parsed completely before anything on
//! screen changes, so a malformed file shows an error naming the format and position and the
//! trace already open stays open.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::state::Ui;
use crate::trace::{self, ExportFormat, Limits};

/// The browser's import limits: the size limit of the command line, a lower nesting limit
/// because a wasm32 module has a single 1 MB stack (see `trace::read`: 256 levels fit it in
/// any build, 1 000 need up to 8 MB).
pub const BROWSER_LIMITS: Limits = Limits {
    max_depth: 256,
    ..Limits::DEFAULT
};

/// Reads and imports one file, then shows it, or reports why not.
pub fn open_file(ui: Ui, file: web_sys::File) {
    let name = file.name();
    if file.size() > Limits::DEFAULT.max_bytes as f64 {
        ui.error.set(Some(format!(
            "Could not open {name}: it is {:.0} MB, over the {} MB limit. The trace on screen is unchanged.",
            file.size() / 1e6,
            Limits::DEFAULT.max_bytes / 1_000_000
        )));
        return;
    }
    ui.busy.set(Some(format!("reading {name}")));
    leptos::task::spawn_local(async move {
        let result = JsFuture::from(file.array_buffer()).await;
        let bytes = match result {
            Ok(buf) => js_sys::Uint8Array::new(&buf).to_vec(),
            Err(_) => {
                ui.busy.set(None);
                ui.error.set(Some(format!(
                    "Could not read {name} from disk. The trace on screen is unchanged."
                )));
                return;
            }
        };
        match trace::import_with_limits(&bytes, Some(&name), BROWSER_LIMITS) {
            Ok(imported) => {
                let mut notes = imported.notes.clone();
                if imported.skipped_total() > 0 {
                    let what: Vec<String> = imported
                        .skipped
                        .iter()
                        .map(|(k, n)| format!("{n} × {k}"))
                        .collect();
                    notes.push(format!("skipped records: {}", what.join(", ")));
                }
                let label = match imported.format {
                    Some(f) => format!("{name} ({})", f.title()),
                    None => name.clone(),
                };
                ui.busy.set(None);
                ui.timed_refresh(move |ui| ui.show_imported(label, imported.events))
                    .await;
                ui.error.set(None);
                ui.notice.set((!notes.is_empty()).then(|| notes.join("; ")));
            }
            Err(e) => {
                ui.busy.set(None);
                ui.error.set(Some(format!(
                    "{name}: {e}. The trace on screen is unchanged."
                )));
            }
        }
    });
}

/// Offers `text` as a download named `file_name`.
fn download(text: &str, file_name: &str, mime: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    web_sys::Url::revoke_object_url(&url)
}

/// The open and export buttons.
#[component]
pub fn FileButtons(ui: Ui) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let export = move |format: ExportFormat| {
        let text = ui
            .inspection
            .with_untracked(|ins| trace::export(format, &ins.trace.events().collect::<Vec<_>>()));
        let name = format!("lineage-trace.{}", format.extension());
        if download(&text, &name, format.mime()).is_err() {
            ui.error
                .set(Some("The browser refused the download.".into()));
        }
    };
    let empty = move || ui.inspection.with(|i| i.trace.is_empty());
    view! {
        <div class="files">
            <input type="file" id="file-input" accept=".ndjson,.jsonl,.json,application/json" class="visually-hidden" tabindex="-1"
                node_ref=input
                on:change=move |ev| {
                    let el: web_sys::HtmlInputElement = event_target(&ev);
                    if let Some(f) = el.files().and_then(|l| l.get(0)) {
                        open_file(ui, f);
                    }
                    el.set_value("");
                } />
            <button id="open" title="Open a trace: lineage NDJSON, the Python original's event dumps, Chrome trace JSON, OTLP JSON (or drop a file anywhere)"
                on:click=move |_| { if let Some(i) = input.get_untracked() { i.click() } }>"Open…"</button>
            <button id="export-ndjson" title="Download the trace as lineage NDJSON (lossless)" disabled=empty
                on:click=move |_| export(ExportFormat::Ndjson)>"⤓ NDJSON"</button>
            <button id="export-chrome" title="Download as Chrome trace JSON (opens in Perfetto and chrome://tracing)" disabled=empty
                on:click=move |_| export(ExportFormat::Chrome)>"⤓ Chrome"</button>
        </div>
    }
}

/// Handles a file dropped anywhere on the page.
pub fn on_drop(ui: Ui, ev: web_sys::DragEvent) {
    ev.prevent_default();
    ui.dragging.set(false);
    if let Some(f) = ev
        .data_transfer()
        .and_then(|d| d.files())
        .and_then(|l| l.get(0))
    {
        open_file(ui, f);
    }
}
