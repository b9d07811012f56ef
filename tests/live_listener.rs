//! `lineage listen` through its HTTP interface, one status-code path per test, against the
//! real binary (see `docs/live.md` for the protocol).
#![cfg(not(target_arch = "wasm32"))]

mod live_support;

use std::io::Write;

use live_support::{event_lines, post, request, send, span, Listener, Stream};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message as _;

const PROTO: &str = "application/x-protobuf";

/// `google.rpc.Status` as OTLP/HTTP sends it with a 400.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

async fn status(l: &Listener) -> serde_json::Value {
    send("GET", &format!("{}/v1/status", l.url), &[], "")
        .await
        .json()
}

#[tokio::test]
async fn protobuf_spans_are_stored_and_answered_in_protobuf() {
    let l = Listener::start(&[]);
    let spans = vec![
        span(1, 1, None, "root", false),
        span(1, 2, Some(1), "child", true),
        span(1, 3, Some(1), "other", false),
    ];
    let a = post(
        &format!("{}/v1/traces", l.url),
        PROTO,
        request(spans).encode_to_vec(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("content-type"), Some(PROTO));
    assert_eq!(a.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        a.header("cross-origin-resource-policy"),
        Some("cross-origin")
    );
    let r = ExportTraceServiceResponse::decode(a.body).unwrap();
    assert_eq!(r.partial_success, None);
    let s = status(&l).await;
    assert_eq!(
        (s["received"].as_u64(), s["stored"].as_u64()),
        (Some(6), Some(6))
    );

    let mut stream = Stream::open(&format!("{}/v1/stream?from=1", l.url)).await;
    assert_eq!(stream.next().await.unwrap().event, "hello");
    let m = stream.next_not_status().await.unwrap();
    assert_eq!(
        (m.event.as_str(), m.id, m.data.len()),
        ("events", Some(6), 6)
    );
    let events: Vec<lineage::core::Event> = m
        .data
        .iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    let failed: Vec<_> = events.iter().filter(|e| e.error.is_some()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].error.as_deref(), Some("it broke"));
    let children = events.iter().filter(|e| e.parent_id == Some(events[0].id));
    assert_eq!(children.count(), 4, "two child spans, start and end each");
}

#[tokio::test]
async fn gzip_protobuf_is_inflated() {
    let l = Listener::start(&[]);
    let body = gzip(&request(vec![span(2, 1, None, "a", false)]).encode_to_vec());
    let a = send(
        "POST",
        &format!("{}/v1/traces", l.url),
        &[("content-type", PROTO), ("content-encoding", "gzip")],
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(status(&l).await["stored"], 2);
}

#[tokio::test]
async fn otlp_json_is_read_by_the_file_importer_and_answered_in_json() {
    let l = Listener::start(&[]);
    let doc = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[
        {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
         "name":"GET /","startTimeUnixNano":"1000","endTimeUnixNano":"2000"}]}]}]}"#;
    let a = post(&format!("{}/v1/traces", l.url), "application/json", doc).await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.header("content-type"), Some("application/json"));
    assert_eq!(a.json(), serde_json::json!({}));
    assert_eq!(status(&l).await["stored"], 2);
}

#[tokio::test]
async fn spans_with_bad_ids_are_rejected_in_a_partial_success_and_the_rest_kept() {
    let l = Listener::start(&[]);
    let mut bad = span(3, 9, None, "bad", false);
    bad.span_id = vec![1, 2, 3];
    let body = request(vec![span(3, 1, None, "good", false), bad]).encode_to_vec();
    let a = post(&format!("{}/v1/traces", l.url), PROTO, body).await;
    assert_eq!(a.status, 200);
    let p = ExportTraceServiceResponse::decode(a.body)
        .unwrap()
        .partial_success
        .expect("a partial success");
    assert_eq!(p.rejected_spans, 1);
    assert!(
        p.error_message.contains("span id has 3 bytes"),
        "{}",
        p.error_message
    );
    assert_eq!(status(&l).await["stored"], 2);
}

#[tokio::test]
async fn protobuf_garbage_is_a_400_with_an_rpc_status_and_loses_nothing() {
    let l = Listener::start(&[]);
    let url = format!("{}/v1/traces", l.url);
    let ok = request(vec![span(4, 1, None, "kept", false)]).encode_to_vec();
    assert_eq!(post(&url, PROTO, ok).await.status, 200);
    let a = post(&url, PROTO, b"\xff\xff\xff\xff garbage \x1b[2J".to_vec()).await;
    assert_eq!(a.status, 400);
    let st = RpcStatus::decode(a.body).unwrap();
    assert_eq!(st.code, 3);
    assert!(
        st.message.starts_with("could not decode the body"),
        "{}",
        st.message
    );
    assert!(st.message.len() < 400 && !st.message.contains('\x1b'));
    assert_eq!(
        status(&l).await["stored"],
        2,
        "what was stored before stays"
    );
}

