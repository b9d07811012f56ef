//! The end-to-end harness: serves the Trunk build in `dist/` on a free port (with the same
//! cross-origin-isolation headers as `trunk serve`), starts chromedriver on another, and
//! drives Debian's headless Chromium through fantoccini, like a person at the keyboard.
#![allow(dead_code)]

use std::net::TcpListener as StdListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The built app. `scripts/test.sh` runs `trunk build --release` before the tests.
pub fn dist_dir() -> PathBuf {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    assert!(
        dist.join("index.html").exists(),
        "no built app in {}: run `trunk build --release` first (scripts/test.sh does)",
        dist.display()
    );
    dist
}

/// Where tests leave screenshots.
pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "application/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        Some("json") => "application/json",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// Serves `root` over HTTP/1.0 on a free port; returns the base URL.
pub async fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let root = root.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path = req
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .split('?')
                    .next()
                    .unwrap()
                    .to_owned();
                let rel = path.trim_start_matches('/');
                let mut file = root.join(if rel.is_empty() { "index.html" } else { rel });
                if !file.starts_with(&root) || !file.is_file() {
                    file = root.join("index.html");
                }
                let body = tokio::fs::read(&file).await.unwrap_or_default();
                let head = format!(
                    "HTTP/1.0 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
                     Cross-Origin-Opener-Policy: same-origin\r\n\
                     Cross-Origin-Embedder-Policy: require-corp\r\n\
                     Connection: close\r\n\r\n",
                    content_type(&file),
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    format!("http://{addr}/")
}

/// A chromedriver process, killed on drop with every Chromium it started.
pub struct Driver {
    child: Child,
    pub url: String,
    /// The sessions' Chromium profiles (5 MB each), removed with the driver: every run of
    /// the suite left ~25 of them in the temporary directory until 2026-12-07.
    profiles: std::sync::Mutex<Vec<PathBuf>>,
}

impl Drop for Driver {
    /// chromedriver runs in a process group of its own, and the Chromiums it starts join
    /// it: killing the group leaves no browser running when a test panicked before closing
    /// its session (an orphaned page keeps a core busy for the tests after it).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        for profile in self.profiles.lock().map(|p| p.clone()).unwrap_or_default() {
            let _ = std::fs::remove_dir_all(profile);
        }
    }
}

pub fn start_chromedriver() -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver not found: scripts/setup.sh installs Debian's chromium-driver");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver {
        child,
        url,
        profiles: Default::default(),
    }
}

/// A headless Chromium session at 1280×800.
pub async fn browser(driver: &Driver) -> Client {
    browser_with_downloads(driver, None).await
}

/// A session whose downloads land in `downloads` (if given).
pub async fn browser_with_downloads(driver: &Driver, downloads: Option<&Path>) -> Client {
    let profile = std::env::temp_dir().join(format!("lineage-e2e-{}", free_port()));
    if let Ok(mut profiles) = driver.profiles.lock() {
        profiles.push(profile.clone());
    }
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1280,800",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.map(|d| d.display().to_string()).unwrap_or_default(),
                "download.prompt_for_download": false,
            }
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    };
    // chromedriver accepts connections a moment before it accepts sessions, and a loaded
    // machine can reset the first attempt: try a few times before failing.
    let mut last = None;
    for _ in 0..5 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await
        {
            Ok(c) => return c,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("could not start a Chromium session: {:?}", last.unwrap())
}

/// Polls `css` until its text satisfies `ok` (Leptos updates the DOM after an event).
pub async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = None;
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if ok(&t) {
                    return t;
                }
                last = Some(t);
            }
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {css} (last read: {last:?})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (up to 30 s: the wasm app mounts after the page loads) for an element.
pub async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match c.find(Locator::Css(css)).await {
            Ok(el) => return el,
            Err(e) => assert!(Instant::now() < deadline, "no element {css}: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn click(c: &Client, css: &str) {
    find(c, css).await.click().await.unwrap();
}

/// Replaces an input's value by typing, as a person would.
/// Types `text` over a field's value as a person does: select all, then type. (WebDriver's
/// `clear` fires a `change` with an empty field, which the settings form answers by
/// restoring the value in use, so typing after it appended.)
pub async fn type_into(c: &Client, css: &str, text: &str) {
    let el = find(c, css).await;
    // Ctrl+A (U+E009 is Control, U+E000 releases it), then the text replaces the selection.
    el.send_keys(&format!("\u{E009}a\u{E000}{text}"))
        .await
        .unwrap();
}

pub async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Sizes the window so the page's viewport is exactly `w`×`h` CSS pixels.
pub async fn set_viewport(c: &Client, w: u32, h: u32) {
    c.set_window_size(w, h).await.unwrap();
    let inner = c
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await
        .unwrap();
    let iw = inner[0].as_u64().unwrap_or(w as u64) as u32;
    let ih = inner[1].as_u64().unwrap_or(h as u64) as u32;
    c.set_window_size(w + (w - iw.min(w)), h + (h - ih.min(h)))
        .await
        .unwrap();
}

pub async fn save_screenshot(c: &Client, name: &str) -> PathBuf {
    let png = c.screenshot().await.unwrap();
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).unwrap();
    path
}

/// A page function, `__loadPhase()`, that names what the open is doing from the progress
/// bar's text: `'reading'` the file, `'finishing'` its end-of-file pass, `'building'` the
/// view, `'after'` (no bar). Frame logs tag each frame with it, so a long frame is blamed
/// on the phase it fell in. Prepend it to a script that calls it.
pub const LOAD_PHASE_JS: &str = "window.__loadPhase = function () {
    const bar = document.querySelector('#load-text');
    const text = bar ? bar.textContent : '';
    const phase = !bar ? 'after'
        : text.includes('in time order') ? 'finishing'
        : text.includes('building the view') ? 'building' : 'reading';
    return [phase, text];
};";
