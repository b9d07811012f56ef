//! The pipeline settings form. Changes apply to the next run; the emit mode (in the top bar)
//! applies at once.

use leptos::prelude::*;

use super::state::Ui;
use crate::text::count::grouped;
use crate::workload::limits::{self, show, Bounds};
use crate::workload::{PipelineConfig, SubscriberKinds};

/// A labelled number input bound to one field of the config.
///
/// The field always shows the value the run will use: a number outside `bounds` (or a
/// fraction of a count, or no number at all) is replaced in the field by the value used, and a
/// short note under it says why, until the next accepted value.
fn number(
    ui: Ui,
    id: &'static str,
    label: &'static str,
    hint: impl Into<String>,
    bounds: fn(&PipelineConfig) -> Bounds,
    get: fn(&PipelineConfig) -> f64,
    set: fn(&mut PipelineConfig, f64),
) -> impl IntoView {
    // A memo per field: editing one field must not re-render (and so reset) the others, for
    // example one the user has just cleared and is about to type into.
    let value = Memo::new(move |_| ui.config.with(get));
    let note = RwSignal::new(None::<String>);
    let hint: String = hint.into();
    view! {
        <label title=hint>
            <span>{label}</span>
            <input id=id type="number"
                min=move || ui.config.with(|c| show(bounds(c).min))
                max=move || ui.config.with(|c| show(bounds(c).max))
                step=move || if ui.config.with(|c| bounds(c).integer) { "1" } else { "any" }
                prop:value=move || show(value.get())
                on:change=move |ev| {
                    let input = event_target::<web_sys::HtmlInputElement>(&ev);
                    let accepted = ui.config.with_untracked(|c| bounds(c).accept(&input.value(), get(c)));
                    ui.config.update(|c| set(c, accepted.value));
                    // When the value used equals the previous one the memo does not change,
                    // so the field would keep the rejected text: write the value back here.
                    input.set_value(&show(ui.config.with_untracked(get)));
                    note.set(accepted.note);
                } />
            {move || note.get().map(|n| view! { <small class="field-note" id=format!("{id}-note") role="status">{n}</small> })}
        </label>
    }
}

/// A bound's top as the hints write it ("2 000 000"), read from [`limits`] so a hint never
/// states another limit than the one the field enforces.
fn at_most(bounds: Bounds) -> String {
    grouped(bounds.max as u64)
}

#[component]
pub fn SettingsPanel(ui: Ui) -> impl IntoView {
    let cost_note = RwSignal::new(None::<String>);
    view! {
        <details class="settings" open>
            <summary>"Pipeline"</summary>
            {number(ui, "operations", "operations", "aexecute calls to run", |_| limits::OPERATIONS,
                |c| c.operations as f64, |c, v| c.operations = v as usize)}
            {number(ui, "concurrency", "concurrency", "operations interleaved on the executor", |_| limits::CONCURRENCY,
                |c| c.concurrency as f64, |c, v| c.concurrency = v as usize)}
            {number(ui, "depth", "depth", "nested wrapped levels (3 = aexecute → execute_with_partial → execute_transactional)", |_| limits::DEPTH,
                |c| c.depth as f64, |c, v| c.depth = v as usize)}
            {number(ui, "failure-rate", "failure rate %", "share of operations whose innermost work fails (seeded)", |_| limits::FAILURE_PERCENT,
                |c| (c.failure_rate * 100.0 * 1000.0).round() / 1000.0, |c, v| c.failure_rate = v / 100.0)}
            {number(ui, "seed", "seed", "the failure draw's seed: same seed, same failures", |_| limits::SEED,
                |c| c.seed as f64, |c, v| c.seed = v as u64)}
            {number(ui, "work", "work / level", "busy-loop iterations at each level", |_| limits::WORK_PER_LEVEL,
                |c| c.work_per_level as f64, |c, v| c.work_per_level = v as u32)}
            {number(ui, "yields", "yields / level", "yields to the executor at each level: lets operations interleave", |_| limits::YIELDS_PER_LEVEL,
                |c| c.yields_per_level as f64, |c, v| c.yields_per_level = v as u32)}
            {number(ui, "history", "history cap", format!("events the bus keeps; older ones are pruned (at most {}: the page's memory budget)", at_most(limits::HISTORY)), |_| limits::HISTORY,
                |c| c.history as f64, |c, v| c.history = v as usize)}
            {number(ui, "subscribers", "subscribers", "simulated handlers on the bus", |_| limits::SUBSCRIBERS,
                |c| c.subscribers.count as f64, |c, v| c.subscribers.count = v as usize)}
            <label title="which events the simulated handlers listen to">
                <span>"listening to"</span>
                <select id="subscriber-kinds" on:change=move |ev| {
                    if let Some(k) = SubscriberKinds::parse(&event_target_value(&ev)) {
                        ui.config.update(|c| c.subscribers.kinds = k);
                    }
                }>
                    {SubscriberKinds::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=move || ui.config.with(|c| c.subscribers.kinds == k)>{k.as_str()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label title="async handlers are awaited by the processor in turn">
                <span>"async handlers"</span>
                <input id="subscribers-async" type="checkbox"
                    prop:checked=move || ui.config.with(|c| c.subscribers.asynchronous)
                    on:change=move |ev| {
                        let v = event_target_checked(&ev);
                        let cost = ui.config.with_untracked(|c| c.subscribers.handler_cost as f64);
                        let accepted = limits::cost_when_switching(v, cost);
                        ui.config.update(|c| {
                            c.subscribers.asynchronous = v;
                            c.subscribers.handler_cost = accepted.value as u32;
                        });
                        cost_note.set(accepted.note);
                    } />
                {move || cost_note.get().map(|n| view! { <small class="field-note" id="subscribers-async-note" role="status">{n}</small> })}
            </label>
            {number(ui, "handler-cost", "handler cost", format!("busy-loop iterations per handler call (a sync handler cannot be paused: at most {})", at_most(limits::SYNC_HANDLER_COST)), |c| limits::handler_cost(c.subscribers.asynchronous),
                |c| c.subscribers.handler_cost as f64, |c, v| c.subscribers.handler_cost = v as u32)}
        </details>
    }
}
