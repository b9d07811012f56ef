//! What the page's ⤓ export costs on a big trace, the way the page did it before and does now.
//!
//! ```sh
//! cargo run --release --example export_cost             # 1 000 000 events
//! cargo run --release --example export_cost -- 200000  # another size
//! ```
//!
//! Each case runs in a process of its own (this program started again with `--case`), so its
//! peak resident memory is its own. A case first builds what the page holds once a trace is
//! open: the events in the compact store (`EventLog`, filled one event at a time) and its
//! inspection (spans, lints, summary). Then the peak is reset (`/proc/self/clear_refs`) and
//! the export runs:
//!
//! - **list** (before): decode every event into a `Vec<Event>`, then `trace::export` (which
//!   encodes them into a second store, pairs the spans again and builds the whole text as
//!   one `String`);
//! - **store** (now): `trace::write_log` from the inspection's own `EventLog` and `Spans` into
//!   a writer that hands each 1 MiB part on and forgets it, as the page's `BlobParts` hands
//!   them to JavaScript.
//!
//! The table gives the export's time and the resident memory it added at its peak (above
//! what the open trace already held); both cases write the same bytes.

use std::io::{self, Write};
use std::process::Command;
use std::time::Instant;

use lineage::analysis::Inspection;
use lineage::core::{Event, ManualClock};
use lineage::model::EventLog;
use lineage::trace::{self, ExportFormat};
use lineage::workload::run::recorded_run;
use lineage::workload::PipelineConfig;
use uuid::Uuid;

const FORMATS: [(ExportFormat, &str); 3] = [
    (ExportFormat::Ndjson, "ndjson"),
    (ExportFormat::Chrome, "chrome"),
    (ExportFormat::Otlp, "otlp"),
];
const PART: usize = 1 << 20;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--case") {
        let (format, _) = FORMATS
            .into_iter()
            .find(|&(_, name)| name == args[1])
            .expect("a format");
        case(format, &args[2], args[3].parse().expect("an event count"));
        return;
    }
    let events: u64 = args
        .first()
        .map_or(1_000_000, |n| n.parse().expect("events"));
    println!("export of {events} events (open trace: store + inspection)");
    println!(
        "{:<8} {:<6} {:>9} {:>12} {:>10} {:>12}",
        "format", "path", "seconds", "peak +MB", "out MB", "held MB"
    );
    for (format, name) in FORMATS {
        for path in ["list", "store"] {
            let out = Command::new(std::env::current_exe().expect("this program"))
                .args(["--case", name, path, &events.to_string()])
                .output()
                .expect("the case runs");
            let line = String::from_utf8_lossy(&out.stdout);
            let f: Vec<&str> = line.split_whitespace().collect();
            if !out.status.success() || f.len() != 4 {
                eprintln!(
                    "{format:?} {path}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                continue;
            }
            let mb = |s: &str| s.parse::<f64>().unwrap_or(0.0) / 1e6;
            println!(
                "{:<8} {:<6} {:>9} {:>12.0} {:>10.0} {:>12.0}",
                name,
                path,
                f[0],
                mb(f[1]),
                mb(f[2]),
                mb(f[3])
            );
        }
    }
}

/// One export in this process; prints seconds, peak bytes added, bytes written, bytes held
/// before.
fn case(format: ExportFormat, path: &str, n: u64) {
    let ins = Inspection::of_trace(big_trace(n), &[]);
    let held = rss_kb("VmRSS:") * 1024;
    std::fs::write("/proc/self/clear_refs", "5").expect("the peak can be reset");
    let mut sink = Parts::default();
    let t = Instant::now();
    match path {
        "list" => {
            let events: Vec<Event> = ins.trace.events().collect();
            let text = trace::export(format, &events);
            sink.write_all(text.as_bytes()).expect("a sink");
        }
        _ => trace::write_log(format, &ins.trace, &ins.spans, &mut sink).expect("a sink"),
    }
    sink.flush().expect("a sink");
    let seconds = t.elapsed().as_secs_f64();
    let peak = (rss_kb("VmHWM:") * 1024).saturating_sub(held);
    println!("{seconds:.2} {peak} {} {held}", sink.bytes);
}

/// A writer that passes on a part at a time and forgets it (the page's `BlobParts` copies
/// each part to JavaScript).
#[derive(Default)]
struct Parts {
    buf: Vec<u8>,
    bytes: u64,
}

impl Write for Parts {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.bytes += b.len() as u64;
        if self.buf.len() + b.len() > PART {
            self.flush()?;
        }
        if b.len() < PART {
            self.buf.extend_from_slice(b);
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        std::hint::black_box(&self.buf);
        self.buf.clear();
        Ok(())
    }
}

/// `n` events: a simulated run of 1 000 operations (the default pipeline, as `lineage
/// simulate` records it, on a clock that ticks 1 µs a read so every case writes the same bytes)
/// copied with fresh ids and later times, straight into the store.
fn big_trace(n: u64) -> EventLog {
    let template = simulated_run();
    let (lo, hi) = template.iter().fold((u64::MAX, 0), |(lo, hi), e| {
        (lo.min(e.timestamp_ns), hi.max(e.timestamp_ns))
    });
    let span = hi.saturating_sub(lo) + 1_000;
    let mut log = EventLog::default();
    for copy in 0u64.. {
        let salt = copy.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let fresh = |id: Uuid| {
            let (hi, lo) = id.as_u64_pair();
            Uuid::from_u64_pair(hi, lo ^ salt)
        };
        for e in &template {
            if log.len() as u64 == n {
                return log;
            }
            let mut e = e.clone();
            e.id = fresh(e.id);
            e.parent_id = e.parent_id.map(fresh);
            e.root_id = fresh(e.root_id);
            e.lineage_id = fresh(e.lineage_id);
            e.start_id = e.start_id.map(fresh);
            e.timestamp_ns += copy * span;
            log.push(&e);
        }
    }
    log
}

fn simulated_run() -> Vec<Event> {
    let config = PipelineConfig {
        operations: 1_000,
        ..PipelineConfig::default()
    };
    recorded_run(&config, ManualClock::ticking(1_000))
}

/// A field of `/proc/self/status`, in KiB (0 where there is none).
fn rss_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
