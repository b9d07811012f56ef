//! Inputs the fuzzers found (tests/fixtures/fuzz/, one file each), replayed through the same
//! checks the fuzz targets make (fuzz/src/lib.rs): import in any format, or fail with an
//! error; on success, inspect, write both formats, check the Chrome rules, read both back.
#![cfg(not(target_arch = "wasm32"))]

use lineage::analysis::Inspection;
use lineage::trace::{self, chrome, Format, Problem};

#[test]
fn every_fuzz_finding_imports_or_fails_cleanly_and_round_trips() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        seen += 1;
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
    assert!(seen > 0, "no findings replayed from {dir}");
}
