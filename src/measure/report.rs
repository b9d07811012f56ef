//! # The bench report
//!
//! What `lineage bench --json` prints: the headline figures flat, under stable keys a script
//! can read (`events_per_op`, `baseline_ns_per_op`, `awaited.ns_per_op`,
//! `peers.tracing_registry.ns_per_op`, ...), followed by every row in full, the phase
//! breakdown, the original's verdicts, the goals and the Python reference. Medians are the
//! headline; each headline also carries its spread.

use serde::Serialize;

use super::comparison::{Comparison, PhaseStep, SubjectFigures};
use super::reference::{Reference, PYTHON, PYTHON_AWAITED_US_PER_OP, PYTHON_REAL_AEXECUTE_MS};
use super::spread::Spread;
use super::verdict::{fire_and_forget_verdict, goals, verdicts, Goal, Verdict};
use crate::core::EmitMode;
use crate::workload::CallShape;

/// Headline figures of one mode (medians over rounds) with their spread.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeFigures {
    pub ns_per_op: f64,
    pub ns_per_event: f64,
    pub overhead_ns_per_op: f64,
    pub overhead_ns_per_event: f64,
    pub ratio_to_baseline: f64,
    pub spread_ns_per_op: Spread,
    pub spread_overhead_ns_per_event: Spread,
    /// The caller's cost per operation: the operation's own path, background excluded.
    pub caller_ns_per_op: f64,
    /// Background processing (drain, spawned puts, handlers) per event.
    pub background_ns_per_event: f64,
    pub background_ns_per_op: f64,
    /// Caller + background per operation (per round, then the median): compare `ns_per_op`.
    pub caller_plus_background_ns_per_op: f64,
    /// Queue lag (emitted → processed), median over rounds of each round's percentile;
    /// `None` when the mode recorded nothing.
    pub lag_p50_ns: Option<f64>,
    pub lag_p99_ns: Option<f64>,
    pub spread_caller_ns_per_op: Spread,
    pub spread_background_ns_per_event: Spread,
}

impl ModeFigures {
    fn of(row: &SubjectFigures) -> ModeFigures {
        let overhead = row.overhead_ns_per_op.unwrap_or_default();
        let overhead_event = row.overhead_ns_per_event.unwrap_or_default();
        let split = row.split.as_ref();
        ModeFigures {
            ns_per_op: row.ns_per_op.median,
            ns_per_event: row.ns_per_event.median,
            overhead_ns_per_op: overhead.median,
            overhead_ns_per_event: overhead_event.median,
            ratio_to_baseline: row.ratio_to_baseline.unwrap_or_default().median,
            spread_ns_per_op: row.ns_per_op,
            spread_overhead_ns_per_event: overhead_event,
            caller_ns_per_op: split.map_or(f64::NAN, |s| s.caller_ns_per_op.median),
            background_ns_per_event: split.map_or(f64::NAN, |s| s.background_ns_per_event.median),
            background_ns_per_op: split.map_or(f64::NAN, |s| s.background_ns_per_op.median),
            caller_plus_background_ns_per_op: split.map_or(f64::NAN, |s| s.sum_ns_per_op.median),
            lag_p50_ns: split.and_then(|s| s.lag_p50_ns).map(|l| l.median),
            lag_p99_ns: split.and_then(|s| s.lag_p99_ns).map(|l| l.median),
            spread_caller_ns_per_op: split.map(|s| s.caller_ns_per_op).unwrap_or_default(),
            spread_background_ns_per_event: split
                .map(|s| s.background_ns_per_event)
                .unwrap_or_default(),
        }
    }
}

/// The headline figures of every mode, in [`EmitMode::ALL`] order; serialised as an object
/// keyed by the modes' names, so adding a mode adds its key without a new field here.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeColumns(pub [(EmitMode, Option<ModeFigures>); EmitMode::ALL.len()]);

impl ModeColumns {
    /// The figures of `mode`, if this run measured it.
    pub fn get(&self, mode: EmitMode) -> Option<&ModeFigures> {
        self.0
            .iter()
            .find(|(m, _)| *m == mode)
            .and_then(|(_, f)| f.as_ref())
    }
}

impl Serialize for ModeColumns {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (mode, figures) in &self.0 {
            map.serialize_entry(mode.as_str(), figures)?;
        }
        map.end()
    }
}

