//! # Chrome Trace Event Format
//!
//! The JSON that Perfetto (ui.perfetto.dev) and chrome://tracing open: an array of trace
//! events, or an object whose `traceEvents` holds that array. Each event has a `name`, a
//! phase letter `ph`, a timestamp `ts` in microseconds, a process `pid` and a thread `tid`.
//!
//! ## What we write
//! - One complete event (`X`, with `dur`) per operation at every level, named after the
//!   operation (process name, else kind), its `cat` the start event's kind. Its `args` carry
//!   the ids, links and outcome (`id`, `parent_id`, `root_id`, `status`) and the full start
//!   and end events (`start`, `end`), so our own exports read back exactly.
//! - An operation that never finished is a `B` with no `E`: the viewers draw it as "did not
//!   end" up to the end of the trace, which is the truth.
//! - A single event (phase pending, progress, ...; or an end whose start is missing) is a
//!   thread-scoped instant `i`, the event in `args.event`.
//! - Lanes: each `tid` is a lane, and a slice is put on its parent's lane only when it nests
//!   inside the parent there (`X` events on one thread must nest). Concurrent siblings and
//!   children that outlive their parent go to another lane, and a flow arrow (`s` on the
//!   parent's lane, `f` with `"bp": "e"` on the child's) draws the parent link across.
//! - `M` metadata names the process and each lane (`thread_name`, `thread_sort_index`).
//! - Times are relative to the earliest event (`otherData["lineage.origin_ns"]` keeps the
//!   absolute origin), so nanoseconds survive the microsecond floats: an f64 holds every
//!   nanosecond exactly for the first 104 days of a trace.
//!
//! ## What we read
//! `B`/`E` (matched per `pid`/`tid`), `X`, `i`/`I` and `M` (`thread_name`, `process_name`).
//! Every other phase (flows, counters, async, samples, ...) is skipped and counted in
//! [`Imported::skipped`](super::Imported). Events written by us are rebuilt from their `args`;
//! other tools' slices become a start and an end event each, nested by time on their thread,
//! instants become point events, and ids are derived from the position in the file, so the
//! same file always gives the same ids. A truncated array (no closing `]`, which the format
//! allows) is read too.

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::error::{ImportError, Position};
use super::read::{self};
use super::{link_roots, Format, Imported};
use crate::core::{Event, Payload, Phase};
use crate::inspect::{Spans, Status, Trace};

/// The process id of everything we write.
const PID: u64 = 1;
/// Namespaces of the ids derived for other tools' events (high 64 bits), so start, end and
/// instant ids never collide.
const START_NS: u64 = 0x6368_726f_6d65_0001; // "chrome" 1
const END_NS: u64 = 0x6368_726f_6d65_0002;
/// Times beyond this many µs (about 600 years) cannot be nanoseconds in a `u64`.
const MAX_MICROS: f64 = 1.9e16;

// ---------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------

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
    let origin = trace.time_range().0;
    let us = |ns: u64| -> f64 { ns.saturating_sub(origin) as f64 / 1_000.0 };

    // Spans in start order, an enclosing span before what it encloses.
    let extent = |s: usize| -> (u64, u64) {
        let span = &spans.spans[s];
        let start = trace.timestamp_ns(span.start);
        let end = match (span.end, span.status) {
            (Some(e), _) => trace.timestamp_ns(e).max(start),
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
        let first = &trace.event(span.start);

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
                args.insert("end".into(), json!(&trace.event(e)));
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
                let e = spans.spans[*only].start;
                format!(
                    "{} {}",
                    trace.label(e),
                    crate::inspect::lints::short(&trace.id(e))
                )
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

// ---------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------

/// Reads a Chrome trace.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Chrome, bytes)
}

#[derive(Deserialize)]
struct Document<'a> {
    #[serde(rename = "traceEvents", borrow)]
    trace_events: Vec<&'a RawValue>,
}

/// A timestamp or duration: a number of microseconds.
#[derive(Clone, Copy)]
struct Micros(f64);

