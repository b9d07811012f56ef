//! # The three nested levels of one `aexecute` call
//!
//! `CallableRegistry.aexecute` → `_execute_with_partial` → `_execute_transactional`, each
//! wrapped by `@emit_events` in the original with a start event ("processing") and an end
//! event ("processed") whose payloads are shaped like the original's classes:
//! `FunctionExecutionEvent`/`FunctionExecutedEvent`, `InputPreparationEvent`/
//! `InputPreparedEvent`, `TransactionalExecutionEvent`/`TransactionalExecutedEvent`.

use std::future::Future;

use uuid::Uuid;

use crate::core::{EventBus, Operation, Payload};

/// The event kinds the original's processing events use.
pub const START_KIND: &str = "processing";
pub const END_KIND: &str = "processed";

/// Why a simulated operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatedFailure(pub String);

impl std::fmt::Display for SimulatedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What one call works on: the function name and its input entity.
#[derive(Clone, Debug)]
pub struct Call {
    pub function_name: &'static str,
    pub input_entity: Uuid,
}

impl Call {
    pub fn new(function_name: &'static str) -> Call {
        Call {
            function_name,
            input_entity: Uuid::new_v4(),
        }
    }
}

/// Runs one `aexecute` call: three nested wrapped levels around `work`, which runs innermost
/// (inside `_execute_transactional`). Six events when nothing is disabled.
pub async fn aexecute<W, Fut>(
    bus: &EventBus,
    call: &Call,
    work: W,
) -> Result<Uuid, SimulatedFailure>
where
    W: FnOnce() -> Fut,
    Fut: Future<Output = Result<Uuid, SimulatedFailure>>,
{
    let f = call.function_name;
    let input = call.input_entity;
    Operation::new(START_KIND, END_KIND)
        .start(move || {
            Payload::process("function_execution")
                .function(f)
                .with("input_parameter_count", 1)
                .with("is_async", true)
                .with("execution_pattern", "determining")
                .tap_inputs(input)
        })
        .end(move |out: &Uuid| {
            Payload::process("function_execution")
                .function(f)
                .with("execution_successful", true)
                .tap_outputs(*out)
        })
        .run(bus, execute_with_partial(bus, call, work))
        .await
}

/// The middle level: input preparation.
pub async fn execute_with_partial<W, Fut>(
    bus: &EventBus,
    call: &Call,
    work: W,
) -> Result<Uuid, SimulatedFailure>
where
    W: FnOnce() -> Fut,
    Fut: Future<Output = Result<Uuid, SimulatedFailure>>,
{
    let f = call.function_name;
    let input = call.input_entity;
    Operation::new(START_KIND, END_KIND)
        .start(move || {
            Payload::process("input_preparation")
                .function(f)
                .with("preparation_type", "config_creation")
                .with("pattern_classification", "partial_execution")
                .tap_inputs(input)
        })
        .end(move |_: &Uuid| {
            Payload::process("input_preparation")
                .function(f)
                .with("preparation_successful", true)
        })
        .run(bus, execute_transactional(bus, call, work))
        .await
}

/// The innermost level: the transactional execution that runs `work`.
pub async fn execute_transactional<W, Fut>(
    bus: &EventBus,
    call: &Call,
    work: W,
) -> Result<Uuid, SimulatedFailure>
where
    W: FnOnce() -> Fut,
    Fut: Future<Output = Result<Uuid, SimulatedFailure>>,
{
    let f = call.function_name;
    let input = call.input_entity;
    Operation::new(START_KIND, END_KIND)
        .start(move || {
            let mut p = Payload::process("transactional_execution")
                .function(f)
                .with("isolation_successful", true);
            p.entity_count = Some(1);
            p.tap_inputs(input)
        })
        .end(move |out: &Uuid| {
            Payload::process("transactional_execution")
                .function(f)
                .with("execution_successful", true)
                .tap_outputs(*out)
        })
        .run(bus, work())
        .await
}

/// Small builders for the entity id lists.
trait EntityIds {
    fn tap_inputs(self, id: Uuid) -> Payload;
    fn tap_outputs(self, id: Uuid) -> Payload;
}

impl EntityIds for Payload {
    fn tap_inputs(mut self, id: Uuid) -> Payload {
        self.input_entity_ids.push(id);
        self
    }

    fn tap_outputs(mut self, id: Uuid) -> Payload {
        self.output_entity_ids.push(id);
        self
    }
}
