//! # `lineage bench --inspect`
//!
//! What the Trace tab's steps cost on simulated traces of the sizes asked for: a scrub step
//! (incremental, one per mille and a jump to the middle and back, beside a full rebuild), the
//! tree rows, the diff of an awaited and a fire-and-forget run, the critical path, the
//! overview and a text search scanning every event, each as median and range of a few
//! repetitions.

use std::process::ExitCode;

use super::render::thousands;
use super::BenchArgs;
use crate::measure::Spread;

/// `--inspect 100000,1000000`: what the Trace tab's steps cost at those sizes.
pub(super) fn run_inspect_bench(args: &BenchArgs, command: String) -> ExitCode {
    let reps = args.rounds.clamp(1, 7);
    let costs: Vec<_> = args
        .inspect
        .iter()
        .map(|&n| {
            eprintln!("  {} events ...", thousands(n as f64));
            crate::measure::inspect_cost::measure(n, reps)
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::json!({ "command": command, "inspect": costs })
        );
        return ExitCode::SUCCESS;
    }
    println!(
        "lineage bench --inspect: awaited (A) and fire-and-forget (B) runs of one seed, median (min–max) of {reps} repetitions, ms"
    );
    println!(
        "{:>11} {:>20} {:>20} {:>22} {:>20} {:>22} {:>20} {:>18} {:>22} {:>20} {:>20}",
        "events",
        "scrub step (1‰)",
        "scrub jump (½)",
        "full rebuild",
        "tree rows",
        "diff build A vs B",
        "critical path",
        "overview",
        "search (full scan)",
        "search, hex text",
        "search, JSON text"
    );
    let f = |s: &Spread| {
        let d = if s.median < 1.0 { 3 } else { 1 };
        format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max)
    };
    for c in costs {
        println!(
            "{:>11} {:>20} {:>20} {:>22} {:>20} {:>22} {:>20} {:>18} {:>22} {:>20} {:>20}",
            thousands(c.events as f64),
            f(&c.scrub_step_ms),
            f(&c.scrub_jump_ms),
            f(&c.full_rebuild_ms),
            f(&c.tree_rows_ms),
            f(&c.diff_build_ms),
            f(&c.critical_path_ms),
            f(&c.overview_ms),
            f(&c.search_ms),
            f(&c.search_hex_ms),
            f(&c.search_json_ms)
        );
    }
    ExitCode::SUCCESS
}
