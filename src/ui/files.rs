//! Traces in and out of the app: open (file picker or drag and drop) and export (download,
//! written from the open trace's store and spans by [`super::download`]).
//!
//! A file is read in slices (`Blob.slice` + `arrayBuffer`, `SLICE` bytes each) and fed to a
//! streaming [`Importer`]; between pieces the loop gives the browser a turn
//! (`browser_turn`: a message, not a clamped timer) so no frame waits more than about
//! `FRAME_BUDGET_MS` on the import, and a progress bar with a Cancel button
//! shows how far it has got. The trace on screen changes only when the whole file has been
//! read and its view built (`build_view`: spans, lints and summary, in slices between frames
//! too, the bar saying so): a malformed, empty, over-budget or cancelled file, or a build
//! cancelled, leaves it as it was. What the page
//! then says about the file (its name, format, notes and skipped records) is written by
//! [`Imported::source_label`] and [`Imported::notice`].

use leptos::prelude::*;

use super::browser_turn::browser_turn;
use super::download::{download, export_blob};
use super::file_slices::FileSlices;
use super::heap_room::make_heap_room;
use super::state::{now_ms, Prepared, Ui, MINIMAP_BINS};
use crate::analysis::build::InspectionBuilder;
use crate::analysis::Inspection;
use crate::model::EventLog;
use crate::trace::time_order::{self, TimeOrder};
use crate::trace::{
    ExportFormat, Finished, ImportError, Imported, Importer, Limits, Progress, ReadTimes,
};
use crate::view::derived::Derived;
use crate::view::growing_rows::GrowingRows;
use std::collections::HashSet;

/// The browser's import limits (see [`Limits::BROWSER`]).
pub const BROWSER_LIMITS: Limits = Limits::BROWSER;

/// Bytes read from the file at a time.
const SLICE: f64 = 4.0 * 1024.0 * 1024.0;
/// Slices the file reader's worker reads ahead of the page (in JS memory, not wasm memory:
/// at most this many × [`SLICE`] bytes; see [`FileSlices`]).
const SLICES_AHEAD: usize = 2;
/// Bytes fed to the importer between two looks at the clock.
const PIECE: usize = 128 * 1024;
/// Import work between two yields to the browser, in ms: well under a 100 ms frame, with
/// room for the browser's own work.
const FRAME_BUDGET_MS: f64 = 30.0;
/// Items (events or spans) of the view's build between two looks at the clock: a few ms.
const BUILD_SLICE: usize = 8 * 1024;
/// Items of the importer's end-of-file pass and of the time order between two looks at the
/// clock: making and storing an event costs a few µs in the page, so a few ms (the time
/// order counts an event it copies as 16 items).
const FINISH_SLICE: usize = 2 * 1024;

/// Reads and imports one file, then shows it, or reports why not.
pub fn open_file(ui: Ui, file: web_sys::File) {
    let name = file.name();
    let id = ui
        .loading
        .with_untracked(|l| l.as_ref().map_or(0, |p| p.id))
        + 1;
    ui.error.set(None);
    ui.loading.set(Some(Progress {
        id,
        name: name.clone(),
        bytes: 0,
        total: file.size() as u64,
        events: 0,
        finishing: None,
        building: None,
    }));
    leptos::task::spawn_local(async move {
        let result = match read_file(ui, id, &file, &name).await {
            Ok(Some((imported, trace))) => {
                Ok(build_view(ui, id, trace).await.map(|ins| (imported, ins)))
            }
            other => other.map(|_| None),
        };
        let still_ours = ui
            .loading
            .with_untracked(|l| l.as_ref().is_some_and(|p| p.id == id));
        if !still_ours {
            return; // cancelled, or another file is loading: change nothing
        }
        ui.loading.set(None);
        match result {
            Ok(Some(built)) => show(ui, &name, built).await,
            Ok(None) => {}
            Err(message) => ui.error.set(Some(format!(
                "{name}: {message}. The trace on screen is unchanged."
            ))),
        }
    });
}

