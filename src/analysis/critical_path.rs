//! # Which chain of steps made an operation slow
//!
//! An operation ends when its last step ends, and that step ends when *its* last step does.
//! The [`CriticalPath`] of an operation is that chain: from the operation, repeatedly the
//! child that ended last (the one the parent waited for), down to a step with no children.
//! Shortening any other child does not make the operation end sooner; shortening a step on
//! this chain might.
//!
//! Each [`Step`] carries its *self time*: its duration minus the time covered by at least one
//! of its children (overlapping children count once), that is, the time spent in the step's
//! own code. The operation's [`TimeSplit`] says where its time went: its own code, its
//! children, and the queue lag of its end event (how long after the operation ended the bus
//! recorded it, for live runs: a cost the caller does not wait for but the inspector sees).
//!
//! Only [`EventLog`]'s public methods and the [`Spans`] forest are used.

use serde::Serialize;

use crate::model::events::EventLog;
use crate::model::spans::{Spans, Status};

/// One step of the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The step's span index.
    pub span: usize,
    /// What the step's row is labelled with: its process name, or its kind.
    pub name: String,
    /// 0 for the operation itself.
    pub depth: usize,
    /// When the step began (ns, the trace's clock).
    pub start_ns: u64,
    /// When it ended (ns), or the path's `open_until` if it had not; a child's extent is clipped
    /// to its parent's.
    pub end_ns: u64,
    /// Time in the step's own code: duration minus time covered by its children.
    pub self_ns: u64,
    /// Time covered by at least one child.
    pub children_ns: u64,
}

impl Step {
    /// End minus start (ns): the step's own code plus its children ([`Step::self_ns`] +
    /// [`Step::children_ns`]).
    pub fn duration_ns(&self) -> u64 {
        self.end_ns - self.start_ns
    }
}

/// Where an operation's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TimeSplit {
    /// The operation's time in its own code (ns): [`Step::self_ns`] of the first step.
    pub self_ns: u64,
    /// The operation's time covered by at least one child (ns).
    pub children_ns: u64,
    /// Processed minus emitted of the end event, when processing times are known.
    pub queue_lag_ns: Option<u64>,
}

/// The chain of nested steps that determines an operation's end; see the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CriticalPath {
    /// The operation first, then each step it waited for last.
    pub steps: Vec<Step>,
    /// Where the operation's time went: its own code, its children, its end event's queue lag.
    pub split: TimeSplit,
}

impl CriticalPath {
    /// The critical path of span `op`; unfinished spans end at `open_until` (the replay's
    /// current time, or the trace's last timestamp).
    ///
    /// ```
    /// use lineage::core::{Event, Phase};
    /// use lineage::analysis::critical_path::CriticalPath;
    /// use lineage::model::{EventLog, Spans};
    ///
    /// let root = Event::root("processing", Phase::Started);
    /// let trace = EventLog::new(vec![root]);
    /// let spans = Spans::build(&trace);
    /// let path = CriticalPath::of(&trace, &spans, 0, 0);
    /// assert_eq!(path.steps.len(), 1);
    /// ```
    pub fn of(trace: &EventLog, spans: &Spans, op: usize, open_until: u64) -> CriticalPath {
        let mut steps = Vec::new();
        let mut at = Some(op);
        let mut depth = 0;
        while let Some(s) = at {
            let (start, end) = spans.extent(trace, s, open_until);
            let mut intervals: Vec<(u64, u64)> = Vec::new();
            let mut last: Option<(u64, usize)> = None;
            for &c in &spans.spans[s].children {
                if spans.spans[c].status == Status::Point {
                    continue;
                }
                let (cs, ce) = spans.extent(trace, c, open_until);
                let (cs, ce) = (cs.clamp(start, end), ce.clamp(start, end));
                intervals.push((cs, ce));
                // The child the step waited for last: latest end, then latest start.
                if last.is_none_or(|(le, ls)| (ce, c) > (le, ls)) {
                    last = Some((ce, c));
                }
            }
            let children_ns = covered(&mut intervals);
            steps.push(Step {
                span: s,
                name: trace.label(spans.spans[s].start).to_owned(),
                depth,
                start_ns: start,
                end_ns: end,
                self_ns: (end - start).saturating_sub(children_ns),
                children_ns,
            });
            at = last.map(|(_, c)| c);
            depth += 1;
        }
        let queue_lag_ns = spans.spans[op].end.and_then(|e| {
            trace
                .processed_ns(e)
                .map(|p| p.saturating_sub(trace.timestamp_ns(e)))
        });
        let split = TimeSplit {
            self_ns: steps[0].self_ns,
            children_ns: steps[0].children_ns,
            queue_lag_ns,
        };
        CriticalPath { steps, split }
    }

