//! Imports that stream: the same events whatever the chunks, budgets that stop an import
//! with its position, endless inputs stopped while they are read, and a trace cut off by a
//! crash read up to its last complete line.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::core::{Event, Payload, Phase};
use lineage::model::EventVec;
use lineage::trace::{self, Budget, Finished, Format, ImportError, Importer, Limits, Problem};
use serde_json::json;

/// A few events with what is hard to split: multi-byte characters, escapes, brackets and
/// commas inside strings, an integer beyond 2^53, an unknown nested field.
fn events() -> Vec<Event> {
    let root = Event::root("processing", Phase::Started);
    let mut child = Event::child_of(&root, "naïve ✓ \"quoted\" [a, b] {c}", Phase::Progress);
    child.timestamp_ns = 1_000;
    child.payload = Payload::process("p")
        .with("big", u64::MAX)
        .with("text", "line\\nbreak, \u{1F600} ] } ,")
        .with("nested", json!({"a": [1, {"b": "]"}], "c": null}));
    let mut end = Event::child_of(&root, "processed", Phase::Completed);
    end.start_id = Some(root.id);
    end.timestamp_ns = 2_000;
    vec![root, child, end]
}

fn chrome_foreign() -> String {
    json!({"traceEvents": [
        {"name": "outer", "ph": "X", "ts": 10, "dur": 100, "pid": 1, "tid": "t✓", "args": {"k": "v,]"}},
        {"name": "inner", "ph": "B", "ts": 20, "pid": 1, "tid": "t✓"},
        {"name": "inner", "ph": "E", "ts": 30, "pid": 1, "tid": "t✓", "args": {"rows": 3}},
        {"name": "mark", "ph": "i", "ts": 25, "pid": 1, "tid": "t✓", "s": "t"},
        {"name": "thread_name", "ph": "M", "pid": 1, "tid": "t✓", "args": {"name": "main"}},
        {"name": "counter", "ph": "C", "ts": 5, "pid": 1, "tid": 1},
    ], "displayTimeUnit": "ms", "otherData": {"nested": [[{"x": "]"}]]}})
    .to_string()
}

/// Inputs of every format and layout.
fn inputs() -> Vec<(&'static str, String)> {
    let events = events();
    let ndjson = trace::export_ndjson(&events);
    let array = format!(
        "[\n{}\n]",
        ndjson.trim_end().lines().collect::<Vec<_>>().join(",\n")
    );
    let pretty = serde_json::to_string_pretty(&events[1]).unwrap();
    let original = concat!(
        "{\"id\": \"7d0f6b2e-1c1a-4a53-9f0e-2a1d3c4b5e6f\", \"type\": \"processing\", ",
        "\"phase\": \"started\", \"timestamp\": \"2026-11-27T09:59:23.710228+00:00\", ",
        "\"metadata\": {\"ü\": [1, 2]}}\r\n",
        "\r\n",
        "{\"id\": \"8d0f6b2e-1c1a-4a53-9f0e-2a1d3c4b5e6f\", \"type\": \"processed\", ",
        "\"phase\": \"completed\", \"timestamp\": \"2026-11-27T09:59:24+00:00\", ",
        "\"parent_id\": \"7d0f6b2e-1c1a-4a53-9f0e-2a1d3c4b5e6f\"}\r\n",
    );
    let otlp = include_str!("fixtures/otlp-sample.json");
    let otlp_lines = {
        let doc: serde_json::Value = serde_json::from_str(otlp).unwrap();
        format!("{doc}\n{doc}\n")
    };
    vec![
        ("ndjson", ndjson.clone()),
        ("ndjson with a byte-order mark", format!("\u{feff}{ndjson}")),
        ("ndjson array", array),
        ("one pretty-printed event", pretty),
        ("original dump", original.to_owned()),
        ("chrome document", chrome_foreign()),
        ("our own chrome export", trace::export_chrome(&events)),
        (
            "chrome array cut short",
            "[{\"ph\":\"X\",\"ts\":1,\"dur\":2},\n{\"ph\":\"X\",\"ts\":0},".to_owned(),
        ),
        ("otlp document", otlp.to_owned()),
        ("otlp lines", otlp_lines),
    ]
}

