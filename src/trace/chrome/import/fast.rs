//! # A purpose-built reader for trace events
//!
//! Through serde a trace event was read twice before its exact events reached the NDJSON line
//! reader: once as a [`RawEvent`](super::raw::RawEvent) with `args` checked and kept as raw
//! text, then `args` again for the keys of our own export (`start`, `end`, `event`). On our
//! own export that was about 19 000 of the 32 000 instructions an event (callgrind,
//! 2026-12-06), most of them serde_json passing over strings.
//!
//! This reads a trace event in one pass: the members the importer uses (`ph`, `name`, `cat`,
//! `ts`, `dur`, `pid`, `tid`, `s`, `args`) borrowed from the record, numbers parsed in place,
//! every other member passed over by [`Skim`] (which checks it as serde would), and `args`
//! kept as its JSON text, with the text of its `start`, `end` and `event` members found on
//! the way; an exact event there that the NDJSON line reader reads whole is read right then
//! (once, borrowed) and pushed into the store as it is. The result is the [`Record`] serde's
//! path would have made.
//!
//! Anything it does not fully understand makes it give up (`None`) and the record goes to
//! serde, which decides: a string with an escape, a member met twice, a `ph` that is not a
//! string, a float (or `-0`, or an integer beyond 64 bits) as a `name`, `cat`, `pid` or
//! `tid` (their text is serde's rendering of the number), `args` that are an array (serde
//! reads a struct from an array too), anything [`Skim`] gives up on, any syntax error. So
//! every error, with its message and position, is serde's, and a record read here is the
//! record serde reads (the property tests in `tests.rs` hold the two side by side, record by record and file
//! by file).

use std::borrow::Cow;

use super::raw::{Ours, Record, END, EVENT, START};
use crate::core::EventRef;
use crate::trace::native;
use crate::trace::skim::Skim;

/// The members read, one bit each, to refuse a repeat and to require `ph`.
mod member {
    pub(super) const PH: u16 = 1;
    pub(super) const NAME: u16 = 1 << 1;
    pub(super) const CAT: u16 = 1 << 2;
    pub(super) const TS: u16 = 1 << 3;
    pub(super) const DUR: u16 = 1 << 4;
    pub(super) const PID: u16 = 1 << 5;
    pub(super) const TID: u16 = 1 << 6;
    pub(super) const S: u16 = 1 << 7;
    pub(super) const ARGS: u16 = 1 << 8;
}

/// Reads one trace event, or `None` for anything serde must judge.
pub(super) fn read(text: &str) -> Option<Record<'_>> {
    let mut record = Record::empty();
    let len = read_into(text, &mut record)?;
    let mut c = Skim::new(text);
    c.i = len;
    c.ws();
    c.at_end().then_some(record)
}

/// Reads the trace event that starts `text` into `r` (a [`Record::empty`]) and says where
/// it ends (the byte after its `}`); what follows is the caller's to judge. `None` as for
/// [`read`], with `r` left in any state. The record is filled where it lies: it holds three
/// borrowed events, and moving it in and out of `Option`s cost about 500 instructions a
/// trace event of our export in copies (callgrind, 2026-12-06).
pub(super) fn read_into<'a>(text: &'a str, r: &mut Record<'a>) -> Option<usize> {
    let mut c = Skim::new(text);
    let mut seen = 0u16;
    c.ws();
    c.eat(b'{')?;
    c.ws();
    loop {
        let bit = match c.key()? {
            "ph" => set(&mut r.ph, Cow::Borrowed(c.string()?), member::PH),
            "name" => set(&mut r.name, text_value(&mut c)?, member::NAME),
            "cat" => set(&mut r.cat, text_value(&mut c)?, member::CAT),
            "ts" => set(&mut r.ts, micros(&mut c)?, member::TS),
            "dur" => set(&mut r.dur, micros(&mut c)?, member::DUR),
            "pid" => set(&mut r.pid, text_value(&mut c)?, member::PID),
            "tid" => set(&mut r.tid, text_value(&mut c)?, member::TID),
            "s" => set(&mut r.scope, scope(&mut c)?, member::S),
            "args" => {
                (r.args, r.ours) = args(&mut c, &mut r.read)?;
                member::ARGS
            }
            _ => {
                c.value()?;
                0
            }
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        if !c.next_or(b'}')? {
            break;
        }
    }
    (seen & member::PH != 0).then_some(c.i)
}

/// Stores a member's value and returns its bit.
#[inline]
fn set<T>(slot: &mut T, value: T, bit: u16) -> u16 {
    *slot = value;
    bit
}

/// `name`, `cat`, `pid` or `tid` as text: a string as it is, `true`, `false` and integers
/// as written (which is how a `Value` prints them), `null` as none.
#[inline]
fn text_value<'a>(c: &mut Skim<'a>) -> Option<Option<Cow<'a, str>>> {
    let start = c.i;
    match c.peek()? {
        b'"' => return Some(Some(Cow::Borrowed(c.string()?))),
        b'n' => return c.literal(b"null").map(|()| None),
        b't' => c.literal(b"true")?,
        b'f' => c.literal(b"false")?,
        _ => {
            let n = c.number()?;
            // A `Value` prints a float its own way (`1.0`, `-0.0`, `1e3` as `1000.0`) and an
            // integer beyond 64 bits is a float to it: serde's.
            let digits = n.text.strip_prefix('-').unwrap_or(n.text);
            let fits = if n.text.starts_with('-') {
                digits != "0" && digits.parse::<u64>().is_ok_and(|m| m <= 1 << 63)
            } else {
                digits.parse::<u64>().is_ok()
            };
            if !n.integer || !fits {
                return None;
            }
        }
    }
    Some(Some(Cow::Borrowed(c.since(start))))
}

