//! The lints panel: findings grouped by kind, each linking to its events.

use leptos::prelude::*;

use super::revealed::revealed;
use super::state::Ui;

/// Lints listed per kind before "and N more".
const SHOWN_PER_KIND: usize = 50;

#[component]
pub fn LintsPanel(ui: Ui) -> impl IntoView {
    move || {
        ui.inspection.with(|ins| {
            if ins.trace.is_empty() {
                return view! { <p class="hint">"Nothing to lint yet."</p> }.into_any();
            }
            // Findings the history cap caused: said once, not listed as defects.
            let cut = ins
                .cut_by_cap_note()
                .map(|note| view! { <p class="hint" id="lints-cut-by-cap">{note}</p> });
            if ins.lints.is_empty() {
                return view! {
                    {cut}
                    <p class="hint" id="lints-clean">"No lints: every operation finished, every link resolves."</p>
                }.into_any();
            }
            let listed = ins
                .lints
                .by_kind()
                .map(|(kind, n, of_kind)| {
                    let items = of_kind
                        .iter()
                        .take(SHOWN_PER_KIND)
                        .map(|l| {
                            let target = l.events.first().copied();
                            let msg = l.message.clone();
                            view! {
                                <li><button class="link lint" on:click=move |_| {
                                    if let Some(t) = target { ui.select(t) }
                                }>{revealed(&msg, false)}</button></li>
                            }
                        })
                        .collect_view();
                    view! {
                        <details class="lint-group" data-kind=kind.as_str() open=n <= 5>
                            <summary>{kind.title()}" "<span class="badge">{n}</span></summary>
                            <ul>{items}</ul>
                            {(n > SHOWN_PER_KIND).then(|| view! { <p class="hint">{format!("and {} more", n - SHOWN_PER_KIND)}</p> })}
                        </details>
                    }
                })
                .collect_view();
            view! { {cut} {listed} }.into_any()
        })
    }
}
