//! Reading a Chrome trace one trace event at a time.
//!
//! Events written by lineage carry the exact events in their `args` and are pushed as soon as
//! they are read. Other tools' slices need their parents, found by nesting in time on their
//! thread, and Chrome writes a complete (`X`) slice when it ends, so a child comes before
//! its parent in the file: those slices are kept in a compact form ([`Slice`], about 64
//! bytes, the `args` as raw JSON text), counted against the memory budget, and turned into
//! events at the end, in one sort per trace. `B`/`E` pairing keeps only each thread's stack
//! of open slices.

use std::cmp::Reverse;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{END_NS, MAX_MICROS, START_NS};
use crate::core::{Event, Payload, Phase};
use crate::trace::error::{ImportError, Position};
use crate::trace::read;
use crate::trace::scan::Record;
use crate::trace::sink::EventSink;
use crate::trace::stream::Output;
use crate::trace::{lineage_of, Format};

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

/// One trace event, with the fields we use; `args` stays raw JSON text.
#[derive(Deserialize)]
struct RawEvent<'a> {
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
    #[serde(default, borrow)]
    args: Option<&'a RawValue>,
}

/// The keys of our own export's `args` that hold exact events.
#[derive(Deserialize, Default)]
struct Ours<'a> {
    #[serde(default, borrow)]
    start: Option<&'a RawValue>,
    #[serde(default, borrow)]
    end: Option<&'a RawValue>,
    #[serde(default, borrow)]
    event: Option<&'a RawValue>,
}

impl<'a> Ours<'a> {
    fn of(args: Option<&'a RawValue>) -> Ours<'a> {
        args.and_then(|a| read::from_str_deep(a.get()).ok())
            .unwrap_or_default()
    }
}

/// The exact event under one of those keys, if it is one.
fn exact(raw: Option<&RawValue>) -> Option<Event> {
    raw.and_then(|r| read::from_str_deep(r.get()).ok())
}

const INSTANT: u8 = 1;
/// Takes a parent from the slices around it (not global or process-scoped instants).
const NESTS: u8 = 2;
/// `end` is known (not a `B` without its `E`).
const ENDED: u8 = 4;
/// The placeholder on a thread's stack for a `B` of our own export.
const OURS: u32 = u32::MAX;
const NO_CAT: u32 = u32::MAX;

/// Another tool's slice or instant, before ids and parents are assigned.
struct Slice {
    start: i128,
    end: i128,
    /// Index in `traceEvents`: the source of its ids.
    index: u64,
    thread: u32,
    name: u32,
    cat: u32,
    flags: u8,
    args: Option<Box<Args>>,
}

#[derive(Default)]
struct Args {
    args: Option<Box<RawValue>>,
    /// The `args` of the `E` that closed a `B`.
    end_args: Option<Box<RawValue>>,
}

/// Strings seen many times (names, categories, threads), kept once.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    strings: Vec<String>,
    bytes: usize,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.bytes += 2 * s.len() + 64;
        self.strings.push(s.to_owned());
        self.ids.insert(s.to_owned(), id);
        id
    }

    fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }
}

/// The state of one Chrome import; see the module docs.
#[derive(Default)]
pub(crate) struct Reader {
    strings: Interner,
    /// Threads by `(pid, tid)` as text.
    threads: HashMap<(String, String), u32>,
    thread_keys: Vec<(String, String)>,
    /// Open `B` slices of each thread, innermost last (indexes into `slices`, or [`OURS`]).
    open: HashMap<u32, Vec<u32>>,
    thread_names: HashMap<u32, String>,
    process_names: HashMap<String, String>,
    slices: Vec<Slice>,
    /// Bytes of raw `args` held in `slices`.
    args_bytes: usize,
}

/// Where a trace event is, for errors.
#[derive(Clone, Copy)]
struct Ctx {
    index: usize,
    at: Position,
}

