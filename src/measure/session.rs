//! # Interleaved rounds
//!
//! A machine's speed drifts: another process wakes, the CPU changes clock, caches warm. Timing
//! all of A, then all of B would fold that drift into the difference between A and B. A
//! [`Session`] instead runs one batch of each subject in turn, A B C D A B C D ..., with the
//! baseline among them, so every round sees the same conditions and a figure's overhead is
//! taken *per round* against the baseline of that round.
//!
//! Before the rounds, each subject is calibrated: its batch grows until one batch lasts at
//! least the target (see [`super::timer::batch_target_ns`]), so cheap subjects (the baseline at
//! a few ns per operation) run millions of operations per batch and costly ones fewer, and no
//! timing is ever shorter than a couple of hundred clock ticks.
//!
//! A session advances one batch per [`Session::step`], so the browser can yield between steps
//! and natively a loop just calls it until done.

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::comparison::Comparison;
use super::config::MeasureConfig;
use super::split::BatchSplit;
use super::subject::Subject;
use super::timer::{batch_target_ns, observe_resolution};
use crate::core::Clock;

/// Where a session is, for a progress bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureProgress {
    /// Steps done and the total (calibrations plus rounds × subjects).
    pub done: usize,
    pub total: usize,
    /// 0 while calibrating, then the round being run (1-based).
    pub round: usize,
    pub rounds: usize,
    /// The key of the subject just run.
    pub subject: String,
}

/// One measurement run over a fixed set of subjects; see the module docs.
pub struct Session {
    config: MeasureConfig,
    clock: Rc<dyn Clock>,
    subjects: Vec<Box<dyn Subject>>,
    ops: Vec<usize>,
    /// Per subject, per round: nanoseconds per operation.
    samples: Vec<Vec<f64>>,
    /// Per subject, per round: the caller / background split, for subjects that have one.
    splits: Vec<Vec<BatchSplit>>,
    resolution_ns: u64,
    target_ns: u64,
    done: usize,
}

impl Session {
    /// Prepares a session: observes the clock's resolution and fixes the batch target.
    pub fn new(
        config: MeasureConfig,
        clock: Rc<dyn Clock>,
        subjects: Vec<Box<dyn Subject>>,
    ) -> Session {
        let resolution_ns = observe_resolution(&*clock, 15, 10_000_000).unwrap_or(1);
        let min_batch_ns = (config.min_batch_ms.max(0.0) * 1e6) as u64;
        let target_ns = batch_target_ns(min_batch_ns, resolution_ns);
        let n = subjects.len();
        Session {
            config,
            clock,
            subjects,
            ops: vec![0; n],
            samples: vec![Vec::new(); n],
            splits: vec![Vec::new(); n],
            resolution_ns,
            target_ns,
            done: 0,
        }
    }

    pub fn total_steps(&self) -> usize {
        self.subjects.len() * (1 + self.config.rounds)
    }

    pub fn is_done(&self) -> bool {
        self.done >= self.total_steps()
    }

    /// The clock step observed when the session began.
    pub fn resolution_ns(&self) -> u64 {
        self.resolution_ns
    }

    /// Runs the next step (one calibration or one measured batch) and says where the session
    /// is; `None` once every step is done.
    pub fn step(&mut self) -> Option<MeasureProgress> {
        if self.is_done() {
            return None;
        }
        let n = self.subjects.len();
        let i = self.done % n;
        let round = self.done / n;
        if round == 0 {
            self.ops[i] = self.calibrate(i);
        } else {
            let ops = self.ops[i];
            let ns = self.subjects[i].run_batch(ops, &*self.clock);
            self.samples[i].push(ns as f64 / ops as f64);
            if let Some(split) = self.subjects[i].last_split() {
                self.splits[i].push(split);
            }
        }
        self.done += 1;
        Some(MeasureProgress {
            done: self.done,
            total: self.total_steps(),
            round,
            rounds: self.config.rounds,
            subject: self.subjects[i].key(),
        })
    }

    /// Runs every remaining step, reporting each.
    pub fn run(mut self, mut on_progress: impl FnMut(&MeasureProgress)) -> Comparison {
        while let Some(p) = self.step() {
            on_progress(&p);
        }
        self.finish()
    }

    /// Grows subject `i`'s batch until one lasts the target; returns the batch size.
    fn calibrate(&mut self, i: usize) -> usize {
        let (min, max) = (
            self.config.min_ops_per_batch.max(1),
            self.config.max_ops_per_batch.max(1),
        );
        let mut ops = min.min(max);
        loop {
            let ns = self.subjects[i].run_batch(ops, &*self.clock);
            if ns >= self.target_ns || ops >= max {
                return ops;
            }
            // Aim 20 % past the target; grow at least 2× (a batch under one tick reads 0).
            let factor = if ns == 0 {
                16.0
            } else {
                (self.target_ns as f64 * 1.2 / ns as f64).clamp(2.0, 16.0)
            };
            ops = ((ops as f64 * factor) as usize).min(max);
        }
    }

    /// The figures of the rounds run so far.
    pub fn finish(self) -> Comparison {
        Comparison::from_samples(
            &self.config,
            self.resolution_ns,
            self.target_ns,
            &self.subjects,
            &self.ops,
            &self.samples,
            &self.splits,
        )
    }
}
