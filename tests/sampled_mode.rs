//! Sampled mode from the outside: what `lineage simulate --mode sampled:R` records is whole
//! operations only (no lint about a half tree), and `lineage diff` aligns the operations it
//! kept with an awaited run of the same seed. The bus-level property (any ratio, any seed,
//! interleaving, cancellation) is in `bus_properties.rs`. Native only: it runs the binary.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use futures::executor::LocalPool;
use lineage::core::{EmitMode, EventBus, SampleRatio};
use lineage::workload::run::run_operation;
use lineage::workload::PipelineConfig;
use serde_json::Value;

fn lineage(args: &[&str]) -> Value {
    let run = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "lineage {args:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    if args[0] == "simulate" {
        return Value::Null;
    }
    serde_json::from_slice(&run.stdout).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-sampled-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn simulate(dir: &std::path::Path, file: &str, mode: &str) -> String {
    let out = dir.join(file).display().to_string();
    lineage(&[
        "simulate",
        "--seed",
        "11",
        "--operations",
        "60",
        "--failure-rate",
        "0.2",
        "--concurrency",
        "4",
        "--mode",
        mode,
        "--out",
        &out,
    ]);
    out
}

#[test]
fn a_sampled_run_holds_whole_operations_and_aligns_with_an_awaited_one() {
    let dir = scratch("diff");
    let a = simulate(&dir, "a.ndjson", "awaited");
    let b = simulate(&dir, "b.ndjson", "sampled:0.5");

    let s = lineage(&["summary", &b, "--json"]);
    let kept = s["operations"].as_u64().unwrap();
    assert!((1..60).contains(&kept), "about half of 60 kept: {s}");
    assert_eq!(s["unfinished"], 0, "{s}");
    for key in [
        "orphans",
        "lone_ends",
        "single_events",
        "duplicates",
        "cycles",
    ] {
        assert_eq!(s[key], 0, "{key}: {s}");
    }
    assert_eq!(s["events"].as_u64().unwrap(), 6 * kept, "{s}");

    let d = lineage(&["diff", &a, &b, "--json"]);
    let len = |key: &str| d[key].as_array().unwrap().len() as u64;
    assert_eq!(
        len("only_b"),
        0,
        "every kept operation has its partner: {d}"
    );
    assert_eq!(
        len("changed"),
        0,
        "a kept operation is the same operation: {d}"
    );
    assert_eq!(
        len("only_a"),
        60 - kept,
        "the dropped ones show as only in A: {d}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_bus_counts_dropped_trees_once_each() {
    let mut pool = LocalPool::new();
    let ratio = SampleRatio::parse("30%").unwrap();
    let bus = EventBus::builder()
        .mode(EmitMode::Sampled(ratio))
        .sampling_seed(5)
        .build(pool.spawner());
    let config = PipelineConfig {
        failure_rate: 0.0,
        ..PipelineConfig::default()
    };
    let operations = 200;
    for k in 0..operations {
        let _ = pool.run_until(run_operation(Some(&bus), &config, k));
    }
    pool.run_until(bus.flush());
    let stats = bus.stats();
    let kept = stats.processed / 6;
    assert_eq!(stats.processed % 6, 0, "whole operations only");
    assert_eq!(kept + stats.sampled_out, operations as u64);
    assert!((30..=90).contains(&kept), "about 30% of 200: {kept}");
    assert_eq!(stats.lazy_skipped, 0);
}