    /// Whether span `s` is a step of this path.
    pub fn contains(&self, s: usize) -> bool {
        self.steps.iter().any(|st| st.span == s)
    }
}

/// The length of the union of `intervals` (sorted in place).
fn covered(intervals: &mut [(u64, u64)]) -> u64 {
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(u64, u64)> = None;
    for &(s, e) in intervals.iter() {
        match current {
            Some((cs, ce)) if s <= ce => current = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                total += ce - cs;
                current = Some((s, e));
            }
            None => current = Some((s, e)),
        }
    }
    total + current.map_or(0, |(s, e)| e - s)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Phase};

    /// Builds start/end pairs: (name, parent index in `ops` or none, start, end).
    fn trace(ops: &[(&str, Option<usize>, u64, Option<u64>)]) -> EventLog {
        let mut starts: Vec<Event> = Vec::new();
        let mut events = Vec::new();
        for &(name, parent, t0, t1) in ops {
            let mut s = match parent {
                Some(p) => Event::child_of(&starts[p], "processing", Phase::Started),
                None => Event::root("processing", Phase::Started),
            };
            s.payload.process_name = Some(name.to_owned().into());
            s.timestamp_ns = t0;
            starts.push(s.clone());
            events.push(s.clone());
            if let Some(t1) = t1 {
                let mut e = s.clone();
                e.id = uuid::Uuid::new_v4();
                e.kind = "processed".into();
                e.phase = Phase::Completed;
                e.start_id = Some(s.id);
                e.timestamp_ns = t1;
                events.push(e);
            }
        }
        events.sort_by_key(|e| e.timestamp_ns);
        EventLog::new(events)
    }

    fn names(p: &CriticalPath) -> Vec<&str> {
        p.steps.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn the_chain_follows_the_child_that_ended_last_with_self_times() {
        // op 0..100: a 10..40 (a1 15..35), b 30..90 (b1 35..50, b2 50..85), point-free.
        let t = trace(&[
            ("op", None, 0, Some(100)),
            ("a", Some(0), 10, Some(40)),
            ("a1", Some(1), 15, Some(35)),
            ("b", Some(0), 30, Some(90)),
            ("b1", Some(3), 35, Some(50)),
            ("b2", Some(3), 50, Some(85)),
        ]);
        let spans = Spans::build(&t);
        let op = spans.roots[0];
        let path = CriticalPath::of(&t, &spans, op, 0);
        assert_eq!(names(&path), vec!["op", "b", "b2"]);
        let selfs: Vec<u64> = path.steps.iter().map(|s| s.self_ns).collect();
        // op: 100 − covered(10..90) = 20; b: 60 − 50 = 10; b2: 35.
        assert_eq!(selfs, vec![20, 10, 35]);
        assert_eq!(path.split.self_ns + path.split.children_ns, 100);
        assert_eq!(path.split.queue_lag_ns, None);
        assert!(path.contains(op) && !path.contains(spans.span_of_event[1]));
        let depths: Vec<usize> = path.steps.iter().map(|s| s.depth).collect();
        assert_eq!(depths, vec![0, 1, 2]);
    }

    #[test]
    fn overlapping_children_count_once() {
        let t = trace(&[
            ("op", None, 0, Some(50)),
            ("x", Some(0), 5, Some(30)),
            ("y", Some(0), 10, Some(40)),
        ]);
        let spans = Spans::build(&t);
        let path = CriticalPath::of(&t, &spans, spans.roots[0], 0);
        assert_eq!(names(&path), vec!["op", "y"]);
        assert_eq!((path.split.self_ns, path.split.children_ns), (15, 35));
        let mut v = vec![(5, 30), (10, 40), (45, 50)];
        assert_eq!(covered(&mut v), 40);
    }

    #[test]
    fn an_unfinished_step_runs_until_the_given_time_and_lag_comes_from_processing() {
        let mut t = trace(&[("op", None, 0, Some(60)), ("stuck", Some(0), 20, None)]);
        // Events: op start (0), stuck start (20), op end (60); each processed 5 ns later.
        let processed: Vec<u64> = t.events().map(|e| e.timestamp_ns + 5).collect();
        t.set_processed_ns(processed);
        let spans = Spans::build(&t);
        let path = CriticalPath::of(&t, &spans, spans.roots[0], 45);
        assert_eq!(names(&path), vec!["op", "stuck"]);
        assert_eq!(path.steps[1].duration_ns(), 25);
        assert_eq!(path.split.queue_lag_ns, Some(5));
    }
}
