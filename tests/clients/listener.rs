//! A real `lineage listen` on a free port, for the tests that drive real clients against it
//! (`#[path]`-included by tests/live_*.rs). It is started as a user would start it, asked
//! what it holds over HTTP (`GET /v1/status`), and stopped with SIGTERM so its `--out` file
//! is complete; the file is then read back with the crate's own importer.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use lineage::core::{Event, Phase};

/// How long a starting listener may take to answer (a readiness wait, not an assertion).
const READY_WITHIN: Duration = Duration::from_secs(60);

pub struct Listener {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub out: PathBuf,
}

/// A port nobody listens on right now (the OS picks it; the listener binds it next).
pub fn free_port() -> u16 {
    let socket = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    socket.local_addr().unwrap().port()
}

/// A fresh scratch directory for one test, removed when the test passes (a failing test
/// leaves it for a look: `Drop` runs while the panic unwinds, and keeps it then). Every run
/// of the suite left six of these behind in the temporary directory until 2026-12-07.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("kept for a look: {}", self.0.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("lineage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    Scratch(dir)
}

impl Listener {
    /// Starts `lineage listen --bind 127.0.0.1:PORT --out DIR/out.ndjson` and waits until it
    /// answers `GET /v1/status`.
    pub fn start(dir: &Path) -> Listener {
        let port = free_port();
        let out = dir.join("out.ndjson");
        let child = Command::new(env!("CARGO_BIN_EXE_lineage"))
            .args(["listen", "--bind", &format!("127.0.0.1:{port}"), "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting lineage listen");
        let mut listener = Listener {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            out,
        };
        listener.wait_until_ready();
        listener
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        while started.elapsed() < READY_WITHIN {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                panic!(
                    "lineage listen exited at once ({status}): {}",
                    self.stderr()
                );
            }
            if ureq::get(format!("{}/v1/status", self.base)).call().is_ok() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
        panic!("lineage listen did not answer within {READY_WITHIN:?}");
    }

    /// `GET /v1/status`, parsed.
    pub fn status(&self) -> serde_json::Value {
        let body = ureq::get(format!("{}/v1/status", self.base))
            .call()
            .expect("GET /v1/status")
            .body_mut()
            .read_to_string()
            .expect("reading the status");
        serde_json::from_str(&body).expect("the status is JSON")
    }

    /// Stops the listener with SIGTERM (as Ctrl-C or a service manager would) and reads
    /// back everything its `--out` file recorded.
    pub fn stop(mut self) -> Vec<Event> {
        let mut child = self.child.take().expect("running");
        // SAFETY: kill(2) on our own child's pid, which has not been waited for yet.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let status = child.wait().expect("waiting for lineage listen");
        assert!(
            status.success(),
            "lineage listen ended with {status} after SIGTERM"
        );
        let bytes = std::fs::read(&self.out).expect("reading the --out file");
        lineage::trace::import(&bytes, Some("out.ndjson"))
            .expect("the --out file is complete lineage NDJSON")
            .events
    }

    fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(err) = self.child.as_mut().and_then(|c| c.stderr.as_mut()) {
            let _ = err.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// What a trace holds, counted the same way for what was sent and what was recorded.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Operations (spans): start events.
    pub spans: usize,
    /// Spans that ended with an error (OTLP status code 2): `failed` end events.
    pub errors: usize,
    /// Spans that name a parent.
    pub with_parent: usize,
    /// Of those, spans whose parent is in the trace too.
    pub parent_found: usize,
}

impl Counts {
    pub fn of(events: &[Event]) -> Counts {
        let starts: std::collections::HashSet<_> = events
            .iter()
            .filter(|e| e.phase == Phase::Started)
            .map(|e| e.id)
            .collect();
        let mut counts = Counts {
            spans: starts.len(),
            ..Counts::default()
        };
        for e in events {
            if e.phase == Phase::Failed {
                counts.errors += 1;
            }
            if let (Phase::Started, Some(p)) = (e.phase, e.parent_id) {
                counts.with_parent += 1;
                counts.parent_found += usize::from(starts.contains(&p));
            }
        }
        counts
    }
}

/// The status counter `name`, which must be a number.
pub fn counter(status: &serde_json::Value, name: &str) -> u64 {
    status[name]
        .as_u64()
        .unwrap_or_else(|| panic!("the status has no counter {name}: {status}"))
}
