//! # A payload's JSON, written from its record
//!
//! What `serde_json::to_writer(&event.payload)` writes, written from the record and its blob
//! without decoding an `Event` (no strings, values or field vector built). The text search
//! needs it for a needle with JSON punctuation, which can span keys and values
//! (`mode":"fast`); the tests in `inspect::filter` hold it to serde_json's text.

use uuid::Uuid;

use super::field_keys::FieldKeys;
use super::record::{
    Reader, Record, B_COUNT, B_DURATION, B_ERROR, B_FIELDS, B_INPUTS, B_OUTPUTS, B_PAYLOAD_UNKNOWN,
    V_FALSE, V_FLOAT, V_NEG, V_NULL, V_STR, V_TRUE, V_UINT,
};
use super::shared_text::SharedText;
use super::symbols::Symbols;
use super::EventStore;

/// Writes the payload's compact JSON into `out` (appended); returns the error's bytes, which
/// the blob holds too but the payload does not.
pub(super) fn write_payload_json<'s>(
    store: &'s EventStore,
    r: &Record,
    out: &mut Vec<u8>,
) -> Option<&'s [u8]> {
    let mut first = true;
    let mut key = |out: &mut Vec<u8>, name: &str| {
        out.push(if first { b'{' } else { b',' });
        first = false;
        write_str(out, name);
        out.push(b':');
    };
    let names = [
        (store.process_sym(r), "process_name"),
        (store.function_sym(r), "function_name"),
    ];
    for (sym, name) in names {
        if !sym.is_none() {
            key(out, name);
            write_str(out, store.symbols.str(sym));
        }
    }
    let mut error = None;
    let bytes = store.payload_bytes(r);
    if !bytes.is_empty() {
        let mut rd = Reader { bytes, at: 0 };
        let flags = rd.byte();
        if flags & B_DURATION != 0 {
            rd.varint();
        }
        for (bit, name) in [
            (B_INPUTS, "input_entity_ids"),
            (B_OUTPUTS, "output_entity_ids"),
        ] {
            if flags & bit != 0 {
                key(out, name);
                for i in 0..rd.varint() {
                    out.push(if i == 0 { b'[' } else { b',' });
                    let id: [u8; 16] = rd.take(16).try_into().expect("16 bytes");
                    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                    write_str(
                        out,
                        Uuid::from_bytes(id).hyphenated().encode_lower(&mut text),
                    );
                }
                out.push(b']');
            }
        }
        if flags & B_COUNT != 0 {
            key(out, "entity_count");
            write_json(out, &(rd.varint() as u32));
        }
        if flags & B_ERROR != 0 {
            let n = rd.varint() as usize;
            error = Some(rd.take(n));
        }
        if flags & B_FIELDS != 0 {
            key(out, "extra");
            let mut keys = FieldKeys::read(&mut rd, &store.symbols);
            let mut first_field = true;
            while let Some(field) = keys.next(&mut rd) {
                out.push(if first_field { b'{' } else { b',' });
                first_field = false;
                write_str(out, store.symbols.str(field));
                out.push(b':');
                write_value(out, &mut rd, &store.symbols);
            }
            out.push(b'}');
        }
        if flags & B_PAYLOAD_UNKNOWN != 0 {
            // Members the payload does not model, after the ones it does, as written.
            for _ in 0..rd.varint() {
                let n = rd.varint() as usize;
                let name = std::str::from_utf8(rd.take(n)).expect("blobs hold valid UTF-8");
                key(out, name);
                let n = rd.varint() as usize;
                out.extend_from_slice(rd.take(n));
            }
        }
    }
    if first {
        out.push(b'{');
    }
    out.push(b'}');
    error
}

/// One field value, as the decoded `serde_json::Value` writes.
fn write_value<'a>(out: &mut Vec<u8>, rd: &mut Reader<'a>, symbols: &'a Symbols) {
    match rd.byte() {
        V_NULL => out.extend_from_slice(b"null"),
        V_FALSE => out.extend_from_slice(b"false"),
        V_TRUE => out.extend_from_slice(b"true"),
        V_UINT => write_json(out, &rd.varint()),
        V_NEG => write_json(out, &(rd.varint() as i64).wrapping_neg()),
        V_FLOAT => {
            let b: [u8; 8] = rd.take(8).try_into().expect("8 bytes");
            // Non-finite floats decode as null; serde_json writes them so too.
            write_json(out, &f64::from_le_bytes(b));
        }
        V_STR => {
            let n = rd.varint() as usize;
            let text = rd.take(n);
            write_str(
                out,
                std::str::from_utf8(text).expect("blobs hold valid UTF-8"),
            );
        }
        // An array or object, or a value a `Value` would change: its JSON text, in one
        // piece or around a piece kept once.
        tag => SharedText::read(tag, rd, symbols).write(out),
    }
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    write_json(out, s);
}

fn write_json(out: &mut Vec<u8>, v: &(impl serde::Serialize + ?Sized)) {
    serde_json::to_writer(&mut *out, v).expect("writing JSON to memory succeeds");
}
