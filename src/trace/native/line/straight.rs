//! # One straight pass over the line lineage's own exporter writes
//!
//! serde writes an [`EventRef`]'s members in one fixed order, without whitespace, leaving
//! out the optional ones that are empty (`native::write_line`). So a line from our own
//! exporter is not "any JSON object with these members" but one template:
//!
//! ```text
//! {"id":"<uuid>","kind":"<text>","phase":"<text>",["parent_id":"<uuid>",]"root_id":"<uuid>",
//!  "lineage_id":"<uuid>",["start_id":"<uuid>",]"seq":<n>,"timestamp_ns":<n>,
//!  ["duration_ns":<n>,]["error":"<text>",]"payload":{<members in order>}}
//! ```
//!
//! This module reads exactly that template in one pass: each stretch of punctuation and key
//! between two values is compared as one constant (`","lineage_id":"` is two word compares),
//! where the general reader (`Cursor::event`) skips whitespace around every token, looks each
//! key up among the members, and keeps a bit per member against repeats. On a 450-byte line
//! that bookkeeping was most of the reader's ~3 600 instructions (callgrind, 2026-12-06).
//!
//! Any surprise (a space, another order, a `null`, an escape, an unknown member, a uuid in
//! another form) makes it give up, and the line is read again by the general reader, which
//! accepts more and hands what it cannot read to serde. The values are read by the general
//! reader's own functions (strings, uuids, integers, scalars), so an event read here is the
//! event the general reader builds from the same line (`straight_tests` holds the two side
//! by side on generated and mutated lines).

use crate::core::{EventRef, Phase, ScalarRef};
use crate::trace::swar::plain_string_len;

use super::{hyphenated, Cursor, MAX_FAST_FIELDS};

/// A payload's members, as both templates spell them; the templates differ only in their
/// order.
#[derive(Clone, Copy)]
pub(super) enum PayloadMember {
    ProcessName,
    FunctionName,
    InputIds,
    OutputIds,
    EntityCount,
    Extra,
}

/// The payload's members in the order serde writes an [`EventRef`]'s (our lines).
const LINE_ORDER: [PayloadMember; 6] = [
    PayloadMember::ProcessName,
    PayloadMember::FunctionName,
    PayloadMember::InputIds,
    PayloadMember::OutputIds,
    PayloadMember::EntityCount,
    PayloadMember::Extra,
];

/// Reads `text` as our exporter writes a line, into `e` (as `blank` made it); `None` at
/// the first byte that differs from the template (then `e` holds a part of the line).
#[inline(always)]
pub(super) fn read<'a>(text: &'a str, e: &mut EventRef<'a>) -> Option<()> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    c.header(e)?;
    c.lit(b"payload\":{")?;
    c.payload_in(e, &LINE_ORDER)?;
    c.lit(b"}")?;
    (c.i == c.b.len()).then_some(())
}

impl<'a> Cursor<'a> {
    /// The members before the payload, up to the payload's key (past `,"`).
    #[inline(always)]
    fn header(&mut self, e: &mut EventRef<'a>) -> Option<()> {
        self.lit(b"{\"id\":\"")?;
        e.id = self.bare_uuid()?;
        self.lit(b"\",\"kind\":\"")?;
        e.kind = self.bare_string()?;
        self.lit(b"\",\"phase\":\"")?;
        e.phase = Phase::parse(self.bare_string()?)?;
        self.lit(b"\",\"")?;
        if self.opt_lit(b"parent_id\":\"") {
            e.parent_id = Some(self.bare_uuid()?);
            self.lit(b"\",\"")?;
        }
        self.lit(b"root_id\":\"")?;
        e.root_id = self.bare_uuid()?;
        self.lit(b"\",\"lineage_id\":\"")?;
        e.lineage_id = self.bare_uuid()?;
        self.lit(b"\",\"")?;
        if self.opt_lit(b"start_id\":\"") {
            e.start_id = Some(self.bare_uuid()?);
            self.lit(b"\",\"")?;
        }
        self.lit(b"seq\":")?;
        e.seq = self.u64()?;
        self.lit(b",\"timestamp_ns\":")?;
        e.timestamp_ns = self.u64()?;
        self.lit(b",\"")?;
        if self.opt_lit(b"duration_ns\":") {
            e.duration_ns = Some(self.u64()?);
            self.lit(b",\"")?;
        }
        if self.opt_lit(b"error\":\"") {
            e.error = Some(self.bare_string()?);
            self.lit(b"\",\"")?;
        }
        Some(())
    }

    /// The payload's members in `order` (each optional), after its `{` and up to and past
    /// its `}`. Both templates read their payload here, each in its own order
    /// ([`LINE_ORDER`], `sorted::SORTED_ORDER`), with one reader per member
    /// ([`Cursor::payload_member`]); `order` is a constant at both calls, so each is
    /// compiled to the straight sequence of its six members.
    #[inline(always)]
    pub(super) fn payload_in(
        &mut self,
        e: &mut EventRef<'a>,
        order: &[PayloadMember; 6],
    ) -> Option<()> {
        if self.opt_lit(b"}") {
            return Some(());
        }
        // Written out rather than looped over: with each step's member a constant, each
        // folds to that member's reader alone. As a loop LLVM kept it a loop, +12
        // instructions a line of our NDJSON (callgrind, 2026-12-06).
        let [m0, m1, m2, m3, m4, m5] = *order;
        if self.payload_member(m0, e)? && !self.comma()? {
            return Some(());
        }
        if self.payload_member(m1, e)? && !self.comma()? {
            return Some(());
        }
        if self.payload_member(m2, e)? && !self.comma()? {
            return Some(());
        }
        if self.payload_member(m3, e)? && !self.comma()? {
            return Some(());
        }
        if self.payload_member(m4, e)? && !self.comma()? {
            return Some(());
        }
        if self.payload_member(m5, e)? && !self.comma()? {
            return Some(());
        }
        // A comma with none of the members left after it: an unknown member, or another
        // order.
        None
    }

