//! End to end, by hand: the page with a million events. `lineage simulate` writes a
//! 1 000 002-event NDJSON trace into a temporary folder, the page opens it through its
//! *Open…* input as a person would, and the test prints what it measured against the goals of
//! issue 8: opening time, wasm memory, the longest frame while loading, and how long scrolling
//! the tree, selecting a row and searching take to reach the screen.
//!
//! Only what must hold is asserted (the trace opens and shows every event, the selection and
//! the search answer); the figures are printed, not asserted: a timed assert on a shared
//! 2-core machine would fail for the neighbours' builds, not for the page. `#[ignore]`d
//! because it takes minutes; docs/reference.md ("The page at a million events") has the
//! command and the figures of one run:
//!
//! ```sh
//! trunk build --release
//! cargo test --test e2e_page_scale -- --ignored --nocapture
//! ```
//!
//! `LINEAGE_PAGE_SCALE_DIR=DIR` keeps the trace in DIR between runs;
//! `LINEAGE_PAGE_SCALE_NO_WORKER=1` has the page read the file's slices itself instead of
//! through its worker (`ui::file_slices`), to weigh the two in one sitting.
//!
//! How each figure is taken, all in the page with `performance.now()`:
//! - *a step's latency*: from just before the input (the `change` of the file input, a
//!   `scrollTop` assignment, a click, an `input` event) to the first animation frame whose
//!   DOM shows the result, plus the task after that frame's paint (`setTimeout(0)` from the
//!   frame callback): the next painted frame showing the result.
//! - *the reading's time*, split by the page itself (`ReadTimes` on `window.__lineageRead`):
//!   feeding the importer, awaiting the next slice of the file, yielded to the browser.
//! - *frames*: the gaps between `requestAnimationFrame` callbacks (a frame waits for the main
//!   thread), each tagged with the load's phase: the progress bar up and reading the file,
//!   up and saying it is building the view (spans, lints, summary, in slices after the last
//!   byte), or gone (the built view shown).
//! - *wasm memory*: the byte length of the module's `WebAssembly.Memory`, read through the
//!   exports Trunk's loader leaves on `window.wasmBindings` (`default()`, wasm-bindgen's
//!   init, hands back the instantiated exports when called again). Linear memory never
//!   shrinks, so the last reading is the peak.
#![cfg(not(target_arch = "wasm32"))]

mod browser;
mod page_scale_support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use browser::*;
use page_scale_support::{
    frames_between, install_probes, measure, memory_mb, print_memory_growth, wait_js,
};
use serde_json::Value;

/// Operations of three levels, six events each: 1 000 002 events.
const OPERATIONS: usize = 166_667;
const EVENTS_PER_OPERATION: usize = 6;

/// A temporary folder removed on drop (the trace is a few hundred MB).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes the trace with the built `lineage simulate`; returns its path and event count.
fn simulate_trace(dir: &Path) -> (PathBuf, usize) {
    let file = dir.join("million.ndjson");
    if file.exists() {
        return (file.clone(), count_lines(&file));
    }
    let t0 = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["simulate", "--operations", &OPERATIONS.to_string()])
        .args(["--failure-rate", "0.1", "--out"])
        .arg(&file)
        .output()
        .expect("lineage simulate runs");
    assert!(
        out.status.success(),
        "lineage simulate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = count_lines(&file);
    let bytes = std::fs::metadata(&file).unwrap().len();
    eprintln!(
        "simulate: {} in {:.1} s, {lines} lines, {:.0} MB",
        String::from_utf8_lossy(&out.stderr).trim(),
        t0.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    (file, lines)
}

fn count_lines(file: &Path) -> usize {
    let mut lines = 0;
    let mut reader = std::fs::File::open(file).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            return lines;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
    }
}

/// The root id of the trace's middle line: a search term that finds one operation.
fn middle_root_id(file: &Path, lines: usize) -> String {
    use std::io::BufRead;
    let reader = std::io::BufReader::new(std::fs::File::open(file).unwrap());
    let line = reader.lines().nth(lines / 2).unwrap().unwrap();
    let v: Value = serde_json::from_str(&line).unwrap();
    v["root_id"].as_str().unwrap().to_owned()
}

/// A row drawn in the middle of the tree's viewport: the proof a scroll reached the screen.
const ROW_IN_VIEW: &str = "const el = document.querySelector('.tree-scroll');
    const b = el.getBoundingClientRect();
    const hit = document.elementFromPoint(b.left + 40, b.top + b.height / 2);
    return !!(hit && hit.closest('.row'));";

