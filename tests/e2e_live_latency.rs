//! A measurement, not a test: export → page latency of live mode (issue 15). Ignored; run
//! with `cargo test --release --test e2e_live_latency -- --ignored --nocapture` after
//! `trunk build --release`; the figures are in docs/live.md and docs/live-page.md.
//!
//! The real `lineage listen` and the built page (`?live=`) run on this machine; the test
//! posts lineage NDJSON batches of 1 000 events (from `lineage simulate`) to `/v1/events`
//! at a target rate and notes each batch's wall-clock time (`SystemTime`, Unix ms) just
//! before posting it. The page puts on its live bar the events in its view and its
//! `Date.now()` when it last applied some (`data-applied`, `data-last-applied-ms`); a
//! `MutationObserver` logs every change of either (two applies in the same millisecond
//! change only the count: watching the time alone missed the last apply of a run once). Same machine, same clock: the latency of a batch is
//! the first apply time at which the view holds it, minus the time it was sent (a batch
//! applied with later ones counts from its own send). The longest gap between animation
//! frames while events arrive is the frame log's. At the end every event must be counted:
//! the listener received and stored them all, the page received and stored them all and
//! shows them all but those it let go past its budget (it keeps the newest, and says so).
//! `LATENCY_SETTLE_MS=N` waits N ms between the page saying `live` and the first post (the
//! page open before the program starts; default 0); `LATENCY_NO_WARM=1` opens the page
//! without its warm-up (`ui/live/warm.rs`). `LATENCY_CDP=1` also prints what Chromium says of the page's main thread (metrics, V8's
//! profile, when each message reached the page's handler: `live_support/cdp.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod browser;
#[path = "live_support/cdp.rs"]
mod cdp;
mod common;
mod live_support;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use browser::*;
use live_support::{post, Listener, PATIENCE};

const BATCH: usize = 1000;
/// How the page's counts end the number of events it let go (`LiveFeed::describe_counts`).
const LET_GO: &str = " older let go to stay within the page's budget (the newest are shown)";

const PROBES: &str = r#"
    window.__lineageLiveProfile = true;
    window.__applies = [];
    const bar = document.querySelector('#live-bar');
    new MutationObserver(() => {
        window.__applies.push([Number(bar.dataset.applied), Number(bar.dataset.lastAppliedMs)]);
    }).observe(bar, { attributes: true, attributeFilter: ['data-applied', 'data-last-applied-ms'] });
    window.__frames = [];
    let last = performance.now();
    function frame(t) { window.__frames.push(t - last); last = t; requestAnimationFrame(frame); }
    requestAnimationFrame(frame);
