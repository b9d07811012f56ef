//! Writing a Chrome trace: one slice per operation, laid out on lanes (see the module docs of
//! [`super`]).
//!
//! Two passes over the events and their [`Spans`], read where they are ([`EventSource`]: the
//! page's [`EventLog`] or a caller's list): the layout decides each operation's lane and the
//! flow arrows as small [`Item`]s in time order, reading only timestamps; the writer then takes
//! the one or two events of an item (decoded from a store), builds its trace event, writes it
//! and drops it. No tree of JSON values for the whole trace is ever built (a 418 596-event
//! trace took 3.9 GB that way), and from a store no `Vec<Event>` either.

use std::cmp::Reverse;
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::PID;
use crate::core::Event;
use crate::model::EventLog;
use crate::model::Spans;
use crate::model::Status;
use crate::trace::carry::event_value;
use crate::trace::source::EventSource;

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

/// One trace event to write, in the order of the output.
#[derive(Clone, Copy)]
struct Item {
    ts: f64,
    what: What,
}

#[derive(Clone, Copy)]
enum What {
    /// An operation (`X`, `B`) or a single event (`i`) on its lane.
    Span { span: usize, lane: usize },
    /// A parent link across lanes: the flow's id, its lane and which end it is.
    Flow { id: u64, lane: usize, start: bool },
}

/// Where every operation goes.
struct Layout {
    lanes: Vec<Lane>,
    items: Vec<Item>,
}

/// Spans in start order, an enclosing span before what it encloses, each on its parent's
/// lane when it nests there, else on the first free lane.
fn layout<S: EventSource + ?Sized>(spans: &Spans, src: &S, us: &dyn Fn(u64) -> f64) -> Layout {
    let extent = |s: usize| extent(spans, src, s);
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&s| {
        let (start, end) = extent(s);
        (start, Reverse(end), spans.spans[s].depth, s)
    });
    let mut lanes: Vec<Lane> = Vec::new();
    let mut placed: Vec<Option<Placed>> = vec![None; spans.len()];
    let mut items: Vec<Item> = Vec::with_capacity(spans.len());
    let mut flows = 0u64;
    for &s in &order {
        let span = &spans.spans[s];
        let (start, end) = extent(s);
        let is_slice = span.end.is_some() || span.status == Status::Unfinished;
        let parent = span.parent.and_then(|p| placed[p].map(|pl| (p, pl)));
        let lane = choose_lane(&mut lanes, parent, start, end, is_slice);
        if is_slice {
            lanes[lane].stack.push((end, s));
        }
        if span.parent.is_none() {
            lanes[lane].roots.push(s);
        }
        placed[s] = Some(Placed { lane, start, end });
        items.push(Item {
            ts: us(start),
            what: What::Span { span: s, lane },
        });
        // A parent link that crosses lanes: a flow arrow from the parent to the child.
        if let Some((_, pl)) = parent.filter(|(_, pl)| pl.lane != lane) {
            flows += 1;
            let from = start.clamp(pl.start, pl.end.max(pl.start));
            items.push(Item {
                ts: us(from),
                what: What::Flow {
                    id: flows,
                    lane: pl.lane,
                    start: true,
                },
            });
            items.push(Item {
                ts: us(start),
                what: What::Flow {
                    id: flows,
                    lane,
                    start: false,
                },
            });
        }
    }
    // Stable: slices that start together keep the enclosing one first.
    items.sort_by(|a, b| a.ts.partial_cmp(&b.ts).unwrap_or(std::cmp::Ordering::Equal));
    Layout { lanes, items }
}

/// A span's start and end (`u64::MAX` for one that never finished).
fn extent<S: EventSource + ?Sized>(spans: &Spans, src: &S, s: usize) -> (u64, u64) {
    let span = &spans.spans[s];
    let start = src.timestamp_ns(span.start);
    let end = match (span.end, span.status) {
        (Some(e), _) => src.timestamp_ns(e).max(start),
        (None, Status::Unfinished) => u64::MAX,
        (None, _) => start,
    };
    (start, end)
}

/// The parent's lane if the span nests directly inside the parent there, else any lane with
/// nothing open, else a new one.
fn choose_lane(
    lanes: &mut Vec<Lane>,
    parent: Option<(usize, Placed)>,
    start: u64,
    end: u64,
    is_slice: bool,
) -> usize {
    let on_parent = parent.and_then(|(p, pl)| {
        let l = &mut lanes[pl.lane];
        l.close_until(start, Some(p));
        let fits = match l.stack.last() {
            Some(&(top_end, top)) => top == p && end <= top_end,
            None => false,
        };
        (fits || !is_slice && l.stack.last().is_some_and(|&(_, top)| top == p)).then_some(pl.lane)
    });
    if let Some(lane) = on_parent {
        return lane;
    }
    let free = lanes.iter_mut().position(|l| {
        l.close_until(start, None);
        l.stack.is_empty()
    });
    free.unwrap_or_else(|| {
        lanes.push(Lane::default());
        lanes.len() - 1
    })
}