#[tokio::test]
async fn json_garbage_is_a_400_with_a_json_status() {
    let l = Listener::start(&[]);
    let a = post(
        &format!("{}/v1/traces", l.url),
        "application/json; charset=utf-8",
        "{\"resourceSpans\": [\u{1b}]2;pwned",
    )
    .await;
    assert_eq!(a.status, 400);
    let j = a.json();
    assert_eq!(j["code"], 3);
    let msg = j["message"].as_str().unwrap();
    assert!(!msg.contains('\x1b') && msg.len() < 400, "{msg}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let l = Listener::start(&["--max-body", "1"]);
    let a = post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        vec![b' '; 2 << 20],
    )
    .await;
    assert_eq!(a.status, 413, "{}", a.text());
    // Read to its end (within four times the limit) before the answer, so the client gets
    // the 413 rather than a reset, on a connection it may reuse.
    assert_eq!(a.headers.get("connection"), None, "{:?}", a.headers);
    // (A body declared past that is answered at once with `Connection: close`; the client
    // may then see a reset instead of the answer, so that case is not asserted here.)
}

#[tokio::test]
async fn a_gzip_bomb_is_a_413_not_inflated() {
    let l = Listener::start(&["--max-inflated", "1"]);
    let bomb = gzip(&vec![b' '; 64 << 20]);
    let a = send(
        "POST",
        &format!("{}/v1/events", l.url),
        &[("content-encoding", "gzip")],
        bomb,
    )
    .await;
    assert_eq!(a.status, 413, "{}", a.text());
    assert!(a.text().contains("inflates to more than"), "{}", a.text());
}

#[tokio::test]
async fn other_content_types_are_a_415() {
    let l = Listener::start(&[]);
    let a = post(&format!("{}/v1/traces", l.url), "text/plain", "hi").await;
    assert_eq!(a.status, 415);
    let a = send(
        "POST",
        &format!("{}/v1/traces", l.url),
        &[("content-type", PROTO), ("content-encoding", "br")],
        "x",
    )
    .await;
    assert_eq!(a.status, 415);
}

#[tokio::test]
async fn with_a_token_requests_without_it_are_a_401() {
    let l = Listener::start(&["--token", "s3cret"]);
    let url = format!("{}/v1/events", l.url);
    assert_eq!(
        post(&url, "application/x-ndjson", event_lines(1, 1))
            .await
            .status,
        401
    );
    let wrong = [("authorization", "Bearer s3creT")];
    assert_eq!(
        send("POST", &url, &wrong, event_lines(1, 1)).await.status,
        401
    );
    let right = [("authorization", "Bearer s3cret")];
    let a = send("POST", &url, &right, event_lines(1, 1)).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let a = send("GET", &format!("{}/v1/stream", l.url), &[], "").await;
    assert_eq!(a.status, 401);
    let mut s = Stream::open(&format!("{}/v1/stream?from=1&token=s3cret", l.url)).await;
    assert_eq!(s.next().await.unwrap().event, "hello");
    let pre = send("OPTIONS", &url, &[], "").await;
    assert_eq!(pre.status, 204, "preflights need no token");
    assert!(pre
        .header("access-control-allow-headers")
        .unwrap()
        .contains("authorization"));
}

#[tokio::test]
async fn event_lines_report_bad_lines_and_keep_the_others() {
    let l = Listener::start(&[]);
    let mut body = event_lines(2, 1);
    body.push_str("{\"id\": \"not a uuid\u{1b}[31m\"}\n");
    body.push_str(&event_lines(2, 3));
    let a = post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        body,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let j = a.json();
    assert_eq!(
        (j["accepted"].as_u64(), j["rejected"].as_u64()),
        (Some(4), Some(1))
    );
    let err = j["errors"][0].as_str().unwrap();
    assert!(err.starts_with("line 3: "), "{err}");
    assert!(!err.contains('\x1b'), "{err}");
    let a = post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        "nonsense",
    )
    .await;
    assert_eq!(a.status, 400);
}

#[tokio::test]
async fn a_full_listener_that_refuses_answers_429_with_retry_after() {
    let l = Listener::start(&["--max-events", "4", "--when-full", "refuse"]);
    let url = format!("{}/v1/events", l.url);
    let a = post(&url, "application/x-ndjson", event_lines(6, 1)).await;
    assert_eq!(a.status, 200, "{}", a.text());
    let j = a.json();
    assert_eq!(
        (j["accepted"].as_u64(), j["rejected"].as_u64()),
        (Some(4), Some(2))
    );
    let a = post(&url, "application/x-ndjson", event_lines(1, 7)).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.header("retry-after"), Some("1"));
    let proto = request(vec![span(5, 1, None, "late", false)]).encode_to_vec();
    let a = post(&format!("{}/v1/traces", l.url), PROTO, proto).await;
    assert_eq!(a.status, 429);
    let s = status(&l).await;
    assert_eq!(
        (s["stored"].as_u64(), s["refused"].as_u64()),
        (Some(4), Some(2))
    );
}

