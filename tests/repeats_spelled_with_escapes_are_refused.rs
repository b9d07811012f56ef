//! The NDJSON importer reads the lines lineage writes with a purpose-built reader and leaves
//! anything else to serde (`trace::native`). A key spelled with an escape (`"\u006e"` is
//! `"n"`) is one the fast reader cannot compare as written: it must still be read as its
//! text, and a repeat spelled that way still refused with serde's one-line error, in the
//! library and through the command line.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const FILE: &str = include_str!("hostile/repeat-spelled-with-an-escape.ndjson");

#[test]
fn keys_spelled_with_escapes_read_as_their_text() {
    let two: String = FILE.lines().take(2).map(|l| format!("{l}\n")).collect();
    let trace = lineage::trace::import(two.as_bytes(), None).unwrap();
    let events = &trace.events;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].kind, "processed");
    assert_eq!(events[0].payload.extra["n"], 1);
    assert_eq!(events[1].payload.extra["n"], 2);
    assert_eq!(events[1].payload.extra.len(), 1);
}

#[test]
fn a_repeat_spelled_with_an_escape_is_refused_where_it_is() {
    let e = lineage::trace::import(FILE.as_bytes(), None).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("line 3, column 265"), "{text}");
    assert!(text.contains("duplicate field `n`"), "{text}");
}

#[cfg(not(target_family = "wasm"))]
#[test]
fn the_command_line_says_so_in_one_line() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/hostile/repeat-spelled-with-an-escape.ndjson"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["convert", path, "--to", "ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("line 3, column 265"), "{stderr}");
    assert!(stderr.contains("duplicate field `n`"), "{stderr}");
}
