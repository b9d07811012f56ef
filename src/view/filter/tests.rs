//! Tests of the filter: the search against [`event_text_contains`] on traces made to hold
//! every kind of text a needle can be found in.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn the_match_count_shows_only_under_a_filter_and_agrees_in_number() {
    let selected = [true, false, true];
    assert_eq!(Query::default().describe_matches(&selected), "");
    let text = Query {
        text: "load".into(),
        ..Query::default()
    };
    assert_eq!(text.describe_matches(&selected), "2 matches");
    assert_eq!(text.describe_matches(&[false, true]), "1 match");
    let inverted = Query {
        invert: true,
        ..Query::default()
    };
    assert!(inverted.is_active() && inverted.is_empty());
    assert_eq!(inverted.describe_matches(&[false]), "0 matches");
}

use crate::core::event::Payload;

/// Events whose text exercises every place a needle can be found: upper case and
/// non-ASCII names, an error, entity ids, free-form fields (nested, numbers, keys).
fn varied_trace() -> (EventLog, Spans) {
    let mut root = Event::root("Processing", Phase::Started);
    root.payload = Payload::process("function_execution")
        .function("Update_GPA")
        .with("Straße", "Ünïcode VALUE")
        .with(
            "nested",
            serde_json::json!({"deep": [1, 2.5, -3], "flag": true}),
        );
    root.payload
        .input_entity_ids
        .push(Uuid::from_u128(0xabcdef));
    let mut child = Event::child_of(&root, "processing", Phase::Started);
    child.payload = Payload::process("input_preparation")
        .with("count", 12345u64)
        .with("Mode", "FAST");
    let mut failed = Event::child_of(&root, "processing", Phase::Failed);
    failed.start_id = Some(child.id);
    failed.error = Some("Simulated FAILURE in ÉTAPE".into());
    failed.payload = Payload::process("input_preparation");
    let mut end = Event::child_of(&root, "processed", Phase::Completed);
    end.parent_id = None;
    end.start_id = Some(root.id);
    let point = Event::child_of(&root, "progress", Phase::Progress);
    let trace = EventLog::new(vec![root, child, failed, end, point]);
    let spans = Spans::build(&trace);
    (trace, spans)
}

/// Events whose payload JSON is not its stored text: escapes, final sigmas, floats,
/// extreme integers, literals, nested values, empty names and payloads.
fn tricky_trace() -> (EventLog, Spans) {
    let mut root = Event::root("Big_KIND", Phase::Started);
    root.payload = Payload::process("say \"Hi\"\\Now\ttab")
        .function("ΟΔΟΣ ΣΑΣ.Σ")
        .with("Key\"Quoted", "line1\nLINE2\u{1}end")
        .with("ΚΛΕΙΣ", "ÅNGSTRÖM Σ İstanbul")
        .with("none", serde_json::Value::Null)
        .with("yes", true)
        .with("no", false)
        .with("big", 1e20)
        .with("negzero", -0.0)
        .with("small", 2.5e-7)
        .with("tenth", 0.1)
        .with("max", u64::MAX)
        .with("min", i64::MIN)
        .with("empty", "")
        .with(
            "nested",
            serde_json::json!({"Sum": 0.30000000000000004, "say": "a \"B\"", "list": ["UP", -7]}),
        );
    root.payload.entity_count = Some(42);
    root.payload
        .output_entity_ids
        .extend([Uuid::from_u128(0x1234), Uuid::from_u128(u128::MAX)]);
    root.duration_ns = Some(987_654_321);
    root.error = Some("ΣΦΑΛΜΑ: Exploded".into());
    let mut unnamed = Event::child_of(&root, "processing", Phase::Started);
    unnamed.payload = Payload::process("");
    let bare = Event::child_of(&root, "processing", Phase::Progress);
    // Read from a file: members the payload does not model and values kept as their text.
    let mut read = Event::child_of(&root, "processing", Phase::Progress);
    read.payload = serde_json::from_str(
        r#"{"extra":{"Huge":18446744073709551616,"x":1E400},"Bar":{"n":-9223372036854775809}}"#,
    )
    .unwrap();
    let trace = EventLog::new(vec![root, unnamed, bare, read]);
    let spans = Spans::build(&trace);
    (trace, spans)
}

/// [`Query::select`] (plain and inverted) selects the spans one of whose events
/// [`event_text_contains`] the needle (trimmed and lowercased, as the query does).
fn assert_search_agrees(trace: &EventLog, spans: &Spans, needles: &[&str]) {
    for needle in needles {
        let lower = needle.trim().to_lowercase();
        let expected: Vec<bool> = (0..spans.len())
            .map(|s| {
                let sp = &spans.spans[s];
                std::iter::once(sp.start)
                    .chain(sp.end)
                    .any(|i| event_text_contains(&trace.event(i), &lower))
            })
            .collect();
        for invert in [false, true] {
            let q = Query {
                text: (*needle).to_owned(),
                invert,
                ..Query::default()
            };
            let want: Vec<bool> = expected.iter().map(|m| *m != invert).collect();
            assert_eq!(q.select(trace, spans), want, "{needle:?}, invert {invert}");
        }
    }
}

