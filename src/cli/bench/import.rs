//! # `lineage bench --import`: import throughput and peak memory per format
//!
//! Writes one input per case into a temporary folder, then imports each in a child process
//! (`lineage bench --import-case FILE`) so every case's peak resident memory is its own: the
//! child reads `VmHWM` from `/proc/self/status` when it is done and prints one line of JSON.
//! The parent prints a table: format, events, file MB, seconds, events/s, peak MB, peak per
//! file byte.
//!
//! The cases: lineage NDJSON as `lineage simulate` writes it (a simulated run's events copied
//! with fresh ids and times), the Chrome "bomb" of 2 M `{"ph":"X","ts":0}` (18 bytes an event
//! that become two events each), a Chrome trace of other tools' nested slices with real
//! names and args, and OTLP JSON Lines. Then the same lineage NDJSON trace twice, once with
//! ids that look random and once with ids chosen to collide under the unseeded hash the
//! indexes used until 2026-12 ([`chosen_ids`]): with the seeded id hash the two cost the same.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use serde_json::json;
use uuid::Uuid;

use crate::cli::input::{stream_file, ImportArgs};
use crate::core::Event;
use crate::trace::{self, Limits};

mod chosen_ids;

/// One input of the bench.
struct Case {
    name: &'static str,
    file: PathBuf,
}

