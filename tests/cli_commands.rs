//! The command line on the Python original's real dump, and on bad input (native only: it
//! runs the `lineage` binary).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{lineage, operations};
use lineage::analysis::lints::LintKind;
use lineage::analysis::Inspection;
use lineage::core::Event;
use lineage::trace;
use serde_json::Value;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/abstractions-sample.ndjson"
);

fn fixture() -> Vec<Event> {
    trace::import(&std::fs::read(FIXTURE).unwrap(), None)
        .unwrap()
        .events
}

#[test]
fn lineage_summary_prints_the_fixture_counts() {
    let out = lineage(&["summary", FIXTURE]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("operations       2"), "{text}");
    assert!(text.contains("completed      1"), "{text}");
    assert!(text.contains("never finished 1"), "{text}");
    assert!(text.contains("orphans          0"), "{text}");
    assert!(
        text.contains("Operations that never finished (3)"),
        "{text}"
    );
}

#[test]
fn lineage_summary_json_has_the_integer_counts_at_the_top_level() {
    let out = lineage(&["summary", FIXTURE, "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let get = |k: &str| {
        v[k].as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {v}"))
    };
    assert_eq!(
        [
            "events",
            "operations",
            "completed",
            "failed",
            "unfinished",
            "orphans"
        ]
        .map(get),
        [49, 2, 1, 0, 1, 0]
    );
    assert_eq!(v["format"], "abstractions");
    assert_eq!(v["lints"]["unfinished"], 3);
}

#[test]
fn lineage_convert_to_chrome_and_back_to_ndjson_keeps_every_operation() {
    let dir = std::env::temp_dir().join(format!("lineage-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chrome = dir.join("sample.json");
    let ndjson = dir.join("sample.ndjson");
    let out = lineage(&[
        "convert",
        FIXTURE,
        "--to",
        "chrome",
        "-o",
        chrome.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = lineage(&[
        "convert",
        chrome.to_str().unwrap(),
        "--to",
        "ndjson",
        "-o",
        ndjson.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = trace::import(&std::fs::read(&ndjson).unwrap(), None).unwrap();
    assert_eq!(operations(back.events), operations(fixture()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lineage_summary_of_a_bad_file_fails_with_one_line_naming_the_position() {
    let dir = std::env::temp_dir().join(format!("lineage-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.ndjson");
    let mut text = std::fs::read_to_string(FIXTURE).unwrap();
    text.push_str("{\"id\": \"not-a-uuid\", \"type\": \"processing\", \"phase\": \"started\"}\n");
    std::fs::write(&bad, text).unwrap();
    let out = lineage(&["summary", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("abstractions event dump"), "{err}");
    assert!(err.contains("line 50"), "{err}");
    assert!(err.contains("id: expected a uuid string"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lineage_simulate_writes_a_run_whose_summary_matches_the_configuration() {
    let dir = std::env::temp_dir().join(format!("lineage-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("run.ndjson");
    let out = lineage(&[
        "simulate",
        "--operations",
        "40",
        "--concurrency",
        "4",
        "--yields",
        "1",
        "--failure-rate",
        "0.25",
        "--seed",
        "7",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = trace::import(&std::fs::read(&out_file).unwrap(), None).unwrap();
    let ins = Inspection::of_import(&imported);
    let failed = (0..40)
        .filter(|&i| {
            let cfg = lineage::workload::PipelineConfig {
                operations: 40,
                failure_rate: 0.25,
                seed: 7,
                ..Default::default()
            };
            lineage::workload::run::fails(&cfg, i)
        })
        .count();
    assert_eq!(ins.summary.events, 40 * 6);
    assert_eq!(ins.summary.operations, 40);
    assert_eq!(ins.summary.failed, failed);
    assert_eq!(ins.summary.completed, 40 - failed);
    assert!(ins.lints.iter().all(|l| l.kind != LintKind::Unfinished));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bench_without_the_awaited_row_prints_no_ratio_rather_than_nan() {
    // Nothing about speed is asserted: a tiny run, read for its words.
    let out = lineage(&[
        "bench",
        "--modes",
        "lazy",
        "--no-subscribers",
        "--no-phases",
        "--no-real",
        "--rounds",
        "2",
        "--batch-ms",
        "0.05",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("NaN"), "{text}");
    assert!(
        text.contains("the awaited mode was not measured in this run"),
        "{text}"
    );
}