/// The trace event of one operation or single event.
fn span_event<S: EventSource + ?Sized>(
    spans: &Spans,
    src: &S,
    s: usize,
    lane: usize,
    ts: f64,
) -> Value {
    let span = &spans.spans[s];
    let (start, end) = extent(spans, src, s);
    let is_slice = span.end.is_some() || span.status == Status::Unfinished;
    let first = &*src.event(span.start);
    let mut args = Map::new();
    args.insert("id".into(), json!(first.id));
    if let Some(p) = first.parent_id {
        args.insert("parent_id".into(), json!(p));
    }
    args.insert("root_id".into(), json!(first.root_id));
    args.insert("status".into(), json!(span.status.as_str()));
    if is_slice {
        // Through `carry`: `json!` panics on a number a Value cannot hold (`1e400`).
        args.insert("start".into(), event_value(first));
        if let Some(e) = span.end {
            args.insert("end".into(), event_value(&src.event(e)));
        }
    } else {
        args.insert("phase".into(), json!(first.phase));
        args.insert("event".into(), event_value(first));
    }
    let mut ev = json!({
        "name": first.label(),
        "cat": first.kind,
        "ph": if !is_slice { "i" } else if span.end.is_some() { "X" } else { "B" },
        "ts": ts,
        "pid": PID,
        "tid": lane as u64 + 1,
    });
    if span.end.is_some() {
        ev["dur"] = json!((end - start) as f64 / 1_000.0);
    }
    if !is_slice {
        ev["s"] = json!("t");
    }
    ev["args"] = Value::Object(args);
    ev
}

/// `M` events: the process's name, each lane's name and order.
fn metadata<S: EventSource + ?Sized>(spans: &Spans, src: &S, lanes: &[Lane]) -> Vec<Value> {
    let mut meta = vec![json!({
        "name": "process_name", "ph": "M", "pid": PID, "tid": 0,
        "args": {"name": "lineage"},
    })];
    for (i, lane) in lanes.iter().enumerate() {
        let name = match lane.roots.as_slice() {
            [only] => {
                let e = &*src.event(spans.spans[*only].start);
                format!("{} {}", e.label(), crate::model::short_id::short(&e.id))
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
    meta
}

/// Writes the events of `log` as a Chrome trace (`{"traceEvents": [...], ...}`) to `out`,
/// one trace event at a time. `spans` are `log`'s own (as [`Spans::build`] or the page's
/// inspection made them): the page exports what it holds, nothing is decoded or paired again.
pub fn write_log(log: &EventLog, spans: &Spans, out: &mut impl Write) -> io::Result<()> {
    write_from(log, spans, out)
}

/// Writes the events of `src` with their `spans` (see the module docs).
fn write_from<S: EventSource + ?Sized>(
    src: &S,
    spans: &Spans,
    out: &mut impl Write,
) -> io::Result<()> {
    let origin = src.origin_ns();
    let us = |ns: u64| -> f64 { ns.saturating_sub(origin) as f64 / 1_000.0 };
    let Layout { lanes, items } = layout(spans, src, &us);
    // Keys in the order serde_json writes an object's (sorted), as `export` always wrote.
    write!(
        out,
        "{{\"displayTimeUnit\":\"ns\",\"otherData\":{},\"traceEvents\":[",
        json!({"producer": "lineage", "lineage.origin_ns": origin})
    )?;
    let mut first = true;
    let mut item = |out: &mut dyn Write, v: &Value| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, v).map_err(io::Error::other)
    };
    for m in metadata(spans, src, &lanes) {
        item(out, &m)?;
    }
    for Item { ts, what } in items {
        let v = match what {
            What::Span { span, lane } => span_event(spans, src, span, lane, ts),
            What::Flow { id, lane, start } => flow_event(id, lane, start, ts),
        };
        item(out, &v)?;
    }
    out.write_all(b"]}")
}

/// One end of a flow arrow from a parent to a child on another lane.
fn flow_event(id: u64, lane: usize, start: bool, ts: f64) -> Value {
    let mut f = json!({
        "name": "parent", "cat": "lineage.link", "ph": if start { "s" } else { "f" },
        "id": id, "ts": ts, "pid": PID, "tid": lane as u64 + 1,
    });
    if !start {
        f["bp"] = json!("e");
    }
    f
}

/// Writes `events` as a Chrome trace to `out`: for callers that hold a list of events (`lineage
/// convert`). They are paired into [`Spans`] through an [`EventLog`] (the compact store, filled
/// by reference, dropped before writing), then written from the list as [`write_log`] writes
/// a store.
pub fn write(events: &[Event], out: &mut impl Write) -> io::Result<()> {
    let spans = Spans::build(&EventLog::from_events(events));
    write_from(events, &spans, out)
}

/// Writes `events` as a Chrome trace (`{"traceEvents": [...], ...}`).
pub fn export(events: &[Event]) -> String {
    let mut out = Vec::new();
    write(events, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