#[tokio::test]
async fn keep_newest_evicts_the_oldest_and_a_late_stream_gets_a_gap() {
    let l = Listener::start(&["--max-events", "5"]);
    let a = post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        event_lines(18, 1),
    )
    .await;
    assert_eq!(a.status, 200);
    let s = status(&l).await;
    assert_eq!(
        (s["stored"].as_u64(), s["evicted"].as_u64()),
        (Some(18), Some(13))
    );
    let mut stream = Stream::open(&format!("{}/v1/stream?from=1", l.url)).await;
    let hello = stream.next().await.unwrap();
    let h: serde_json::Value = serde_json::from_str(&hello.data[0]).unwrap();
    assert_eq!(
        (h["first_seq"].as_u64(), h["next_seq"].as_u64()),
        (Some(14), Some(19))
    );
    assert_eq!(h["when_full"], "keep-newest");
    let gap = stream.next().await.unwrap();
    assert_eq!(gap.event, "gap");
    let g: serde_json::Value = serde_json::from_str(&gap.data[0]).unwrap();
    assert_eq!(
        g,
        serde_json::json!({"from": 1, "first_seq": 14, "lost": 13})
    );
    let m = stream.next_not_status().await.unwrap();
    assert_eq!((m.id, m.data.len()), (Some(18), 5));
    assert!(m.data[0].contains("000000000014"), "{}", m.data[0]);
}

#[tokio::test]
async fn a_stream_resumed_from_its_last_id_has_no_gap_and_no_duplicate() {
    let l = Listener::start(&[]);
    let url = format!("{}/v1/events", l.url);
    post(&url, "application/x-ndjson", event_lines(10, 1)).await;
    let mut seen = Vec::new();
    let mut last = 0;
    {
        let mut s = Stream::open(&format!("{}/v1/stream?from=1", l.url)).await;
        while last < 10 {
            let m = s.next_not_status().await.unwrap();
            if m.event == "events" {
                seen.extend(m.data);
                last = m.id.unwrap();
            }
        }
    } // the page goes away
    post(&url, "application/x-ndjson", event_lines(5, 11)).await;
    let mut s = Stream::open(&format!("{}/v1/stream?from={}", l.url, last + 1)).await;
    while last < 15 {
        let m = s.next_not_status().await.unwrap();
        assert_ne!(m.event, "gap");
        if m.event == "events" {
            seen.extend(m.data);
            last = m.id.unwrap();
        }
    }
    let ids: Vec<String> = seen
        .iter()
        .map(|d| serde_json::from_str::<serde_json::Value>(d).unwrap()["id"].to_string())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids.len(), 15);
    assert_eq!(unique, ids);
    assert!(ids[14].contains("000000000015"));
}

#[tokio::test]
async fn a_stream_follows_events_as_they_arrive() {
    let l = Listener::start(&[]);
    let mut s = Stream::open(&format!("{}/v1/stream", l.url)).await;
    assert_eq!(s.next().await.unwrap().event, "hello");
    post(
        &format!("{}/v1/events", l.url),
        "application/x-ndjson",
        event_lines(3, 1),
    )
    .await;
    let m = s.next_not_status().await.unwrap();
    assert_eq!((m.event.as_str(), m.id), ("events", Some(3)));
    let st = loop {
        let m = s.next().await.unwrap();
        if m.event == "status" {
            break m;
        }
    };
    let v: serde_json::Value = serde_json::from_str(&st.data[0]).unwrap();
    assert_eq!(
        (v["stored"].as_u64(), v["clients"].as_u64()),
        (Some(3), Some(1))
    );
}

#[tokio::test]
async fn a_convert_to_otlp_file_posted_as_json_is_read_span_for_span() {
    let dir = std::env::temp_dir().join(format!("lineage-live-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (run, otlp) = (dir.join("run.ndjson"), dir.join("run.otlp.json"));
    let lineage = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lineage"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    lineage(&[
        "simulate".as_ref(),
        "--operations".as_ref(),
        "20".as_ref(),
        "--out".as_ref(),
        run.as_os_str(),
    ]);
    lineage(&[
        "convert".as_ref(),
        run.as_os_str(),
        "--to".as_ref(),
        "otlp".as_ref(),
        "--out".as_ref(),
        otlp.as_os_str(),
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&otlp).unwrap()).unwrap();
    let spans: usize = doc["resourceSpans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|rs| rs["scopeSpans"].as_array().unwrap())
        .map(|ss| ss["spans"].as_array().unwrap().len())
        .sum();
    let l = Listener::start(&[]);
    let a = post(
        &format!("{}/v1/traces", l.url),
        "application/json",
        std::fs::read(&otlp).unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.json(), serde_json::json!({}));
    let s = status(&l).await;
    let stored = s["stored"].as_u64().unwrap() as usize;
    assert!(stored >= 2 * spans, "{stored} events for {spans} spans");
    std::fs::remove_dir_all(dir).unwrap();
}
