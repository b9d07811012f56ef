//! # The forgiving scalars of OTLP JSON
//!
//! OTLP's JSON mapping writes 64-bit integers as decimal strings, but writers differ: some
//! write plain numbers, some enum names (`STATUS_CODE_ERROR`), some numbers (`2`). We accept
//! every spelling a real file has been seen with, and say in one sentence what was expected
//! when none fits.
//!
//! ## Why serde's `untagged` and `serde_with`, not hand-written visitors
//! Each scalar is a small `#[serde(untagged)]` enum of its spellings: a number, or a string
//! read through [`serde_with::DisplayFromStr`] (and [`Trimmed`], because surrounding spaces
//! were always forgiven). serde's `expecting` gives the one-sentence error. Ids are hex
//! through the `hex` crate. This replaced six hand-written `Visitor`s; the cost, serde
//! buffering one scalar before trying its spellings, did not show in `lineage bench
//! --import`.
//!
//! ## Why not the OpenTelemetry project's own types
//! `opentelemetry-proto` (feature `with-serde`) reads the canonical JSON only: `kind` and
//! `status.code` as numbers (not the enum names many writers use), no
//! `instrumentationLibrarySpans` (the pre-1.0 key older collectors wrote), its own visitors
//! for ids and times, and `prost` generated types per message. It stays a dev-dependency that
//! checks our export parses (`tests/trace_otlp_export.rs`).

use std::str::FromStr;

use serde::Deserialize;
use serde_json::Value;
use serde_with::{serde_as, DisplayFromStr};

/// A value read from a string with surrounding whitespace forgiven (`" 42 "` is 42).
pub(super) struct Trimmed<T>(T);

impl<T: FromStr> FromStr for Trimmed<T> {
    type Err = T::Err;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(Trimmed)
    }
}

/// `intValue`: a decimal string (the spec's JSON mapping of int64) or a number.
#[serde_as]
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected a 64-bit integer as a string or a number"
)]
pub(super) enum IntValue {
    Number(i64),
    Text(#[serde_as(as = "DisplayFromStr")] Trimmed<i64>),
}

impl IntValue {
    pub(super) fn get(self) -> i64 {
        match self {
            IntValue::Number(i) | IntValue::Text(Trimmed(i)) => i,
        }
    }
}

/// `doubleValue`: a number, or one of the strings `NaN`, `Infinity`, `-Infinity` (kept as
/// strings: JSON numbers cannot hold them), or a finite number as a string.
#[serde_as]
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected a number, or \"NaN\", \"Infinity\" or \"-Infinity\""
)]
pub(super) enum DoubleValue {
    Number(f64),
    Text(#[serde_as(as = "DisplayFromStr")] DoubleText),
}

/// The string spellings of a double.
pub(super) enum DoubleText {
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

impl DoubleValue {
    pub(super) fn into_json(self) -> Value {
        match self {
            DoubleValue::Number(x) | DoubleValue::Text(DoubleText::Finite(x)) => Value::from(x),
            DoubleValue::Text(DoubleText::Special(name)) => Value::from(name),
        }
    }
}

/// Nanoseconds since the epoch: a decimal string or a number (a float too, if in range).
#[derive(Clone, Copy, Deserialize)]
#[serde(try_from = "NanosSpelled")]
pub(super) struct Nanos(pub(super) u64);

#[serde_as]
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected nanoseconds since the Unix epoch, as a string or a number"
)]
enum NanosSpelled {
    Whole(u64),
    Text(#[serde_as(as = "DisplayFromStr")] Trimmed<u64>),
    Float(f64),
}

impl TryFrom<NanosSpelled> for Nanos {
    type Error = String;
    fn try_from(n: NanosSpelled) -> Result<Nanos, String> {
        match n {
            NanosSpelled::Whole(ns) | NanosSpelled::Text(Trimmed(ns)) => Ok(Nanos(ns)),
            NanosSpelled::Float(x) if (0.0..1.8e19).contains(&x) => Ok(Nanos(x as u64)),
            NanosSpelled::Float(x) => Err(format!(
                "invalid value: floating point `{x}`, expected nanoseconds since the Unix epoch"
            )),
        }
    }
}

/// `status.code`: 0, 1, 2 or their enum names (with or without the `STATUS_CODE_` prefix).
#[serde_as]
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "expected a status code: 0, 1, 2 or STATUS_CODE_UNSET / _OK / _ERROR"
)]
pub(super) enum StatusCode {
    Number(#[serde_as(as = "serde_with::TryFromInto<u64>")] StatusName),
    Name(StatusName),
}

#[derive(Clone, Copy, PartialEq, Eq, Deserialize)]
pub(super) enum StatusName {
    #[serde(rename = "STATUS_CODE_UNSET", alias = "UNSET")]
    Unset = 0,
    #[serde(rename = "STATUS_CODE_OK", alias = "OK")]
    Ok = 1,
    #[serde(rename = "STATUS_CODE_ERROR", alias = "ERROR")]
    Error = 2,
}

impl TryFrom<u64> for StatusName {
    type Error = &'static str;
    fn try_from(n: u64) -> Result<StatusName, &'static str> {
        match n {
            0 => Ok(StatusName::Unset),
            1 => Ok(StatusName::Ok),
            2 => Ok(StatusName::Error),
            _ => Err("not a status code"),
        }
    }
}

