//! The command line on hostile input: the corpus under `tests/hostile/` (see its README for
//! what each file must produce) plus big inputs generated here, run through the built
//! `lineage` binary. Whatever the input, the output holds no raw control character, stays
//! small, and the counts add up; writing a file is whole or nothing; output that cannot be
//! written is an error (native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use lineage::text::is_hidden;
use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

/// What one corpus file must produce.
struct Case {
    file: &'static str,
    /// Exit status of `summary`.
    exit: i32,
    /// Top-level counts of `summary --json`.
    counts: &'static [(&'static str, u64)],
    /// The whole `lints` map of `summary --json`: every kind not listed has no finding.
    lints: &'static [(&'static str, u64)],
    /// Text the text summary (exit 0) or the error (exit 1) must show.
    shows: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "chosen-ids.ndjson",
        exit: 0,
        counts: &[
            ("events", 2_000),
            ("operations", 500),
            ("completed", 500),
            ("spans", 1_000),
        ],
        lints: &[],
        shows: &["lints: none"],
    },
    Case {
        file: "escape-sequence-in-kind.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["\\u{1b}[2J\\u{1b}[H\\u{1b}[32mlints: none\\u{1b}[0m"],
    },
    Case {
        file: "bidi-override-in-process-name.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["invoice\\u{202e}gpj.exe"],
    },
    Case {
        file: "c1-bell-and-carriage-return-in-kind.ndjson",
        exit: 0,
        counts: &[("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["\\u{9b}2J\\u{7}ok\\rFAKE"],
    },
    Case {
        file: "page-bidi-override.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("end_without_start", 1)],
        shows: &["input_preparation (failed) has no matching start event"],
    },
    Case {
        file: "zero-width-and-isolates-in-process-name.ndjson",
        exit: 0,
        counts: &[("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["a\\u{200b}b\\u{2066}c\\u{2069}\\u{feff}"],
    },
    Case {
        file: "escape-sequence-in-phase.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["started\\u{1b}]0;pwned\\u{7}"],
    },
    Case {
        file: "escape-sequence-in-skipped-chrome-phase.json",
        exit: 0,
        counts: &[("events", 2), ("skipped_total", 1)],
        lints: &[],
        shows: &["\\u{1b}[2J\\u{202e}"],
    },
    Case {
        file: "two-ends-naming-each-other.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("completed", 0), ("lone_ends", 2)],
        lints: &[("end_without_start", 2)],
        shows: &["a completed event, not a start"],
    },
    Case {
        file: "duplicate-ids.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("duplicates", 2)],
        lints: &[("duplicate_id", 2)],
        shows: &["duplicate ids    2"],
    },
    Case {
        file: "ends-without-starts.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("lone_ends", 3)],
        lints: &[("end_without_start", 3)],
        shows: &[
            "which is not in the trace",
            "has no matching start event",
            "names itself as its start",
        ],
    },
    Case {
        file: "self-parent.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("orphans", 0), ("cycles", 1)],
        lints: &[("unfinished", 1), ("cycle", 1)],
        shows: &["names itself as its parent"],
    },
    Case {
        file: "end-before-start.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("end_before_start", 1)],
        shows: &["ends 4000 ns before it starts"],
    },
    Case {
        file: "timestamp-u64-max.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("timestamp_out_of_range", 1)],
        shows: &["18446744073709551615"],
    },
    Case {
        file: "end-listed-before-its-start.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("lone_ends", 0)],
        lints: &[],
        shows: &["lints: none"],
    },
    Case {
        file: "operation-ended-twice.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("lone_ends", 1)],
        lints: &[("ended_twice", 1)],
        shows: &["already closed"],
    },
    Case {
        file: "end-naming-a-single-event.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("single_events", 1), ("lone_ends", 1)],
        lints: &[("end_without_start", 1)],
        shows: &["a pending event, not a start"],
    },
    Case {
        file: "parent-cycle.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("cycles", 1), ("roots", 1)],
        lints: &[("unfinished", 2), ("cycle", 1)],
        shows: &["parent links loop back through"],
    },
    Case {
        file: "cut-off-last-line.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (130 bytes) was cut off and is dropped"],
    },
    Case {
        file: "chrome-document-cut-off.json",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last record at line 2 (31 bytes) was cut off and is dropped"],
    },
    Case {
        file: "empty.json",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["could not read the Chrome trace: the file is empty"],
    },
    Case {
        file: "whitespace-only.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["could not read the lineage NDJSON trace: the file is empty"],
    },
    // Issue 17: the NDJSON fast reader leaves escaped keys to serde
    // (tests/repeats_spelled_with_escapes_are_refused.rs).
    Case {
        file: "repeat-spelled-with-an-escape.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 3, column 265", "payload.extra: duplicate field `n`"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "unknown-top-level-field.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "payload-key-outside-extra.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "nested-unknowns.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "integer-beyond-u64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "negative-beyond-i64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "number-beyond-f64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "duplicate-key-inside-a-value.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    Case {
        file: "duplicate-top-level-key.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 1, column 256 (byte 255), duplicate field `foo`"],
    },
    Case {
        file: "diff-escape-sequences-in-names.ndjson",
        exit: 0,
        counts: &[("operations", 4), ("completed", 2), ("failed", 2)],
        lints: &[],
        shows: &["operations       4"],
    },
    Case {
        file: "cut-inside-a-3-byte-character.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (58 bytes) was cut off and is dropped"],
    },
    Case {
        file: "cut-inside-a-4-byte-character.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (66 bytes) was cut off and is dropped"],
    },
    Case {
        file: "chrome-with-skipped-events.json",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("skipped_total", 5)],
        lints: &[],
        shows: &["skipped          3 × C", "skipped          1 × E without B"],
    },
    Case {
        file: "otlp-children-before-parents.json",
        exit: 0,
        counts: &[
            ("events", 6),
            ("operations", 1),
            ("completed", 1),
            ("spans", 3),
        ],
        lints: &[],
        shows: &["OTLP JSON trace"],
    },
];

fn lineage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs a shell command line with `$0` set to the `lineage` binary.
fn sh(script: &str, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// No character that would act on a terminal instead of showing, except line ends.
fn assert_printable(what: &str, out: &str) {
    if let Some(c) = out.chars().find(|&c| c != '\n' && is_hidden(c)) {
        let start: String = out.chars().take(1_000).collect();
        panic!("{what} holds a raw {c:?} ({} bytes):\n{start}", out.len());
    }
}

fn assert_exit(out: &Output, code: i32, what: &str) {
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
fn assert_counts_add_up(v: &Value) {
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
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn event_line(n: usize, kind: &str, phase: &str, parent: Option<usize>) -> String {
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

#[test]
fn every_corpus_file_has_a_case_and_a_readme_line() {
    let readme = std::fs::read_to_string(Path::new(CORPUS).join("README.md")).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file()) // live/: tests/live_hostile.rs
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f != "README.md")
        .collect();
    files.sort();
    let mut cases: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    cases.sort();
    assert_eq!(files, cases);
    for f in files {
        assert!(
            readme.contains(&format!("- `{f}`: ")),
            "no README line for {f}"
        );
    }
}

#[test]
fn every_corpus_file_gives_its_outcome_printably_and_the_counts_add_up() {
    let scratch = scratch("corpus");
    for case in CASES {
        let path = Path::new(CORPUS).join(case.file);
        let path = path.to_str().unwrap();
        let out = lineage(&["summary", path]);
        assert_exit(&out, case.exit, case.file);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_printable(case.file, &stdout);
        assert_printable(case.file, &stderr);
        assert!(
            stdout.len() + stderr.len() < 4_000,
            "{}: {stdout}{stderr}",
            case.file
        );
        let shown = if case.exit == 0 { &stdout } else { &stderr };
        for s in case.shows {
            assert!(
                shown.contains(s),
                "{}: expected {s:?} in\n{shown}",
                case.file
            );
        }
        if case.exit != 0 {
            assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", case.file);
            continue;
        }
        let out = lineage(&["summary", path, "--json"]);
        assert_exit(&out, 0, case.file);
        let json = text(&out.stdout);
        assert_printable(case.file, &json);
        let v: Value = serde_json::from_str(&json).unwrap();
        for &(key, n) in case.counts {
            assert_eq!(v[key].as_u64(), Some(n), "{}: {key} in {v}", case.file);
        }
        let lints: Vec<(String, u64)> = v["lints"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, n)| (k.clone(), n.as_u64().unwrap()))
            .collect();
        let mut expected: Vec<(String, u64)> =
            case.lints.iter().map(|&(k, n)| (k.to_owned(), n)).collect();
        expected.sort();
        let mut lints = lints;
        lints.sort();
        assert_eq!(lints, expected, "{}", case.file);
        assert_counts_add_up(&v);
        // Converting to standard output keeps the data and prints nothing raw; to a file,
        // the same bytes.
        let out = lineage(&["convert", path, "--to", "ndjson"]);
        assert_exit(&out, 0, case.file);
        assert_printable(case.file, &text(&out.stdout));
        let file = scratch.join(case.file);
        let written = lineage(&[
            "convert",
            path,
            "--to",
            "ndjson",
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_exit(&written, 0, case.file);
        assert_eq!(std::fs::read(&file).unwrap(), out.stdout, "{}", case.file);
        let back = lineage::trace::import(&out.stdout, None).unwrap();
        let original = lineage::trace::import(&std::fs::read(path).unwrap(), None).unwrap();
        assert_eq!(back.events, original.events, "{}", case.file);
        let out = lineage(&["convert", path, "--to", "chrome"]);
        assert_exit(&out, 0, case.file);
        assert_printable(case.file, &text(&out.stdout));
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn a_one_megabyte_key_gives_an_error_of_one_short_line() {
    let dir = scratch("key");
    let file = dir.join("key.json");
    let key = "\u{1b}[2J".repeat(250_000);
    std::fs::write(
        &file,
        format!("{{{}: 1}}\n", serde_json::to_string(&key).unwrap()),
    )
    .unwrap();
    let out = lineage(&["summary", file.to_str().unwrap()]);
    assert_exit(&out, 1, "1 MB key");
    let err = text(&out.stderr);
    assert_printable("1 MB key", &err);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.len() < 2_000, "{} bytes: {err}", err.len());
    assert!(err.contains("… (") && err.contains(" bytes)"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_one_megabyte_kind_gives_a_short_summary() {
    let dir = scratch("kind");
    let file = dir.join("kind.ndjson");
    let kind = format!("{}\u{202e}", "k".repeat(1_000_000));
    let mut trace = String::new();
    for n in 1..=5 {
        trace.push_str(&event_line(n, &kind, "started", None));
    }
    std::fs::write(&file, trace).unwrap();
    for args in [&["summary"][..], &["summary", "--json"]] {
        let mut args = args.to_vec();
        args.push(file.to_str().unwrap());
        let out = lineage(&args);
        assert_exit(&out, 0, "1 MB kind");
        let stdout = text(&out.stdout);
        assert_printable("1 MB kind", &stdout);
        assert!(stdout.len() < 64_000, "{args:?}: {} bytes", stdout.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn summary_json_lists_a_bounded_number_of_findings_per_kind_with_whole_counts() {
    let dir = scratch("many");
    let file = dir.join("many.ndjson");
    let mut trace = String::new();
    for n in 1..=3_000 {
        trace.push_str(&event_line(n, "processing", "started", None));
        // Parent 0 is not in the trace: an orphan point event per start.
        trace.push_str(&event_line(100_000 + n, "progress", "progress", Some(0)));
    }
    std::fs::write(&file, trace).unwrap();
    let path = file.to_str().unwrap();
    let findings_of = |args: &[&str]| {
        let out = lineage(args);
        assert_exit(&out, 0, "many");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["lints"]["unfinished"], 3_000);
        assert_eq!(v["lints"]["orphan"], 3_000);
        assert_eq!(v["findings_truncated"], true);
        assert_counts_add_up(&v);
        (v["findings"].as_array().unwrap().len(), out.stdout.len())
    };
    let (listed, bytes) = findings_of(&["summary", path, "--json"]);
    assert_eq!(listed, 2 * 1_000);
    assert!(bytes < 1_000_000, "{bytes} bytes");
    let (listed, _) = findings_of(&["summary", path, "--json", "--max-findings", "5"]);
    assert_eq!(listed, 2 * 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

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
