//! Filter and search: kind, phase, lineage, free text, invert.

use leptos::prelude::*;

use super::state::Ui;
use crate::core::Phase;
use crate::model::short_id::short;
use crate::text::visible::reveal_clipped;

/// The most kinds the kind filter lists (a crafted trace has a million); search finds the
/// others.
const MAX_KIND_OPTIONS: usize = 500;
/// The most characters of a kind an option shows (the option's value is the whole kind).
const OPTION_CHARS: usize = 60;

#[component]
pub fn FilterBar(ui: Ui, search: NodeRef<leptos::html::Input>) -> impl IntoView {
    let kinds = Memo::new(move |_| {
        ui.inspection.with(|ins| {
            // The trace keeps its distinct kinds: a million events, a handful of kinds.
            let distinct: std::collections::BTreeSet<&str> = ins.trace.kinds().collect();
            let more = distinct.len().saturating_sub(MAX_KIND_OPTIONS);
            let listed = distinct
                .into_iter()
                .take(MAX_KIND_OPTIONS)
                .map(|k| (k.to_owned(), reveal_clipped(k, OPTION_CHARS).into_owned()))
                .collect::<Vec<(String, String)>>();
            (listed, more)
        })
    });
    let matches = move || {
        ui.query
            .with(|q| ui.selection.with(|s| q.describe_matches(s)))
    };
    view! {
        <div class="filter-bar">
            <input id="search" type="search" placeholder="Search payloads, ids, errors…  ( / )"
                node_ref=search
                prop:value=move || ui.query.with(|q| q.text.clone())
                on:input=move |ev| { let v = event_target_value(&ev); ui.query.update(|q| q.text = v) } />
            <select id="filter-kind" title="Kind"
                on:change=move |ev| { let v = event_target_value(&ev); ui.query.update(|q| q.kind = (!v.is_empty()).then_some(v)) }>
                <option value="" selected=move || ui.query.with(|q| q.kind.is_none())>"any kind"</option>
                {move || {
                    let (listed, more) = kinds.get();
                    let options = listed.into_iter().map(|(k, shown)| {
                        let sel = ui.query.with(|q| q.kind.as_deref() == Some(k.as_str()));
                        view! { <option value=k selected=sel>{shown}</option> }
                    }).collect_view();
                    let more = (more > 0).then(|| view! {
                        <option disabled=true>{format!("… and {more} more kinds: search for one")}</option>
                    });
                    (options, more)
                }}
            </select>
            <select id="filter-phase" title="Phase"
                on:change=move |ev| { let v = event_target_value(&ev); ui.query.update(|q| q.phase = Phase::parse(&v)) }>
                <option value="" selected=move || ui.query.with(|q| q.phase.is_none())>"any phase"</option>
                {Phase::ALL.into_iter().map(|p| view! {
                    <option value=p.as_str() selected=move || ui.query.with(|q| q.phase == Some(p))>{p.as_str()}</option>
                }).collect_view()}
            </select>
            {move || ui.query.with(|q| q.lineage).map(|l| view! {
                <span class="chip">"lineage "{short(&l)}
                    <button class="link" title="Clear" on:click=move |_| ui.query.update(|q| q.lineage = None)>"×"</button>
                </span>
            })}
            <label class="invert" title="Show what does not match">
                <input id="filter-invert" type="checkbox" prop:checked=move || ui.query.with(|q| q.invert)
                    on:change=move |ev| { let c = event_target_checked(&ev); ui.query.update(|q| q.invert = c) } />
                "invert"
            </label>
            <span class="match-count" id="match-count">{matches}</span>
            <span class="legend">
                <span class="dot st-completed"></span>"completed "
                <span class="dot st-failed"></span>"failed "
                <span class="dot st-cancelled"></span>"cancelled "
                <span class="dot st-unfinished"></span>"unfinished "
                <span class="dot st-point"></span>"single event"
            </span>
        </div>
    }
}
