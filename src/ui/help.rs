//! The keyboard shortcuts overlay (`?`).

use leptos::prelude::*;

use super::state::Ui;

/// The shortcuts, as shown and as handled in `app.rs`.
pub const SHORTCUTS: [(&str, &str); 11] = [
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
    (
        "1 2 3 4",
        "emit mode: awaited, fire-and-forget, disabled, lazy",
    ),
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
                            {SHORTCUTS.into_iter().map(|(k, what)| view! { <tr><th><kbd>{k}</kbd></th><td>{what}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <button on:click=move |_| ui.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
