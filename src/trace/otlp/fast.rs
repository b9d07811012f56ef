//! # A span read in one pass
//!
//! serde reads a span through derived visitors, `serde_with` adapters and untagged enums
//! that buffer each time and integer before judging it: about 7.7 k instructions a span of
//! the bench document (`lineage bench --import-case`, 2026-12-06), a third of the import
//! after the fields became text ([`super::json_text`]). Here the span the collector and
//! the SDKs write is read directly from the record's text: its members by name, ids from
//! hex without a `String`, times and integers parsed in place, strings borrowed until the
//! [`Span`] owns them, every other member passed over by the validating skimmer
//! ([`crate::trace::skim`]).
//!
//! Anything unusual gives up (`None`) and the record goes to serde, unchanged, so every
//! error (and its position and path) is serde's: an escape in any string, a repeated
//! member, a value of another type than the usual one (a time as a float, a `kind` object,
//! a double given as a string), span events, links, nested attribute values. When it does
//! not give up, it gives the [`Span`] serde gives (the tests hold the two to each other,
//! through the conversion and the store).

use std::str::FromStr;

use serde_json::Value;

use super::ids::{HexId, ParentId};
use super::scalars::{DoubleValue, IntValue, Nanos, StatusCode};
use super::wire::{AnyValue, ArrayValue, KeyValue, Span, Status};
use crate::trace::native;
use crate::trace::skim::Skim;

/// The span in `text`, or `None` where serde must read it (see the module docs).
pub(super) fn span(text: &str) -> Option<Span> {
    span_into(text, Vec::new())
}

/// [`span`], its attributes read into `spare` (emptied, its room kept from an earlier
/// span: see [`span_prefix`]).
pub(super) fn span_into(text: &str, spare: Vec<KeyValue>) -> Option<Span> {
    let mut p = Skim::new(text);
    p.ws();
    let span = object(&mut p, spare)?;
    p.ws();
    p.at_end().then_some(span)
}

/// The span that starts `text` (at its `{`), and where it ends (the byte after its `}`);
/// what follows is the caller's to judge (`scan::Ahead`). `None` as for [`span`].
///
/// Its attributes are read into `spare`, an emptied `Vec` that the previous span's
/// conversion handed back (`span::convert_open`): grown from nothing at every span, the
/// list of our own export's 15 attributes (~170 bytes each) was allocated three times and
/// copied twice a span (~2 200 instructions an event, callgrind, 2026-12-07).
pub(super) fn span_prefix(text: &str, spare: Vec<KeyValue>) -> Option<(Span, usize)> {
    let mut p = Skim::new(text);
    let span = object(&mut p, spare)?;
    Some((span, p.i))
}

/// The members of a span, by bit, so a repeated one gives up.
const MEMBERS: [&str; 13] = [
    "traceId",
    "spanId",
    "parentSpanId",
    "name",
    "kind",
    "startTimeUnixNano",
    "endTimeUnixNano",
    "attributes",
    "events",
    "links",
    "status",
    "traceState",
    "flags",
];

fn object(p: &mut Skim<'_>, mut spare: Vec<KeyValue>) -> Option<Span> {
    spare.clear();
    p.eat(b'{')?;
    p.ws();
    let mut seen = 0u16;
    let (mut trace, mut span_id, mut start) = (None, None, None);
    let mut s = Span {
        trace_id: HexId([0; 16]),
        span_id: HexId([0; 8]),
        parent_span_id: None,
        name: String::new(),
        kind: None,
        start_time_unix_nano: Nanos(0),
        end_time_unix_nano: None,
        attributes: spare,
        events: Vec::new(),
        links: Vec::new(),
        status: None,
        trace_state: None,
        flags: None,
    };
    if p.eat(b'}').is_none() {
        loop {
            let key = p.key()?;
            match MEMBERS.iter().position(|&m| m == key) {
                Some(bit) => {
                    if seen & (1 << bit) != 0 {
                        return None;
                    }
                    seen |= 1 << bit;
                    match bit {
                        0 => trace = Some(hex_id::<16>(p)?),
                        1 => span_id = Some(hex_id::<8>(p)?),
                        2 => s.parent_span_id = nullable(p, parent_id)?,
                        3 => s.name = p.string()?.to_owned(),
                        4 => s.kind = nullable(p, kind)?,
                        5 => start = Some(nanos(p)?),
                        6 => s.end_time_unix_nano = nullable(p, nanos)?,
                        7 => key_values(p, &mut s.attributes)?,
                        8 | 9 => empty_array(p)?,
                        10 => s.status = nullable(p, status)?,
                        11 => s.trace_state = nullable(p, |p| p.string().map(str::to_owned))?,
                        _ => s.flags = nullable(p, |p| integer::<u32>(p))?,
                    }
                }
                None => p.value()?,
            }
            if !p.next_or(b'}')? {
                break;
            }
        }
    }
    s.trace_id = HexId(trace?);
    s.span_id = HexId(span_id?);
    s.start_time_unix_nano = start?;
    Some(s)
}

