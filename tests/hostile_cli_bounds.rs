//! Every numeric option of every subcommand is bounded: a value out of range is refused
//! before any work, with a message naming the option and its range, and nothing is written.
//! Until 2026-12 `simulate --depth 20000` overflowed the stack and `--subscribers 1000000` or
//! `--yields 4294967295` ran without end (native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

fn lineage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-bounds-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/abstractions-sample.ndjson"
);

/// `(arguments, what stderr must say)`; `OUT` stands for a path that must not be created.
const REFUSED: &[(&[&str], &str)] = &[
    (
        &["simulate", "--depth", "20000"],
        "'--depth <DEPTH>': 20000 is not in 1..=8",
    ),
    (&["simulate", "--depth", "0"], "0 is not in 1..=8"),
    (
        &["simulate", "--subscribers", "1000000"],
        "1000000 is not in 0..=100",
    ),
    (
        &["simulate", "--yields", "4294967295"],
        "4294967295 is not in 0..=100",
    ),
    (&["simulate", "--yields=-1"], "'--yields <YIELDS>'"),
    (
        &["simulate", "--work", "10000001"],
        "10000001 is not in 0..=10000000",
    ),
    (&["simulate", "--concurrency", "0"], "0 is not in 1..=1000"),
    (
        &["simulate", "--operations", "0"],
        "0 is not in 1..=10000000",
    ),
    (
        &["simulate", "--operations", "99999999999"],
        "is not in 1..=10000000",
    ),
    (
        &["simulate", "--failure-rate", "1.5"],
        "1.5 is not in 0..=1",
    ),
    (
        &["simulate", "--failure-rate", "NaN"],
        "NaN is not in 0..=1",
    ),
    (
        &["simulate", "--seed", "18446744073709551616"],
        "'--seed <SEED>'",
    ),
    (&["bench", "--rounds", "0"], "0 is not in 1..=1000"),
    (&["bench", "--operations", "0"], "0 is not in 1..=1000000"),
    (
        &["bench", "--batch-ms", "inf"],
        "inf is not in 0.01..=60000",
    ),
    (&["bench", "--history", "0"], "0 is not in 1..=2000000"),
    (&["bench", "--drain-every", "0"], "0 is not in 1..=1000000"),
    (
        &["bench", "--concurrency", "5000"],
        "5000 is not in 1..=1000",
    ),
    (&["bench", "--events", "0"], "0 is not in 1..=100000000"),
    (
        &["bench", "--memory-history", "3000000"],
        "3000000 is not in 1..=2000000",
    ),
    (
        &["bench", "--import-events", "0"],
        "0 is not in 1..=5000000",
    ),
    (&["bench", "--inspect", "100,0"], "0 is not in 1..=5000000"),
    (
        &["summary", FIXTURE, "--max-events", "0"],
        "0 is not in 1..=4294967293",
    ),
    (
        &["summary", FIXTURE, "--max-memory", "0"],
        "0 is not in 1..=1048576",
    ),
    (
        &["summary", FIXTURE, "--max-bytes", "0"],
        "0 is not in 1..=1000000000000",
    ),
    (
        &["summary", FIXTURE, "--max-findings", "1000001"],
        "1000001 is not in 0..=1000000",
    ),
    (
        &["convert", FIXTURE, "--to", "ndjson", "--max-events", "0"],
        "'--max-events <N>'",
    ),
];

#[test]
fn every_numeric_option_out_of_range_is_refused_with_its_range_and_nothing_is_written() {
    let dir = scratch("refused");
    let out_path = dir.join("out.ndjson");
    for (args, says) in REFUSED {
        let mut args: Vec<&str> = args.to_vec();
        if args[0] == "simulate" {
            args.extend(["--out", out_path.to_str().unwrap()]);
        }
        let out = lineage(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(says),
            "{args:?} should say {says:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
        assert!(!out_path.exists(), "{args:?} wrote a file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn options_each_in_range_that_multiply_to_days_are_refused_naming_them() {
    let dir = scratch("cost");
    let out_path = dir.join("out.ndjson");
    let out = out_path.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--operations", "1000", "--depth", "2", "--work", "10000000"],
            "busy-loop iterations (--operations × --depth × --work); at most 10000000000",
        ),
        (
            &["--operations", "1000000", "--depth", "2", "--yields", "100"],
            "yields (--operations × --depth × --yields); at most 100000000",
        ),
        (
            &[
                "--operations",
                "1000000",
                "--depth",
                "1",
                "--subscribers",
                "100",
            ],
            "subscriber calls (events × --subscribers); at most 100000000",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["simulate"];
        all.extend_from_slice(args);
        all.extend(["--out", out]);
        let run = lineage(&all);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{all:?}: {stderr}");
        assert!(
            stderr.contains(says),
            "{all:?} should say {says:?}: {stderr}"
        );
        assert!(!out_path.exists(), "{all:?} wrote a file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_top_of_each_simulate_range_is_accepted() {
    let dir = scratch("top");
    let out_path = dir.join("out.ndjson");
    let out = out_path.to_str().unwrap();
    let run = lineage(&[
        "simulate",
        "--operations",
        "2",
        "--depth",
        "8",
        "--yields",
        "100",
        "--subscribers",
        "100",
        "--concurrency",
        "1000",
        "--work",
        "1000",
        "--failure-rate",
        "1",
        "--out",
        out,
    ]);
    assert!(run.status.success(), "{run:?}");
    // 2 operations × 8 levels, each started and ended.
    let lines = std::fs::read_to_string(&out_path).unwrap().lines().count();
    assert_eq!(lines, 2 * 8 * 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
