//! # Ids as people read them
//!
//! A uuid's 36 characters crowd a tree row or a lint message; eight hex digits tell the
//! events of one trace apart in practice and are what the page, the lints and the Chrome
//! export's slice names show. The full id stays in the detail panel and in every export.

use uuid::Uuid;

/// Eight hex digits that tell an id apart: the first eight of a random (version 4) id, as is
/// usual; the last eight, after "…", of any other, because importers derive ids from a fixed
/// namespace and an index (every id of a Chrome trace starts with the same eight digits).
pub fn short(id: &Uuid) -> String {
    let hex = id.simple().to_string();
    if id.get_version_num() == 4 {
        hex[..8].to_owned()
    } else {
        format!("…{}", &hex[24..])
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_short_id_is_the_first_eight_hex_digits_of_a_random_id() {
        let id: Uuid = "a813507f-2bff-4975-9d20-0d58e52815f5".parse().unwrap();
        assert_eq!(short(&id), "a813507f");
    }

    #[test]
    fn short_ids_of_derived_ids_differ_where_the_ids_do() {
        let a = Uuid::from_u64_pair(0x6368_726f_6d65_0001, 7);
        let b = Uuid::from_u64_pair(0x6368_726f_6d65_0001, 8);
        assert_eq!(short(&a), "…00000007");
        assert_ne!(short(&a), short(&b));
    }
}
