//! # `lineage listen`: an OTLP/HTTP receiver for live traces
//!
//! Programs send spans (`POST /v1/traces`, OTLP protobuf or JSON) or event lines
//! (`POST /v1/events`) while they run; the page follows them (`GET /v1/stream`, Server-Sent
//! Events). What a body becomes and where it is kept is [`crate::listener`]; this module is the
//! HTTP around it, served by hyper on a current-thread tokio runtime:
//!
//! - `server.rs`: binding, the connection cap, timeouts, shutdown on Ctrl-C / SIGTERM.
//! - `routes.rs`: one request: auth, dispatch, reading and storing.
//! - `answer.rs`: the responses: CORS headers, the OTLP answers in the request's encoding.
//! - `body.rs`: reading a body within its limit, its deadline and the in-flight budget.
//! - `stream.rs`: the page's event stream.
//!
//! The protocol and the limits are described in `docs/live.md`.

mod answer;
mod body;
mod routes;
mod server;
mod shared;
mod stream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use crate::listener::WhenFull;
use crate::trace::{Limits, MAX_DEPTH};

#[derive(Args, Debug, Clone)]
pub(crate) struct ListenArgs {
    /// Address to listen on. Anything but loopback needs --allow-remote and --token.
    #[arg(long, default_value = "127.0.0.1:4318")]
    pub bind: SocketAddr,
    /// Record every event received as lineage NDJSON, appended and flushed per request.
    #[arg(long, value_name = "FILE.ndjson")]
    pub out: Option<PathBuf>,
    /// Require `Authorization: Bearer TOKEN` on every request (`?token=` on the stream).
    #[arg(long)]
    pub token: Option<String>,
    /// Allow binding to a non-loopback address (with --token).
    #[arg(long)]
    pub allow_remote: bool,
    /// Events kept at most (also at most one per 320 bytes of --max-memory).
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_events)]
    pub max_events: u64,
    /// Memory the kept events may hold, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = Limits::DEFAULT.max_retained_bytes >> 20)]
    pub max_memory: u64,
    /// What a full listener does: evict the oldest events, or refuse new ones (429).
    #[arg(long, value_enum, default_value_t = WhenFull::KeepNewest)]
    pub when_full: WhenFull,
    /// Largest request body, in MiB (as sent, before gzip is inflated).
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub max_body: u64,
    /// Largest body once gzip is inflated, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_inflated: u64,
    /// Connections served at once; more are answered 503.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers, and then its body.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub read_timeout: f64,
}

/// What the request handlers need to know of the command line.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub token: Option<String>,
    /// The store's budget.
    pub limits: Limits,
    /// What decoding one request may cost: the import budget's event count and half the
    /// store's memory (the decoded events are held until they are stored).
    pub request_limits: Limits,
    pub max_body: usize,
    pub max_inflated: usize,
    /// Body bytes all requests together may hold while they are read.
    pub max_in_flight: usize,
    pub max_connections: usize,
    pub read_timeout: Duration,
}

impl Settings {
    fn of(args: &ListenArgs) -> Result<Settings, String> {
        if !(args.read_timeout > 0.0 && args.read_timeout <= 3600.0) {
            return Err("--read-timeout must be between 0 and 3600 seconds".into());
        }
        let max_body = (args.max_body.max(1) << 20) as usize;
        let limits = Limits {
            max_bytes: (args.max_inflated.max(1) << 20).max(args.max_body << 20),
            max_depth: MAX_DEPTH,
            max_events: args.max_events.max(1),
            max_retained_bytes: args.max_memory.max(1) << 20,
        };
        Ok(Settings {
            token: args.token.clone(),
            limits,
            request_limits: Limits {
                max_events: Limits::DEFAULT.max_events,
                max_retained_bytes: (limits.max_retained_bytes / 2).max(16 << 20),
                ..limits
            },
            max_body,
            max_inflated: (args.max_inflated.max(1) << 20) as usize,
            max_in_flight: max_body * 4,
            max_connections: args.max_connections.max(1),
            read_timeout: Duration::from_secs_f64(args.read_timeout),
        })
    }
}

/// Runs the listener until Ctrl-C or SIGTERM.
pub(crate) fn run(args: ListenArgs) -> ExitCode {
    let settings = match Settings::of(&args) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("lineage listen: {message}");
            return ExitCode::from(2);
        }
    };
    if let Err(message) = check_exposure(&args) {
        eprintln!("lineage listen: {message}");
        return ExitCode::from(2);
    }
    // Bodies nested to MAX_DEPTH need a deep stack (see `trace::read`): the runtime's one
    // thread gets it.
    super::input::with_deep_stack(move || server::run(args, settings))
}

/// Loopback by default; anything else only when asked for, with a token, and said aloud.
fn check_exposure(args: &ListenArgs) -> Result<(), String> {
    if args.bind.ip().is_loopback() {
        return Ok(());
    }
    if !args.allow_remote {
        return Err(format!(
            "{} is not a loopback address: other machines could send events and read the \
             stream; pass --allow-remote and --token to mean it",
            args.bind
        ));
    }
    if args.token.as_deref().is_none_or(str::is_empty) {
        return Err(
            "--allow-remote needs --token (a bearer token every request must carry)".into(),
        );
    }
    eprintln!(
        "lineage listen: warning: listening on {} beyond this machine; requests need the token, \
         but the traffic is plain HTTP (put a TLS proxy or a collector in front on an open network)",
        args.bind
    );
    Ok(())
}
