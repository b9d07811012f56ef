//! # `lineage bench --memory`
//!
//! Resident memory while millions of events go through a bus with a capped history: it must
//! stay flat once the cap is reached, because every eviction frees what its event held.

use std::process::ExitCode;

use super::render::thousands;
use super::{finish, BenchArgs};
use crate::cli::output::Printer;
use crate::measure::memory::{run_memory, MemoryConfig, MemoryReport};

pub(super) fn run_memory_bench(args: &BenchArgs, command: String) -> ExitCode {
    let config = MemoryConfig {
        events: args.events,
        history_capacity: args.memory_history.max(1),
        sample_every: (args.events / 20).max(1),
    };
    let mut out = Printer::default();
    if !args.json {
        out.print(&format!(
            "lineage bench --memory: {} events, awaited, history cap {}; anon = RssAnon from /proc/self/status (the heap: what the figures are read from), RSS = statm's resident set (file-backed pages too)\n",
            thousands(config.events as f64),
            thousands(config.history_capacity as f64)
        ));
        out.print(&format!(
            "{:>14}  {:>12}  {:>10}  {:>10}\n",
            "events", "history", "anon MiB", "RSS MiB"
        ));
    }
    let report = run_memory(&config, |s| {
        if !args.json {
            out.print(&format!(
                "{:>14}  {:>12}  {:>10.1}  {:>10.1}\n",
                thousands(s.events as f64),
                thousands(s.history_len as f64),
                s.anon_bytes as f64 / (1 << 20) as f64,
                s.rss_bytes as f64 / (1 << 20) as f64
            ));
        }
    });
    if args.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            command: String,
            memory: &'a MemoryReport,
        }
        out.print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&Out {
                command,
                memory: &report
            })
            .unwrap_or_default()
        ));
    } else {
        out.print(&format!(
            "anon resident after warm-up (≥ 2 × cap events): {:.1} MiB; at the end: {:.1} MiB (RSS {:.1} MiB); growth {:+.1} %; {} events pruned; {:.1} s\n",
            report.anon_after_warmup_bytes as f64 / (1 << 20) as f64,
            report.anon_end_bytes as f64 / (1 << 20) as f64,
            report.rss_end_bytes as f64 / (1 << 20) as f64,
            report.growth * 100.0,
            thousands(report.pruned as f64),
            report.seconds
        ));
        out.print(&format!(
            "per retained event: {:.0} B anon resident (the end over the empty bus, per event held; {:.0} B by statm's RSS); the history's heap, part by part:\n",
            report.bytes_per_event,
            report.rss_bytes_per_event
        ));
        for part in &report.parts {
            out.print(&format!(
                "  {:<20} {:>8.1} B/event  ({:.1} MiB allocated, not all of it touched)\n",
                part.name,
                part.bytes_per_event,
                part.bytes as f64 / (1 << 20) as f64
            ));
        }
        out.print(&format!(
            "flat once the cap is reached (growth under 5 %): {}\n",
            if report.growth.abs() < 0.05 {
                "yes"
            } else {
                "NO"
            }
        ));
    }
    finish(out.finish())
}
