//! End to end with a real streaming client: the page's rows grow WHILE the client runs.
//!
//! The real `lineage listen` is started, the built page (`dist/`) is opened on it with
//! `?live=`, and only then `lineage simulate --send` runs: 300 operations at 100 per second,
//! a tenth failing, streamed as the run goes. A probe in the page writes down every value
//! the event count on screen takes (one look per animation frame, so no value shown for a
//! frame is missed); the test reads that log while the client runs. The count must take at
//! least three distinct values before the client exits (the rows arrive while it runs, not
//! only at the end), and at the end equal what the listener stored (`GET /v1/status`) and
//! what the client says it sent (6 events per operation). No timing is asserted: the wait
//! for the end is bounded only so a broken page fails instead of hanging.
#![cfg(not(target_arch = "wasm32"))]

mod browser;
mod common;
mod live_support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

use browser::*;
use live_support::{Listener, PATIENCE};

const OPERATIONS: u64 = 300;
/// The simulated pipeline's events per operation (submit, validate, transform, store, …).
const EVENTS_PER_OPERATION: u64 = 6;

/// Logs, once per animation frame, the event count on screen when it changed.
const COUNT_PROBE: &str = r#"
    window.__counts = [];
    function look() {
        const el = document.querySelector('#event-count');
        const n = el ? Number(el.textContent.replace(/[^0-9]/g, '')) : 0;
        const log = window.__counts;
        if (log.length === 0 || log[log.length - 1] !== n) log.push(n);
        requestAnimationFrame(look);
    }
    requestAnimationFrame(look);
"#;

/// The distinct counts the page showed so far, in order.
async fn counts_seen(c: &fantoccini::Client) -> Vec<u64> {
    let v = c.execute("return window.__counts", vec![]).await.unwrap();
    v.as_array()
        .unwrap_or_else(|| panic!("no count log: {v}"))
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

/// `GET /v1/status` of the listener, as JSON.
async fn status(listener: &Listener) -> serde_json::Value {
    let url: hyper::Uri = format!("{}/v1/status", listener.url).parse().unwrap();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<bytes::Bytes>>();
    let answer = client.get(url).await.unwrap();
    assert!(answer.status().is_success());
    let body = http_body_util::BodyExt::collect(answer.into_body())
        .await
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn rows_appear_on_the_page_while_simulate_send_streams_to_the_listener() {
    let listener = Listener::start(&[]);
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("{base}?live={}", listener.addr))
        .await
        .unwrap();
    set_viewport(&c, 1280, 800).await;
    wait_text(&c, "#live-state", |t| t.starts_with("live")).await;
    c.execute(COUNT_PROBE, vec![]).await.unwrap();

    let mut client = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["simulate", "--send", &listener.url, "--operations"])
        .arg(OPERATIONS.to_string())
        .args(["--rate", "100", "--failure-rate", "0.1", "--seed", "15"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lineage simulate starts");
    // Read the page's log, then ask whether the client still runs: a log read before the
    // client was seen running was read before it exited.
    let mut while_running = Vec::new();
    let exit = loop {
        let seen = counts_seen(&c).await;
        match client.try_wait().unwrap() {
            None => while_running = seen,
            Some(exit) => break exit,
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let mut stderr = String::new();
    client
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(exit.success(), "simulate --send failed: {stderr}");

    let sent = OPERATIONS * EVENTS_PER_OPERATION;
    assert!(
        stderr.contains(&format!("sent {sent} events")),
        "the client says what it sent: {stderr}"
    );
    let growing: Vec<u64> = while_running.iter().copied().filter(|&n| n > 0).collect();
    assert!(
        growing.len() >= 3,
        "the count on screen took {growing:?} while the client ran: rows must appear as \
         events arrive, not only at the end"
    );
    println!("counts on screen while the client ran: {growing:?}");
    assert!(growing.windows(2).all(|w| w[0] < w[1]), "{growing:?}");

    let stored = status(&listener).await["stored"].as_u64().unwrap();
    assert_eq!(stored, sent, "the listener stored every event sent");
    let deadline = Instant::now() + PATIENCE;
    let shown = loop {
        let last = *counts_seen(&c).await.last().unwrap_or(&0);
        if last == stored || Instant::now() > deadline {
            break last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(
        shown, stored,
        "the page shows every event the listener stored"
    );
    assert!(count(&c, ".row").await > 0, "rows in the tree");
    let counts = find(&c, "#live-counts").await.text().await.unwrap();
    assert!(
        !counts.contains("twice") && !counts.contains("lost"),
        "{counts}"
    );
    save_screenshot(&c, "e2e-live-client.png").await;
}
