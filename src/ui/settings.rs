//! The pipeline settings form. Changes apply to the next run; the emit mode (in the top bar)
//! applies at once.

use leptos::prelude::*;

use super::state::Ui;
use crate::pipeline::query::{MAX_CONCURRENCY, MAX_DEPTH, MAX_OPERATIONS};
use crate::pipeline::{PipelineConfig, SubscriberKinds};

/// A labelled number input bound to one field of the config.
fn number(
    ui: Ui,
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    max: usize,
    get: fn(&PipelineConfig) -> f64,
    set: fn(&mut PipelineConfig, f64),
) -> impl IntoView {
    // A memo per field: editing one field must not re-render (and so reset) the others, for
    // example one the user has just cleared and is about to type into.
    let value = Memo::new(move |_| ui.config.with(|c| get(c)));
    view! {
        <label title=hint>
            <span>{label}</span>
            <input id=id type="number" min="0" max=max.to_string()
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        if v.is_finite() {
                            ui.config.update(|c| set(c, v.clamp(0.0, max as f64)));
                        }
                    }
                } />
        </label>
    }
}

#[component]
pub fn SettingsPanel(ui: Ui) -> impl IntoView {
    view! {
        <details class="settings" open>
            <summary>"Pipeline"</summary>
            {number(ui, "operations", "operations", "aexecute calls to run", MAX_OPERATIONS,
                |c| c.operations as f64, |c, v| c.operations = (v as usize).max(1))}
            {number(ui, "concurrency", "concurrency", "operations interleaved on the executor", MAX_CONCURRENCY,
                |c| c.concurrency as f64, |c, v| c.concurrency = (v as usize).max(1))}
            {number(ui, "depth", "depth", "nested wrapped levels (3 = aexecute → execute_with_partial → execute_transactional)", MAX_DEPTH,
                |c| c.depth as f64, |c, v| c.depth = (v as usize).max(1))}
            {number(ui, "failure-rate", "failure rate %", "share of operations whose innermost work fails (seeded)", 100,
                |c| (c.failure_rate * 100.0 * 1000.0).round() / 1000.0, |c, v| c.failure_rate = v / 100.0)}
            {number(ui, "seed", "seed", "the failure draw's seed: same seed, same failures", u32::MAX as usize,
                |c| c.seed as f64, |c, v| c.seed = v as u64)}
            {number(ui, "work", "work / level", "busy-loop iterations at each level", 10_000_000,
                |c| c.work_per_level as f64, |c, v| c.work_per_level = v as u32)}
            {number(ui, "yields", "yields / level", "yields to the executor at each level: lets operations interleave", 100,
                |c| c.yields_per_level as f64, |c, v| c.yields_per_level = v as u32)}
            {number(ui, "subscribers", "subscribers", "simulated handlers on the bus", 100,
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
                    on:change=move |ev| { let v = event_target_checked(&ev); ui.config.update(|c| c.subscribers.asynchronous = v) } />
            </label>
            {number(ui, "handler-cost", "handler cost", "busy-loop iterations per handler call", 10_000_000,
                |c| c.subscribers.handler_cost as f64, |c, v| c.subscribers.handler_cost = v as u32)}
        </details>
    }
}
