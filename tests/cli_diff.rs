//! `lineage diff` on two simulated runs of one seed whose differences are known in advance:
//! which operations the seed fails (`pipeline::fails`), how many operations each side ran,
//! and that disabled records nothing (an empty file, refused). The counts must come out
//! exactly, and `--json` lists at most `--max-findings` operations of each kind. Native only: it runs
//! the `lineage` binary.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use lineage::workload::run::fails;
use lineage::workload::PipelineConfig;
use serde_json::Value;

fn lineage(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

/// A scratch folder of this test's own, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-cli-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn simulate(dir: &Path, file: &str, args: &[&str]) -> String {
    let out = dir.join(file).display().to_string();
    let mut all = vec!["simulate", "--seed", "7", "--out", &out];
    all.extend_from_slice(args);
    let run = lineage(&all);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

fn diff(a: &str, b: &str) -> Value {
    let run = lineage(&["diff", a, b, "--json"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

fn count(v: &Value, key: &str) -> usize {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list: {v}"))
        .len()
}

#[test]
fn failures_and_extra_operations_are_counted_exactly_and_a_disabled_run_is_refused() {
    let dir = scratch("counts");
    let a = simulate(&dir, "a.ndjson", &["--operations", "40"]);
    let b = simulate(
        &dir,
        "b.ndjson",
        &[
            "--operations",
            "46",
            "--failure-rate",
            "0.3",
            "--mode",
            "fire_and_forget",
        ],
    );
    // The operations the seed fails among the 40 both sides ran: known before the run.
    let config = PipelineConfig {
        seed: 7,
        failure_rate: 0.3,
        ..PipelineConfig::default()
    };
    let failed = (0..40).filter(|&i| fails(&config, i)).count();
    assert!(
        failed > 0 && failed < 40,
        "the seed should fail some: {failed}"
    );

    let d = diff(&a, &b);
    assert_eq!(count(&d, "only_a"), 0);
    assert_eq!(count(&d, "only_b"), 6);
    assert_eq!(count(&d, "changed"), failed);
    assert_eq!(d["aligned"], 40);
    assert_eq!(
        (d["a"]["operations"].as_u64(), d["b"]["operations"].as_u64()),
        (Some(40), Some(46))
    );
    assert_eq!(
        (d["a"]["events"].as_u64(), d["b"]["events"].as_u64()),
        (Some(240), Some(276))
    );
    assert_eq!(d["a"]["inversions"], 0);
    assert!(d["b"]["inversions"].is_u64());
    assert_eq!(d["delta"]["operations"], 6);
    // Every changed operation changed from completed to failed.
    for op in d["changed"].as_array().unwrap() {
        assert_eq!(
            (op["a"]["status"].as_str(), op["b"]["status"].as_str()),
            (Some("completed"), Some("failed"))
        );
    }

    // The other way round: the six extra operations are on A's side.
    let d = diff(&b, &a);
    assert_eq!(
        (
            count(&d, "only_a"),
            count(&d, "only_b"),
            count(&d, "changed")
        ),
        (6, 0, failed)
    );

    // A run against itself: everything aligned, nothing changed.
    let d = diff(&a, &a);
    assert_eq!(
        (
            count(&d, "only_a"),
            count(&d, "only_b"),
            count(&d, "changed")
        ),
        (0, 0, 0)
    );

    // Disabled records nothing and writes an empty file: refused as `summary` refuses it
    // (issue 14), on either side, rather than read as a run with no operations.
    let off = simulate(
        &dir,
        "off.ndjson",
        &["--operations", "40", "--mode", "disabled"],
    );
    for (x, y) in [(&a, &off), (&off, &a)] {
        let run = lineage(&["diff", x, y, "--json"]);
        assert_eq!(run.status.code(), Some(1));
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(
            err.starts_with("lineage diff: ") && err.contains("the file is empty"),
            "{err}"
        );
        assert!(run.stdout.is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_text_diff_names_the_counts_and_a_bad_file_is_refused() {
    let dir = scratch("text");
    let a = simulate(&dir, "a.ndjson", &["--operations", "5"]);
    let b = simulate(&dir, "b.ndjson", &["--operations", "7"]);
    let run = lineage(&["diff", &a, &b]);
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success());
    assert!(
        text.contains("5 aligned, 0 only in A, 2 only in B, 0 changed"),
        "{text}"
    );

    let bad = dir.join("bad.ndjson");
    std::fs::write(&bad, "{not json\n").unwrap();
    let run = lineage(&["diff", &a, &bad.display().to_string()]);
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.starts_with("lineage diff: ") && err.contains("bad.ndjson"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 14: `diff --json` listed every operation (28.8 MB for a million events against 200
/// operations); now at most `--max-findings` of each kind, with the whole counts.
#[test]
fn the_json_diff_lists_at_most_max_findings_with_whole_counts() {
    let dir = scratch("bounded");
    let a = simulate(&dir, "a.ndjson", &["--operations", "60"]);
    let b = simulate(&dir, "b.ndjson", &["--operations", "5"]);
    let run = lineage(&["diff", &a, &b, "--json", "--max-findings", "7"]);
    assert!(run.status.success());
    let d: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(count(&d, "only_a"), 7);
    assert_eq!(d["counts"]["only_a"], 55);
    assert_eq!(d["counts"]["only_b"], 0);
    assert_eq!(d["findings_truncated"], true);
    assert_eq!(d["findings_per_kind_limit"], 7);
    assert_eq!(d["aligned"], 5);
    // The default lists them all here, and says nothing was left out.
    let d = diff(&a, &b);
    assert_eq!(
        (count(&d, "only_a"), d["counts"]["only_a"].as_u64()),
        (55, Some(55))
    );
    assert_eq!(d["findings_truncated"], false);
    let _ = std::fs::remove_dir_all(&dir);
}
