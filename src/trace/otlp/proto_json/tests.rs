//! The text writers held to serde_json and the `hex` crate.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

#[test]
fn strings_are_written_as_serde_json_writes_them() {
    // Every byte at every position of strings long enough for two words and a tail.
    for len in 1..20 {
        for b in 0..=0x7fu8 {
            for at in 0..len {
                let mut text = vec![b'x'; len];
                text[at] = b;
                let s = std::str::from_utf8(&text).unwrap();
                let mut ours = Vec::new();
                write_str(&mut ours, s);
                assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
            }
        }
    }
    let mut ours = Vec::new();
    write_str(&mut ours, "é\u{7f}ü");
    assert_eq!(ours, serde_json::to_vec("é\u{7f}ü").unwrap());
}

#[test]
fn attributes_are_written_as_serde_json_writes_their_map() {
    use pb_common::any_value::Value as V;
    let kv = |key: &str, value: &str| pb_common::KeyValue {
        key: key.into(),
        value: Some(pb_common::AnyValue {
            value: Some(V::StringValue(value.into())),
        }),
        ..Default::default()
    };
    // Empty; one; sorted; keys to escape; unsorted with a repeated key (the last wins).
    for kvs in [
        vec![],
        vec![kv("a", "1")],
        vec![kv("a", "1"), kv("b", "2")],
        vec![kv("q\"\\\u{1}é", "x\ny"), kv("b", "2"), kv("\u{7f}", "")],
        vec![kv("b", "1"), kv("a", "2"), kv("b", "3")],
    ] {
        let mut ours = Vec::new();
        write_attributes(&mut ours, &kvs);
        let map = attributes(key_values(kvs.clone()));
        let want = serde_json::to_vec(&Value::Object(map)).unwrap();
        assert_eq!(String::from_utf8(ours), String::from_utf8(want));
    }
}

#[test]
fn every_byte_at_every_place_is_written_as_the_hex_crate_writes_it() {
    for b in 0..=255u8 {
        for at in 0..16 {
            let mut id = [0x5a; 16];
            id[at] = b;
            let mut ours = [0u8; 32];
            hex_into(&mut ours, &id);
            assert_eq!(std::str::from_utf8(&ours).unwrap(), hex::encode(id));
        }
    }
}

#[test]
fn ids_are_written_as_quoted_lowercase_hex() {
    let mut ours = Vec::new();
    let trace: [u8; 16] = std::array::from_fn(|i| (i * 17) as u8 ^ 0xa5);
    write_hex(&mut ours, &trace);
    write_hex(&mut ours, &[0x00, 0x0f, 0xf0, 0xff, 0x12, 0x9a, 0xbc, 0xde]);
    let want = format!("\"{}\"\"000ff0ff129abcde\"", hex::encode(trace));
    assert_eq!(String::from_utf8(ours).unwrap(), want);
}
