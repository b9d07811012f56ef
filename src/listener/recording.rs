//! # A borrowed event's line in the recording
//!
//! `--out` records every stored event as the line `native::write_line` writes for it
//! (serde, the derived `Serialize` of [`Event`](crate::core::Event)). An event read from a
//! body as lineage wrote it arrives borrowed ([`EventRef`]); building the owned event only
//! to serialize it would cost the allocations the borrowed path saves. So its line is written
//! here directly, member for member in the order and spelling serde writes: the members
//! serde skips when empty are skipped, `payload` is always written. Its strings need no
//! escaping: the reader that made the `EventRef` refuses any string with a backslash, a quote
//! or a control character, the only characters serde_json escapes. The tests in
//! `lines_tests` hold the recording byte for byte to serde's on the fixtures and on mutated
//! lines.

use uuid::Uuid;

use crate::core::{EventRef, ScalarRef};

/// Appends `e`'s line, newline included, to `out`.
pub(crate) fn write_ref_line(out: &mut Vec<u8>, e: &EventRef<'_>) {
    out.extend_from_slice(b"{\"id\":");
    uuid(out, e.id);
    out.extend_from_slice(b",\"kind\":");
    string(out, e.kind);
    out.extend_from_slice(b",\"phase\":");
    string(out, e.phase.as_str());
    if let Some(p) = e.parent_id {
        out.extend_from_slice(b",\"parent_id\":");
        uuid(out, p);
    }
    out.extend_from_slice(b",\"root_id\":");
    uuid(out, e.root_id);
    out.extend_from_slice(b",\"lineage_id\":");
    uuid(out, e.lineage_id);
    if let Some(s) = e.start_id {
        out.extend_from_slice(b",\"start_id\":");
        uuid(out, s);
    }
    out.extend_from_slice(b",\"seq\":");
    number(out, e.seq);
    out.extend_from_slice(b",\"timestamp_ns\":");
    number(out, e.timestamp_ns);
    if let Some(d) = e.duration_ns {
        out.extend_from_slice(b",\"duration_ns\":");
        number(out, d);
    }
    if let Some(text) = e.error {
        out.extend_from_slice(b",\"error\":");
        string(out, text);
    }
    out.extend_from_slice(b",\"payload\":");
    payload(out, e);
    out.extend_from_slice(b"}\n");
}

fn payload(out: &mut Vec<u8>, e: &EventRef<'_>) {
    let mut sep = b'{';
    let mut member = |out: &mut Vec<u8>, key: &[u8]| {
        out.push(sep);
        sep = b',';
        out.push(b'"');
        out.extend_from_slice(key);
        out.extend_from_slice(b"\":");
    };
    if let Some(p) = e.process_name {
        member(out, b"process_name");
        string(out, p);
    }
    if let Some(f) = e.function_name {
        member(out, b"function_name");
        string(out, f);
    }
    for (key, ids) in [
        (&b"input_entity_ids"[..], &e.input_entity_ids),
        (b"output_entity_ids", &e.output_entity_ids),
    ] {
        if !ids.is_empty() {
            member(out, key);
            for (i, &id) in ids.iter().enumerate() {
                out.push(if i == 0 { b'[' } else { b',' });
                uuid(out, id);
            }
            out.push(b']');
        }
    }
    if let Some(n) = e.entity_count {
        member(out, b"entity_count");
        number(out, u64::from(n));
    }
    if !e.extra.is_empty() || !e.json.is_empty() {
        member(out, b"extra");
        for (i, &(key, value)) in e.extra.iter().enumerate() {
            out.push(if i == 0 { b'{' } else { b',' });
            string(out, key);
            out.push(b':');
            scalar(out, value);
        }
        for (i, &(key, value)) in e.json.iter().enumerate() {
            out.push(if i + e.extra.len() == 0 { b'{' } else { b',' });
            string(out, key);
            out.push(b':');
            value.write(out);
        }
        out.push(b'}');
    }
    if sep == b'{' {
        out.push(b'{');
    }
    out.push(b'}');
}

fn scalar(out: &mut Vec<u8>, v: ScalarRef<'_>) {
    match v {
        ScalarRef::Null => out.extend_from_slice(b"null"),
        ScalarRef::Bool(true) => out.extend_from_slice(b"true"),
        ScalarRef::Bool(false) => out.extend_from_slice(b"false"),
        ScalarRef::UInt(n) => number(out, n),
        ScalarRef::Neg(n) => {
            out.push(b'-');
            number(out, n.unsigned_abs());
        }
        ScalarRef::Str(s) => string(out, s),
    }
}

/// A string the borrowed reader accepted: nothing in it that serde_json escapes.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

fn uuid(out: &mut Vec<u8>, id: Uuid) {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buf).as_bytes());
    out.push(b'"');
}

fn number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}
