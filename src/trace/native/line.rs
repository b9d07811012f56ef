//! # A purpose-built reader for the lines lineage writes
//!
//! Nearly every line of a lineage NDJSON file is one the crate wrote itself: the twelve
//! members an [`Event`] models, a payload with its five known members and an `extra` of a
//! few scalar fields, no escapes, no members it does not know. Reading such a line through
//! serde (`core::event_json`) costs about 10 000 instructions, most of them in the generic
//! machinery: a visitor per member, a `String` per key, a uuid parsed through
//! `Deserializer::deserialize_str`, every value first read as raw text and parsed again
//! (`core::raw::exact_value`) to keep the lossless promise.
//!
//! So this module reads exactly that common shape, byte by byte, borrowing every string from
//! the line until the event is built, and parsing uuids from their hex in place. Anything it
//! does not fully understand makes it give up (`None`) without an error, and the line is then
//! read by the serde path as before: a member it does not know, an escape in any string, a
//! key met twice, a float, a nested value in `extra`, a missing member, a syntax error. So
//! every error, its message and its position, is the serde path's own, and every event the
//! fast path builds is the one the serde path would have built (a property test in `tests`
//! holds the two side by side on generated and mutated lines).
//!
//! What it accepts, it accepts with serde_json's own rules: JSON whitespace between tokens,
//! members in any order, `null` for the optional members, integers without leading zeros,
//! strings without control characters.

use uuid::Uuid;

use crate::core::event::EntityIds;
use crate::core::{EventRef, Phase, ScalarRef};

mod hyphenated;
pub(crate) mod sorted;
mod straight;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod straight_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
mod words;

use crate::trace::swar::{leading_digits, plain_string_len, word};
pub(crate) use hyphenated::hex_id;
use hyphenated::hyphenated;
use words::Key;

/// Payload fields beyond this many go through serde, whose repeat check switches to a set.
const MAX_FAST_FIELDS: usize = 16;

/// An event's members in the order lineage writes them, each with its closing quote: a key
/// is recognised by comparing a few bytes against the one expected next.
const EVENT_KEYS: [Key; 12] = [
    Key::new(b"id\""),
    Key::new(b"kind\""),
    Key::new(b"phase\""),
    Key::new(b"parent_id\""),
    Key::new(b"root_id\""),
    Key::new(b"lineage_id\""),
    Key::new(b"start_id\""),
    Key::new(b"seq\""),
    Key::new(b"timestamp_ns\""),
    Key::new(b"duration_ns\""),
    Key::new(b"error\""),
    Key::new(b"payload\""),
];

/// A payload's members in the order lineage writes them.
const PAYLOAD_KEYS: [Key; 6] = [
    Key::new(b"process_name\""),
    Key::new(b"function_name\""),
    Key::new(b"input_entity_ids\""),
    Key::new(b"output_entity_ids\""),
    Key::new(b"entity_count\""),
    Key::new(b"extra\""),
];

/// Reads one line as lineage wrote it, or `None` for anything the serde path must judge.
/// A line exactly as our exporter writes it (`straight`), or as a `serde_json::Value`
/// writes an event (`sorted`: the exact events of our Chrome export), is read in one
/// straight pass; any other line by the general reader here.
#[inline]
pub(crate) fn read_line(text: &str) -> Option<EventRef<'_>> {
    let mut event = blank();
    read_line_into(text, &mut event)?;
    Some(event)
}

/// [`read_line`] into `event` (as [`blank`] made it), for a caller that hands the event on
/// by reference: an `EventRef` is ~400 bytes, and each move of it (out of `event`, out of
/// its `Option`, into the sink) was a `memcpy` call (callgrind, 2026-12-06: ~250
/// instructions a line for four of them, ~140 for the last two). `None` leaves `event`
/// holding a part of the line.
#[inline(always)]
pub(crate) fn read_line_into<'a>(text: &'a str, event: &mut EventRef<'a>) -> Option<()> {
    if straight::read(text, event).is_some() {
        return Some(());
    }
    *event = blank();
    if sorted::read(text, event).is_some() {
        return Some(());
    }
    *event = blank();
    general(text, event)
}