#[test]
fn the_search_finds_exactly_what_the_events_text_contains() {
    let (trace, spans) = varied_trace();
    let some_id = trace.id(2).to_string();
    let needles = [
        "processing",
        "PROCESS",
        "started",
        "failed",
        "input_prep",
        "update_gpa",
        "straße",
        "STRASSE",
        "ünïcode value",
        "\"deep\":[1,2.5,-3]",
        "12345",
        "mode\":\"fast",
        "\"flag\":true",
        "00000000-0000-0000-0000-000000abcdef",
        "abcdef",
        "simulated failure",
        "étape",
        &some_id[..8],
        &some_id[9..20],
        "function_name",
        "progress",
        "nowhere",
    ];
    assert_search_agrees(&trace, &spans, &needles);
}

#[test]
fn the_search_finds_exactly_what_the_payloads_json_text_contains() {
    let (trace, spans) = tricky_trace();
    let needles = [
        "big_kind",
        "null",
        "ul",
        "true",
        "rue",
        "false",
        "als",
        "1e20",
        "e20",
        "-0.0",
        "2.5e-7",
        "e-7",
        "0.1",
        "18446744073709551615",
        "-9223372036854775808",
        "42",
        "987654321",
        "entity_count",
        "count",
        "extra",
        "xtra",
        "input_entity_ids",
        "output_entity_ids",
        "_ids",
        "name",
        "process_name",
        "function_name",
        "00000000-0000-0000-0000-000000001234",
        "ffffffff-ffff",
        "\\n",
        "\\\"",
        "\\u0001",
        "\\t",
        "tab",
        "line2",
        "\\\\now",
        "hi\\",
        "σ",
        "ς",
        "οδος",
        "οδοσ",
        "σας.σ",
        "σας.ς",
        "ångström σ",
        "ångström ς",
        "i̇stanbul",
        "istanbul",
        "key\\\"quoted",
        "κλεις",
        "κλεισ",
        "σφαλμα",
        "σφαλμα: exploded",
        "0.30000000000000004",
        "sum",
        "a \\\"b",
        "up",
        "-7",
        "empty",
        "-",
        "e",
        ".",
        "+",
        "0",
        "7",
        "m σ",
        "\"\"",
        "{}",
        "[",
        ",",
        "\":null",
        "\"extra\":{",
        "\"up\",-7]",
        "tenth\":0.1,",
        "huge",
        "18446744073709551616",
        "1e400",
        "\"bar\":{\"n\":-9223",
        "}},\"bar",
    ];
    assert_search_agrees(&trace, &spans, &needles);
}

#[test]
fn every_short_piece_of_any_events_text_is_found_where_the_text_has_it() {
    for (trace, spans) in [varied_trace(), tricky_trace()] {
        let mut pieces = std::collections::BTreeSet::new();
        for e in trace.events() {
            let json = serde_json::to_string(&e.payload).unwrap();
            let error = e.error.unwrap_or_default();
            let text = format!("{json} {error} {} {}", e.kind, e.id);
            let chars: Vec<char> = text.to_lowercase().chars().collect();
            for n in 1..=5 {
                pieces.extend(chars.windows(n).map(|w| w.iter().collect::<String>()));
            }
        }
        let needles: Vec<&str> = pieces.iter().map(String::as_str).collect();
        assert_search_agrees(&trace, &spans, &needles);
    }
}

#[test]
fn kind_phase_and_lineage_filters_combine_with_the_text() {
    let (trace, spans) = varied_trace();
    let by = |q: Query| q.select(&trace, &spans).iter().filter(|b| **b).count();
    let all = spans.len();
    assert_eq!(by(Query::default()), all);
    let kind = |k: &str| Query {
        kind: Some(k.into()),
        ..Query::default()
    };
    assert_eq!(by(kind("progress")), 1);
    assert_eq!(
        by(Query {
            text: "étape".into(),
            ..kind("processing")
        }),
        1
    );
    assert_eq!(
        by(Query {
            text: "étape".into(),
            ..kind("progress")
        }),
        0
    );
    let failed = Query {
        phase: Some(Phase::Failed),
        ..Query::default()
    };
    assert_eq!(by(failed), 1);
    let lineage = Query {
        lineage: Some(trace.lineage_id(0)),
        ..Query::default()
    };
    assert_eq!(by(lineage), all);
    let elsewhere = Query {
        lineage: Some(Uuid::from_u128(7)),
        ..Query::default()
    };
    assert_eq!(by(elsewhere), 0);
}

#[test]
fn typing_on_narrows_the_last_selection_to_what_a_fresh_search_selects() {
    let (trace, spans) = varied_trace();
    let id = trace.id(1).to_string();
    for invert in [false, true] {
        for kind in [None, Some("processing".to_owned())] {
            let mut before = Query {
                invert,
                kind: kind.clone(),
                ..Query::default()
            };
            let mut selected = before.select(&trace, &spans);
            // Typed key by key, then a key deleted, then another text pasted.
            let mut texts: Vec<String> = (1..=id.len()).map(|n| id[..n].to_owned()).collect();
            texts.extend([id[..5].to_owned(), "IN".into(), "input".into(), "x".into()]);
            for text in texts {
                let q = Query {
                    text,
                    ..before.clone()
                };
                let narrowed = q.select_after(&before, &selected, &trace, &spans);
                assert_eq!(narrowed, q.select(&trace, &spans), "{q:?} after {before:?}");
                (before, selected) = (q, narrowed);
            }
        }
    }
}
