//! # The result of a session
//!
//! [`Comparison`] is plain serde data: the native bench prints it, the browser UI charts it.
//! Each [`SubjectFigures`] is one subject with its figures per operation and per event; each figure is a
//! [`Spread`] over rounds. Overheads and ratios are taken per round against the baseline of
//! the same round and the same call shape, then summarised, so drift between rounds cancels.
//! [`PhaseStep`]s read the ablation rows off as the original's analysis's per-phase table.

use serde::{Deserialize, Serialize};

use super::ablation::Stage;
use super::config::MeasureConfig;
use super::split::{BatchSplit, SplitFigures};
use super::spread::Spread;
use super::subject::{Group, Subject};
use crate::core::EmitMode;
use crate::workload::{CallShape, Subscribers};

/// One subject's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubjectFigures {
    pub key: String,
    pub label: String,
    pub group: Group,
    pub shape: CallShape,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<EmitMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribers: Option<Subscribers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Operations per timed batch (after calibration).
    pub ops_per_batch: usize,
    /// Events one operation emits when fully recorded: what per-event figures divide by,
    /// for every row of the shape (so a mode that skips events shows what it saves per event).
    pub events_per_op: usize,
    /// Events the bus actually recorded per operation, for rows whose bus processes events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_events_per_op: Option<f64>,
    pub ns_per_op: Spread,
    pub ns_per_event: Spread,
    /// Per round, this row minus the baseline of the same round, per operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overhead_ns_per_op: Option<Spread>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overhead_ns_per_event: Option<Spread>,
    /// Per round, this row divided by the baseline of the same round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_to_baseline: Option<Spread>,
    /// For mode rows: the caller's cost versus background processing, and the queue lag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitFigures>,
}

/// One phase of the ablation: what the stage adds to the one before.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseStep {
    pub stage: Stage,
    pub label: String,
    /// The stage's whole overhead over the baseline (median, per operation).
    pub cumulative_ns_per_op: f64,
    /// The median of per-round differences to the previous stage (to the baseline for the
    /// first): this phase's own cost.
    pub ns_per_op: Spread,
    pub ns_per_event: Spread,
    pub original_guess: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_us_per_event: Option<String>,
}

/// Everything one session measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The smallest clock step observed: 1 ns-ish natively, 5–100 µs in browsers.
    pub timer_resolution_ns: u64,
    /// How long each timed batch was made to last at least.
    pub batch_target_ns: u64,
    pub rounds: usize,
    pub config: MeasureConfig,
    pub rows: Vec<SubjectFigures>,
    /// The per-phase breakdown of the nested shape (empty if its stages were not measured).
    pub phases: Vec<PhaseStep>,
}

