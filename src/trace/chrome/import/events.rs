//! Other tools' slices as lineage events: a start (or a point event for an instant) and, for
//! a slice that ended, an end; ids from the slice's place in the file, its name and `args`
//! kept in the payload.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::{Reader, Slice, INSTANT, NO_CAT};
use crate::core::{Event, Payload, Phase};
use crate::trace::chrome::{END_NS, START_NS};
use crate::trace::lineage_of;
use crate::trace::read;

impl Reader {
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

    pub(super) fn start_event(
        &self,
        s: &Slice,
        parent: Option<u64>,
        root: u64,
        shift: i128,
    ) -> Event {
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

    pub(super) fn end_event(
        &self,
        s: &Slice,
        parent: Option<u64>,
        root: u64,
        shift: i128,
    ) -> Event {
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
