//! # The forgiving scalars of OTLP JSON
//!
//! OTLP's JSON mapping writes 64-bit integers as decimal strings, but writers differ: some
//! write plain numbers, some enum names (`STATUS_CODE_ERROR`), some numbers (`2`). We accept
//! every spelling a real file has been seen with, and say in one sentence what was expected
//! when none fits.
//!
//! ## Why serde's `untagged` and `serde_with`, not hand-written visitors
//! Each scalar lists its spellings as a small `#[serde(untagged)]` enum: a number, a string
//! read through [`serde_with::DisplayFromStr`] (with [`Trimmed`], because surrounding
//! spaces were always forgiven) or [`serde_with::TryFromInto`], and `Other` for anything
//! else. `#[serde(try_from)]` turns `Other` into serde_json's own sentence for what was
//! found ([`rejected`]). Ids are in `super::ids`. This replaced six hand-written
//! `Visitor`s (the same inputs accepted, the same values read, checked against the old
//! importer on every spelling); `lineage bench --import` showed no slowdown.
//!
//! Two things a reader of an error may notice: serde reads an untagged value whole before
//! judging it, so a bad value that is the last field of its object is reported just after
//! that object's closing brace rather than just after the value (the field path is exact
//! either way).
//!
//! ## Why not the OpenTelemetry project's own types
//! `opentelemetry-proto` (feature `with-serde`) reads the canonical JSON only: `kind` and
//! `status.code` as numbers (not the enum names many writers use), no
//! `instrumentationLibrarySpans` (the pre-1.0 key older collectors wrote), its own visitors
//! for ids and times, and `prost` generated types per message. It stays a dev-dependency that
//! checks our export parses (`tests/trace_otlp_export.rs`).

use std::fmt::Display;
use std::str::FromStr;

use serde::de::{Error as _, Unexpected};
use serde::Deserialize;
use serde_json::Value;
use serde_with::{serde_as, DisplayFromStr, TryFromInto};

/// Span kinds by number, as the spec names them.
pub(super) const KIND_NAMES: [&str; 6] = [
    "SPAN_KIND_UNSPECIFIED",
    "SPAN_KIND_INTERNAL",
    "SPAN_KIND_SERVER",
    "SPAN_KIND_CLIENT",
    "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER",
];

/// A value read from a string with surrounding whitespace forgiven (`" 42 "` is 42).
pub(super) struct Trimmed<T>(T);

impl<T: FromStr> FromStr for Trimmed<T> {
    type Err = T::Err;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Trimmed)
    }
}

