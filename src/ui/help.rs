//! The keyboard shortcuts overlay (`?`).

use leptos::prelude::*;

use super::state::Ui;
use crate::inspect::shortcuts::mode_keys_help;

/// The shortcuts, as shown and as handled in `app.rs`; the mode keys come from
/// [`mode_keys_help`], one per [`EmitMode::ALL`](crate::core::EmitMode::ALL).
pub fn shortcuts() -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = FIXED_SHORTCUTS
        .into_iter()
        .map(|(k, what)| (k.to_owned(), what.to_owned()))
        .collect();
    rows.insert(6, mode_keys_help());
    rows
}

/// Every shortcut but the mode keys.
const FIXED_SHORTCUTS: [(&str, &str); 10] = [
    ("↑ ↓", "previous / next row in the tree"),
    ("← →", "collapse / expand, or go to parent / first child"),
    ("Space", "play / pause the replay"),
    (".", "step one event"),
    ("r", "run the whole pipeline"),
    ("/", "search"),
    (
        "p",
        "pin the trace as A / unpin (then run again or open a file as B)",
    ),
    ("x", "swap A and B"),
    ("?", "this help"),
    ("Esc", "close help, leave the search box"),
];

#[component]
pub fn HelpOverlay(ui: Ui) -> impl IntoView {
    view! {
        <Show when=move || ui.help_open.get()>
            <div class="overlay" on:click=move |_| ui.help_open.set(false)>
                <div class="help" role="dialog" aria-label="Keyboard shortcuts" on:click=|ev| ev.stop_propagation()>
                    <h2>"Keyboard shortcuts"</h2>
                    <table>
                        <tbody>
                            {shortcuts().into_iter().map(|(k, what)| view! { <tr><th><kbd>{k}</kbd></th><td>{what}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <button on:click=move |_| ui.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
