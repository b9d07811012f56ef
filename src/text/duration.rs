//! # Durations for people
//!
//! The one way lineage writes a duration, on the page, in the command line and in the
//! measurement tables: three significant digits in the unit that reads best ("850 ns",
//! "1.37 µs", "12.4 µs", "3.2 ms", "1.5 s"), trailing zeros dropped so an axis reads "2 µs".
//! Three digits keep a sub-nanosecond difference visible where it matters (a disabled emit
//! costs "1.3 ns"). Zero is "0 ns".

/// `ns` nanoseconds in the unit that reads best, to three significant digits.
pub fn duration(ns: f64) -> String {
    let a = ns.abs();
    if a == 0.0 {
        return "0 ns".to_owned();
    }
    if !a.is_finite() {
        return format!("{ns} ns");
    }
    let (value, unit) = if a < 999.5 {
        (ns, "ns")
    } else if a < 999_500.0 {
        (ns / 1e3, "µs")
    } else if a < 999_500_000.0 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let v = value.abs();
    let decimals = if v < 9.995 {
        2
    } else if v < 99.95 {
        1
    } else {
        0
    };
    let digits = format!("{value:.decimals$}");
    let digits = if digits.contains('.') {
        digits.trim_end_matches('0').trim_end_matches('.')
    } else {
        &digits
    };
    format!("{digits} {unit}")
}

/// A difference of durations, signed: "+1.2 µs", "−850 ns" (a true minus sign); zero reads
/// "+0 ns" (no slower).
pub fn signed_duration(ns: i64) -> String {
    let sign = if ns < 0 { "−" } else { "+" };
    format!("{sign}{}", duration(ns.unsigned_abs() as f64))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn three_significant_digits_in_the_unit_that_reads_best() {
        assert_eq!(duration(0.0), "0 ns");
        assert_eq!(duration(1.3), "1.3 ns");
        assert_eq!(duration(41.04), "41 ns");
        assert_eq!(duration(41.26), "41.3 ns");
        assert_eq!(duration(850.0), "850 ns");
        assert_eq!(duration(999.4), "999 ns");
        assert_eq!(duration(999.6), "1 µs");
        assert_eq!(duration(1_374.0), "1.37 µs");
        assert_eq!(duration(12_400.0), "12.4 µs");
        assert_eq!(duration(412_000.0), "412 µs");
        assert_eq!(duration(3_200_000.0), "3.2 ms");
        assert_eq!(duration(1.5e9), "1.5 s");
        assert_eq!(duration(125e9), "125 s");
        assert_eq!(duration(-2_000.0), "-2 µs");
    }

    #[test]
    fn differences_carry_their_sign_and_zero_counts_as_no_slower() {
        assert_eq!(signed_duration(1_200), "+1.2 µs");
        assert_eq!(signed_duration(-850), "−850 ns");
        assert_eq!(signed_duration(0), "+0 ns");
    }
}
