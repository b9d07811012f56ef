//! # `lineage bench`
//!
//! Runs the measurement engine natively and prints what emission costs: per mode and
//! subscriber set-up against the bare baseline, the per-phase breakdown, `tracing` peers
//! measured in the same rounds, the 28-event real call, the Python original as a labelled
//! reference, and the original's verdict. `--json` prints the same as one JSON document;
//! `--memory` runs the resident-memory bench instead.

use std::io::Write;
use std::process::ExitCode;
use std::rc::Rc;

use clap::Args;

use super::output::{self, Printer};

use super::mode_arg::ModeParser;
use crate::core::{EmitMode, MonotonicClock};
use crate::measure::memory::{run_memory, MemoryConfig, MemoryReport};
use crate::measure::peers::{TracingPeer, TracingSubject};
use crate::measure::reference::PYTHON_AWAITED_US_PER_OP;
use crate::measure::report::BenchReport;
use crate::measure::verdict::human_ns;
use crate::measure::{Comparison, MeasureConfig, Plan, Session, Spread, Subject, SubjectFigures};
use crate::pipeline::CallShape;

/// Options of `lineage bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Print the report as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Measured rounds; each runs one batch of every row, interleaved.
    #[arg(long, default_value_t = 31)]
    pub rounds: usize,
    /// The fewest operations per timed batch (batches grow until they last --batch-ms).
    #[arg(long, default_value_t = 256)]
    pub operations: usize,
    /// The shortest a timed batch may last, in milliseconds.
    #[arg(long, default_value_t = 10.0)]
    pub batch_ms: f64,
    /// Events each bus keeps in its history.
    #[arg(long, default_value_t = crate::core::history::DEFAULT_CAPACITY)]
    pub history: usize,
    /// Operations run between two flushes of the bus (events queued before processing).
    #[arg(long, default_value_t = 1_024)]
    pub drain_every: usize,
    /// Operations interleaved on the executor at once.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Modes to measure with no subscriber, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_parser = ModeParser)]
    pub modes: Vec<EmitMode>,
    /// Leave out the subscriber set-ups, the phase breakdown, the real call or the peers.
    #[arg(long)]
    pub no_subscribers: bool,
    #[arg(long)]
    pub no_phases: bool,
    #[arg(long)]
    pub no_real: bool,
    #[arg(long)]
    pub no_peers: bool,
    /// Run the memory bench instead: events through a bus with a capped history.
    #[arg(long)]
    pub memory: bool,
    /// Events the memory bench pushes.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// History cap of the memory bench.
    #[arg(long, default_value_t = 100_000)]
    pub memory_history: usize,
    /// Run the import bench instead: throughput and peak memory per trace format.
    #[arg(long)]
    pub import: bool,
    /// Events per case of the import bench.
    #[arg(long, default_value_t = 1_000_000)]
    pub import_events: u64,
    /// One case of the import bench, in this process (how `--import` runs each case).
    #[arg(long, hide = true, value_name = "FILE")]
    pub import_case: Option<std::path::PathBuf>,
    /// Time the Trace tab's steps (scrub step, diff build, critical path, overview) on
    /// simulated traces of these sizes instead, e.g. `--inspect 100000,1000000`.
    #[arg(long, value_delimiter = ',')]
    pub inspect: Vec<usize>,
}

/// Runs `lineage bench`.
pub fn run(args: BenchArgs) -> ExitCode {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    if let Some(file) = &args.import_case {
        return super::bench_import::run_case(file);
    }
    if args.import {
        return super::bench_import::run(args.import_events);
    }
    if args.memory {
        return run_memory_bench(&args, command);
    }
    if !args.inspect.is_empty() {
        return run_inspect_bench(&args, command);
    }
    let mut modes = args.modes.clone();
    if modes.is_empty() {
        modes = EmitMode::ALL.to_vec();
    }
    let mut config = MeasureConfig {
        rounds: args.rounds.max(1),
        min_batch_ms: args.batch_ms,
        min_ops_per_batch: args.operations.max(1),
        ..MeasureConfig::default()
    };
    config.bench.history_capacity = args.history;
    config.bench.drain_every = args.drain_every.max(1);
    config.bench.pipeline.concurrency = args.concurrency.max(1);
    let plan = Plan {
        modes,
        subscribers: !args.no_subscribers,
        phases: !args.no_phases,
        real_aexecute: !args.no_real,
    };
    let mut subjects: Vec<Box<dyn Subject>> = plan
        .subjects()
        .iter()
        .map(|s| s.build(&config.bench))
        .collect();
    if !args.no_peers {
        for peer in [TracingPeer::Registry, TracingPeer::NoSubscriber] {
            subjects.push(Box::new(TracingSubject::new(
                peer,
                &config.bench,
                CallShape::Nested,
            )));
        }
    }
    let session = Session::new(config, Rc::new(MonotonicClock::new()), subjects);
    eprintln!(
        "lineage bench: {} rows × {} rounds, timer resolution {} ns",
        session.total_steps() / (args.rounds.max(1) + 1),
        args.rounds.max(1),
        session.resolution_ns()
    );
    let started = std::time::Instant::now();
    let comparison = session.run(|p| {
        if p.done % 8 == 0 || p.done == p.total {
            eprint!(
                "\r  {}/{} batches ({})          ",
                p.done, p.total, p.subject
            );
            let _ = std::io::stderr().flush();
        }
    });
    eprintln!(
        "\r  done in {:.1} s{:40}",
        started.elapsed().as_secs_f64(),
        ""
    );
    let report = BenchReport::new(command, &comparison);
    let printed = if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => output::print(&format!("{json}\n")),
            Err(e) => Err(format!("could not write the report as JSON: {e}")),
        }
    } else {
        output::print(&render(&comparison, &report))
    };
    finish(printed)
}