/// Feeds the file to an importer slice by slice; `Ok(None)` when the load was cancelled.
///
/// The slices come from [`FileSlices`]: read by a worker, [`SLICES_AHEAD`] ahead of the
/// page, so the bytes are taken in off the page's thread while it imports
/// (docs/page-open.md). Each slice stays a JS `ArrayBuffer`; its pieces are copied one at a
/// time into one reused buffer, so the wasm memory holds [`PIECE`] bytes of the file, never
/// a slice.
async fn read_file(
    ui: Ui,
    id: u64,
    file: &web_sys::File,
    name: &str,
) -> Result<Option<(Imported, EventLog)>, String> {
    // Straight into the compact event store: the budget counts what the page really holds.
    let mut importer = Importer::new(EventLog::default(), Some(name), BROWSER_LIMITS);
    let total = file.size();
    let mut last_yield = now_ms();
    let (mut times, mut mark) = (ReadTimes::default(), last_yield);
    let mut made_room = false;
    let mut piece = vec![0u8; PIECE];
    let mut slices = FileSlices::new(file, SLICE, SLICES_AHEAD);
    loop {
        let next = slices.next().await;
        let slice = match next {
            Ok(Some(slice)) => slice,
            Ok(None) => break,
            Err(()) => return Err("could not read the file from disk".into()),
        };
        mark = ReadTimes::add(&mut times.waiting, mark, now_ms());
        let length = slice.length() as usize;
        for start in (0..length).step_by(PIECE) {
            let end = (start + PIECE).min(length);
            let bytes = &mut piece[..end - start];
            slice.subarray(start as u32, end as u32).copy_to(bytes);
            importer
                .feed(bytes)
                .map_err(|e: ImportError| e.to_string())?;
            if now_ms() - last_yield > FRAME_BUDGET_MS {
                mark = ReadTimes::add(&mut times.work, mark, now_ms());
                browser_turn().await;
                last_yield = now_ms();
                mark = ReadTimes::add(&mut times.yielded, mark, last_yield);
                if !report(ui, id, &importer) {
                    return Ok(None);
                }
            }
        }
        if !report(ui, id, &importer) {
            return Ok(None);
        }
        if !made_room && importer.events() > 0 {
            // Room for the whole file's events, guessed from its first slice: the store
            // then never rebuilds its indexes from a million events in one frame.
            importer.expect_total_bytes(total as u64);
            make_heap_room(&importer, total as u64, BROWSER_LIMITS);
            made_room = true;
        }
        mark = ReadTimes::add(&mut times.work, mark, now_ms());
    }
    publish_read_times(&times, slices.reader());
    finish_import(ui, id, importer).await
}

/// The importer's end-of-file pass (a Chrome trace's slices nested and made into events, an
/// OTLP trace's orphan spans linked), then the time order a Chrome or OTLP trace is shown
/// in, both in slices between frames as the reading is; `Ok(None)` when the load was
/// cancelled meanwhile.
async fn finish_import(
    ui: Ui,
    id: u64,
    importer: Importer<EventLog>,
) -> Result<Option<(Imported, EventLog)>, String> {
    let mut last_yield = now_ms();
    let mut finishing = importer.finishing().map_err(|e| e.to_string())?;
    let done = loop {
        if let Some(done) = finishing.step(FINISH_SLICE).map_err(|e| e.to_string())? {
            break done;
        }
        if now_ms() - last_yield > FRAME_BUDGET_MS {
            browser_turn().await;
            last_yield = now_ms();
            let (events, fraction) = (finishing.events(), finishing.fraction());
            if !update_progress(ui, id, |p| {
                p.events = events;
                p.finishing = Some(0.8 * fraction);
            }) {
                return Ok(None);
            }
        }
    };
    drop(finishing);
    let Finished {
        format,
        sink,
        events,
        skipped,
        notes,
    } = done;
    let imported = Imported {
        format: Some(format),
        events: Vec::new(),
        skipped,
        notes,
    };
    let Some(rank) = time_order::rank_of(format) else {
        return Ok(Some((imported, sink))); // shown as read
    };
    let mut order = TimeOrder::new(sink, rank);
    loop {
        if let Some(trace) = order.step(FINISH_SLICE) {
            return Ok(Some((imported, trace)));
        }
        if now_ms() - last_yield > FRAME_BUDGET_MS {
            browser_turn().await;
            last_yield = now_ms();
            let fraction = order.fraction();
            if !update_progress(ui, id, |p| {
                p.events = events;
                p.finishing = Some(0.8 + 0.2 * fraction);
            }) {
                return Ok(None);
            }
        }
    }
}

/// Shows the progress; `false` when this load was cancelled (or replaced by a newer one).
fn report(ui: Ui, id: u64, importer: &Importer<EventLog>) -> bool {
    update_progress(ui, id, |p| {
        p.bytes = importer.bytes_read();
        p.events = importer.events();
    })
}

/// Changes this load's progress with `change`; `false` when it was cancelled (or replaced).
fn update_progress(ui: Ui, id: u64, change: impl FnOnce(&mut Progress)) -> bool {
    let mut ours = false;
    ui.loading.update(|l| {
        if let Some(p) = l.as_mut().filter(|p| p.id == id) {
            change(p);
            ours = true;
        }
    });
    ours
}

