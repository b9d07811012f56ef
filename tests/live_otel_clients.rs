//! Two real OpenTelemetry clients, written by others, send to a real `lineage listen`:
//!
//! - Rust: `tracing` spans under `tracing-opentelemetry`, exported by `opentelemetry-otlp`'s
//!   OTLP/HTTP protobuf exporter (blocking reqwest client, batch span processor);
//! - Python: the OpenTelemetry Python SDK with `opentelemetry-exporter-otlp-proto-http`, gzip
//!   on, installed from PyPI into a virtual environment by scripts/python-venv.sh (skipped
//!   with a message only when python3 itself is missing).
//!
//! Each sends nested (three levels), concurrent (threads), partly failing (error status)
//! operations with a span event each; after the client flushed, the listener's `--out` file
//! must hold exactly the spans sent: as many spans, error spans, parent links, all parents
//! found, and the listener's status must count every stored event.
#![cfg(not(target_arch = "wasm32"))]

#[path = "clients/listener.rs"]
mod listener;

use std::process::Command;
use std::thread;

use listener::{counter, scratch, Counts, Listener};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::field::Empty;
use tracing_subscriber::layer::SubscriberExt;

const THREADS: usize = 4;
const PER_THREAD: usize = 25;
/// Operation `i` fails when `i % FAIL_EVERY == 0`.
const FAIL_EVERY: usize = 4;
const LEVELS: usize = 3;

/// What the clients send, as the listener should count it.
fn expected() -> Counts {
    let operations = THREADS * PER_THREAD;
    let failing = operations.div_ceil(FAIL_EVERY);
    Counts {
        spans: operations * LEVELS,
        errors: failing * LEVELS,
        with_parent: operations * (LEVELS - 1),
        parent_found: operations * (LEVELS - 1),
    }
}

/// Events the listener stores for what the clients send: a start and an end per span, and
/// one span event per operation.
fn expected_events() -> usize {
    THREADS * PER_THREAD * (2 * LEVELS + 1)
}

/// One operation, three levels deep; a failure innermost is marked on every level.
fn operation(index: usize) {
    let fails = index.is_multiple_of(FAIL_EVERY);
    let call = tracing::info_span!("update_gpa", operation = index, otel.status_code = Empty);
    call.in_scope(|| {
        let preparation = tracing::info_span!("input_preparation", otel.status_code = Empty);
        preparation.in_scope(|| {
            let execution = tracing::info_span!(
                "transactional_execution",
                otel.status_code = Empty,
                otel.status_message = Empty
            );
            execution.in_scope(|| tracing::info!(entity = index, "isolated"));
            if fails {
                execution.record("otel.status_code", "ERROR");
                execution.record("otel.status_message", "gpa out of range");
            }
        });
        if fails {
            preparation.record("otel.status_code", "ERROR");
        }
    });
    if fails {
        call.record("otel.status_code", "ERROR");
    }
}

#[test]
fn the_rust_otlp_exporter_under_tracing_is_counted_span_for_span() {
    let dir = scratch("otel-rust-client");
    let listener = Listener::start(&dir);
    let exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", listener.base))
        .build()
        .expect("building the OTLP/HTTP exporter");
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("lineage-tests"));
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let dispatch = dispatch.clone();
            thread::spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    (0..PER_THREAD).for_each(|i| operation(t * PER_THREAD + i))
                })
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    drop(dispatch);
    provider.force_flush().expect("the exporter flushed");
    provider.shutdown().expect("the provider shut down");

    check(listener, "the Rust exporter");
}

#[test]
fn the_python_sdks_otlp_exporter_with_gzip_is_counted_span_for_span() {
    let Some(python) = venv_python() else {
        eprintln!("SKIPPED: python3 is missing, so the OpenTelemetry Python SDK cannot run");
        return;
    };
    let dir = scratch("otel-python-client");
    let listener = Listener::start(&dir);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/clients/otel_python_client.py"
    );
    let run = Command::new(&python)
        .arg(script)
        .arg(&listener.base)
        .args([THREADS, PER_THREAD, FAIL_EVERY].map(|n| n.to_string()))
        .output()
        .expect("running the Python client");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert!(run.status.success(), "the Python client failed: {stderr}");
    let produced: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    // What the SDK produced is what we meant to send (else the comparison below is moot).
    let want = expected();
    assert_eq!(produced["spans"], want.spans, "{produced}");
    assert_eq!(produced["errors"], want.errors, "{produced}");
    assert_eq!(produced["with_parent"], want.with_parent, "{produced}");
    assert_eq!(produced["flushed"], true, "{produced}\n{stderr}");

    check(listener, "the Python SDK");
}

/// The listener's status and `--out` file hold exactly what was sent.
fn check(listener: Listener, client: &str) {
    let status = listener.status();
    assert_eq!(counter(&status, "refused"), 0, "{client}: {status}");
    assert_eq!(
        counter(&status, "stored"),
        expected_events() as u64,
        "{client}: {status}"
    );
    let recorded = listener.stop();
    assert_eq!(recorded.len(), expected_events(), "{client}");
    assert_eq!(Counts::of(&recorded), expected(), "{client}");
}

/// The venv's python from scripts/python-venv.sh (which creates it if missing); `None` only
/// when python3 itself is missing.
fn venv_python() -> Option<String> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/python-venv.sh");
    let run = Command::new("bash")
        .arg(script)
        .output()
        .expect("running scripts/python-venv.sh");
    assert!(
        run.status.success(),
        "scripts/python-venv.sh failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    stdout.lines().last().map(|l| l.trim().to_owned())
}