    /// The payload member `member` with its value, if it is here: whether it was (then the
    /// cursor is at the comma or brace after it); `None` if it is but its value is not the
    /// template's.
    #[inline(always)]
    fn payload_member(&mut self, member: PayloadMember, e: &mut EventRef<'a>) -> Option<bool> {
        match member {
            PayloadMember::ProcessName => {
                if !self.opt_lit(b"\"process_name\":\"") {
                    return Some(false);
                }
                e.process_name = Some(self.bare_string()?);
                self.lit(b"\"")?;
            }
            PayloadMember::FunctionName => {
                if !self.opt_lit(b"\"function_name\":\"") {
                    return Some(false);
                }
                e.function_name = Some(self.bare_string()?);
                self.lit(b"\"")?;
            }
            PayloadMember::InputIds => {
                if !self.opt_lit(b"\"input_entity_ids\":[") {
                    return Some(false);
                }
                self.bare_ids(&mut e.input_entity_ids)?;
            }
            PayloadMember::OutputIds => {
                if !self.opt_lit(b"\"output_entity_ids\":[") {
                    return Some(false);
                }
                self.bare_ids(&mut e.output_entity_ids)?;
            }
            PayloadMember::EntityCount => {
                if !self.opt_lit(b"\"entity_count\":") {
                    return Some(false);
                }
                e.entity_count = Some(self.u32()?);
            }
            PayloadMember::Extra => {
                if !self.opt_lit(b"\"extra\":{") {
                    return Some(false);
                }
                self.bare_fields(&mut e.extra)?;
            }
        }
        Some(true)
    }

    /// `extra`'s fields after its `{`, up to and past its `}`: the general reader's rules
    /// (scalars only, keys unique, at most [`MAX_FAST_FIELDS`]) without whitespace.
    #[inline(always)]
    pub(super) fn bare_fields(
        &mut self,
        out: &mut smallvec::SmallVec<[(&'a str, ScalarRef<'a>); 4]>,
    ) -> Option<()> {
        if self.opt_lit(b"}") {
            return Some(());
        }
        loop {
            self.lit(b"\"")?;
            let key = self.bare_string()?;
            self.lit(b"\":")?;
            if out.len() >= MAX_FAST_FIELDS || out.iter().any(|(k, _)| *k == key) {
                return None;
            }
            let value = self.scalar()?;
            out.push((key, value));
            if !self.comma()? {
                return Some(());
            }
        }
    }

    /// Ids after the array's `[`, each hyphenated between quotes, up to and past its `]`
    /// (an empty array is left to the general reader: our exporter never writes one).
    #[inline(always)]
    pub(super) fn bare_ids(&mut self, ids: &mut crate::core::event::EntityIds) -> Option<()> {
        loop {
            self.lit(b"\"")?;
            ids.push(self.bare_uuid()?);
            match *self.b.get(self.i..self.i + 2)? {
                [b'"', b','] => self.i += 2,
                [b'"', b']'] => {
                    self.i += 2;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// After a member: `true` past a comma, `false` past the closing brace.
    #[inline(always)]
    pub(super) fn comma(&mut self) -> Option<bool> {
        let more = match *self.b.get(self.i)? {
            b',' => true,
            b'}' => false,
            _ => return None,
        };
        self.i += 1;
        Some(more)
    }

    /// The 36 characters of a hyphenated uuid (its quotes are the template's).
    #[inline(always)]
    pub(super) fn bare_uuid(&mut self) -> Option<uuid::Uuid> {
        let id = hyphenated(self.b.get(self.i..self.i + 36)?)?;
        self.i += 36;
        Some(id)
    }

    /// A string's body without escapes or control characters, borrowed; the cursor stops
    /// at its closing quote (which the template's next stretch begins with).
    #[inline(always)]
    pub(super) fn bare_string(&mut self) -> Option<&'a str> {
        let start = self.i;
        let len = plain_string_len(self.b.get(start..)?)?;
        self.i = start + len;
        debug_assert!(self.s.is_char_boundary(start) && self.s.is_char_boundary(start + len));
        // SAFETY: `start` follows an ASCII byte of the template (a quote) and `start + len`
        // is at an ASCII quote (`plain_string_len`), so both are character boundaries of
        // the `str` and in bounds. Checked, these two boundaries cost ~10 instructions a
        // string, eight strings a line (callgrind, 2026-12-06).
        Some(unsafe { self.s.get_unchecked(start..start + len) })
    }

    /// The template's stretch `lit` here, and past it.
    #[inline(always)]
    pub(super) fn lit<const N: usize>(&mut self, lit: &[u8; N]) -> Option<()> {
        self.opt_lit(lit).then_some(())
    }

    /// Whether the stretch `lit` is here (then the cursor is past it).
    #[inline(always)]
    pub(super) fn opt_lit<const N: usize>(&mut self, lit: &[u8; N]) -> bool {
        let here = self
            .b
            .get(self.i..self.i + N)
            .and_then(|b| <&[u8; N]>::try_from(b).ok());
        let found = here == Some(lit);
        if found {
            self.i += N;
        }
        found
    }
}
