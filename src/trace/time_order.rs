//! # An imported trace put in time order, in steps
//!
//! A Chrome import pushes events in file order (our own as read, other tools' slices at the
//! end), an OTLP import as its spans are read (a child may wait for its parent), and
//! [`import`](crate::trace::import) promises time order for both: by timestamp, then the
//! format's rank ([`chrome::import::rank`](super::chrome::import::rank),
//! [`otlp::rank`](super::otlp::rank)), then as pushed. For a trace already in that order (a
//! `ph: X` bomb, our own exports, spans written in order) nothing is copied; otherwise the
//! events are sorted with a [`StepSort`] and copied into a new trace made room for up front.
//! Each of the three stages (keys, sort, copy) goes a bounded number of events per
//! [`step`](TimeOrder::step), so the page spreads the work of two million events over
//! frames; [`Imported::from_finished_trace`](super::Imported::from_finished_trace) runs it in
//! one unbounded step. The keys come from the records (time, id, start link): no event is
//! decoded to order it.

use super::step_sort::StepSort;
use super::Format;
use crate::model::EventLog;

/// Where an event goes among events of the same time, read from its record.
pub(crate) type Rank = fn(&EventLog, usize) -> u8;

/// What copying one event costs of a step's budget, counted in keys read: an event is
/// decoded and encoded again, its payload with it (an OTLP span's event carries its
/// resource, scope and attributes), where a key is two fields of a record. Counted as one,
/// a step of the page's budget copied thousands of events whatever their size; one of the
/// page's runs of a 200 k-span document had a 383 ms frame there (another 50 ms).
const COPY_WEIGHT: usize = 16;

/// Where the ordering is.
enum Stage {
    /// Reading each event's key; `sorted` while every key so far is at least the previous.
    Keys {
        sorted: bool,
    },
    Sort(StepSort),
    /// Copying the events into `into` in `order`.
    Copy {
        order: Vec<u32>,
        into: Box<EventLog>,
    },
}

/// A trace being put in time order; see the module docs.
pub(crate) struct TimeOrder {
    trace: EventLog,
    rank: Rank,
    keys: Vec<(u64, u8)>,
    stage: Stage,
    at: usize,
}

/// The tie-break of `format`'s time order, if its imports are shown in time order (the
/// other formats are shown as read).
pub(crate) fn rank_of(format: Format) -> Option<Rank> {
    match format {
        Format::Chrome => Some(super::chrome::import::rank_in_log),
        Format::Otlp => Some(|t, i| u8::from(t.start_id(i).is_some())),
        Format::Native | Format::Abstractions => None,
    }
}

impl TimeOrder {
    /// The ordering of `trace` under `rank` (see [`rank_of`]).
    pub(crate) fn new(trace: EventLog, rank: Rank) -> TimeOrder {
        TimeOrder {
            keys: Vec::with_capacity(trace.len()),
            trace,
            rank,
            stage: Stage::Keys { sorted: true },
            at: 0,
        }
    }

    /// How far it has got, 0 to 1 (for the page's progress bar).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn fraction(&self) -> f64 {
        let part = self.at as f64 / self.trace.len().max(1) as f64;
        match &self.stage {
            Stage::Keys { .. } => part / 4.0,
            Stage::Sort(sort) => 0.25 + sort.fraction() / 4.0,
            Stage::Copy { .. } => 0.5 + part / 2.0,
        }
    }

    /// Goes through about `budget` events (at least one); the ordered trace once done.
    /// The whole run: [`TimeOrder::run`].
    pub(crate) fn step(&mut self, budget: usize) -> Option<EventLog> {
        let n = self.trace.len();
        let mut left = budget.max(1);
        while left > 0 {
            match &mut self.stage {
                Stage::Keys { sorted } => {
                    while self.at < n && left > 0 {
                        let key = (
                            self.trace.timestamp_ns(self.at),
                            (self.rank)(&self.trace, self.at),
                        );
                        *sorted &= self.keys.last().is_none_or(|&last| last <= key);
                        self.keys.push(key);
                        self.at += 1;
                        left -= 1;
                    }
                    if self.at == n {
                        if *sorted {
                            return Some(std::mem::take(&mut self.trace));
                        }
                        self.stage = Stage::Sort(StepSort::new(n));
                    }
                }
                Stage::Sort(sort) => {
                    let keys = &self.keys;
                    if let Some(order) =
                        sort.step(left, |a, b| keys[a as usize].cmp(&keys[b as usize]))
                    {
                        self.keys = Vec::new();
                        self.at = 0;
                        // Room for every event now: growing as they come would rebuild the
                        // store's id indexes from every event held, each time they fill.
                        let mut into = Box::<EventLog>::default();
                        into.reserve(n);
                        self.stage = Stage::Copy { order, into };
                    }
                    left = 0;
                }
                Stage::Copy { order, into } => {
                    while self.at < n && left > 0 {
                        let i = order[self.at] as usize;
                        let e = self.trace.event(i);
                        match self.trace.processed_ns(i) {
                            Some(p) => into.push_processed(&e, p),
                            None => into.push(&e),
                        };
                        self.at += 1;
                        left = left.saturating_sub(COPY_WEIGHT);
                    }
                    if self.at == n {
                        return Some(std::mem::take(into));
                    }
                }
            }
        }
        None
    }
}

