//! OTLP JSON is read span by span: the budgets hold while the document is read, a parent
//! that comes after its children still links them, and an export reads back at any depth
//! the importers allow (issue 14, items 3 and 5).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use lineage::analysis::Inspection;
use lineage::core::{Event, Phase};
use lineage::trace::{self, Budget, Format, Limits, Problem};
use serde_json::{json, Value};

#[cfg(not(target_arch = "wasm32"))]
const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

/// Span `k` of a document: four spans a trace, the first of each four the parent of the
/// other three.
fn span(k: u64) -> Value {
    let root = k - k % 4;
    let mut s = json!({
        "traceId": format!("{:032x}", root + 1),
        "spanId": format!("{:016x}", k + 1),
        "name": format!("op {}", k % 7),
        "startTimeUnixNano": (1_000 + k * 10).to_string(),
        "endTimeUnixNano": (1_005 + k * 10).to_string(),
        "attributes": [{"key": "http.route", "value": {"stringValue": "/api/items"}}],
    });
    if k != root {
        s["parentSpanId"] = json!(format!("{:016x}", root + 1));
    }
    s
}

/// One `TracesData` document, all spans under one resource and scope (one record).
fn document(order: impl Iterator<Item = u64>) -> String {
    let spans: Vec<Value> = order.map(span).collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "t"}}]},
        "scopeSpans": [{"scope": {"name": "t"}, "spans": spans}],
    }]})
    .to_string()
}

#[test]
fn a_memory_budget_stops_a_single_document_at_the_span_that_crosses_it() {
    let text = document(0..20_000);
    // Room for the record itself (held whole while its spans are read), not for its events.
    let limits = Limits {
        max_retained_bytes: text.len() as u64 + (4 << 20),
        ..Limits::DEFAULT
    };
    let err = trace::import_with_limits(text.as_bytes(), None, limits).unwrap_err();
    let Problem::OverBudget { budget, event } = err.problem else {
        panic!("{err}");
    };
    assert!(matches!(budget, Budget::Memory { .. }), "{err}");
    // Stopped while reading, far into the one record, not at its first byte.
    assert!(event > 1_000 && event < 40_000, "{err}");
    let at = err.at.unwrap();
    assert!(text[at.byte..].starts_with("{\"attributes\""), "{err}");
    // The span it points at is the one whose events did not fit: about event / 2.
    let spans_before = text[..at.byte].matches("\"spanId\"").count() as u64;
    assert!(
        spans_before.abs_diff((event - 1) / 2) <= 1,
        "{spans_before} {err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("(byte {})", at.byte)) && msg.contains("stopped at event"),
        "{msg}"
    );
}

#[test]
fn an_event_budget_stops_at_its_event_inside_one_document() {
    let text = document(0..2_000);
    let limits = Limits {
        max_events: 1_001,
        ..Limits::DEFAULT
    };
    let err = trace::import_with_limits(text.as_bytes(), None, limits).unwrap_err();
    assert_eq!(
        err.problem,
        Problem::OverBudget {
            budget: Budget::Events { limit: 1_001 },
            event: 1_002
        }
    );
    assert!(err.at.unwrap().byte > 100_000, "{err}");
}

#[test]
fn children_before_their_parents_read_as_parents_first_do() {
    let n = 4_000;
    let forward = trace::import(document(0..n).as_bytes(), None).unwrap();
    let backward = trace::import(document((0..n).rev()).as_bytes(), None).unwrap();
    assert_eq!(forward.format, Some(Format::Otlp));
    assert_eq!(forward.events.len() as u64, 2 * n);
    let key = |e: &Event| (e.timestamp_ns, e.id, e.root_id, e.lineage_id, e.parent_id);
    let mut a: Vec<_> = forward.events.iter().map(key).collect();
    let mut b: Vec<_> = backward.events.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // Every span's root is its trace's first span.
    let roots: std::collections::HashSet<_> = forward.events.iter().map(|e| e.root_id).collect();
    assert_eq!(roots.len() as u64, n / 4);
    // And in time order, as the importer promises.
    assert!(backward
        .events
        .windows(2)
        .all(|w| w[0].timestamp_ns <= w[1].timestamp_ns));
}

/// Native only: it reads the corpus file from disk, which a wasm32 test cannot.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_hostile_file_of_children_listed_first_links_them_all_to_one_root() {
    let bytes = std::fs::read(format!("{CORPUS}/otlp-children-before-parents.json")).unwrap();
    let imported = trace::import(&bytes, None).unwrap();
    assert_eq!(imported.events.len(), 6);
    let root = imported.events[0].root_id;
    assert!(imported.events.iter().all(|e| e.root_id == root));
    let summary = Inspection::of_import(&imported).summary;
    assert_eq!((summary.operations, summary.spans), (1, 3));
}

