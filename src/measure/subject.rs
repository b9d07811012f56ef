//! # What is measured: subjects
//!
//! A [`Subject`] is one way of running the pipeline that gets its own row: the bare baseline,
//! the bus in one mode with one subscriber set-up, an ablation stage, or a peer (natively,
//! `tracing`). Each owns its bus and executor, made once, so a round times only batches.
//!
//! The built-in subjects are described by plain data ([`SubjectSpec`]) so the browser UI can
//! choose them; peers that exist only natively implement [`Subject`] directly. The built-in
//! subjects themselves, the pipeline bare or on a bus, are in `subject/pipeline.rs`.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::ablation::Stage;
use super::split::BatchSplit;
use crate::core::{Clock, EmitMode};
use crate::workload::{CallShape, PipelineConfig, Subscribers};

mod pipeline;

use pipeline::{Baseline, BusRun, BusSubject};

/// Which family a row belongs to, for grouping in tables and charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Baseline,
    Mode,
    Stage,
    Peer,
}

/// Settings every subject of one session shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workbench {
    /// The pipeline each operation runs (its `operations`, `subscribers` and `mode` are
    /// ignored: batches size themselves and each subject sets its own mode and subscribers).
    pub pipeline: PipelineConfig,
    /// Operations between two flushes of the bus.
    pub drain_every: usize,
    /// Events each bus keeps (the original's default is 10 000).
    pub history_capacity: usize,
}

impl Default for Workbench {
    fn default() -> Self {
        Workbench {
            pipeline: PipelineConfig::default(),
            drain_every: 1_024,
            history_capacity: crate::core::history::DEFAULT_CAPACITY,
        }
    }
}

/// One way of running the pipeline, measured batch by batch.
pub trait Subject {
    /// A stable identifier ("awaited", "awaited+1sync", "stage.create", "peer.tracing_none").
    fn key(&self) -> String;
    /// A human label for tables.
    fn label(&self) -> String;
    fn group(&self) -> Group;
    fn shape(&self) -> CallShape;
    /// The emit mode and subscribers, for mode rows.
    fn mode(&self) -> Option<(EmitMode, Subscribers)> {
        None
    }
    fn stage(&self) -> Option<Stage> {
        None
    }
    /// Runs `ops` operations and returns the nanoseconds `clock` saw them take.
    fn run_batch(&mut self, ops: usize, clock: &dyn Clock) -> u64;
    /// Events the bus recorded and operations run so far, for subjects with a bus that
    /// processes events.
    fn recorded(&self) -> Option<(u64, u64)> {
        None
    }
    /// The last batch's caller / background split, for mode rows (see [`super::split`]).
    fn last_split(&self) -> Option<BatchSplit> {
        None
    }
}

/// A built-in subject, as data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SubjectSpec {
    /// The same nesting with no instrumentation at all.
    Baseline { shape: CallShape },
    /// The bus in `mode`, with `subscribers` attached.
    Mode {
        shape: CallShape,
        mode: EmitMode,
        subscribers: Subscribers,
    },
    /// An ablation stage; [`Stage::Process`] and [`Stage::Handlers`] are mode rows
    /// (see [`SubjectSpec::stage`]).
    Stage { shape: CallShape, stage: Stage },
    /// Awaited, no subscriber, payloads reduced to names (see [`NamesOnly`](super::ablation::NamesOnly)).
    NamesOnly { shape: CallShape },
}

/// One subscriber on every event, sync or async, whose handler does nothing.
pub fn one_subscriber(asynchronous: bool) -> Subscribers {
    Subscribers {
        count: 1,
        asynchronous,
        ..Subscribers::default()
    }
}

impl SubjectSpec {
    pub fn baseline(shape: CallShape) -> SubjectSpec {
        SubjectSpec::Baseline { shape }
    }

    pub fn mode(shape: CallShape, mode: EmitMode, subscribers: Subscribers) -> SubjectSpec {
        SubjectSpec::Mode {
            shape,
            mode,
            subscribers,
        }
    }

    /// The subject whose row is the cumulative cost up to `stage`.
    pub fn stage(shape: CallShape, stage: Stage) -> SubjectSpec {
        match stage {
            Stage::Process => SubjectSpec::mode(shape, EmitMode::Awaited, Subscribers::default()),
            Stage::Handlers => SubjectSpec::mode(shape, EmitMode::Awaited, one_subscriber(false)),
            _ => SubjectSpec::Stage { shape, stage },
        }
    }

    /// Makes the subject: its own executor and bus (with the bus's default clock),
    /// subscribers attached.
    pub fn build(&self, bench: &Workbench) -> Box<dyn Subject> {
        self.build_with_clock(bench, None)
    }

    /// Like [`SubjectSpec::build`], with `clock` stamping the bus's events (the browser passes
    /// `performance.now()`, so events cost there what they cost in the inspector).
    pub fn build_with_clock(
        &self,
        bench: &Workbench,
        clock: Option<Rc<dyn Clock>>,
    ) -> Box<dyn Subject> {
        match *self {
            SubjectSpec::Baseline { shape } => Box::new(Baseline::new(bench, shape)),
            SubjectSpec::Mode {
                shape,
                mode,
                subscribers,
            } => Box::new(BusSubject::new(
                bench,
                shape,
                BusRun::Mode(mode, subscribers),
                clock,
            )),
            SubjectSpec::Stage { shape, stage } => match stage {
                Stage::Create | Stage::Context | Stage::Put => {
                    Box::new(BusSubject::new(bench, shape, BusRun::Stage(stage), clock))
                }
                Stage::Process | Stage::Handlers => {
                    SubjectSpec::stage(shape, stage).build_with_clock(bench, clock)
                }
            },
            SubjectSpec::NamesOnly { shape } => {
                Box::new(BusSubject::new(bench, shape, BusRun::NamesOnly, clock))
            }
        }
    }
}

/// The key prefix of a shape: nothing for the default nesting.
pub fn shape_prefix(shape: CallShape) -> &'static str {
    match shape {
        CallShape::Nested => "",
        CallShape::RealAexecute => "real_aexecute.",
    }
}

/// "+1sync", "+2async(cost 100)", or "" for no subscribers.
pub fn subscribers_key(s: &Subscribers) -> String {
    if s.count == 0 {
        return String::new();
    }
    let kind = if s.asynchronous { "async" } else { "sync" };
    let kinds = match s.kinds {
        crate::workload::SubscriberKinds::All => String::new(),
        k => format!("[{}]", k.as_str()),
    };
    let cost = if s.handler_cost > 0 {
        format!("(cost {})", s.handler_cost)
    } else {
        String::new()
    };
    format!("+{}{kind}{kinds}{cost}", s.count)
}

fn subscribers_label(s: &Subscribers) -> String {
    match s.count {
        0 => "0 subscribers".to_owned(),
        n => format!(
            "{n} {} subscriber{}{}",
            if s.asynchronous { "async" } else { "sync" },
            if n == 1 { "" } else { "s" },
            if s.handler_cost > 0 {
                format!(", {} spins", s.handler_cost)
            } else {
                String::new()
            }
        ),
    }
}
