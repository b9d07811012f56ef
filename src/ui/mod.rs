//! # The inspector UI (wasm32 only)
//!
//! Leptos components that only wire signals to the plain types of the other modules: the
//! [`Replay`](crate::replay::Replay) runs the pipeline, [`Inspection`](crate::analysis::Inspection)
//! derives spans, rows and lints. The bus runs on the replay's own `LocalPool`, driven by the
//! page (`run_until_stalled`, which never parks the browser's thread).
//!
//! - [`state`]: the signals and the actions on them ([`state::Ui`]); [`run_actions`]: the
//!   run controls' actions (run, play, stop, step, seek, the mode), on the same `Ui`.
//! - [`shared`]: large values shared by pointer between signals; [`following`]: the views
//!   kept up to date as a trace grows (minimap counts, rows) and prepared before a large
//!   trace's first frame.
//! - [`app`]: layout, keyboard shortcuts, settings in the URL.
//! - [`controls`], [`settings`], [`filter_bar`], [`files`]: the inputs; [`download`]: the
//!   exports, written into a `Blob` a part at a time.
//! - [`tree`], [`detail`], [`lints`], [`summary`]: the views.
//! - [`compare`], [`mode_chart`]: the in-browser mode comparison, and one run's charts.
//! - [`revealed`]: trace text with control and invisible characters drawn as badges.
//! - [`run_diff`], [`critical`], [`minimap`]: two runs side by side, the selected operation's
//!   critical path and latency histogram, the whole trace at a glance.
//! - [`live`], [`live_bar`]: following a listener (`lineage listen`) as events arrive.

pub mod app;
mod browser_turn;
pub mod compare;
pub mod controls;
pub mod critical;
pub mod detail;
pub mod download;
mod file_slices;
pub mod files;
pub mod filter_bar;
pub mod following;
mod heap_room;
pub mod help;
pub mod lag;
pub mod lints;
pub mod live;
pub mod live_bar;
pub mod minimap;
pub mod mode_chart;
pub mod revealed;
pub mod run_actions;
pub mod run_diff;
pub mod settings;
pub mod shared;
pub mod state;
pub mod summary;
pub mod tree;
pub mod typing;
mod worker;

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
