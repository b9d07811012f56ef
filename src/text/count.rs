//! # Counts for people
//!
//! Counts in messages, notices and tooltips are written with their thousands grouped by
//! spaces ("1 000 000"), the same in the command line and the page, whatever the locale.

/// `n` with its thousands grouped by spaces, as the error messages print counts.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn thousands_are_grouped_by_spaces() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1 000");
        assert_eq!(grouped(u64::MAX), "18 446 744 073 709 551 615");
    }
}
