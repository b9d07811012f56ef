//! Issue 14 item 1, "lossless means lossless": every member of a lineage NDJSON event, known
//! or not, at any depth, comes back from `convert --to ndjson`, from the event store (what the
//! page's ⤓ NDJSON exports) and from a library round trip, equal in value: integers of any
//! size as written, never through a float. Compared here token by token with numbers kept as
//! their exact decimal value, by a reader independent of the crate's. Chrome JSON and OTLP say
//! in one line on standard error what they could not carry (native only: it runs the binary).
#![cfg(not(target_arch = "wasm32"))]

use std::fmt;
use std::path::Path;
use std::process::{Command, Output};

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

/// The corpus files `convert --to ndjson` must give back equal in value, with the note
/// `convert` must print for Chrome JSON and for OTLP (`None`: no note).
const LOSSLESS: &[(&str, Option<&str>, Option<&str>)] = &[
    (
        "unknown-top-level-field.ndjson",
        None,
        Some("5 unknown top-level fields dropped (no place for them)"),
    ),
    ("payload-key-outside-extra.ndjson", None, None),
    (
        "nested-unknowns.ndjson",
        Some("2 numbers beyond a 64-bit integer or f64 written as strings of their exact text"),
        Some("2 unknown top-level fields dropped (no place for them); 2 numbers beyond a 64-bit signed integer or f64 written as strings of their exact text"),
    ),
    (
        "integer-beyond-u64.ndjson",
        Some("5 numbers beyond a 64-bit integer or f64"),
        // 18446744073709551615 fits a u64 but not OTLP's int64: a string too.
        Some("1 unknown top-level field dropped (no place for them); 5 numbers beyond a 64-bit signed integer"),
    ),
    (
        "negative-beyond-i64.ndjson",
        Some("4 numbers beyond a 64-bit integer or f64"),
        Some("1 unknown top-level field dropped (no place for them); 3 numbers beyond"),
    ),
    (
        "number-beyond-f64.ndjson",
        Some("6 numbers beyond a 64-bit integer or f64"),
        Some("1 unknown top-level field dropped (no place for them); 5 numbers beyond"),
    ),
    (
        "duplicate-key-inside-a-value.ndjson",
        Some("2 repeated keys inside values kept their last value"),
        Some("1 unknown top-level field dropped (no place for them); 1 repeated key inside values kept their last value"),
    ),
];

fn lineage(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}

fn corpus(file: &str) -> String {
    Path::new(CORPUS).join(file).to_str().unwrap().to_owned()
}

/// A JSON text's value in a canonical form: object members sorted by key (repeats kept, in
/// order), strings re-escaped one way, every number as its exact decimal value
/// (`-1E+400` and `-10e399` agree, `18446744073709551616` never becomes a float).
fn canon(json: &str) -> String {
    let raw: Box<RawValue> = serde_json::from_str(json).unwrap();
    let t = raw.get();
    match t.as_bytes()[0] {
        b'{' => {
            let Members(mut m) = serde_json::from_str(t).unwrap();
            m.sort_by(|a, b| a.0.cmp(&b.0));
            let inner: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::to_string(k).unwrap(), canon(v.get())))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        b'[' => {
            let items: Vec<Box<RawValue>> = serde_json::from_str(t).unwrap();
            let inner: Vec<String> = items.iter().map(|v| canon(v.get())).collect();
            format!("[{}]", inner.join(","))
        }
        b'"' => serde_json::to_string(&serde_json::from_str::<String>(t).unwrap()).unwrap(),
        b'-' | b'0'..=b'9' => exact_decimal(t),
        _ => t.to_owned(),
    }
}

/// A number token's exact value as `[-]0.DIGITSeEXP` (zero as `0`).
fn exact_decimal(token: &str) -> String {
    let (neg, t) = match token.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", token),
    };
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().unwrap()),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let sig = digits.trim_matches('0');
    if sig.is_empty() {
        return "0".into();
    }
    format!("{neg}0.{sig}e{}", exp + int.len() as i64 - lead as i64)
}

