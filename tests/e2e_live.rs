//! End to end: the page follows a real `lineage listen` while events are posted to it.
//!
//! The built page (`dist/`, as the other end-to-end tests) is opened with `?live=` on a
//! listener started from the `lineage` binary; lineage NDJSON lines from `lineage simulate`
//! are posted to `/v1/events` in batches while the page is open, and the test reads the
//! counts and rows appearing on screen. Pause holds the view while events wait. Then the
//! listener is stopped (SIGTERM: the page shows its `bye` and reconnects with backoff) and
//! started again on the same port with the same `--out` file: it reloads the recording,
//! numbers on and keeps its instance (the id of the recording's first event), so the page
//! continues where it was: every event posted is on screen once, none twice, none lost.
//! Twice: with the stream read by the page's worker (the default, `src/ui/live/pipe.rs`),
//! and read by the page itself (where no worker can be made).
#![cfg(not(target_arch = "wasm32"))]

mod browser;
mod common;
mod live_support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use browser::*;
use live_support::{post, Listener};

/// `lineage listen` on `port`, recording to `out`.
fn listen_on(port: u16, out: &Path) -> Listener {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["listen", "--bind", &format!("127.0.0.1:{port}"), "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lineage binary starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    assert!(first.contains(&url), "{first:?}");
    Listener {
        child,
        addr: url.trim_start_matches("http://").to_owned(),
        url,
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The NDJSON lines of a simulated pipeline run: `operations` operations, a fifth failing.
fn simulated(operations: usize, seed: u64, dir: &Path) -> Vec<String> {
    let file = dir.join(format!("sim-{seed}.ndjson"));
    let out = common::lineage(&[
        "simulate",
        "--operations",
        &operations.to_string(),
        "--concurrency",
        "4",
        "--yields",
        "1",
        "--failure-rate",
        "0.2",
        "--seed",
        &seed.to_string(),
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).unwrap();
    text.lines().map(String::from).collect()
}

async fn post_lines(listener: &Listener, lines: &[String]) {
    let body = lines.join("\n") + "\n";
    let answer = post(
        &format!("{}/v1/events", listener.url),
        "application/x-ndjson",
        body,
    )
    .await;
    assert!(answer.status.is_success(), "{}", answer.text());
    assert_eq!(answer.json()["accepted"], lines.len(), "{}", answer.text());
}

async fn events_on_screen(c: &fantoccini::Client, n: usize) {
    let want = n.to_string();
    wait_text(c, "#event-count", |t| t == want).await;
}

/// Who reads the stream: the page's worker (as the page does by default), or the page
/// itself (where no worker can be made: `window.__lineageLiveNoWorker`).
#[derive(Clone, Copy, PartialEq)]
enum Reader {
    Worker,
    Page,
}

#[tokio::test(flavor = "current_thread")]
async fn events_posted_to_a_listener_appear_on_the_page_and_survive_its_restart_once_each() {
    follow_a_listener_through_its_restart(Reader::Worker).await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_same_when_the_page_reads_the_stream_itself() {
    follow_a_listener_through_its_restart(Reader::Page).await;
}

async fn follow_a_listener_through_its_restart(reader: Reader) {
    let dir = tempdir();
    let out = dir.join("live.ndjson");
    let port = free_port();
    let listener = listen_on(port, &out);
    let first = simulated(40, 7, &dir);
    let second = simulated(20, 8, &dir);
    assert_eq!((first.len(), second.len()), (240, 120));

    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    if reader == Reader::Worker {
        c.goto(&format!("{base}?live={}", listener.addr))
            .await
            .unwrap();
    } else {
        c.goto(&base).await.unwrap();
        c.execute("window.__lineageLiveNoWorker = true", vec![])
            .await
            .unwrap();
        click(&c, "#live-open").await;
        type_into(&c, "#live-address", &listener.addr).await;
        click(&c, "#live-connect").await;
    }
    set_viewport(&c, 1280, 800).await;
    let state = wait_text(&c, "#live-state", |t| t.starts_with("live")).await;
    assert!(state.contains(&listener.addr), "{state}");
    let read_by = find(&c, "#live-bar")
        .await
        .attr("data-reader")
        .await
        .unwrap();
    let want = if reader == Reader::Worker {
        "worker"
    } else {
        "page"
    };
    assert_eq!(read_by.as_deref(), Some(want));

    // Batches while the page is open: each shows up, rows and counts.
    for (k, batch) in first.chunks(60).enumerate() {
        post_lines(&listener, batch).await;
        events_on_screen(&c, 60 * (k + 1)).await;
    }
    assert!(count(&c, ".row").await > 0, "rows in the tree");
    assert!(
        count(&c, ".row[data-status=failed]").await > 0
            || count(&c, "#minimap .mm-failures").await > 0
    );
    let counts = wait_text(&c, "#live-counts", |t| t.starts_with("240 received")).await;
    assert!(
        !counts.contains("twice") && !counts.contains("lost"),
        "{counts}"
    );
    if reader == Reader::Worker {
        save_screenshot(&c, "e2e-live.png").await;
    }

    // Pin as A on a live trace pins a snapshot: B (the screen) grows, A stays.
    click(&c, "#pin").await;
    let label = wait_text(&c, "#pinned-label", |t| t.contains("live")).await;
    assert!(label.contains("first 240 events"), "{label}");

    // Pause: the view holds still, the page says how many wait; Resume shows them.
    click(&c, "#live-pause").await;
    post_lines(&listener, &second[..30]).await;
    wait_text(&c, "#live-counts", |t| t.contains("30 waiting")).await;
    assert_eq!(find(&c, "#event-count").await.text().await.unwrap(), "240");
    click(&c, "#live-pause").await;
    events_on_screen(&c, 270).await;
    wait_text(&c, "tr[data-side=B] .events", |t| t == "270").await;
    assert_eq!(
        wait_text(&c, "tr[data-side=A] .events", |t| !t.is_empty()).await,
        "240"
    );
    click(&c, "#pin").await;

    // The listener stops: the page says why and retries.
    let (clean, _) = listener.terminate();
    assert!(clean, "SIGTERM ends the listener cleanly");
    let gone = wait_text(&c, "#live-state", |t| t.starts_with("reconnecting")).await;
    assert!(
        gone.contains("shutting down") || gone.contains("dropped"),
        "{gone}"
    );

    // Started again with the same file: the same instance numbering on. The page continues
    // from its last id; nothing it showed comes twice, nothing posted is missing.
    let listener = listen_on(port, &out);
    wait_text(&c, "#live-state", |t| t.starts_with("live")).await;
    post_lines(&listener, &second[30..]).await;
    events_on_screen(&c, 360).await;
    let counts = wait_text(&c, "#live-counts", |t| t.starts_with("360 received")).await;
    assert!(
        !counts.contains("twice") && !counts.contains("lost") && !counts.contains("restarted"),
        "the page continued, it did not re-read a new store: {counts}"
    );
    let recorded = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(recorded, 360, "the --out file holds every event posted");

    // Disconnect keeps the trace on screen.
    click(&c, "#live-disconnect").await;
    wait_text(&c, "#live-state", |t| t.starts_with("closed")).await;
    assert_eq!(find(&c, "#event-count").await.text().await.unwrap(), "360");
    drop(listener);
    let _ = std::fs::remove_dir_all(&dir);
    // Ends the browser too: chromedriver's exit alone leaves Chromium running the page.
    let _ = c.close().await;
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("lineage-e2e-live-{}", free_port()));
    std::fs::create_dir_all(&d).unwrap();
    d
}
