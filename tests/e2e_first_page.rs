//! End to end: the built app in headless Chromium, driven like a person.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use browser::*;
use lineage::pipeline::run::fails;
use lineage::pipeline::PipelineConfig;

#[tokio::test(flavor = "current_thread")]
async fn clicking_run_shows_the_events_of_fifty_nested_operations() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&base).await.unwrap();

    type_into(&c, "#operations", "50").await;
    type_into(&c, "#failure-rate", "10").await;
    click(&c, "#run").await;

    let events = wait_text(&c, "#event-count", |t| !t.is_empty()).await;
    assert_eq!(events, "300", "six events per operation");
    // The failures are drawn from the seeded generator: the same ones natively.
    let config = PipelineConfig {
        operations: 50,
        failure_rate: 0.1,
        ..PipelineConfig::default()
    };
    let expected_failed = (0..50).filter(|&i| fails(&config, i)).count();
    assert!(expected_failed > 0);
    let failed = wait_text(&c, "#failed-count", |t| !t.is_empty()).await;
    assert_eq!(failed, expected_failed.to_string());

    save_screenshot(&c, "first-page.png").await;
    c.close().await.unwrap();
}