impl TimeOrder {
    /// [`TimeOrder::step`] to the end, in one go (the command line's way).
    pub(crate) fn run(mut self) -> EventLog {
        loop {
            if let Some(trace) = self.step(usize::MAX) {
                return trace;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::TimeOrder;
    use crate::model::EventLog;
    use crate::model::EventVec;
    use crate::trace::{Format, Importer, Limits};

    fn stepped(format: Format, trace: EventLog, budget: usize) -> EventLog {
        let rank = super::rank_of(format).expect("shown in time order");
        let mut order = TimeOrder::new(trace, rank);
        loop {
            if let Some(t) = order.step(budget) {
                return t;
            }
        }
    }

    /// `text` ordered in steps of every size gives what `import` gives (a `Vec` sorted whole).
    fn in_steps_as_whole(format: Format, text: &[u8]) {
        let whole = crate::trace::import(text, None).unwrap().events;
        let mut importer = Importer::new(EventLog::default(), None, Limits::DEFAULT);
        importer.feed(text).unwrap();
        let done = importer.finish().unwrap();
        assert_eq!(done.format, format);
        let as_read: Vec<_> = done.sink.events().collect();
        assert_ne!(as_read, whole, "the case must need ordering");
        for budget in [1, 2, 5, usize::MAX] {
            let trace = stepped(format, done.sink.clone(), budget);
            assert_eq!(trace.events().collect::<Vec<_>>(), whole, "budget {budget}");
        }
        let (_, trace) = crate::trace::Imported::from_finished_trace(done);
        assert_eq!(trace.events().collect::<Vec<_>>(), whole);
    }

    #[test]
    fn a_chrome_trace_in_steps_is_in_the_order_the_whole_import_promises() {
        // Slices listed out of time order, nested, with instants and a B/E pair.
        let text = br#"[{"ph":"X","name":"late","ts":50,"dur":5,"pid":1,"tid":1},
            {"ph":"X","name":"outer","ts":0,"dur":100,"pid":1,"tid":1},
            {"ph":"i","name":"tick","ts":20,"pid":1,"tid":2},
            {"ph":"B","name":"b","ts":10,"pid":1,"tid":1},{"ph":"E","ts":30,"pid":1,"tid":1},
            {"ph":"X","name":"early","ts":1,"dur":2,"pid":1,"tid":1}]"#;
        in_steps_as_whole(Format::Chrome, text);
        // The same through a plain Vec, as `import` collects it.
        let whole = crate::trace::import(text, None).unwrap().events;
        let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
        importer.feed(text).unwrap();
        let mut events = importer.finish().unwrap().sink.into_events();
        events.sort_by_key(|e| (e.timestamp_ns, crate::trace::chrome::import::rank(e)));
        assert_eq!(events, whole);
    }

    #[test]
    fn an_otlp_trace_in_steps_is_in_the_order_the_whole_import_promises() {
        // A child listed before its parent, a span ending as another starts, one that never
        // ended, and spans out of time order.
        let span = |id: u8, parent: Option<u8>, start: u64, end: u64| {
            let parent = parent.map_or(String::new(), |p| format!(r#","parentSpanId":"{p:016x}""#));
            format!(
                r#"{{"traceId":"{:032x}","spanId":"{id:016x}"{parent},"name":"s{id}","startTimeUnixNano":"{start}","endTimeUnixNano":"{end}"}}"#,
                1
            )
        };
        let spans = [
            span(3, Some(2), 40, 50),
            span(2, Some(1), 30, 60),
            span(1, None, 10, 100),
            span(4, Some(1), 60, 70),
            span(5, None, 5, 0),
            span(6, Some(1), 20, 30),
        ]
        .join(",");
        let text = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{spans}]}}]}}]}}"#);
        in_steps_as_whole(Format::Otlp, text.as_bytes());
    }

    #[test]
    fn only_chrome_and_otlp_are_put_in_time_order() {
        for format in Format::ALL {
            let ordered = matches!(format, Format::Chrome | Format::Otlp);
            assert_eq!(super::rank_of(format).is_some(), ordered, "{format}");
        }
    }
}