impl<'de> Deserialize<'de> for Micros {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Micros;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number of microseconds")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Micros, E> {
                Ok(Micros(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Micros, E> {
                Ok(Micros(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Micros, E> {
                Ok(Micros(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// One trace event, with the fields we use.
#[derive(Deserialize)]
struct RawEvent {
    ph: String,
    #[serde(default)]
    name: Option<Value>,
    #[serde(default)]
    cat: Option<Value>,
    #[serde(default)]
    ts: Option<Micros>,
    #[serde(default)]
    dur: Option<Micros>,
    #[serde(default)]
    pid: Option<Value>,
    #[serde(default)]
    tid: Option<Value>,
    #[serde(default)]
    s: Option<Value>,
    #[serde(default)]
    args: Option<Value>,
}

/// A slice of another tool, before ids and parents are assigned.
struct Foreign {
    /// Index in `traceEvents`: the source of its ids.
    index: usize,
    thread: (String, String),
    name: String,
    cat: Option<String>,
    start: i128,
    /// `None`: never ended (a `B` without its `E`).
    end: Option<i128>,
    instant: bool,
    /// Takes a parent from the slices around it (false for global instants).
    nests: bool,
    args: Option<Value>,
}

fn text_of(v: &Option<Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

pub(crate) fn import_text(whole: &str) -> Result<Imported, ImportError> {
    let (text, _) = read::strip_bom(whole);
    let trimmed = text.trim_start();
    let base = read::offset_in(whole, trimmed);
    let patched;
    let (source, items): (&str, Vec<&RawValue>) = if trimmed.starts_with('[') {
        match read::parse::<Vec<&RawValue>>(Format::Chrome, whole, base, trimmed) {
            Ok(items) => (whole, items),
            Err(err) => {
                // The format allows the closing bracket to be missing (a trace cut short).
                let body = trimmed.trim_end();
                if body.ends_with(']') {
                    return Err(err);
                }
                patched = format!("{}]", whole.trim_end().trim_end_matches(','));
                let pt = &patched[base..];
                match read::parse::<Vec<&RawValue>>(Format::Chrome, &patched, base, pt) {
                    Ok(items) => (patched.as_str(), items),
                    Err(_) => return Err(err),
                }
            }
        }
    } else if trimmed.starts_with('{') {
        let doc: Document = read::parse(Format::Chrome, whole, base, trimmed)?;
        (whole, doc.trace_events)
    } else {
        return Err(ImportError::invalid(
            Format::Chrome,
            Some(Position::of_byte(whole.as_bytes(), base)),
            "",
            "a JSON array of trace events or an object with \"traceEvents\"",
            "something else",
        ));
    };

    let mut imported = Imported::new(Format::Chrome, Vec::new());
    let mut exact_starts: Vec<Event> = Vec::new();
    let mut exact_ends: Vec<Event> = Vec::new();
    let mut foreign: Vec<Foreign> = Vec::new();
    let mut open: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut thread_names: HashMap<(String, String), String> = HashMap::new();
    let mut process_names: HashMap<String, String> = HashMap::new();

    for (i, raw) in items.iter().enumerate() {
        let at = read::offset_in(source, raw.get());
        let prefix = format!("traceEvents[{i}]");
        let ev: RawEvent = read::parse_item(Format::Chrome, source, at, raw.get(), &prefix)?;
        let position = || Some(Position::of_byte(source.as_bytes(), at));
        let thread = (
            text_of(&ev.pid).unwrap_or_default(),
            text_of(&ev.tid).unwrap_or_default(),
        );
        let ph = ev.ph.as_str();
        if !matches!(ph, "B" | "E" | "X" | "i" | "I" | "M") {
            imported.skip(ph);
            continue;
        }
        if ph == "M" {
            let name = ev
                .args
                .as_ref()
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str);
            match (text_of(&ev.name).as_deref(), name) {
                (Some("thread_name"), Some(n)) => {
                    thread_names.insert(thread, n.to_owned());
                }
                (Some("process_name"), Some(n)) => {
                    process_names.insert(thread.0, n.to_owned());
                }
                _ => {}
            }
            continue;
        }
        let ts = match ev.ts {
            Some(Micros(t)) if t.is_finite() && t.abs() < MAX_MICROS => {
                (t * 1_000.0).round() as i128
            }
            Some(Micros(t)) => {
                return Err(ImportError::invalid(
                    Format::Chrome,
                    position(),
                    format!("{prefix}.ts"),
                    "a finite number of microseconds",
                    format!("{t}"),
                ))
            }
            None => {
                return Err(ImportError::invalid(
                    Format::Chrome,
                    position(),
                    format!("{prefix}.ts"),
                    format!("a timestamp on a \"{ph}\" event"),
                    "nothing (the field is missing)",
                ))
            }
        };
        // Our own export: the exact events are in args.
        let args_event = |key: &str| -> Option<Event> {
            ev.args
                .as_ref()
                .and_then(|a| a.get(key))
                .and_then(|v| Event::deserialize(v).ok())
        };
        match ph {
            "X" | "B" => {
                if let Some(start) = args_event("start") {
                    let end = args_event("end");
                    let end = match (ph, end) {
                        ("X", Some(mut end)) => {
                            end.start_id.get_or_insert(start.id);
                            Some(end)
                        }
                        _ => None,
                    };
                    exact_starts.push(start);
                    exact_ends.extend(end);
                    if ph == "B" {
                        // Its E, if another tool added one, closes nothing of ours.
                        open.entry(thread).or_default().push(usize::MAX);
                    }
                    continue;
                }
                let end = if ph == "X" {
                    let dur = match ev.dur {
                        Some(Micros(d)) if d.is_finite() && (0.0..MAX_MICROS).contains(&d) => {
                            (d * 1_000.0).round() as i128
                        }
                        Some(Micros(d)) => {
                            return Err(ImportError::invalid(
                                Format::Chrome,
                                position(),
                                format!("{prefix}.dur"),
                                "a non-negative number of microseconds",
                                format!("{d}"),
                            ))
                        }
                        None => {
                            imported.notes.push(format!(
                                "{prefix} (X) has no dur; it was read as lasting 0 µs"
                            ));
                            0
                        }
                    };
                    Some(ts + dur)
                } else {
                    None
                };
                if ph == "B" {
                    open.entry(thread.clone()).or_default().push(foreign.len());
                }
                foreign.push(Foreign {
                    index: i,
                    thread,
                    name: text_of(&ev.name).unwrap_or_else(|| "slice".to_owned()),
                    cat: text_of(&ev.cat),
                    start: ts,
                    end,
                    instant: false,
                    nests: true,
                    args: ev.args,
                });
            }
            "E" => match open.get_mut(&thread).and_then(Vec::pop) {
                Some(usize::MAX) => {}
                Some(f) => {
                    let slice = &mut foreign[f];
                    if ts < slice.start {
                        return Err(ImportError::invalid(
                            Format::Chrome,
                            position(),
                            format!("{prefix}.ts"),
                            format!(
                                "an E no earlier than its B ({} µs)",
                                slice.start as f64 / 1000.0
                            ),
                            format!("{} µs", ts as f64 / 1000.0),
                        ));
                    }
                    slice.end = Some(ts);
                    if let Some(Value::Object(extra)) = ev.args {
                        if !extra.is_empty() {
                            let args = slice.args.get_or_insert_with(|| json!({}));
                            if let Value::Object(a) = args {
                                a.insert("end_args".into(), Value::Object(extra));
                            }
                        }
                    }
                }
                None => imported.skip("E without B"),
            },
            _ => {
                // "i" and the older "I".
                if let Some(event) = args_event("event") {
                    exact_starts.push(event);
                    continue;
                }
                // Global and process-scoped instants nest in no slice.
                let scope = ev.s.as_ref().and_then(Value::as_str);
                foreign.push(Foreign {
                    index: i,
                    thread,
                    name: text_of(&ev.name).unwrap_or_else(|| "instant".to_owned()),
                    cat: text_of(&ev.cat),
                    start: ts,
                    end: Some(ts),
                    instant: true,
                    nests: !matches!(scope, Some("g" | "p")),
                    args: ev.args,
                });
            }
        }
    }
    for stack in open.values() {
        let unclosed = stack.iter().filter(|&&f| f != usize::MAX).count();
        if unclosed > 0 {
            imported.notes.push(format!(
                "{unclosed} B event(s) on one thread have no E: read as never finished"
            ));
        }
    }

    let mut events = exact_starts;
    events.extend(foreign_events(
        &mut foreign,
        &thread_names,
        &process_names,
        &mut imported,
    ));
    events.extend(exact_ends);
    // Time order; at equal times starts (pushed first) stay before ends.
    events.sort_by_key(|e| e.timestamp_ns);
    imported.events = events;
    Ok(imported)
}

/// Other tools' slices to events: parents by nesting on each thread, ids from positions.
fn foreign_events(
    foreign: &mut [Foreign],
    thread_names: &HashMap<(String, String), String>,
    process_names: &HashMap<String, String>,
    imported: &mut Imported,
) -> Vec<Event> {
    if foreign.is_empty() {
        return Vec::new();
    }
    // Times must be non-negative nanoseconds: shift a trace that starts before zero.
    let min = foreign.iter().map(|f| f.start).min().unwrap_or(0);
    let shift = if min < 0 { -min } else { 0 };
    if shift > 0 {
        imported.notes.push(format!(
            "timestamps start at {} µs; shifted so the trace starts at 0",
            min as f64 / 1000.0
        ));
    }
    let ns = |t: i128| u64::try_from(t + shift).unwrap_or(u64::MAX);

    // Nesting per thread: sort by (thread, start, longest first); a stack of open slices.
    let mut order: Vec<usize> = (0..foreign.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&foreign[a], &foreign[b]);
        let xe = x.end.unwrap_or(i128::MAX);
        let ye = y.end.unwrap_or(i128::MAX);
        (&x.thread, x.start, Reverse(xe), x.instant, x.index).cmp(&(
            &y.thread,
            y.start,
            Reverse(ye),
            y.instant,
            y.index,
        ))
    });
    let mut parent: Vec<Option<usize>> = vec![None; foreign.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut current: Option<&(String, String)> = None;
    for &f in &order {
        let slice = &foreign[f];
        if current != Some(&slice.thread) {
            stack.clear();
            current = Some(&slice.thread);
        }
        let end = slice.end.unwrap_or(i128::MAX);
        while let Some(&top) = stack.last() {
            let top_end = foreign[top].end.unwrap_or(i128::MAX);
            if top_end < slice.start || top_end < end {
                stack.pop();
            } else {
                break;
            }
        }
        if slice.nests {
            parent[f] = stack.last().copied();
        }
        if !slice.instant {
            stack.push(f);
        }
    }

    let id_of = |f: &Foreign| Uuid::from_u64_pair(START_NS, f.index as u64);
    let mut starts = Vec::with_capacity(foreign.len());
    let mut ends = Vec::new();
    for (k, f) in foreign.iter().enumerate() {
        let id = id_of(f);
        let mut extra = Map::new();
        if let Some(args) = &f.args {
            extra.insert("args".into(), args.clone());
        }
        extra.insert("pid".into(), json!(f.thread.0));
        extra.insert("tid".into(), json!(f.thread.1));
        if let Some(n) = thread_names.get(&f.thread) {
            extra.insert("thread".into(), json!(n));
        }
        if let Some(n) = process_names.get(&f.thread.0) {
            extra.insert("process".into(), json!(n));
        }
        let payload = Payload {
            process_name: Some(f.name.clone().into()),
            extra: extra.into(),
            ..Payload::default()
        };
        let kind = f.cat.clone().unwrap_or_else(|| f.name.clone());
        let start = Event {
            id,
            kind: kind.clone().into(),
            phase: if f.instant {
                Phase::Progress
            } else {
                Phase::Started
            },
            parent_id: parent[k].map(|p| id_of(&foreign[p])),
            root_id: id,
            lineage_id: id,
            start_id: None,
            seq: 0,
            timestamp_ns: ns(f.start),
            duration_ns: None,
            error: None,
            payload: payload.clone(),
        };
        if let (false, Some(end)) = (f.instant, f.end) {
            ends.push(Event {
                id: Uuid::from_u64_pair(END_NS, f.index as u64),
                kind: kind.into(),
                phase: Phase::Completed,
                parent_id: start.parent_id,
                root_id: id,
                lineage_id: id,
                start_id: Some(id),
                seq: 0,
                timestamp_ns: ns(end),
                duration_ns: Some(ns(end).saturating_sub(ns(f.start))),
                error: None,
                payload: Payload {
                    process_name: payload.process_name,
                    ..Payload::default()
                },
            });
        }
        starts.push(start);
    }
    starts.extend(ends);
    link_roots(&mut starts);
    starts
}

/// Checks a written trace against the format's rules; returns the first broken rule. Used by
/// the tests; public so the UI and tools can validate traces they are handed, too.
///
/// The rules: an array of events (or `traceEvents`), each an object with a string `name` and
/// a one-letter `ph` we know; `ts` a finite number (µs) wherever the phase needs one; `pid` and
/// `tid` present; `X` with a non-negative `dur`; `B`/`E` matched per thread; the slices of a
/// thread (`X`, `B`..`E`, an unmatched `B` lasting to the end) nested, never partly
/// overlapping; every flow start `s` matched by exactly one flow end `f` with the same id,
/// not before it.
pub fn check_rules(json: &str) -> Result<(), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let items = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("traceEvents")
            .and_then(Value::as_array)
            .ok_or("an object without a traceEvents array")?,
        _ => return Err("neither an array nor an object".into()),
    };
    let mut open: HashMap<(String, String), Vec<f64>> = HashMap::new();
    let mut slices: HashMap<(String, String), Vec<(f64, f64)>> = HashMap::new();
    let mut flows: HashMap<String, (Option<f64>, Option<f64>)> = HashMap::new();
    for (i, e) in items.iter().enumerate() {
        let at = |m: &str| format!("traceEvents[{i}]: {m}");
        let o = e.as_object().ok_or_else(|| at("not an object"))?;
        let ph = o
            .get("ph")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no ph"))?;
        if !matches!(ph, "B" | "E" | "X" | "i" | "I" | "M" | "s" | "t" | "f") {
            return Err(at(&format!("unexpected ph {ph:?}")));
        }
        if ph != "E" && !o.get("name").is_some_and(Value::is_string) {
            return Err(at("no string name"));
        }
        if !o.contains_key("pid") || !o.contains_key("tid") {
            return Err(at("pid or tid missing"));
        }
        let ts = o.get("ts").and_then(Value::as_f64);
        if ph != "M" && !ts.is_some_and(f64::is_finite) {
            return Err(at("ts is not a finite number"));
        }
        let thread = (o["pid"].to_string(), o["tid"].to_string());
        match ph {
            "X" => {
                let dur = o.get("dur").and_then(Value::as_f64);
                match dur {
                    Some(d) if d.is_finite() && d >= 0.0 => {
                        let t = ts.unwrap_or_default();
                        slices.entry(thread).or_default().push((t, t + d));
                    }
                    _ => return Err(at("X without a non-negative dur")),
                }
            }
            "B" => open.entry(thread).or_default().push(ts.unwrap_or_default()),
            "E" => match open.get_mut(&thread).and_then(Vec::pop) {
                Some(begin) => slices
                    .entry(thread)
                    .or_default()
                    .push((begin, ts.unwrap_or_default())),
                None => return Err(at("E without an open B on its thread")),
            },
            "s" | "f" => {
                let id = o
                    .get("id")
                    .ok_or_else(|| at("flow without id"))?
                    .to_string();
                let slot = flows.entry(id).or_default();
                let side = if ph == "s" { &mut slot.0 } else { &mut slot.1 };
                if side.replace(ts.unwrap_or_default()).is_some() {
                    return Err(at("flow id used twice"));
                }
            }
            _ => {}
        }
    }
    for (thread, begins) in open {
        let all = slices.entry(thread).or_default();
        all.extend(begins.into_iter().map(|b| (b, f64::INFINITY)));
    }
    // Nesting: in start order (longest first), each slice ends within the one open around it.
    // A nanosecond of slack, or the float's own rounding for times far from zero, absorbs
    // the rounding of µs floats.
    let slack = |t: f64| (t.abs() * 4.0 * f64::EPSILON).max(1e-3);
    for ((pid, tid), mut all) in slices {
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut stack: Vec<f64> = Vec::new();
        for (start, end) in all {
            while stack.last().is_some_and(|&top| top <= start + slack(start)) {
                stack.pop();
            }
            if let Some(&top) = stack.last() {
                if end > top + slack(top) {
                    return Err(format!(
                        "pid {pid} tid {tid}: the slice {start}..{end} µs overlaps one ending at {top}"
                    ));
                }
            }
            stack.push(end);
        }
    }
    for (id, (s, f)) in flows {
        match (s, f) {
            (Some(s), Some(f)) if s <= f => {}
            (Some(_), Some(_)) => return Err(format!("flow {id} ends before it starts")),
            _ => return Err(format!("flow {id} is not paired")),
        }
    }
    Ok(())
}
