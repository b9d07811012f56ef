//! # Ids as people read them
//!
//! A uuid's 36 characters crowd a tree row or a lint message; its first eight hex digits tell
//! the events of one trace apart in practice and are what the page, the lints and the Chrome
//! export's slice names show. The full id stays in the detail panel and in every export.

use uuid::Uuid;

/// The first eight hex digits of an id.
pub fn short(id: &Uuid) -> String {
    let mut s = id.simple().to_string();
    s.truncate(8);
    s
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_short_id_is_the_first_eight_hex_digits() {
        let id: Uuid = "a813507f-2bff-4975-9d20-0d58e52815f5".parse().unwrap();
        assert_eq!(short(&id), "a813507f");
    }
}
