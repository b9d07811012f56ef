//! # A Chrome trace put in time order, in steps
//!
//! A Chrome import pushes events in file order (our own as read, other tools' slices at the
//! end), and [`import`](crate::trace::import) promises time order: by timestamp, then
//! [`rank`](super::rank), then as pushed. For a trace already in that order (a
//! `ph: X` bomb, our own exports) nothing is copied; otherwise the events are sorted with a
//! [`StepSort`] and copied into a new trace. Each of the three stages (keys, sort, copy) goes
//! a bounded number of events per [`step`](TimeOrder::step), so the page spreads the work of
//! a million events over frames. The keys come from the records (id, start link, time):
//! no event is decoded to order it.

use super::step_sort::StepSort;
use super::{END_NS, START_NS};
use crate::model::EventLog;

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

/// A Chrome trace being put in time order; see the module docs.
pub(crate) struct TimeOrder {
    trace: EventLog,
    keys: Vec<(u64, u8)>,
    stage: Stage,
    at: usize,
}

/// `rank` from the record's id and start link alone.
fn rank_of(trace: &EventLog, i: usize) -> u8 {
    match trace.id(i).as_u64_pair().0 {
        START_NS => 1,
        END_NS => 2,
        _ if trace.start_id(i).is_some() => 3,
        _ => 0,
    }
}

impl TimeOrder {
    pub(crate) fn new(trace: EventLog) -> TimeOrder {
        TimeOrder {
            trace,
            keys: Vec::new(),
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
    pub(crate) fn step(&mut self, budget: usize) -> Option<EventLog> {
        let n = self.trace.len();
        let mut left = budget.max(1);
        while left > 0 {
            match &mut self.stage {
                Stage::Keys { sorted } => {
                    while self.at < n && left > 0 {
                        let key = (
                            self.trace.timestamp_ns(self.at),
                            rank_of(&self.trace, self.at),
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
                        self.stage = Stage::Copy {
                            order,
                            into: Box::default(),
                        };
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
                        left -= 1;
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

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::TimeOrder;
    use crate::model::EventLog;
    use crate::model::EventVec;
    use crate::trace::{Importer, Limits};

    fn stepped(trace: EventLog, budget: usize) -> EventLog {
        let mut order = TimeOrder::new(trace);
        loop {
            if let Some(t) = order.step(budget) {
                return t;
            }
        }
    }

    #[test]
    fn a_chrome_trace_in_steps_is_in_the_order_the_whole_import_promises() {
        // Slices listed out of time order, nested, with instants and a B/E pair.
        let text = br#"[{"ph":"X","name":"late","ts":50,"dur":5,"pid":1,"tid":1},
            {"ph":"X","name":"outer","ts":0,"dur":100,"pid":1,"tid":1},
            {"ph":"i","name":"tick","ts":20,"pid":1,"tid":2},
            {"ph":"B","name":"b","ts":10,"pid":1,"tid":1},{"ph":"E","ts":30,"pid":1,"tid":1},
            {"ph":"X","name":"early","ts":1,"dur":2,"pid":1,"tid":1}]"#;
        let whole = crate::trace::import(text, None).unwrap().events;
        let mut importer = Importer::new(EventLog::default(), None, Limits::DEFAULT);
        importer.feed(text).unwrap();
        let done = importer.finish().unwrap();
        for budget in [1, 2, 5, usize::MAX] {
            let trace = stepped(done.sink.clone(), budget);
            assert_eq!(trace.events().collect::<Vec<_>>(), whole, "budget {budget}");
        }
        // The same through a plain Vec, as `import` collects it.
        let mut importer = Importer::new(EventVec::new(), None, Limits::DEFAULT);
        importer.feed(text).unwrap();
        let mut events = importer.finish().unwrap().sink.into_events();
        events.sort_by_key(|e| (e.timestamp_ns, super::super::rank(e)));
        assert_eq!(events, whole);
    }
}
