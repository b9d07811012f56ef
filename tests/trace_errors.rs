//! Bad input: clear errors, limits instead of hangs, nothing half-read.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::analysis::Inspection;
use lineage::trace::{self, Format, Problem, MAX_DEPTH};

#[test]
fn an_input_over_the_byte_bound_is_stopped_while_it_is_read() {
    let limits = trace::Limits {
        max_bytes: 1_000_000,
        ..trace::Limits::DEFAULT
    };
    let big = vec![b' '; 1_000_001];
    let err = trace::import_with_limits(&big, None, limits).unwrap_err();
    assert!(matches!(err.problem, Problem::TooLarge { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "could not import the file: the input is larger than the 1 MB limit (reading \
             stopped after 1 000 001 bytes)"
        ),
        "{msg}"
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_with_its_position() {
    for format in Format::ALL {
        let limit = trace::scan_depth(format, MAX_DEPTH);
        let deep = format!(
            "{{\"id\": 1, \"payload\": {}{}}}\n",
            "[".repeat(limit + 5),
            "]".repeat(limit + 5)
        );
        let err = trace::import_as(format, deep.as_bytes()).unwrap_err();
        assert_eq!(err.problem, Problem::TooDeep { limit });
        assert_eq!(err.at.unwrap().line, 1);
        assert!(
            err.to_string()
                .contains(&format!("nest deeper than {limit} levels")),
            "{err}"
        );
    }
}

#[test]
fn content_in_no_known_format_is_named_in_the_error() {
    let err = trace::import(b"{\"hello\": \"world\"}", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not import the file: expected lineage NDJSON, the Python original's events, a \
         Chrome trace or OTLP JSON, found an object with the keys hello"
    );
    let err = trace::import(b"hello, world", None).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("found text starting \"hello, world\""),
        "{err}"
    );
}

/// Issue 9: a 0-byte file opened in the page replaced the trace with an empty one. An empty
/// input is an error whatever its name; the name only says which format it claimed to be.
#[test]
fn empty_input_is_an_error_named_after_the_format_its_file_name_claims() {
    assert_eq!(
        trace::import(b"  \n", None).unwrap_err().problem,
        Problem::Empty
    );
    let err = trace::import(b"", Some("run.ndjson")).unwrap_err();
    assert_eq!(err.problem, Problem::Empty);
    assert_eq!(
        err.to_string(),
        "could not read the lineage NDJSON trace: the file is empty"
    );
}

#[test]
fn an_empty_chrome_array_is_an_empty_trace() {
    let imported = trace::import(b"[ ]", None).unwrap();
    assert_eq!(imported.format, Some(Format::Chrome));
    assert!(imported.events.is_empty());
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = b"{\"traceEvents\": [\n  {\"ph\": \"X\",, }\n]}";
    let err = trace::import(text, None).unwrap_err();
    assert_eq!(err.format, Some(Format::Chrome));
    let at = err.at.unwrap();
    assert_eq!((at.line, at.column), (2, 14));
    assert!(matches!(err.problem, Problem::Syntax { .. }));
    assert!(err.to_string().contains("the JSON is malformed"), "{err}");
}

#[test]
fn every_error_reads_as_one_sentence_naming_the_format() {
    let cases: [(&[u8], &str); 4] = [
        (
            b"[{\"ph\": \"X\", \"ts\": 1, \"dur\": \"x\"}]",
            "Chrome trace",
        ),
        (
            b"{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{}]}]}]}",
            "OTLP JSON trace",
        ),
        (
            b"{\"type\": \"a\", \"phase\": \"started\"}",
            "abstractions event dump",
        ),
        (
            b"{\"kind\": \"a\", \"timestamp_ns\": \"x\"}",
            "lineage NDJSON trace",
        ),
    ];
    for (input, name) in cases {
        let msg = trace::import(input, None).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("could not read the {name}: at line 1")),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
    }
}

#[test]
fn native_traces_with_parent_cycles_and_duplicate_ids_import_and_are_linted() {
    use lineage::analysis::lints::LintKind;
    use lineage::core::{Event, Phase};
    let mut a = Event::root("processing", Phase::Started);
    let mut b = Event::root("processing", Phase::Started);
    a.parent_id = Some(b.id);
    b.parent_id = Some(a.id);
    let text = trace::export_ndjson(&[a.clone(), b, a]);
    let imported = trace::import(text.as_bytes(), None).unwrap();
    let kinds: Vec<LintKind> = Inspection::of_import(&imported)
        .lints
        .iter()
        .map(|l| l.kind)
        .collect();
    assert!(kinds.contains(&LintKind::Cycle));
    assert!(kinds.contains(&LintKind::DuplicateId));
    // And both exporters cope.
    trace::chrome::check_rules(&trace::export_chrome(&imported.events)).unwrap();
}

/// A document of `format` nested to exactly `depth` levels.
fn nested_to(format: Format, depth: usize) -> String {
    let arrays = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let id = "a813507f-2bff-4975-9d20-0d58e52815f5";
    match format {
        Format::Native => format!(
            "{{\"id\":\"{id}\",\"kind\":\"x\",\"phase\":\"started\",\"root_id\":\"{id}\",\
             \"lineage_id\":\"{id}\",\"seq\":0,\"timestamp_ns\":0,\"payload\":{{\"extra\":{{\"d\":{}}}}}}}\n",
            arrays(depth - 3)
        ),
        Format::Abstractions => format!(
            "{{\"id\":\"{id}\",\"type\":\"processing\",\"phase\":\"started\",\
             \"timestamp\":\"2026-11-27T09:59:23+00:00\",\"metadata\":{}}}\n",
            arrays(depth - 1)
        ),
        Format::Chrome => format!(
            "{{\"traceEvents\":[{{\"name\":\"a\",\"ph\":\"X\",\"ts\":1,\"dur\":1,\"pid\":1,\
             \"tid\":1,\"args\":{{\"d\":{}}}}}]}}",
            arrays(depth - 4)
        ),
        Format::Otlp => {
            // Each attribute level is four JSON levels; the innermost value sits ten deep.
            let mut v = "{\"stringValue\":\"x\"}".to_owned();
            for _ in 0..(depth - 10) / 4 {
                v = format!("{{\"kvlistValue\":{{\"values\":[{{\"key\":\"k\",\"value\":{v}}}]}}}}");
            }
            format!(
                "{{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[{{\
                 \"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\
                 \"name\":\"a\",\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\",\
                 \"attributes\":[{{\"key\":\"k\",\"value\":{v}}}]}}]}}]}}]}}"
            )
        }
    }
}

// Native only: it needs a thread with the documented stack (see `trace::read`).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn documents_nested_to_the_limit_import_inspect_and_export_on_the_documented_stack() {
    std::thread::Builder::new()
        .stack_size(trace::STACK_FOR_MAX_DEPTH)
        .spawn(|| {
            for format in Format::ALL {
                // The limit is on the values' nesting: formats that wrap values in more
                // levels (Chrome, OTLP) allow as many more JSON levels.
                let limit = trace::scan_depth(format, MAX_DEPTH);
                let text = nested_to(format, limit);
                let imported = trace::import(text.as_bytes(), None)
                    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
                assert_eq!(imported.format, Some(format));
                let _ = Inspection::of_import(&imported);
                let _ = trace::export_chrome(&imported.events);
                let _ = trace::export_ndjson(&imported.events);
                let deeper = nested_to(format, limit + 4);
                let err = trace::import(deeper.as_bytes(), None).unwrap_err();
                assert_eq!(err.problem, Problem::TooDeep { limit }, "{format:?}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn documents_nested_256_deep_import_on_a_default_stack_with_a_256_limit() {
    // What the UI can rely on without a larger stack: 1 MB on wasm32, 2 MB for test threads.
    let limits = trace::Limits {
        max_depth: 256,
        ..trace::Limits::DEFAULT
    };
    for format in Format::ALL {
        let text = nested_to(format, 256);
        let imported = trace::import_with_limits(text.as_bytes(), None, limits)
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let _ = Inspection::of_import(&imported);
        let _ = trace::export_chrome(&imported.events);
        // Refused by the scanner before anything recurses (so any depth is safe here).
        let limit = trace::scan_depth(format, 256);
        let deeper = nested_to(format, limit + 8);
        let err = trace::import_with_limits(deeper.as_bytes(), None, limits).unwrap_err();
        assert_eq!(err.problem, Problem::TooDeep { limit }, "{format:?}");
    }
}
