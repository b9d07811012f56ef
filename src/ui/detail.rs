//! The detail panel: every field of the selected event, links to its relatives.
//!
//! The payload is shown as formatted JSON in a text node: whatever it contains (`<script>`,
//! `<img onerror=...>`) is displayed as text, never parsed as HTML.

use leptos::prelude::*;
use uuid::Uuid;

use super::revealed::revealed;
use super::state::Ui;
use super::tree::status_class;
use crate::inspect::ids::short;
use crate::inspect::timeline::format_ns;

#[component]
pub fn DetailPanel(ui: Ui) -> impl IntoView {
    move || {
        let Some(id) = ui.selected.get() else {
            return view! { <p class="hint">"Select an event in the tree, the timeline or a lint to see every field."</p> }
                .into_any();
        };
        ui.inspection.with(|ins| {
            let Some(i) = ins.trace.index_of(&id) else {
                return view! { <p class="hint">"The selected event is not in this trace."</p> }.into_any();
            };
            let e = &ins.trace.event(i);
            let span = &ins.spans.spans[ins.spans.span_of_event[i]];
            let partner = if span.start == i { span.end } else { Some(span.start) }
                .filter(|&p| p != i)
                .map(|p| (ins.trace.id(p), ins.trace.phase(p).as_str()));
            let children: Vec<(Uuid, String)> = span
                .children
                .iter()
                .map(|&c| {
                    let ce = ins.spans.spans[c].start;
                    (
                        ins.trace.id(ce),
                        format!("{} ({})", ins.trace.label(ce), ins.spans.spans[c].status.as_str()),
                    )
                })
                .collect();
            let processed = ins.trace.processed_ns(i);
            let payload = serde_json::to_string_pretty(&e.payload).unwrap_or_default();
            let link = move |id: &'static str, target: Option<Uuid>| match target {
                Some(t) if ins.trace.get(&t).is_some() => view! {
                    <button class="link" id=id on:click=move |_| ui.select(t)>{short(&t)}</button>
                }.into_any(),
                Some(t) => view! { <span class="missing" title="not in this trace">{t.to_string()}</span> }.into_any(),
                None => view! { <span class="none">"—"</span> }.into_any(),
            };
            view! {
                <div class="detail">
                    <h3>
                        <span class=format!("dot {}", status_class(span.status))></span>
                        {revealed(e.label(), false)}
                        <span class="phase">{e.phase.as_str()}</span>
                    </h3>
                    <table class="fields">
                        <tbody>
                            <tr><th>"id"</th><td><code id="detail-id">{e.id.to_string()}</code></td></tr>
                            <tr><th>"kind"</th><td id="detail-kind">{revealed(&e.kind, false)}</td></tr>
                            <tr><th>"phase"</th><td>{e.phase.as_str()}</td></tr>
                            <tr><th>"operation"</th><td>{span.status.as_str()}</td></tr>
                            <tr><th>"seq"</th><td>{e.seq}</td></tr>
                            <tr><th>"timestamp"</th><td>{format_ns(e.timestamp_ns as f64)}</td></tr>
                            {processed.map(|p| view! {
                                <tr><th>"processed"</th><td>{format!("{} (lag {})", format_ns(p as f64), format_ns(p.saturating_sub(e.timestamp_ns) as f64))}</td></tr>
                            })}
                            {e.duration_ns.map(|d| view! { <tr><th>"duration"</th><td>{format_ns(d as f64)}</td></tr> })}
                            {e.error.as_deref().map(|err| view! { <tr class="error"><th>"error"</th><td>{revealed(err, false)}</td></tr> })}
                            <tr><th>"parent"</th><td>{link("detail-parent", e.parent_id)}</td></tr>
                            <tr><th>"root"</th><td>{link("detail-root", Some(e.root_id))}</td></tr>
                            <tr><th>"lineage"</th><td>
                                <code>{short(&e.lineage_id)}</code>" "
                                <button class="link" title="Show only this lineage" on:click={
                                    let l = e.lineage_id;
                                    move |_| ui.query.update(|q| q.lineage = Some(l))
                                }>"filter"</button>
                            </td></tr>
                            <tr><th>{if span.start == i { "end" } else { "start" }}</th><td>{
                                match partner {
                                    Some((p, phase)) => view! {
                                        <button class="link" id="detail-partner" on:click=move |_| ui.select(p)>{format!("{} ({phase})", short(&p))}</button>
                                    }.into_any(),
                                    None => view! { <span class="none">{if span.start == i { "none yet" } else { "—" }}</span> }.into_any(),
                                }
                            }</td></tr>
                            <tr><th>"children"</th><td class="children">{
                                if children.is_empty() {
                                    view! { <span class="none">"none"</span> }.into_any()
                                } else {
                                    children.into_iter().map(|(c, label)| view! {
                                        <button class="link child" on:click=move |_| ui.select(c)>{revealed(&label, false)}</button>
                                    }).collect_view().into_any()
                                }
                            }</td></tr>
                        </tbody>
                    </table>
                    <h4>"payload"</h4>
                    <pre class="payload" id="detail-payload">{revealed(&payload, true)}</pre>
                </div>
            }
            .into_any()
        })
    }
}