impl Ctx {
    fn field(&self, name: &str) -> String {
        format!("traceEvents[{}].{name}", self.index)
    }

    fn invalid(&self, field: &str, expected: impl Into<String>, found: String) -> ImportError {
        ImportError::invalid(
            Format::Chrome,
            Some(self.at),
            self.field(field),
            expected,
            found,
        )
    }
}

fn text_of(v: &Option<Value>) -> Option<String> {
    match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// `µs` as whole nanoseconds, if it is a time we can hold.
fn nanos(us: f64, non_negative: bool) -> Option<i128> {
    let fits = us.is_finite() && us.abs() < MAX_MICROS && (!non_negative || us >= 0.0);
    fits.then(|| (us * 1_000.0).round() as i128)
}

impl Reader {
    pub(crate) fn record<S: EventSink>(
        &mut self,
        record: &Record<'_>,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ev: RawEvent = read::parse_record(Format::Chrome, record, || {
            format!("traceEvents[{}]", record.index)
        })?;
        let ctx = Ctx {
            index: record.index,
            at: record.at,
        };
        match ev.ph.as_str() {
            "M" => {
                self.metadata(&ev);
                Ok(())
            }
            "B" => self.begin(ev, ctx, out),
            "E" => self.end(ev, ctx, out),
            "X" => self.complete(ev, ctx, out),
            "i" | "I" => self.instant(ev, ctx, out),
            other => {
                out.skip(other);
                Ok(())
            }
        }
    }

    /// `ts`, required on every phase we read but `M`.
    fn time(ev: &RawEvent, ctx: Ctx) -> Result<i128, ImportError> {
        match ev.ts {
            Some(Micros(t)) => nanos(t, false).ok_or_else(|| {
                ctx.invalid("ts", "a finite number of microseconds", format!("{t}"))
            }),
            None => Err(ctx.invalid(
                "ts",
                format!("a timestamp on a \"{}\" event", ev.ph),
                "nothing (the field is missing)".to_owned(),
            )),
        }
    }

    /// `dur` of an `X`: missing reads as 0 with a note.
    fn duration<S>(ev: &RawEvent, ctx: Ctx, out: &mut Output<S>) -> Result<i128, ImportError> {
        match ev.dur {
            Some(Micros(d)) => nanos(d, true).ok_or_else(|| {
                ctx.invalid(
                    "dur",
                    "a non-negative number of microseconds",
                    format!("{d}"),
                )
            }),
            None => {
                out.notes.push(format!(
                    "traceEvents[{}] (X) has no dur; it was read as lasting 0 µs",
                    ctx.index
                ));
                Ok(0)
            }
        }
    }

    fn thread(&mut self, ev: &RawEvent) -> u32 {
        let key = (
            text_of(&ev.pid).unwrap_or_default(),
            text_of(&ev.tid).unwrap_or_default(),
        );
        if let Some(&t) = self.threads.get(&key) {
            return t;
        }
        let t = self.thread_keys.len() as u32;
        self.thread_keys.push(key.clone());
        self.threads.insert(key, t);
        t
    }

    /// `M`: thread and process names.
    fn metadata(&mut self, ev: &RawEvent) {
        let Some(name) = ev.args.and_then(|a| {
            #[derive(Deserialize)]
            struct Named {
                name: String,
            }
            read::from_str_deep::<Named>(a.get()).ok()
        }) else {
            return;
        };
        match text_of(&ev.name).as_deref() {
            Some("thread_name") => {
                let t = self.thread(ev);
                self.thread_names.insert(t, name.name);
            }
            Some("process_name") => {
                let pid = text_of(&ev.pid).unwrap_or_default();
                self.process_names.insert(pid, name.name);
            }
            _ => {}
        }
    }

    /// `B`: ours is pushed now; another tool's waits for its `E`.
    fn begin<S: EventSink>(
        &mut self,
        ev: RawEvent,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(&ev, ctx)?;
        let thread = self.thread(&ev);
        if let Some(start) = exact(Ours::of(ev.args).start) {
            // Its E, if another tool added one, closes nothing of ours.
            self.open.entry(thread).or_default().push(OURS);
            return out.push(start);
        }
        let slice = self.slice(&ev, ctx, thread, ts, None, NESTS);
        self.open.entry(thread).or_default().push(slice);
        self.hold(out)
    }

    /// `E`: closes the innermost open `B` of its thread.
    fn end<S: EventSink>(
        &mut self,
        ev: RawEvent,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(&ev, ctx)?;
        let thread = self.thread(&ev);
        let f = match self.open.get_mut(&thread).and_then(Vec::pop) {
            Some(OURS) => return Ok(()),
            Some(f) => f,
            None => {
                out.skip("E without B");
                return Ok(());
            }
        };
        let slice = &mut self.slices[f as usize];
        if ts < slice.start {
            return Err(ctx.invalid(
                "ts",
                format!(
                    "an E no earlier than its B ({} µs)",
                    slice.start as f64 / 1000.0
                ),
                format!("{} µs", ts as f64 / 1000.0),
            ));
        }
        slice.end = ts;
        slice.flags |= ENDED;
        let non_empty = ev.args.is_some_and(|a| {
            read::from_str_deep::<Map<String, Value>>(a.get()).is_ok_and(|m| !m.is_empty())
        });
        if let (true, Some(a)) = (non_empty, ev.args) {
            self.args_bytes += a.get().len();
            slice.args.get_or_insert_with(Box::default).end_args = Some(a.to_owned());
            self.hold(out)?;
        }
        Ok(())
    }

    /// `X`: a complete slice.
    fn complete<S: EventSink>(
        &mut self,
        ev: RawEvent,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(&ev, ctx)?;
        let ours = Ours::of(ev.args);
        if let Some(start) = exact(ours.start) {
            let end = exact(ours.end).map(|mut end| {
                end.start_id.get_or_insert(start.id);
                end
            });
            out.push(start)?;
            return end.map_or(Ok(()), |end| out.push(end));
        }
        let dur = Self::duration(&ev, ctx, out)?;
        let thread = self.thread(&ev);
        self.slice(&ev, ctx, thread, ts, Some(ts + dur), NESTS);
        self.hold(out)
    }

    /// `i` and the older `I`: a point event. Global and process-scoped ones nest in no slice.
    fn instant<S: EventSink>(
        &mut self,
        ev: RawEvent,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(&ev, ctx)?;
        if let Some(event) = exact(Ours::of(ev.args).event) {
            return out.push(event);
        }
        let scope = ev.s.as_ref().and_then(Value::as_str);
        let nests = if matches!(scope, Some("g" | "p")) {
            0
        } else {
            NESTS
        };
        let thread = self.thread(&ev);
        self.slice(&ev, ctx, thread, ts, Some(ts), INSTANT | nests);
        self.hold(out)
    }

    /// Keeps another tool's slice for the end; returns its index.
    fn slice(
        &mut self,
        ev: &RawEvent,
        ctx: Ctx,
        thread: u32,
        start: i128,
        end: Option<i128>,
        flags: u8,
    ) -> u32 {
        let default = if flags & INSTANT != 0 {
            "instant"
        } else {
            "slice"
        };
        let name = self
            .strings
            .id(text_of(&ev.name).as_deref().unwrap_or(default));
        let cat = text_of(&ev.cat).map_or(NO_CAT, |c| self.strings.id(&c));
        let args = ev.args.map(|a| {
            self.args_bytes += a.get().len();
            Box::new(Args {
                args: Some(a.to_owned()),
                end_args: None,
            })
        });
        self.slices.push(Slice {
            start,
            end: end.unwrap_or(start),
            index: ctx.index as u64,
            thread,
            name,
            cat,
            flags: flags | if end.is_some() { ENDED } else { 0 },
            args,
        });
        (self.slices.len() - 1) as u32
    }

    /// What this reader holds, for the memory budget.
    fn hold<S: EventSink>(&self, out: &mut Output<S>) -> Result<(), ImportError> {
        let bytes = self.slices.capacity() * std::mem::size_of::<Slice>()
            + self.args_bytes
            + self.strings.bytes
            + self.thread_keys.len() * 128;
        out.hold(bytes)
    }

    /// The end of the input: other tools' slices become events.
    pub(crate) fn finish<S: EventSink>(&mut self, out: &mut Output<S>) -> Result<(), ImportError> {
        let mut unclosed: Vec<usize> = self
            .open
            .values()
            .map(|stack| stack.iter().filter(|&&f| f != OURS).count())
            .filter(|&n| n > 0)
            .collect();
        unclosed.sort_unstable();
        for n in unclosed {
            out.notes.push(format!(
                "{n} B event(s) on one thread have no E: read as never finished"
            ));
        }
        if self.slices.is_empty() {
            return Ok(());
        }
        let shift = self.shift(out);
        let parents = self.parents();
        let roots = roots(&parents, &self.order());
        let slices = std::mem::take(&mut self.slices);
        for (k, s) in slices.iter().enumerate() {
            let root = slices[roots[k] as usize].index;
            out.push(self.start_event(
                s,
                parents[k].map(|p| slices[p as usize].index),
                root,
                shift,
            ))?;
        }
        for (k, s) in slices.iter().enumerate() {
            if s.flags & INSTANT == 0 && s.flags & ENDED != 0 {
                let parent = parents[k].map(|p| slices[p as usize].index);
                let root = slices[roots[k] as usize].index;
                out.push(self.end_event(s, parent, root, shift))?;
            }
        }
        Ok(())
    }

    /// Times must be non-negative nanoseconds: the shift for a trace that starts before 0.
    fn shift<S>(&self, out: &mut Output<S>) -> i128 {
        let min = self.slices.iter().map(|f| f.start).min().unwrap_or(0);
        if min < 0 {
            out.notes.push(format!(
                "timestamps start at {} µs; shifted so the trace starts at 0",
                min as f64 / 1000.0
            ));
            -min
        } else {
            0
        }
    }

    /// Slices by thread, start, longest first: the order nesting is found in.
    fn order(&self) -> Vec<u32> {
        let s = &self.slices;
        let end = |f: &Slice| {
            if f.flags & ENDED != 0 {
                f.end
            } else {
                i128::MAX
            }
        };
        let mut order: Vec<u32> = (0..s.len() as u32).collect();
        order.sort_by_key(|&k| {
            let f = &s[k as usize];
            (
                f.thread,
                f.start,
                Reverse(end(f)),
                f.flags & INSTANT,
                f.index,
            )
        });
        order
    }

    /// Each slice's parent: the innermost slice of its thread open around it.
    fn parents(&self) -> Vec<Option<u32>> {
        let s = &self.slices;
        let end = |f: &Slice| {
            if f.flags & ENDED != 0 {
                f.end
            } else {
                i128::MAX
            }
        };
        let mut parent = vec![None; s.len()];
        let mut stack: Vec<u32> = Vec::new();
        let mut current = None;
        for k in self.order() {
            let f = &s[k as usize];
            if current != Some(f.thread) {
                stack.clear();
                current = Some(f.thread);
            }
            while let Some(&top) = stack.last() {
                let top_end = end(&s[top as usize]);
                if top_end < f.start || top_end < end(f) {
                    stack.pop();
                } else {
                    break;
                }
            }
            if f.flags & NESTS != 0 {
                parent[k as usize] = stack.last().copied();
            }
            if f.flags & INSTANT == 0 {
                stack.push(k);
            }
        }
        parent
    }

    fn extra(&self, s: &Slice) -> Map<String, Value> {
        let mut extra = Map::new();
        if let Some(a) = &s.args {
            let mut args: Option<Value> = a
                .args
                .as_ref()
                .map(|r| read::from_str_deep(r.get()).expect("args were read as JSON before"));
            if let Some(end) = &a.end_args {
                let end: Value = read::from_str_deep(end.get()).expect("read as JSON before");
                if let Value::Object(o) = args.get_or_insert_with(|| json!({})) {
                    o.insert("end_args".into(), end);
                }
            }
            if let Some(args) = args {
                extra.insert("args".into(), args);
            }
        }
        let (pid, tid) = &self.thread_keys[s.thread as usize];
        extra.insert("pid".into(), json!(pid));
        extra.insert("tid".into(), json!(tid));
        if let Some(n) = self.thread_names.get(&s.thread) {
            extra.insert("thread".into(), json!(n));
        }
        if let Some(n) = self.process_names.get(pid) {
            extra.insert("process".into(), json!(n));
        }
        extra
    }

    fn kind(&self, s: &Slice) -> String {
        let kind = if s.cat == NO_CAT { s.name } else { s.cat };
        self.strings.get(kind).to_owned()
    }

    fn start_event(&self, s: &Slice, parent: Option<u64>, root: u64, shift: i128) -> Event {
        let id = Uuid::from_u64_pair(START_NS, s.index);
        let root_id = Uuid::from_u64_pair(START_NS, root);
        Event {
            id,
            kind: self.kind(s).into(),
            phase: if s.flags & INSTANT != 0 {
                Phase::Progress
            } else {
                Phase::Started
            },
            parent_id: parent.map(|p| Uuid::from_u64_pair(START_NS, p)),
            root_id,
            lineage_id: lineage_of(root_id),
            start_id: None,
            seq: 0,
            timestamp_ns: ns(s.start, shift),
            duration_ns: None,
            error: None,
            payload: Payload {
                process_name: Some(self.strings.get(s.name).to_owned().into()),
                extra: self.extra(s).into(),
                ..Payload::default()
            },
        }
    }

    fn end_event(&self, s: &Slice, parent: Option<u64>, root: u64, shift: i128) -> Event {
        let id = Uuid::from_u64_pair(START_NS, s.index);
        let root_id = Uuid::from_u64_pair(START_NS, root);
        let (start, end) = (ns(s.start, shift), ns(s.end, shift));
        Event {
            id: Uuid::from_u64_pair(END_NS, s.index),
            kind: self.kind(s).into(),
            phase: Phase::Completed,
            parent_id: parent.map(|p| Uuid::from_u64_pair(START_NS, p)),
            root_id,
            lineage_id: lineage_of(root_id),
            start_id: Some(id),
            seq: 0,
            timestamp_ns: end,
            duration_ns: Some(end.saturating_sub(start)),
            error: None,
            payload: Payload {
                process_name: Some(self.strings.get(s.name).to_owned().into()),
                ..Payload::default()
            },
        }
    }
}

fn ns(t: i128, shift: i128) -> u64 {
    u64::try_from(t + shift).unwrap_or(u64::MAX)
}

/// The topmost ancestor of each slice; `order` puts every parent before its children.
fn roots(parents: &[Option<u32>], order: &[u32]) -> Vec<u32> {
    let mut root: Vec<u32> = (0..parents.len() as u32).collect();
    for &k in order {
        if let Some(p) = parents[k as usize] {
            root[k as usize] = root[p as usize];
        }
    }
    root
}

/// Where an event of a Chrome import goes among events of the same time, so that the
/// whole-input [`import`](crate::trace::import) keeps the order it always had: our own
/// starts, other tools' starts, their ends, our own ends.
pub(crate) fn rank(e: &Event) -> u8 {
    match e.id.as_u64_pair().0 {
        START_NS => 1,
        END_NS => 2,
        _ if e.start_id.is_some() => 3,
        _ => 0,
    }
}
