//! End to end: the README's serve command works on a fresh clone.
//!
//! The other end-to-end tests serve the `dist/` that `scripts/test.sh` builds, so they never
//! ran `trunk serve`, and a `Trunk.toml` that only worked after a test run had created a
//! folder went unnoticed. This test does what a new user does: `git clone` the repository
//! (its committed HEAD) into an empty folder, run `scripts/serve.sh --port <free port>` there,
//! open the page in headless Chromium and run the default pipeline through the UI.
//!
//! The clone builds into this test's own target directory (`CARGO_TARGET_DIR`), so only the
//! `lineage` crate itself is compiled again for the clone's path, not its dependencies.
#![cfg(not(target_arch = "wasm32"))]

mod browser;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use browser::*;

/// How long the first `trunk serve` of a clone may take to answer: it compiles the `lineage`
/// crate for the clone's path (release, thin LTO) and runs wasm-bindgen and wasm-opt. About
/// 3 minutes on 2 quiet cores; over 10 when other builds share the machine and the target
/// directory's lock.
const FIRST_BUILD: Duration = Duration::from_secs(20 * 60);

/// A fresh clone in a temporary folder, removed on drop.
struct Clone(PathBuf);

impl Drop for Clone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        let _ = std::fs::remove_file(self.0.with_extension("serve.log"));
    }
}

/// `scripts/serve.sh` running in its own process group; the whole group (the script's
/// `trunk`, and the cargo and wasm-bindgen it starts) is killed on drop.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// This test's target directory: where `cargo test` built it.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .to_path_buf()
}

fn fresh_clone() -> Clone {
    let dir = std::env::temp_dir().join(format!(
        "lineage-fresh-clone-{}-{}",
        std::process::id(),
        free_port()
    ));
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-hardlinks"])
        .arg(env!("CARGO_MANIFEST_DIR"))
        .arg(&dir)
        .status()
        .expect("git is installed");
    assert!(status.success(), "git clone failed");
    let clone = Clone(dir);
    for only_after_a_run in ["target", "dist", "test-artifacts"] {
        assert!(
            !clone.0.join(only_after_a_run).exists(),
            "a fresh clone has no {only_after_a_run}/"
        );
    }
    clone
}

/// Starts the README's serve command in `dir`, with a shell's environment rather than
/// cargo's (no `CARGO_MANIFEST_DIR` and the like), sharing this build's target directory.
fn start_serve(dir: &Path, port: u16) -> Server {
    // Outside the clone: a log inside it would make Trunk rebuild forever.
    let log = dir.with_extension("serve.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut cmd = Command::new(dir.join("scripts/serve.sh"));
    cmd.arg("--port")
        .arg(port.to_string())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out)
        .process_group(0);
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_") && k != "CARGO_HOME" {
            cmd.env_remove(k);
        }
    }
    cmd.env("CARGO_TARGET_DIR", target_dir());
    let child = cmd.spawn().expect("scripts/serve.sh starts");
    Server { child, log }
}

/// One plain HTTP GET of `/`; the response's head and body, if the server answered.
fn get_root(port: u16) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Waits until the page answers with the app, failing early (with the server's log) if the
/// command exits or the time runs out.
fn wait_for_page(server: &mut Server, port: u16) {
    let deadline = Instant::now() + FIRST_BUILD;
    loop {
        if let Some(page) = get_root(port) {
            if page.starts_with("HTTP/1.1 200") && page.contains("lineage") {
                return;
            }
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "scripts/serve.sh exited ({status}) before serving the page. Its log:\n{}",
                server.log_tail()
            );
        }
        assert!(
            Instant::now() < deadline,
            "scripts/serve.sh did not serve the page within {FIRST_BUILD:?}. Its log:\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_readme_serve_command_serves_the_app_from_a_fresh_clone() {
    let clone = fresh_clone();
    let port = free_port();
    let mut server = start_serve(&clone.0, port);
    let t0 = Instant::now();
    wait_for_page(&mut server, port);
    eprintln!("scripts/serve.sh answered after {:?}", t0.elapsed());

    let driver = start_chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("http://127.0.0.1:{port}/")).await.unwrap();
    // Trunk sends the cross-origin isolation headers from Trunk.toml.
    let isolated = c
        .execute("return self.crossOriginIsolated", vec![])
        .await
        .unwrap();
    assert_eq!(isolated, serde_json::json!(true), "Trunk.toml's headers");
    // The default pipeline through the UI: 50 operations, 6 events each (failed ones too).
    click(&c, "#run").await;
    let events = wait_text(&c, "#event-count", |t| t == "300").await;
    assert_eq!(events, "300", "server log:\n{}", server.log_tail());
    assert_eq!(
        wait_text(&c, "#operation-count", |t| !t.is_empty()).await,
        "50"
    );
    assert!(count(&c, ".row").await > 0);
    save_screenshot(&c, "served-from-a-fresh-clone.png").await;
    c.close().await.unwrap();
    drop(server);
    // The whole process group is gone: nothing answers on the port any more.
    assert!(get_root(port).is_none(), "the server still answers");
}
