//! End to end: open real traces in the app, survive a bad one, export one.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use lineage::analysis::Inspection;
use lineage::trace::ExportFormat;
use std::path::Path;
use std::time::{Duration, Instant};

use browser::*;
use fantoccini::Locator;

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/abstractions-sample.ndjson")
        .display()
        .to_string()
}

async fn open(c: &fantoccini::Client, path: &str) {
    find(c, "#file-input").await.send_keys(path).await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_python_originals_dump_opens_and_a_malformed_file_leaves_it_open() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let downloads = std::env::temp_dir().join(format!("lineage-downloads-{}", std::process::id()));
    std::fs::create_dir_all(&downloads).unwrap();
    let c = browser_with_downloads(&driver, Some(&downloads)).await;
    c.goto(&base).await.unwrap();
    set_viewport(&c, 1280, 800).await;

    open(&c, &fixture()).await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "49").await, "49");
    assert_eq!(
        wait_text(&c, "#operation-count", |t| !t.is_empty()).await,
        "2"
    );
    assert_eq!(
        wait_text(&c, "#completed-count", |t| !t.is_empty()).await,
        "1"
    );
    assert_eq!(
        wait_text(&c, "#unfinished-count", |t| !t.is_empty()).await,
        "1"
    );
    assert_eq!(wait_text(&c, "#orphan-count", |t| !t.is_empty()).await, "0");
    assert_eq!(count(&c, ".lint-group[data-kind=unfinished] li").await, 3);
    assert!(count(&c, ".row[data-status=unfinished]").await >= 1);
    save_screenshot(&c, "imported-abstractions.png").await;

    // A broken file: a clear error naming the line, and the open trace stays.
    let bad = downloads.join("broken.ndjson");
    let good = std::fs::read_to_string(fixture()).unwrap();
    let mut lines: Vec<&str> = good.lines().take(5).collect();
    lines[2] = "{\"id\": \"not-a-uuid\", \"type\": ";
    std::fs::write(&bad, lines.join("\n")).unwrap();
    open(&c, &bad.display().to_string()).await;
    let err = wait_text(&c, "#error-banner", |t| !t.is_empty()).await;
    assert!(err.contains("line 3"), "the error names the line: {err}");
    assert!(err.contains("unchanged"), "{err}");
    assert_eq!(wait_text(&c, "#event-count", |_| true).await, "49");

    // Export to each format: each download is, byte for byte, what `trace::export` writes for
    // the file's events (the page writes from its store and spans, in parts), and reads back
    // with every operation.
    let events = lineage::trace::import(good.as_bytes(), None)
        .unwrap()
        .events;
    for (button, name, format) in [
        (
            "#export-ndjson",
            "lineage-trace.ndjson",
            ExportFormat::Ndjson,
        ),
        ("#export-chrome", "lineage-trace.json", ExportFormat::Chrome),
        (
            "#export-otlp",
            "lineage-trace.otlp.json",
            ExportFormat::Otlp,
        ),
    ] {
        click(&c, button).await;
        let file = downloads.join(name);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !file.exists() {
            assert!(
                Instant::now() < deadline,
                "no download at {}",
                file.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let written = std::fs::read(&file).unwrap();
        assert!(
            written == lineage::trace::export(format, &events).as_bytes(),
            "{name}: the download differs from trace::export"
        );
        let back = lineage::trace::import(&written, None).unwrap();
        let ins = Inspection::of_import(&back);
        assert_eq!(ins.summary.operations, 2, "{name}");
        assert_eq!(ins.summary.completed, 1, "{name}");
        assert_eq!(ins.summary.unfinished, 1, "{name}");
    }

    // The file still works in the tree: a click shows the detail.
    c.find(Locator::Css(".row"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#detail-id", |t| t.len() == 36).await;
    c.close().await.unwrap();
    // Passed: the downloads are not needed for a look.
    let _ = std::fs::remove_dir_all(&downloads);
}

/// Waits until the page's `expr` is true (10 s at most).
async fn wait_until(c: &fantoccini::Client, expr: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = c.execute(&format!("return !!({expr});"), vec![]).await;
        if v.unwrap().as_bool() == Some(true) {
            return;
        }
        assert!(Instant::now() < deadline, "never true: {expr}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_load_cancelled_while_its_view_is_built_leaves_the_trace_on_screen() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&base).await.unwrap();
    open(&c, &fixture()).await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "49").await, "49");

    // A shorter trace, its load cancelled as soon as the bar says the view is being built
    // (the file is read by then: only the build is left).
    let short = std::env::temp_dir().join(format!("lineage-short-{}.ndjson", std::process::id()));
    let good = std::fs::read_to_string(fixture()).unwrap();
    std::fs::write(&short, good.lines().take(10).collect::<Vec<_>>().join("\n")).unwrap();
    c.execute(
        "window.__sawBuilding = false;
         const obs = new MutationObserver(() => {
             const t = document.querySelector('#load-text');
             if (t && t.textContent.includes('building the view')) {
                 window.__sawBuilding = true;
                 obs.disconnect();
                 document.querySelector('#cancel-load').click();
             }
         });
         obs.observe(document.body, {subtree: true, childList: true, characterData: true});",
        vec![],
    )
    .await
    .unwrap();
    open(&c, &short.display().to_string()).await;
    wait_until(
        &c,
        "window.__sawBuilding && !document.querySelector('#loading')",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(wait_text(&c, "#event-count", |_| true).await, "49");
    assert_eq!(count(&c, "#error-banner").await, 0, "a cancel is no error");

    // Not cancelled, the same file does replace it.
    open(&c, &short.display().to_string()).await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "10").await, "10");
    let _ = std::fs::remove_file(&short);
    c.close().await.unwrap();
}
