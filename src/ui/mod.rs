//! # The inspector UI (wasm32 only)
//!
//! Leptos components that only wire signals to the plain types of the other modules.

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
}