/// `ts` or `dur`: a number of microseconds, or `null` for none.
#[inline]
fn micros(c: &mut Skim<'_>) -> Option<Option<f64>> {
    if c.peek()? == b'n' {
        return c.literal(b"null").map(|()| None);
    }
    let n = c.number()?;
    if let Some(x) = short_decimal(n.text.as_bytes()) {
        return Some(Some(x));
    }
    n.to_f64().map(Some)
}

/// Exact powers of ten, up to the most fraction digits [`short_decimal`] takes.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// A JSON number without exponent and of at most 15 digits (`ts` as our export and most
/// tracers write it: microseconds with up to three decimals), as `str::parse::<f64>` reads
/// it; `None` for anything else, which the general parser reads. The digits as an integer
/// `m` are below 10¹⁵ < 2⁵³ and so exact in an `f64`, as is 10ᵏ for k ≤ 22: one division
/// of the two is the correctly rounded quotient (Clinger's fast path, the one `dec2flt`
/// itself takes first), so the result is `parse`'s, bit for bit. `parse` spent ~215
/// instructions a trace event of our export on reading the number again (callgrind,
/// 2026-12-06).
#[inline]
pub(super) fn short_decimal(b: &[u8]) -> Option<f64> {
    let (negative, b) = match b.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, b),
    };
    let (mut m, mut digits, mut fraction) = (0u64, 0usize, None);
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
            }
            b'.' if fraction.is_none() => fraction = Some(i),
            _ => return None,
        }
        if digits > 15 {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    let k = fraction.map_or(0, |at| b.len() - at - 1);
    let x = m as f64 / POW10[k];
    Some(if negative { -x } else { x })
}

/// `s`: a string, or any other value (which no scope is).
fn scope<'a>(c: &mut Skim<'a>) -> Option<Option<Cow<'a, str>>> {
    if c.peek()? == b'"' {
        return Some(Some(Cow::Borrowed(c.string()?)));
    }
    c.value()?;
    Some(None)
}

/// `args` as JSON text (`null` is none), and the text of its `start`, `end` and `event`
/// members as serde reads them for our own export: none at all if one is met twice.
fn args<'a>(
    c: &mut Skim<'a>,
    read: &mut [Option<EventRef<'a>>; 3],
) -> Option<(Option<&'a str>, Option<Ours<'a>>)> {
    let begin = c.i;
    match c.peek()? {
        b'n' => {
            c.literal(b"null")?;
            return Some((None, Some(Ours::default())));
        }
        b'[' => return None,
        b'{' => {}
        _ => {
            c.value()?;
            return Some((Some(c.since(begin)), Some(Ours::default())));
        }
    }
    c.i += 1;
    c.ws();
    let mut ours = Ours::default();
    let (mut seen, mut repeated) = (0u8, false);
    if c.eat(b'}').is_none() {
        loop {
            let key = c.key()?;
            let at = c.i;
            let mut other = None;
            let (slot, bit, place) = match key {
                "start" => (&mut ours.start, 1, START),
                "end" => (&mut ours.end, 2, END),
                "event" => (&mut ours.event, 4, EVENT),
                _ => (&mut other, 0, 0),
            };
            if bit == 0 || !exact_line(c, &mut read[place]) {
                c.value()?;
            }
            repeated |= seen & bit != 0;
            seen |= bit;
            // `null` reads as none, as serde reads an `Option`.
            *slot = Some(c.since(at)).filter(|v| *v != "null");
            if !c.next_or(b'}')? {
                break;
            }
        }
    }
    if repeated {
        *read = [None, None, None];
        return Some((Some(c.since(begin)), Some(Ours::default())));
    }
    Some((Some(c.since(begin)), Some(ours)))
}

/// An object here that the NDJSON line reader reads whole: the event, into `slot`, with
/// the cursor past it (`true`); `false`, with the cursor unmoved and `slot` empty, for
/// anything else. The event is read where it will stay: an `EventRef` is ~400 bytes, and
/// returning it and moving it into its slot cost two `memcpy` calls (callgrind,
/// 2026-12-06: ~130 instructions an event).
///
/// Our own export's events are read in one pass that also finds their end
/// (`native::read_sorted_prefix_into`). For anything else, where the object ends is
/// guessed by counting braces with `memchr`, strings ignored: a guess, because a brace
/// inside a string miscounts. It needs no more, since the line reader then checks every
/// byte of the guess and accepts only one whole JSON object; a JSON value's end is fixed by
/// its start, so an accepted guess is the object's real end. A wrong guess is refused and
/// the object is skimmed instead.
fn exact_line<'a>(c: &mut Skim<'a>, slot: &mut Option<EventRef<'a>>) -> bool {
    let rest = c.rest();
    let b = rest.as_bytes();
    if b.first() != Some(&b'{') {
        return false;
    }
    if let Some(end) = native::read_sorted_prefix_into(rest, slot.insert(native::blank_ref())) {
        c.i += end;
        return true;
    }
    *slot = None;
    let Some(end) = object_end_guess(b) else {
        return false;
    };
    let Some(event) = native::read_exact_ref(&rest[..end]) else {
        return false;
    };
    *slot = Some(event);
    c.i += end;
    true
}

/// Where the object starting `b` ends if no string in it holds a brace (see [`exact_line`]).
fn object_end_guess(b: &[u8]) -> Option<usize> {
    let (mut depth, mut i) = (0usize, 0usize);
    loop {
        i += memchr::memchr2(b'{', b'}', &b[i..])?;
        if b[i] == b'{' {
            depth += 1;
        } else {
            depth -= 1;
            if depth == 0 {
                return Some(i + 1);
            }
        }
        i += 1;
    }
}
