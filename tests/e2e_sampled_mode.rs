//! End to end: the sampled mode in the page. A run under `sampled:R` keeps whole operation
//! trees or none of each (never half a tree, so no "end without start" lint), the counts add
//! up (kept operations + sampled out = operations run), and the ratio field shows the mode's
//! parameter.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use browser::*;

/// The count `css` shows once the run has drawn one (none of these is 0 after the run).
async fn number(c: &fantoccini::Client, css: &str) -> usize {
    let shown = wait_text(c, css, |t| !t.is_empty() && t != "0").await;
    shown
        .parse()
        .unwrap_or_else(|_| panic!("{css} shows {shown:?}"))
}

#[tokio::test(flavor = "current_thread")]
async fn a_sampled_run_in_the_page_keeps_whole_trees_and_its_counts_add_up() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("{base}?mode=sampled:0.4")).await.unwrap();
    set_viewport(&c, 1280, 800).await;

    // The mode's button is on and names its ratio; the ratio field shows it.
    let button = wait_text(&c, "#mode-sampled", |t| t.contains('%')).await;
    assert_eq!(button, "Sampled 40%");
    let field = find(&c, "#sample-ratio").await;
    assert_eq!(field.prop("value").await.unwrap().as_deref(), Some("40"));

    let operations = 120;
    type_into(&c, "#operations", &operations.to_string()).await;
    type_into(&c, "#failure-rate", "10").await;
    click(&c, "#run").await;

    let processed = number(&c, "#bus-processed").await;
    let kept = number(&c, "#operation-count").await;
    let dropped = number(&c, "#bus-sampled-out").await;
    let events = number(&c, "#event-count").await;
    assert_eq!(
        kept + dropped,
        operations,
        "every root is kept or counted out once"
    );
    assert!(
        kept > 0 && dropped > 0,
        "at 40 %, 120 roots keep some and drop some"
    );
    // Depth 3: a kept operation is six events (three starts, three ends), never fewer.
    assert_eq!(events, 6 * kept, "whole trees only");
    assert_eq!(processed, events);
    assert_eq!(
        wait_text(&c, "#unfinished-count", |t| !t.is_empty()).await,
        "0"
    );
    assert_eq!(wait_text(&c, "#orphan-count", |t| !t.is_empty()).await, "0");
    find(&c, "#lints-clean").await;

    click(&c, ".row").await;
    wait_text(&c, "#detail-id", |t| t.len() == 36).await;
    save_screenshot(&c, "sampled-mode.png").await;
    c.close().await.unwrap();
}
