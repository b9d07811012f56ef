//! # Events
//!
//! An [`Event`] is one thing the bus records: an operation starting, finishing, failing, or a
//! single moment in between. Events form a forest: `parent_id` points at the start event of the
//! enclosing operation, `root_id` at the start event of the outermost one, and `lineage_id`
//! groups everything that descends from one root call.
//!
//! ## Where we differ from the Python original
//! The original makes an end event a *sibling* of its start event and nothing more; the root's
//! end event has no parent and names itself as root, so it falls out of its tree. Here every end
//! event (completed, failed, cancelled) carries `start_id`, the id of the start event it closes,
//! and keeps the start event's `root_id`, so a root's end event stays inside its tree. The
//! sibling relation (`parent_id` equal to the start's parent) is kept, so trees built the
//! original's way still look the same.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use uuid::Uuid;

use super::fields::Fields;
use super::raw::RawMembers;

/// The `type` of an event in the original ("processing", "processed", "creating", ...).
///
/// A `Cow` so the wrapper's kinds are `&'static str` (no allocation per event) while imported
/// traces can carry any string.
pub type Kind = Cow<'static, str>;

/// Where an event sits in the life of an operation: the original's eight phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Created but not begun (the original's first phase; the wrapper does not emit it).
    Pending,
    /// An operation began: the start event the wrapper emits, and the parent of what runs inside.
    Started,
    /// A moment inside an operation (a Chrome instant event, an OTLP span event).
    Progress,
    /// An operation is finishing (the original's phase; the wrapper does not emit it).
    Completing,
    /// An operation ended with success: the wrapper's end event on `Ok`.
    Completed,
    /// An operation ended with an error: the wrapper's end event on `Err`, with `error` set.
    Failed,
    /// An operation was dropped before it finished; the wrapper emits it from the drop.
    Cancelled,
    /// An operation ran out of time (the original's phase; read from traces, not emitted here).
    Timeout,
}

impl Phase {
    /// Every phase, in the original's order; indexes match [`Phase::index`].
    pub const ALL: [Phase; 8] = [
        Phase::Pending,
        Phase::Started,
        Phase::Progress,
        Phase::Completing,
        Phase::Completed,
        Phase::Failed,
        Phase::Cancelled,
        Phase::Timeout,
    ];

    /// A dense index, for per-phase counters kept in arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name the original writes in its dumps.
    pub const fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Started => "started",
            Phase::Progress => "progress",
            Phase::Completing => "completing",
            Phase::Completed => "completed",
            Phase::Failed => "failed",
            Phase::Cancelled => "cancelled",
            Phase::Timeout => "timeout",
        }
    }

    /// Parses the original's phase names.
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// True for the phases that close an operation: completed, failed, cancelled, timeout.
    pub const fn is_end(self) -> bool {
        matches!(
            self,
            Phase::Completed | Phase::Failed | Phase::Cancelled | Phase::Timeout
        )
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Entity ids of a payload: one lives inline (the pipeline's events name one), more spill
/// to the heap.
pub(crate) type EntityIds = SmallVec<[Uuid; 1]>;

/// The fields the original's event classes carry beyond the common header.
///
/// The typed fields are the ones every pipeline level fills (`FunctionExecutionEvent`,
/// `InputPreparationEvent`, `TransactionalExecutionEvent` and their end events); anything else,
/// including fields of imported traces we do not know, lives in `extra` and is kept verbatim.
/// Members of a payload read from a file that are none of these (not under `extra`) are kept
/// in `unknown`, as written (see `core::raw`); they are read by `core::event_json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Payload {
    /// The original's `process_name`: which stage of the pipeline ("function_execution",
    /// "transactional_execution", ...). What a span is labelled with when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_name: Option<Kind>,
    /// The original's `function_name`: the user function the stage runs (e.g. "update_gpa").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_name: Option<Kind>,
    /// The original's `input_entity_ids`: the entities the operation reads. The diff pairs
    /// operations of two runs by the first of them.
    #[serde(default, skip_serializing_if = "SmallVec::is_empty")]
    pub input_entity_ids: EntityIds,
    /// The original's `output_entity_ids`: the entities the operation produced.
    #[serde(default, skip_serializing_if = "SmallVec::is_empty")]
    pub output_entity_ids: EntityIds,
    /// The original's `entity_count`: how many entities the operation handles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_count: Option<u32>,
    /// Every other field, in the original's JSON shape.
    #[serde(default, skip_serializing_if = "Fields::is_empty")]
    pub extra: Fields,
    /// Members read beside these that this crate does not model, written back as read.
    #[serde(flatten)]
    pub unknown: RawMembers,
}

impl Payload {
    /// A payload naming the process, as every `@emit_events` factory of the original does.
    pub fn process(process_name: &'static str) -> Payload {
        Payload {
            process_name: Some(Cow::Borrowed(process_name)),
            ..Payload::default()
        }
    }

    /// Sets the function name (builder style).
    pub fn function(mut self, function_name: impl Into<Kind>) -> Payload {
        self.function_name = Some(function_name.into());
        self
    }

    /// Adds a free-form field (builder style). Numbers, booleans and strings are encoded
    /// as they are, with no `serde_json::Value` made (`Fields::put`); anything that converts
    /// into a `Value` (`json!`, arrays, objects) is accepted too.
    #[inline]
    pub fn with(
        mut self,
        key: impl Into<super::fields::Key>,
        value: impl super::field_value::FieldValue,
    ) -> Payload {
        self.extra.put(key, value);
        self
    }

    /// Sets the process name in place: the writing form of [`Payload::process`], for a
    /// factory that fills a payload it is handed (`core::emit::Writes`) instead of returning
    /// one, so no payload is moved (a payload is a few hundred bytes, and each builder call
    /// by value copied it: ~500 instructions an operation in the pipeline's profile).
    #[inline]
    pub fn set_process(&mut self, process_name: &'static str) -> &mut Payload {
        self.process_name = Some(Cow::Borrowed(process_name));
        self
    }

    /// Sets the function name in place (see [`Payload::set_process`]).
    #[inline]
    pub fn set_function(&mut self, function_name: impl Into<Kind>) -> &mut Payload {
        self.function_name = Some(function_name.into());
        self
    }

    /// Adds a free-form field in place: the writing form of [`Payload::with`].
    #[inline]
    pub fn put(
        &mut self,
        key: impl Into<super::fields::Key>,
        value: impl super::field_value::FieldValue,
    ) -> &mut Payload {
        self.extra.put(key, value);
        self
    }

    /// Empties the payload but keeps its inline buffers, for a payload reused event after
    /// event (the bus's scratch payload, handed to writing factories).
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.process_name = None;
        self.function_name = None;
        clear_ids(&mut self.input_entity_ids);
        clear_ids(&mut self.output_entity_ids);
        self.entity_count = None;
        self.extra.clear();
        if !self.unknown.is_empty() {
            self.unknown = RawMembers::new();
        }
    }
}