impl StatusCode {
    /// The code as the spec numbers it.
    pub(super) fn number(self) -> u8 {
        match self {
            StatusCode::Number(name) | StatusCode::Name(name) => name as u8,
        }
    }
}

/// A hex id of `N` bytes (`2N` hex digits, either case).
#[derive(Clone, Copy)]
pub(super) struct HexId<const N: usize>(pub(super) [u8; N]);

impl<const N: usize> FromStr for HexId<N> {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut out = [0u8; N];
        match hex::decode_to_slice(s, &mut out) {
            Ok(()) => Ok(HexId(out)),
            Err(_) => Err(format!(
                "invalid value: string {:?}, expected {} hex digits",
                s,
                2 * N
            )),
        }
    }
}

/// `parentSpanId`: 16 hex digits, or empty for a root span.
pub(super) struct ParentId(pub(super) Option<[u8; 8]>);

impl FromStr for ParentId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Ok(ParentId(None));
        }
        s.parse::<HexId<8>>()
            .map(|id| ParentId(Some(id.0)))
            .map_err(|_| {
                format!("invalid value: string {s:?}, expected 16 hex digits, or an empty string for a root span")
            })
    }
}

/// Lowercase hex, as OTLP writes ids.
pub(crate) fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
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
            assert_eq!(read::<IntValue>(json).unwrap().get(), want, "{json}");
        }
        for bad in ["\"4x\"", "1.5", "18446744073709551615", "true"] {
            let err = read::<IntValue>(bad).err().expect(bad);
            assert!(err.starts_with("expected a 64-bit integer"), "{bad}: {err}");
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
        for bad in ["3", "-1", "\"2\"", "\"FAILED\""] {
            let err = read::<StatusCode>(bad).err().expect(bad);
            assert!(err.starts_with("expected a status code"), "{bad}: {err}");
        }
    }

    #[test]
    fn hex_ids_read_in_either_case_and_name_the_digits_expected() {
        let id: HexId<8> = "EEE19b7ec3c1b174".parse().unwrap();
        assert_eq!(hex(&id.0), "eee19b7ec3c1b174");
        for bad in ["eee19b7ec3c1b17", "eee19b7ec3c1b1745", "xyz", ""] {
            let err = bad.parse::<HexId<8>>().err().unwrap();
            assert!(err.contains("expected 16 hex digits"), "{bad}: {err}");
        }
    }

    #[test]
    fn an_empty_parent_span_id_is_a_root_and_a_bad_one_an_error() {
        assert!("".parse::<ParentId>().unwrap().0.is_none());
        assert!("00f067aa0ba902b7".parse::<ParentId>().unwrap().0.is_some());
        assert!("00f0".parse::<ParentId>().is_err());
    }
}
