//! # What the page-scale test reads from the page
//!
//! Probes installed in the page before the open (a frame log, the wasm memory's growth, a
//! latency probe for actions) and the readers that sum them up. They run in the page, so a
//! long task in the app shows as a gap between two frames, measured by the page's own clock.

use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::Value;

use super::browser::LOAD_PHASE_JS;

/// Installs the frame log, the latency probe and the open probe (see the module docs).
pub async fn install_probes(c: &Client, events: usize) {
    let probes = r#"
        window.__frames = [];
        window.__memLog = [];
        window.wasmBindings.default().then(w => { window.__wasmMemory = w.memory; });
        let last = performance.now();
        function frame(t) {
            const [phase, text] = window.__loadPhase();
            window.__frames.push([t, t - last, phase]);
            last = t;
            // Each growth of the wasm memory, with what the bar said then: linear memory
            // never shrinks, so this is where the peak was reached, and by which phase.
            const mem = window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : 0;
            if (mem !== window.__memLast) {
                window.__memLast = mem;
                window.__memLog.push([t, mem, phase, text]);
            }
            requestAnimationFrame(frame);
        }
        requestAnimationFrame(frame);
        window.__lat = {};
        window.__measure = function (name, act, done) {
            window.__lat[name] = null;
            const t0 = performance.now();
            act();
            const poll = () => {
                if (done()) {
                    const seen = performance.now();
                    const shown = (document.querySelector('#match-count') || {}).textContent;
                    setTimeout(() => {
                        window.__lat[name] = { seen: seen - t0, painted: performance.now() - t0, t0, shown };
                    }, 0);
                } else {
                    requestAnimationFrame(poll);
                }
            };
            requestAnimationFrame(poll);
        };
        const want = String(arguments[0]);
        document.addEventListener('change', e => {
            if (e.target.id !== 'file-input') return;
            window.__measure('open', () => {}, () =>
                (document.querySelector('#event-count') || {}).textContent === want);
        }, true);
        "#;
    c.execute(
        &format!("{LOAD_PHASE_JS}\n{probes}"),
        vec![Value::from(events)],
    )
    .await
    .unwrap();
}

/// Polls `expr` (a JS expression) until it is not null, for up to `limit`. A page busy for
/// long can make a WebDriver call fail; such a poll is retried.
pub async fn wait_js(c: &Client, expr: &str, limit: Duration) -> Value {
    let deadline = Instant::now() + limit;
    loop {
        if let Ok(v) = c.execute(&format!("return {expr}"), vec![]).await {
            if !v.is_null() {
                return v;
            }
        }
        assert!(Instant::now() < deadline, "timed out waiting for {expr}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs `act` under the latency probe and waits for `done`; returns (ms to the first frame
/// showing it, ms to after that frame's paint, the match count then shown).
pub async fn measure(c: &Client, name: &str, act: &str, done: &str) -> (f64, f64, String) {
    c.execute(
        &format!("window.__measure({name:?}, () => {{ {act} }}, () => {{ {done} }})"),
        vec![],
    )
    .await
    .unwrap();
    let v = wait_js(
        c,
        &format!("window.__lat[{name:?}]"),
        Duration::from_secs(300),
    )
    .await;
    (
        v["seen"].as_f64().unwrap(),
        v["painted"].as_f64().unwrap(),
        v["shown"].as_str().unwrap_or("").to_owned(),
    )
}

/// The wasm module's linear memory (MB) and Chrome's JS heap in use (MB).
pub async fn memory_mb(c: &Client) -> (f64, f64) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.wasmBindings.default().then(w => done([
                 w.memory.buffer.byteLength,
                 performance.memory ? performance.memory.usedJSHeapSize : 0]));",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_f64().unwrap() / 1e6, v[1].as_f64().unwrap() / 1e6)
}

/// The frame log between `from` and `to` (page ms), per phase in the order they came.
pub struct Frames {
    /// (phase, frames, longest gap in ms, ms spent in it: the sum of its gaps).
    pub phases: Vec<(String, usize, f64, f64)>,
    /// Frames over 100 ms, and frames in all.
    pub over_100: usize,
    pub frames: usize,
}

impl Frames {
    /// "reading 50 ms (2.1 s, 40 frames), building the view …": one phase a clause.
    pub fn describe(&self) -> String {
        let each: Vec<String> = self
            .phases
            .iter()
            .map(|(phase, frames, longest, spent)| {
                format!(
                    "{phase} {longest:.0} ms ({:.2} s, {frames} frames)",
                    spent / 1000.0
                )
            })
            .collect();
        each.join(", ")
    }
}

/// Frame gaps between `from` and `to` (page ms), summed up by phase; the long ones listed.
pub async fn frames_between(c: &Client, from: f64, to: f64) -> Frames {
    let v = c
        .execute(
            "const [from, to] = [arguments[0], arguments[1]];
             const f = window.__frames.filter(([t]) => t > from && t <= to + 50);
             const phases = [];
             for (const [, gap, phase] of f) {
                 let p = phases.find(x => x[0] === phase);
                 if (!p) { p = [phase, 0, 0, 0]; phases.push(p); }
                 p[1] += 1; p[2] = Math.max(p[2], gap); p[3] += gap;
             }
             return [phases, f.filter(([, g]) => g > 100).length, f.length,
                     JSON.stringify(f.filter(([, g]) => g > 100).map(([t, g, phase]) =>
                         [Math.round(t - from), Math.round(g), phase]))];",
            vec![Value::from(from), Value::from(to)],
        )
        .await
        .unwrap();
    eprintln!(
        "frames over 100 ms (ms after the change, gap ms, phase): {}",
        v[3]
    );
    let phases = v[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_u64().unwrap() as usize,
                p[2].as_f64().unwrap(),
                p[3].as_f64().unwrap(),
            )
        })
        .collect();
    Frames {
        phases,
        over_100: v[1].as_u64().unwrap() as usize,
        frames: v[2].as_u64().unwrap() as usize,
    }
}

/// Prints each growth of the wasm memory during the open (ms after the change, MB, the
/// phase and what the progress bar said): where the peak is reached and what holds it.
pub async fn print_memory_growth(c: &Client, t0: f64) {
    let v = c
        .execute(
            "return (window.__memLog || []).map(([t, m, phase, text]) =>
                 [Math.round(t - arguments[0]), Math.round(m / 1e6), phase, text]);",
            vec![Value::from(t0)],
        )
        .await
        .unwrap();
    eprintln!("wasm memory growth (ms after the change, MB, phase, progress):");
    for row in v.as_array().into_iter().flatten() {
        eprintln!(
            "  {:>6} ms {:>4} MB {} {}",
            row[0],
            row[1],
            row[2].as_str().unwrap_or(""),
            row[3].as_str().unwrap_or("")
        );
    }
}
