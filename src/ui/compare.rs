//! Mode comparison: runs the measurement engine in the browser for the four modes and the
//! baseline, shows progress while the page stays responsive, and charts each result
//! ([`super::mode_chart`]) next to the Python original's measured cost and its analysis's
//! estimates.
//!
//! The figures come from `measure::web::run_comparison` (batches timed with
//! `performance.now()`, rounds interleaved, median with IQR and min–max); the past runs and
//! which of them show side by side are [`RunHistory`] and [`Shown`], plain types tested
//! natively. This component only wires them to the buttons.

use leptos::prelude::*;

use super::mode_chart::RunView;
use super::state::Ui;
use crate::core::EmitMode;
use crate::measure::plan::Plan;
use crate::measure::run_history::{RunHistory, Shown};
use crate::measure::MeasureConfig;

/// The rounds the field offers (min, max, first value): at least three, so a median and
/// quartiles mean something; the field's long-standing top of 101; seven to start with.
const ROUNDS: (usize, usize, usize) = (3, 101, 7);

#[component]
pub fn ComparePanel(ui: Ui) -> impl IntoView {
    let _ = ui;
    // Two signals: ticking a run re-renders the charts, not the row of boxes being clicked.
    let runs = RwSignal::new(RunHistory::default());
    let progress = RwSignal::new(None::<(usize, usize, String)>);
    let (min_rounds, max_rounds, first_rounds) = ROUNDS;
    let rounds = RwSignal::new(first_rounds);
    let shown = RwSignal::new(Shown::default());
    let running = move || progress.get().is_some();

    let start = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        progress.set(Some((0, 1, "starting".into())));
        leptos::task::spawn_local(async move {
            let config = MeasureConfig {
                rounds: rounds.get_untracked().max(min_rounds),
                ..MeasureConfig::default()
            };
            let plan = Plan {
                modes: EmitMode::ALL.to_vec(),
                subscribers: false,
                phases: true,
                real_aexecute: false,
            };
            let result = crate::measure::web::run_comparison(config, plan, |p| {
                progress.set(Some((p.done, p.total, p.subject.clone())));
            })
            .await;
            if let Some(number) = runs.try_update(|r| r.record(result)) {
                shown.set(Shown::only(number));
            }
            progress.set(None);
        });
    };

    view! {
        <div class="compare">
            <div class="compare-controls">
                <button id="compare-run" class="primary" disabled=running on:click=start>"Compare modes"</button>
                <label title="Measured rounds; each runs one batch of every subject, interleaved">
                    " rounds "
                    <input id="compare-rounds" type="number" min=min_rounds max=max_rounds
                        prop:value=move || rounds.get().to_string()
                        on:input=move |ev| { if let Ok(n) = event_target_value(&ev).parse() { rounds.set(n) } } />
                </label>
                {move || progress.get().map(|(done, total, subject)| view! {
                    <progress id="compare-progress" max=total.to_string() value=done.to_string()></progress>
                    <span class="hint">{format!("{done} / {total} · {subject}")}</span>
                })}
                <span class="spacer"></span>
                <RunPicker runs shown />
            </div>
            {move || {
                let picked = runs.with(|r| shown.with(|s| r.picked(s)));
                if picked.is_empty() {
                    return view! { <p class="hint">{INTRO}</p> }.into_any();
                }
                let two = picked.len() > 1;
                view! {
                    <div class="runs" class:two=two>
                        {picked.into_iter().map(|r| view! { <RunView run=r /> }).collect_view()}
                    </div>
                }.into_any()
            }}
        </div>
    }
}

/// What the tab says before the first run.
const INTRO: &str = "Measures, in this browser, what one three-level operation costs in each emit mode against \
the same operation with no instrumentation, plus what each phase of emission adds. Timing uses performance.now() \
over batches of many operations, rounds interleaved; figures are medians with the interquartile range (thick) and \
min–max (thin).";

/// One box per past run, once there are two: the runs ticked show side by side.
#[component]
fn RunPicker(runs: RwSignal<RunHistory>, shown: RwSignal<Shown>) -> impl IntoView {
    move || {
        let list = runs.get().runs;
        (list.len() > 1).then(|| view! {
            <span class="hint">"side by side: "</span>
            {list.into_iter().map(|r| {
                let n = r.number;
                view! {
                    <label class="run-pick">
                        <input type="checkbox"
                            prop:checked=move || shown.with(|s| s.contains(n))
                            on:change=move |ev| shown.update(|s| s.set(n, event_target_checked(&ev))) />
                        {r.label.clone()}
                    </label>
                }
            }).collect_view()}
        })
    }
}
