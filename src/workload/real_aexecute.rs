//! # A real `aexecute` call: 28 events
//!
//! The three-level nesting of [`super::levels`] is the part of a call every operation shares.
//! A real `CallableRegistry.aexecute` emits more: the first call in
//! `fixtures/abstractions-sample.ndjson` (the original's own output) has 28 events, 14 wrapped
//! steps, nested like this (start kind / end kind in brackets when not processing/processed):
//!
//! ```text
//! function_execution
//! ├── strategy_detection
//! └── input_preparation
//!     ├── config_entity_creation
//!     ├── state_transition [state_transition/state_transition]
//!     │   └── entity_registration
//!     │       └── tree_building
//!     └── transactional_execution
//!         ├── tree_building
//!         ├── semantic_analysis
//!         ├── entity_registration
//!         │   └── tree_building
//!         └── modifying [modifying/modified]
//!             └── tree_building
//! ```
//!
//! This profile replays that shape, with payloads carrying a few of each class's fields, so
//! the benchmark can say what emission costs a call of the size the original measured at
//! 8.38 ms with events and 5.49 ms without (`docs/reference.md`).

use uuid::Uuid;

use super::failure::SimulatedFailure;
use super::levels::{
    function_execution_level, input_preparation_level, transactional_execution_level, Call,
    LevelWork, END_KIND, START_KIND,
};
use super::wrap::{Level, Wrap};
use crate::core::Payload;

/// Events one successful call of this profile records.
pub const REAL_AEXECUTE_EVENTS: usize = 28;

/// A leaf or inner sub-step: processing/processed with a named process.
fn step(
    process: &'static str,
    function: &'static str,
    detail: (&'static str, &'static str),
) -> Level<impl FnOnce(&mut Payload), impl FnOnce(&(), &mut Payload)> {
    Level {
        start_kind: START_KIND,
        end_kind: END_KIND,
        process,
        function,
        start: move |p: &mut Payload| {
            p.set_process(process)
                .set_function(function)
                .put(detail.0, detail.1);
        },
        end: move |_: &(), p: &mut Payload| {
            p.set_process(process)
                .set_function(function)
                .put("successful", true);
        },
    }
}

/// `tree_building` over one entity: the leaf the original emits most often.
async fn tree_building<I: Wrap>(wrap: &I, f: &'static str) -> Result<(), SimulatedFailure> {
    let level = step("tree_building", f, ("building_method", "build_entity_tree"));
    wrap.wrap(level, async { Ok(()) }).await
}

/// `entity_registration` with its tree build inside.
async fn entity_registration<I: Wrap>(wrap: &I, f: &'static str) -> Result<(), SimulatedFailure> {
    let level = step(
        "entity_registration",
        f,
        ("registration_type", "root_entity"),
    );
    wrap.wrap(level, tree_building(wrap, f)).await
}

/// One real call: 14 wrapped steps around `work`; see the module docs.
pub async fn real_aexecute_with<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let f = call.function_name;
    let root = function_execution_level(call, 2, Some(REAL_AEXECUTE_EVENTS as u64));
    wrap.wrap(root, async {
        work.at_level(0).await;
        let detect = step("strategy_detection", f, ("detection_method", "signature"));
        wrap.wrap(detect, async { Ok(()) }).await?;
        input_preparation(wrap, call, work).await
    })
    .await
}

async fn input_preparation<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let f = call.function_name;
    let level = input_preparation_level(call);
    wrap.wrap(level, async {
        work.at_level(1).await;
        let config = step("config_entity_creation", f, ("config_type", "Config"));
        wrap.wrap(config, async { Ok(()) }).await?;
        let transition = Level {
            start_kind: "state_transition",
            end_kind: "state_transition",
            ..step("state_transition", f, ("from_state", "detached"))
        };
        wrap.wrap(transition, entity_registration(wrap, f)).await?;
        transactional_execution(wrap, call, work).await
    })
    .await
}

async fn transactional_execution<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let f = call.function_name;
    let level = transactional_execution_level(call);
    wrap.wrap(level, async {
        work.at_level(2).await;
        tree_building(wrap, f).await?;
        let semantic = step("semantic_analysis", f, ("analysis_method", "identity"));
        wrap.wrap(semantic, async { Ok(()) }).await?;
        entity_registration(wrap, f).await?;
        let modifying = Level {
            start_kind: "modifying",
            end_kind: "modified",
            ..step("entity_modification", f, ("fields", "gpa"))
        };
        wrap.wrap(modifying, tree_building(wrap, f)).await?;
        work.innermost().await
    })
    .await
}
