//! # Which subjects a run measures
//!
//! The standard line-up answers the questions in one session: the four modes with no
//! subscriber against the bare baseline, what a subscriber adds, the ablation stages, and the
//! 28-event real call. Peers are added by the caller (natively only).

use serde::{Deserialize, Serialize};

use super::ablation::Stage;
use super::subject::{one_subscriber, SubjectSpec};
use crate::core::EmitMode;
use crate::workload::{CallShape, Subscribers};

/// What to include besides the baseline and the chosen modes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    /// Modes measured with no subscriber.
    pub modes: Vec<EmitMode>,
    /// Awaited and lazy with one sync subscriber, awaited with one async subscriber.
    pub subscribers: bool,
    /// The ablation stages (adds awaited with one sync subscriber if missing).
    pub phases: bool,
    /// The 28-event real `aexecute` profile: its own baseline and awaited mode.
    pub real_aexecute: bool,
}

/// Sampled mode keeping no tree: every operation is a dropped one, so the row is what a
/// dropped tree costs (a verdict goal, like Lazy's and Disabled's).
pub const DROPPED_TREES: EmitMode = EmitMode::Sampled(crate::core::SampleRatio::NONE);

impl Default for Plan {
    fn default() -> Self {
        Plan {
            modes: EmitMode::ALL.to_vec(),
            subscribers: true,
            phases: true,
            real_aexecute: true,
        }
    }
}

impl Plan {
    /// The subjects in the order they run in each round, without duplicates.
    pub fn subjects(&self) -> Vec<SubjectSpec> {
        let nested = CallShape::Nested;
        let mut out = vec![SubjectSpec::baseline(nested)];
        for &mode in &self.modes {
            out.push(SubjectSpec::mode(nested, mode, Subscribers::default()));
        }
        if self.modes.iter().any(|m| m.sample_ratio().is_some()) {
            // Sampled mode's promise is about the trees it drops: measured alone when it
            // keeps none.
            out.push(SubjectSpec::mode(
                nested,
                DROPPED_TREES,
                Subscribers::default(),
            ));
        }
        if self.subscribers {
            out.push(SubjectSpec::mode(
                nested,
                EmitMode::Awaited,
                one_subscriber(false),
            ));
            out.push(SubjectSpec::mode(
                nested,
                EmitMode::Awaited,
                one_subscriber(true),
            ));
            out.push(SubjectSpec::mode(
                nested,
                EmitMode::Lazy,
                one_subscriber(false),
            ));
        }
        if self.modes.contains(&EmitMode::Awaited) {
            out.push(SubjectSpec::NamesOnly { shape: nested });
        }
        if self.phases {
            for stage in Stage::ALL {
                out.push(SubjectSpec::stage(nested, stage));
            }
        }
        if self.real_aexecute {
            let real = CallShape::RealAexecute;
            out.push(SubjectSpec::baseline(real));
            out.push(SubjectSpec::mode(
                real,
                EmitMode::Awaited,
                Subscribers::default(),
            ));
        }
        let mut unique: Vec<SubjectSpec> = Vec::with_capacity(out.len());
        for spec in out {
            if !unique.contains(&spec) {
                unique.push(spec);
            }
        }
        unique
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn the_standard_plan_measures_each_subject_once() {
        let subjects = Plan::default().subjects();
        // baseline, every mode, sampled keeping nothing (the dropped trees' cost), 3
        // subscriber set-ups, names-only payloads, 3 stages below processing (processing and
        // handlers reuse mode rows), real baseline and awaited.
        assert_eq!(subjects.len(), 1 + EmitMode::ALL.len() + 1 + 3 + 1 + 3 + 2);
    }

    #[test]
    fn phases_alone_bring_the_rows_they_difference_against() {
        let plan = Plan {
            modes: vec![],
            subscribers: false,
            phases: true,
            real_aexecute: false,
        };
        let subjects = plan.subjects();
        assert!(subjects.contains(&SubjectSpec::mode(
            CallShape::Nested,
            EmitMode::Awaited,
            one_subscriber(false)
        )));
        assert_eq!(subjects.len(), 1 + 5);
    }
}