fn feed_in(parts: &[&[u8]]) -> Result<Finished<EventVec>, ImportError> {
    let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
    for part in parts {
        importer.feed(part)?;
    }
    importer.finish()
}

fn summary(r: Result<Finished<EventVec>, ImportError>) -> String {
    match r {
        Ok(done) => format!(
            "{:?} {:?} {:?} {:?}",
            done.format, done.sink.events, done.skipped, done.notes
        ),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_format_split_at_every_byte_gives_the_same_events() {
    for (name, text) in inputs() {
        let bytes = text.as_bytes();
        let whole = summary(feed_in(&[bytes]));
        assert!(!whole.starts_with("error"), "{name}: {whole}");
        for k in 0..=bytes.len() {
            let (a, b) = bytes.split_at(k);
            assert_eq!(summary(feed_in(&[a, b])), whole, "{name} split at byte {k}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(summary(feed_in(&bytewise)), whole, "{name} byte by byte");
    }
}

#[test]
fn errors_are_the_same_at_every_split_and_keep_their_position() {
    let ndjson = trace::export_ndjson(&events());
    let broken = [
        ndjson.replacen("\"phase\":\"progress\"", "\"phase\":\"progres\"", 1),
        format!("{ndjson}{{\"kind\": nope}}\n"),
        "[{\"ph\":\"X\",\"ts\":1,\"dur\":2},,{\"ph\":\"X\",\"ts\":2}]".to_owned(),
        "{\"traceEvents\":[{\"ph\":\"X\",\"ts\":\"soon\"}]}".to_owned(),
        format!("{ndjson}\u{0}"),
    ];
    for text in broken {
        let bytes = text.as_bytes();
        let whole = summary(feed_in(&[bytes]));
        assert!(whole.starts_with("error"), "{whole}");
        for k in 0..=bytes.len() {
            let (a, b) = bytes.split_at(k);
            assert_eq!(summary(feed_in(&[a, b])), whole, "split at byte {k}");
        }
    }
}

#[test]
fn leading_blank_lines_count_in_error_positions() {
    for text in [
        "\r\n \n  {\"kind\": nope}\n",
        "\n\n  [{\"ph\": \"X\", \"ts\": \"x\"}]",
    ] {
        let at = trace::import(text.as_bytes(), None)
            .unwrap_err()
            .at
            .unwrap();
        assert_eq!(at.line, 3, "{text:?}: {at}");
        assert!(at.column >= 3, "{text:?}: {at}");
    }
}

#[test]
fn invalid_utf8_split_across_chunks_is_found_at_its_byte() {
    let text = b"{\"a\":\n\"\xe2\x82\"}";
    for k in 0..=text.len() {
        let err = feed_in(&[&text[..k], &text[k..]]).unwrap_err();
        let at = err.at.unwrap();
        assert_eq!((at.line, at.column, at.byte), (2, 2, 7), "split at {k}");
    }
}

/// Issue 9 item 6: a trace cut off by a crash was refused whole.
#[test]
fn a_cut_off_last_line_is_dropped_with_a_note_and_every_complete_line_is_kept() {
    let events = events();
    let ndjson = trace::export_ndjson(&events);
    let cut = &ndjson[..ndjson.len() - 20];
    let imported = trace::import(cut.as_bytes(), None).unwrap();
    assert_eq!(imported.events, events[..2]);
    let dropped = ndjson.lines().last().unwrap().len() - 19;
    assert_eq!(
        imported.notes,
        [format!(
            "the last line 3 ({dropped} bytes) was cut off and is dropped; every complete \
             record before it was read"
        )]
    );
    // All or nothing on request.
    let mut strict = Importer::new(EventVec::new(), None, Limits::DEFAULT).strict(true);
    strict.feed(cut.as_bytes()).unwrap();
    let err = strict.finish().unwrap_err();
    assert_eq!(err.at.unwrap().line, 3);
    assert!(err.to_string().contains("EOF while parsing"), "{err}");
}

/// Issue 14: a last line cut inside a multi-byte character was refused whole as "not UTF-8
/// text" (in the command line and the page alike), where a cut between two characters was
/// kept with a note. Now it is the same cut, in every layout and at every chunk split.
#[test]
fn a_cut_inside_a_character_is_a_cut_like_any_other_at_every_split() {
    let events = events();
    let mut last = events[1].clone();
    last.kind = "処理 👍 done".into();
    let ndjson = trace::export_ndjson(&[events[0].clone(), events[2].clone(), last]);
    let array = format!(
        "[\n{}",
        ndjson.trim_end().lines().collect::<Vec<_>>().join(",\n")
    );
    for (layout, text, what) in [
        ("ndjson", &ndjson, "line 3"),
        ("array", &array, "record at line 4"),
    ] {
        let bytes = text.as_bytes();
        let three = text.find('処').unwrap();
        let four = text.find('👍').unwrap();
        for (width, cut) in [
            ("3-byte", three + 1),
            ("3-byte", three + 2),
            ("4-byte", four + 1),
            ("4-byte", four + 3),
        ] {
            let line = bytes[..cut].iter().rposition(|&b| b == b'\n').unwrap() + 1;
            let dropped = cut - line;
            let input = &bytes[..cut];
            let whole = feed_in(&[input]).unwrap_or_else(|e| panic!("{layout} {width}: {e}"));
            assert_eq!(whole.events, 2, "{layout} {width}");
            assert_eq!(
                whole.notes,
                [format!(
                    "the last {what} ({dropped} bytes) was cut off and is dropped; every \
                     complete record before it was read"
                )],
                "{layout}, cut inside a {width} character"
            );
            let expected = summary(Ok(whole));
            for k in 0..=input.len() {
                let (a, b) = input.split_at(k);
                assert_eq!(summary(feed_in(&[a, b])), expected, "{layout} split at {k}");
            }
            // All or nothing on request: the cut line is an error, not "not UTF-8".
            let mut strict = Importer::new(EventVec::new(), None, Limits::DEFAULT).strict(true);
            strict.feed(input).unwrap();
            let err = strict.finish().unwrap_err().to_string();
            assert!(err.contains("EOF while parsing"), "{layout} {width}: {err}");
        }
    }
    // Bytes that cannot begin a character are still refused, cut or not; so is an input
    // that is nothing but the start of one character.
    for bad in [
        &b"{\"kind\":\"\xff"[..],
        b"\xe5\x87",
        b"{\"kind\":\"\xe5\x41",
    ] {
        let err = feed_in(&[bad]).unwrap_err().to_string();
        assert!(err.contains("not UTF-8"), "{bad:?}: {err}");
    }
}

/// Only the end of the input may cut a character. A line whose last bytes begin one that
/// never completes, with more lines after it, is not UTF-8: it was read without those bytes
/// until 2026-12-07, silently. And the error names the line's first bad byte at every chunk
/// split: a run of bad bytes split by a chunk boundary was placed on the split character
/// (the fuzz target `import_chunked`'s find, `tests/fixtures/fuzz/`).
#[test]
fn a_character_cut_before_the_end_is_not_utf8_at_its_own_byte_at_every_split() {
    // Far past the first bytes, which are read whole to tell the format.
    let many: Vec<Event> = (0..100).flat_map(|_| events()).collect();
    let ndjson = trace::export_ndjson(&many);
    let middle = ndjson.len() / 2;
    let (first, rest) = ndjson.split_at(middle + ndjson[middle..].find('\n').unwrap());
    for (bad, what) in [
        (
            &b"\xe5\x87"[..],
            "a 3-byte character cut before the newline",
        ),
        (b"\xf0\x9f\x98", "a 4-byte character cut before the newline"),
        (
            b"\xe4\xe4\xe4\xe4\xe4\xe4",
            "a run of bytes that begin characters",
        ),
    ] {
        let mut input = first.as_bytes().to_vec();
        let at = input.len();
        input.extend_from_slice(bad);
        input.extend_from_slice(rest.as_bytes());
        let whole = feed_in(&[&input]).unwrap_err();
        assert!(whole.to_string().contains("not UTF-8"), "{what}: {whole}");
        assert_eq!(whole.at.unwrap().byte, at, "{what}: {whole}");
        for k in at - 40..at + 40 {
            let (a, b) = input.split_at(k);
            let split = feed_in(&[a, b]).unwrap_err();
            assert_eq!(split, whole, "{what}, split at {k}");
        }
        for size in [1, 2, 3, 91, 4096] {
            let chunks: Vec<&[u8]> = input.chunks(size).collect();
            assert_eq!(
                feed_in(&chunks).unwrap_err(),
                whole,
                "{what}, chunks of {size}"
            );
        }
    }
}

#[test]
fn a_bad_last_line_that_is_not_cut_off_is_still_an_error() {
    let ndjson = trace::export_ndjson(&events());
    // Complete JSON but not an event, with no newline after it: not a crash's cut.
    let text = format!("{ndjson}{{\"kind\": 1}}");
    assert!(trace::import(text.as_bytes(), None).is_err());
    // A cut-off first and only line leaves nothing to read: an error, not an empty trace.
    let one = &ndjson[..40];
    let err = trace::import(one.as_bytes(), None).unwrap_err();
    assert!(err.to_string().contains("EOF while parsing"), "{err}");
    let array = "[{\"ph\":\"X\",\"ts\":1,\"dur\":2},\n{\"ph\":\"X\",\"ts\":0";
    let err = trace::import_as(Format::Chrome, &array.as_bytes()[..20]).unwrap_err();
    assert!(
        err.to_string()
            .contains("ends inside its first record (line 1, 19 bytes)"),
        "{err}"
    );
}

#[test]
fn a_cut_off_original_dump_array_keeps_its_complete_elements() {
    let text = concat!(
        "[{\"id\": \"7d0f6b2e-1c1a-4a53-9f0e-2a1d3c4b5e6f\", \"type\": \"processing\", ",
        "\"phase\": \"started\", \"timestamp\": \"2026-11-27T09:59:23+00:00\"},\n",
        "{\"id\": \"8d0f6b2e-1c1a-4a53-9f0e-2a1d3c4b5e6f\", \"type\": \"proc"
    );
    let imported = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(imported.format, Some(Format::Abstractions));
    assert_eq!(imported.events.len(), 1);
    assert_eq!(imported.notes.len(), 1, "{:?}", imported.notes);
    assert!(
        imported.notes[0].contains("record at line 2"),
        "{:?}",
        imported.notes
    );
}

fn limits(max_events: u64, max_retained_bytes: u64, max_bytes: u64) -> Limits {
    Limits {
        max_events,
        max_retained_bytes,
        max_bytes,
        ..Limits::DEFAULT
    }
}

#[test]
fn the_event_budget_stops_the_import_at_the_event_and_line_that_exceed_it() {
    let one = trace::export_ndjson(&events()[..1]);
    let text = one.repeat(10);
    let err =
        trace::import_with_limits(text.as_bytes(), None, limits(5, 1 << 30, 1 << 30)).unwrap_err();
    assert_eq!(
        err.problem,
        Problem::OverBudget {
            budget: Budget::Events { limit: 5 },
            event: 6
        }
    );
    let at = err.at.unwrap();
    assert_eq!((at.line, at.column, at.byte), (6, 1, 5 * one.len()));
    // The command line names the flag that raises the budget; the page has none to name.
    let hint = if cfg!(target_arch = "wasm32") {
        ""
    } else {
        "; raise it with --max-events"
    };
    assert_eq!(
        err.to_string(),
        format!(
            "could not read the lineage NDJSON trace: stopped at event 6 (line 6, column 1 \
             (byte {})): the trace exceeds the budget of 5 events{hint}",
            5 * one.len()
        )
    );
}

#[test]
fn the_chrome_bomb_stops_at_the_memory_budget_instead_of_growing() {
    let bomb = format!("[{}]", vec!["{\"ph\":\"X\",\"ts\":0}"; 50_000].join(","));
    let err = trace::import_with_limits(bomb.as_bytes(), None, limits(u64::MAX, 2 << 20, 1 << 30))
        .unwrap_err();
    let Problem::OverBudget {
        budget: Budget::Memory { limit, held },
        ..
    } = err.problem
    else {
        panic!("{err:?}")
    };
    assert_eq!(limit, 2 << 20);
    assert!(held > limit);
    assert!(
        err.to_string()
            .contains("exceeds the memory budget of 2 MiB"),
        "{err}"
    );
    // Within a budget that fits, the same bomb reads as 100 000 events.
    let imported = trace::import(bomb.as_bytes(), None).unwrap();
    assert_eq!(imported.events.len(), 100_000);
}

/// `/dev/zero`, a pipe that never ends, a file whose size is 0 in its metadata.
#[cfg(not(target_arch = "wasm32"))]
mod endless {
    use super::*;

    /// `head`, then `body` repeated for ever.
    struct Endless {
        head: &'static [u8],
        body: &'static [u8],
        at: usize,
    }

    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            for b in buf.iter_mut() {
                *b = match self.head.get(self.at) {
                    Some(&h) => h,
                    None => self.body[(self.at - self.head.len()) % self.body.len()],
                };
                self.at += 1;
            }
            Ok(buf.len())
        }
    }

    fn read_endless(head: &'static [u8], body: &'static [u8], limits: Limits) -> trace::ReadError {
        let importer = Importer::new(EventVec::new(), None, limits);
        let endless = Endless { head, body, at: 0 };
        trace::read_all(importer, endless, 1 << 16).unwrap_err()
    }

    fn read(body: &'static [u8], limits: Limits) -> trace::ReadError {
        read_endless(b"", body, limits)
    }

    #[test]
    fn endless_zeros_are_refused_as_no_known_format() {
        let trace::ReadError::Import(err) = read(b"\0", Limits::DEFAULT) else {
            panic!()
        };
        assert!(
            matches!(err.problem, Problem::UnknownFormat { .. }),
            "{err}"
        );
    }

    #[test]
    fn endless_whitespace_stops_at_the_byte_bound() {
        let trace::ReadError::Import(err) = read(b" ", limits(10, 1 << 30, 50_000_000)) else {
            panic!()
        };
        assert_eq!(
            err.problem,
            Problem::TooLarge {
                bytes: 50_003_968,
                limit: 50_000_000
            }
        );
    }

    #[test]
    fn an_endless_array_of_other_tools_instants_stops_at_the_memory_budget() {
        let trace::ReadError::Import(err) = read_endless(
            b"[",
            b"{\"ph\":\"i\",\"ts\":1},",
            limits(10_000, 1 << 20, u64::MAX),
        ) else {
            panic!()
        };
        // Other tools' instants are held until the end (their parents may come later):
        // they count against the memory budget while they arrive.
        assert!(
            matches!(
                err.problem,
                Problem::OverBudget {
                    budget: Budget::Memory { .. },
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn endless_ndjson_stops_at_the_event_budget_with_its_line() {
        const LINE: &[u8] = b"{\"id\":\"00000000-0000-4000-8000-000000000001\",\"kind\":\"k\",\"phase\":\"started\",\"root_id\":\"00000000-0000-4000-8000-000000000001\",\"lineage_id\":\"00000000-0000-4000-8000-000000000002\",\"seq\":0,\"timestamp_ns\":5}\n";
        let trace::ReadError::Import(err) = read(LINE, limits(1_000, 1 << 30, u64::MAX)) else {
            panic!()
        };
        assert_eq!(
            err.problem,
            Problem::OverBudget {
                budget: Budget::Events { limit: 1_000 },
                event: 1_001
            }
        );
        assert_eq!(err.at.unwrap().line, 1_001);
    }
}
