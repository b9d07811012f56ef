//! Writing a Chrome trace: one slice per operation, laid out on lanes (see the module docs of
//! [`super`]).

use std::cmp::Reverse;

use serde_json::{json, Map, Value};

use super::PID;
use crate::core::Event;
use crate::inspect::{Spans, Status, Trace};


/// Where a span was put.
#[derive(Clone, Copy)]
struct Placed {
    lane: usize,
    start: u64,
    /// `u64::MAX` for an operation that never finished.
    end: u64,
}

/// Open slices of one lane, innermost last: (end, span).
#[derive(Default)]
struct Lane {
    stack: Vec<(u64, usize)>,
    /// Root spans that opened on this lane (for its name).
    roots: Vec<usize>,
}

impl Lane {
    /// Closes the slices that ended before `t`; one that ends exactly at `t` stays open only
    /// if it is `keep` (a parent whose child starts as it ends).
    fn close_until(&mut self, t: u64, keep: Option<usize>) {
        while let Some(&(end, s)) = self.stack.last() {
            if end < t || (end == t && Some(s) != keep) {
                self.stack.pop();
            } else {
                break;
            }
        }
    }
}

/// Writes `events` as a Chrome trace (`{"traceEvents": [...], ...}`).
pub fn export(events: &[Event]) -> String {
    let trace = Trace::new(events.to_vec());
    let spans = Spans::build(&trace);
    let evs = trace.events();
    let origin = evs.iter().map(|e| e.timestamp_ns).min().unwrap_or(0);
    let us = |ns: u64| -> f64 { ns.saturating_sub(origin) as f64 / 1_000.0 };

    // Spans in start order, an enclosing span before what it encloses.
    let extent = |s: usize| -> (u64, u64) {
        let span = &spans.spans[s];
        let start = evs[span.start].timestamp_ns;
        let end = match (span.end, span.status) {
            (Some(e), _) => evs[e].timestamp_ns.max(start),
            (None, Status::Unfinished) => u64::MAX,
            (None, _) => start,
        };
        (start, end)
    };
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&s| {
        let (start, end) = extent(s);
        (start, Reverse(end), spans.spans[s].depth, s)
    });

    let mut lanes: Vec<Lane> = Vec::new();
    let mut placed: Vec<Option<Placed>> = vec![None; spans.len()];
    let mut out: Vec<Value> = Vec::with_capacity(spans.len() + 16);
    let mut flows = 0u64;
    for &s in &order {
        let span = &spans.spans[s];
        let (start, end) = extent(s);
        let is_slice = span.end.is_some() || span.status == Status::Unfinished;
        let parent = span.parent.and_then(|p| placed[p].map(|pl| (p, pl)));
        // The parent's lane, if the span nests directly inside the parent there.
        let mut lane = parent.and_then(|(p, pl)| {
            let l = &mut lanes[pl.lane];
            l.close_until(start, Some(p));
            let fits = match l.stack.last() {
                Some(&(top_end, top)) => top == p && end <= top_end,
                None => false,
            };
            (fits || !is_slice && l.stack.last().is_some_and(|&(_, top)| top == p))
                .then_some(pl.lane)
        });
        if lane.is_none() {
            // Any lane with nothing open, else a new one.
            let free = lanes.iter_mut().position(|l| {
                l.close_until(start, None);
                l.stack.is_empty()
            });
            lane = Some(free.unwrap_or_else(|| {
                lanes.push(Lane::default());
                lanes.len() - 1
            }));
        }
        let lane = lane.unwrap_or(0);
        if is_slice {
            lanes[lane].stack.push((end, s));
        }
        if span.parent.is_none() {
            lanes[lane].roots.push(s);
        }
        placed[s] = Some(Placed { lane, start, end });
        let tid = lane as u64 + 1;
        let first = &evs[span.start];

        let mut args = Map::new();
        args.insert("id".into(), json!(first.id));
        if let Some(p) = first.parent_id {
            args.insert("parent_id".into(), json!(p));
        }
        args.insert("root_id".into(), json!(first.root_id));
        args.insert("status".into(), json!(span.status.as_str()));
        if is_slice {
            args.insert("start".into(), json!(first));
            if let Some(e) = span.end {
                args.insert("end".into(), json!(&evs[e]));
            }
        } else {
            args.insert("phase".into(), json!(first.phase));
            args.insert("event".into(), json!(first));
        }
        let mut ev = json!({
            "name": first.label(),
            "cat": first.kind,
            "ph": if !is_slice { "i" } else if span.end.is_some() { "X" } else { "B" },
            "ts": us(start),
            "pid": PID,
            "tid": tid,
        });
        if span.end.is_some() {
            ev["dur"] = json!((end - start) as f64 / 1_000.0);
        }
        if !is_slice {
            ev["s"] = json!("t");
        }
        ev["args"] = Value::Object(args);
        out.push(ev);

        // A parent link that crosses lanes: a flow arrow from the parent to the child.
        if let Some((_, pl)) = parent {
            if pl.lane != lane {
                flows += 1;
                let from = start.clamp(pl.start, pl.end.max(pl.start));
                out.push(json!({
                    "name": "parent", "cat": "lineage.link", "ph": "s", "id": flows,
                    "ts": us(from), "pid": PID, "tid": pl.lane as u64 + 1,
                }));
                out.push(json!({
                    "name": "parent", "cat": "lineage.link", "ph": "f", "bp": "e", "id": flows,
                    "ts": us(start), "pid": PID, "tid": tid,
                }));
            }
        }
    }
    // Stable: slices that start together keep the enclosing one first.
    out.sort_by(|a, b| {
        let (x, y) = (a["ts"].as_f64(), b["ts"].as_f64());
        x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal)
    });

    let mut meta = vec![json!({
        "name": "process_name", "ph": "M", "pid": PID, "tid": 0,
        "args": {"name": "lineage"},
    })];
    for (i, lane) in lanes.iter().enumerate() {
        let name = match lane.roots.as_slice() {
            [only] => {
                let e = &evs[spans.spans[*only].start];
                format!("{} {}", e.label(), crate::inspect::lints::short(&e.id))
            }
            _ => format!("lane {}", i + 1),
        };
        meta.push(json!({
            "name": "thread_name", "ph": "M", "pid": PID, "tid": i as u64 + 1,
            "args": {"name": name},
        }));
        meta.push(json!({
            "name": "thread_sort_index", "ph": "M", "pid": PID, "tid": i as u64 + 1,
            "args": {"sort_index": i},
        }));
    }
    meta.extend(out);
    let doc = json!({
        "traceEvents": meta,
        "displayTimeUnit": "ns",
        "otherData": {"producer": "lineage", "lineage.origin_ns": origin},
    });
    serde_json::to_string(&doc).expect("a trace of JSON values always serialises")
}

