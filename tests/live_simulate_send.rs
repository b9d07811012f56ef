//! `lineage simulate --send` streams the simulated run to a real `lineage listen`: every
//! event arrives, in every format, and the listener's recording tells the same story as the
//! run's own `--out` file. With nothing listening, the run stops at once with a clear error.
#![cfg(not(target_arch = "wasm32"))]

#[path = "clients/listener.rs"]
mod listener;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};

use lineage::core::Event;
use listener::{counter, free_port, scratch, Counts, Listener};

fn simulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .arg("simulate")
        .args(args)
        .output()
        .expect("running lineage simulate")
}

fn read(path: &Path) -> Vec<Event> {
    lineage::trace::import(&std::fs::read(path).unwrap(), Some("run.ndjson"))
        .unwrap()
        .events
}

/// Runs 120 partly failing, interleaved operations with `--send BASE --send-format FORMAT
/// --out run.ndjson`; returns what the run wrote and what the listener recorded.
fn send_run(name: &str, format: &str) -> (Vec<Event>, Vec<Event>) {
    let dir = scratch(name);
    let listener = Listener::start(&dir);
    let run_file = dir.join("run.ndjson");
    let run = simulate(&[
        "--operations",
        "120",
        "--concurrency",
        "4",
        "--failure-rate",
        "0.25",
        "--yields",
        "1",
        "--send",
        &listener.base,
        "--send-format",
        format,
        "--out",
        run_file.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "simulate --send failed: {stderr}");
    let sent = read(&run_file);
    assert!(
        stderr.contains(&format!("sent {} events", sent.len())),
        "simulate says what it sent: {stderr}"
    );
    let status = listener.status();
    assert_eq!(counter(&status, "stored"), sent.len() as u64, "{status}");
    (sent, listener.stop())
}

#[test]
fn ndjson_arrives_event_for_event() {
    let (sent, recorded) = send_run("send-ndjson", "ndjson");
    assert_eq!(recorded.len(), sent.len());
    let ids = |events: &[Event]| events.iter().map(|e| e.id).collect::<HashSet<_>>();
    assert_eq!(ids(&recorded), ids(&sent), "the same events, ids and all");
    assert_eq!(Counts::of(&recorded), Counts::of(&sent));
    assert!(Counts::of(&sent).errors > 0, "some operations failed");
}

#[test]
fn otlp_protobuf_arrives_span_for_span() {
    let (sent, recorded) = send_run("send-otlp", "otlp");
    assert_eq!(recorded.len(), sent.len());
    assert_eq!(Counts::of(&recorded), Counts::of(&sent));
}

#[test]
fn otlp_json_arrives_span_for_span() {
    let (sent, recorded) = send_run("send-otlp-json", "otlp-json");
    assert_eq!(Counts::of(&recorded), Counts::of(&sent));
}

#[test]
fn with_nothing_listening_the_run_stops_with_a_clear_error() {
    let nobody = format!("http://127.0.0.1:{}", free_port());
    let run = simulate(&["--operations", "5", "--send", &nobody]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success());
    assert!(
        stderr.contains(&format!("nothing listens at {nobody}")),
        "{stderr}"
    );
}

#[test]
fn a_rate_out_of_bounds_or_a_mode_that_emits_nothing_is_refused_before_sending() {
    let nobody = format!("http://127.0.0.1:{}", free_port());
    for (args, expected) in [
        (&["--rate", "0"][..], "--rate must be more than 0"),
        (&["--rate", "NaN"], "--rate must be more than 0"),
        (&["--rate=-3"], "--rate must be more than 0"),
        (&["--rate", "1e9"], "--rate must be more than 0"),
        (&["--mode", "disabled"], "nothing to send"),
    ] {
        let mut all = vec!["--operations", "5", "--send", &nobody];
        all.extend_from_slice(args);
        let run = simulate(&all);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let run = simulate(&["--operations", "5", "--rate", "10", "--out", "x.ndjson"]);
    assert!(!run.status.success(), "--rate without --send means nothing");
}
