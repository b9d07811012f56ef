//! Chromium's own view of where the page's main-thread time goes, for the export → page
//! latency measurement (`tests/e2e_live_latency.rs`, `LATENCY_CDP=1`): the DevTools
//! protocol through chromedriver's `goog/cdp/execute` (commands only, no events, so no
//! second connection to the browser).
//!
//! - `Performance.getMetrics` before and after: the renderer's main thread's task time,
//!   split into script, style, layout and the rest (parsing, paint, the `EventSource`
//!   parser, ...), and its CPU time (`ThreadTime`): task time well above CPU time is a
//!   thread waiting for a core.
//! - `Profiler` (V8's sampling profiler): self time per function, with `(idle)`,
//!   `(program)` (the browser's native work outside script) and `(garbage collector)`.
//! - A script added before the page's own (`Page.addScriptToEvaluateOnNewDocument`) that
//!   listens to every `EventSource` the page opens and notes each `events` message's
//!   arrival (`performance.timeOrigin + now()`, Unix ms), its `lastEventId` and its size: how
//!   long an event takes to reach the page's handler, before the page's own queue.
#![allow(dead_code)]

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::live_support::send;

/// Installed before the page loads: notes `[unix ms, last seq, data chars]` per `events`
/// message in `window.__sseArrivals`, by a listener added after the page's own.
pub const ARRIVALS: &str = r#"
    window.__sseArrivals = [];
    const Original = window.EventSource;
    window.EventSource = function (url, init) {
        const source = new Original(url, init);
        source.addEventListener('events', (ev) => {
            window.__sseArrivals.push([performance.timeOrigin + performance.now(),
                Number(ev.lastEventId), ev.data.length]);
        });
        return source;
    };
    window.EventSource.prototype = Original.prototype;
"#;

/// A chromedriver session's DevTools commands.
pub struct Cdp {
    url: String,
}

impl Cdp {
    pub fn new(driver_url: &str, session: &str) -> Cdp {
        Cdp {
            url: format!("{driver_url}/session/{session}/goog/cdp/execute"),
        }
    }

    /// Runs `cmd` with `params`; its result.
    pub async fn run(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params }).to_string();
        let answer = send(
            "POST",
            &self.url,
            &[("content-type", "application/json")],
            body,
        )
        .await;
        assert!(answer.status.is_success(), "{cmd}: {}", answer.text());
        answer.json()["value"].clone()
    }

    /// `Performance.getMetrics` as name → value.
    pub async fn metrics(&self) -> HashMap<String, f64> {
        let v = self.run("Performance.getMetrics", json!({})).await;
        v["metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| Some((m["name"].as_str()?.to_owned(), m["value"].as_f64()?)))
            .collect()
    }
}

/// The main thread's time between two `Performance.getMetrics`, in ms, as printed lines.
pub fn metrics_delta(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> String {
    let d = |k: &str| (after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0)) * 1000.0;
    let n = |k: &str| after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0);
    format!(
        "wall {:.0} ms; main thread tasks {:.0} ms (script {:.0}, style {:.0} in {} recalcs, \
         layout {:.0} in {} layouts, other {:.0}); main thread CPU {:.0} ms, renderer CPU {:.0} ms; \
         JS heap {:.0} MB",
        d("Timestamp"),
        d("TaskDuration"),
        d("ScriptDuration"),
        d("RecalcStyleDuration"),
        n("RecalcStyleCount"),
        d("LayoutDuration"),
        n("LayoutCount"),
        d("TaskOtherDuration"),
        d("ThreadTime"),
        d("ProcessTime"),
        after.get("JSHeapUsedSize").unwrap_or(&0.0) / 1e6,
    )
}

/// A V8 CPU profile's self time (ms) per function, largest first, the wasm functions
/// (unnamed in a release build) summed as one line as well as listed.
pub fn self_times(profile: &Value) -> Vec<(String, f64)> {
    let mut name_of = HashMap::new();
    for node in profile["nodes"].as_array().into_iter().flatten() {
        let f = &node["callFrame"];
        let name = f["functionName"].as_str().unwrap_or("");
        let url = f["url"].as_str().unwrap_or("");
        let kind = if url.starts_with("wasm://") {
            "wasm "
        } else if url.is_empty() {
            ""
        } else {
            "js "
        };
        let name = if name.is_empty() { "(anonymous)" } else { name };
        name_of.insert(node["id"].as_u64().unwrap_or(0), format!("{kind}{name}"));
    }
    let samples = profile["samples"].as_array().cloned().unwrap_or_default();
    let deltas = profile["timeDeltas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut sums: HashMap<String, f64> = HashMap::new();
    // A sample's time is the delta to the next one.
    for (k, s) in samples.iter().enumerate() {
        let dt = deltas.get(k + 1).and_then(Value::as_f64).unwrap_or(0.0) / 1000.0;
        let name = name_of
            .get(&s.as_u64().unwrap_or(0))
            .cloned()
            .unwrap_or_default();
        if name.starts_with("wasm ") {
            *sums.entry("wasm (all)".into()).or_default() += dt;
        }
        if name.starts_with("js ") {
            *sums.entry("js (all)".into()).or_default() += dt;
        }
        *sums.entry(name).or_default() += dt;
    }
    let mut v: Vec<_> = sums.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    v
}

/// How long each posted batch took to reach the page's `EventSource` handler: `sent` is
/// (events posted once the batch is in, Unix ms) per batch, `arrivals` (Unix ms, last seq,
/// size) per `events` message. Sorted delays (ms), as the apply latency is counted: from a
/// batch's post to the first message that holds its last event.
pub fn arrival_delays(arrivals: &[(f64, u64, u64)], sent: &[(usize, f64)]) -> Vec<f64> {
    let mut out: Vec<f64> = sent
        .iter()
        .filter_map(|&(upto, posted)| {
            let (at, _, _) = arrivals.iter().find(|&&(_, last, _)| last >= upto as u64)?;
            Some(at - posted)
        })
        .collect();
    out.sort_by(f64::total_cmp);
    out
}
