//! # An open operation
//!
//! Between its start and its end an operation is *open*: it knows its start event (the frame
//! its children inherit), when it started, and the names an end payload inherits. It puts
//! both events, and if it is dropped while still open (the wrapped future was cancelled) it
//! emits the cancelled end event itself, so every start gets an end.

use std::pin::Pin;

use uuid::Uuid;

use crate::core::bus::{EventBus, Put};
use crate::core::context::{self, Frame};
use crate::core::event::{Kind, Payload, Phase};
use crate::core::ids;
use crate::core::mode::EmitMode;
use crate::core::store::{Header, NameSyms, ParentHint};

/// An operation whose start was emitted and whose end was not: if dropped while armed (the
/// wrapped future was cancelled), it emits the cancelled end event.
pub(super) struct OpenOperation<'a> {
    pub(super) bus: &'a EventBus,
    /// The start event (`frame.event_id`) and what its children inherit.
    pub(super) frame: Frame,
    pub(super) parent_id: Option<Uuid>,
    /// Where the parent's start was queued (the enclosing frame's hint), for the end.
    pub(super) parent_hint: ParentHint,
    pub(super) started_ns: u64,
    /// The kind of the failed or cancelled end event.
    pub(super) failed_kind: &'static str,
    pub(super) process_name: Option<Kind>,
    pub(super) function_name: Option<Kind>,
    /// The start record's name symbols, which an end naming the same literals reuses
    /// instead of interning them again; `None` if the start was not encoded on the spot.
    pub(super) names: Option<NameSyms>,
    pub(super) armed: bool,
}

impl<'a> OpenOperation<'a> {
    /// Fills the start's names into an end payload that lacks them (in place: a payload is a
    /// few hundred bytes, and moving it through calls showed in profiles).
    #[inline]
    fn name(&self, payload: &mut Payload) {
        if payload.process_name.is_none() {
            payload.process_name = self.process_name.clone();
        }
        if payload.function_name.is_none() {
            payload.function_name = self.function_name.clone();
        }
    }

    #[inline]
    fn end_header<'h>(&self, kind: &'h Kind, phase: Phase, error: Option<&'h str>) -> Header<'h> {
        let now = self.bus.now_ns();
        Header {
            id: ids::new_id(),
            kind,
            phase,
            parent_id: self.parent_id,
            root_id: self.frame.root_id,
            lineage_id: self.frame.lineage_id,
            start_id: Some(self.frame.event_id),
            seq: self.bus.next_seq(),
            timestamp_ns: now,
            duration_ns: Some(now.saturating_sub(self.started_ns)),
            error,
            parent_hint: self.parent_hint,
            start_hint: self.frame.hint,
        }
    }

    /// Opens the operation: its start event gets a new id, links to the operation whose poll
    /// this runs in (or starts a new tree), and is put the way `mode` says. Returns a wait
    /// only when the queue is full.
    #[inline]
    pub(super) fn start(
        &mut self,
        kind: &'static str,
        payload: &Payload,
        mode: EmitMode,
    ) -> Option<Pin<Box<Put<'a>>>> {
        let bus = self.bus;
        // A sampled root was decided on an id drawn before it started (`mode::sampling`).
        let id = if self.frame.event_id.is_nil() {
            ids::new_id()
        } else {
            self.frame.event_id
        };
        let (parent_id, root_id, lineage_id, parent_hint) = match context::current() {
            Some(f) => (Some(f.event_id), f.root_id, f.lineage_id, f.hint),
            None => (None, id, ids::new_id(), ParentHint::NONE),
        };
        let kind = Kind::Borrowed(kind);
        let header = Header {
            id,
            kind: &kind,
            phase: Phase::Started,
            parent_id,
            root_id,
            lineage_id,
            start_id: None,
            seq: bus.next_seq(),
            timestamp_ns: bus.now_ns(),
            duration_ns: None,
            error: None,
            parent_hint,
            start_hint: ParentHint::NONE,
        };
        self.frame = Frame::new(id, root_id, lineage_id);
        self.parent_id = parent_id;
        self.parent_hint = parent_hint;
        self.started_ns = header.timestamp_ns;
        keep_name(&mut self.process_name, &payload.process_name);
        keep_name(&mut self.function_name, &payload.function_name);
        self.armed = true;
        let mut names = None;
        let wait = bus.put_parts(
            &header,
            payload,
            mode,
            &mut names,
            Some(&mut self.frame.hint),
        );
        self.names = names;
        wait
    }

    /// Closes the operation with its end event (completed or failed), named after the start
    /// where the payload names nothing.
    #[inline]
    pub(super) fn end(
        &mut self,
        kind: &'static str,
        phase: Phase,
        payload: &mut Payload,
        error: Option<&str>,
        mode: EmitMode,
    ) -> Option<Pin<Box<Put<'a>>>> {
        self.armed = false;
        self.name(payload);
        let kind = Kind::Borrowed(kind);
        let header = self.end_header(&kind, phase, error);
        // The start's symbols stand for the end's names only if they are the very same
        // literals (the usual case: the start's names filled in, or the factory naming
        // the same constants); anything else is interned.
        let mut names = self.names.filter(|_| {
            same_literal(&payload.process_name, &self.process_name)
                && same_literal(&payload.function_name, &self.function_name)
        });
        self.bus.put_parts(&header, payload, mode, &mut names, None)
    }
}

/// `*kept = name.clone()`, inline for the usual literal (`Option::clone_from` was an
/// outlined call of ~35 instructions per name, twice per operation level). Always inlined:
/// with `#[inline]` alone it stayed an outlined call of ~23 instructions, most of them the
/// call itself (callgrind, branch `fieldkeys`).
#[inline(always)]
fn keep_name(kept: &mut Option<Kind>, name: &Option<Kind>) {
    match name {
        None => *kept = None,
        Some(Kind::Borrowed(s)) => *kept = Some(Kind::Borrowed(s)),
        Some(Kind::Owned(_)) => kept.clone_from(name),
    }
}

/// Both absent, or both the same `&'static str` (address and length): then they are one
/// literal, interned as one symbol. Equal text at another address says no (it is interned
/// as usual, to the same symbol), which keeps this check to two compares.
#[inline]
fn same_literal(a: &Option<Kind>, b: &Option<Kind>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Kind::Borrowed(a)), Some(Kind::Borrowed(b))) => {
            a.as_ptr() == b.as_ptr() && a.len() == b.len()
        }
        _ => false,
    }
}

impl Drop for OpenOperation<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut payload = Payload::default();
        self.name(&mut payload);
        let kind = Kind::Borrowed(self.failed_kind);
        let header = self.end_header(
            &kind,
            Phase::Cancelled,
            Some("operation dropped before it finished"),
        );
        self.bus.count_cancelled();
        // A destructor cannot await, so the put ignores the queue bound.
        self.bus.put_parts_forced(&header, payload);
    }
}
