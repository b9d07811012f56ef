//! # Whether a key press is the user's text
//!
//! The page's shortcuts (the inspector's and the run diff's) must not fire while someone types
//! in a field, so both ask this one question before acting on a key.

use wasm_bindgen::JsCast;

/// Whether the key went to a text field, select or text area (then it is the user's text).
pub fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}
