//! The command line on hostile input, what it writes: a file whole or not at all, an error
//! for output that cannot be written, names escaped in `diff`, the same note from every
//! subcommand for a cut-off trace (native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

mod hostile_cli_support;

use std::path::Path;
use std::process::{Command, Stdio};

use hostile_cli_support::cases::CORPUS;
use hostile_cli_support::*;
use serde_json::Value;

#[test]
fn convert_stopped_by_a_file_size_limit_leaves_the_old_file_and_no_partial_one() {
    let dir = scratch("ulimit");
    let input = dir.join("in.ndjson");
    let mut trace = String::new();
    for n in 1..=2_000 {
        trace.push_str(&event_line(n, "processing", "started", None));
    }
    std::fs::write(&input, trace).unwrap();
    let target = dir.join("out.json");
    std::fs::write(&target, "the good file").unwrap();
    // 16 blocks: 8 KiB under dash, 16 KiB under bash; the Chrome trace is ~400 KB.
    let out = sh(
        r#"ulimit -f 16 && exec "$0" convert "$1" --to chrome -o "$2""#,
        &[input.to_str().unwrap(), target.to_str().unwrap()],
    );
    assert_exit(&out, 1, "convert past the file-size limit");
    let err = text(&out.stderr);
    assert!(err.starts_with("lineage convert: cannot write"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the good file");
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["in.ndjson", "out.json"]);
    // Without the limit the same command replaces the file whole.
    let out = lineage(&[
        "convert",
        input.to_str().unwrap(),
        "--to",
        "chrome",
        "-o",
        target.to_str().unwrap(),
    ]);
    assert_exit(&out, 0, "convert");
    let written: Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert!(written.is_object() || written.is_array());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_closed_standard_output_is_an_error_for_every_command_that_prints() {
    let file = Path::new(CORPUS).join("duplicate-ids.ndjson");
    let file = file.to_str().unwrap();
    for args in [
        &["summary", file][..],
        &["summary", file, "--json"],
        &["convert", file, "--to", "chrome"],
        &[
            "bench",
            "--rounds",
            "1",
            "--no-peers",
            "--no-real",
            "--no-phases",
        ],
    ] {
        let mut full = vec![];
        full.extend_from_slice(args);
        let out = sh(r#"exec "$0" "$@" >&-"#, &full);
        assert_exit(&out, 1, &format!("{args:?} with stdout closed"));
        let err = text(&out.stderr);
        assert!(err.contains("standard output is closed"), "{args:?}: {err}");
    }
    // Sent to /dev/null on purpose is not closed, whether opened write-only (a shell's
    // `>`) or read-write (Python's `subprocess.DEVNULL`, like the runtime's stand-in).
    for redirect in [">/dev/null", "1<>/dev/null"] {
        let out = sh(&format!(r#"exec "$0" summary "$1" {redirect}"#), &[file]);
        assert_exit(&out, 0, &format!("summary {redirect}"));
    }
}

#[test]
fn a_broken_pipe_is_an_error_with_a_message_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let file = Path::new(CORPUS).join("duplicate-ids.ndjson");
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["summary", file.to_str().unwrap(), "--json"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_exit(&out, 1, "summary into a broken pipe");
    let err = text(&out.stderr);
    assert!(err.contains("broken pipe"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Issue 14: `diff` printed operation names raw (a clear-screen, an OSC 52 clipboard write,
/// a C1 CSI and a right-to-left override all reached the terminal).
#[test]
fn diff_shows_operation_names_escaped_in_text_and_json() {
    let hostile = Path::new(CORPUS).join("diff-escape-sequences-in-names.ndjson");
    let other = Path::new(CORPUS).join("end-listed-before-its-start.ndjson");
    let (hostile, other) = (hostile.to_str().unwrap(), other.to_str().unwrap());
    let shown = [
        "\\u{1b}[2J\\u{1b}[Hclear",
        "\\u{1b}]52;c;cm0gLXJmIH4K\\u{7}clipboard",
        "\\u{9b}31mred",
        "invoice\\u{202e}gpj.exe",
    ];
    let out = lineage(&["diff", hostile, other]);
    assert_exit(&out, 0, "diff text");
    let stdout = text(&out.stdout);
    assert_printable("diff text", &stdout);
    assert!(
        stdout.contains("0 aligned, 4 only in A, 1 only in B"),
        "{stdout}"
    );
    for name in shown {
        assert!(
            stdout.contains(&format!("  {name} #0: ")),
            "{name} in\n{stdout}"
        );
    }
    let out = lineage(&["diff", other, hostile, "--json"]);
    assert_exit(&out, 0, "diff json");
    let json = text(&out.stdout);
    assert_printable("diff json", &json);
    let v: Value = serde_json::from_str(&json).unwrap();
    let names: Vec<&str> = v["only_b"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, shown);
}

/// Issue 14: a 1 MB kind printed whole by `diff`, text and JSON.
#[test]
fn a_one_megabyte_kind_gives_a_short_diff() {
    let dir = scratch("diff-kind");
    let (a, b) = (dir.join("a.ndjson"), dir.join("b.ndjson"));
    let kind = format!("{}\u{202e}", "k".repeat(1_000_000));
    let mut trace = String::new();
    for n in 1..=5 {
        trace.push_str(&event_line(n, &kind, "started", None));
    }
    std::fs::write(&a, trace).unwrap();
    std::fs::write(&b, event_line(7, "other", "started", None)).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    for json in [false, true] {
        let mut args = vec!["diff", a, b];
        if json {
            args.push("--json");
        }
        let out = lineage(&args);
        assert_exit(&out, 0, "1 MB kind in diff");
        let stdout = text(&out.stdout);
        assert_printable("1 MB kind in diff", &stdout);
        assert!(stdout.len() < 12_000, "{} bytes", stdout.len());
        assert_eq!(stdout.matches("… (1000003 bytes)").count(), 5, "{stdout}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 14: a cut-off trace gave a note in `summary` only; `convert` and `diff` dropped the
/// cut line without a word. Now every subcommand, and the importer the page uses, says the
/// same sentence, wherever the cut falls (between characters or inside one).
#[test]
fn every_subcommand_gives_the_same_note_for_a_cut_off_trace() {
    for file in [
        "cut-off-last-line.ndjson",
        "cut-inside-a-3-byte-character.ndjson",
        "cut-inside-a-4-byte-character.ndjson",
        "chrome-document-cut-off.json",
    ] {
        let path = Path::new(CORPUS).join(file);
        let page = lineage::trace::import(&std::fs::read(&path).unwrap(), None).unwrap();
        assert_eq!(page.notes.len(), 1, "{file}: {:?}", page.notes);
        let note = &page.notes[0];
        assert!(
            note.contains("was cut off and is dropped"),
            "{file}: {note}"
        );
        let path = path.to_str().unwrap();

        let out = lineage(&["summary", path, "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["notes"], serde_json::json!([note]), "{file}");
        let out = lineage(&["summary", path]);
        assert!(
            text(&out.stdout).contains(&format!("  note: {note}\n")),
            "{file}"
        );

        for to in ["ndjson", "chrome", "otlp"] {
            let out = lineage(&["convert", path, "--to", to]);
            assert_exit(&out, 0, file);
            assert_eq!(
                text(&out.stderr),
                format!("lineage convert: note: {note}\n"),
                "{file} to {to}"
            );
        }

        let out = lineage(&["diff", path, path]);
        assert_exit(&out, 0, file);
        let stdout = text(&out.stdout);
        assert_eq!(
            stdout.matches(&format!("  note: {note}\n")).count(),
            2,
            "{file}"
        );
        let out = lineage(&["diff", path, path, "--json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        for side in ["a", "b"] {
            assert_eq!(
                v["imports"][side]["notes"],
                serde_json::json!([note]),
                "{file}"
            );
        }
    }
}

/// Issue 14: `convert` dropped a Chrome trace's skipped events without a word.
#[test]
fn convert_says_in_one_escaped_line_what_it_skipped() {
    for (file, line) in [
        (
            "chrome-with-skipped-events.json",
            "lineage convert: note: skipped 5 records of the input: 3 × C, 1 × s, 1 × E without B",
        ),
        (
            "escape-sequence-in-skipped-chrome-phase.json",
            "lineage convert: note: skipped 1 record of the input: 1 × \\u{1b}[2J\\u{202e}",
        ),
    ] {
        let path = Path::new(CORPUS).join(file);
        for to in ["ndjson", "chrome"] {
            let out = lineage(&["convert", path.to_str().unwrap(), "--to", to]);
            assert_exit(&out, 0, file);
            let stderr = text(&out.stderr);
            assert_printable(file, &stderr);
            assert_eq!(stderr, format!("{line}\n"), "{file} to {to}");
        }
    }
}
