//! Subscriptions: matching, priority, unsubscribe, async handlers, cached interest.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::{bus, one_call, run};
use lineage::core::{Event, EventBus, Filter, Phase, Priority};

type Log = Rc<RefCell<Vec<String>>>;
type MakeHandler = Box<dyn Fn(&Event) -> lineage::core::HandlerResult>;

fn recorder() -> (Log, impl Fn(&str) -> MakeHandler) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let make = move |name: &str| {
        let l = l.clone();
        let name = name.to_owned();
        Box::new(move |e: &Event| {
            l.borrow_mut().push(format!("{name}:{}", e.kind));
            Ok(())
        }) as MakeHandler
    };
    (log, make)
}

fn emit_kinds(pool: &mut futures::executor::LocalPool, bus: &EventBus, kinds: &[&'static str]) {
    let b = bus.clone();
    let kinds = kinds.to_vec();
    run(pool, async move {
        for k in kinds {
            let e = b.new_event(k.into(), Phase::Pending, Default::default(), None);
            b.emit(e).await;
        }
        b.flush().await;
    });
}

#[test]
fn kind_pattern_and_predicate_filters_each_receive_only_their_events() {
    let (mut pool, bus) = bus();
    let (log, make) = recorder();
    let _k = bus.subscribe(Filter::kind("created"), make("kind"));
    let _p = bus.subscribe(Filter::pattern("^process").unwrap(), make("pattern"));
    let _q = bus.subscribe(Filter::predicate(|e| e.kind.len() == 8), make("pred"));
    emit_kinds(
        &mut pool,
        &bus,
        &["created", "processing", "creating", "processed"],
    );
    assert_eq!(
        *log.borrow(),
        vec![
            "kind:created",
            "pattern:processing",
            "pred:creating",
            "pattern:processed"
        ]
    );
}

#[test]
fn an_invalid_pattern_is_an_error_not_a_silent_never_match() {
    assert!(Filter::pattern("(unclosed").is_err());
}

#[test]
fn handlers_run_by_priority_then_in_subscription_order() {
    let (mut pool, bus) = bus();
    let (log, make) = recorder();
    let _a = bus.subscribe_with(Filter::All, Priority::LOW, make("low"));
    let _b = bus.subscribe_with(Filter::All, Priority::NORMAL, make("normal1"));
    let _c = bus.subscribe_with(Filter::All, Priority::CRITICAL, make("critical"));
    let _d = bus.subscribe_with(Filter::All, Priority::NORMAL, make("normal2"));
    let _e = bus.subscribe_with(Filter::All, Priority::HIGH, make("high"));
    emit_kinds(&mut pool, &bus, &["x"]);
    assert_eq!(
        *log.borrow(),
        vec!["critical:x", "high:x", "normal1:x", "normal2:x", "low:x"]
    );
}

#[test]
fn dropping_or_unsubscribing_a_handle_stops_delivery_and_detach_keeps_it() {
    let (mut pool, bus) = bus();
    let (log, make) = recorder();
    let dropped = bus.subscribe(Filter::All, make("dropped"));
    let removed = bus.subscribe(Filter::All, make("removed"));
    bus.subscribe(Filter::All, make("kept")).detach();
    emit_kinds(&mut pool, &bus, &["a"]);
    drop(dropped);
    assert!(removed.unsubscribe());
    emit_kinds(&mut pool, &bus, &["b"]);
    assert_eq!(
        *log.borrow(),
        vec!["dropped:a", "removed:a", "kept:a", "kept:b"]
    );
    assert_eq!(bus.subscriber_count(), 1);
}

#[test]
fn async_handlers_are_awaited_in_turn_before_the_next_event() {
    let (mut pool, bus) = bus();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    let _s = bus.subscribe_async(Filter::All, Priority::NORMAL, move |e: Event| {
        let l = l.clone();
        async move {
            l.borrow_mut().push(format!("begin {}", e.kind));
            let mut yielded = false;
            futures::future::poll_fn(|cx| {
                if yielded {
                    std::task::Poll::Ready(())
                } else {
                    yielded = true;
                    cx.waker().wake_by_ref();
                    std::task::Poll::Pending
                }
            })
            .await;
            l.borrow_mut().push(format!("end {}", e.kind));
            Ok(())
        }
    });
    emit_kinds(&mut pool, &bus, &["a", "b"]);
    assert_eq!(*log.borrow(), vec!["begin a", "end a", "begin b", "end b"]);
}

#[test]
fn cached_interest_is_rebuilt_only_when_subscriptions_change() {
    let (_pool, bus) = bus();
    assert!(!bus.has_subscribers_for("processing"));
    assert_eq!(
        bus.stats().interest_rebuilds,
        0,
        "no subscribers: answered without the cache"
    );

    let sub = bus.subscribe(Filter::kind("processing"), |_| Ok(()));
    for _ in 0..100 {
        assert!(bus.has_subscribers_for("processing"));
        assert!(!bus.has_subscribers_for("created"));
    }
    assert_eq!(
        bus.stats().interest_rebuilds,
        2,
        "one rebuild per kind, then cached"
    );

    let pattern = bus.subscribe(Filter::pattern("^creat").unwrap(), |_| Ok(()));
    assert!(
        bus.has_subscribers_for("created"),
        "a new subscription invalidates the cache"
    );
    assert_eq!(bus.stats().interest_rebuilds, 3);

    drop(pattern);
    assert!(!bus.has_subscribers_for("created"), "so does removing one");
    drop(sub);
    assert!(!bus.has_subscribers_for("processing"));
}

#[test]
fn a_predicate_subscription_counts_as_interest_in_every_kind() {
    let (_pool, bus) = bus();
    let _p = bus.subscribe(Filter::predicate(|e| e.phase == Phase::Failed), |_| Ok(()));
    assert!(bus.has_subscribers_for("anything"));
}

#[test]
fn subscribers_see_the_events_of_a_whole_pipeline_call() {
    let (mut pool, bus) = bus();
    let (log, make) = recorder();
    let _s = bus.subscribe(Filter::kind("processed"), make("done"));
    let b = bus.clone();
    run(&mut pool, async move {
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    assert_eq!(log.borrow().len(), 3);
    assert_eq!(bus.stats().handler_calls, 3);
}