/// Exit 0, or 1 with the reason on standard error.
fn finish(printed: Result<(), String>) -> ExitCode {
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `--inspect 100000,1000000`: what the Trace tab's steps cost at those sizes.
fn run_inspect_bench(args: &BenchArgs, command: String) -> ExitCode {
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
        "{:>11} {:>20} {:>20} {:>22} {:>20} {:>22} {:>20} {:>18}",
        "events",
        "scrub step (1‰)",
        "scrub jump (½)",
        "full rebuild",
        "tree rows",
        "diff build A vs B",
        "critical path",
        "overview"
    );
    let f = |s: &Spread| {
        let d = if s.median < 1.0 { 3 } else { 1 };
        format!("{:.d$} ({:.d$}–{:.d$})", s.median, s.min, s.max)
    };
    for c in costs {
        println!(
            "{:>11} {:>20} {:>20} {:>22} {:>20} {:>22} {:>20} {:>18}",
            thousands(c.events as f64),
            f(&c.scrub_step_ms),
            f(&c.scrub_jump_ms),
            f(&c.full_rebuild_ms),
            f(&c.tree_rows_ms),
            f(&c.diff_build_ms),
            f(&c.critical_path_ms),
            f(&c.overview_ms)
        );
    }
    ExitCode::SUCCESS
}