/// The spellings of an integer: a decimal string, a number, or something else (`Other`,
/// kept so the error can say what was found).
///
/// The string comes first because it is what the spec writes (times, `intValue`): serde
/// tries the variants in order, and a variant that does not fit costs an error built and
/// thrown away (its sentence formatted, about 2 300 instructions a span when the number was
/// tried first). No value fits both, so the order changes nothing else.
#[serde_as]
#[derive(Deserialize)]
#[serde(
    untagged,
    bound(deserialize = "T: Deserialize<'de> + FromStr, T::Err: Display")
)]
enum Spelled<T> {
    Text(#[serde_as(as = "DisplayFromStr")] Trimmed<T>),
    Number(T),
    Other(Value),
}

/// serde_json's own sentence for `found` where `expected` was wanted ("invalid value:
/// string \"x\", expected ..."), so these errors read like every other.
fn rejected(found: &Value, expected: &str, floats_allowed: bool) -> String {
    let unexpected = match found {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            (None, None) => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    };
    let a_value = match found {
        Value::String(_) => true,
        Value::Number(n) => floats_allowed || !n.is_f64(),
        _ => false,
    };
    let error = if a_value {
        serde_json::Error::invalid_value(unexpected, &expected)
    } else {
        serde_json::Error::invalid_type(unexpected, &expected)
    };
    error.to_string()
}

/// `intValue`: a decimal string (the spec's JSON mapping of int64) or a number.
#[derive(Clone, Copy, Deserialize)]
#[serde(try_from = "Spelled<i64>")]
pub(super) struct IntValue(pub(super) i64);

impl TryFrom<Spelled<i64>> for IntValue {
    type Error = String;
    fn try_from(n: Spelled<i64>) -> Result<IntValue, String> {
        match n {
            Spelled::Number(i) | Spelled::Text(Trimmed(i)) => Ok(IntValue(i)),
            Spelled::Other(v) => Err(rejected(
                &v,
                "a 64-bit integer as a string or a number",
                false,
            )),
        }
    }
}

/// Nanoseconds since the epoch: a decimal string or a number (a float too, if in range).
#[derive(Clone, Copy, Deserialize)]
#[serde(try_from = "Spelled<u64>")]
pub(super) struct Nanos(pub(super) u64);

impl TryFrom<Spelled<u64>> for Nanos {
    type Error = String;
    fn try_from(n: Spelled<u64>) -> Result<Nanos, String> {
        match n {
            Spelled::Number(ns) | Spelled::Text(Trimmed(ns)) => Ok(Nanos(ns)),
            Spelled::Other(Value::Number(x)) if x.is_f64() => match x.as_f64() {
                Some(f) if (0.0..1.8e19).contains(&f) => Ok(Nanos(f as u64)),
                _ => Err(rejected(&Value::Number(x), NANOS, true)),
            },
            Spelled::Other(v) => Err(rejected(&v, NANOS, true)),
        }
    }
}

const NANOS: &str = "nanoseconds since the Unix epoch, as a string or a number";

/// `doubleValue`: a number, or one of the strings `NaN`, `Infinity`, `-Infinity` (kept as
/// strings: JSON numbers cannot hold them), or a finite number as a string.
#[serde_as]
#[derive(Deserialize)]
#[serde(untagged)]
enum DoubleSpelled {
    Number(f64),
    Text(#[serde_as(as = "DisplayFromStr")] DoubleText),
    Other(Value),
}

/// A double as JSON: a number, or the name of a value JSON numbers cannot hold.
#[derive(Deserialize)]
#[serde(try_from = "DoubleSpelled")]
pub(super) struct DoubleValue(Value);

impl TryFrom<DoubleSpelled> for DoubleValue {
    type Error = String;
    fn try_from(d: DoubleSpelled) -> Result<DoubleValue, String> {
        match d {
            DoubleSpelled::Number(x) | DoubleSpelled::Text(DoubleText::Finite(x)) => {
                Ok(DoubleValue(Value::from(x)))
            }
            DoubleSpelled::Text(DoubleText::Special(name)) => Ok(DoubleValue(Value::from(name))),
            DoubleSpelled::Other(v) => Err(rejected(
                &v,
                "a number, or \"NaN\", \"Infinity\" or \"-Infinity\"",
                true,
            )),
        }
    }
}

impl DoubleValue {
    /// A double decoded from protobuf: non-finite values by the names OTLP JSON gives them.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn from_f64(x: f64) -> DoubleValue {
        DoubleValue(if x.is_nan() {
            Value::from("NaN")
        } else if x.is_infinite() {
            Value::from(if x > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            Value::from(x)
        })
    }

    /// A finite double as serde reads it from a number.
    pub(super) fn finite(x: f64) -> DoubleValue {
        DoubleValue(Value::from(x))
    }

    pub(super) fn into_json(self) -> Value {
        self.0
    }

    pub(super) fn as_json(&self) -> &Value {
        &self.0
    }
}

/// The string spellings of a double.
enum DoubleText {
    Special(&'static str),
    Finite(f64),
}

impl FromStr for DoubleText {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const SPECIAL: [&str; 3] = ["NaN", "Infinity", "-Infinity"];
        if let Some(name) = SPECIAL.into_iter().find(|&n| n == s) {
            return Ok(DoubleText::Special(name));
        }
        match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(DoubleText::Finite(x)),
            _ => Err("not a number"),
        }
    }
}

/// `status.code`: 0, 1, 2 or their enum names (with or without the `STATUS_CODE_` prefix).
#[serde_as]
#[derive(Deserialize)]
#[serde(untagged)]
enum StatusSpelled {
    Number(#[serde_as(as = "TryFromInto<u64>")] StatusCode),
    Name(#[serde_as(as = "DisplayFromStr")] StatusCode),
    Other(Value),
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "StatusSpelled")]
pub(super) enum StatusCode {
    Unset = 0,
    Ok = 1,
    Error = 2,
}

impl TryFrom<StatusSpelled> for StatusCode {
    type Error = String;
    fn try_from(s: StatusSpelled) -> Result<StatusCode, String> {
        match s {
            StatusSpelled::Number(code) | StatusSpelled::Name(code) => Ok(code),
            StatusSpelled::Other(v) => Err(rejected(
                &v,
                "a status code: 0, 1, 2 or STATUS_CODE_UNSET / _OK / _ERROR",
                false,
            )),
        }
    }
}

impl TryFrom<u64> for StatusCode {
    type Error = &'static str;
    fn try_from(n: u64) -> Result<StatusCode, &'static str> {
        match n {
            0 => Ok(StatusCode::Unset),
            1 => Ok(StatusCode::Ok),
            2 => Ok(StatusCode::Error),
            _ => Err("not a status code"),
        }
    }
}

impl FromStr for StatusCode {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<StatusCode, &'static str> {
        match s.strip_prefix("STATUS_CODE_").unwrap_or(s) {
            "UNSET" => Ok(StatusCode::Unset),
            "OK" => Ok(StatusCode::Ok),
            "ERROR" => Ok(StatusCode::Error),
            _ => Err("not a status code name"),
        }
    }
}