/// A chain of `n` operations, each the parent of the next.
fn chain(n: usize) -> Vec<Event> {
    let mut starts = vec![Event::root("processing", Phase::Started)];
    for i in 1..n {
        let mut e = Event::root("processing", Phase::Started);
        e.parent_id = Some(starts[i - 1].id);
        e.root_id = starts[0].root_id;
        e.lineage_id = starts[0].lineage_id;
        e.timestamp_ns = i as u64;
        starts.push(e);
    }
    let mut events = starts.clone();
    for (i, s) in starts.iter().enumerate().rev() {
        let mut end = s.clone();
        end.id = uuid::Uuid::new_v4();
        end.phase = Phase::Completed;
        end.start_id = Some(s.id);
        end.timestamp_ns = (2 * n - i) as u64;
        events.push(end);
    }
    events
}

#[test]
fn a_parent_chain_five_thousand_deep_reads_back_from_chrome_and_otlp() {
    let events = chain(5_000);
    for format in [trace::ExportFormat::Chrome, trace::ExportFormat::Otlp] {
        let text = trace::export(format, &events);
        let back = trace::import(text.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.events.len(), events.len(), "{format:?}");
        let summary = Inspection::of_import(&back).summary;
        assert_eq!(summary.spans, 5_000, "{format:?}");
        assert_eq!(summary.paired_ends, 5_000, "{format:?}");
        assert_eq!((summary.operations, summary.roots), (1, 1), "{format:?}");
    }
}

/// A lineage NDJSON event whose payload nests `depth` levels deep (the line's own depth).
#[cfg(not(target_arch = "wasm32"))]
fn payload_nested_to(depth: usize) -> String {
    let value = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let object = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    let id = "a813507f-2bff-4975-9d20-0d58e52815f5";
    format!(
        "{{\"id\":\"{id}\",\"kind\":\"x\",\"phase\":\"started\",\"root_id\":\"{id}\",\
         \"lineage_id\":\"{id}\",\"seq\":0,\"timestamp_ns\":0,\
         \"payload\":{{\"extra\":{{\"list\":{},\"map\":{}}}}}}}\n",
        value(depth - 3),
        object(depth - 3)
    )
}

