//! `lineage simulate [pipeline options] --out FILE`: runs the simulated `aexecute` pipeline on
//! a real bus and writes what it recorded as lineage NDJSON; with `--send URL` it also streams
//! the events to a listener as the run goes ([`super::send`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use futures::executor::LocalPool;

use super::bounds;
use super::input::write_output;
use super::mode_arg::ModeParser;
use crate::core::{EmitMode, EventBus, MonotonicClock};
use crate::trace;
use crate::workload::{attach_subscribers, limits, run_pipeline, PipelineConfig, Subscribers};

#[derive(Args, Debug)]
pub(crate) struct SimulateArgs {
    /// Operations (`aexecute` calls) to run.
    #[arg(long, default_value_t = 100, value_parser = bounds::whole::<usize>(1, bounds::SIMULATE_OPERATIONS))]
    pub operations: usize,
    /// Operations interleaved at once.
    #[arg(long, default_value_t = 1, value_parser = bounds::page::<usize>(limits::CONCURRENCY))]
    pub concurrency: usize,
    /// Nested levels per operation (3 is the original's).
    #[arg(long, default_value_t = 3, value_parser = bounds::page::<usize>(limits::DEPTH))]
    pub depth: usize,
    /// Probability that an operation fails innermost (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = bounds::real(0.0, 1.0))]
    pub failure_rate: f64,
    /// Seed of the failure draws: the same seed fails the same operations.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Busy-loop iterations per level.
    #[arg(long, default_value_t = 0, value_parser = bounds::page::<u32>(limits::WORK_PER_LEVEL))]
    pub work: u32,
    /// Yields to the executor per level (lets concurrent operations interleave).
    #[arg(long, default_value_t = 0, value_parser = bounds::page::<u32>(limits::YIELDS_PER_LEVEL))]
    pub yields: u32,
    /// Emit mode.
    #[arg(long, default_value = "awaited", value_parser = ModeParser)]
    pub mode: EmitMode,
    /// Simulated subscribers listening to every event.
    #[arg(long, default_value_t = 0, value_parser = bounds::page::<usize>(limits::SUBSCRIBERS))]
    pub subscribers: usize,
    /// Where to write the NDJSON (optional with --send).
    #[arg(long, required_unless_present = "send")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub send: super::send::SendArgs,
}

impl SimulateArgs {
    pub(crate) fn config(&self) -> Result<PipelineConfig, String> {
        if !(0.0..=1.0).contains(&self.failure_rate) {
            return Err(format!(
                "--failure-rate must be between 0 and 1, not {}",
                self.failure_rate
            ));
        }
        if self.depth == 0 {
            return Err("--depth must be at least 1".to_owned());
        }
        Ok(PipelineConfig {
            operations: self.operations,
            concurrency: self.concurrency.max(1),
            depth: self.depth,
            failure_rate: self.failure_rate,
            seed: self.seed,
            work_per_level: self.work,
            yields_per_level: self.yields,
            subscribers: Subscribers {
                count: self.subscribers,
                ..Subscribers::default()
            },
            mode: self.mode,
            ..PipelineConfig::default()
        })
    }
}

pub(crate) fn run(args: SimulateArgs) -> ExitCode {
    match simulate(&args) {
        Ok(line) => {
            eprintln!("{}", crate::text::escape(&line));
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("lineage simulate: {}", crate::text::escape(&message));
            ExitCode::FAILURE
        }
    }
}

fn simulate(args: &SimulateArgs) -> Result<String, String> {
    let config = args.config()?;
    if let Some(url) = &args.send.send {
        return super::send::simulate_and_send(&args.send, url, &config, args.out.as_deref());
    }
    let out = args
        .out
        .as_deref()
        .ok_or("--out is required without --send")?;
    // The history must hold the whole run: every operation's events, nothing evicted.
    let capacity = config
        .operations
        .checked_mul(config.events_per_operation())
        .filter(|&n| n <= 50_000_000)
        .ok_or("the run would record more than 50 million events; lower --operations")?
        .max(1);
    check_cost(&config, capacity as u64)?;
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(capacity)
        .mode(config.mode)
        .sampling_seed(config.seed)
        .clock(MonotonicClock::new())
        .build(pool.spawner());
    let _subscriptions = attach_subscribers(&bus, &config.subscribers);
    let b = bus.clone();
    let cfg = config.clone();
    let outcome = pool.run_until(async move {
        let outcome = run_pipeline(Some(&b), &cfg).await;
        b.flush().await;
        outcome
    });
    let (events, pruned) = bus.with_history(|h| (h.events().collect::<Vec<_>>(), h.pruned()));
    if pruned > 0 {
        return Err(format!(
            "the history dropped {pruned} events; the run did not fit in {capacity}"
        ));
    }
    write_output(Some(out), &trace::export_ndjson(&events))?;
    Ok(format!(
        "wrote {} events ({} operations, {} failed, mode {}) to {}",
        events.len(),
        outcome.operations,
        outcome.failed,
        config.mode,
        out.display()
    ))
}

/// Busy-loop iterations, yields and subscriber calls a run may cost in all: each option is
/// bounded alone, but together they still allow runs of days (10 M operations × 8 levels ×
/// 10 M iterations). At about a ns per iteration and up to a few hundred ns per yield or
/// call, each of these is under a minute of a release build.
const MAX_WORK: u64 = 10_000_000_000;
const MAX_YIELDS: u64 = 100_000_000;
const MAX_SUBSCRIBER_CALLS: u64 = 100_000_000;

/// Refuses a run whose options multiply to more than the bounds above, naming them.
fn check_cost(config: &PipelineConfig, events: u64) -> Result<(), String> {
    let levels = (config.operations as u64).saturating_mul(config.depth as u64);
    let costs = [
        (
            levels.saturating_mul(u64::from(config.work_per_level)),
            MAX_WORK,
            "busy-loop iterations (--operations × --depth × --work)",
        ),
        (
            levels.saturating_mul(u64::from(config.yields_per_level)),
            MAX_YIELDS,
            "yields (--operations × --depth × --yields)",
        ),
        (
            events.saturating_mul(config.subscribers.count as u64),
            MAX_SUBSCRIBER_CALLS,
            "subscriber calls (events × --subscribers)",
        ),
    ];
    for (cost, most, what) in costs {
        if cost > most {
            return Err(format!(
                "the run would make {cost} {what}; at most {most}: lower one of them"
            ));
        }
    }
    Ok(())
}