"#;

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Operations per `lineage simulate` run: a 60 s run at 100 k events/s (1 M operations,
/// 6 M events, 2.9 GB of NDJSON) is made in runs of this many, one or two ahead of the
/// posting, so the test holds a few hundred MB, not the whole run. Each run draws its own
/// ids.
const CHUNK_OPERATIONS: usize = 50_000;

/// `operations` simulated operations (a tenth failing) as lineage NDJSON lines, in chunks
/// made by a thread beside the posting.
fn simulated(operations: usize, dir: &std::path::Path) -> std::sync::mpsc::Receiver<Vec<String>> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let mut left = operations;
        let mut k = 0;
        while left > 0 {
            let n = left.min(CHUNK_OPERATIONS);
            let file = dir.join(format!("latency-{k}.ndjson"));
            let out = common::lineage(&[
                "simulate",
                "--operations",
                &n.to_string(),
                "--failure-rate",
                "0.1",
                "--out",
                file.to_str().unwrap(),
            ]);
            assert!(out.status.success());
            let text = std::fs::read_to_string(&file).unwrap();
            let _ = std::fs::remove_file(&file);
            if tx.send(text.lines().map(String::from).collect()).is_err() {
                return;
            }
            (left, k) = (left - n, k + 1);
        }
    });
    rx
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "a measurement: run with --ignored --nocapture, figures in docs/live.md"]
async fn export_to_page_latency() {
    let rate: f64 = std::env::var("LATENCY_RATE").map_or(100_000.0, |r| r.parse().unwrap());
    let operations: usize =
        std::env::var("LATENCY_OPERATIONS").map_or(50_000, |r| r.parse().unwrap());
    let dir = std::env::temp_dir().join(format!("lineage-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chunks = simulated(operations, &dir);
    let listener = Listener::start(&[]);
    let base = serve(dist_dir()).await;
    let driver = start_chromedriver();
    let c = browser(&driver).await;
    // Chromium's own profile of the page (`LATENCY_CDP=1`, see `live_support/cdp.rs`); the
    // page without its warm-up (`LATENCY_NO_WARM=1`: the same build, so a comparison of the
    // two is of the warm-up alone).
    let profiling = std::env::var_os("LATENCY_CDP").is_some();
    let no_warm = std::env::var_os("LATENCY_NO_WARM").is_some();
    let cdp = if profiling || no_warm {
        let session = c.session_id().await.unwrap().unwrap();
        let cdp = cdp::Cdp::new(&driver.url, &session);
        let mut source = String::new();
        if profiling {
            source.push_str(cdp::ARRIVALS);
        }
        if no_warm {
            source.push_str("\nwindow.__lineageNoLiveWarm = true;\n");
        }
        cdp.run(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": source }),
        )
        .await;
        Some(cdp)
    } else {
        None
    };
    c.goto(&format!("{base}?live={}", listener.addr))
        .await
        .unwrap();
    set_viewport(&c, 1280, 800).await;
    wait_text(&c, "#live-state", |t| t.starts_with("live")).await;
    c.execute(PROBES, vec![]).await.unwrap();
    let metrics_before = match cdp.as_ref().filter(|_| profiling) {
        Some(cdp) => {
            cdp.run("Performance.enable", serde_json::json!({})).await;
            cdp.run("Profiler.enable", serde_json::json!({})).await;
            cdp.run(
                "Profiler.setSamplingInterval",
                serde_json::json!({ "interval": 500 }),
            )
            .await;
            cdp.run("Profiler.start", serde_json::json!({})).await;
            Some(cdp.metrics().await)
        }
        None => None,
    };

    // The page open before the program starts (`LATENCY_SETTLE_MS`, default 0: the program
    // starts as soon as the page says `live`): time the page has, idle, before the first
    // event, as a person who opens the page and then starts their program gives it (the
    // page warms its live path meanwhile: docs/live-page.md).
    let settle: u64 = std::env::var("LATENCY_SETTLE_MS").map_or(0, |r| r.parse().unwrap());
    tokio::time::sleep(Duration::from_millis(settle)).await;
    let warm_before = c
        .execute("return window.__lineageLiveWarm || null", vec![])
        .await
        .unwrap();

    let url = format!("{}/v1/events", listener.url);
    let mut sent = Vec::new(); // (events in view once this batch is applied, sent at ms)
    let start = Instant::now();
    let mut total = 0;
    // The first chunk is made before the clock starts; the others while posting.
    let first = chunks.recv().unwrap();
    for lines in std::iter::once(first).chain(chunks.iter()) {
        for batch in lines.chunks(BATCH) {
            let due = start + Duration::from_secs_f64(total as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            let body = batch.join("\n") + "\n";
            let at = unix_ms();
            let answer = post(&url, "application/x-ndjson", body).await;
            assert!(answer.status.is_success(), "{}", answer.text());
            total += batch.len();
            sent.push((total, at));
        }
    }
    let sending = start.elapsed().as_secs_f64();
    // A long run may leave the page further behind than a short one: as long again.
    let deadline = Instant::now() + PATIENCE.max(Duration::from_secs_f64(sending));
    let applies: Vec<(usize, f64)> = loop {
        let v = c.execute("return window.__applies", vec![]).await.unwrap();
        let log: Vec<(usize, f64)> = serde_json::from_value(v).unwrap();
        if log.last().is_some_and(|&(n, _)| n >= total) {
            break log;
        }
        if Instant::now() >= deadline {
            // What the page says of it: received, waiting, let go, lost to the listener.
            let counts = c
                .execute(
                    "return document.querySelector('#live-counts').textContent",
                    vec![],
                )
                .await
                .unwrap();
            let profile = c
                .execute("return window.__lineageLiveProfileOut || null", vec![])
                .await
                .unwrap();
            let profile = profile.as_str().unwrap_or_default();
            panic!(
                "the page did not apply every event: {} of {total} ({sending:.1} s posting); \
                 its counts: {counts}; its frame profile: {}",
                log.last().map_or(0, |l| l.0),
                profile.split(",\"long\"").next().unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    if let (Some(cdp), Some(before)) = (&cdp, &metrics_before) {
        report_cdp(cdp, before, &c, &sent).await;
    }
    let frames: Vec<f64> =
        serde_json::from_value(c.execute("return window.__frames", vec![]).await.unwrap()).unwrap();
    check_counts(&c, &listener, total).await;
    // The page as it stands once every event is in: looked at, not compared.
    save_screenshot(&c, "live-latency.png").await;

    if std::env::var_os("LATENCY_FRAMES").is_some() {
        // Every frame over 50 ms, with when it ended (ms since the probes started), and the
        // applies (events in view, Unix ms): where the long frames fall.
        let mut t = 0.0;
        for (k, f) in frames.iter().enumerate() {
            t += f;
            if *f > 50.0 {
                eprintln!("frame {k} ended at {t:.0} ms: {f:.0} ms");
            }
        }
        eprintln!("applies: {applies:?}");
    }
    let mut latency: Vec<f64> = sent
        .iter()
        .map(|&(upto, at)| {
            let (_, applied) = applies.iter().find(|&&(n, _)| n >= upto).unwrap();
            applied - at
        })
        .collect();
    if std::env::var_os("LATENCY_FRAMES").is_some() {
        // Where the slowest batches fall: (s since the first post, latency ms).
        let mut worst: Vec<(f64, f64)> = sent
            .iter()
            .zip(&latency)
            .map(|(&(_, at), &l)| ((at - sent[0].1) / 1000.0, l))
            .collect();
        worst.sort_by(|a, b| b.1.total_cmp(&a.1));
        worst.truncate(40);
        worst.sort_by(|a, b| a.0.total_cmp(&b.0));
        eprintln!("slowest batches (s since the first post, ms): {worst:.1?}");
    }
    latency.sort_by(f64::total_cmp);
    let longest = frames.iter().copied().fold(0.0, f64::max);
    let applied_end = applies.last().unwrap().1;
    println!(
        "{total} events in {} batches of {BATCH}; target {rate:.0} events/s, posted at {:.0} \
         events/s ({sending:.2} s); the page applied the last {:.2} s after the first was sent",
        sent.len(),
        total as f64 / sending,
        (applied_end - sent[0].1) / 1000.0
    );
    println!(
        "export -> page latency per batch: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; \
         {} applies; longest frame {longest:.0} ms over {} frames",
        percentile(&latency, 0.5),
        percentile(&latency, 0.99),
        latency.last().unwrap(),
        applies.len(),
        frames.len()
    );
    // The page's own sums of where its frames' time went (`view::live::FrameProfile`).
    let profile = c
        .execute("return window.__lineageLiveProfileOut || null", vec![])
        .await
        .unwrap();
    println!("the page's frame profile (ms): {profile}");
    print_first_costs(&profile);
    // What the page's warm-up had done when the first event was sent, and in the end
    // (`ui/live/warm.rs`; null: still running, or a page without one).
    let warm_after = c
        .execute("return window.__lineageLiveWarm || null", vec![])
        .await
        .unwrap();
    println!(
        "settle {settle} ms; the page's warm-up at the first event: {warm_before}; at the end: \
         {warm_after}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // Ends the browser too: chromedriver's exit alone leaves Chromium running the page.
    let _ = c.close().await;
}

/// The page's cost per event in its first messages and applies against the whole run's
/// (from its frame profile): how much slower the stream's first second ran.
fn print_first_costs(profile: &serde_json::Value) {
    let Some(p) = profile
        .as_str()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
    else {
        return;
    };
    let per_event = |list: &serde_json::Value, n: usize| -> Option<f64> {
        let list: Vec<(f64, f64)> = serde_json::from_value(list.clone()).ok()?;
        let (events, ms) = list
            .iter()
            .take(n)
            .fold((0.0, 0.0), |(e, m), &(ev, ms)| (e + ev, m + ms));
        (events > 0.0).then(|| ms * 1000.0 / events)
    };
    let whole = |ms: &str, n: &str| -> Option<f64> {
        Some(p[ms].as_f64()? * 1000.0 / p[n].as_f64().filter(|n| *n > 0.0)?)
    };
    println!(
        "µs per event: decode, first 5 messages {:.2?} / first 20 {:.2?} / whole run {:.2?}; \
         store, first 5 applies {:.2?} / first 20 {:.2?} / whole run {:.2?}",
        per_event(&p["first_decodes"], 5),
        per_event(&p["first_decodes"], 20),
        whole("decode_ms", "decoded"),
        per_event(&p["first_applies"], 5),
        per_event(&p["first_applies"], 20),
        whole("append_ms", "applied"),
    );
}

/// Prints what Chromium says of the page's main thread over the run (`LATENCY_CDP=1`).
async fn report_cdp(
    cdp: &cdp::Cdp,
    before: &std::collections::HashMap<String, f64>,
    c: &fantoccini::Client,
    sent: &[(usize, f64)],
) {
    let after = cdp.metrics().await;
    let profile = cdp.run("Profiler.stop", serde_json::json!({})).await;
    println!(
        "chromium, the page's main thread: {}",
        cdp::metrics_delta(before, &after)
    );
    let times = cdp::self_times(&profile["profile"]);
    let top: Vec<String> = times
        .iter()
        .take(25)
        .map(|(n, ms)| format!("{n} {ms:.0}"))
        .collect();
    println!("chromium, self time (ms) by function: {}", top.join(" | "));
    let v = c
        .execute("return window.__sseArrivals || []", vec![])
        .await
        .unwrap();
    let arrivals: Vec<(f64, u64, u64)> = serde_json::from_value(v).unwrap();
    if arrivals.is_empty() {
        return;
    }
    let delays = cdp::arrival_delays(&arrivals, sent);
    let chars: u64 = arrivals.iter().map(|a| a.2).sum();
    let span = arrivals.last().unwrap().0 - arrivals[0].0;
    println!(
        "events messages at the page: {} in {span:.0} ms, {:.0} kB each on average; \
         post -> handler delay per batch: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        arrivals.len(),
        chars as f64 / arrivals.len() as f64 / 1000.0,
        percentile(&delays, 0.5),
        percentile(&delays, 0.99),
        delays.last().copied().unwrap_or(0.0),
    );
    if std::env::var_os("LATENCY_FRAMES").is_some() {
        eprintln!("arrivals (unix ms, last seq, chars): {arrivals:?}");
    }
}

/// Every event counted: the listener received and stored `total`, and the page received
/// (its live counts) and stored (`data-applied`) as many, and shows them all but those it
/// let go to keep within its budget, which its counts say (received = let go + shown; none
/// let go below 2 000 000 events, `Limits::BROWSER`).
async fn check_counts(c: &fantoccini::Client, listener: &Listener, total: usize) {
    let status = live_support::send("GET", &format!("{}/v1/status", listener.url), &[], "")
        .await
        .json();
    let received = status["received"].as_u64().unwrap();
    let stored = status["stored"].as_u64().unwrap();
    let counts = wait_text(c, "#live-counts", |t| {
        t.starts_with(&format!("{total} received"))
    })
    .await;
    let let_go: usize = counts
        .split(" · ")
        .find_map(|part| part.strip_suffix(LET_GO))
        .map_or(0, |n| n.parse().unwrap());
    let shown = wait_text(c, "#event-count", |t| t == (total - let_go).to_string()).await;
    let applied = c
        .execute(
            "return document.querySelector('#live-bar').dataset.applied",
            vec![],
        )
        .await
        .unwrap();
    println!(
        "counts: the listener received {received} and stored {stored}; the page: {counts:?}, \
         stored {applied}, shows {shown} events"
    );
    assert_eq!((received, stored), (total as u64, total as u64));
    assert_eq!(applied.as_str(), Some(total.to_string().as_str()));
}