struct Table(Vec<[String; 3]>);

impl Table {
    fn add(&mut self, step: impl Into<String>, figure: impl Into<String>, goal: &str) {
        self.0.push([step.into(), figure.into(), goal.to_owned()]);
    }

    fn print(&self) {
        eprintln!("\n| step | measured | goal |\n|---|---|---|");
        for [s, f, g] in &self.0 {
            eprintln!("| {s} | {f} | {g} |");
        }
    }
}

fn ms_list(xs: &[f64]) -> String {
    let max = xs.iter().cloned().fold(0.0, f64::max);
    let each: Vec<String> = xs.iter().map(|x| format!("{x:.0}")).collect();
    format!("max {max:.0} ms ({})", each.join(", "))
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "a million events: minutes of work; run by hand after `trunk build --release`"]
async fn a_million_event_trace_opens_and_the_page_answers() {
    let dist = dist_dir();
    // LINEAGE_PAGE_SCALE_DIR keeps the trace there between runs (simulating it takes a
    // minute in a debug build); by default it is written to a temporary folder and removed.
    let kept = std::env::var_os("LINEAGE_PAGE_SCALE_DIR").map(PathBuf::from);
    let dir = kept.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("lineage-page-scale-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).unwrap();
    let _cleanup = kept.is_none().then(|| TempDir(dir.clone()));
    let (file, events) = simulate_trace(&dir);
    assert_eq!(events, OPERATIONS * EVENTS_PER_OPERATION);
    let root = middle_root_id(&file, events);

    let base = serve(dist).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&base).await.unwrap();
    set_viewport(&c, 1280, 800).await;
    find(&c, "#file-input").await;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (wasm_before, _) = memory_mb(&c).await;
    install_probes(&c, events).await;
    // `LINEAGE_PAGE_SCALE_NO_WORKER=1`: the page reads the file's slices itself, as it does
    // where no worker can be made, to weigh the worker against it in one sitting.
    if std::env::var_os("LINEAGE_PAGE_SCALE_NO_WORKER").is_some() {
        c.execute("window.__lineageFileNoWorker = true", vec![])
            .await
            .unwrap();
    }
    let mut table = Table(Vec::new());

    // Open.
    find(&c, "#file-input")
        .await
        .send_keys(&file.display().to_string())
        .await
        .unwrap();
    let open = wait_js(&c, "window.__lat.open", Duration::from_secs(600)).await;
    let (t0, painted) = (
        open["t0"].as_f64().unwrap(),
        open["painted"].as_f64().unwrap(),
    );
    assert_eq!(
        wait_text(&c, "#event-count", |t| !t.is_empty()).await,
        events.to_string(),
        "every event is shown"
    );
    let view_ms = wait_text(&c, "#render-ms", |t| !t.is_empty()).await;
    let frames = frames_between(&c, t0, t0 + painted).await;
    let (wasm_open, js_open) = memory_mb(&c).await;
    print_memory_growth(&c, t0).await;
    let nodes = wait_text(&c, "#node-count", |t| !t.is_empty()).await;
    table.add(
        format!("open {events} events ({nodes} nodes): change → count painted"),
        format!(
            "{:.2} s (of which showing the built view: {view_ms} ms)",
            painted / 1000.0
        ),
        "≤ 2.5 s (issue 17)",
    );
    table.add(
        "longest frame while loading, per phase (time in it, frames)",
        format!(
            "{}; {} of {} frames over 100 ms",
            frames.describe(),
            frames.over_100,
            frames.frames
        ),
        "≤ 50 ms",
    );
    // Where the reading's wall time went (the page leaves it on `window.__lineageRead`).
    // (A build from before 2026-12-06 leaves nothing: "not published".)
    let read = c
        .execute("return window.__lineageRead || null", vec![])
        .await
        .unwrap();
    // Who took the file's slices in: the page's worker or the page itself (a build from
    // before 2026-12-07 says nothing: the page).
    let reader = c
        .execute("return window.__lineageFileReader || 'page'", vec![])
        .await
        .unwrap();
    let read = read.as_str().map_or("not published".to_owned(), |json| {
        let read: Value = serde_json::from_str(json).unwrap();
        format!(
            "{} ms work, {} ms waiting, {} ms yielded (slices read by the {})",
            read["work"],
            read["waiting"],
            read["yielded"],
            reader.as_str().unwrap_or("page")
        )
    });
    table.add(
        "reading: the importer's work, waiting for the file, yielded to the browser",
        read,
        "",
    );
    table.add(
        "wasm memory after opening",
        format!("{wasm_open:.0} MB (before: {wasm_before:.0} MB; JS heap {js_open:.0} MB)"),
        "≤ 200 MB (issue 17)",
    );

    // Scroll the tree: jumps to a quarter, the middle, three quarters, the end, the top.
    let mut scrolls = Vec::new();
    for (i, f) in [0.25, 0.5, 0.75, 1.0, 0.0].into_iter().enumerate() {
        let act = format!(
            "const el = document.querySelector('.tree-scroll'); el.scrollTop = el.scrollHeight * {f};"
        );
        scrolls.push(
            measure(&c, &format!("scroll{i}"), &act, ROW_IN_VIEW)
                .await
                .1,
        );
    }
    table.add("scroll the tree (jump, 5×)", ms_list(&scrolls), "< 100 ms");

    // Select a row: the one in the middle of the viewport, three times at three places.
    let mut selects = Vec::new();
    for (i, f) in [0.1, 0.5, 0.9].into_iter().enumerate() {
        c.execute(
            &format!("const el = document.querySelector('.tree-scroll'); el.scrollTop = el.scrollHeight * {f};"),
            vec![],
        )
        .await
        .unwrap();
        measure(&c, &format!("settle{i}"), "", ROW_IN_VIEW).await;
        let act = "const el = document.querySelector('.tree-scroll');
            const b = el.getBoundingClientRect();
            const row = document.elementFromPoint(b.left + 40, b.top + b.height / 2).closest('.row');
            window.__picked = row.title.match(/\\nid ([0-9a-f-]{36})/)[1];
            row.click();";
        let done = "const sel = document.querySelector('.row.selected');
            return !!sel && (document.querySelector('#detail-id') || {}).textContent === window.__picked;";
        selects.push(measure(&c, &format!("select{i}"), act, done).await.1);
    }
    table.add(
        "select a row (click → row and detail shown, 3×)",
        ms_list(&selects),
        "< 100 ms",
    );

    // Search: an operation's id typed key by key, a phrase pasted, text found nowhere, cleared.
    let type_text = |text: &str| {
        format!(
            "const s = document.querySelector('#search'); s.value = {text:?};
             s.dispatchEvent(new Event('input', {{ bubbles: true }}));"
        )
    };
    let shows_count = "return (document.querySelector('#match-count') || {}).textContent !== '';";
    let mut keys = Vec::new();
    let mut last_shown = String::new();
    for n in 1..=8 {
        let (_, ms, shown) =
            measure(&c, &format!("key{n}"), &type_text(&root[..n]), shows_count).await;
        // The count shown at the first frame is the final one: the search ran before that
        // frame (Leptos updates the DOM in microtasks), so the figure is the whole search.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let settled = wait_text(&c, "#match-count", |_| true).await;
        assert_eq!(
            settled, shown,
            "the first frame after a keystroke shows its result"
        );
        keys.push(ms);
        last_shown = shown;
    }
    table.add(
        format!("search: {} typed key by key (8 keystrokes)", &root[..8]),
        format!("{}; then {last_shown}", ms_list(&keys)),
        "< 100 ms each",
    );
    let matches: usize = last_shown
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        matches >= 1,
        "the operation's own id is found: {last_shown}"
    );
    let mut pastes = Vec::new();
    for (i, text) in ["simulated failure", "no such text anywhere"]
        .into_iter()
        .enumerate()
    {
        let (_, ms, shown) = measure(&c, &format!("paste{i}"), &type_text(text), shows_count).await;
        pastes.push(format!("“{text}” {ms:.0} ms ({shown})"));
    }
    let (_, cleared, _) = measure(
        &c,
        "clear",
        &type_text(""),
        "return (document.querySelector('#match-count') || {}).textContent === '';",
    )
    .await;
    table.add(
        "search: a phrase pasted at once",
        format!("{}; cleared {cleared:.0} ms", pastes.join(", ")),
        "< 100 ms",
    );
    let (wasm_end, js_end) = memory_mb(&c).await;
    table.add(
        "wasm memory at the end (the peak)",
        format!("{wasm_end:.0} MB (JS heap {js_end:.0} MB)"),
        "≤ 200 MB",
    );
    table.add(
        "machine load (1, 5, 15 min) at the start",
        load.trim().to_owned(),
        "",
    );
    table.print();
    save_screenshot(&c, "page-scale.png").await;
    c.close().await.unwrap();
}
