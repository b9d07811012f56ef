//! Other tools' slices, held until the end of the input, become events: each slice's parent
//! is the innermost slice of its thread open around it (found in one sort by thread, start
//! and length), its root the topmost of those, and its ids come from its place in the file.

use std::cmp::Reverse;

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{Reader, Slice, ENDED, INSTANT, NESTS, NO_CAT, OURS};
use crate::core::{Event, Payload, Phase};
use crate::trace::chrome::{END_NS, START_NS};
use crate::trace::error::ImportError;
use crate::trace::lineage_of;
use crate::trace::read;
use crate::trace::sink::EventSink;
use crate::trace::stream::Output;

impl Reader {
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
            unknown: Default::default(),
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
            unknown: Default::default(),
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
