//! The command line on hostile input: the corpus under `tests/hostile/` (see its README for
//! what each file must produce) plus big inputs generated here, run through the built
//! `lineage` binary. Whatever the input, the output holds no raw control character, stays
//! small, and the counts add up; writing a file is whole or nothing; output that cannot be
//! written is an error (`hostile_cli_output.rs`; native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

mod hostile_cli_support;

use std::path::Path;

use hostile_cli_support::cases::{CASES, CORPUS};
use hostile_cli_support::*;
use serde_json::Value;

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
