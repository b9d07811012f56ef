//! # Numbers a `Value` holds, and those it does not
//!
//! serde_json without `arbitrary_precision` reads a number into a `u64`, an `i64` or an
//! `f64`. These functions look at the number *tokens* of JSON text to say whether that keeps
//! each one's value, and rewrite the ones it does not as strings of their exact text, for
//! formats (Chrome JSON, OTLP) that are built from `Value`s.

use std::borrow::Cow;

/// Whether every number in `json` (valid JSON text) reads back equal in value once it has
/// been through a `Value`: integers within `i64`/`u64`, and decimals that `f64` holds
/// exactly as far as serde_json writes them (its shortest round-trip form).
pub(crate) fn numbers_are_exact(json: &str) -> bool {
    number_tokens(json).all(number_is_exact)
}

/// The number tokens of valid JSON text, in order (strings skipped).
pub(crate) fn number_tokens(json: &str) -> impl Iterator<Item = &str> {
    number_spans(json).map(|r| &json[r])
}

/// Where the number tokens of valid JSON text are, in order (strings skipped).
fn number_spans(json: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let b = json.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            match b[i] {
                b'"' => {
                    i += 1;
                    while b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'-' | b'0'..=b'9' => {
                    let start = i;
                    while i < b.len()
                        && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                    {
                        i += 1;
                    }
                    return Some(start..i);
                }
                _ => i += 1,
            }
        }
        None
    })
}

/// Whether one number token (valid JSON) is held exactly by a `Value`.
pub(crate) fn number_is_exact(token: &str) -> bool {
    if !token.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        return token.parse::<u64>().is_ok() || token.parse::<i64>().is_ok();
    }
    match token.parse::<f64>() {
        Ok(f) if f.is_finite() => {
            let written = serde_json::to_string(&f).expect("a finite f64 serialises");
            decimal(token) == decimal(&written)
        }
        _ => false,
    }
}

/// A decimal's value as (negative, significant digits, exponent): `-12.50e1` and `-125`
/// give the same; zero has no digits and no sign. `None` when the exponent is beyond `i64`.
fn decimal(token: &str) -> Option<(bool, String, i64)> {
    let (neg, t) = match token.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    let lead = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_matches('0');
    if significant.is_empty() {
        return Some((false, String::new(), 0));
    }
    // value = 0.significant × 10^point
    let point = exp
        .checked_add(int.len() as i64)?
        .checked_sub(lead as i64)?;
    Some((neg, significant.to_owned(), point))
}

/// `json` (valid JSON text) with every number a `Value` would change written as a string of
/// its text (`1e400` becomes `"1e400"`); how many were. Borrowed when there are none.
pub(crate) fn inexact_numbers_as_strings(json: &str) -> (Cow<'_, str>, usize) {
    let mut out = String::new();
    let mut done = 0;
    let mut count = 0;
    for r in number_spans(json) {
        if number_is_exact(&json[r.clone()]) {
            continue;
        }
        out.push_str(&json[done..r.start]);
        out.push('"');
        out.push_str(&json[r.clone()]);
        out.push('"');
        done = r.end;
        count += 1;
    }
    if count == 0 {
        return (Cow::Borrowed(json), 0);
    }
    out.push_str(&json[done..]);
    (Cow::Owned(out), count)
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn number_tokens_skip_strings_with_escapes() {
        let t: Vec<_> = number_tokens(r#"{"a\"1":-2,"b":["3\\",4.5e-1]}"#).collect();
        assert_eq!(t, ["-2", "4.5e-1"]);
    }

    #[test]
    fn numbers_a_value_would_change_become_strings_of_their_text() {
        let (t, n) =
            inexact_numbers_as_strings(r#"{"a":[1,1e400,"2e999"],"b":-18446744073709551616}"#);
        assert_eq!(
            t,
            r#"{"a":[1,"1e400","2e999"],"b":"-18446744073709551616"}"#
        );
        assert_eq!(n, 2);
        assert!(matches!(
            inexact_numbers_as_strings("[1,0.5]"),
            (Cow::Borrowed(_), 0)
        ));
    }
}
