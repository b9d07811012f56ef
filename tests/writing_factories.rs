//! Payload factories that write into the payload they are handed (`Writes`): the events they
//! make are the events a factory returning its payload makes, the bus's reused payload
//! carries nothing from one event into the next, and an end event gets its own names when
//! they are not its start's (the end reuses the start's name symbols only for the same
//! literals).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use common::{bus, run};
use lineage::core::{EmitMode, Event, EventBus, Operation, Payload, Phase, Writes};
use serde_json::json;

/// Runs one operation whose start writes `start` and whose end writes `end`, succeeding
/// with `out` (or failing with it, when `fail`), and returns the bus's events.
fn one(bus: &EventBus, pool: &mut futures::executor::LocalPool, op: OpKind) -> Vec<Event> {
    let b = bus.clone();
    run(pool, async move {
        match op {
            OpKind::Writers => {
                let _ = Operation::new("processing", "processed")
                    .start(Writes(|p: &mut Payload| {
                        p.set_process("stage").set_function("f").put("rows", 3u64);
                    }))
                    .end(Writes(|out: &u64, p: &mut Payload| {
                        p.put("out", *out);
                    }))
                    .run(&b, async { Ok::<u64, String>(7) })
                    .await;
            }
            OpKind::Builders => {
                let _ = Operation::new("processing", "processed")
                    .start(|| Payload::process("stage").function("f").with("rows", 3u64))
                    .end(|out: &u64| Payload::default().with("out", *out))
                    .run(&b, async { Ok::<u64, String>(7) })
                    .await;
            }
            OpKind::OtherEndNames => {
                let _ = Operation::new("processing", "processed")
                    .start(Writes(|p: &mut Payload| {
                        p.set_process("stage").set_function("f");
                    }))
                    .end(Writes(|_: &u64, p: &mut Payload| {
                        p.set_process("other_stage")
                            .set_function(String::from("f_at_run_time"));
                    }))
                    .run(&b, async { Ok::<u64, String>(7) })
                    .await;
            }
            OpKind::Failing => {
                let _ = Operation::new("processing", "processed")
                    .start(Writes(|p: &mut Payload| {
                        p.set_process("stage").put("rows", 3u64);
                    }))
                    .failed(Writes(|e: &String, p: &mut Payload| {
                        p.put("why", e.as_str());
                    }))
                    .run(&b, async { Err::<u64, String>("no rows".into()) })
                    .await;
            }
        }
        b.flush().await;
    });
    bus.events()
}

#[derive(Clone, Copy)]
enum OpKind {
    Writers,
    Builders,
    OtherEndNames,
    Failing,
}

fn bus_in(mode: EmitMode, history: usize) -> (futures::executor::LocalPool, EventBus) {
    let (pool, bus) = bus();
    bus.set_mode(mode);
    bus.set_history_capacity(history);
    (pool, bus)
}

#[test]
fn written_payloads_equal_returned_payloads() {
    for mode in [EmitMode::Awaited, EmitMode::FireAndForget] {
        let (mut pool, bus) = bus_in(mode, 100);
        let written = one(&bus, &mut pool, OpKind::Writers);
        let (mut pool, bus) = bus_in(mode, 100);
        let returned = one(&bus, &mut pool, OpKind::Builders);
        assert_eq!(written.len(), 2);
        for (w, r) in written.iter().zip(&returned) {
            assert_eq!(w.payload, r.payload, "{mode:?}");
        }
        let end = &written[1].payload;
        assert_eq!(
            end.process_name.as_deref(),
            Some("stage"),
            "named after the start"
        );
        assert_eq!(end.function_name.as_deref(), Some("f"));
        assert_eq!(end.extra.get("out"), Some(&json!(7)));
        assert_eq!(
            end.extra.get("rows"),
            None,
            "the start's field is not carried over"
        );
    }
}

#[test]
fn the_reused_payload_carries_nothing_into_the_next_event() {
    let (mut pool, bus) = bus_in(EmitMode::Awaited, 100);
    one(&bus, &mut pool, OpKind::Writers);
    let events = one(&bus, &mut pool, OpKind::OtherEndNames);
    let (start, end) = (&events[2], &events[3]);
    assert_eq!(start.payload.process_name.as_deref(), Some("stage"));
    assert!(start.payload.extra.is_empty(), "{:?}", start.payload.extra);
    assert!(start.payload.input_entity_ids.is_empty());
    assert!(end.payload.extra.is_empty(), "{:?}", end.payload.extra);
}

#[test]
fn an_end_naming_other_names_than_its_start_keeps_its_own() {
    // History 1: the start is evicted before the end is stored; its symbols stay valid.
    for history in [100, 1] {
        let (mut pool, bus) = bus_in(EmitMode::Awaited, history);
        let events = one(&bus, &mut pool, OpKind::OtherEndNames);
        let end = events.last().unwrap();
        assert_eq!(end.phase, Phase::Completed);
        assert_eq!(end.payload.process_name.as_deref(), Some("other_stage"));
        assert_eq!(end.payload.function_name.as_deref(), Some("f_at_run_time"));
        if history == 100 {
            assert_eq!(events[0].payload.process_name.as_deref(), Some("stage"));
            assert_eq!(events[0].payload.function_name.as_deref(), Some("f"));
        }
    }
}

#[test]
fn a_writing_failure_factory_gets_the_error_and_the_start_names() {
    let (mut pool, bus) = bus_in(EmitMode::Awaited, 100);
    let events = one(&bus, &mut pool, OpKind::Failing);
    let end = &events[1];
    assert_eq!(end.phase, Phase::Failed);
    assert_eq!(end.error.as_deref(), Some("no rows"));
    assert_eq!(end.payload.extra.get("why"), Some(&json!("no rows")));
    assert_eq!(end.payload.extra.get("rows"), None);
    assert_eq!(end.payload.process_name.as_deref(), Some("stage"));
    assert_eq!(
        end.payload.function_name, None,
        "the start named no function"
    );
}
