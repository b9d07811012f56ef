//! Helpers of the command-line tests on hostile input (`hostile_cli*.rs`): run the built
//! `lineage`, check its output is printable and its counts add up, and the corpus's cases.
#![allow(dead_code)]

pub mod cases;

use std::path::PathBuf;
use std::process::{Command, Output};

use lineage::text::is_hidden;
use serde_json::Value;

pub fn lineage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs a shell command line with `$0` set to the `lineage` binary.
pub fn sh(script: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// No character that would act on a terminal instead of showing, except line ends.
pub fn assert_printable(what: &str, out: &str) {
    if let Some(c) = out.chars().find(|&c| c != '\n' && is_hidden(c)) {
        let start: String = out.chars().take(1_000).collect();
        panic!("{what} holds a raw {c:?} ({} bytes):\n{start}", out.len());
    }
}

pub fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The sums `inspect::summary` promises, read back from `summary --json`.
pub fn assert_counts_add_up(v: &Value) {
    let n = |k: &str| {
        v[k].as_u64()
            .unwrap_or_else(|| panic!("{k} missing in {v}"))
    };
    assert_eq!(
        n("roots"),
        n("operations")
            + n("orphans")
            + n("cycles")
            + n("duplicates")
            + n("lone_ends")
            + n("single_events"),
        "{v}"
    );
    assert_eq!(
        n("operations"),
        n("completed") + n("failed") + n("cancelled") + n("unfinished"),
        "{v}"
    );
    assert_eq!(n("orphans"), v["lints"]["orphan"].as_u64().unwrap_or(0));
    assert_eq!(n("cycles"), v["lints"]["cycle"].as_u64().unwrap_or(0));
}

/// A scratch directory of the test's own.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn event_line(n: usize, kind: &str, phase: &str, parent: Option<usize>) -> String {
    let id = |n: usize| format!("00000000-0000-4000-8000-{n:012}");
    let parent = parent.map_or(String::new(), |p| format!(r#""parent_id":"{}","#, id(p)));
    format!(
        r#"{{"id":"{}","kind":{},"phase":"{phase}",{parent}"root_id":"{}","lineage_id":"{}","seq":0,"timestamp_ns":{n}}}"#,
        id(n),
        serde_json::to_string(kind).unwrap(),
        id(n),
        id(999_999),
    ) + "\n"
}
