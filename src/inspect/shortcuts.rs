//! # The inspector's keyboard shortcuts that depend on the emit modes
//!
//! The digit keys pick an emit mode: key `n` is the `n`th mode of [`EmitMode::ALL`], so a new
//! mode gets a key, and a line in the help, without anyone editing a list. The page's key
//! handler (`ui/app.rs`) asks [`mode_of_key`]; the help overlay (`ui/help.rs`) shows
//! [`mode_keys_help`]. Plain Rust, so both are tested natively.

use crate::core::EmitMode;

/// The mode a key picks: `"1"` the first of [`EmitMode::ALL`], and so on.
pub fn mode_of_key(key: &str) -> Option<EmitMode> {
    let n: usize = key.parse().ok()?;
    EmitMode::ALL.get(n.checked_sub(1)?).copied()
}

/// The key that picks `mode`.
pub fn key_of_mode(mode: EmitMode) -> String {
    let i = EmitMode::ALL.iter().position(|m| *m == mode).unwrap_or(0);
    (i + 1).to_string()
}

/// The help line of the mode keys: the keys, and what each picks, in the same order.
pub fn mode_keys_help() -> (String, String) {
    let keys: Vec<String> = EmitMode::ALL.into_iter().map(key_of_mode).collect();
    let names: Vec<String> = EmitMode::ALL
        .into_iter()
        .map(|m| m.label().to_lowercase())
        .collect();
    (keys.join(" "), format!("emit mode: {}", names.join(", ")))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn keys_outside_the_modes_pick_nothing() {
        assert_eq!(mode_of_key("1"), Some(EmitMode::ALL[0]));
        assert_eq!(mode_of_key("0"), None);
        assert_eq!(mode_of_key(&(EmitMode::ALL.len() + 1).to_string()), None);
        assert_eq!(mode_of_key("x"), None);
    }
}
