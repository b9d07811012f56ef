//! A single OTLP document is read span by span (the scanner cuts it at the span, and spans
//! wait for a late `schemaUrl`, `resource` or `scope`): whatever order its keys come in, it
//! gives exactly the events, in the same order, and the notes that reading each
//! `resourceSpans` element whole gives. The whole-element reading is still what a JSON Lines
//! line gets (a `TracesData` parsed at once), so the same document on one line is the
//! reference.
#![cfg(not(target_arch = "wasm32"))]

use lineage::model::EventVec;
use lineage::trace::{Finished, Importer, Limits};
use proptest::prelude::*;

/// A small deterministic generator (splitmix64): proptest shrinks the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// Whitespace between the skeleton's tokens: none, spaces, or a newline and indent.
    fn gap(&mut self) -> &'static str {
        ["", " ", "\n  ", "\n", "\t"][self.below(5)]
    }
}

/// An object from its members, in the order given, with random whitespace.
fn object(rng: &mut Rng, members: Vec<String>) -> String {
    let sep = format!(",{}", rng.gap());
    format!("{{{}{}{}}}", rng.gap(), members.join(&sep), rng.gap())
}

fn list(rng: &mut Rng, items: Vec<String>) -> String {
    let sep = format!("{},{}", rng.gap(), rng.gap());
    format!("[{}{}{}]", rng.gap(), items.join(&sep), rng.gap())
}

/// Strings that look like structure, so a scanner that does not skip strings would cut there.
const TRICKY: [&str; 4] = [
    "plain",
    "a \\\"quoted\\\" ,]} name",
    "[{\\\\",
    "ünï \\u00e9",
];

/// A fixed order of span ids unrelated to their order in the file: a span's parent ranks
/// lower.
fn rank(id: u64) -> u64 {
    Rng(id).next()
}

fn span(rng: &mut Rng, id: u64, spans: u64) -> String {
    let mut m = vec![
        format!("\"traceId\":\"{:032x}\"", 1 + rng.below(2)),
        format!("\"spanId\":\"{:016x}\"", id),
        format!("\"name\":\"{}\"", TRICKY[rng.below(TRICKY.len())]),
        format!("\"startTimeUnixNano\":\"{}\"", 1_000 + rng.below(50)),
    ];
    // A parent among all the document's spans (before or after it), or one never read;
    // never a cycle: which span of a cycle becomes its root depends on a hash map's order.
    let parent = 1 + rng.below(spans as usize + 2) as u64;
    if rng.chance(70) && rank(parent) < rank(id) {
        m.push(format!("\"parentSpanId\":\"{parent:016x}\""));
    }
    if rng.chance(80) {
        m.push(format!("\"endTimeUnixNano\":{}", 1_040 + rng.below(50)));
    }
    if rng.chance(30) {
        m.push(format!(
            "\"events\":[{{\"timeUnixNano\":\"{}\",\"name\":\"e\",\"attributes\":[{{\"key\":\"k\",\"value\":{{\"intValue\":\"7\"}}}}]}}]",
            1_000 + rng.below(90)
        ));
    }
    if rng.chance(20) {
        m.push("\"status\":{\"code\":2,\"message\":\"boom\"}".to_owned());
    }
    if rng.chance(30) {
        m.push("\"kind\":2".to_owned());
    }
    rng.shuffle(&mut m);
    object(rng, m)
}

fn scope(rng: &mut Rng, r: usize, s: usize, next_id: &mut u64, spans: u64) -> String {
    let mut m = Vec::new();
    if rng.chance(75) {
        let key = if rng.chance(15) {
            "instrumentationLibrary"
        } else {
            "scope"
        };
        m.push(format!(
            "\"{key}\":{{\"name\":\"lib {r}.{s}\",\"version\":\"1.{s}\",\"attributes\":[{{\"key\":\"a\",\"value\":{{\"boolValue\":true}}}}]}}"
        ));
    }
    if rng.chance(90) {
        let n = rng.below(5);
        let items = (0..n)
            .map(|_| {
                *next_id += 1;
                span(rng, *next_id, spans)
            })
            .collect();
        m.push(format!("\"spans\":{}", list(rng, items)));
    }
    if rng.chance(25) {
        m.push("\"schemaUrl\":\"https://example.com/scope\"".to_owned());
    }
    if rng.chance(20) {
        m.push("\"x-unknown\":{\"a\":[1,{\"b\":\"]},\"}]}".to_owned());
    }
    rng.shuffle(&mut m);
    object(rng, m)
}

