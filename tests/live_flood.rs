//! A flood at ten times the budget, for figures (`--ignored`: it runs for a minute per
//! setting). Clients post NDJSON and protobuf bodies as fast as the listener answers, each on
//! its own connection, ignoring `Retry-After`, for `FLOOD_SECONDS` (60) against
//! `lineage listen --max-memory 64` under each `--when-full` setting. It checks what the
//! issue asks of a flood: every request answered (200, 429 or 503; no connection refused or
//! reset), and the resident memory (`VmHWM`) within the budget. It prints the counts, the
//! peak memory and how long the listener takes to answer once the flood stops (printed, not
//! asserted: speed is measured, not tested).
//!
//! ```sh
//! cargo build --release
//! LINEAGE_BIN=target/release/lineage cargo test --test live_flood -- --ignored --nocapture
//! ```
#![cfg(not(target_arch = "wasm32"))]

mod live_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use live_support::Listener;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message as _;

const BUDGET_MIB: u64 = 64;
const CLIENTS_PER_KIND: usize = 4;
const LINES_PER_BODY: u64 = 1000;
const SPANS_PER_BODY: u64 = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Ndjson,
    Protobuf,
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<u16, u64>,
    /// Connections refused, reset or closed unanswered, by what the client got.
    failures: BTreeMap<String, u64>,
    /// Events sent (lines, or two per span).
    events: u64,
    bytes: u64,
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue {
            value: Some(any_value::Value::StringValue(value.into())),
        }),
        ..Default::default()
    }
}

