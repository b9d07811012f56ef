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

use super::bounds;
use super::mode_arg::ModeParser;
use super::output;
use crate::core::{EmitMode, MonotonicClock};
use crate::measure::peers::{TracingPeer, TracingSubject};
use crate::measure::report::BenchReport;
use crate::measure::{MeasureConfig, Plan, Session, Subject};
use crate::workload::{limits, CallShape};

mod import;
mod inspect;
mod live;
mod memory;
mod render;

pub use render::render;

/// Options of `lineage bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// Print the report as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Measured rounds; each runs one batch of every row, interleaved.
    #[arg(long, default_value_t = 31, value_parser = bounds::whole::<usize>(1, bounds::BENCH_ROUNDS))]
    pub rounds: usize,
    /// The fewest operations per timed batch (batches grow until they last --batch-ms).
    #[arg(long, default_value_t = 256, value_parser = bounds::whole::<usize>(1, bounds::BENCH_OPERATIONS))]
    pub operations: usize,
    /// The shortest a timed batch may last, in milliseconds.
    #[arg(long, default_value_t = 10.0, value_parser = bounds::real(0.01, 60_000.0))]
    pub batch_ms: f64,
    /// Events each bus keeps in its history.
    #[arg(long, default_value_t = crate::core::history::DEFAULT_CAPACITY,
          value_parser = bounds::whole::<usize>(1, limits::HISTORY.max as u64))]
    pub history: usize,
    /// Operations run between two flushes of the bus (events queued before processing).
    #[arg(long, default_value_t = 1_024, value_parser = bounds::whole::<usize>(1, bounds::BENCH_OPERATIONS))]
    pub drain_every: usize,
    /// Operations interleaved on the executor at once.
    #[arg(long, default_value_t = 1, value_parser = bounds::page::<usize>(limits::CONCURRENCY))]
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
    #[arg(long, default_value_t = 10_000_000, value_parser = bounds::whole::<u64>(1, bounds::MEMORY_BENCH_EVENTS))]
    pub events: u64,
    /// History cap of the memory bench.
    #[arg(long, default_value_t = 100_000, value_parser = bounds::whole::<usize>(1, limits::HISTORY.max as u64))]
    pub memory_history: usize,
    /// Run the import bench instead: throughput and peak memory per trace format.
    #[arg(long)]
    pub import: bool,
    /// Events per case of the import bench.
    #[arg(long, default_value_t = 1_000_000, value_parser = bounds::whole::<u64>(1, bounds::BENCH_EVENTS))]
    pub import_events: u64,
    /// One case of the import bench, in this process (how `--import` runs each case).
    #[arg(long, hide = true, value_name = "FILE")]
    pub import_case: Option<std::path::PathBuf>,
    /// Time the Trace tab's steps (scrub step, diff build, critical path, overview) on
    /// simulated traces of these sizes instead, e.g. `--inspect 100000,1000000`.
    #[arg(long, value_delimiter = ',', value_parser = bounds::whole::<usize>(1, bounds::BENCH_EVENTS))]
    pub inspect: Vec<usize>,
    /// Run the listener bench instead: OTLP protobuf and NDJSON decoded and stored, in
    /// process and over HTTP on loopback.
    #[arg(long)]
    pub live: bool,
    /// Events per case of the listener bench (spans: half as many).
    #[arg(long, default_value_t = 1_000_000)]
    pub live_events: u64,
}

/// Runs `lineage bench`.
pub fn run(args: BenchArgs) -> ExitCode {
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    if let Some(file) = &args.import_case {
        return import::run_case(file);
    }
    if args.import {
        return import::run(args.import_events);
    }
    if args.live {
        return live::run(args.live_events);
    }
    if args.memory {
        return memory::run_memory_bench(&args, command);
    }
    if !args.inspect.is_empty() {
        return inspect::run_inspect_bench(&args, command);
    }
    run_emit_bench(&args, command)
}

/// The default bench: every row of the plan, and the peers, in interleaved rounds.
fn run_emit_bench(args: &BenchArgs, command: String) -> ExitCode {
    let config = measure_config(args);
    let subjects = subjects(args, &config);
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

/// The rounds, batches and workbench the options ask for.
fn measure_config(args: &BenchArgs) -> MeasureConfig {
    let mut config = MeasureConfig {
        rounds: args.rounds.max(1),
        min_batch_ms: args.batch_ms,
        min_ops_per_batch: args.operations.max(1),
        ..MeasureConfig::default()
    };
    config.bench.history_capacity = args.history;
    config.bench.drain_every = args.drain_every.max(1);
    config.bench.pipeline.concurrency = args.concurrency.max(1);
    config
}

/// The rows to measure: the plan's subjects (every mode unless `--modes` says otherwise),
/// then the `tracing` peers.
fn subjects(args: &BenchArgs, config: &MeasureConfig) -> Vec<Box<dyn Subject>> {
    let mut modes = args.modes.clone();
    if modes.is_empty() {
        modes = EmitMode::ALL.to_vec();
    }
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
    subjects
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