fn resource(rng: &mut Rng, r: usize, next_id: &mut u64, spans: u64) -> String {
    let mut m = Vec::new();
    if rng.chance(80) {
        m.push(if rng.chance(10) {
            "\"resource\":null".to_owned()
        } else {
            format!(
                "\"resource\":{{\"attributes\":[{{\"key\":\"service.name\",\"value\":{{\"stringValue\":\"svc {r}\"}}}}]}}"
            )
        });
    }
    if rng.chance(90) {
        let key = if rng.chance(15) {
            "instrumentationLibrarySpans"
        } else {
            "scopeSpans"
        };
        let n = rng.below(4);
        let items = (0..n).map(|s| scope(rng, r, s, next_id, spans)).collect();
        m.push(format!("\"{key}\":{}", list(rng, items)));
    }
    if rng.chance(50) {
        m.push(format!(
            "\"schemaUrl\":\"https://opentelemetry.io/schemas/1.{r}\""
        ));
    }
    if rng.chance(20) {
        m.push("\"droppedThings\":[{\"x\":\"}\"}]".to_owned());
    }
    rng.shuffle(&mut m);
    object(rng, m)
}

/// A `TracesData` document whose first line is `{` alone, so it is read as one document
/// (cut at the span).
fn document(seed: u64) -> String {
    let mut rng = Rng(seed);
    let spans = 12;
    let mut next_id = 0;
    let n = 1 + rng.below(3);
    let items = (0..n)
        .map(|r| resource(&mut rng, r, &mut next_id, spans))
        .collect();
    let mut top = vec![format!("\"resourceSpans\":{}", list(&mut rng, items))];
    if rng.chance(30) {
        top.push("\"other\":{\"resourceSpans\":[1]}".to_owned());
    }
    rng.shuffle(&mut top);
    format!("{{\n{}\n}}\n", top.join(",\n"))
}

fn read(text: &str, chunk: usize) -> Finished<EventVec> {
    let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
    for piece in text.as_bytes().chunks(chunk) {
        importer.feed(piece).unwrap();
    }
    importer.finish().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_document_cut_at_the_span_reads_as_its_elements_read_whole(
        seed in any::<u64>(),
        chunk in 1usize..200,
    ) {
        let text = document(seed);
        // The same document on one line: a JSON Lines record, each element parsed whole.
        let line = text.replace(['\n', '\t'], " ") + "\n";
        let by_span = read(&text, chunk);
        let whole = read(&line, 4096);
        // By id: spans whose parent never came are handed over at the end in the order of a
        // hash map whose seed differs from map to map, in either reading.
        let by_id = |mut events: Vec<lineage::core::Event>| {
            events.sort_by_key(|e| e.id);
            events
        };
        let (a, b) = (&by_id(by_span.sink.events), &by_id(whole.sink.events));
        let first = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i));
        prop_assert!(
            first.is_none(),
            "{} and {} events, first difference at {:?}:\n{:?}\n{:?}\nin\n{}",
            a.len(),
            b.len(),
            first,
            first.and_then(|i| a.get(i)),
            first.and_then(|i| b.get(i)),
            text
        );
        prop_assert_eq!(&by_span.notes, &whole.notes);
        prop_assert_eq!(by_span.format, whole.format);
    }
}

/// Read into the event store, which takes a span's events borrowed from the reader's own
/// parts (no owned `Event` on the way), each event as the store gives it back.
fn read_into_store(text: &str, chunk: usize) -> Vec<lineage::core::Event> {
    let mut importer = Importer::new(
        lineage::model::EventLog::new(Vec::new()),
        None,
        Limits::DEFAULT,
    );
    for piece in text.as_bytes().chunks(chunk) {
        importer.feed(piece).unwrap();
    }
    importer.finish().unwrap().sink.events().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_store_keeps_the_events_a_list_of_owned_events_gets(
        seed in any::<u64>(),
        chunk in 1usize..200,
    ) {
        let text = document(seed);
        let by_id = |mut events: Vec<lineage::core::Event>| {
            events.sort_by_key(|e| e.id);
            events
        };
        let stored = by_id(read_into_store(&text, chunk));
        let owned = by_id(read(&text, chunk).sink.events);
        prop_assert_eq!(stored.len(), owned.len());
        for (s, o) in stored.iter().zip(&owned) {
            prop_assert_eq!(s, o, "in\n{}", text);
            // The same JSON text, field by field and byte for byte.
            prop_assert_eq!(
                serde_json::to_string(s).unwrap(),
                serde_json::to_string(o).unwrap()
            );
        }
    }
}
