//! `lineage bench --json` carries the keys scripts read, with finite figures. Native only: the
//! `tracing` peers exist only natively. A tiny real run; nothing about speed is asserted.
#![cfg(not(target_family = "wasm"))]

use std::rc::Rc;

use lineage::core::{EmitMode, MonotonicClock};
use lineage::measure::peers::{TracingPeer, TracingSubject};
use lineage::measure::report::BenchReport;
use lineage::measure::{MeasureConfig, Plan, Session, Subject};
use lineage::workload::CallShape;
use serde_json::Value;

fn tiny_report() -> Value {
    let config = MeasureConfig {
        rounds: 3,
        min_batch_ms: 0.05,
        min_ops_per_batch: 16,
        ..MeasureConfig::default()
    };
    let mut subjects: Vec<Box<dyn Subject>> = Plan::default()
        .subjects()
        .iter()
        .map(|s| s.build(&config.bench))
        .collect();
    for peer in [TracingPeer::Registry, TracingPeer::NoSubscriber] {
        subjects.push(Box::new(TracingSubject::new(
            peer,
            &config.bench,
            CallShape::Nested,
        )));
    }
    let comparison = Session::new(config, Rc::new(MonotonicClock::new()), subjects).run(|_| {});
    serde_json::to_value(BenchReport::new("test".into(), &comparison)).unwrap()
}

fn number(v: &Value, path: &str) -> f64 {
    let mut at = v;
    for key in path.split('.') {
        at = at
            .get(key)
            .unwrap_or_else(|| panic!("missing {path} (at {key})"));
    }
    at.as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number: {at}"))
}

#[test]
fn the_json_report_has_every_headline_key_with_finite_figures() {
    let report = tiny_report();
    assert_eq!(number(&report, "events_per_op"), 6.0);
    assert!(number(&report, "baseline_ns_per_op") > 0.0);
    for mode in EmitMode::ALL.map(EmitMode::as_str) {
        for figure in ["ns_per_op", "ns_per_event", "overhead_ns_per_event"] {
            let x = number(&report, &format!("{mode}.{figure}"));
            assert!(x.is_finite(), "{mode}.{figure} = {x}");
        }
        assert!(number(&report, &format!("{mode}.ns_per_op")) > 0.0);
        // The critical path / background split of every mode.
        assert!(number(&report, &format!("{mode}.caller_ns_per_op")) > 0.0);
        assert!(number(&report, &format!("{mode}.background_ns_per_event")) >= 0.0);
    }
    for mode in ["awaited", "fire_and_forget"] {
        let (p50, p99) = (
            number(&report, &format!("{mode}.lag_p50_ns")),
            number(&report, &format!("{mode}.lag_p99_ns")),
        );
        assert!(p50 >= 0.0 && p99 >= p50, "{mode}: lag p50 {p50}, p99 {p99}");
    }
    // Disabled records nothing: its lag is null, not a made-up zero.
    assert!(report["disabled"]["lag_p50_ns"].is_null());
    let verdict = report["fire_and_forget_verdict"].as_str().unwrap();
    assert!(
        verdict.contains("on the critical path") && verdict.contains("in total"),
        "{verdict}"
    );
    for peer in ["tracing_registry", "tracing_none"] {
        assert!(number(&report, &format!("peers.{peer}.ns_per_op")) > 0.0);
    }
    assert_eq!(number(&report, "real_aexecute.events_per_op"), 28.0);
    assert_eq!(report["phases"].as_array().unwrap().len(), 5);
    assert!(!report["verdicts"].as_array().unwrap().is_empty());
    assert!(report["goals"].as_array().unwrap().len() >= 4);
    assert!(number(&report, "python_reference.awaited_speedup") > 0.0);
}