// Native only: a document nested to the limit needs the documented stack (see `trace::read`).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn a_payload_nested_to_the_limit_reads_back_from_chrome_and_otlp() {
    std::thread::Builder::new()
        .stack_size(trace::STACK_FOR_MAX_DEPTH)
        .spawn(|| {
            let text = payload_nested_to(trace::MAX_DEPTH);
            let events = trace::import(text.as_bytes(), None).unwrap().events;
            let extra = &events[0].payload.extra;
            for format in [trace::ExportFormat::Chrome, trace::ExportFormat::Otlp] {
                let out = trace::export(format, &events);
                let back = trace::import(out.as_bytes(), None)
                    .unwrap_or_else(|e| panic!("{format:?}: {e}"));
                assert_eq!(back.events.len(), 1, "{format:?}");
                let got = &back.events[0].payload.extra;
                // Chrome keeps the payload's fields as they were; OTLP as attributes.
                let got = match format {
                    trace::ExportFormat::Otlp => got.get("attributes").unwrap().clone(),
                    _ => serde_json::to_value(got).unwrap(),
                };
                for key in ["list", "map"] {
                    assert_eq!(got.get(key), extra.get(key), "{format:?} {key}");
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// Native only: it reads the corpus file from disk, which a wasm32 test cannot.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn keys_out_of_order_give_every_span_its_resource_scope_and_schema_url() {
    let bytes = std::fs::read(format!("{CORPUS}/otlp-keys-out-of-order.json")).unwrap();
    let imported = trace::import(&bytes, None).unwrap();
    assert_eq!(imported.events.len(), 4);
    assert!(imported.notes.is_empty(), "{:?}", imported.notes);
    let otel = |name: &str| {
        let start = imported
            .events
            .iter()
            .find(|e| e.phase == Phase::Started && e.payload.process_name.as_deref() == Some(name))
            .unwrap();
        serde_json::to_value(&start.payload.extra).unwrap()["otel"].clone()
    };
    let child = otel("child");
    assert_eq!(
        child["schema_url"],
        "https://opentelemetry.io/schemas/1.21.0"
    );
    assert_eq!(child["resource"]["service.name"], "late-resource");
    assert_eq!(child["scope"]["name"], "late-scope");
    let root = otel("root");
    assert_eq!(root["schema_url"], "https://opentelemetry.io/schemas/1.4.0");
    assert_eq!(root["resource"]["service.name"], "early");
    assert_eq!(root["scope"]["name"], "old-library");
    // The child came first and waited for its parent in the next element.
    assert!(imported
        .events
        .iter()
        .all(|e| e.root_id == imported.events[0].root_id));
}

/// A sink that counts events and keeps none: what the budget then measures is what the
/// importer itself holds.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default)]
struct Counting(u64);

#[cfg(not(target_arch = "wasm32"))]
impl lineage::model::EventSink for Counting {
    fn push(&mut self, _: Event) -> Result<(), lineage::model::BudgetExceeded> {
        self.0 += 1;
        Ok(())
    }
    fn retained_bytes(&self) -> usize {
        0
    }
}

/// `n` spans of one `resourceSpans` element, written as `docs/budget.md`'s generator writes
/// them (no `schemaUrl`, so nothing says the spans need not wait for one).
fn generated(n: u64) -> String {
    let mut out = String::with_capacity(n as usize * 300);
    out.push_str(
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\
         \"value\":{\"stringValue\":\"bench\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"bench\"},\
         \"spans\":[",
    );
    for k in 0..n {
        let root = k - k % 4;
        let parent = if k == root {
            String::new()
        } else {
            format!(",\"parentSpanId\":\"{:016x}\"", root + 1)
        };
        out.push_str(&format!(
            "{}{{\"traceId\":\"{:032x}\",\"spanId\":\"{:016x}\"{parent},\"name\":\"op {}\",\
             \"kind\":1,\"startTimeUnixNano\":\"{}\",\"endTimeUnixNano\":\"{}\",\"attributes\":\
             [{{\"key\":\"http.route\",\"value\":{{\"stringValue\":\"/api/items\"}}}}]}}",
            if k == 0 { "" } else { "," },
            root + 1,
            k + 1,
            k % 7,
            1_700_000_000_000_000_000u64 + k * 1000,
            1_700_000_000_000_000_500u64 + k * 1000,
        ));
    }
    out.push_str("]}]}]}\n");
    out
}

/// Native only: it is about the importer's memory, the same code in the page, and 100 000
/// spans would lengthen the unoptimised browser suite.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn one_resource_of_many_spans_reads_under_a_budget_smaller_than_its_text() {
    // 100 000 spans, 28 MB of text, under a 24 MiB budget: the importer holds one span and
    // the window of spans that wait for a late `schemaUrl` (8 192 spans, about 16 MB as
    // events), never the element's text (the old reading refused it: "one record is larger").
    let n = 100_000;
    let text = generated(n);
    let limits = Limits {
        max_retained_bytes: 24 << 20,
        ..Limits::DEFAULT
    };
    assert!(text.len() as u64 > limits.max_retained_bytes);
    let mut importer = trace::Importer::new(Counting::default(), None, limits);
    for chunk in text.as_bytes().chunks(64 * 1024) {
        importer.feed(chunk).unwrap();
    }
    let done = importer.finish().unwrap();
    assert_eq!(done.format, Format::Otlp);
    assert_eq!(done.sink.0, 2 * n);
    assert!(done.notes.is_empty(), "{:?}", done.notes);
}

#[test]
fn a_schema_url_after_more_spans_than_may_wait_is_kept_where_it_can_be_and_noted() {
    let n = 9_000;
    let mut text = generated(n);
    text.truncate(text.len() - "]}]}]}\n".len());
    text.push_str("]}],\"schemaUrl\":\"https://example.com/s\"}]}\n");
    let imported = trace::import(text.as_bytes(), None).unwrap();
    assert_eq!(imported.events.len() as u64, 2 * n);
    let carrying = imported
        .events
        .iter()
        .filter(|e| {
            e.payload
                .extra
                .get("otel")
                .is_some_and(|o| o["schema_url"] == "https://example.com/s")
        })
        .count();
    // The spans that could still wait carry it; the note says the others do not.
    assert_eq!(carrying, 8 * 1024);
    assert_eq!(imported.notes.len(), 1, "{:?}", imported.notes);
    let note = &imported.notes[0];
    assert!(
        note.contains("schema_url") && note.contains(&format!("{} of its spans", n - 8 * 1024)),
        "{note}"
    );
}
