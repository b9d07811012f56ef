//! Reading a Chrome trace one trace event at a time.
//!
//! Events written by lineage carry the exact events in their `args` and are pushed as soon as
//! they are read. Other tools' slices need their parents, found by nesting in time on their
//! thread, and Chrome writes a complete (`X`) slice when it ends, so a child comes before
//! its parent in the file: those slices are kept in a compact form ([`Slice`], about 64
//! bytes, the `args` as raw JSON text), counted against the memory budget, and turned into
//! events at the end, in one sort per trace. `B`/`E` pairing keeps only each thread's stack
//! of open slices.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod ahead_tests;
mod events;
mod fast;
mod interner;
mod nesting;
mod raw;
mod take;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use interner::Interner;
use raw::{exact, raw_text, RawEvent, Record, END, EVENT, START};

use super::{END_NS, MAX_MICROS, START_NS};
use crate::core::Event;
use crate::model::sink::EventSink;
use crate::trace::error::{ImportError, Position};
use crate::trace::read;
use crate::trace::scan::Entry;
use crate::trace::stream::output::Output;
use crate::trace::Format;

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

/// The state of one Chrome import; see the module docs.
#[derive(Default)]
pub(crate) struct Reader {
    strings: Interner,
    /// Threads by `(pid, tid)` as text.
    threads: HashMap<(String, String), u32>,
    thread_keys: Vec<(String, String)>,
    /// The thread of the last event that named one: most events are on the same thread as
    /// the one before, found without building the key.
    last_thread: Option<u32>,
    /// Open `B` slices of each thread, innermost last (indexes into `slices`, or [`OURS`]).
    open: HashMap<u32, Vec<u32>>,
    thread_names: HashMap<u32, String>,
    process_names: HashMap<String, String>,
    slices: Vec<Slice>,
    /// Bytes of raw `args` held in `slices`.
    args_bytes: usize,
    /// Events the slices will become at the end (a start each, an end each that ended),
    /// counted against the event budget while the input is read.
    promised: u64,
    /// `X` events without a `dur`: how many, and the first one's index (one note for all).
    no_dur: (u64, usize),
    /// The end-of-input pass once begun, and how far it has got.
    ending: Option<Box<nesting::Ending>>,
    finish_fraction: f64,
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

/// `µs` as whole nanoseconds, if it is a time we can hold.
fn nanos(us: f64, non_negative: bool) -> Option<i128> {
    let fits = us.is_finite() && us.abs() < MAX_MICROS && (!non_negative || us >= 0.0);
    fits.then(|| (us * 1_000.0).round() as i128)
}

impl Reader {
    /// The general reader: every record the purpose-built one leaves, and every error.
    #[cold]
    fn parse<'a>(record: &Entry<'a>) -> Result<RawEvent<'a>, ImportError> {
        read::parse_record(Format::Chrome, record, || {
            format!("traceEvents[{}]", record.index)
        })
    }

    /// `ts`, required on every phase we read but `M`.
    fn time(ev: &Record, ctx: Ctx) -> Result<i128, ImportError> {
        match ev.ts {
            Some(t) => nanos(t, false).ok_or_else(|| {
                ctx.invalid("ts", "a finite number of microseconds", format!("{t}"))
            }),
            None => Err(ctx.invalid(
                "ts",
                format!("a timestamp on a \"{}\" event", ev.ph),
                "nothing (the field is missing)".to_owned(),
            )),
        }
    }

    /// `dur` of an `X`: missing reads as 0, counted for one note at the end.
    fn duration(&mut self, ev: &Record, ctx: Ctx) -> Result<i128, ImportError> {
        match ev.dur {
            Some(d) => nanos(d, true).ok_or_else(|| {
                ctx.invalid(
                    "dur",
                    "a non-negative number of microseconds",
                    format!("{d}"),
                )
            }),
            None => {
                if self.no_dur.0 == 0 {
                    self.no_dur.1 = ctx.index;
                }
                self.no_dur.0 += 1;
                Ok(0)
            }
        }
    }

    fn thread(&mut self, ev: &Record) -> u32 {
        let pid = ev.pid.as_deref().unwrap_or_default();
        let tid = ev.tid.as_deref().unwrap_or_default();
        if let Some(t) = self.last_thread {
            let (p, t_) = &self.thread_keys[t as usize];
            if p == pid && t_ == tid {
                return t;
            }
        }
        let key = (pid.to_owned(), tid.to_owned());
        let t = match self.threads.get(&key) {
            Some(&t) => t,
            None => {
                let t = self.thread_keys.len() as u32;
                self.thread_keys.push(key.clone());
                self.threads.insert(key, t);
                t
            }
        };
        self.last_thread = Some(t);
        t
    }

    /// `M`: thread and process names.
    fn metadata(&mut self, ev: &Record) {
        let Some(name) = ev.args.and_then(|a| {
            #[derive(Deserialize)]
            struct Named {
                name: String,
            }
            read::from_str_deep::<Named>(a).ok()
        }) else {
            return;
        };
        match ev.name.as_deref() {
            Some("thread_name") => {
                let t = self.thread(ev);
                self.thread_names.insert(t, name.name);
            }
            Some("process_name") => {
                let pid = ev.pid.as_deref().unwrap_or_default().to_owned();
                self.process_names.insert(pid, name.name);
            }
            _ => {}
        }
    }

    /// `B`: ours is pushed now; another tool's waits for its `E`.
    fn begin<S: EventSink>(
        &mut self,
        ev: &mut Record,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(ev, ctx)?;
        let thread = self.thread(ev);
        if let Some(start) = &ev.read[START] {
            self.open.entry(thread).or_default().push(OURS);
            return out.push_ref(start);
        }
        if let Some(start) = exact(ev.ours().start, ev.read[START].take()) {
            // Its E, if another tool added one, closes nothing of ours.
            self.open.entry(thread).or_default().push(OURS);
            return start.push(out);
        }
        let slice = self.slice(ev, ctx, thread, ts, None, NESTS)?;
        self.open.entry(thread).or_default().push(slice);
        self.hold(out)
    }

    /// `E`: closes the innermost open `B` of its thread.
    fn end<S: EventSink>(
        &mut self,
        ev: &mut Record,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(ev, ctx)?;
        let thread = self.thread(ev);
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
        self.promised += 1; // its end event
        let non_empty = ev.args.is_some_and(|a| {
            read::from_str_deep::<Map<String, Value>>(a).is_ok_and(|m| !m.is_empty())
        });
        if let (true, Some(a)) = (non_empty, ev.args) {
            self.args_bytes += a.len();
            slice.args.get_or_insert_with(Box::default).end_args = Some(raw_text(a));
            self.hold(out)?;
        }
        Ok(())
    }

    /// `X`: a complete slice.
    fn complete<S: EventSink>(
        &mut self,
        ev: &mut Record,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(ev, ctx)?;
        // Both of ours read already (our export): pushed where they lie, not moved.
        if let [Some(start), Some(end), _] = &mut ev.read {
            end.start_id.get_or_insert(start.id);
            out.push_ref(start)?;
            return out.push_ref(end);
        }
        let ours = ev.ours();
        if let Some(start) = exact(ours.start, ev.read[START].take()) {
            let end = exact(ours.end, ev.read[END].take()).map(|mut end| {
                end.start_id().get_or_insert(start.id());
                end
            });
            start.push(out)?;
            return end.map_or(Ok(()), |end| end.push(out));
        }
        let dur = self.duration(ev, ctx)?;
        let thread = self.thread(ev);
        self.slice(ev, ctx, thread, ts, Some(ts + dur), NESTS)?;
        self.hold(out)
    }

    /// `i` and the older `I`: a point event. Global and process-scoped ones nest in no slice.
    fn instant<S: EventSink>(
        &mut self,
        ev: &mut Record,
        ctx: Ctx,
        out: &mut Output<S>,
    ) -> Result<(), ImportError> {
        let ts = Self::time(ev, ctx)?;
        if let Some(event) = &ev.read[EVENT] {
            return out.push_ref(event);
        }
        if let Some(event) = exact(ev.ours().event, ev.read[EVENT].take()) {
            return event.push(out);
        }
        let scope = ev.scope.as_deref();
        let nests = if matches!(scope, Some("g" | "p")) {
            0
        } else {
            NESTS
        };
        let thread = self.thread(ev);
        self.slice(ev, ctx, thread, ts, Some(ts), INSTANT | nests)?;
        self.hold(out)
    }

    /// Keeps another tool's slice for the end; returns its index. Its `args` must be a
    /// `Value` at the end: JSON that serde passes over but cannot hold as one (a number
    /// beyond `f64`, a lone surrogate escape) is refused here, where the error can say
    /// where it is.
    fn slice(
        &mut self,
        ev: &Record,
        ctx: Ctx,
        thread: u32,
        start: i128,
        end: Option<i128>,
        flags: u8,
    ) -> Result<u32, ImportError> {
        let default = if flags & INSTANT != 0 {
            "instant"
        } else {
            "slice"
        };
        if let (false, Some(a)) = (ev.fast, ev.args) {
            // Read by serde: check that the end can make a `Value` of it (the purpose-built
            // reader gives up on anything that could not be one).
            if let Err(e) = read::from_str_deep::<Value>(a) {
                return Err(ctx.invalid(
                    "args",
                    "JSON a trace can hold (numbers within 64-bit floats, no lone surrogates)",
                    e.to_string(),
                ));
            }
        }
        let name = self.strings.id(ev.name.as_deref().unwrap_or(default));
        let cat = ev.cat.as_deref().map_or(NO_CAT, |c| self.strings.id(c));
        let args = ev.args.map(|a| {
            self.args_bytes += a.len();
            Box::new(Args {
                args: Some(raw_text(a)),
                end_args: None,
            })
        });
        // A start event, and an end event for a slice that ended (not an instant).
        self.promised += 1 + u64::from(flags & INSTANT == 0 && end.is_some());
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
        Ok((self.slices.len() - 1) as u32)
    }

    /// What this reader holds, for the memory budget, and the events it owes, for the
    /// event budget. The slices are counted at the capacity the next one may need: a full
    /// vector doubles, and a budget checked after the doubling would be passed by half of
    /// it (11 M slices held 1.5 GiB against a 1 GiB budget that way).
    fn hold<S: EventSink>(&self, out: &mut Output<S>) -> Result<(), ImportError> {
        let (len, cap) = (self.slices.len(), self.slices.capacity());
        let next = if len < cap { cap } else { (2 * cap).max(4) };
        let bytes = next * std::mem::size_of::<Slice>()
            + self.args_bytes
            + self.strings.bytes
            + self.thread_keys.len() * 128;
        out.promise(self.promised)?;
        out.hold(bytes)
    }

    /// How far the end-of-input pass has got, 0 to 1.
    pub(crate) fn finish_fraction(&self) -> f64 {
        self.finish_fraction
    }
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

/// [`rank`] read from event `i`'s record (its id and start link), without decoding it: the
/// key the stepped time order ([`TimeOrder`](crate::trace::time_order::TimeOrder)) sorts by.
pub(crate) fn rank_in_log(trace: &crate::model::EventLog, i: usize) -> u8 {
    match trace.id(i).as_u64_pair().0 {
        START_NS => 1,
        END_NS => 2,
        _ if trace.start_id(i).is_some() => 3,
        _ => 0,
    }
}
