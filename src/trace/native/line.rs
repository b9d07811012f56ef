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

use serde_json::Value;
use uuid::Uuid;

use crate::core::event::EntityIds;
use crate::core::{Event, Fields, Kind, Payload, Phase};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

/// Payload fields beyond this many go through serde, whose repeat check switches to a set.
const MAX_FAST_FIELDS: usize = 16;

/// Reads one line as lineage wrote it, or `None` for anything the serde path must judge.
#[inline]
pub(crate) fn read_line(text: &str) -> Option<Event> {
    let mut c = Cursor {
        b: text.as_bytes(),
        i: 0,
    };
    let event = c.event()?;
    c.ws();
    (c.i == c.b.len()).then_some(event)
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

/// A position in the line's bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn event(&mut self) -> Option<Event> {
        let mut e = Event {
            id: Uuid::nil(),
            kind: Kind::Borrowed(""),
            phase: Phase::Pending,
            parent_id: None,
            root_id: Uuid::nil(),
            lineage_id: Uuid::nil(),
            start_id: None,
            seq: 0,
            timestamp_ns: 0,
            duration_ns: None,
            error: None,
            payload: Payload::default(),
            unknown: Default::default(),
        };
        let mut seen = 0u16;
        self.ws();
        self.eat(b'{')?;
        loop {
            self.ws();
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let bit = match key {
                "id" => set(&mut e.id, self.uuid()?, member::ID),
                "kind" => set(
                    &mut e.kind,
                    Kind::Owned(self.string()?.to_owned()),
                    member::KIND,
                ),
                "phase" => set(&mut e.phase, Phase::parse(self.string()?)?, member::PHASE),
                "parent_id" => set(&mut e.parent_id, self.nullable(Self::uuid)?, member::PARENT),
                "root_id" => set(&mut e.root_id, self.uuid()?, member::ROOT),
                "lineage_id" => set(&mut e.lineage_id, self.uuid()?, member::LINEAGE),
                "start_id" => set(&mut e.start_id, self.nullable(Self::uuid)?, member::START),
                "seq" => set(&mut e.seq, self.u64()?, member::SEQ),
                "timestamp_ns" => set(&mut e.timestamp_ns, self.u64()?, member::TIME),
                "duration_ns" => set(
                    &mut e.duration_ns,
                    self.nullable(Self::u64)?,
                    member::DURATION,
                ),
                "error" => set(&mut e.error, self.nullable(Self::owned)?, member::ERROR),
                "payload" => set(&mut e.payload, self.payload()?, member::PAYLOAD),
                _ => return None,
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if !self.next_member()? {
                break;
            }
        }
        (seen & member::REQUIRED == member::REQUIRED).then_some(e)
    }

    fn payload(&mut self) -> Option<Payload> {
        let mut p = Payload::default();
        let mut seen = 0u16;
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(p);
        }
        loop {
            let key = self.string()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let bit = match key {
                "process_name" => set(&mut p.process_name, self.nullable(Self::kind)?, 1),
                "function_name" => set(&mut p.function_name, self.nullable(Self::kind)?, 2),
                "input_entity_ids" => set(&mut p.input_entity_ids, self.ids()?, 4),
                "output_entity_ids" => set(&mut p.output_entity_ids, self.ids()?, 8),
                "entity_count" => set(&mut p.entity_count, self.nullable(Self::u32)?, 16),
                "extra" => {
                    self.fields(&mut p.extra)?;
                    32
                }
                _ => return None,
            };
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if !self.next_member()? {
                return Some(p);
            }
            self.ws();
        }
    }

    /// `extra`'s fields, each a scalar a `Value` holds exactly; keys unique.
    fn fields(&mut self, out: &mut Fields) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.string()?;
            if out.len() >= MAX_FAST_FIELDS || out.get(key).is_some() {
                return None;
            }
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.scalar()?;
            out.push_unique(Kind::Owned(key.to_owned()), value);
            if !self.next_member()? {
                return Some(());
            }
            self.ws();
        }
    }

    /// After a member: `true` at a comma, `false` at the closing brace.
    #[inline]
    fn next_member(&mut self) -> Option<bool> {
        self.ws();
        match self.b.get(self.i)? {
            b',' => {
                self.i += 1;
                Some(true)
            }
            b'}' => {
                self.i += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A value of `extra`: a string, a boolean, `null` or an integer a `Value` holds.
    fn scalar(&mut self) -> Option<Value> {
        match *self.b.get(self.i)? {
            b'"' => Some(Value::String(self.owned()?)),
            b't' => self.literal(b"true").map(|()| Value::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Value::Bool(false)),
            b'n' => self.literal(b"null").map(|()| Value::Null),
            b'-' => {
                self.i += 1;
                let magnitude = self.u64()?;
                // `-0` is a float to serde_json; below `i64::MIN` is not an `i64`.
                let v = 0i64.checked_sub_unsigned(magnitude).filter(|&v| v != 0)?;
                Some(Value::from(v))
            }
            _ => self.u64().map(Value::from),
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

    /// A string without escapes or control characters, borrowed from the line.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let len = rest
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        // Cut at ASCII quotes of a `&str`'s bytes, so still UTF-8.
        std::str::from_utf8(&rest[..len]).ok()
    }

    fn owned(&mut self) -> Option<String> {
        self.string().map(str::to_owned)
    }

    fn kind(&mut self) -> Option<Kind> {
        self.string().map(|s| Kind::Owned(s.to_owned()))
    }

    /// A uuid in any form the `uuid` crate parses (as its serde reader does).
    #[inline]
    fn uuid(&mut self) -> Option<Uuid> {
        Uuid::try_parse(self.string()?).ok()
    }

    /// A non-negative integer as serde_json reads one into a `u64`: no leading zero, no
    /// fraction or exponent, no overflow.
    #[inline]
    fn u64(&mut self) -> Option<u64> {
        let digits = self.b.get(self.i..)?;
        let len = digits
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        if len == 0 || (len > 1 && digits[0] == b'0') {
            return None;
        }
        if matches!(digits.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let mut v = 0u64;
        for &d in &digits[..len] {
            v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
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

/// Stores a member's value and returns its bit.
#[inline]
fn set<T>(slot: &mut T, value: T, bit: u16) -> u16 {
    *slot = value;
    bit
}