/// The general reader alone: members in any order, whitespace, `null`s (see the module
/// docs); `None` for anything the serde path must judge.
#[inline(never)]
fn general<'a>(text: &'a str, event: &mut EventRef<'a>) -> Option<()> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    c.event(event)?;
    c.ws();
    (c.i == c.b.len()).then_some(())
}

/// [`general`] on its own, for the tests that hold the straight pass to it.
#[cfg(all(test, not(target_arch = "wasm32")))]
fn read_general(text: &str) -> Option<EventRef<'_>> {
    let mut event = blank();
    general(text, &mut event).map(|()| event)
}

/// A payload object alone (the live stream's compact lines write it apart from its event),
/// read into the payload members of an otherwise blank [`EventRef`]; `None` for anything
/// the serde path must judge, as for a whole line.
pub(crate) fn read_payload(text: &str) -> Option<EventRef<'_>> {
    let mut c = Cursor {
        s: text,
        b: text.as_bytes(),
        i: 0,
    };
    let mut event = blank();
    c.ws();
    c.payload(&mut event)?;
    c.ws();
    (c.i == c.b.len()).then_some(event)
}

/// The event before its members are read.
#[inline(always)]
pub(crate) fn blank<'a>() -> EventRef<'a> {
    EventRef {
        id: Uuid::nil(),
        kind: "",
        phase: Phase::Pending,
        parent_id: None,
        root_id: Uuid::nil(),
        lineage_id: Uuid::nil(),
        start_id: None,
        seq: 0,
        timestamp_ns: 0,
        duration_ns: None,
        error: None,
        process_name: None,
        function_name: None,
        input_entity_ids: EntityIds::new(),
        output_entity_ids: EntityIds::new(),
        entity_count: None,
        extra: Default::default(),
        json: &[],
    }
}

/// The top-level members, one bit each, to refuse a repeat and find a missing one.
mod member {
    pub(super) const ID: u16 = 1;
    pub(super) const KIND: u16 = 1 << 1;
    pub(super) const PHASE: u16 = 1 << 2;
    pub(super) const PARENT: u16 = 1 << 3;
    pub(super) const ROOT: u16 = 1 << 4;
    pub(super) const LINEAGE: u16 = 1 << 5;
    pub(super) const START: u16 = 1 << 6;
    pub(super) const SEQ: u16 = 1 << 7;
    pub(super) const TIME: u16 = 1 << 8;
    pub(super) const DURATION: u16 = 1 << 9;
    pub(super) const ERROR: u16 = 1 << 10;
    pub(super) const PAYLOAD: u16 = 1 << 11;
    /// The members an event cannot do without.
    pub(super) const REQUIRED: u16 = ID | KIND | PHASE | ROOT | LINEAGE | SEQ | TIME;
}

/// The payload's members, one bit each.
mod payload_member {
    pub(super) const PROCESS: u16 = 1;
    pub(super) const FUNCTION: u16 = 1 << 1;
    pub(super) const INPUTS: u16 = 1 << 2;
    pub(super) const OUTPUTS: u16 = 1 << 3;
    pub(super) const COUNT: u16 = 1 << 4;
    pub(super) const EXTRA: u16 = 1 << 5;
}

