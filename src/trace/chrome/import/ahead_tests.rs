//! Trace events read where they start in the chunk (`scan::Ahead`) against the splitter
//! cutting them out first: on our export compact and pretty-printed (records spanning lines,
//! so lines are counted after a record read ahead), with a byte inserted or changed after
//! and inside records (what follows a record decides whether it is taken), fed whole and in
//! chunks of many sizes (a record the chunk cuts is declined), the same store, notes and
//! skipped counts, or the same error with its position.

use serde_json::Value;

use super::raw::SERDE_ONLY;
use crate::model::EventLog;
use crate::trace::read::Limits;
use crate::trace::{Format, Importer};

type Imported = Result<(Vec<String>, usize, Vec<String>), String>;

/// An import fed in chunks of `chunk` bytes, with every record cut out first and read by
/// serde (`serde_only`), or read where it starts when it can be.
fn import(bytes: &[u8], chunk: usize, serde_only: bool) -> Imported {
    SERDE_ONLY.set(serde_only);
    let mut importer = Importer::with_format(Format::Chrome, EventLog::default(), Limits::DEFAULT);
    let done = bytes
        .chunks(chunk)
        .try_for_each(|c| importer.feed(c))
        .and_then(|()| importer.finish())
        .map_err(|e| e.to_string());
    SERDE_ONLY.set(false);
    let done = done?;
    let log = &done.sink;
    let events = (0..log.len())
        .map(|i| serde_json::to_string(&log.event(i)).unwrap())
        .collect();
    let mut notes = done.notes.clone();
    notes.extend(done.skipped.iter().map(|(k, n)| format!("{k} × {n}")));
    Ok((events, log.heap_bytes(), notes))
}

fn our_export() -> String {
    let original = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/abstractions-sample.ndjson"
    ))
    .unwrap();
    let events = crate::trace::import(&original, None).unwrap().events;
    crate::trace::chrome::export(&events)
}

fn assert_same(doc: &[u8], chunks: &[usize]) {
    let want = import(doc, doc.len().max(1), true);
    for &chunk in chunks {
        assert_eq!(
            import(doc, chunk, false),
            want,
            "chunks of {chunk}: {}",
            String::from_utf8_lossy(&doc[..doc.len().min(200)])
        );
    }
}

#[test]
fn records_read_ahead_give_what_records_cut_out_give() {
    let compact = our_export();
    let value: Value = serde_json::from_str(&compact).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let crlf = pretty.replace('\n', "\r\n");
    for doc in [&compact, &pretty, &crlf] {
        assert_same(doc.as_bytes(), &[1, 3, 64, 1000, 4096, doc.len()]);
    }
    // Something after a record (or inside one) that is not what the reader expects.
    for doc in [&compact, &pretty] {
        let ends: Vec<usize> = doc.match_indices("},{").map(|(i, _)| i + 1).collect();
        for (n, &at) in ends.iter().enumerate().step_by(5) {
            let byte = [b"x", b"\n", b" ", b"}", b"]", b",", b"\x0c", b"{"][n % 8];
            for at in [at, at + 1, at.saturating_sub(7)] {
                let mut edited = doc.as_bytes().to_vec();
                edited.splice(at..at, byte.iter().copied());
                assert_same(&edited, &[4096, edited.len()]);
            }
        }
    }
}

#[test]
fn records_read_ahead_in_a_top_level_array() {
    let compact = our_export();
    let value: Value = serde_json::from_str(&compact).unwrap();
    let array = serde_json::to_string_pretty(&value["traceEvents"]).unwrap();
    assert_same(array.as_bytes(), &[7, 512, array.len()]);
}
