//! # `simulate --send URL`: the simulated pipeline, streamed to a listener as it runs
//!
//! Something to watch in live mode without any other program: the same run as `simulate
//! --out`, but each event also leaves for `lineage listen` while the run goes on (lineage
//! NDJSON to `/v1/events` by default, or OTLP protobuf or JSON to `/v1/traces`). A subscriber on the bus hands
//! every event to a sending thread ([`sender`]) that batches and POSTs them ([`http`],
//! [`batch`]).
//!
//! ## Pacing
//! `--rate OPS_PER_SEC` runs the operations in slices of about [`sender::LINGER`] worth of
//! operations and sleeps between slices to hold the rate, so a person can watch trees grow
//! in the page. Operations interleave (`--concurrency`) within a slice only; at a slow rate a
//! slice is one operation. Without `--rate` the run goes as fast as the listener takes it
//! (the sending queue is bounded, so a slow listener slows the run down; nothing is dropped).

mod batch;
mod http;
mod sender;

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc::SyncSender;
use std::thread;
use std::time::{Duration, Instant};

use clap::Args;
use futures::executor::LocalPool;

pub(crate) use batch::SendFormat;
use http::Poster;
use sender::{Sender, LINGER, MAX_BATCH};

use super::input::write_output;
use crate::core::{EmitMode, Event, EventBus, Filter, MonotonicClock};
use crate::trace;
use crate::workload::{attach_subscribers, run_range, PipelineConfig};

/// The fastest `--rate` accepted; beyond it, leave `--rate` out.
const MAX_RATE: f64 = 1_000_000.0;
/// Events the bus keeps when no `--out` needs the whole run (they leave through the sender).
const LIVE_HISTORY: usize = 100_000;
/// Events a run that also writes `--out` may hold (as plain `simulate` allows).
const MAX_RECORDED: usize = 50_000_000;

/// The options of `simulate` that stream the run to a listener.
#[derive(Args, Debug)]
pub(crate) struct SendArgs {
    /// Stream the run as it goes to a listener (`lineage listen`) at http://HOST:PORT.
    #[arg(long, value_name = "URL")]
    pub send: Option<String>,
    /// What to send: lineage NDJSON to /v1/events, or OTLP (protobuf or JSON) to /v1/traces.
    #[arg(long, value_enum, default_value = "ndjson", requires = "send")]
    pub send_format: SendFormat,
    /// The bearer token the listener was started with (`lineage listen --token`).
    #[arg(long, value_name = "TOKEN", requires = "send")]
    pub send_token: Option<String>,
    /// Operations per second at most, to watch the trees grow (default: as fast as the
    /// listener takes them).
    #[arg(long, value_name = "OPS_PER_SEC", requires = "send")]
    pub rate: Option<f64>,
}

/// Runs `config` on a bus and streams its events to `url`; writes `out` too when given.
pub(crate) fn simulate_and_send(
    args: &SendArgs,
    url: &str,
    config: &PipelineConfig,
    out: Option<&Path>,
) -> Result<String, String> {
    if config.mode == EmitMode::Disabled {
        return Err("--mode disabled emits no events: there would be nothing to send".into());
    }
    let rate = checked_rate(args.rate)?;
    let poster = Poster::new(url, args.send_token.clone())?;
    poster.check(args.send_format)?;
    let base = poster.base().to_owned();
    let capacity = history_capacity(config, out.is_some())?;
    eprintln!(
        "lineage simulate: streaming {} operations to {base}{}",
        config.operations,
        args.send_format.path()
    );
    let mut sender = Sender::start(poster, args.send_format);
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(capacity)
        .mode(config.mode)
        .clock(MonotonicClock::new())
        .build(pool.spawner());
    let _subscriptions = attach_subscribers(&bus, &config.subscribers);
    let feed = Rc::new(RefCell::new(Some(sender.feed())));
    let _forward = forward_to(&bus, feed.clone());
    let failed = run_paced(&mut pool, &bus, config, rate, &mut sender)?;
    feed.borrow_mut().take(); // closes the queue once the thread has drained it
    let sent = sender.finish()?;
    if let Some(path) = out {
        write_history(&bus, path)?;
    }
    if sent.taken.rejected > 0 {
        return Err(format!(
            "the listener rejected {} of {} events sent: {}",
            sent.taken.rejected,
            sent.events,
            sent.taken
                .first_error
                .as_deref()
                .unwrap_or("no reason given")
        ));
    }
    Ok(format!(
        "sent {} events ({} spans) of {} operations, {failed} failed, mode {}, to {base}{} in {} requests, {} retries",
        sent.events,
        sent.operations,
        config.operations,
        config.mode,
        args.send_format.path(),
        sent.requests,
        sent.taken.retries
    ))
}

/// A subscriber to every event that hands it to the sending thread. `feed` is emptied by
/// the caller to close the queue; a send that fails means the thread has stopped, and the
/// run loop reports why.
fn forward_to(
    bus: &EventBus,
    feed: Rc<RefCell<Option<SyncSender<Event>>>>,
) -> crate::core::Subscription {
    bus.subscribe(Filter::All, move |event| {
        if let Some(queue) = feed.borrow().as_ref() {
            let _ = queue.send(event.clone());
        }
        Ok(())
    })
}

/// Runs the operations in slices (see the module docs); returns how many failed.
fn run_paced(
    pool: &mut LocalPool,
    bus: &EventBus,
    config: &PipelineConfig,
    rate: Option<f64>,
    sender: &mut Sender,
) -> Result<usize, String> {
    let slice = rate.map_or(MAX_BATCH, |r| {
        ((r * LINGER.as_secs_f64()).ceil() as usize).clamp(1, MAX_BATCH)
    });
    let started = Instant::now();
    let (mut done, mut failed) = (0, 0);
    while done < config.operations {
        let end = config.operations.min(done + slice);
        let (b, cfg) = (bus.clone(), config.clone());
        let outcome = pool.run_until(async move {
            let outcome = run_range(Some(&b), &cfg, done..end).await;
            b.flush().await;
            outcome
        });
        failed += outcome.failed;
        done = end;
        if let Some(message) = sender.failure() {
            return Err(message);
        }
        if let Some(r) = rate {
            let due = started + Duration::from_secs_f64(done as f64 / r);
            thread::sleep(due.saturating_duration_since(Instant::now()));
        }
    }
    Ok(failed)
}

fn checked_rate(rate: Option<f64>) -> Result<Option<f64>, String> {
    match rate {
        Some(r) if !(r > 0.0 && r <= MAX_RATE) => Err(format!(
            "--rate must be more than 0 and at most {MAX_RATE} operations per second, not {r}"
        )),
        _ => Ok(rate),
    }
}

/// The bus's history: the whole run when `--out` will be written, else a window.
fn history_capacity(config: &PipelineConfig, whole_run: bool) -> Result<usize, String> {
    let run = config
        .operations
        .saturating_mul(config.events_per_operation());
    if !whole_run {
        return Ok(run.clamp(1, LIVE_HISTORY));
    }
    if run > MAX_RECORDED {
        return Err(format!(
            "the run would record more than {MAX_RECORDED} events for --out; lower --operations or leave --out out"
        ));
    }
    Ok(run.max(1))
}

fn write_history(bus: &EventBus, path: &Path) -> Result<(), String> {
    let (events, pruned) = bus.with_history(|h| (h.events().collect::<Vec<_>>(), h.pruned()));
    if pruned > 0 {
        return Err(format!(
            "the history dropped {pruned} events before --out was written"
        ));
    }
    write_output(Some(path), &trace::export_ndjson(&events))
}
