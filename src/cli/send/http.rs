//! # Posting a batch, and what to do when the listener says "not now"
//!
//! A blocking HTTP/1.1 client ([`ureq`], no TLS, no async runtime: the sender is one thread
//! that has nothing else to do while a request is out). The listener's answers, as the live
//! protocol (and OTLP/HTTP) define them:
//!
//! - **200**: taken. For `/v1/events` the body says how many lines were accepted and rejected;
//!   for OTLP JSON a `partialSuccess` says how many spans were rejected. Rejections are
//!   counted and reported, never hidden.
//! - **429 / 503** with `Retry-After`: the listener's budget is full (`--when-full refuse`).
//!   Wait as long as it asks (capped per wait at [`MAX_WAIT`]) and retry the same body, at
//!   most [`MAX_RETRIES`] times: a listener that never frees room stops the run with an error
//!   rather than holding it forever.
//! - **No connection**: before the run, a clear error ("nothing listens at …"); during the
//!   run, a few short retries (a listener restarting comes back within a second), then the
//!   same error.
//! - Anything else: an error with the status and the start of the listener's sentence.

use std::thread;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use ureq::http::Response;
use ureq::{Agent, Body};

use super::batch::SendFormat;
use crate::text;

/// Retries of one body on 429/503 before the run gives up.
pub(crate) const MAX_RETRIES: u32 = 30;
/// The longest single wait on a `Retry-After`, whatever the listener asks.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(10);
/// Retries of one body when the connection fails mid-run (the listener restarting).
const CONNECT_RETRIES: u32 = 5;
/// How much of a listener's error body is quoted, in characters.
const QUOTED_CHARS: usize = 200;

/// Where batches go and how.
pub(crate) struct Poster {
    agent: Agent,
    base: String,
    token: Option<String>,
}

/// What the listener said about the bodies it took.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Taken {
    /// Lines or spans the listener refused (bad records), with its first reason.
    pub rejected: u64,
    pub first_error: Option<String>,
    /// Times a body was sent again after 429/503 or a dropped connection.
    pub retries: u64,
}

impl Poster {
    /// `base` as the user wrote it: `http://host:port` or `host:port`, with no path.
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Poster, String> {
        let base = normalise(base)?;
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(3)))
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Ok(Poster { agent, base, token })
    }

    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Asks `GET /v1/status` once, so a run does not start when nothing listens. A server
    /// that answers 404 is not a lineage listener; for OTLP that is fine (a collector has no
    /// status route), for NDJSON it is an error.
    pub(crate) fn check(&self, format: SendFormat) -> Result<(), String> {
        let url = format!("{}/v1/status", self.base);
        let mut request = self.agent.get(&url);
        if let Some(t) = &self.token {
            request = request.header("Authorization", format!("Bearer {t}"));
        }
        match request.call() {
            Err(e) => Err(self.unreachable(&e)),
            Ok(r) if r.status() == 200 => Ok(()),
            Ok(r) if r.status() == 401 => Err(format!(
                "the listener at {} wants a token: pass --send-token",
                self.base
            )),
            Ok(_) if format != SendFormat::Ndjson => Ok(()),
            Ok(mut r) => Err(format!(
                "{} answers but is not a lineage listener (GET /v1/status: {} {})",
                self.base,
                r.status(),
                quoted(&mut r)
            )),
        }
    }

    /// Posts one body, retrying as the module docs say; adds what happened to `taken`.
    pub(crate) fn post(
        &self,
        format: SendFormat,
        body: &[u8],
        taken: &mut Taken,
    ) -> Result<(), String> {
        let url = format!("{}{}", self.base, format.path());
        let (mut busy, mut dropped) = (0u32, 0u32);
        loop {
            let mut request = self
                .agent
                .post(&url)
                .header("Content-Type", format.content_type());
            if let Some(t) = &self.token {
                request = request.header("Authorization", format!("Bearer {t}"));
            }
            let mut response = match request.send(body) {
                Ok(r) => r,
                Err(_) if dropped < CONNECT_RETRIES => {
                    dropped += 1;
                    taken.retries += 1;
                    thread::sleep(Duration::from_millis(100 << dropped));
                    continue;
                }
                Err(e) => return Err(self.unreachable(&e)),
            };
            match response.status().as_u16() {
                200 => return read_taken(format, &mut response, taken),
                429 | 503 if busy < MAX_RETRIES => {
                    busy += 1;
                    taken.retries += 1;
                    thread::sleep(retry_after(&response));
                }
                429 | 503 => {
                    return Err(format!(
                        "the listener stayed full: {} answered {} to {MAX_RETRIES} retries of one batch",
                        url,
                        response.status().as_u16()
                    ))
                }
                status => {
                    return Err(format!(
                        "{url} answered {status}: {}",
                        quoted(&mut response)
                    ))
                }
            }
        }
    }

    fn unreachable(&self, e: &ureq::Error) -> String {
        format!(
            "nothing listens at {} ({e}); start one with `lineage listen` in another terminal",
            self.base
        )
    }
}