/// Builds the view of a read trace (spans, lints, summary) a slice at a time, yielding to the
/// browser as the reading does; `None` when the load was cancelled meanwhile. It yields first
/// (the reading's last piece and the importer's end-of-file pass had that frame) and last
/// (so showing the view gets a frame of its own). Then it derives, in slices too, what the
/// first frame would otherwise count over the whole trace ([`Prepared`]: the minimap's bins,
/// the failed nodes, the tree's rows): that frame only draws.
async fn build_view(ui: Ui, id: u64, trace: EventLog) -> Option<(Inspection, Prepared)> {
    let mut last_yield = f64::NEG_INFINITY;
    let mut builder = InspectionBuilder::new(trace, &[]);
    // The build is most of the work; the derived views the last tenth of the bar.
    let ins = loop {
        if !yield_if_due(ui, id, &mut last_yield, builder.fraction() * 0.9).await {
            return None;
        }
        if let Some(ins) = builder.step(BUILD_SLICE) {
            break ins;
        }
    };
    let mut derived = Derived::new(MINIMAP_BINS);
    while !derived.follow(&ins, BUILD_SLICE) {
        let done = 0.9 + derived.fraction(&ins) * 0.05;
        if !yield_if_due(ui, id, &mut last_yield, done).await {
            return None;
        }
    }
    let mut rows = GrowingRows::default();
    let (none, all) = (HashSet::new(), vec![true; ins.spans.len()]);
    while !rows.follow(&ins, &none, &all, false, BUILD_SLICE) {
        let done = 0.95 + rows.rows().len() as f64 / ins.spans.len().max(1) as f64 * 0.05;
        if !yield_if_due(ui, id, &mut last_yield, done).await {
            return None;
        }
    }
    browser_turn().await;
    Some((ins, Prepared { derived, rows }))
}

/// Yields to the browser if the frame's budget is spent since `last_yield`, showing how
/// far the build is; `false` when the load was cancelled meanwhile.
async fn yield_if_due(ui: Ui, id: u64, last_yield: &mut f64, built: f64) -> bool {
    if now_ms() - *last_yield <= FRAME_BUDGET_MS {
        return true;
    }
    browser_turn().await;
    *last_yield = now_ms();
    update_progress(ui, id, |p| p.building = Some(built))
}

/// Leaves where the reading's time went on `window.__lineageRead` (see [`ReadTimes`]) and
/// who read the file on `window.__lineageFileReader` (`"worker"` or `"page"`, see
/// [`FileSlices`]), for `tests/e2e_page_scale.rs`; nothing is shown.
fn publish_read_times(times: &ReadTimes, reader: &str) {
    if let Some(window) = web_sys::window() {
        let value = wasm_bindgen::JsValue::from_str(&times.to_json());
        let _ = js_sys::Reflect::set(&window, &"__lineageRead".into(), &value);
        let reader = wasm_bindgen::JsValue::from_str(reader);
        let _ = js_sys::Reflect::set(&window, &"__lineageFileReader".into(), &reader);
    }
}

/// Puts a successful import on screen, with its notes.
async fn show(ui: Ui, name: &str, (imported, (ins, prepared)): (Imported, (Inspection, Prepared))) {
    let label = imported.source_label(name);
    ui.timed_refresh(move |ui| ui.show_inspected(label, ins, Some(prepared)))
        .await;
    ui.error.set(None);
    ui.notice.set(imported.notices());
}

/// The progress bar and Cancel button of a file being read.
#[component]
pub fn LoadProgress(ui: Ui) -> impl IntoView {
    move || {
        ui.loading.get().map(|p| {
            view! {
                <div class="loading" id="loading" role="status">
                    <progress id="load-progress" max="1" value=p.fraction()></progress>
                    <span id="load-text">{p.describe()}</span>
                    <button id="cancel-load" title="Stop reading; the trace on screen stays"
                        on:click=move |_| ui.loading.set(None)>"Cancel"</button>
                </div>
            }
        })
    }
}

/// The open and export buttons.
#[component]
pub fn FileButtons(ui: Ui) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    // The inspection's own events and spans, written as they are held (see `download`).
    let export = move |format: ExportFormat| {
        let blob = ui
            .inspection
            .with_untracked(|ins| export_blob(format, &ins.trace, &ins.spans));
        let name = format!("lineage-trace.{}", format.extension());
        if blob.and_then(|b| download(&b, &name)).is_err() {
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
            <button id="export-otlp" title="Download as OTLP JSON (for an OpenTelemetry collector, Jaeger or Tempo)" disabled=empty
                on:click=move |_| export(ExportFormat::Otlp)>"⤓ OTLP"</button>
            <LoadProgress ui />
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
