//! The top-level component: settings, run, and what came out.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;

use super::clock::PerformanceClock;
use crate::core::{EmitMode, Phase};
use crate::pipeline::PipelineConfig;
use crate::replay::Replay;

/// What the page shows after a run.
#[derive(Clone, Debug, Default, PartialEq)]
struct RunView {
    events: usize,
    operations: usize,
    failed_ops: usize,
    by_phase: Vec<(Phase, u64)>,
    first: Vec<(u64, String, Phase, String)>,
}

#[component]
pub fn App() -> impl IntoView {
    let operations = RwSignal::new(50usize);
    let failure_pct = RwSignal::new(10.0f64);
    let mode = RwSignal::new(EmitMode::Awaited);
    let view_state = RwSignal::new(None::<RunView>);
    // The replay is not reactive state: it is owned here and read after each run.
    let replay: Rc<RefCell<Option<Replay>>> = Rc::new(RefCell::new(None));

    let run = {
        let replay = replay.clone();
        move |_| {
            let config = PipelineConfig {
                operations: operations.get_untracked(),
                failure_rate: failure_pct.get_untracked() / 100.0,
                mode: mode.get_untracked(),
                ..PipelineConfig::default()
            };
            let mut r = Replay::new(config, Rc::new(PerformanceClock::new()), 200_000);
            r.run_all();
            let stats = r.stats();
            let (ops, failed) = r.operations_run();
            let first = r.bus().with_history(|h| {
                h.iter()
                    .take(20)
                    .map(|e| (e.seq, e.label().to_owned(), e.phase, e.id.to_string()))
                    .collect()
            });
            view_state.set(Some(RunView {
                events: r.recorded(),
                operations: ops,
                failed_ops: failed,
                by_phase: Phase::ALL
                    .iter()
                    .map(|p| (*p, stats.phase(*p)))
                    .filter(|(_, n)| *n > 0)
                    .collect(),
                first,
            }));
            *replay.borrow_mut() = Some(r);
        }
    };

    view! {
        <header class="topbar">
            <h1>"lineage"</h1>
            <span class="subtitle">"event-bus inspector"</span>
        </header>
        <main class="first-page">
            <section class="panel settings">
                <label>"Operations "
                    <input id="operations" type="number" min="1" max="100000"
                        prop:value=move || operations.get().to_string()
                        on:input=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() { operations.set(n) }
                        } />
                </label>
                <label>"Failure rate % "
                    <input id="failure-rate" type="number" min="0" max="100" step="1"
                        prop:value=move || failure_pct.get().to_string()
                        on:input=move |ev| {
                            if let Ok(n) = event_target_value(&ev).parse() { failure_pct.set(n) }
                        } />
                </label>
                <fieldset class="modes">
                    <legend>"Emit mode"</legend>
                    {EmitMode::ALL.into_iter().map(|m| view! {
                        <button class="mode" id=format!("mode-{}", m.as_str())
                            class:active=move || mode.get() == m
                            on:click=move |_| mode.set(m)>{m.label()}</button>
                    }).collect_view()}
                </fieldset>
                <button id="run" class="primary" on:click=run>"Run"</button>
            </section>
            <section class="panel results">
                {move || match view_state.get() {
                    None => view! { <p class="hint">"Press Run to run the pipeline on the bus."</p> }.into_any(),
                    Some(v) => view! {
                        <p>
                            <span id="event-count">{v.events}</span>" events from "
                            <span id="operation-count">{v.operations}</span>" operations ("
                            <span id="failed-count">{v.failed_ops}</span>" failed)"
                        </p>
                        <table class="phases">
                            <tbody>
                                {v.by_phase.into_iter().map(|(p, n)| view! {
                                    <tr class="phase-count" data-phase=p.as_str()>
                                        <th>{p.as_str()}</th><td>{n}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <ol class="first-events">
                            {v.first.into_iter().map(|(seq, label, phase, id)| view! {
                                <li><code>"#"{seq}</code>" "{label}" "<em>{phase.as_str()}</em>" "<code class="id">{id}</code></li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }}
            </section>
        </main>
    }
}
