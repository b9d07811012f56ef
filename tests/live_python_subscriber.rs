//! The Python original's bus streams to a real `lineage listen` through the subscriber shipped
//! in examples/python/lineage_subscriber.py. The original's package is not installable here,
//! so tests/clients/feed_subscriber.py hands the subscriber the events of the original's own
//! dumps (tests/fixtures/, copies of ../shared/fixtures/), one `EventSerializer.to_dict` dict
//! at a time, as the bus would. Needs `python3`; skips with a message when it is missing.
#![cfg(not(target_arch = "wasm32"))]

#[path = "clients/listener.rs"]
mod listener;

use std::path::Path;
use std::process::Command;

use listener::{counter, free_port, scratch, Counts, Listener};
use serde_json::Value;

const DUMP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/abstractions-sample.ndjson"
);
const FEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/clients/feed_subscriber.py"
);
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python");

/// `python3`, if this machine has it.
fn python3() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("python3")
}

/// Runs the feeding script against `base` (gzip bodies if asked) and returns the subscriber's
/// counts.
fn feed(python: &str, base: &str, dump: &str, gzip: bool) -> Value {
    let run = Command::new(python)
        .arg(FEED)
        .args(gzip.then_some("--gzip"))
        .args([base, dump])
        .env("PYTHONPATH", EXAMPLE)
        .output()
        .expect("running python3");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the feeding script failed: {}\n{stdout}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("the script prints its counts as JSON")
}

/// `lineage summary --json FILE`, parsed.
fn summary(path: &Path) -> Value {
    let run = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["summary", "--json"])
        .arg(path)
        .output()
        .expect("running lineage summary");
    assert!(run.status.success(), "summary failed on {}", path.display());
    serde_json::from_slice(&run.stdout).expect("summary --json is JSON")
}

fn events_in_dump() -> usize {
    let text = std::fs::read_to_string(DUMP).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).count()
}

#[test]
fn the_subscriber_streams_the_originals_dump_and_the_listener_keeps_every_event() {
    streams_every_event(false);
}

#[test]
fn gzip_bodies_arrive_the_same() {
    streams_every_event(true);
}

fn streams_every_event(gzip: bool) {
    let Some(python) = python3() else {
        eprintln!("SKIPPED: python3 is missing, so the Python subscriber cannot be run");
        return;
    };
    let dir = scratch(if gzip {
        "python-subscriber-gzip"
    } else {
        "python-subscriber"
    });
    let listener = Listener::start(&dir);
    let fed = events_in_dump() as u64;

    let stats = feed(python, &listener.base, DUMP, gzip);
    assert_eq!(stats["fed"], fed, "{stats}");
    assert_eq!(stats["accepted"], fed, "{stats}");
    assert_eq!(
        (&stats["rejected"], &stats["dropped"]),
        (&0.into(), &0.into())
    );

    let status = listener.status();
    assert_eq!(counter(&status, "received"), fed, "{status}");
    assert_eq!(counter(&status, "stored"), fed, "{status}");
    let out = listener.out.clone();
    let recorded = listener.stop();
    let sent = lineage::trace::import(&std::fs::read(DUMP).unwrap(), Some(DUMP))
        .unwrap()
        .events;
    assert_eq!(recorded.len(), sent.len());
    assert_eq!(Counts::of(&recorded), Counts::of(&sent));

    // The recorded file tells the same story as the dump: every count `summary` gives.
    let (before, after) = (summary(Path::new(DUMP)), summary(&out));
    for key in [
        "events",
        "operations",
        "completed",
        "failed",
        "cancelled",
        "unfinished",
        "orphans",
        "roots",
        "spans",
        "lone_ends",
        "single_events",
        "cycles",
        "duplicates",
        "lints",
    ] {
        assert_eq!(before[key], after[key], "summary's {key} differs");
    }
}

#[test]
fn with_no_listener_the_subscriber_drops_and_counts_and_never_raises() {
    let Some(python) = python3() else {
        eprintln!("SKIPPED: python3 is missing, so the Python subscriber cannot be run");
        return;
    };
    let nobody = format!("http://127.0.0.1:{}", free_port());
    let stats = feed(python, &nobody, DUMP, false);
    let fed = events_in_dump() as u64;
    assert_eq!(stats["fed"], fed, "{stats}");
    assert_eq!(stats["accepted"], 0, "{stats}");
    assert_eq!(
        stats["dropped"], fed,
        "every event is counted as dropped: {stats}"
    );
}
