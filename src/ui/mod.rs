//! # The inspector UI (wasm32 only)
//!
//! Leptos components that only wire signals to the plain types of the other modules: the
//! [`Replay`](crate::replay::Replay) runs the pipeline, [`Inspection`](crate::inspect::Inspection)
//! derives the tree and lints. The bus runs on the replay's own `LocalPool`, driven by the
//! page (`run_until_stalled`, which never parks the browser's thread).

pub mod app;
pub mod clock;

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
