//! `lineage simulate [pipeline options] --out FILE`: runs the simulated `aexecute` pipeline on
//! a real bus and writes what it recorded as lineage NDJSON; with `--send URL` it also streams
//! the events to a listener as the run goes ([`super::send`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use futures::executor::LocalPool;

use super::input::write_output;
use super::mode_arg::ModeParser;
use crate::core::{EmitMode, EventBus, MonotonicClock};
use crate::pipeline::{attach_subscribers, run_pipeline, PipelineConfig, Subscribers};
use crate::trace;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Operations (`aexecute` calls) to run.
    #[arg(long, default_value_t = 100)]
    pub operations: usize,
    /// Operations interleaved at once.
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Nested levels per operation (3 is the original's).
    #[arg(long, default_value_t = 3)]
    pub depth: usize,
    /// Probability that an operation fails innermost (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub failure_rate: f64,
    /// Seed of the failure draws: the same seed fails the same operations.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Busy-loop iterations per level.
    #[arg(long, default_value_t = 0)]
    pub work: u32,
    /// Yields to the executor per level (lets concurrent operations interleave).
    #[arg(long, default_value_t = 0)]
    pub yields: u32,
    /// Emit mode.
    #[arg(long, default_value = "awaited", value_parser = ModeParser)]
    pub mode: EmitMode,
    /// Simulated subscribers listening to every event.
    #[arg(long, default_value_t = 0)]
    pub subscribers: usize,
    /// Where to write the NDJSON (optional with --send).
    #[arg(long, required_unless_present = "send")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub send: super::send::SendArgs,
}

impl SimulateArgs {
    pub fn config(&self) -> Result<PipelineConfig, String> {
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

pub fn run(args: SimulateArgs) -> ExitCode {
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
