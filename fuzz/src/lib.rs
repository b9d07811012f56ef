//! What every fuzz target checks after an import succeeds: the imported trace can be
//! inspected, written in both formats, and read back; the Chrome trace obeys the format's
//! rules; and lineage NDJSON gives back exactly the events it was given.

use lineage::analysis::Inspection;
use lineage::trace::{self, chrome, Format, Imported, Problem};

/// Runs every downstream step on a successful import; panics on a broken invariant.
pub fn exercise(imported: &Imported) {
    let ins = Inspection::of_import(&imported);
    assert_eq!(ins.summary.events, imported.events.len());

    let ndjson = trace::export_ndjson(&imported.events);
    match trace::import_as(Format::Native, ndjson.as_bytes()) {
        Ok(back) => assert_eq!(back.events, imported.events, "NDJSON round trip changed events"),
        // Our writers nest a payload a few levels deeper than it was read; an input at the
        // depth limit may not read back. Anything else is a bug.
        Err(e) if matches!(e.problem, Problem::TooDeep { .. } | Problem::Empty) => {}
        Err(e) => panic!("our own NDJSON does not read back: {e}"),
    }

    let json = trace::export_chrome(&imported.events);
    if let Err(rule) = chrome::check_rules(&json) {
        panic!("the Chrome export breaks a rule: {rule}");
    }
    match trace::import_as(Format::Chrome, json.as_bytes()) {
        Ok(back) => assert_eq!(
            back.events.len(),
            imported.events.len(),
            "the Chrome round trip lost or added events"
        ),
        Err(e) if matches!(e.problem, Problem::TooDeep { .. }) => {}
        Err(e) => panic!("our own Chrome trace does not read back: {e}"),
    }
}

/// Imports `data` as `format` (or detected, with `None`), exercising what succeeds.
pub fn run(format: Option<Format>, data: &[u8]) {
    let result = match format {
        Some(f) => trace::import_as(f, data),
        None => trace::import(data, None),
    };
    match result {
        Ok(imported) => exercise(&imported),
        // Errors must render as a sentence without panicking.
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Feeds `data` to a streaming importer in chunks of `size` bytes and checks the result is
/// the one the whole input gives: the same events, skipped records and notes, or the same
/// error. Then runs [`exercise`] on a success.
pub fn run_chunked(data: &[u8], size: usize) {
    use lineage::trace::{Importer, Limits};
    use lineage::model::{EventVec};
    let whole = trace::import(data, None);
    let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
    let chunked = data
        .chunks(size)
        .try_for_each(|c| importer.feed(c))
        .and_then(|()| importer.finish())
        .map(Imported::from_finished);
    assert_eq!(chunked, whole, "chunks of {size} bytes read differently");
    if let Ok(imported) = whole {
        exercise(&imported);
    }
}
