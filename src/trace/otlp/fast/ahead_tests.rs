//! Spans read where they start in the chunk (`scan::Ahead`) against the splitter cutting
//! them out first (`scan::NEVER_AHEAD`): the bench document's shape compact and
//! pretty-printed (spans over many lines), with a byte inserted after and inside spans, fed
//! whole and in chunks of many sizes: the same events and notes, or the same error.

use serde_json::{json, Value};

use crate::model::EventLog;
use crate::trace::read::Limits;
use crate::trace::scan::NEVER_AHEAD;
use crate::trace::Importer;

type Imported = Result<(Vec<String>, Vec<String>), String>;

fn import(bytes: &[u8], chunk: usize, never_ahead: bool) -> Imported {
    NEVER_AHEAD.set(never_ahead);
    let mut importer = Importer::new(EventLog::default(), Some("t.json"), Limits::DEFAULT);
    let done = bytes
        .chunks(chunk)
        .try_for_each(|c| importer.feed(c))
        .and_then(|()| importer.finish())
        .map_err(|e| e.to_string());
    NEVER_AHEAD.set(false);
    let done = done?;
    let log = &done.sink;
    let events = (0..log.len())
        .map(|i| serde_json::to_string(&log.event(i)).unwrap())
        .collect();
    let mut notes = done.notes.clone();
    notes.extend(done.skipped.iter().map(|(k, n)| format!("{k} × {n}")));
    Ok((events, notes))
}

/// The bench document's spans (four a trace, parents first), one with an escape in its
/// name (left to serde) and one child before its parent.
fn document(n: u64) -> Value {
    let spans: Vec<Value> = (0..n)
        .map(|k| {
            let root = k - k % 4;
            let mut span = json!({
                "traceId": format!("{:032x}", root + 1),
                "spanId": format!("{:016x}", k + 1),
                "name": if k == 5 { "op \"5\"".to_owned() } else { format!("op {}", k % 7) },
                "kind": 1,
                "startTimeUnixNano": format!("{}", 1_700_000_000_000_000_000u64 + k * 1000),
                "endTimeUnixNano": format!("{}", 1_700_000_000_000_000_500u64 + k * 1000),
                "attributes": [{"key": "http.route", "value": {"stringValue": "/api/items"}}],
            });
            if k != root {
                let parent = if k == 9 { root + 4 } else { root + 1 };
                span["parentSpanId"] = json!(format!("{parent:016x}"));
            }
            span
        })
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "bench"}}]},
        "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}],
    }]})
}

fn assert_same(doc: &[u8], chunks: &[usize]) {
    let want = import(doc, doc.len().max(1), true);
    for &chunk in chunks {
        assert_eq!(
            import(doc, chunk, false),
            want,
            "chunks of {chunk}: {}",
            String::from_utf8_lossy(&doc[..doc.len().min(300)])
        );
    }
}

#[test]
fn spans_read_ahead_give_what_spans_cut_out_give() {
    let value = document(24);
    let compact = value.to_string();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    for doc in [&compact, &pretty] {
        assert_same(doc.as_bytes(), &[1, 5, 64, 700, doc.len()]);
    }
    for doc in [&compact, &pretty] {
        let ends: Vec<usize> = doc.match_indices("},").map(|(i, _)| i + 1).collect();
        for (n, &at) in ends.iter().enumerate() {
            let byte = [b"x", b"\n", b" ", b"}", b"]", b",", b"\x0c", b"{"][n % 8];
            for at in [at, at + 1, at.saturating_sub(5)] {
                let mut edited = doc.as_bytes().to_vec();
                edited.splice(at..at, byte.iter().copied());
                assert_same(&edited, &[333, edited.len()]);
            }
        }
    }
}