/// Body `n` of a client: fresh ids every time, so nothing is a duplicate.
fn body(kind: Kind, client: u64, n: u64) -> (Bytes, u64) {
    let base = (client << 40) | (n << 16);
    match kind {
        Kind::Ndjson => {
            let mut out = String::with_capacity(330 * LINES_PER_BODY as usize);
            for i in 0..LINES_PER_BODY {
                let id = base | i;
                out.push_str(&format!(
                    "{{\"id\":\"00000000-0000-4000-8000-{id:012x}\",\"kind\":\"processing\",\
                     \"phase\":\"started\",\"root_id\":\"00000000-0000-4000-8000-{id:012x}\",\
                     \"lineage_id\":\"00000000-0000-4000-9000-{id:012x}\",\"seq\":{i},\
                     \"timestamp_ns\":{id},\"payload\":{{\"process_name\":\"function_execution\",\
                     \"function_name\":\"update_gpa\",\"extra\":{{\"attempt\":{i}}}}}}}\n"
                ));
            }
            (Bytes::from(out), LINES_PER_BODY)
        }
        Kind::Protobuf => {
            let spans = (0..SPANS_PER_BODY)
                .map(|i| {
                    let id = base | i;
                    let root = id - i % 4;
                    Span {
                        trace_id: (u128::from(root) + 1).to_be_bytes().to_vec(),
                        span_id: (id + 1).to_be_bytes().to_vec(),
                        parent_span_id: if id == root {
                            Vec::new()
                        } else {
                            (root + 1).to_be_bytes().to_vec()
                        },
                        name: format!("op {}", i % 7),
                        start_time_unix_nano: 1_700_000_000_000_000_000 + id,
                        end_time_unix_nano: 1_700_000_000_000_000_500 + id,
                        attributes: vec![kv("http.route", "/api/items")],
                        ..Default::default()
                    }
                })
                .collect();
            let request = ExportTraceServiceRequest {
                resource_spans: vec![ResourceSpans {
                    resource: Some(Resource {
                        attributes: vec![kv("service.name", "flood")],
                        ..Default::default()
                    }),
                    scope_spans: vec![ScopeSpans {
                        spans,
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
            };
            (Bytes::from(request.encode_to_vec()), 2 * SPANS_PER_BODY)
        }
    }
}

/// Posts bodies on one connection until `until`, reconnecting after a failure.
async fn client(addr: String, kind: Kind, id: u64, until: Instant) -> Tally {
    let (path, content_type) = match kind {
        Kind::Ndjson => ("/v1/events", "application/x-ndjson"),
        Kind::Protobuf => ("/v1/traces", "application/x-protobuf"),
    };
    let mut tally = Tally::default();
    let mut sender = None;
    let mut n = 0;
    while Instant::now() < until {
        if sender.is_none() {
            match tokio::net::TcpStream::connect(&addr).await {
                Ok(stream) => {
                    let io = hyper_util::rt::TokioIo::new(stream);
                    match hyper::client::conn::http1::handshake(io).await {
                        Ok((s, conn)) => {
                            tokio::spawn(conn);
                            sender = Some(s);
                        }
                        Err(e) => {
                            *tally.failures.entry(format!("handshake: {e}")).or_default() += 1
                        }
                    }
                }
                Err(e) => *tally.failures.entry(format!("connect: {e}")).or_default() += 1,
            }
            if sender.is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        }
        let s = sender.as_mut().expect("connected above");
        let (bytes, events) = body(kind, id, n);
        n += 1;
        tally.bytes += bytes.len() as u64;
        tally.events += events;
        let req = hyper::Request::post(path)
            .header("host", &addr)
            .header("content-type", content_type)
            .body(Full::new(bytes))
            .expect("a request");
        let answered = match s.send_request(req).await {
            Ok(res) => {
                let status = res.status().as_u16();
                let close = res
                    .headers()
                    .get("connection")
                    .is_some_and(|v| v == "close");
                match res.into_body().collect().await {
                    Ok(_) => Ok((status, close)),
                    Err(e) => Err(format!("body: {e}")),
                }
            }
            Err(e) => Err(format!("send: {e}")),
        };
        match answered {
            Ok((status, close)) => {
                *tally.statuses.entry(status).or_default() += 1;
                if close {
                    sender = None;
                }
            }
            Err(why) => {
                *tally.failures.entry(why).or_default() += 1;
                sender = None;
            }
        }
    }
    tally
}

fn proc_status(pid: u32, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn flood(exe: &str, when_full: &str, seconds: u64) {
    let l = Listener::start_exe(
        exe,
        &[
            "--max-memory",
            &BUDGET_MIB.to_string(),
            "--when-full",
            when_full,
        ],
    );
    let pid = l.child.id();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for kind in [Kind::Ndjson, Kind::Protobuf] {
        for c in 0..CLIENTS_PER_KIND {
            let id = tasks.len() as u64 + 1;
            tasks.push((kind, tokio::spawn(client(l.addr.clone(), kind, id, until))));
            let _ = c;
        }
    }
    let mut peak_rss = 0;
    while Instant::now() < until {
        peak_rss = peak_rss.max(proc_status(pid, "VmRSS:"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut by_kind: BTreeMap<Kind, Tally> = BTreeMap::new();
    for (kind, task) in tasks {
        let t = task.await.expect("a client ends");
        let sum = by_kind.entry(kind).or_default();
        for (k, v) in t.statuses {
            *sum.statuses.entry(k).or_default() += v;
        }
        for (k, v) in t.failures {
            *sum.failures.entry(k).or_default() += v;
        }
        sum.events += t.events;
        sum.bytes += t.bytes;
    }
    // The flood has stopped: how long until the listener answers, and what.
    let stopped = Instant::now();
    let status = live_support::send("GET", &format!("{}/v1/status", l.url), &[], "").await;
    let status_ms = stopped.elapsed().as_secs_f64() * 1e3;
    let small = live_support::event_lines(10, 1);
    let t = Instant::now();
    let post = live_support::post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        small,
    )
    .await;
    let post_ms = t.elapsed().as_secs_f64() * 1e3;
    let hwm_kib = proc_status(pid, "VmHWM:");
    let s = status.json();

    let budget = BUDGET_MIB << 20;
    let held_at_most = budget / 320;
    let sent: u64 = by_kind.values().map(|t| t.events).sum();
    let sent_bytes: u64 = by_kind.values().map(|t| t.bytes).sum();
    println!("\n--when-full {when_full}, --max-memory {BUDGET_MIB}, {seconds} s, {CLIENTS_PER_KIND} NDJSON + {CLIENTS_PER_KIND} protobuf clients");
    for (kind, t) in &by_kind {
        println!(
            "  {kind:?}: {} events in {:.0} MB, answers {:?}, failures {:?}",
            t.events,
            t.bytes as f64 / 1e6,
            t.statuses,
            t.failures
        );
    }
    println!(
        "  sent {sent} events ({:.1}x the {held_at_most} the budget holds), {:.0} MB ({:.1}x the budget)",
        sent as f64 / held_at_most as f64,
        sent_bytes as f64 / 1e6,
        sent_bytes as f64 / budget as f64
    );
    println!("  listener: {s}");
    println!(
        "  peak resident memory VmHWM {:.1} MiB (VmRSS sampled max {:.1} MiB), budget {BUDGET_MIB} MiB",
        hwm_kib as f64 / 1024.0,
        peak_rss as f64 / 1024.0
    );
    println!(
        "  after the flood: /v1/status answered in {status_ms:.1} ms, a 10-line post in {post_ms:.1} ms with {}",
        post.status
    );

    for (kind, t) in &by_kind {
        assert!(t.failures.is_empty(), "{kind:?}: {:?}", t.failures);
        assert!(
            t.statuses.keys().all(|s| matches!(s, 200 | 429 | 503)),
            "{kind:?}: {:?}",
            t.statuses
        );
    }
    assert!(
        hwm_kib * 1024 <= budget,
        "VmHWM {hwm_kib} KiB over the {BUDGET_MIB} MiB budget"
    );
    assert!(matches!(post.status.as_u16(), 200 | 429), "{}", post.status);
}

#[tokio::test]
#[ignore = "a minute per setting; run for figures (see the module docs)"]
async fn a_flood_at_ten_times_the_budget_is_answered_within_it() {
    let exe = std::env::var("LINEAGE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_lineage").into());
    let seconds = std::env::var("FLOOD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for when_full in ["keep-newest", "refuse"] {
        flood(&exe, when_full, seconds).await;
    }
}