/// `http://host:port` without a trailing slash; `host:port` gets `http://`. https is refused:
/// the sender speaks plain HTTP only (send through a collector for anything else).
fn normalise(base: &str) -> Result<String, String> {
    let base = base.trim().trim_end_matches('/');
    if base.starts_with("https://") {
        return Err(format!(
            "--send {}: https is not supported (plain http only; put a collector in between)",
            text::escape(base)
        ));
    }
    let base = if base.contains("://") {
        base.to_owned()
    } else {
        format!("http://{base}")
    };
    let rest = &base["http://".len().min(base.len())..];
    if !base.starts_with("http://") || rest.is_empty() || rest.contains('/') {
        return Err(format!(
            "--send {}: give the listener as http://HOST:PORT (no path)",
            text::escape(&base)
        ));
    }
    Ok(base)
}

/// The wait a 429/503 asks for: `Retry-After` in seconds (an HTTP date or nonsense counts as
/// one second), capped at [`MAX_WAIT`].
fn retry_after(response: &Response<Body>) -> Duration {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_secs)
        .min(MAX_WAIT)
}

/// Reads a 200's body: the listener's accepted/rejected counts, or OTLP's partial success
/// (in the request's encoding, as OTLP/HTTP answers).
fn read_taken(
    format: SendFormat,
    response: &mut Response<Body>,
    taken: &mut Taken,
) -> Result<(), String> {
    let bytes = response
        .body_mut()
        .with_config()
        .limit(1 << 20)
        .read_to_vec()
        .unwrap_or_default();
    let (rejected, error) = match format {
        SendFormat::Otlp => {
            let answer = ExportTraceServiceResponse::decode(bytes.as_slice()).unwrap_or_default();
            let partial = answer.partial_success.unwrap_or_default();
            (partial.rejected_spans.max(0) as u64, partial.error_message)
        }
        SendFormat::Ndjson | SendFormat::OtlpJson => {
            let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let (count, error) = if format == SendFormat::Ndjson {
                (&json["rejected"], &json["errors"][0])
            } else {
                let partial = &json["partialSuccess"];
                (&partial["rejectedSpans"], &partial["errorMessage"])
            };
            let count = count
                .as_u64()
                .or_else(|| count.as_str().and_then(|s| s.parse().ok()))
                .unwrap_or(0);
            (count, error.as_str().unwrap_or_default().to_owned())
        }
    };
    if rejected > 0 {
        taken.rejected += rejected;
        if taken.first_error.is_none() && !error.is_empty() {
            taken.first_error = Some(text::escape(&error).into_owned());
        }
    }
    Ok(())
}

/// The start of an error body, escaped for the terminal.
fn quoted(response: &mut Response<Body>) -> String {
    let text = response
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_string()
        .unwrap_or_default();
    let cut: String = text.chars().take(QUOTED_CHARS).collect();
    text::escape(cut.trim()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// A stand-in listener that answers each request with the next of `answers` (status,
    /// extra header line, body) and then closes; returns its address.
    fn answering(answers: Vec<(u16, &'static str, &'static str)>) -> String {
        let socket = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", socket.local_addr().unwrap());
        thread::spawn(move || {
            for (status, header, body) in answers {
                let (stream, _) = socket.accept().unwrap();
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                reader
                    .by_ref()
                    .take(length)
                    .read_to_end(&mut Vec::new())
                    .unwrap();
                let reply = format!(
                    "HTTP/1.1 {status} X\r\n{header}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                reader.get_mut().write_all(reply.as_bytes()).unwrap();
            }
        });
        address
    }

    #[test]
    fn a_full_listener_is_waited_for_and_the_same_body_sent_again() {
        let ok = r#"{"accepted":1,"rejected":0,"errors":[]}"#;
        let base = answering(vec![
            (429, "Retry-After: 0\r\n", ""),
            (503, "Retry-After: 0\r\n", ""),
            (200, "", ok),
        ]);
        let poster = Poster::new(&base, None).unwrap();
        let mut taken = Taken::default();
        poster
            .post(SendFormat::Ndjson, b"{}\n", &mut taken)
            .unwrap();
        assert_eq!((taken.retries, taken.rejected), (2, 0));
    }

    #[test]
    fn a_listener_that_stays_full_stops_the_run_after_the_retries() {
        let busy = vec![(429, "Retry-After: 0\r\n", ""); MAX_RETRIES as usize + 1];
        let poster = Poster::new(&answering(busy), None).unwrap();
        let error = poster
            .post(SendFormat::Ndjson, b"{}\n", &mut Taken::default())
            .unwrap_err();
        assert!(error.contains("stayed full"), "{error}");
    }

    #[test]
    fn rejected_lines_are_counted_with_the_first_reason() {
        let answer = r#"{"accepted":1,"rejected":2,"errors":["line 2: not an event","line 3: x"]}"#;
        let poster = Poster::new(&answering(vec![(200, "", answer)]), None).unwrap();
        let mut taken = Taken::default();
        poster
            .post(SendFormat::Ndjson, b"{}\n", &mut taken)
            .unwrap();
        assert_eq!(taken.rejected, 2);
        assert_eq!(taken.first_error.as_deref(), Some("line 2: not an event"));
    }

    #[test]
    fn addresses_are_normalised_and_paths_refused() {
        assert_eq!(
            normalise("127.0.0.1:4318").unwrap(),
            "http://127.0.0.1:4318"
        );
        assert_eq!(
            normalise("http://127.0.0.1:4318/").unwrap(),
            "http://127.0.0.1:4318"
        );
        assert!(normalise("https://example.org")
            .unwrap_err()
            .contains("https"));
        assert!(normalise("http://h:1/v1/events")
            .unwrap_err()
            .contains("no path"));
        assert!(normalise("ftp://h:1").is_err());
    }
}