/// Runs the bench with about `events` events per case (the bomb always has 2 M slices).
pub(crate) fn run(events: u64) -> ExitCode {
    let dir = std::env::temp_dir().join(format!("lineage-import-bench-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("lineage bench: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let result = write_cases(&dir, events).and_then(|cases| run_cases(&cases));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lineage bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_cases(dir: &Path, events: u64) -> Result<Vec<Case>, String> {
    let cases: [(&'static str, &str, WriteFn); 6] = [
        ("ndjson (simulate)", "run.ndjson", write_ndjson),
        ("chrome bomb", "bomb.json", |out, _| {
            write_bomb(out, 2_000_000)
        }),
        ("chrome (nested, named)", "slices.json", write_slices),
        ("otlp (JSON Lines)", "spans.jsonl", write_otlp),
        ("ndjson, random ids", "spread-ids.ndjson", |out, n| {
            chosen_ids::write(out, n, chosen_ids::spread)
        }),
        ("ndjson, chosen ids", "chosen-ids.ndjson", |out, n| {
            chosen_ids::write(out, n, chosen_ids::same_fold)
        }),
    ];
    let mut out = Vec::new();
    for (name, file, write) in cases {
        let path = dir.join(file);
        eprintln!("  writing {name} …");
        let f = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        write(&mut w, events)
            .and_then(|_| w.flush())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        out.push(Case { name, file: path });
    }
    Ok(out)
}

type WriteFn = fn(&mut dyn Write, u64) -> std::io::Result<()>;

fn run_cases(cases: &[Case]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!(
        "{:<24} {:>10} {:>9} {:>8} {:>12} {:>9} {:>10}",
        "format", "events", "file MB", "seconds", "events/s", "peak MB", "peak/file"
    );
    for case in cases {
        let size = std::fs::metadata(&case.file)
            .map_err(|e| e.to_string())?
            .len();
        let out = Command::new(&exe)
            .args(["bench", "--import-case"])
            .arg(&case.file)
            .output()
            .map_err(|e| e.to_string())?;
        let line = String::from_utf8_lossy(&out.stdout);
        let r: serde_json::Value = serde_json::from_str(line.trim()).map_err(|_| {
            format!(
                "the {} case failed: {}",
                case.name,
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        let events = r["events"].as_u64().unwrap_or(0);
        let secs = r["seconds"].as_f64().unwrap_or(0.0);
        let peak = r["peak_kb"].as_u64().unwrap_or(0) as f64 * 1024.0;
        println!(
            "{:<24} {:>10} {:>9.1} {:>8.2} {:>12.0} {:>9.0} {:>10.2}",
            case.name,
            events,
            size as f64 / 1e6,
            secs,
            events as f64 / secs.max(1e-9),
            peak / 1e6,
            peak / size.max(1) as f64
        );
        if let Some(e) = r["error"].as_str() {
            println!("{:<24} refused: {e}", "");
        }
    }
    Ok(())
}

/// The child's side: imports `file` with the default budgets and prints one JSON line.
pub(crate) fn run_case(file: &Path) -> ExitCode {
    let args = ImportArgs {
        max_events: Limits::DEFAULT.max_events,
        max_memory: Limits::DEFAULT.max_retained_bytes >> 20,
        max_bytes: Limits::DEFAULT.max_bytes,
        strict: false,
    };
    let started = Instant::now();
    // Into the event store, as `summary` and the page read a trace.
    let result = stream_file(file, &args, crate::model::EventLog::default(), |_| Ok(()));
    let seconds = started.elapsed().as_secs_f64();
    let (events, estimate, error) = match &result {
        Ok(done) => (
            done.events,
            crate::model::EventSink::retained_bytes(&done.sink),
            None,
        ),
        Err(e) => (0, 0, Some(e.clone())),
    };
    // Where the store's bytes are, part by part (records, arena, indexes...): what a
    // format costs an event, beside the total.
    let parts: serde_json::Map<String, serde_json::Value> = match &result {
        Ok(done) => (done.sink.store().heap_parts().iter())
            .map(|&(name, bytes)| (name.to_owned(), json!(bytes)))
            .collect(),
        Err(_) => serde_json::Map::new(),
    };
    println!(
        "{}",
        json!({
            "events": events, "seconds": seconds, "peak_kb": peak_kb(), "error": error,
            "estimate_bytes": estimate, "event_size": std::mem::size_of::<Event>(),
            "store_parts": parts,
        })
    );
    drop(result);
    ExitCode::SUCCESS
}

/// The peak resident memory of this process (`VmHWM`), in KiB; 0 where /proc has none.
fn peak_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A simulated run's events, copied with fresh ids and later times until there are `n`.
pub(super) fn write_ndjson(out: &mut dyn Write, n: u64) -> std::io::Result<()> {
    let template = simulated_run();
    let span = template
        .iter()
        .map(|e| e.timestamp_ns)
        .max()
        .unwrap_or(0)
        .saturating_sub(template.iter().map(|e| e.timestamp_ns).min().unwrap_or(0))
        + 1_000;
    let mut written = 0;
    for copy in 0u64.. {
        let salt = copy.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let fresh = |id: Uuid| {
            let (hi, lo) = id.as_u64_pair();
            Uuid::from_u64_pair(hi, lo ^ salt)
        };
        for e in &template {
            if written == n {
                return Ok(());
            }
            let mut e = e.clone();
            e.id = fresh(e.id);
            e.parent_id = e.parent_id.map(fresh);
            e.root_id = fresh(e.root_id);
            e.lineage_id = fresh(e.lineage_id);
            e.start_id = e.start_id.map(fresh);
            e.timestamp_ns += copy * span;
            trace::native::write_line(out, &e)?;
            written += 1;
        }
    }
    Ok(())
}

/// 1 000 operations of the default pipeline, as `lineage simulate` records them.
fn simulated_run() -> Vec<Event> {
    let config = crate::workload::PipelineConfig {
        operations: 1_000,
        ..crate::workload::PipelineConfig::default()
    };
    crate::workload::run::recorded_run(&config, crate::core::MonotonicClock::new())
}

/// `n` copies of the smallest complete slice.
fn write_bomb(out: &mut dyn Write, n: u64) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for i in 0..n {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"ph\":\"X\",\"ts\":0}")?;
    }
    out.write_all(b"]")
}

/// `n / 2` slices of another tool: on 8 threads, each parent with three children nested in
/// it, real names, a category and small args. Complete slices, as Chrome writes them.
fn write_slices(out: &mut dyn Write, n: u64) -> std::io::Result<()> {
    const NAMES: [&str; 6] = ["Parse", "Layout", "Paint", "Script", "Style", "Composite"];
    out.write_all(b"{\"traceEvents\":[")?;
    for i in 0..n / 2 {
        if i > 0 {
            out.write_all(b",")?;
        }
        let group = i / 4;
        let (ts, dur) = match i % 4 {
            0 => (group * 1_000, 900),
            k => (group * 1_000 + k * 250, 200),
        };
        let ev = json!({
            "name": NAMES[(i % 6) as usize], "cat": "blink", "ph": "X",
            "ts": ts, "dur": dur, "pid": 1, "tid": group % 8,
            "args": {"frame": group, "url": "https://example.org/index.html"},
        });
        serde_json::to_writer(&mut *out, &ev)?;
    }
    out.write_all(b"],\"displayTimeUnit\":\"ms\"}")
}

/// `n / 2` spans (`n` events) in lines of 100 spans, each with attributes.
fn write_otlp(out: &mut dyn Write, n: u64) -> std::io::Result<()> {
    let spans = n / 2;
    let mut i = 0;
    while i < spans {
        let batch: Vec<_> = (i..(i + 100).min(spans))
            .map(|k| {
                let root = k - k % 4;
                let mut span = json!({
                    "traceId": format!("{:032x}", root + 1),
                    "spanId": format!("{:016x}", k + 1),
                    "name": format!("op {}", k % 7),
                    "kind": 1,
                    "startTimeUnixNano": (1_700_000_000_000_000_000u64 + k * 1_000).to_string(),
                    "endTimeUnixNano": (1_700_000_000_000_000_500u64 + k * 1_000).to_string(),
                    "attributes": [{"key": "http.route", "value": {"stringValue": "/api/items"}}],
                });
                if k != root {
                    span["parentSpanId"] = json!(format!("{:016x}", root + 1));
                }
                span
            })
            .collect();
        let doc = json!({"resourceSpans": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "bench"}}]},
            "scopeSpans": [{"scope": {"name": "bench"}, "spans": batch}],
        }]});
        serde_json::to_writer(&mut *out, &doc)?;
        out.write_all(b"\n")?;
        i += 100;
    }
    Ok(())
}
