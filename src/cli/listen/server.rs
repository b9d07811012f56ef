//! # Serving: the socket, the connections, the shutdown
//!
//! One current-thread tokio runtime. Each connection is served by hyper's HTTP/1 server with
//! a header read timeout (a client that trickles its headers is dropped); a semaphore caps
//! the connections served at once, and one over the cap gets a fixed 503 and is closed
//! (a second, small cap bounds those too: past it a connection is closed unanswered).
//!
//! Ctrl-C or SIGTERM: the listener stops accepting, tells every stream (`event: bye`), lets
//! requests in progress finish (a few seconds at most), then flushes the recording and
//! returns. A request's events are stored and written in one synchronous step on the one
//! runtime thread, so the recording never ends in a cut line.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

use super::shared::Shared;
use super::{ListenArgs, Settings};
use crate::listener::LiveStore;

/// Connections over the cap that still get their 503 (past these, closed unanswered).
const REFUSING_AT_ONCE: usize = 64;

/// How long requests in progress get to finish at shutdown.
const GRACE: Duration = Duration::from_secs(3);

pub(super) fn run(args: ListenArgs, settings: Settings) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("lineage listen: could not start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(args, settings))
}

async fn serve(args: ListenArgs, settings: Settings) -> ExitCode {
    let mut store = LiveStore::new(settings.limits, args.when_full);
    if args.out.is_none() {
        // Nothing to number on from: every process is another store (`LiveStore::instance`).
        store.set_instance(uuid::Uuid::new_v4().to_string());
    }
    if let Some(path) = &args.out {
        match crate::listener::resume::resume(&mut store, path) {
            Ok(r) if r.events > 0 || r.cut_bytes > 0 => eprintln!(
                "lineage listen: resumed {} events from {} (numbering goes on at {}){}",
                r.events,
                path.display(),
                store.next_seq(),
                if r.cut_bytes > 0 {
                    format!("; its cut last line ({} bytes) was removed", r.cut_bytes)
                } else {
                    String::new()
                }
            ),
            Ok(_) => {}
            Err(message) => {
                eprintln!("lineage listen: {}", crate::text::escape(&message));
                return ExitCode::FAILURE;
            }
        }
        match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(f) => store.record_to(Box::new(std::io::BufWriter::with_capacity(1 << 16, f))),
            Err(e) => {
                eprintln!("lineage listen: cannot open {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let listener = match TcpListener::bind(args.bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lineage listen: cannot listen on {}: {e}", args.bind);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().map_or(args.bind, |a| a);
    let shared = Arc::new(Shared {
        stored: watch::Sender::new(store.next_seq()),
        store: Mutex::new(store),
        stopping: watch::Sender::new(None),
        clients: AtomicUsize::new(0),
        in_flight: AtomicUsize::new(0),
        settings,
    });
    announce(&addr, &args);
    let permits = Arc::new(Semaphore::new(shared.settings.max_connections));
    let reason = tokio::select! {
        () = accept_loop(&listener, &shared, &permits) => "the listener stopped accepting",
        reason = stop_signal() => reason,
    };
    drop(listener);
    shared
        .stopping
        .send_replace(Some(format!("the listener is shutting down ({reason})")));
    let all = shared.settings.max_connections as u32;
    let _ = tokio::time::timeout(GRACE, permits.acquire_many(all)).await;
    finish(&shared)
}

fn announce(addr: &std::net::SocketAddr, args: &ListenArgs) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "lineage listen: http://{addr}  (POST /v1/traces, POST /v1/events, GET /v1/stream, GET /v1/status)"
    );
    if let Some(path) = &args.out {
        let _ = writeln!(out, "lineage listen: recording to {}", path.display());
    }
    let _ = out.flush();
}

/// Flushes the recording and says what was received.
fn finish(shared: &Shared) -> ExitCode {
    let mut store = shared.store.lock().unwrap_or_else(|p| p.into_inner());
    let flushed = store.flush();
    let c = store.counts();
    eprintln!(
        "lineage listen: stopped; received {}, stored {}, evicted {}, refused {}",
        c.received, c.stored, c.evicted, c.refused
    );
    match flushed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lineage listen: the recording could not be written: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "Ctrl-C",
                _ = term.recv() => "SIGTERM",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "Ctrl-C"
}

async fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>, permits: &Arc<Semaphore>) {
    let refusing = Arc::new(Semaphore::new(REFUSING_AT_ONCE));
    loop {
        let socket = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                // Out of descriptors, usually: wait for some to close rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let shared = shared.clone();
                tokio::spawn(async move {
                    connection(socket, shared).await;
                    drop(permit);
                });
            }
            Err(_) => {
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    tokio::spawn(async move {
                        refuse_busy(socket).await;
                        drop(permit);
                    });
                }
            }
        }
    }
}

/// One connection, until the client closes it, a timeout drops it, or the listener stops.
async fn connection(socket: TcpStream, shared: Arc<Shared>) {
    let timeout = shared.settings.read_timeout;
    let mut stopping = shared.stopping.subscribe();
    let service = service_fn(move |req| super::routes::handle(req, shared.clone()));
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(64 << 10)
        .serve_connection(TokioIo::new(socket), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.wait_for(Option::is_some) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(GRACE, conn).await;
}

/// The answer to a connection over the cap, written without reading its request.
async fn refuse_busy(mut socket: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
        Access-Control-Allow-Origin: *\r\nContent-Type: text/plain\r\nContent-Length: 58\r\n\
        Connection: close\r\n\r\nthe listener is serving its maximum of connections; retry\n";
    let _ = tokio::time::timeout(Duration::from_secs(1), socket.write_all(BUSY)).await;
    let _ = socket.shutdown().await;
}