/// A position in the line.
struct Cursor<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    /// The event's members, into `e` (as [`blank`] made it).
    fn event(&mut self, e: &mut EventRef<'a>) -> Option<()> {
        let (mut seen, mut next) = (0u16, 0);
        self.ws();
        self.eat(b'{')?;
        loop {
            self.ws();
            let bit = match self.known_key(&EVENT_KEYS, &mut next)? {
                0 => set(&mut e.id, self.uuid()?, member::ID),
                1 => set(&mut e.kind, self.string()?, member::KIND),
                2 => set(&mut e.phase, Phase::parse(self.string()?)?, member::PHASE),
                3 => set(&mut e.parent_id, self.nullable(Self::uuid)?, member::PARENT),
                4 => set(&mut e.root_id, self.uuid()?, member::ROOT),
                5 => set(&mut e.lineage_id, self.uuid()?, member::LINEAGE),
                6 => set(&mut e.start_id, self.nullable(Self::uuid)?, member::START),
                7 => set(&mut e.seq, self.u64()?, member::SEQ),
                8 => set(&mut e.timestamp_ns, self.u64()?, member::TIME),
                9 => set(
                    &mut e.duration_ns,
                    self.nullable(Self::u64)?,
                    member::DURATION,
                ),
                10 => set(&mut e.error, self.nullable(Self::string)?, member::ERROR),
                _ => {
                    self.payload(e)?;
                    member::PAYLOAD
                }
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if !self.next_member()? {
                break;
            }
        }
        (seen & member::REQUIRED == member::REQUIRED).then_some(())
    }

    /// The payload's members, into `e`.
    fn payload(&mut self, e: &mut EventRef<'a>) -> Option<()> {
        use payload_member::*;
        let (mut seen, mut next) = (0u16, 0);
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let bit = match self.known_key(&PAYLOAD_KEYS, &mut next)? {
                0 => set(&mut e.process_name, self.nullable(Self::string)?, PROCESS),
                1 => set(&mut e.function_name, self.nullable(Self::string)?, FUNCTION),
                2 => set(&mut e.input_entity_ids, self.ids()?, INPUTS),
                3 => set(&mut e.output_entity_ids, self.ids()?, OUTPUTS),
                4 => set(&mut e.entity_count, self.nullable(Self::u32)?, COUNT),
                _ => {
                    self.fields(&mut e.extra)?;
                    EXTRA
                }
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if !self.next_member()? {
                return Some(());
            }
            self.ws();
        }
    }

    /// `extra`'s fields, each a scalar a `Value` holds exactly; keys unique.
    fn fields(
        &mut self,
        out: &mut smallvec::SmallVec<[(&'a str, ScalarRef<'a>); 4]>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key()?;
            if out.len() >= MAX_FAST_FIELDS || out.iter().any(|(k, _)| *k == key) {
                return None;
            }
            let value = self.scalar()?;
            out.push((key, value));
            if !self.next_member()? {
                return Some(());
            }
            self.ws();
        }
    }

    /// Which of `keys` the member here has (its index), and past its colon. The keys are
    /// tried from the one after the last found (`next`), in the order lineage writes them,
    /// so the first try usually hits. A key that is none of them, or spelled with an
    /// escape, is `None`.
    #[inline(always)]
    fn known_key(&mut self, keys: &[Key], next: &mut usize) -> Option<usize> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..)?;
        // The first byte rules most keys out before a whole compare (a file whose members
        // are sorted, as a Chrome trace's `args` are, misses the expected key every time).
        let first = *rest.first()?;
        let (mut k, mut hit) = (*next, None);
        for _ in 0..keys.len() {
            if k >= keys.len() {
                k = 0;
            }
            if keys[k].first == first && keys[k].is_at(rest) {
                hit = Some(k);
                break;
            }
            k += 1;
        }
        let found = hit?;
        self.i += keys[found].len;
        *next = found + 1;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(found)
    }

    /// A member's key and its colon, up to the value.
    #[inline]
    fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.ws();
        self.eat(b':')?;
        self.ws();
        Some(key)
    }

    /// After a member: `true` at a comma, `false` at the closing brace.
    #[inline]
    fn next_member(&mut self) -> Option<bool> {
        self.ws();
        let more = match self.b.get(self.i)? {
            b',' => true,
            b'}' => false,
            _ => return None,
        };
        self.i += 1;
        Some(more)
    }

    /// A value of `extra`: a string, a boolean, `null` or an integer a `Value` holds.
    fn scalar(&mut self) -> Option<ScalarRef<'a>> {
        match *self.b.get(self.i)? {
            b'"' => self.string().map(ScalarRef::Str),
            b't' => self.literal(b"true").map(|()| ScalarRef::Bool(true)),
            b'f' => self.literal(b"false").map(|()| ScalarRef::Bool(false)),
            b'n' => self.literal(b"null").map(|()| ScalarRef::Null),
            b'-' => {
                self.i += 1;
                let magnitude = self.u64()?;
                // `-0` is a float to serde_json; below `i64::MIN` is not an `i64`.
                let v = 0i64.checked_sub_unsigned(magnitude).filter(|&v| v != 0)?;
                Some(ScalarRef::Neg(v))
            }
            _ => self.u64().map(ScalarRef::UInt),
        }
    }

    /// An array of entity ids, grown one push at a time as serde grows it.
    fn ids(&mut self) -> Option<EntityIds> {
        let mut ids = EntityIds::new();
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_some() {
            return Some(ids);
        }
        loop {
            ids.push(self.uuid()?);
            self.ws();
            match *self.b.get(self.i)? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(ids);
                }
                _ => return None,
            }
            self.ws();
        }
    }

    /// `null` (`Some(None)`), or what `read` reads.
    #[inline]
    fn nullable<T>(&mut self, read: fn(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.b.get(self.i) == Some(&b'n') {
            return self.literal(b"null").map(|()| None);
        }
        read(self).map(Some)
    }

    /// A string without escapes or control characters, borrowed from the line: the closing
    /// quote found and the body checked in one pass, eight bytes at a time.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let len = plain_string_len(self.b.get(start..)?)?;
        self.i = start + len + 1;
        // Cut at ASCII quotes, so on character boundaries.
        self.s.get(start..start + len)
    }

    /// A uuid in any form the `uuid` crate parses (as its serde reader does). The form
    /// lineage writes, 36 characters between quotes, is parsed in place: the hex parser
    /// refuses any quote, backslash or control character inside.
    #[inline]
    fn uuid(&mut self) -> Option<Uuid> {
        if let Some(&[b'"', ref text @ .., b'"']) = self.b.get(self.i..self.i + 38) {
            if let Some(id) = hyphenated(text) {
                self.i += 38;
                return Some(id);
            }
        }
        Uuid::try_parse(self.string()?).ok()
    }

    /// A non-negative integer as serde_json reads one into a `u64`: no leading zero, no
    /// fraction or exponent, no overflow. Up to 15 digits (every sequence number, duration
    /// and relative timestamp) are read eight at a time in words; longer ones byte by byte.
    #[inline]
    fn u64(&mut self) -> Option<u64> {
        let digits = self.b.get(self.i..)?;
        let (v, len) = match word(digits, 0).map(leading_digits) {
            Some((n, v)) if n < 8 => (v, n),
            Some((_, v)) => match word(digits, 8).map(leading_digits) {
                Some((m, u)) if m < 8 => (v * POW10[m] + u, 8 + m),
                _ => digit_loop(digits)?,
            },
            None => digit_loop(digits)?,
        };
        if len == 0 || (len > 1 && digits[0] == b'0') {
            return None;
        }
        if matches!(digits.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        self.i += len;
        Some(v)
    }

    fn u32(&mut self) -> Option<u32> {
        self.u64()?.try_into().ok()
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let found = self.b.get(self.i..self.i + word.len())?;
        (found == word).then(|| self.i += word.len())
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.b.get(self.i) == Some(&byte)).then(|| self.i += 1)
    }

    /// JSON's whitespace, as serde_json skips it.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }
}

/// Powers of ten below 10⁸, to join two words of digits.
const POW10: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The digits at the start of `digits` one at a time, and how many: up to 19 digits
/// cannot overflow, so only a 20th is checked; `None` past `u64::MAX`.
#[cold]
fn digit_loop(digits: &[u8]) -> Option<(u64, usize)> {
    let (mut v, mut len) = (0u64, 0);
    while let Some(&c) = digits.get(len) {
        let d = u64::from(c.wrapping_sub(b'0'));
        if d > 9 {
            break;
        }
        v = if len < 19 {
            v * 10 + d
        } else {
            v.checked_mul(10)?.checked_add(d)?
        };
        len += 1;
    }
    Some((v, len))
}

/// Stores a member's value and returns its bit.
#[inline]
fn set<T>(slot: &mut T, value: T, bit: u16) -> u16 {
    *slot = value;
    bit
}