fn run_memory_bench(args: &BenchArgs, command: String) -> ExitCode {
    let config = MemoryConfig {
        events: args.events,
        history_capacity: args.memory_history.max(1),
        sample_every: (args.events / 20).max(1),
    };
    let mut out = Printer::default();
    if !args.json {
        out.print(&format!(
            "lineage bench --memory: {} events, awaited, history cap {}, RSS from /proc/self/statm\n",
            thousands(config.events as f64),
            thousands(config.history_capacity as f64)
        ));
        out.print(&format!(
            "{:>14}  {:>12}  {:>10}\n",
            "events", "history", "RSS MiB"
        ));
    }
    let report = run_memory(&config, |s| {
        if !args.json {
            out.print(&format!(
                "{:>14}  {:>12}  {:>10.1}\n",
                thousands(s.events as f64),
                thousands(s.history_len as f64),
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
            "resident after warm-up (≥ 2 × cap events): {:.1} MiB; at the end: {:.1} MiB; growth {:+.1} %; {} events pruned; {:.1} s\n",
            report.rss_after_warmup_bytes as f64 / (1 << 20) as f64,
            report.rss_end_bytes as f64 / (1 << 20) as f64,
            report.growth * 100.0,
            thousands(report.pruned as f64),
            report.seconds
        ));
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

/// The human-readable report.
pub fn render(c: &Comparison, r: &BenchReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "\nlineage bench: {} interleaved rounds, batches ≥ {}, timer resolution {} ns, history cap {}",
        c.rounds,
        human_ns(c.batch_target_ns as f64),
        c.timer_resolution_ns,
        thousands(c.config.bench.history_capacity as f64)
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        let _ = writeln!(
            w,
            "machine: {} CPUs, load average {} at the end of the run (other work on the machine shows as spread)",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            load.join(" ")
        );
    }
    let _ = writeln!(
        w,
        "one operation = aexecute → execute_with_partial → execute_transactional: {} events when recorded",
        r.events_per_op
    );
    let _ = writeln!(
        w,
        "figures: median over rounds (IQR in brackets); overhead and ratio are per round against that round's baseline\n"
    );
    let _ = writeln!(
        w,
        "{:<46} {:>24} {:>9} {:>14} {:>11} {:>7}",
        "nested, 6 events/op", "ns/op (IQR)", "ns/event", "overhead/event", "× baseline", "ev/op"
    );
    for row in c
        .rows
        .iter()
        .filter(|r| r.shape == CallShape::Nested && r.stage.is_none())
    {
        let _ = writeln!(w, "{}", row_line(row));
    }
    let split_rows: Vec<&SubjectFigures> = c
        .rows
        .iter()
        .filter(|r| r.shape == CallShape::Nested && r.split.is_some())
        .collect();
    if !split_rows.is_empty() {
        let _ = writeln!(
            w,
            "\ncritical path vs background (caller = the operation's own path; background = draining the queue; lag = emitted → processed)"
        );
        let _ = writeln!(
            w,
            "{:<46} {:>22} {:>14} {:>12} {:>10} {:>11} {:>11}",
            "mode", "caller ns/op (IQR)", "bg ns/event", "caller+bg", "total", "lag p50", "lag p99"
        );
        for row in split_rows {
            let _ = writeln!(w, "{}", split_line(row));
        }
    }
    if let Some(real) = &r.real_aexecute {
        let _ = writeln!(
            w,
            "\n{:<46} {:>24} {:>9} {:>14} {:>11} {:>7}",
            format!("real aexecute, {} events/op", real.events_per_op),
            "ns/op (IQR)",
            "ns/event",
            "overhead/event",
            "× baseline",
            "ev/op"
        );
        for row in c.rows.iter().filter(|r| r.shape == CallShape::RealAexecute) {
            let _ = writeln!(w, "{}", row_line(row));
        }
        let _ = writeln!(
            w,
            "  (the original: a real aexecute takes {} ms with events, {} ms without: {:.2} ms of events per call)",
            real.python_ms_events_on_off.0,
            real.python_ms_events_on_off.1,
            real.python_ms_events_on_off.0 - real.python_ms_events_on_off.1
        );
    }
    if !c.phases.is_empty() {
        let _ = writeln!(
            w,
            "\nphase breakdown by ablation (each phase = its stage minus the stage before, per round)"
        );
        let _ = writeln!(
            w,
            "{:<46} {:>18} {:>10} {:>13} {:>16} {:>24}",
            "phase",
            "ns/op (IQR)",
            "ns/event",
            "cumulative/op",
            "original's guess/ev",
            "Python measured µs/ev"
        );
        for p in &c.phases {
            let _ = writeln!(
                w,
                "{:<46} {:>18} {:>10.1} {:>13.1} {:>16} {:>24}",
                p.label,
                with_iqr(&p.ns_per_op),
                p.ns_per_event.median,
                p.cumulative_ns_per_op,
                p.original_guess,
                p.python_us_per_event.as_deref().unwrap_or("—")
            );
        }
    }
    let _ = writeln!(
        w,
        "\nPython original (reference, {}):",
        r.python_reference.note
    );
    for f in &r.python_reference.figures {
        let _ = writeln!(w, "  {:<62} {:>8.1} µs/op", f.label, f.us_per_op);
    }
    let _ = writeln!(
        w,
        "  our awaited mode is {:.0}× faster per operation than the original's {} µs",
        r.python_reference.awaited_speedup, PYTHON_AWAITED_US_PER_OP
    );
    let _ = writeln!(
        w,
        "\nverdict (the original's rule: optimise only if overhead > 1 ms per operation):"
    );
    for v in &r.verdicts {
        let _ = writeln!(w, "  {}", v.sentence);
    }
    if let Some(v) = &r.fire_and_forget_verdict {
        let _ = writeln!(
            w,
            "\nthe Python team's question (can emission be fire-and-forget?):\n  {v}"
        );
    }
    let _ = writeln!(w, "\ngoals:");
    for g in &r.goals {
        let mark = match g.holds {
            Some(true) => "holds ",
            Some(false) => "MISSED",
            None => "  —   ",
        };
        let _ = writeln!(
            w,
            "  [{mark}] {:<56} target {:<16} measured {}",
            g.name, g.target, g.measured
        );
    }
    out
}

fn row_line(row: &SubjectFigures) -> String {
    let dash = || "—".to_owned();
    format!(
        "{:<46} {:>24} {:>9.1} {:>14} {:>11} {:>7}",
        row.label,
        with_iqr(&row.ns_per_op),
        row.ns_per_event.median,
        row.overhead_ns_per_event
            .map_or_else(dash, |o| format!("{:.1}", o.median)),
        row.ratio_to_baseline
            .map_or_else(dash, |x| format!("{:.1}×", x.median)),
        row.recorded_events_per_op
            .map_or_else(dash, |e| format!("{e:.2}")),
    )
}

fn split_line(row: &SubjectFigures) -> String {
    let Some(s) = &row.split else {
        return String::new();
    };
    let lag = |l: Option<Spread>| l.map_or_else(|| "—".to_owned(), |l| human_ns(l.median));
    format!(
        "{:<46} {:>22} {:>14.1} {:>12.1} {:>10.1} {:>11} {:>11}",
        row.label,
        with_iqr(&s.caller_ns_per_op),
        s.background_ns_per_event.median,
        s.sum_ns_per_op.median,
        row.ns_per_op.median,
        lag(s.lag_p50_ns),
        lag(s.lag_p99_ns),
    )
}

/// "612.3 (598.1–630.0)".
fn with_iqr(s: &Spread) -> String {
    let digits = if s.median.abs() < 100.0 { 1 } else { 0 };
    format!(
        "{:.*} ({:.*}–{:.*})",
        digits, s.median, digits, s.q1, digits, s.q3
    )
}

/// 10000000 → "10 000 000".
fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}
