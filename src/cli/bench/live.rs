//! # `lineage bench --live`: what the listener costs per span and per event
//!
//! In this process, without sockets: OTLP protobuf requests (512 spans each, as an SDK's
//! batch processor sends them; traces of four spans, a route attribute, a service name)
//! decoded, then decoded and stored in a [`LiveStore`]; lineage NDJSON bodies (1 000 lines
//! of a simulated run each) read and stored. Then the same bodies through HTTP on loopback
//! to a `lineage listen` child process, one connection, one request at a time (what one
//! exporter does). Each in-process row is the median of five rounds, each HTTP row of three;
//! the in-process rows also give the CPU time of the round's thread and items per CPU
//! second (what one core does, whatever else the machine runs).

use std::io::{BufRead, BufReader};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

use crate::listener::{ingest, lines, LiveStore, WhenFull};
use crate::trace::Limits;

const SPANS_PER_REQUEST: u64 = 512;
const LINES_PER_BODY: usize = 1000;

/// Runs the bench with `events` events per case (spans: half as many).
pub(crate) fn run(events: u64) -> ExitCode {
    let spans = (events / 2).max(SPANS_PER_REQUEST);
    eprintln!("lineage bench --live: building {spans} spans and {events} NDJSON events …");
    let proto = protobuf_bodies(spans);
    let lines = ndjson_bodies(events);
    let limits = Limits {
        max_events: events.max(spans * 2) + 1,
        max_retained_bytes: 8 << 30,
        ..Limits::DEFAULT
    };
    println!(
        "{:<44} {:>10} {:>9} {:>12} {:>12} {:>9} {:>12}",
        "case", "items", "seconds", "items/s", "events/s", "cpu s", "items/cpu s"
    );
    let decode = median(5, || on_cpu(|| decode_round(&proto, limits)));
    row("otlp protobuf, decoded (spans)", spans, decode);
    let stored = median(5, || on_cpu(|| protobuf_round(&proto, limits)));
    row("otlp protobuf, decoded and stored (spans)", spans, stored);
    let read = median(5, || on_cpu(|| ndjson_round(&lines, limits)));
    row("ndjson lines, read and stored (events)", events, read);
    match over_http(&proto, &lines, limits) {
        Ok([p, l]) => {
            row("otlp protobuf over HTTP, loopback (spans)", spans, p);
            row("ndjson over HTTP, loopback (events)", events, l);
        }
        Err(e) => eprintln!("lineage bench --live: the HTTP rows failed: {e}"),
    }
    ExitCode::SUCCESS
}

// One round of each in-process row, each its own function (never inlined) so that a
// profile (`valgrind --tool=callgrind`) gives each row's instructions, the dropping of what
// the round built included: divided by the items, the per-item figures in `docs/live.md`.

#[inline(never)]
fn decode_round(proto: &[Vec<u8>], limits: Limits) -> (f64, u64) {
    let t = Instant::now();
    let n: usize = proto
        .iter()
        .map(|b| ingest::otlp_protobuf(b, limits).unwrap().events.len())
        .sum();
    (t.elapsed().as_secs_f64(), n as u64)
}

#[inline(never)]
fn protobuf_round(proto: &[Vec<u8>], limits: Limits) -> (f64, u64) {
    let mut store = LiveStore::new(limits, WhenFull::KeepNewest);
    let t = Instant::now();
    for b in proto {
        store
            .commit_batch(&ingest::otlp_protobuf(b, limits).unwrap().events)
            .1
            .unwrap();
    }
    (t.elapsed().as_secs_f64(), store.counts().stored)
}

#[inline(never)]
fn ndjson_round(bodies: &[Vec<u8>], limits: Limits) -> (f64, u64) {
    let mut store = LiveStore::new(limits, WhenFull::KeepNewest);
    let t = Instant::now();
    for b in bodies {
        lines::store_lines(b, limits, &mut store)
            .unwrap()
            .written
            .unwrap();
    }
    (t.elapsed().as_secs_f64(), store.counts().stored)
}

/// One row: wall seconds, events, and the seconds this thread spent on the CPU.
fn row(case: &str, items: u64, (seconds, events, cpu): (f64, u64, f64)) {
    println!(
        "{case:<44} {items:>10} {seconds:>9.3} {:>12.0} {:>12.0} {cpu:>9.3} {:>12.0}",
        items as f64 / seconds,
        events as f64 / seconds,
        items as f64 / cpu
    );
}

/// A round, with the CPU time this thread spent in it. On a machine shared with other work
/// the wall clock also counts the time the thread waited for a core (one binary's runs
/// spread 5x at a load of 10, `docs/live.md`); the thread's CPU clock does not, so "items
/// per CPU second" is what one core does (cache misses from the other work included).
fn on_cpu(round: impl FnOnce() -> (f64, u64)) -> (f64, u64, f64) {
    let before = thread_cpu_seconds();
    let (seconds, events) = round();
    (seconds, events, thread_cpu_seconds() - before)
}

