//! Hostile input at the importers' edges, through the built `lineage` binary: endless input,
//! budgets on events and memory, a trace cut off by a crash with and without `--strict`, and
//! a conversion that streams (native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

fn lineage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lineage-hostile-import-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn corpus(file: &str) -> String {
    Path::new(CORPUS).join(file).to_str().unwrap().to_owned()
}

/// Issue 9 item 5: `/dev/zero` has size 0 in its metadata, so a size check up front let it
/// be read until memory ran out.
#[cfg(target_os = "linux")]
#[test]
fn reading_dev_zero_stops_at_once_with_one_line() {
    let out = lineage(&["summary", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("expected lineage NDJSON"), "{err}");
}

#[test]
fn the_byte_bound_holds_while_reading_whatever_the_metadata_says() {
    let dir = scratch("bytes");
    let file = dir.join("blank.ndjson");
    std::fs::write(&file, vec![b' '; 3 << 20]).unwrap();
    let out = lineage(&["summary", file.to_str().unwrap(), "--max-bytes", "2000000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the input is larger than the 2 MB limit"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_cut_off_last_line_is_read_with_a_note_unless_strict() {
    let file = corpus("cut-off-last-line.ndjson");
    let out = lineage(&["summary", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("events           2"), "{text}");
    assert!(text.contains("was cut off and is dropped"), "{text}");
    let strict = lineage(&["summary", &file, "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let err = stderr(&strict);
    assert!(err.contains("at line 3, column"), "{err}");
    assert!(err.contains("EOF while parsing"), "{err}");
}

#[test]
fn the_event_budget_stops_with_the_event_and_line_and_names_the_flag() {
    let file = corpus("duplicate-ids.ndjson");
    let out = lineage(&["summary", &file, "--max-events", "2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "stopped at event 3 (line 3, column 1 (byte 499)): the trace exceeds the budget of 2 \
             events; raise it with --max-events"
        ),
        "{err}"
    );
}

/// Issue 8: 2 M `{"ph":"X","ts":0}` (36 MB) became 1 KB an event and aborted the command.
/// Here a smaller bomb against a smaller memory budget: refused with a sentence, never an
/// abort.
#[test]
fn a_chrome_bomb_over_the_memory_budget_is_refused_with_a_sentence() {
    let dir = scratch("bomb");
    let file = dir.join("bomb.json");
    let bomb = format!("[{}]", vec!["{\"ph\":\"X\",\"ts\":0}"; 200_000].join(","));
    std::fs::write(&file, bomb).unwrap();
    let out = lineage(&["summary", file.to_str().unwrap(), "--max-memory", "32"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("the trace exceeds the memory budget of 32 MiB"),
        "{err}"
    );
    assert!(err.contains("raise it with --max-memory"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn convert_streams_a_cut_off_trace_and_a_failed_one_leaves_the_old_file() {
    let dir = scratch("convert");
    let out_file = dir.join("out.ndjson");
    let out = lineage(&[
        "convert",
        &corpus("cut-off-last-line.ndjson"),
        "--to",
        "ndjson",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert_eq!(written.lines().count(), 2);
    // A failing conversion (the budget is hit after the first event was written out) keeps
    // the good file that was there.
    let failed = lineage(&[
        "convert",
        &corpus("duplicate-ids.ndjson"),
        "--to",
        "ndjson",
        "--max-events",
        "1",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("--max-events"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(std::fs::read_to_string(&out_file).unwrap(), written);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "a temporary file was left behind");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_empty_file_is_an_error_in_every_subcommand() {
    for args in [
        vec!["summary", "EMPTY"],
        vec!["convert", "EMPTY", "--to", "chrome"],
        vec!["diff", "EMPTY", "OTHER"],
        vec!["diff", "OTHER", "EMPTY", "--json"],
    ] {
        let file = corpus("empty.json");
        let other = corpus("cut-off-last-line.ndjson");
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "EMPTY" => file.as_str(),
                "OTHER" => other.as_str(),
                a => a,
            })
            .collect();
        let out = lineage(&args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("the file is empty"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
}
