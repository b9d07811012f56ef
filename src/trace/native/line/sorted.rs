//! # One straight pass over an event as a `serde_json::Value` writes it
//!
//! Our Chrome export carries each exact event under `args` (`start`, `end`, `event`),
//! written through a `serde_json::Value`, whose maps keep their keys sorted. So those events
//! are one template too, the members in alphabetical order:
//!
//! ```text
//! {["duration_ns":<n>,]["error":"<text>",]"id":"<uuid>","kind":"<text>",
//!  "lineage_id":"<uuid>",["parent_id":"<uuid>",]"payload":{<members sorted>},
//!  "phase":"<text>","root_id":"<uuid>","seq":<n>,["start_id":"<uuid>",]"timestamp_ns":<n>}
//! ```
//!
//! Before, the straight pass of `straight` gave up on them at the first member and the
//! general reader read each one: ~3 900 instructions an event, 40 % of a Chrome import of
//! our export (callgrind, 2026-12-06). This pass reads the sorted template with the same
//! value readers and the same rule: any surprise gives up, and the caller goes on to the
//! general reader, so what this pass accepts is the event the general reader builds from
//! the same text (`straight_tests` holds the two side by side).
//!
//! It also reads such an object at the start of a longer text and says where it ended
//! ([`read_prefix`]): every byte up to the closing brace is checked against the template, so
//! the object is valid JSON and its end is fixed by its start. The Chrome reader then needs
//! no guess of where the object ends before reading it.

use crate::core::{EventRef, Phase};

use super::straight::PayloadMember;
use super::Cursor;

/// The payload's members in alphabetical order, as a `Value`'s map keeps them.
const SORTED_ORDER: [PayloadMember; 6] = [
    PayloadMember::EntityCount,
    PayloadMember::Extra,
    PayloadMember::FunctionName,
    PayloadMember::InputIds,
    PayloadMember::OutputIds,
    PayloadMember::ProcessName,
];

/// Reads `text`, all of it, as a `Value` writes an event, into `e` (as `blank` made it);
/// `None` at the first byte that differs from the template.
#[inline(always)]
pub(super) fn read<'a>(text: &'a str, e: &mut EventRef<'a>) -> Option<()> {
    (read_prefix(text, e)? == text.len()).then_some(())
}

/// Reads the object at the start of `text` as a `Value` writes an event, into `e`; the
/// length of the object (up to and with its closing brace).
#[inline(always)]
pub(crate) fn read_prefix<'a>(text: &'a str, e: &mut EventRef<'a>) -> Option<usize> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    c.lit(b"{\"")?;
    c.sorted_header(e)?;
    c.lit(b"payload\":{")?;
    c.payload_in(e, &SORTED_ORDER)?;
    c.sorted_trailer(e)?;
    Some(c.i)
}

impl<'a> Cursor<'a> {
    /// The members before the payload, after the object's `{"`, up to the payload's key
    /// (past `,"`).
    #[inline(always)]
    fn sorted_header(&mut self, e: &mut EventRef<'a>) -> Option<()> {
        if self.opt_lit(b"duration_ns\":") {
            e.duration_ns = Some(self.u64()?);
            self.lit(b",\"")?;
        }
        if self.opt_lit(b"error\":\"") {
            e.error = Some(self.bare_string()?);
            self.lit(b"\",\"")?;
        }
        self.lit(b"id\":\"")?;
        e.id = self.bare_uuid()?;
        self.lit(b"\",\"kind\":\"")?;
        e.kind = self.bare_string()?;
        self.lit(b"\",\"lineage_id\":\"")?;
        e.lineage_id = self.bare_uuid()?;
        self.lit(b"\",\"")?;
        if self.opt_lit(b"parent_id\":\"") {
            e.parent_id = Some(self.bare_uuid()?);
            self.lit(b"\",\"")?;
        }
        Some(())
    }

    /// The members after the payload, after its `}`, up to and past the object's `}`.
    #[inline(always)]
    fn sorted_trailer(&mut self, e: &mut EventRef<'a>) -> Option<()> {
        self.lit(b",\"phase\":\"")?;
        e.phase = Phase::parse(self.bare_string()?)?;
        self.lit(b"\",\"root_id\":\"")?;
        e.root_id = self.bare_uuid()?;
        self.lit(b"\",\"seq\":")?;
        e.seq = self.u64()?;
        self.lit(b",\"")?;
        if self.opt_lit(b"start_id\":\"") {
            e.start_id = Some(self.bare_uuid()?);
            self.lit(b"\",\"")?;
        }
        self.lit(b"timestamp_ns\":")?;
        e.timestamp_ns = self.u64()?;
        self.lit(b"}")
    }
}
