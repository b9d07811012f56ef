//! In headless Chromium: the page's ⤓ exports are written from the inspection's store and
//! spans into a `Blob` a part at a time (`ui::download`), and the `Blob` holds byte for byte
//! what `trace::export` writes for the same events, across part boundaries.
#![cfg(target_arch = "wasm32")]

use std::io::Write;
use std::rc::Rc;

use lineage::core::ManualClock;
use lineage::replay::Replay;
use lineage::trace::{self, ExportFormat};
use lineage::ui::download::{export_blob, BlobParts, PART};
use lineage::workload::PipelineConfig;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn bytes_of(blob: &web_sys::Blob) -> Vec<u8> {
    let buf = JsFuture::from(blob.array_buffer()).await.unwrap();
    js_sys::Uint8Array::new(&buf).to_vec()
}

#[wasm_bindgen_test]
async fn pieces_of_every_size_reach_the_blob_in_order() {
    let small = vec![b'a'; 10];
    let large: Vec<u8> = (0..PART + 5).map(|i| (i % 251) as u8).collect();
    let tail = vec![b'z'; PART - 3];
    let mut parts = BlobParts::default();
    for piece in [&small, &large, &small, &tail, &small] {
        parts.write_all(piece).unwrap();
    }
    assert_eq!(parts.len() as usize, 3 * 10 + large.len() + tail.len());
    let blob = parts.into_blob("application/json").unwrap();
    assert_eq!(blob.type_(), "application/json");
    let want = [&small[..], &large, &small, &tail, &small].concat();
    assert!(bytes_of(&blob).await == want);
}

#[wasm_bindgen_test]
async fn the_download_holds_what_the_list_entry_writes() {
    let config = PipelineConfig {
        operations: 600,
        concurrency: 4,
        failure_rate: 0.2,
        yields_per_level: 1,
        ..PipelineConfig::default()
    };
    let mut replay = Replay::new(config, Rc::new(ManualClock::ticking(1_000)), 100_000);
    replay.run_all();
    let events = replay.bus().events();
    let ins = replay.inspection();
    for format in [
        ExportFormat::Ndjson,
        ExportFormat::Chrome,
        ExportFormat::Otlp,
    ] {
        let listed = trace::export(format, &events);
        assert!(listed.len() > PART, "{format:?}: more than one part");
        let blob = export_blob(format, &ins.trace, &ins.spans).unwrap();
        assert_eq!(blob.type_(), format.mime());
        assert!(
            bytes_of(&blob).await == listed.as_bytes(),
            "{format:?}: the download differs from trace::export"
        );
    }
}
