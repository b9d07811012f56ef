//! The keyboard shortcuts overlay (`?`): the lines are [`help`], from the same table the
//! key handlers read.

use leptos::prelude::*;

use super::state::Ui;
use crate::view::shortcuts::help;

#[component]
pub fn HelpOverlay(ui: Ui) -> impl IntoView {
    view! {
        <Show when=move || ui.help_open.get()>
            <div class="overlay" on:click=move |_| ui.help_open.set(false)>
                <div class="help" role="dialog" aria-label="Keyboard shortcuts" on:click=|ev| ev.stop_propagation()>
                    <h2>"Keyboard shortcuts"</h2>
                    <table>
                        <tbody>
                            {help().into_iter().map(|(k, what)| view! { <tr><th><kbd>{k}</kbd></th><td>{what}</td></tr> }).collect_view()}
                        </tbody>
                    </table>
                    <button on:click=move |_| ui.help_open.set(false)>"Close"</button>
                </div>
            </div>
        </Show>
    }
}
