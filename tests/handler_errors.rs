//! A failing handler is recorded and never stops the bus.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{bus, one_call, run};
use lineage::core::{Event, Filter, HandlerError, Priority};

#[test]
fn a_handler_error_is_recorded_and_later_handlers_and_events_still_run() {
    let (mut pool, bus) = bus();
    let after = Rc::new(Cell::new(0));
    let a = after.clone();
    let _bad = bus.subscribe_with(Filter::kind("processing"), Priority::HIGH, |_| {
        Err(HandlerError::from("database unavailable"))
    });
    let _good = bus.subscribe_with(Filter::All, Priority::LOW, move |_| {
        a.set(a.get() + 1);
        Ok(())
    });
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(after.get(), 6, "the low-priority handler saw every event");
    let st = bus.stats();
    assert_eq!(st.handler_errors, 3);
    assert_eq!(st.processed, 6);
    let failures = bus.handler_failures();
    assert_eq!(failures.len(), 3);
    assert_eq!(failures[0].message, "database unavailable");
    assert!(!failures[0].panicked);
}

#[test]
fn an_async_handler_error_is_recorded_the_same_way() {
    let (mut pool, bus) = bus();
    let _bad = bus.subscribe_async(Filter::All, Priority::NORMAL, |e: Event| async move {
        Err(HandlerError(format!("cannot index {}", e.kind)))
    });
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(bus.stats().handler_errors, 6);
    assert_eq!(bus.stats().processed, 6);
}

/// Natively a panic is caught; on wasm32 panics abort the module, so this test is native only.
#[cfg(not(target_family = "wasm"))]
#[test]
fn a_panicking_handler_is_caught_and_recorded_and_the_bus_goes_on() {
    let (mut pool, bus) = bus();
    let _p = bus.subscribe(Filter::kind("processed"), |_| panic!("handler bug"));
    let _a = bus.subscribe_async(Filter::kind("processing"), Priority::LOW, |_| async {
        panic!("async handler bug")
    });
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    let st = bus.stats();
    assert_eq!(st.processed, 12);
    assert_eq!(st.handler_panics, 12);
    let f = bus.handler_failures();
    assert!(f
        .iter()
        .any(|f| f.message == "panicked: handler bug" && f.panicked));
    assert!(f.iter().any(|f| f.message == "panicked: async handler bug"));
}