/// A peer's headline figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeerFigures {
    pub ns_per_op: f64,
    pub ns_per_event: f64,
    /// Our awaited mode (0 subscribers) divided by this peer, per operation.
    pub awaited_ratio: f64,
    pub spread_ns_per_op: Spread,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Peers {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing_registry: Option<PeerFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing_none: Option<PeerFigures>,
}

/// The 28-event real call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RealAexecute {
    pub events_per_op: usize,
    pub baseline_ns_per_op: f64,
    pub awaited: ModeFigures,
    /// The original's events on / off for a real call, ms (a reference, measured elsewhere).
    pub python_ms_events_on_off: (f64, f64),
}

/// The Python original's figures and how far we are from them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PythonReference {
    pub note: &'static str,
    pub figures: Vec<Reference>,
    /// The original's 134 µs per operation over our awaited mode's ns per operation.
    pub awaited_speedup: f64,
}

/// Everything `lineage bench --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    pub command: String,
    pub timer_resolution_ns: u64,
    pub batch_target_ns: u64,
    pub rounds: usize,
    pub history_capacity: usize,
    pub events_per_op: usize,
    pub baseline_ns_per_op: f64,
    /// One entry per [`EmitMode::ALL`], under the mode's name (`awaited`, `lazy`, ...), at
    /// the top level of the JSON; `null` for a mode this run did not measure.
    #[serde(flatten)]
    pub modes: ModeColumns,
    pub peers: Peers,
    pub real_aexecute: Option<RealAexecute>,
    pub phases: Vec<PhaseStep>,
    pub verdicts: Vec<Verdict>,
    /// The Python team's question, "can emission be fire-and-forget?", answered on the
    /// critical path and in total (see [`super::split`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fire_and_forget_verdict: Option<String>,
    pub goals: Vec<Goal>,
    pub python_reference: PythonReference,
    pub rows: Vec<SubjectFigures>,
}

impl BenchReport {
    pub fn new(command: String, c: &Comparison) -> BenchReport {
        let nested = CallShape::Nested;
        let mode = |m| c.mode_row(nested, m).map(ModeFigures::of);
        let awaited = c.mode_row(nested, EmitMode::Awaited);
        let peer = |key: &str| {
            c.row(key).map(|p| PeerFigures {
                ns_per_op: p.ns_per_op.median,
                ns_per_event: p.ns_per_event.median,
                awaited_ratio: awaited
                    .map_or(f64::NAN, |a| a.ns_per_op.median / p.ns_per_op.median),
                spread_ns_per_op: p.ns_per_op,
            })
        };
        let real = CallShape::RealAexecute;
        let real_aexecute = c
            .baseline(real)
            .zip(c.mode_row(real, EmitMode::Awaited))
            .map(|(b, a)| RealAexecute {
                events_per_op: a.events_per_op,
                baseline_ns_per_op: b.ns_per_op.median,
                awaited: ModeFigures::of(a),
                python_ms_events_on_off: PYTHON_REAL_AEXECUTE_MS,
            });
        BenchReport {
            command,
            timer_resolution_ns: c.timer_resolution_ns,
            batch_target_ns: c.batch_target_ns,
            rounds: c.rounds,
            history_capacity: c.config.bench.history_capacity,
            events_per_op: nested.events_per_operation(&c.config.bench.pipeline),
            baseline_ns_per_op: c.baseline(nested).map_or(f64::NAN, |b| b.ns_per_op.median),
            modes: ModeColumns(EmitMode::ALL.map(|m| (m, mode(m)))),
            peers: Peers {
                tracing_registry: peer("peer.tracing_registry"),
                tracing_none: peer("peer.tracing_none"),
            },
            real_aexecute,
            phases: c.phases.clone(),
            verdicts: verdicts(c),
            fire_and_forget_verdict: fire_and_forget_verdict(c),
            goals: goals(c),
            python_reference: PythonReference {
                note: "measured elsewhere on the same machine class (docs/reference.md), not in this run",
                figures: PYTHON.to_vec(),
                awaited_speedup: awaited.map_or(f64::NAN, |a| {
                    PYTHON_AWAITED_US_PER_OP * 1_000.0 / a.ns_per_op.median
                }),
            },
            rows: c.rows.clone(),
        }
    }
}