impl Comparison {
    pub(crate) fn from_samples(
        config: &MeasureConfig,
        resolution_ns: u64,
        target_ns: u64,
        subjects: &[Box<dyn Subject>],
        ops: &[usize],
        samples: &[Vec<f64>],
        splits: &[Vec<BatchSplit>],
    ) -> Comparison {
        let baseline_of = |shape: CallShape| {
            subjects
                .iter()
                .position(|s| s.group() == Group::Baseline && s.shape() == shape)
        };
        let rows: Vec<SubjectFigures> = subjects
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let events = s
                    .shape()
                    .events_per_operation(&config.bench.pipeline)
                    .max(1);
                let per_event = 1.0 / events as f64;
                let ns_per_op = Spread::of(&samples[i]);
                let base = baseline_of(s.shape()).filter(|&b| b != i);
                let overhead = base.map(|b| paired(&samples[i], &samples[b], |x, y| x - y));
                let ratio = base.map(|b| paired(&samples[i], &samples[b], |x, y| x / y));
                SubjectFigures {
                    key: s.key(),
                    label: s.label(),
                    group: s.group(),
                    shape: s.shape(),
                    mode: s.mode().map(|m| m.0),
                    subscribers: s.mode().map(|m| m.1),
                    stage: s.stage(),
                    ops_per_batch: ops[i],
                    events_per_op: events,
                    recorded_events_per_op: s
                        .recorded()
                        .filter(|&(_, n)| n > 0)
                        .map(|(e, n)| e as f64 / n as f64),
                    ns_per_event: ns_per_op.scaled(per_event),
                    ns_per_op,
                    overhead_ns_per_event: overhead.map(|o| o.scaled(per_event)),
                    overhead_ns_per_op: overhead,
                    ratio_to_baseline: ratio,
                    split: SplitFigures::of(&splits[i], ops[i], events),
                }
            })
            .collect();
        let phases = phase_steps(config, subjects, samples);
        Comparison {
            timer_resolution_ns: resolution_ns,
            batch_target_ns: target_ns,
            rounds: config.rounds,
            config: config.clone(),
            rows,
            phases,
        }
    }

    /// The row with this key.
    pub fn row(&self, key: &str) -> Option<&SubjectFigures> {
        self.rows.iter().find(|r| r.key == key)
    }

    /// The baseline row of a shape.
    pub fn baseline(&self, shape: CallShape) -> Option<&SubjectFigures> {
        self.rows
            .iter()
            .find(|r| r.group == Group::Baseline && r.shape == shape)
    }

    /// The row of a mode with no subscribers, in a shape.
    ///
    /// A mode with a parameter finds its own row, or else the first row of its family: the
    /// lists that go by [`EmitMode::ALL`] (default parameters) find `--modes sampled:0.25`.
    pub fn mode_row(&self, shape: CallShape, mode: EmitMode) -> Option<&SubjectFigures> {
        let no_subscriber =
            |r: &&SubjectFigures| r.shape == shape && r.subscribers.is_some_and(|s| s.count == 0);
        let mut rows = self.rows.iter().filter(no_subscriber);
        rows.clone()
            .find(|r| r.mode == Some(mode))
            .or_else(|| rows.find(|r| r.mode.is_some_and(|m| m.as_str() == mode.as_str())))
    }
}

/// Summarises `f(a[r], b[r])` over the rounds both have.
fn paired(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Spread {
    let values: Vec<f64> = a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
    Spread::of(&values)
}

/// The nested shape's ablation, stage by stage, if every stage was measured.
fn phase_steps(
    config: &MeasureConfig,
    subjects: &[Box<dyn Subject>],
    samples: &[Vec<f64>],
) -> Vec<PhaseStep> {
    let shape = CallShape::Nested;
    let find = |pred: &dyn Fn(&dyn Subject) -> bool| {
        subjects
            .iter()
            .position(|s| s.shape() == shape && pred(s.as_ref()))
    };
    let Some(base) = find(&|s| s.group() == Group::Baseline) else {
        return Vec::new();
    };
    let awaited_with = |count: usize, asynchronous: bool| {
        move |s: &dyn Subject| {
            s.mode().is_some_and(|(m, subs)| {
                m == EmitMode::Awaited
                    && subs.count == count
                    && subs.asynchronous == asynchronous
                    && subs.handler_cost == 0
                    && subs.kinds == crate::workload::SubscriberKinds::All
            })
        }
    };
    let stage_row = |stage: Stage| match stage {
        Stage::Process => find(&awaited_with(0, false)),
        Stage::Handlers => find(&awaited_with(1, false)),
        _ => find(&|s| s.stage() == Some(stage)),
    };
    let Some(indexes) = Stage::ALL
        .iter()
        .map(|&s| stage_row(s))
        .collect::<Option<Vec<_>>>()
    else {
        return Vec::new();
    };
    let per_event = 1.0 / CallShape::Nested.events_per_operation(&config.bench.pipeline) as f64;
    let mut previous = base;
    Stage::ALL
        .iter()
        .zip(indexes)
        .map(|(&stage, i)| {
            let step = paired(&samples[i], &samples[previous], |x, y| x - y);
            let cumulative = paired(&samples[i], &samples[base], |x, y| x - y);
            previous = i;
            PhaseStep {
                stage,
                label: stage.label().to_owned(),
                cumulative_ns_per_op: cumulative.median,
                ns_per_op: step,
                ns_per_event: step.scaled(per_event),
                original_guess: stage.original_guess().to_owned(),
                python_us_per_event: stage.python_us_per_event().map(str::to_owned),
            }
        })
        .collect()
}