/// `null` as `None` (what an `Option` member reads it as), anything else by `read`.
fn nullable<'a, T>(
    p: &mut Skim<'a>,
    read: impl FnOnce(&mut Skim<'a>) -> Option<T>,
) -> Option<Option<T>> {
    if p.peek()? == b'n' {
        p.literal(b"null")?;
        return Some(None);
    }
    read(p).map(Some)
}

/// An id of `2N` hex digits; the `hex` crate judges anything the word-wise reader does not
/// take (it takes exactly what the crate takes, `hyphenated`'s tests hold the two together).
fn hex_id<const N: usize>(p: &mut Skim<'_>) -> Option<[u8; N]> {
    let text = p.string()?;
    if let Some(id) = native::hex_id::<N>(text.as_bytes()) {
        return Some(id);
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// `parentSpanId`: 16 hex digits, or empty (a root span) as [`ParentId`] reads it.
fn parent_id(p: &mut Skim<'_>) -> Option<ParentId> {
    let text = p.string()?;
    if let Some(id) = native::hex_id::<8>(text.as_bytes()) {
        return Some(ParentId(Some(id)));
    }
    ParentId::from_str(text).ok()
}

/// A number without fraction or exponent, as a `T` (serde's integer types refuse the
/// rest, and a float serde reads otherwise goes to serde).
fn integer<T: FromStr>(p: &mut Skim<'_>) -> Option<T> {
    let n = p.number()?;
    // serde_json reads `-0` as the float -0.0.
    if !n.integer || n.text.starts_with("-0") {
        return None;
    }
    n.text.parse().ok()
}

/// A time: a decimal string (spaces around forgiven, as `Trimmed` reads it) or an integer.
fn nanos(p: &mut Skim<'_>) -> Option<Nanos> {
    if p.peek()? == b'"' {
        let text = p.string()?;
        return (decimal(text.as_bytes()).or_else(|| text.trim().parse().ok())).map(Nanos);
    }
    let n = p.number()?;
    if !n.integer || n.text.starts_with('-') {
        // A negative time, or one serde reads as a float: serde's.
        return None;
    }
    decimal(n.text.as_bytes())
        .or_else(|| n.text.parse().ok())
        .map(Nanos)
}

/// 1 to 19 decimal digits and nothing else as the number they write (19 digits always fit
/// a `u64`); `None` for anything else, which `str::parse` then judges (a sign, spaces,
/// a 20th digit). `str::parse::<u64>` checks for overflow at each digit: ~540 instructions
/// a time of 19 digits with the string around it, two a span (callgrind, 2026-12-06).
#[inline]
fn decimal(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// `kind`: a number or a string, kept as the `Value` serde builds.
fn kind(p: &mut Skim<'_>) -> Option<Value> {
    if p.peek()? == b'"' {
        return Some(Value::from(p.string()?));
    }
    let n = p.number()?;
    if !n.integer || n.text.starts_with("-0") {
        return None;
    }
    match n.text.strip_prefix('-') {
        Some(_) => n.text.parse::<i64>().ok().map(Value::from),
        None => n.text.parse::<u64>().ok().map(Value::from),
    }
}

fn empty_array(p: &mut Skim<'_>) -> Option<()> {
    p.eat(b'[')?;
    p.ws();
    p.eat(b']')
}

fn status(p: &mut Skim<'_>) -> Option<Status> {
    p.eat(b'{')?;
    p.ws();
    let mut st = Status {
        code: None,
        message: None,
    };
    let mut seen = [false; 2];
    if p.eat(b'}').is_some() {
        return Some(st);
    }
    loop {
        match p.key()? {
            "code" if !seen[0] => {
                seen[0] = true;
                st.code = nullable(p, |p| {
                    if p.peek()? == b'"' {
                        return StatusCode::from_str(p.string()?).ok();
                    }
                    StatusCode::try_from(integer::<u64>(p)?).ok()
                })?;
            }
            "message" if !seen[1] => {
                seen[1] = true;
                st.message = nullable(p, |p| p.string().map(str::to_owned))?;
            }
            "code" | "message" => return None,
            _ => p.value()?,
        }
        if !p.next_or(b'}')? {
            return Some(st);
        }
    }
}

/// The attributes, appended to `kvs` (empty).
fn key_values(p: &mut Skim<'_>, kvs: &mut Vec<KeyValue>) -> Option<()> {
    p.eat(b'[')?;
    p.ws();
    if p.eat(b']').is_some() {
        return Some(());
    }
    loop {
        kvs.push(key_value(p)?);
        if !p.next_or(b']')? {
            return Some(());
        }
    }
}

fn key_value(p: &mut Skim<'_>) -> Option<KeyValue> {
    p.eat(b'{')?;
    p.ws();
    let (mut key, mut value, mut has_value) = (None, None, false);
    if p.eat(b'}').is_none() {
        loop {
            match p.key()? {
                "key" if key.is_none() => key = Some(p.string()?.to_owned()),
                "value" if !has_value => {
                    has_value = true;
                    value = nullable(p, |p| any_value(p, true))?;
                }
                "key" | "value" => return None,
                _ => p.value()?,
            }
            if !p.next_or(b'}')? {
                break;
            }
        }
    }
    Some(KeyValue { key: key?, value })
}

/// An `AnyValue` of a scalar, or (when `arrays`) an `arrayValue` of scalars: lineage's own
/// export writes entity ids that way in every span, so giving such spans to serde made our
/// own OTLP files import several times slower. Anything nested deeper, and every
/// `kvlistValue`, goes to serde (its depth limit and its errors stay the only ones).
fn any_value(p: &mut Skim<'_>, arrays: bool) -> Option<AnyValue> {
    p.eat(b'{')?;
    p.ws();
    let mut v = AnyValue::default();
    let mut seen = 0u8;
    if p.eat(b'}').is_some() {
        return Some(v);
    }
    loop {
        let key = p.key()?;
        let bit = match key {
            "stringValue" => 1,
            "boolValue" => 2,
            "intValue" => 4,
            "doubleValue" => 8,
            "bytesValue" => 16,
            "arrayValue" if arrays => 32,
            "arrayValue" | "kvlistValue" => return None,
            _ => 0,
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match bit {
            1 => v.string_value = nullable(p, |p| p.string().map(str::to_owned))?,
            2 => v.bool_value = nullable(p, boolean)?,
            4 => v.int_value = nullable(p, int_value)?,
            8 => v.double_value = nullable(p, double)?,
            16 => v.bytes_value = nullable(p, |p| p.string().map(str::to_owned))?,
            32 => v.array_value = nullable(p, array_value)?,
            _ => p.value()?,
        }
        if !p.next_or(b'}')? {
            return Some(v);
        }
    }
}

/// `{"values": [AnyValue, ...]}` whose values are scalars; a repeated `values` (serde
/// refuses it), a `null` element or a nested array gives up.
fn array_value(p: &mut Skim<'_>) -> Option<ArrayValue> {
    p.eat(b'{')?;
    p.ws();
    let mut values = Vec::new();
    let mut seen = false;
    if p.eat(b'}').is_some() {
        return Some(ArrayValue { values });
    }
    loop {
        match p.key()? {
            "values" if !seen => {
                seen = true;
                values = elements(p)?;
            }
            "values" => return None,
            _ => p.value()?,
        }
        if !p.next_or(b'}')? {
            return Some(ArrayValue { values });
        }
    }
}

fn elements(p: &mut Skim<'_>) -> Option<Vec<AnyValue>> {
    p.eat(b'[')?;
    p.ws();
    let mut values = Vec::new();
    if p.eat(b']').is_some() {
        return Some(values);
    }
    loop {
        values.push(any_value(p, false)?);
        if !p.next_or(b']')? {
            return Some(values);
        }
    }
}

fn boolean(p: &mut Skim<'_>) -> Option<bool> {
    match p.peek()? {
        b't' => p.literal(b"true").map(|()| true),
        _ => p.literal(b"false").map(|()| false),
    }
}

/// `intValue`: a decimal string (spaces forgiven) or an integer.
fn int_value(p: &mut Skim<'_>) -> Option<IntValue> {
    if p.peek()? == b'"' {
        return p.string()?.trim().parse().ok().map(IntValue);
    }
    integer(p).map(IntValue)
}

/// `doubleValue` given as a number (its strings go to serde).
fn double(p: &mut Skim<'_>) -> Option<DoubleValue> {
    let x = p.number()?.to_f64()?;
    Some(DoubleValue::finite(x))
}

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod ahead_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
