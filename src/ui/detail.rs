//! The detail panel: every field of the selected event, links to its relatives.
//!
//! What it shows is [`EventDetail`] (plain, tested natively); this file lays it out and turns
//! the links into buttons that select the relative. The payload is shown as formatted JSON in
//! a text node: whatever it contains (`<script>`, `<img onerror=...>`) is displayed as text,
//! never parsed as HTML.

use leptos::prelude::*;

use super::revealed::{is_clipped, revealed, WholeValue};
use super::state::Ui;
use super::tree::status_class;
use crate::model::short_id::short;
use crate::text::duration::duration;
use crate::view::event_detail::{EventDetail, Link};

#[component]
pub fn DetailPanel(ui: Ui) -> impl IntoView {
    move || {
        let Some(id) = ui.selected.get() else {
            return view! { <p class="hint">"Select an event in the tree, the timeline or a lint to see every field."</p> }
                .into_any();
        };
        match ui.inspection.with(|ins| EventDetail::of(ins, &id)) {
            Some(detail) => view! { <Detail ui detail /> }.into_any(),
            None => {
                view! { <p class="hint">"The selected event is not in this trace."</p> }.into_any()
            }
        }
    }
}

/// A relative: a button that selects it, its id when the trace lacks it, or a dash.
fn link(ui: Ui, id: &'static str, to: Link) -> AnyView {
    match to {
        Link::InTrace(t) => view! {
            <button class="link" id=id on:click=move |_| ui.select(t)>{short(&t)}</button>
        }
        .into_any(),
        Link::Missing(t) => {
            view! { <span class="missing" title="not in this trace">{t.to_string()}</span> }
                .into_any()
        }
        Link::Nothing => view! { <span class="none">"—"</span> }.into_any(),
    }
}

/// The whole of `text` on demand, when [`revealed`] clipped it.
fn whole(text: &str, what: &'static str, multiline: bool) -> Option<impl IntoView> {
    is_clipped(text, multiline).then(|| view! { <WholeValue text=text.to_owned() what /> })
}

#[component]
fn Detail(ui: Ui, detail: EventDetail) -> impl IntoView {
    let e = &detail.event;
    let lineage = e.lineage_id;
    let partner = match detail.partner {
        Some((p, phase)) => view! {
            <button class="link" id="detail-partner" on:click=move |_| ui.select(p)>{format!("{} ({phase})", short(&p))}</button>
        }
        .into_any(),
        None => view! { <span class="none">{detail.no_partner()}</span> }.into_any(),
    };
    let children = if detail.children.is_empty() {
        view! { <span class="none">"none"</span> }.into_any()
    } else {
        detail.children.iter().cloned().map(|(c, label)| view! {
            <button class="link child" on:click=move |_| ui.select(c)>{revealed(&label, false)}</button>
        }).collect_view().into_any()
    };
    view! {
        <div class="detail">
            <h3>
                <span class=format!("dot {}", status_class(detail.status))></span>
                <span class="label" id="detail-label">{revealed(e.label(), false)}</span>
                <span class="phase">{e.phase.as_str()}</span>
            </h3>
            {whole(e.label(), "name", false)}
            <table class="fields">
                <tbody>
                    <tr><th>"id"</th><td><code id="detail-id">{e.id.to_string()}</code></td></tr>
                    <tr><th>"kind"</th><td id="detail-kind">{revealed(&e.kind, false)}{whole(&e.kind, "kind", false)}</td></tr>
                    <tr><th>"phase"</th><td>{e.phase.as_str()}</td></tr>
                    <tr><th>"operation"</th><td>{detail.status.as_str()}</td></tr>
                    <tr><th>"seq"</th><td>{e.seq}</td></tr>
                    <tr><th>"timestamp"</th><td>{duration(e.timestamp_ns as f64)}</td></tr>
                    {detail.processed().map(|p| view! { <tr><th>"processed"</th><td>{p}</td></tr> })}
                    {e.duration_ns.map(|d| view! { <tr><th>"duration"</th><td>{duration(d as f64)}</td></tr> })}
                    {e.error.as_deref().map(|err| view! { <tr class="error"><th>"error"</th><td>{revealed(err, false)}{whole(err, "error", false)}</td></tr> })}
                    <tr><th>"parent"</th><td>{link(ui, "detail-parent", detail.parent)}</td></tr>
                    <tr><th>"root"</th><td>{link(ui, "detail-root", detail.root)}</td></tr>
                    <tr><th>"lineage"</th><td>
                        <code>{short(&lineage)}</code>" "
                        <button class="link" title="Show only this lineage"
                            on:click=move |_| ui.query.update(|q| q.lineage = Some(lineage))>"filter"</button>
                    </td></tr>
                    <tr><th>{detail.partner_heading()}</th><td>{partner}</td></tr>
                    <tr><th>"children"</th><td class="children">{children}</td></tr>
                </tbody>
            </table>
            <h4>"payload"</h4>
            <pre class="payload" id="detail-payload">{revealed(&detail.payload, true)}</pre>
            {whole(&detail.payload, "payload", true)}
        </div>
    }
}
