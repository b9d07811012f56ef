//! End to end: a live run whose emit mode is switched halfway, scrubbed back and forth, and
//! the queue lag of its operations shown per mode in the detail panel.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use browser::*;

/// "cursor / recorded" once the run has finished and the cursor stands at its end.
fn at_end(t: &str) -> bool {
    let mut parts = t.split(" / ");
    match (parts.next(), parts.next()) {
        (Some(c), Some(r)) => !r.contains('+') && c == r && c != "0",
        _ => false,
    }
}

async fn scrub_to(c: &fantoccini::Client, to: usize) {
    c.execute(
        &format!(
            "const s = document.querySelector('#scrubber'); s.value = {to}; s.dispatchEvent(new Event('input'));"
        ),
        vec![],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn a_run_switched_to_fire_and_forget_scrubs_both_ways_and_shows_lag_per_mode() {
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!(
        "{base}?ops=256&conc=2&fail=10&work=0&yields=1&mode=awaited"
    ))
    .await
    .unwrap();
    set_viewport(&c, 1280, 800).await;
    // One step runs the first slice of operations live, awaited; then the mode switches and
    // play runs the rest in fire-and-forget.
    click(&c, "#step").await;
    wait_text(&c, "#event-count", |t| t == "1").await;
    click(&c, "#mode-fire_and_forget").await;
    click(&c, "#speed").await;
    click(&c, "#speed option[value='0']").await;
    click(&c, "#play").await;
    let end = wait_text(&c, "#cursor", at_end).await;
    let recorded: usize = end.split(" / ").next().unwrap().parse().unwrap();

    // Back to the middle, a little forward, and to the end again: the counts follow.
    for to in [recorded / 2, recorded / 2 + 7, recorded / 3, recorded] {
        scrub_to(&c, to).await;
        let shown = to.to_string();
        assert_eq!(wait_text(&c, "#event-count", |t| t == shown).await, shown);
    }
    assert_eq!(wait_text(&c, "#unfinished-count", |_| true).await, "0");

    // The first operation's name ran in both modes: one lag row each, with events.
    click(&c, ".row").await;
    find(&c, "#lag-by-mode").await;
    let events = |mode: &'static str| {
        let c = c.clone();
        async move {
            let row = find(&c, &format!("#lag-by-mode .lag-row[data-mode={mode}]")).await;
            let n = row.attr("data-events").await.unwrap().unwrap_or_default();
            n.parse::<usize>().unwrap()
        }
    };
    let (awaited, ff) = (events("awaited").await, events("fire_and_forget").await);
    assert!(
        awaited > 0 && ff > 0,
        "awaited {awaited}, fire-and-forget {ff}"
    );
    assert!(
        ff > awaited,
        "three slices ran fire-and-forget, one awaited"
    );
    assert_eq!(count(&c, "#lag-by-mode .lag-row").await, 2);
    c.execute(
        "document.querySelector('#lag-by-mode').scrollIntoView({block: 'end'});",
        vec![],
    )
    .await
    .unwrap();
    save_screenshot(&c, "lag-by-mode.png").await;
    c.close().await.unwrap();
}
