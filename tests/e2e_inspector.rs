//! End to end: the built inspector in headless Chromium, driven like a person: type settings,
//! click, read the screen.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use std::time::Instant;

use browser::*;
use lineage::workload::run::fails;
use lineage::workload::PipelineConfig;

fn expected_failures(operations: usize, rate: f64) -> usize {
    let config = PipelineConfig {
        operations,
        failure_rate: rate,
        ..PipelineConfig::default()
    };
    (0..operations).filter(|&i| fails(&config, i)).count()
}

#[tokio::test(flavor = "current_thread")]
async fn a_run_of_fifty_operations_shows_every_node_and_disabled_mode_shows_none() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&base).await.unwrap();
    set_viewport(&c, 1280, 800).await;

    type_into(&c, "#operations", "50").await;
    type_into(&c, "#failure-rate", "10").await;
    click(&c, "#run").await;

    // Six events and three nodes (one per level) per operation; the failures are drawn from
    // the seeded generator, so the native side knows which fail.
    let failed_ops = expected_failures(50, 0.1);
    assert!(failed_ops > 0);
    assert_eq!(wait_text(&c, "#event-count", |t| t == "300").await, "300");
    assert_eq!(wait_text(&c, "#node-count", |t| !t.is_empty()).await, "150");
    assert_eq!(
        wait_text(&c, "#failed-count", |t| !t.is_empty()).await,
        failed_ops.to_string()
    );
    let failed_nodes = wait_text(&c, "#failed-node-count", |t| !t.is_empty()).await;
    assert_eq!(
        failed_nodes,
        (3 * failed_ops).to_string(),
        "a failure fails all three levels"
    );
    assert_eq!(
        wait_text(&c, "#bus-processed", |t| !t.is_empty()).await,
        "300"
    );
    // The tree shows failed rows (the first ones in view at least).
    assert!(count(&c, ".row[data-status=failed]").await > 0);

    // Selecting a row shows its fields.
    click(&c, ".row").await;
    let id = wait_text(&c, "#detail-id", |t| t.len() == 36).await;
    assert_eq!(id.len(), 36);
    save_screenshot(&c, "inspector-1280x800.png").await;

    // Disabled mode: the same run emits nothing.
    click(&c, "#mode-disabled").await;
    click(&c, "#run").await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "0").await, "0");
    assert_eq!(count(&c, ".row").await, 0);

    c.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_hundred_thousand_events_keep_only_a_few_hundred_rows_in_the_dom() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    // Settings come from the URL: 16 667 operations × 6 events ≈ 100 000 events.
    c.goto(&format!("{base}?ops=16667&conc=1&work=0&yields=0&fail=0"))
        .await
        .unwrap();
    let t0 = Instant::now();
    click(&c, "#run").await;
    assert_eq!(
        wait_text(&c, "#event-count", |t| t == "100002").await,
        "100002"
    );
    let elapsed = t0.elapsed();
    let rows = count(&c, ".row").await;
    assert!(rows > 10, "the tree shows rows ({rows})");
    assert!(
        rows <= 300,
        "virtualised: {rows} rows in the DOM for 100 002 events"
    );
    // Scrolling deep into the tree still renders only the rows in view.
    c.execute(
        "document.querySelector('.tree-scroll').scrollTop = 1e6;",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let rows = count(&c, ".row").await;
    assert!((10..=300).contains(&rows), "{rows} rows after scrolling");
    // Scrolling: 120 animation frames, each scrolling 40 rows further, against the same
    // frames without scrolling (what this headless, GPU-less browser manages at all); report
    // the frame intervals (a figure for the notes, not a timed assertion).
    let script = |rows_per_frame: u32| {
        format!(
            "const done = arguments[arguments.length - 1];
             const el = document.querySelector('.tree-scroll');
             const times = []; let n = 0; let last = performance.now();
             function frame(t) {{
               times.push(t - last); last = t; el.scrollTop += {rows_per_frame} * 24;
               if (++n < 120) requestAnimationFrame(frame);
               else {{ times.sort((a, b) => a - b);
                      done([times[times.length >> 1], times[Math.floor(times.length * 0.95)]]); }}
             }}
             requestAnimationFrame(frame);"
        )
    };
    let idle = c.execute_async(&script(0), vec![]).await.unwrap();
    eprintln!("no scrolling: frame interval median / p95 (ms): {idle}");
    let frames = c.execute_async(&script(40), vec![]).await.unwrap();
    eprintln!("scrolling 100 002 events: frame interval median / p95 (ms): {frames}");
    let rows = count(&c, ".row").await;
    assert!(
        (10..=300).contains(&rows),
        "{rows} rows after fast scrolling"
    );
    let render_ms = wait_text(&c, "#render-ms", |t| !t.is_empty()).await;
    eprintln!(
        "100 002 events: pipeline run + view in {elapsed:?}; view (inspection + DOM) {render_ms} ms"
    );
    save_screenshot(&c, "inspector-100k.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_mode_comparison_runs_in_the_page_and_draws_a_bar_per_mode() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&base).await.unwrap();
    set_viewport(&c, 1280, 800).await;
    click(&c, "#tab-compare").await;
    type_into(&c, "#compare-rounds", "3").await;
    click(&c, "#compare-run").await;
    // The page stays responsive while it measures: the progress bar moves.
    find(&c, "#compare-progress").await;
    let deadline = Instant::now() + std::time::Duration::from_secs(120);
    let bars = lineage::core::EmitMode::ALL.len();
    while count(&c, ".mode-bar").await < bars {
        assert!(Instant::now() < deadline, "the comparison did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(count(&c, ".mode-bar").await, bars);
    assert_eq!(count(&c, ".baseline-bar").await, 1);
    assert!(count(&c, "#phase-chart rect.phase").await >= 4);
    assert!(count(&c, ".verdicts li").await >= 4);
    save_screenshot(&c, "compare-modes.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_replay_steps_event_by_event_and_the_keyboard_drives_it() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("{base}?ops=20&conc=1&fail=0&work=0&yields=0"))
        .await
        .unwrap();
    set_viewport(&c, 1280, 800).await;
    // Three single steps reveal three events: the three start events of the first call.
    for _ in 0..3 {
        click(&c, "#step").await;
    }
    assert_eq!(wait_text(&c, "#event-count", |t| t == "3").await, "3");
    assert_eq!(count(&c, ".row[data-status=unfinished]").await, 3);
    // The next three close them, innermost first.
    for _ in 0..3 {
        click(&c, "#step").await;
    }
    assert_eq!(wait_text(&c, "#event-count", |t| t == "6").await, "6");
    assert_eq!(count(&c, ".row[data-status=completed]").await, 3);

    // Keyboard: "." steps, arrows select, "?" opens the shortcuts, Esc closes them.
    let body = find(&c, "body").await;
    body.send_keys(".").await.unwrap();
    assert_eq!(wait_text(&c, "#event-count", |t| t == "7").await, "7");
    body.send_keys("\u{E015}").await.unwrap(); // ArrowDown: selects the first row
    let first = wait_text(&c, "#detail-id", |t| t.len() == 36).await;
    body.send_keys("\u{E015}").await.unwrap(); // the next row
    let second = wait_text(&c, "#detail-id", |t| t.len() == 36 && t != first).await;
    assert_ne!(first, second);
    body.send_keys("?").await.unwrap();
    find(&c, ".help").await;
    body.send_keys("\u{E00C}").await.unwrap(); // Escape
    let deadline = Instant::now() + std::time::Duration::from_secs(5);
    while count(&c, ".help").await > 0 {
        assert!(Instant::now() < deadline, "the help overlay did not close");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Play runs the rest live; the scrubber then goes back in time.
    click(&c, "#speed").await;
    click(&c, "#speed option[value='0']").await;
    click(&c, "#play").await;
    assert_eq!(wait_text(&c, "#event-count", |t| t == "120").await, "120");
    c.execute(
        "const s = document.querySelector('#scrubber'); s.value = 4; s.dispatchEvent(new Event('input'));",
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(wait_text(&c, "#event-count", |t| t == "4").await, "4");
    assert_eq!(wait_text(&c, "#unfinished-count", |_| true).await, "1");
    // The settings are in the URL, so a link reproduces the view.
    let url = c.current_url().await.unwrap();
    assert!(url.as_str().contains("ops=20"), "{url}");
    c.close().await.unwrap();
}
