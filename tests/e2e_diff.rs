//! End to end: two runs of one seed side by side in the built inspector (headless Chromium):
//! run awaited, pin it as A, switch to fire-and-forget, run again as B; the diff aligns the
//! same operations, and any order inversion is B's. Then the link reproduces the diff, and the
//! critical path and minimap are on screen for the screenshot.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use std::time::{Duration, Instant};

use browser::*;

/// The number in cell `col` of summary row `side` ("A", "B").
async fn summary_cell(c: &fantoccini::Client, side: &str, col: &str) -> i64 {
    let css = format!("#diff-summary tr[data-side={side}] td.{col}");
    wait_text(c, &css, |t| !t.is_empty())
        .await
        .parse()
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

#[tokio::test(flavor = "current_thread")]
async fn awaited_then_fire_and_forget_align_the_same_operations_and_the_link_reproduces_them() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!(
        "{base}?ops=40&conc=4&depth=3&fail=10&seed=42&work=2000&yields=1"
    ))
    .await
    .unwrap();
    set_viewport(&c, 1280, 860).await;

    click(&c, "#mode-awaited").await;
    click(&c, "#run").await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "240").await, "240");
    click(&c, "#pin").await;
    find(&c, "#diff-summary").await;
    click(&c, "#mode-fire_and_forget").await;
    click(&c, "#run").await;
    // The new run replaces the one on screen; wait until B is the fire-and-forget run.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let source = wait_text(&c, ".summary-bar .source", |_| true).await;
        let events = wait_text(&c, "#event-count", |_| true).await;
        if source.contains("Fire-and-forget") && events == "240" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B never finished: {source} / {events}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counts = wait_text(&c, "#diff-counts", |t| t.starts_with("40 aligned")).await;
    assert!(
        counts.starts_with("40 aligned · 0 only in A · 0 only in B · 0 changed"),
        "{counts}"
    );
    assert_eq!(count(&c, ".diff-line[data-presence=both]").await, 40);
    // Same seed, same failures on both sides.
    assert_eq!(
        summary_cell(&c, "A", "failures").await,
        summary_cell(&c, "B", "failures").await
    );
    // Inversions: none in the awaited run; B's equal the bus's own count of them.
    assert_eq!(summary_cell(&c, "A", "inversions").await, 0);
    let b_inv = summary_cell(&c, "B", "inversions").await;
    let bus_inv: i64 = wait_text(&c, "#bus-inversions", |t| !t.is_empty())
        .await
        .parse()
        .unwrap();
    assert_eq!(b_inv, bus_inv);
    eprintln!("{counts}; inversions A 0, B {b_inv}");

    // Select the first operation: its critical path is highlighted, with self times.
    click(&c, ".diff-line").await;
    find(&c, "#critical-path li").await;
    assert!(count(&c, "#critical-path li").await >= 2);
    assert!(count(&c, ".row.critical").await >= 2);
    find(&c, "#latency-histogram").await;
    find(&c, "#minimap-window").await;
    save_screenshot(&c, "run-diff.png").await;

    // The link reproduces the two-run diff: both modes, the same seed.
    let url = c.current_url().await.unwrap();
    assert!(url.as_str().contains("pin=awaited"), "{url}");
    assert!(url.as_str().contains("mode=fire_and_forget"), "{url}");
    assert!(url.as_str().contains("seed=42"), "{url}");
    c.goto(url.as_str()).await.unwrap();
    let counts = wait_text(&c, "#diff-counts", |t| t.starts_with("40 aligned")).await;
    assert!(
        counts.contains("0 only in A · 0 only in B · 0 changed"),
        "{counts}"
    );
    let label = wait_text(&c, "#pinned-label", |t| !t.is_empty()).await;
    assert!(label.contains("Awaited"), "{label}");
    c.close().await.unwrap();
}
