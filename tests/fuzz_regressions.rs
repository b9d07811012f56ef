//! Inputs the fuzzers found (tests/fixtures/fuzz/, one file each), replayed through the same
//! checks the fuzz targets make (fuzz/src/lib.rs): import in any format, or fail with an
//! error; on success, inspect, write both formats, check the Chrome rules, read both back.
#![cfg(not(target_arch = "wasm32"))]

use lineage::analysis::Inspection;
use lineage::model::EventVec;
use lineage::trace::{self, chrome, Format, Imported, Importer, Limits, Problem};

fn findings() -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz");
    let found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    assert!(!found.is_empty(), "no findings replayed from {dir}");
    found
}

#[test]
fn every_fuzz_finding_imports_or_fails_cleanly_and_round_trips() {
    for (path, bytes) in findings() {
        let mut results = vec![trace::import(&bytes, None)];
        results.extend(Format::ALL.map(|f| trace::import_as(f, &bytes)));
        for imported in results.into_iter().flatten() {
            let _ = Inspection::of_import(&imported);
            let ndjson = trace::export_ndjson(&imported.events);
            match trace::import_as(Format::Native, ndjson.as_bytes()) {
                Ok(back) => assert_eq!(back.events, imported.events, "{path:?}"),
                Err(e) => assert!(matches!(
                    e.problem,
                    Problem::Empty | Problem::TooDeep { .. }
                )),
            }
            let json = trace::export_chrome(&imported.events);
            chrome::check_rules(&json).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let back = trace::import_as(Format::Chrome, json.as_bytes())
                .unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert_eq!(back.events.len(), imported.events.len(), "{path:?}");
        }
    }
}

/// What `import_chunked` checks: fed in chunks of any size, the streaming importer gives
/// what the whole input gives (the same events, or the same error at the same place). The
/// fuzzer's own size came from the input's first byte; here every finding is read in a
/// spread of sizes, the one that found it (91) among them.
#[test]
fn every_fuzz_finding_reads_alike_in_chunks_of_any_size() {
    for (path, bytes) in findings() {
        let whole = trace::import(&bytes, None);
        for size in [1, 2, 3, 7, 16, 91, 500, 4096] {
            let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
            let chunked = bytes
                .chunks(size)
                .try_for_each(|c| importer.feed(c))
                .and_then(|()| importer.finish())
                .map(Imported::from_finished);
            assert_eq!(chunked, whole, "{path:?} in chunks of {size} bytes");
        }
    }
}