impl StatusCode {
    /// The code as the spec numbers it.
    pub(super) fn number(self) -> u8 {
        self as u8
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn read<'a, T: Deserialize<'a>>(json: &'a str) -> Result<T, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn ints_read_from_numbers_and_decimal_strings_with_spaces_forgiven() {
        for (json, want) in [("-3", -3), ("\"-3\"", -3), ("\" 42 \"", 42)] {
            assert_eq!(read::<IntValue>(json).unwrap().0, want, "{json}");
        }
        for bad in ["\"4x\"", "1.5", "18446744073709551615", "true"] {
            let err = read::<IntValue>(bad).err().expect(bad);
            assert!(err.contains("expected a 64-bit integer"), "{bad}: {err}");
        }
    }

    #[test]
    fn doubles_keep_nan_and_the_infinities_as_strings() {
        let json = |s: &str| read::<DoubleValue>(s).unwrap().into_json();
        assert_eq!(json("0.5"), Value::from(0.5));
        assert_eq!(json("2"), Value::from(2.0));
        assert_eq!(json("\"2.5\""), Value::from(2.5));
        assert_eq!(json("\"NaN\""), Value::from("NaN"));
        assert_eq!(json("\"-Infinity\""), Value::from("-Infinity"));
        assert!(read::<DoubleValue>("\"inf\"").is_err());
    }

    #[test]
    fn times_read_from_strings_numbers_and_floats_in_range() {
        for (json, want) in [("7", 7), ("\"7\"", 7), ("\" 7\"", 7), ("7.0", 7)] {
            assert_eq!(read::<Nanos>(json).unwrap().0, want, "{json}");
        }
        for bad in ["-1", "\"-1\"", "-1.5", "2e19", "null"] {
            let err = read::<Nanos>(bad).err().expect(bad);
            assert!(
                err.contains("nanoseconds since the Unix epoch"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn status_codes_read_by_number_and_by_name_with_or_without_the_prefix() {
        for (json, want) in [
            ("0", 0),
            ("2", 2),
            ("\"STATUS_CODE_OK\"", 1),
            ("\"ERROR\"", 2),
            ("\"UNSET\"", 0),
        ] {
            assert_eq!(read::<StatusCode>(json).unwrap().number(), want, "{json}");
        }
        for bad in ["3", "-1", "1.0", "\"2\"", "\"FAILED\"", "{\"ERROR\": null}"] {
            let err = read::<StatusCode>(bad).err().expect(bad);
            assert!(err.contains("expected a status code"), "{bad}: {err}");
        }
    }

    #[test]
    fn errors_say_what_was_found_as_serde_json_would() {
        let err = |json: &str| read::<Nanos>(json).err().expect(json);
        assert_eq!(
            err("\"x\""),
            "invalid value: string \"x\", expected nanoseconds since the Unix epoch, as a \
             string or a number"
        );
        assert!(
            err("null").starts_with("invalid type: null,"),
            "{}",
            err("null")
        );
        assert!(err("-1").starts_with("invalid value: integer `-1`,"));
        let status = read::<StatusCode>("3").err().expect("3");
        assert!(status.starts_with("invalid value: integer `3`, expected a status code"));
    }
}
