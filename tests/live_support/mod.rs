//! Helpers for the listener's tests: start the real `lineage listen` binary on a free port,
//! send it requests, read its stream. Shared by `tests/live_*.rs`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{status, ResourceSpans, ScopeSpans, Span, Status};

/// A guard for test waits: a test that would hang fails instead (not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// A running `lineage listen`, killed when dropped.
pub struct Listener {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub addr: String,
}

impl Listener {
    /// Starts the listener on a free loopback port with `args` added.
    pub fn start(args: &[&str]) -> Listener {
        Listener::start_exe(env!("CARGO_BIN_EXE_lineage"), args)
    }

    /// [`Listener::start`] with another `lineage` binary (a release build, for figures).
    pub fn start_exe(exe: &str, args: &[&str]) -> Listener {
        let mut child = Command::new(exe)
            .args(["listen", "--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lineage binary starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        let addr = url.trim_start_matches("http://").to_owned();
        Listener { child, url, addr }
    }

    /// Sends SIGTERM and waits for the exit; returns (success, standard error).
    pub fn terminate(mut self) -> (bool, String) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            use std::io::Read;
            e.read_to_string(&mut err).unwrap();
        }
        (status.success(), err)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends one request with `headers` and `body`.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    try_send(method, url, headers, body)
        .await
        .expect("the request is sent and answered")
}

/// [`send`], or `None` when the connection fails (a listener refusing it unread).
pub async fn try_send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Option<Answer> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut req = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Full::new(body.into())).unwrap();
    let res = tokio::time::timeout(PATIENCE, client.request(req))
        .await
        .expect("an answer in time")
        .ok()?;
    let (parts, body) = res.into_parts();
    let body = body.collect().await.ok()?.to_bytes();
    Some(Answer {
        status: parts.status,
        headers: parts.headers,
        body,
    })
}

pub async fn post(url: &str, content_type: &str, body: impl Into<Bytes>) -> Answer {
    send("POST", url, &[("content-type", content_type)], body).await
}

/// One message of the stream: its `event:` name, `id:` and `data:` lines.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub event: String,
    pub id: Option<u64>,
    pub data: Vec<String>,
}

/// An open `GET /v1/stream`, read message by message.
pub struct Stream {
    body: hyper::body::Incoming,
    buf: String,
}

impl Stream {
    pub async fn open(url: &str) -> Stream {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let req = Request::get(url).body(Full::new(Bytes::new())).unwrap();
        let res = tokio::time::timeout(PATIENCE, client.request(req))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Stream {
            body: res.into_body(),
            buf: String::new(),
        }
    }

    /// The next message (keepalive comments skipped); `None` when the stream ended.
    pub async fn next(&mut self) -> Option<Message> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut m = Message::default();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        m.event = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        m.id = Some(v.parse().unwrap());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        m.data.push(v.to_owned());
                    }
                }
                if m.event.is_empty() {
                    continue; // a comment
                }
                return Some(m);
            }
            let frame = tokio::time::timeout(PATIENCE, self.body.frame())
                .await
                .expect("a message in time")?
                .unwrap();
            if let Ok(data) = frame.into_data() {
                self.buf.push_str(std::str::from_utf8(&data).unwrap());
            }
        }
    }

    /// The next message that is not a `status`.
    pub async fn next_not_status(&mut self) -> Option<Message> {
        loop {
            let m = self.next().await?;
            if m.event != "status" {
                return Some(m);
            }
        }
    }
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(AnyValue { value: Some(value) }),
        ..Default::default()
    }
}

/// A span of trace `trace` with id `id` (and parent), lasting 1 ms, failing if asked.
pub fn span(trace: u8, id: u8, parent: Option<u8>, name: &str, fail: bool) -> Span {
    Span {
        trace_id: vec![trace; 16],
        span_id: vec![id; 8],
        parent_span_id: parent.map(|p| vec![p; 8]).unwrap_or_default(),
        name: name.into(),
        kind: 1,
        start_time_unix_nano: 1_700_000_000_000_000_000 + id as u64 * 1000,
        end_time_unix_nano: 1_700_000_000_001_000_000 + id as u64 * 1000,
        attributes: vec![kv("n", any_value::Value::IntValue(id as i64))],
        status: fail.then(|| Status {
            code: status::StatusCode::Error as i32,
            message: "it broke".into(),
        }),
        ..Default::default()
    }
}

/// A request carrying `spans` from one service.
pub fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![kv(
                    "service.name",
                    any_value::Value::StringValue("test".into()),
                )],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

/// `n` lineage NDJSON lines: `n` single events with distinct ids.
pub fn event_lines(n: usize, from: usize) -> String {
    (from..from + n)
        .map(|i| {
            let id = format!("00000000-0000-4000-8000-{i:012}");
            format!(
                "{{\"id\":\"{id}\",\"kind\":\"k\",\"phase\":\"started\",\"root_id\":\"{id}\",\
                 \"lineage_id\":\"{id}\",\"seq\":{i},\"timestamp_ns\":{i}}}\n"
            )
        })
        .collect()
}