/// An object's members in order, repeats kept.
struct Members(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Members, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(e) = m.next_entry()? {
                    out.push(e);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Each line of `written` equal in value to the same line of `read`.
fn assert_equal_in_value(file: &str, read: &str, written: &str, how: &str) {
    let (read, written): (Vec<_>, Vec<_>) = (read.lines().collect(), written.lines().collect());
    assert_eq!(read.len(), written.len(), "{file} {how}");
    for (r, w) in read.iter().zip(&written) {
        assert_eq!(canon(w), canon(r), "{file} {how}:\n{r}\n{w}");
    }
}

#[test]
fn the_comparison_tells_numbers_apart_by_exact_value() {
    assert_eq!(exact_decimal("-1E+400"), exact_decimal("-10e399"));
    assert_eq!(exact_decimal("1.50"), exact_decimal("15e-1"));
    assert_ne!(
        exact_decimal("18446744073709551616"),
        exact_decimal("1.8446744073709552e19")
    );
    assert_ne!(canon(r#"{"a":1,"a":2}"#), canon(r#"{"a":2}"#));
    assert_eq!(
        canon(r#"{"b":"\u00e9","a":[1.0]}"#),
        canon(r#"{"a":[1],"b":"é"}"#)
    );
}

#[test]
fn convert_to_ndjson_gives_back_every_member_equal_in_value() {
    for (file, _, _) in LOSSLESS {
        let read = std::fs::read_to_string(corpus(file)).unwrap();
        let out = lineage(&["convert", &corpus(file), "--to", "ndjson"]);
        assert!(out.status.success(), "{file}: {out:?}");
        assert!(out.stderr.is_empty(), "{file}: no note for NDJSON: {out:?}");
        let written = String::from_utf8(out.stdout).unwrap();
        assert_equal_in_value(file, &read, &written, "through convert");
        // Again from what it wrote: a fixed point.
        let again = lineage::trace::native::export(
            &lineage::trace::import(written.as_bytes(), None)
                .unwrap()
                .events,
        );
        assert_eq!(again, written, "{file}");
    }
}

#[test]
fn the_event_store_gives_back_every_member_equal_in_value() {
    // The page's ⤓ NDJSON writes the events of its trace, which live in the event store.
    for (file, _, _) in LOSSLESS {
        let read = std::fs::read_to_string(corpus(file)).unwrap();
        let events = lineage::trace::import(read.as_bytes(), None)
            .unwrap()
            .events;
        let mut store = lineage::core::EventStore::unbounded();
        for e in &events {
            store.push_event(e, 0);
        }
        let back: Vec<_> = store.events().collect();
        assert_eq!(back, events, "{file}");
        let trace = lineage::model::EventLog::new(events);
        let written = lineage::trace::native::export(&trace.events().collect::<Vec<_>>());
        assert_equal_in_value(file, &read, &written, "through the store");
    }
}

#[test]
fn unknown_members_are_written_back_byte_for_byte() {
    let cases = [
        ("unknown-top-level-field.ndjson", r#""foo":1"#),
        ("unknown-top-level-field.ndjson", r#""tags":["a","b"]"#),
        (
            "payload-key-outside-extra.ndjson",
            r#""bar":{"rows":3,"note":"caf\u00e9 \"q\""}"#,
        ),
        (
            "integer-beyond-u64.ndjson",
            r#""bar":340282366920938463463374607431768211456"#,
        ),
        (
            "integer-beyond-u64.ndjson",
            r#""list":[1,18446744073709551617]"#,
        ),
        (
            "negative-beyond-i64.ndjson",
            r#""foo":-9223372036854775809"#,
        ),
        ("number-beyond-f64.ndjson", r#""ninf":-1E+400"#),
        (
            "number-beyond-f64.ndjson",
            r#""long":1.000000000000000000001"#,
        ),
        (
            "duplicate-key-inside-a-value.ndjson",
            r#"{"mode":"fast","mode":"slow"}"#,
        ),
    ];
    for (file, text) in cases {
        let out = lineage(&["convert", &corpus(file), "--to", "ndjson"]);
        let written = String::from_utf8(out.stdout).unwrap();
        assert!(written.contains(text), "{file}: {text} not in\n{written}");
    }
}

#[test]
fn chrome_and_otlp_say_in_one_line_what_they_could_not_carry() {
    for (file, chrome, otlp) in LOSSLESS {
        for (to, name, want) in [("chrome", "Chrome JSON", chrome), ("otlp", "OTLP", otlp)] {
            let out = lineage(&["convert", &corpus(file), "--to", to]);
            assert!(out.status.success(), "{file} to {to}: {out:?}");
            let stderr = String::from_utf8(out.stderr).unwrap();
            match want {
                None => assert!(stderr.is_empty(), "{file} to {to}: {stderr}"),
                Some(part) => {
                    assert_eq!(stderr.lines().count(), 1, "{file} to {to}: {stderr}");
                    let head = format!("note: {name} cannot carry everything read: ");
                    assert!(stderr.starts_with(&head), "{file} to {to}: {stderr}");
                    assert!(
                        stderr.contains(part),
                        "{file} to {to}: {part} not in {stderr}"
                    );
                    assert!(stderr.len() < 400, "{file} to {to}: {stderr}");
                }
            }
            // What was written reads back.
            lineage::trace::import(&out.stdout, None).unwrap();
        }
    }
}

#[test]
fn big_numbers_reach_otlp_as_strings_of_their_exact_text() {
    let out = lineage(&[
        "convert",
        &corpus("integer-beyond-u64.ndjson"),
        "--to",
        "otlp",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    for n in [
        "18446744073709551616",
        "18446744073709551615",
        "340282366920938463463374607431768211456",
    ] {
        assert!(
            text.contains(&format!(r#"{{"stringValue":"{n}"}}"#)),
            "{n} not a string in {text}"
        );
    }
    assert!(!text.contains("doubleValue"), "{text}");
}

#[test]
fn a_key_repeated_where_the_reader_models_the_object_is_refused_in_one_line() {
    let out = lineage(&[
        "convert",
        &corpus("duplicate-top-level-key.ndjson"),
        "--to",
        "ndjson",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("duplicate field `foo`"), "{stderr}");
    let id = "00000000-0000-4000-8000-000000000001";
    let head = format!(
        r#"{{"id":"{id}","kind":"k","phase":"started","root_id":"{id}","lineage_id":"{id}","seq":0,"timestamp_ns":0"#
    );
    for (rest, key) in [
        (r#","payload":{"bar":1,"bar":2}}"#, "bar"),
        (r#","payload":{"extra":{"n":1,"n":1}}}"#, "n"),
        (r#","seq":1}"#, "seq"),
    ] {
        let e = lineage::trace::import(format!("{head}{rest}\n").as_bytes(), None).unwrap_err();
        assert!(
            e.to_string().contains(&format!("duplicate field `{key}`")),
            "{e}"
        );
    }
}