/// Empties an id list. Inline, it is replaced (a store of its length), not cleared:
/// `SmallVec::clear` drops its items one by one, a loop even for plain ids.
#[inline]
fn clear_ids(ids: &mut EntityIds) {
    if ids.spilled() {
        ids.clear();
    } else {
        *ids = EntityIds::new_const();
    }
}

/// One recorded event. Read from JSON by `core::event_json`, which keeps members it does not
/// know in `unknown`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    /// This event's id: random for the bus's events; as read, or derived from the format's
    /// own ids, for imported ones.
    pub id: Uuid,
    /// The original's `type`: what happened ("processing", "processed", ...); what subscriptions
    /// filter on.
    pub kind: Kind,
    /// Where the event sits in its operation's life (started, completed, failed, ...).
    pub phase: Phase,
    /// The start event of the enclosing operation (for an end event: its start's parent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<Uuid>,
    /// The start event of the outermost operation; a root start event names itself.
    pub root_id: Uuid,
    /// Shared by every event descending from one root call.
    pub lineage_id: Uuid,
    /// On an end event: the start event it closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_id: Option<Uuid>,
    /// Emission order on the bus that created the event (0 for imported events without one).
    pub seq: u64,
    /// Nanoseconds from the bus clock's origin.
    pub timestamp_ns: u64,
    /// On an end event: nanoseconds since its start event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ns: Option<u64>,
    /// On a failed or cancelled event: what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The fields of the original's event classes beyond this header.
    #[serde(default)]
    pub payload: Payload,
    /// Top-level members read from a file that this crate does not model (`"foo":1`),
    /// written back as read; empty for every event the bus emits.
    #[serde(flatten)]
    pub unknown: RawMembers,
}

impl Event {
    /// A root event with fresh ids, for tests and hand-built traces.
    pub fn root(kind: impl Into<Kind>, phase: Phase) -> Event {
        let id = Uuid::new_v4();
        Event {
            id,
            kind: kind.into(),
            phase,
            parent_id: None,
            root_id: id,
            lineage_id: Uuid::new_v4(),
            start_id: None,
            seq: 0,
            timestamp_ns: 0,
            duration_ns: None,
            error: None,
            payload: Payload::default(),
            unknown: RawMembers::new(),
        }
    }

    /// A child of `parent` with a fresh id, inheriting root and lineage.
    pub fn child_of(parent: &Event, kind: impl Into<Kind>, phase: Phase) -> Event {
        Event {
            id: Uuid::new_v4(),
            kind: kind.into(),
            phase,
            parent_id: Some(parent.id),
            root_id: parent.root_id,
            lineage_id: parent.lineage_id,
            start_id: None,
            seq: 0,
            timestamp_ns: 0,
            duration_ns: None,
            error: None,
            payload: Payload::default(),
            unknown: RawMembers::new(),
        }
    }

    /// True when this event closes an operation.
    pub fn is_end(&self) -> bool {
        self.phase.is_end()
    }

    /// The process name, or the kind when there is none: what a tree row is labelled with.
    pub fn label(&self) -> &str {
        self.payload.process_name.as_deref().unwrap_or(&self.kind)
    }
}