/// This thread's CPU time, user and system (`CLOCK_THREAD_CPUTIME_ID`), in seconds.
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid `timespec` to write; the clock id is a constant of the C library.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } != 0 {
        return f64::NAN;
    }
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// The median by wall time of `rounds` runs of `f` (seconds, events, CPU time).
fn median(rounds: usize, mut f: impl FnMut() -> (f64, u64, f64)) -> (f64, u64, f64) {
    let mut runs: Vec<_> = (0..rounds).map(|_| f()).collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    runs[rounds / 2]
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

/// `spans` spans in requests of [`SPANS_PER_REQUEST`], encoded.
fn protobuf_bodies(spans: u64) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    let mut k = 0;
    while k < spans {
        let batch = (k..(k + SPANS_PER_REQUEST).min(spans)).map(|k| {
            let root = k - k % 4;
            Span {
                trace_id: (root as u128 + 1).to_be_bytes().to_vec(),
                span_id: (k + 1).to_be_bytes().to_vec(),
                parent_span_id: if k == root {
                    Vec::new()
                } else {
                    (root + 1).to_be_bytes().to_vec()
                },
                name: format!("op {}", k % 7),
                kind: 1,
                start_time_unix_nano: 1_700_000_000_000_000_000 + k * 1_000,
                end_time_unix_nano: 1_700_000_000_000_000_500 + k * 1_000,
                attributes: vec![kv("http.route", "/api/items")],
                ..Default::default()
            }
        });
        let request = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![kv("service.name", "bench")],
                    ..Default::default()
                }),
                scope_spans: vec![ScopeSpans {
                    scope: Some(InstrumentationScope {
                        name: "bench".into(),
                        ..Default::default()
                    }),
                    spans: batch.collect(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        bodies.push(request.encode_to_vec());
        k += SPANS_PER_REQUEST;
    }
    bodies
}

/// `events` lines of a simulated run, in bodies of [`LINES_PER_BODY`].
fn ndjson_bodies(events: u64) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    super::import::write_ndjson(&mut all, events).expect("writing to a Vec");
    let mut bodies = Vec::new();
    let mut body = Vec::new();
    for (i, line) in all.split_inclusive(|&b| b == b'\n').enumerate() {
        body.extend_from_slice(line);
        if (i + 1) % LINES_PER_BODY == 0 {
            bodies.push(std::mem::take(&mut body));
        }
    }
    if !body.is_empty() {
        bodies.push(body);
    }
    bodies
}

/// The two HTTP rows: a `lineage listen` child on a free port, fed on one connection.
fn over_http(
    proto: &[Vec<u8>],
    lines: &[Vec<u8>],
    limits: Limits,
) -> Result<[(f64, u64, f64); 2], String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut rows = [(0.0, 0, f64::NAN); 2];
    for (i, (bodies, path, content_type)) in [
        (proto, "/v1/traces", "application/x-protobuf"),
        (lines, "/v1/events", "application/x-ndjson"),
    ]
    .into_iter()
    .enumerate()
    {
        rows[i] = median(3, || {
            let (seconds, events) = runtime
                .block_on(post_all(bodies, path, content_type, limits))
                .unwrap_or_else(|e| {
                    eprintln!("lineage bench --live: {e}");
                    (f64::NAN, 0)
                });
            // The work is the listener's, in another process: no CPU time of ours to show.
            (seconds, events, f64::NAN)
        });
    }
    Ok(rows)
}

/// Starts a listener, posts every body on one connection, returns (seconds, events stored).
async fn post_all(
    bodies: &[Vec<u8>],
    path: &str,
    content_type: &str,
    limits: Limits,
) -> Result<(f64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Command::new(exe)
        .args([
            "listen",
            "--bind",
            "127.0.0.1:0",
            "--max-memory",
            "8192",
            "--max-events",
        ])
        .arg(limits.max_events.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut first = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?)
        .read_line(&mut first)
        .map_err(|e| e.to_string())?;
    let addr = first
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .ok_or("the listener did not say its address")?
        .to_owned();
    let result = post_on_one_connection(&addr, bodies, path, content_type).await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn post_on_one_connection(
    addr: &str,
    bodies: &[Vec<u8>],
    path: &str,
    content_type: &str,
) -> Result<(f64, u64), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut send, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let bodies: Vec<Bytes> = bodies.iter().map(|b| Bytes::from(b.clone())).collect();
    let t = Instant::now();
    for body in bodies {
        let req = hyper::Request::post(path)
            .header("host", addr)
            .header("content-type", content_type)
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let res = send.send_request(req).await.map_err(|e| e.to_string())?;
        let status = res.status();
        res.into_body().collect().await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("the listener answered {status}"));
        }
    }
    let seconds = t.elapsed().as_secs_f64();
    let req = hyper::Request::get("/v1/status")
        .header("host", addr)
        .body(Full::new(Bytes::new()))
        .map_err(|e| e.to_string())?;
    let res = send.send_request(req).await.map_err(|e| e.to_string())?;
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let status: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    Ok((seconds, status["stored"].as_u64().unwrap_or(0)))
}
