//! The page exports the trace as it holds it: `trace::write_log` writes the inspection's own
//! `EventLog` and `Spans` (built a slice at a time, or nested by the bus's index, or scrubbed
//! back with events hidden) and gives byte for byte what the list-of-events entry
//! (`trace::export`, what `lineage convert` calls) gives for the same events.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use std::io::{self, Write};
use std::rc::Rc;

#[cfg(not(target_arch = "wasm32"))]
use lineage::analysis::build::InspectionBuilder;
use lineage::analysis::Inspection;
use lineage::core::{EmitMode, Event, ManualClock};
#[cfg(not(target_arch = "wasm32"))]
use lineage::model::EventLog;
use lineage::replay::Replay;
use lineage::trace::{self, ExportFormat};
use lineage::workload::PipelineConfig;

const FORMATS: [ExportFormat; 3] = [
    ExportFormat::Ndjson,
    ExportFormat::Chrome,
    ExportFormat::Otlp,
];

/// What the page's ⤓ button writes for `ins`.
fn from_the_store(format: ExportFormat, ins: &Inspection) -> String {
    let mut out = Vec::new();
    trace::write_log(format, &ins.trace, &ins.spans, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Asserts that every format writes `ins` as `trace::export` writes `events`.
fn assert_same(what: &str, ins: &Inspection, events: &[Event]) {
    assert_eq!(ins.trace.len(), events.len(), "{what}");
    for format in FORMATS {
        let listed = trace::export(format, events);
        assert!(!listed.is_empty(), "{what} {format:?}");
        assert!(
            from_the_store(format, ins) == listed,
            "{what}: {format:?} from the store differs from the list entry's"
        );
    }
}

/// The inspection the page builds of an import: the view built a few items at a time.
#[cfg(not(target_arch = "wasm32"))]
fn built_in_slices(events: &[Event]) -> Inspection {
    let mut builder = InspectionBuilder::new(EventLog::from_events(events), &[]);
    loop {
        if let Some(ins) = builder.step(7) {
            return ins;
        }
    }
}

/// Our fixtures and every hostile file that imports (files: native only).
#[cfg(not(target_arch = "wasm32"))]
fn imported_files() -> Vec<(String, Vec<Event>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests/fixtures", "tests/hostile"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x != "md"))
            .collect();
        paths.sort();
        for p in paths {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if let Ok(imported) = trace::import(&std::fs::read(&p).unwrap(), Some(&name)) {
                out.push((name, imported.events));
            }
        }
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn an_imported_trace_exports_from_its_store_byte_for_byte_as_from_its_events() {
    let files = imported_files();
    assert!(files.len() >= 20, "the fixtures and hostile files import");
    for (name, events) in files {
        assert_same(&name, &built_in_slices(&events), &events);
    }
}

fn replay(mode: EmitMode) -> Replay {
    let config = PipelineConfig {
        operations: 40,
        concurrency: 5,
        depth: 4,
        failure_rate: 0.25,
        yields_per_level: 1,
        mode,
        ..PipelineConfig::default()
    };
    Replay::new(config, Rc::new(ManualClock::ticking(1_000)), 100_000)
}

#[test]
fn a_live_run_exports_from_its_store_whole_and_scrubbed_back() {
    for mode in [EmitMode::Awaited, EmitMode::FireAndForget] {
        let mut replay = replay(mode);
        replay.run_all();
        let events = replay.bus().events();
        let n = events.len();
        assert!(n > 300, "{mode}: {n} events");
        // Forward to the end, back (the later events hidden, not dropped), forward again.
        for cursor in [n, n / 2, n / 3 + 1, n] {
            replay.seek(cursor);
            let ins = replay.inspection();
            assert!(ins.trace.held() >= cursor);
            assert_same(&format!("{mode} at {cursor}"), &ins, &events[..cursor]);
        }
    }
}

/// A writer that takes `room` bytes, then fails.
struct Full {
    room: usize,
}

impl Write for Full {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::Error::other("disk full"));
        }
        let n = bytes.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_writer_that_fails_stops_the_export_with_its_error() {
    let mut replay = replay(EmitMode::Awaited);
    replay.run_all();
    let ins = replay.inspection();
    for format in FORMATS {
        let whole = from_the_store(format, &ins).len();
        for room in [0, 1, whole / 2, whole - 1] {
            let err = trace::write_log(format, &ins.trace, &ins.spans, &mut Full { room })
                .expect_err("the writer is full before the end");
            assert_eq!(err.to_string(), "disk full", "{format:?} with room {room}");
        }
        trace::write_log(format, &ins.trace, &ins.spans, &mut Full { room: whole }).unwrap();
    }
}
