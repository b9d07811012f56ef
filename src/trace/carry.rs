//! # What Chrome JSON and OTLP carry of an event
//!
//! Lineage NDJSON writes an event back as it was read (`core::raw`). The other formats are
//! built from `serde_json::Value`s, which cannot hold everything a file may say, so writing
//! one changes some things, and `lineage convert` says which on one line ([`Changes::note`]):
//!
//! - a number beyond a 64-bit integer or `f64` (`18446744073709551616`, `1e400`,
//!   `1.000000000000000000001`) is written as a **string of its exact text**, in both formats;
//!   in OTLP so is an integer above `i64::MAX` (an OTLP `intValue` is an `int64`, and a
//!   `doubleValue` would round it);
//! - an object inside a value that repeats a key keeps the **last** value;
//! - OTLP has no place for an event's **unknown top-level members** (`"foo":1` beside `id`):
//!   they are dropped. (Unknown payload members become attributes like any payload field;
//!   Chrome JSON carries whole events in `args`, unknown members included.)

use serde::Serialize;
use serde_json::Value;

use crate::core::raw::value_keeping_what_it_can;
use crate::core::{Event, Payload};

/// An event as a `Value` (what `serde_json::to_value` gives, which fails on `1e400`).
pub(crate) fn event_value(e: &Event) -> Value {
    value_of(
        e,
        has_text(&e.payload) || !e.unknown.is_empty(),
        &mut Changes::default(),
    )
}

/// A payload as a `Value`, as [`event_value`].
pub(crate) fn payload_value(p: &Payload) -> Value {
    value_of(p, has_text(p), &mut Changes::default())
}

/// Whether a payload holds anything kept as text.
fn has_text(p: &Payload) -> bool {
    !p.unknown.is_empty() || !p.extra.raw().is_empty()
}

fn value_of<T: Serialize>(x: &T, has_text: bool, changes: &mut Changes) -> Value {
    if !has_text {
        // Only numbers a Value holds: nothing to change.
        return serde_json::to_value(x).expect("an event without text kept aside is a Value");
    }
    let text = serde_json::to_string(x).expect("an event serialises");
    let (v, numbers, repeats) = value_keeping_what_it_can(&text);
    changes.numbers_as_strings += numbers as u64;
    changes.repeated_keys += repeats as u64;
    v
}

/// What writing events in a `Value`-built format changed, counted event by event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Unknown top-level members with no place in the format (OTLP), dropped.
    pub unknown_dropped: u64,
    /// Numbers written as strings of their text.
    pub numbers_as_strings: u64,
    /// Repeated keys inside values, of which the last value was kept.
    pub repeated_keys: u64,
}

// What `lineage convert` counts and says (its tests run natively too).
#[cfg(any(test, not(target_arch = "wasm32")))]
impl Changes {
    /// Counts what the Chrome export changes of `e` (it writes whole events in `args`).
    pub(crate) fn count_chrome(&mut self, e: &Event) {
        value_of(e, has_text(&e.payload) || !e.unknown.is_empty(), self);
    }

    /// Counts what the OTLP export changes of `e` (its payload becomes attributes).
    pub(crate) fn count_otlp(&mut self, e: &Event) {
        self.unknown_dropped += e.unknown.len() as u64;
        let v = value_of(&e.payload, has_text(&e.payload), self);
        self.numbers_as_strings += beyond_i64(&v);
    }

    /// One line saying what changed (`None` when nothing did); `format` names the format.
    pub(crate) fn note(&self, format: &str) -> Option<String> {
        let mut parts = Vec::new();
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if self.unknown_dropped > 0 {
            parts.push(format!(
                "{} dropped (no place for them)",
                plural(
                    self.unknown_dropped,
                    "unknown top-level field",
                    "unknown top-level fields"
                )
            ));
        }
        if self.numbers_as_strings > 0 {
            let what = if format == "OTLP" {
                "beyond a 64-bit signed integer or f64"
            } else {
                "beyond a 64-bit integer or f64"
            };
            parts.push(format!(
                "{} {what} written as strings of their exact text",
                plural(self.numbers_as_strings, "number", "numbers")
            ));
        }
        if self.repeated_keys > 0 {
            parts.push(format!(
                "{} inside values kept their last value",
                plural(self.repeated_keys, "repeated key", "repeated keys")
            ));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "note: {format} cannot carry everything read: {}",
                parts.join("; ")
            )
        })
    }
}

/// Integers in `v` above `i64::MAX`: OTLP writes them as strings (its `intValue` is an
/// `int64`).
#[cfg(any(test, not(target_arch = "wasm32")))]
fn beyond_i64(v: &Value) -> u64 {
    match v {
        Value::Number(n) => u64::from(n.as_i64().is_none() && n.as_u64().is_some()),
        Value::Array(a) => a.iter().map(beyond_i64).sum(),
        Value::Object(o) => o.values().map(beyond_i64).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::Phase;

    fn read(rest: &str) -> Event {
        let text = serde_json::to_string(&Event::root("k", Phase::Started)).unwrap();
        let text = text.replace(r#","payload":{}}"#, &format!("{rest}}}"));
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn what_each_format_changes_is_counted_and_said_in_one_line() {
        let e = read(
            r#","foo":1,"bar":[2],"payload":{"extra":{"n":18446744073709551615,"x":1e400,"d":[{"a":1,"a":2}]}}"#,
        );
        let v = event_value(&e);
        assert_eq!(v["foo"], 1);
        assert_eq!(v["payload"]["extra"]["x"], "1e400");
        assert_eq!(v["payload"]["extra"]["n"], u64::MAX);
        let mut chrome = Changes::default();
        chrome.count_chrome(&e);
        assert_eq!(
            chrome,
            Changes {
                unknown_dropped: 0,
                numbers_as_strings: 1,
                repeated_keys: 1
            }
        );
        let mut otlp = Changes::default();
        otlp.count_otlp(&e);
        assert_eq!(
            otlp,
            Changes {
                unknown_dropped: 2,
                numbers_as_strings: 2,
                repeated_keys: 1
            }
        );
        let note = otlp.note("OTLP").unwrap();
        assert!(!note.contains('\n'));
        assert_eq!(
            note,
            "note: OTLP cannot carry everything read: 2 unknown top-level fields dropped (no \
             place for them); 2 numbers beyond a 64-bit signed integer or f64 written as strings \
             of their exact text; 1 repeated key inside values kept their last value"
        );
        assert_eq!(Changes::default().note("OTLP"), None);
    }
}
