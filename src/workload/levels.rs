//! # The three nested levels of one `aexecute` call
//!
//! `CallableRegistry.aexecute` → `_execute_with_partial` → `_execute_transactional`, each
//! wrapped by `@emit_events` in the original with a start event ("processing") and an end
//! event ("processed") whose payloads are shaped like the original's classes:
//! `FunctionExecutionEvent`/`FunctionExecutedEvent`, `InputPreparationEvent`/
//! `InputPreparedEvent`, `TransactionalExecutionEvent`/`TransactionalExecutedEvent`.
//!
//! Every level takes an `Option<&EventBus>`: with `None` the very same nesting runs with no
//! instrumentation at all, which is the benchmark's baseline. The `*_with` variants take any
//! [`Wrap`], so the measurement can also run the nesting half-instrumented or under `tracing`.

use std::future::Future;

use uuid::Uuid;

use super::failure::SimulatedFailure;
use super::wrap::{Level, Wrap};
use crate::core::{EventBus, Payload};

/// The event kinds the original's processing events use.
pub(crate) const START_KIND: &str = "processing";
pub(crate) const END_KIND: &str = "processed";

/// What one call works on: the function name and its input entity.
#[derive(Clone, Debug)]
pub struct Call {
    pub(crate) function_name: &'static str,
    pub(crate) input_entity: Uuid,
}

impl Call {
    /// A call of `function_name` on a fresh random input entity.
    pub fn new(function_name: &'static str) -> Call {
        Call {
            function_name,
            input_entity: Uuid::new_v4(),
        }
    }
}

/// What runs at each level before it descends, and innermost.
pub trait LevelWork {
    /// Runs at the top of level `level` (0 = `aexecute`), before the next level starts.
    fn at_level(&self, level: usize) -> impl Future<Output = ()>;
    /// The innermost work: the function's own body.
    fn innermost(&self) -> impl Future<Output = Result<Uuid, SimulatedFailure>>;
}

/// Runs one `aexecute` call: three nested levels around `work`. Six events when instrumented.
pub async fn aexecute<W: LevelWork>(
    bus: Option<&EventBus>,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    aexecute_with(&bus, call, work).await
}

/// [`aexecute`] under any [`Wrap`]: the measurement runs the identical nesting bare, on the
/// bus, partially instrumented or under a peer.
pub async fn aexecute_with<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let level = function_execution_level(call, 1, None);
    wrap.wrap(level, async {
        work.at_level(0).await;
        execute_with_partial_with(wrap, call, work).await
    })
    .await
}

/// The middle level, input preparation, under any [`Wrap`].
pub(crate) async fn execute_with_partial_with<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let level = input_preparation_level(call);
    wrap.wrap(level, async {
        work.at_level(1).await;
        execute_transactional_with(wrap, call, work).await
    })
    .await
}

/// The innermost level, the transactional execution that runs the function body, under any
/// [`Wrap`].
pub(crate) async fn execute_transactional_with<I: Wrap, W: LevelWork>(
    wrap: &I,
    call: &Call,
    work: &W,
) -> Result<Uuid, SimulatedFailure> {
    let level = transactional_execution_level(call);
    wrap.wrap(level, async {
        work.at_level(2).await;
        work.innermost().await
    })
    .await
}

/// Entity ids in the payloads above, written in place.
pub(crate) trait PayloadEntities {
    fn input(&mut self, id: Uuid) -> &mut Payload;
    fn output(&mut self, id: Uuid) -> &mut Payload;
}

impl PayloadEntities for Payload {
    fn input(&mut self, id: Uuid) -> &mut Payload {
        self.input_entity_ids.push(id);
        self
    }

    fn output(&mut self, id: Uuid) -> &mut Payload {
        self.output_entity_ids.push(id);
        self
    }
}

/// The root level, `aexecute` itself (`FunctionExecutionEvent` / `FunctionExecutedEvent`),
/// shared by the three-level call and the 28-event real call: they differ only in how many
/// parameters the call takes and in the real call's end reporting how many events it made.
pub(crate) fn function_execution_level(
    call: &Call,
    input_parameter_count: u32,
    total_events_generated: Option<u64>,
) -> Level<impl FnOnce(&mut Payload), impl FnOnce(&Uuid, &mut Payload)> {
    let f = call.function_name;
    let input = call.input_entity;
    Level {
        start_kind: START_KIND,
        end_kind: END_KIND,
        process: "function_execution",
        function: f,
        start: move |p: &mut Payload| {
            p.set_process("function_execution")
                .set_function(f)
                .input(input)
                .put("input_parameter_count", input_parameter_count)
                .put("is_async", true)
                .put("execution_pattern", "determining");
        },
        end: move |out: &Uuid, p: &mut Payload| {
            p.set_process("function_execution")
                .set_function(f)
                .output(*out)
                .put("execution_successful", true);
            if let Some(n) = total_events_generated {
                p.put("total_events_generated", n);
            }
        },
    }
}

/// The `_execute_with_partial` level (`InputPreparationEvent` / `InputPreparedEvent`), shared
/// by the three-level call and the 28-event real call.
pub(crate) fn input_preparation_level(
    call: &Call,
) -> Level<impl FnOnce(&mut Payload), impl FnOnce(&Uuid, &mut Payload)> {
    let f = call.function_name;
    let input = call.input_entity;
    Level {
        start_kind: START_KIND,
        end_kind: END_KIND,
        process: "input_preparation",
        function: f,
        start: move |p: &mut Payload| {
            p.set_process("input_preparation")
                .set_function(f)
                .input(input)
                .put("preparation_type", "config_creation")
                .put("pattern_classification", "partial_execution");
        },
        end: move |_: &Uuid, p: &mut Payload| {
            p.set_process("input_preparation")
                .set_function(f)
                .put("preparation_successful", true);
        },
    }
}

/// The `_execute_transactional` level (`TransactionalExecutionEvent` /
/// `TransactionalExecutedEvent`), shared by the three-level call and the 28-event real call.
pub(crate) fn transactional_execution_level(
    call: &Call,
) -> Level<impl FnOnce(&mut Payload), impl FnOnce(&Uuid, &mut Payload)> {
    let f = call.function_name;
    let input = call.input_entity;
    Level {
        start_kind: START_KIND,
        end_kind: END_KIND,
        process: "transactional_execution",
        function: f,
        start: move |p: &mut Payload| {
            p.set_process("transactional_execution")
                .set_function(f)
                .input(input)
                .put("isolation_successful", true)
                .entity_count = Some(1);
        },
        end: move |out: &Uuid, p: &mut Payload| {
            p.set_process("transactional_execution")
                .set_function(f)
                .output(*out)
                .put("execution_successful", true);
        },
    }
}
