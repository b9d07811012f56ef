//! # Everything the detail panel says about one event
//!
//! Selecting an event shows every field of it and links to its relatives: its parent and
//! root (when they are in the trace: a link to an event that is not would lead nowhere, so
//! the id is shown as missing instead), the other half of its operation (the end of a start,
//! the start of an end), and the operations nested directly under it. [`EventDetail`] reads
//! all of that from the inspection once per selection, so the panel only lays it out.

use uuid::Uuid;

use crate::analysis::Inspection;
use crate::core::Event;
use crate::model::Status;
use crate::text::duration::duration;

/// Where a link to a relative leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// The relative is in the trace: selecting it works.
    InTrace(Uuid),
    /// The event names a relative the trace does not hold.
    Missing(Uuid),
    /// The event names no such relative (a root has no parent).
    Nothing,
}

impl Link {
    fn to(ins: &Inspection, id: Option<Uuid>) -> Link {
        match id {
            Some(id) if ins.trace.index_of(&id).is_some() => Link::InTrace(id),
            Some(id) => Link::Missing(id),
            None => Link::Nothing,
        }
    }
}

/// The selected event and its relatives.
#[derive(Clone, Debug, PartialEq)]
pub struct EventDetail {
    pub event: Event,
    /// The status of the operation the event belongs to.
    pub status: Status,
    /// The event opens its operation (or is a lone event) rather than ending it.
    pub is_start: bool,
    /// The other half of the operation: its id and phase.
    pub partner: Option<(Uuid, &'static str)>,
    /// The operations directly under this one: the start's id and "label (status)".
    pub children: Vec<(Uuid, String)>,
    /// When the bus processed the event, for live traces.
    pub processed_ns: Option<u64>,
    pub parent: Link,
    pub root: Link,
    /// The payload as indented JSON.
    pub payload: String,
}

impl EventDetail {
    /// The detail of event `id`, or `None` when the trace does not hold it.
    pub fn of(ins: &Inspection, id: &Uuid) -> Option<EventDetail> {
        let i = ins.trace.index_of(id)?;
        let event = ins.trace.event(i);
        let span = &ins.spans.spans[ins.spans.span_of_event[i]];
        let partner = if span.start == i {
            span.end
        } else {
            Some(span.start)
        }
        .filter(|&p| p != i)
        .map(|p| (ins.trace.id(p), ins.trace.phase(p).as_str()));
        let children = span
            .children
            .iter()
            .map(|&c| {
                let start = ins.spans.spans[c].start;
                let status = ins.spans.spans[c].status.as_str();
                (
                    ins.trace.id(start),
                    format!("{} ({status})", ins.trace.label(start)),
                )
            })
            .collect();
        Some(EventDetail {
            status: span.status,
            is_start: span.start == i,
            partner,
            children,
            processed_ns: ins.trace.processed_ns(i),
            parent: Link::to(ins, event.parent_id),
            root: Link::to(ins, Some(event.root_id)),
            payload: serde_json::to_string_pretty(&event.payload).unwrap_or_default(),
            event,
        })
    }

    /// The row heading of the other half: "end" beside a start, "start" beside an end.
    pub fn partner_heading(&self) -> &'static str {
        if self.is_start {
            "end"
        } else {
            "start"
        }
    }

    /// What stands in for a missing other half: a start's end may still come.
    pub fn no_partner(&self) -> &'static str {
        if self.is_start {
            "none yet"
        } else {
            "—"
        }
    }

    /// "when (lag …)": when the bus processed the event and how long after its emission.
    pub fn processed(&self) -> Option<String> {
        let p = self.processed_ns?;
        Some(format!(
            "{} (lag {})",
            duration(p as f64),
            duration(p.saturating_sub(self.event.timestamp_ns) as f64)
        ))
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Payload, Phase};
    use crate::model::EventLog;

    /// root (completed) ─ child (open); the root's end; an orphan whose parent is elsewhere.
    fn inspection() -> (Inspection, [Event; 4]) {
        let mut root = Event::root("processing", Phase::Started);
        root.payload = Payload::process("aexecute");
        let mut child = Event::child_of(&root, "processing", Phase::Started);
        child.payload = Payload::process("inner");
        let mut end = Event::child_of(&root, "processed", Phase::Completed);
        end.parent_id = root.parent_id;
        end.start_id = Some(root.id);
        end.payload = root.payload.clone();
        let elsewhere = Event::root("processing", Phase::Started);
        let orphan = Event::child_of(&elsewhere, "processing", Phase::Started);
        let events = [root, child, end, orphan];
        (Inspection::new(events.to_vec(), &[]), events)
    }

    #[test]
    fn a_start_links_to_its_end_its_children_and_has_no_parent() {
        let (ins, [root, child, end, _]) = inspection();
        let d = EventDetail::of(&ins, &root.id).unwrap();
        assert!(d.is_start);
        assert_eq!(d.status, Status::Completed);
        assert_eq!(d.partner, Some((end.id, "completed")));
        assert_eq!(d.partner_heading(), "end");
        assert_eq!(
            d.children,
            vec![(child.id, "inner (unfinished)".to_owned())]
        );
        assert_eq!(d.parent, Link::Nothing);
        assert_eq!(d.root, Link::InTrace(root.id));
        assert!(d.payload.contains("\"aexecute\""), "{}", d.payload);
    }

    #[test]
    fn an_end_links_back_to_its_start_and_an_open_start_has_none_yet() {
        let (ins, [root, child, end, _]) = inspection();
        let d = EventDetail::of(&ins, &end.id).unwrap();
        assert!(!d.is_start);
        assert_eq!(d.partner, Some((root.id, "started")));
        assert_eq!(d.partner_heading(), "start");
        let open = EventDetail::of(&ins, &child.id).unwrap();
        assert_eq!(open.partner, None);
        assert_eq!(open.no_partner(), "none yet");
        assert_eq!(open.parent, Link::InTrace(root.id));
    }

    #[test]
    fn relatives_outside_the_trace_are_missing_and_unknown_ids_have_no_detail() {
        let (ins, [.., orphan]) = inspection();
        let d = EventDetail::of(&ins, &orphan.id).unwrap();
        assert_eq!(d.parent, Link::Missing(orphan.parent_id.unwrap()));
        assert_eq!(d.root, Link::Missing(orphan.root_id));
        assert_eq!(
            d.processed(),
            None,
            "an imported trace has no processing times"
        );
        assert!(EventDetail::of(&ins, &Uuid::new_v4()).is_none());
    }

    #[test]
    fn the_processing_time_comes_with_the_lag_after_emission() {
        let mut e = Event::root("processing", Phase::Started);
        e.timestamp_ns = 1_000;
        let mut trace = EventLog::default();
        trace.push_processed(&e, 3_500);
        let ins = Inspection::of_trace(trace, &[]);
        let d = EventDetail::of(&ins, &e.id).unwrap();
        assert_eq!(
            d.processed(),
            Some(format!("{} (lag {})", duration(3_500.0), duration(2_500.0)))
        );
    }
}
