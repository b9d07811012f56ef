//! # Hex ids
//!
//! OTLP JSON writes trace and span ids as hex (32 and 16 digits), in either case; an empty
//! `parentSpanId` means a root span. Decoded by the `hex` crate, read through
//! `serde_with::DisplayFromStr` (see `wire`), so a bad id says how many digits were
//! expected. An id that is not a string at all says "expected a string".

use std::str::FromStr;

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

/// Two lowercase hex digits a byte, from a table.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [DIGITS[i >> 4], DIGITS[i & 15]];
        i += 1;
    }
    t
};

/// `id` as lowercase hex ([`hex`]) into `out`, which holds exactly two bytes per byte
/// of `id` (the `hex` crate's iterator was ~110 instructions an 8-byte id; spreading four
/// bytes' nibbles over a `u64` and adding digits by arithmetic counted more instructions
/// than this table). Shared by the JSON reader's `otel` text and the listener's.
pub(super) fn hex_into<const N: usize>(out: &mut [u8], id: &[u8; N]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(id) {
        pair.copy_from_slice(&HEX_PAIRS[b as usize]);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

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
