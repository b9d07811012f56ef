//! Mode comparison: runs the measurement engine in the browser for the four modes and the
//! baseline, shows progress while the page stays responsive, and charts the result on a log
//! axis next to the Python original's measured cost and its analysis's estimates.
//!
//! The figures come from `measure::web::run_comparison` (batches timed with
//! `performance.now()`, rounds interleaved, median with IQR and min–max); this component only
//! draws them. Past runs are kept so two can be compared side by side.

use leptos::prelude::*;

use super::state::Ui;
use crate::core::EmitMode;
use crate::inspect::timeline::format_ns;
use crate::measure::comparison::Comparison;
use crate::measure::plan::Plan;
use crate::measure::reference::{ORIGINAL_THRESHOLD_NS_PER_OP, PYTHON_AWAITED_US_PER_OP};
use crate::measure::session::MeasureConfig;
use crate::measure::spread::Spread;
use crate::measure::verdict::{fire_and_forget_verdict, verdicts};
use crate::pipeline::CallShape;
use crate::plot::LogScale;

/// A finished comparison, labelled for the history list.
#[derive(Clone, Debug, PartialEq)]
pub struct PastRun {
    pub number: usize,
    pub label: String,
    pub result: Comparison,
}

/// Runs kept for side-by-side comparison.
const RUNS_KEPT: usize = 8;

/// Reference lines and bands drawn behind the bars: (label, from ns/op, to ns/op).
fn references() -> Vec<(String, f64, f64)> {
    vec![
        (
            format!("Python original, measured: {PYTHON_AWAITED_US_PER_OP} µs/op"),
            PYTHON_AWAITED_US_PER_OP * 1e3,
            PYTHON_AWAITED_US_PER_OP * 1e3,
        ),
        (
            "the original's estimate: 0.78–1.38 ms/op".to_owned(),
            0.78e6,
            1.38e6,
        ),
        (
            "the original's rule: optimise above 1 ms/op".to_owned(),
            ORIGINAL_THRESHOLD_NS_PER_OP,
            ORIGINAL_THRESHOLD_NS_PER_OP,
        ),
        ("the original's suspicion: 3–6 ms/op".to_owned(), 3e6, 6e6),
    ]
}

#[component]
pub fn ComparePanel(ui: Ui) -> impl IntoView {
    let _ = ui;
    let runs = RwSignal::new(Vec::<PastRun>::new());
    let progress = RwSignal::new(None::<(usize, usize, String)>);
    let rounds = RwSignal::new(7usize);
    let shown = RwSignal::new(Vec::<usize>::new());
    let running = move || progress.get().is_some();

    let start = move |_| {
        if progress.get_untracked().is_some() {
            return;
        }
        progress.set(Some((0, 1, "starting".into())));
        leptos::task::spawn_local(async move {
            let config = MeasureConfig {
                rounds: rounds.get_untracked().max(3),
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
            runs.update(|r| {
                let number = r.last().map_or(1, |l| l.number + 1);
                r.push(PastRun {
                    number,
                    label: format!("run {number}"),
                    result,
                });
                if r.len() > RUNS_KEPT {
                    r.remove(0);
                }
            });
            let last = runs.with_untracked(|r| r.last().map(|l| l.number));
            shown.set(last.into_iter().collect());
            progress.set(None);
        });
    };

    view! {
        <div class="compare">
            <div class="compare-controls">
                <button id="compare-run" class="primary" disabled=running on:click=start>"Compare modes"</button>
                <label title="Measured rounds; each runs one batch of every subject, interleaved">
                    " rounds "
                    <input id="compare-rounds" type="number" min="3" max="101"
                        prop:value=move || rounds.get().to_string()
                        on:input=move |ev| { if let Ok(n) = event_target_value(&ev).parse() { rounds.set(n) } } />
                </label>
                {move || progress.get().map(|(done, total, subject)| view! {
                    <progress id="compare-progress" max=total.to_string() value=done.to_string()></progress>
                    <span class="hint">{format!("{done} / {total} · {subject}")}</span>
                })}
                <span class="spacer"></span>
                {move || {
                    let list = runs.get();
                    (list.len() > 1).then(|| view! {
                        <span class="hint">"side by side: "</span>
                        {list.into_iter().map(|r| {
                            let n = r.number;
                            view! {
                                <label class="run-pick">
                                    <input type="checkbox"
                                        prop:checked=move || shown.with(|s| s.contains(&n))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            shown.update(|s| {
                                                s.retain(|x| *x != n);
                                                if on { s.push(n); if s.len() > 2 { s.remove(0); } }
                                            });
                                        } />
                                    {r.label.clone()}
                                </label>
                            }
                        }).collect_view()}
                    })
                }}
            </div>
            {move || {
                let picked: Vec<PastRun> = runs.with(|r| {
                    shown.with(|s| r.iter().filter(|x| s.contains(&x.number)).cloned().collect())
                });
                if picked.is_empty() {
                    return view! {
                        <p class="hint">
                            "Measures, in this browser, what one three-level operation costs in each emit mode against the same "
                            "operation with no instrumentation, plus what each phase of emission adds. Timing uses "
                            "performance.now() over batches of many operations, rounds interleaved; figures are medians with "
                            "the interquartile range (thick) and min–max (thin)."
                        </p>
                    }.into_any();
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

/// One bar of the chart: a label and its distribution (ns per operation).
struct Bar {
    key: String,
    label: String,
    class: &'static str,
    s: Spread,
    /// The caller's share (the critical path), drawn over the total: the rest of the bar is
    /// background processing (`measure::split`).
    caller: Option<Spread>,
}

#[component]
fn RunView(run: PastRun) -> impl IntoView {
    let c = &run.result;
    let mut bars = Vec::new();
    if let Some(b) = c.baseline(CallShape::Nested) {
        bars.push(Bar {
            key: "baseline".into(),
            label: "baseline (no instrumentation)".into(),
            class: "baseline-bar",
            s: b.ns_per_op,
            caller: None,
        });
    }
    for m in EmitMode::ALL {
        if let Some(r) = c.mode_row(CallShape::Nested, m) {
            bars.push(Bar {
                key: m.as_str().into(),
                label: m.label().into(),
                class: "mode-bar",
                s: r.ns_per_op,
                caller: r.split.map(|s| s.caller_ns_per_op),
            });
        }
    }
    let refs = references();
    let scale = LogScale::covering(
        bars.iter()
            .flat_map(|b| [b.s.min.max(1.0), b.s.max])
            .chain(refs.iter().map(|r| r.2 * 1.5)),
    );
    let events_per_op = c
        .mode_row(CallShape::Nested, EmitMode::Awaited)
        .map_or(6, |r| r.events_per_op);
    let resolution = c.timer_resolution_ns;
    let verdict_lines: Vec<String> = verdicts(c).into_iter().map(|v| v.sentence).collect();
    let split_rows: Vec<_> = EmitMode::ALL
        .iter()
        .filter_map(|&m| c.mode_row(CallShape::Nested, m))
        .filter_map(|r| r.split.map(|s| (r.mode, r.ns_per_op.median, s)))
        .collect();
    let faf_verdict = fire_and_forget_verdict(c);
    let phases = c.phases.clone();

    // Chart geometry, in SVG user units.
    let (w, left, right) = (760.0, 190.0, 44.0);
    let row_h = 26.0;
    let top = 20.0;
    let plot_w = w - left - right;
    let h = top + row_h * bars.len() as f64 + 26.0 + 16.0 * refs.len() as f64;
    let x = move |v: f64| left + scale.fraction(v) * plot_w;

    view! {
        <section class="run-view" data-run=run.number>
            <h3>{run.label.clone()}" · "{c.rounds}" rounds · timer step "{format_ns(resolution as f64)}
                " · "{events_per_op}" events per operation"</h3>
            <svg class="chart" id=format!("mode-chart-{}", run.number) viewBox=format!("0 0 {w} {h}") role="img"
                aria-label="nanoseconds per operation for each emit mode, log scale">
                {scale.ticks().into_iter().map(|(f, label)| {
                    let xx = left + f * plot_w;
                    view! {
                        <line class="grid" x1=xx x2=xx y1=top - 6.0 y2=top + row_h * bars.len() as f64></line>
                        <text class="tick" x=xx y=top - 8.0 text-anchor="middle">{label}</text>
                    }
                }).collect_view()}
                {refs.iter().enumerate().map(|(i, (label, lo, hi))| {
                    let (x0, x1) = (x(*lo), x(*hi));
                    let ly = top + row_h * bars.len() as f64 + 20.0 + 16.0 * i as f64;
                    view! {
                        <rect class=format!("ref ref-{i}") x=x0 y=top - 4.0 width=(x1 - x0).max(1.5)
                            height=row_h * bars.len() as f64 + 4.0></rect>
                        <line class=format!("ref-leader ref-{i}") x1=x0 x2=x0 y1=top + row_h * bars.len() as f64 y2=ly - 4.0></line>
                        {if x0 > w * 0.55 {
                            view! { <text class="ref-label" x=x0 - 4.0 y=ly text-anchor="end">{label.clone()}</text> }.into_any()
                        } else {
                            view! { <text class="ref-label" x=x0 + 4.0 y=ly>{label.clone()}</text> }.into_any()
                        }}
                    }
                }).collect_view()}
                {bars.iter().enumerate().map(|(i, b)| {
                    let y = top + row_h * i as f64;
                    let mid = y + row_h / 2.0;
                    view! {
                        <g class=b.class data-mode=b.key.clone()>
                            <text class="bar-label" x=left - 8.0 y=mid + 4.0 text-anchor="end">{b.label.clone()}</text>
                            <rect class="bar-fill" x=left y=y + 5.0 width=(x(b.s.median) - left).max(1.0) height=row_h - 10.0>
                                <title>{format!("{}: median {} per operation (IQR {}–{}, min–max {}–{}, {} rounds)",
                                    b.label, format_ns(b.s.median), format_ns(b.s.q1), format_ns(b.s.q3),
                                    format_ns(b.s.min), format_ns(b.s.max), b.s.n)}</title>
                            </rect>
                            {b.caller.map(|cs| view! {
                                <rect class="caller-fill" x=left y=y + 9.0 width=(x(cs.median.max(1.0)) - left).max(1.0) height=row_h - 18.0>
                                    <title>{format!("{}: the caller waits {} per operation (IQR {}–{}); the rest of the bar, {}, is background processing",
                                        b.label, format_ns(cs.median), format_ns(cs.q1), format_ns(cs.q3),
                                        format_ns((b.s.median - cs.median).max(0.0)))}</title>
                                </rect>
                            })}
                            <line class="whisker" x1=x(b.s.min.max(1.0)) x2=x(b.s.max) y1=mid y2=mid></line>
                            <line class="iqr" x1=x(b.s.q1.max(1.0)) x2=x(b.s.q3) y1=mid y2=mid></line>
                            <text class="bar-value" x=x(b.s.max) + 6.0 y=mid + 4.0>{format_ns(b.s.median)}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <p class="hint legend">
                <span class="swatch caller-swatch"></span>" caller (critical path) "
                <span class="swatch background-swatch"></span>" background (queue drained later); log scale"
            </p>
            <table class="split-table" id=format!("split-table-{}", run.number)>
                <thead><tr><th>"mode"</th><th>"caller / op"</th><th>"background / event"</th>
                    <th>"caller + background"</th><th>"total"</th><th>"lag p50"</th><th>"lag p99"</th></tr></thead>
                <tbody>
                    {split_rows.into_iter().map(|(mode, total, s)| {
                        let lag = |l: Option<Spread>| l.map_or("—".to_owned(), |l| format_ns(l.median));
                        view! {
                            <tr data-mode=mode.map(|m| m.as_str())>
                                <td>{mode.map(|m| m.label())}</td>
                                <td class="num caller">{format_ns(s.caller_ns_per_op.median)}</td>
                                <td class="num background">{format_ns(s.background_ns_per_event.median)}</td>
                                <td class="num">{format_ns(s.sum_ns_per_op.median)}</td>
                                <td class="num">{format_ns(total)}</td>
                                <td class="num">{lag(s.lag_p50_ns)}</td>
                                <td class="num">{lag(s.lag_p99_ns)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {faf_verdict.map(|v| view! { <p class="verdict-faf" id=format!("faf-verdict-{}", run.number)><strong>"Can emission be fire-and-forget? "</strong>{v}</p> })}
            <PhaseBar phases />
            <ul class="verdicts">
                {verdict_lines.into_iter().map(|v| view! { <li>{v}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// A phase's own cost is a difference of two medians: at or below zero it is lost in the
/// noise of the two measurements, and says so rather than showing a negative cost.
fn within_noise(ns: f64) -> String {
    if ns > 0.0 {
        format_ns(ns)
    } else {
        "≈ 0 (within noise)".to_owned()
    }
}

/// The per-phase breakdown of awaited emission as one stacked bar (linear, ns per operation).
#[component]
fn PhaseBar(phases: Vec<crate::measure::comparison::PhaseStep>) -> impl IntoView {
    if phases.is_empty() {
        return view! { <p class="hint">"No phase breakdown in this run."</p> }.into_any();
    }
    let total: f64 = phases.iter().map(|p| p.ns_per_op.median.max(0.0)).sum();
    let (w, h, left) = (760.0, 30.0, 190.0);
    let plot_w = w - left - 20.0;
    let mut x = left;
    let segments: Vec<_> = phases
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v = p.ns_per_op.median.max(0.0);
            let width = if total > 0.0 { v / total * plot_w } else { 0.0 };
            let seg = (
                x,
                width,
                i,
                p.label.clone(),
                v,
                p.ns_per_event.median,
                p.original_guess.clone(),
            );
            x += width;
            seg
        })
        .collect();
    view! {
        <div class="phases">
            <svg class="chart" id="phase-chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label="cost per phase, stacked">
                <text class="bar-label" x=left - 8.0 y=19.0 text-anchor="end">{format!("phases: {}", format_ns(total))}</text>
                {segments.iter().map(|(x0, width, i, label, v, _, _)| view! {
                    <rect class=format!("phase phase-{i}") x=*x0 y=4.0 width=width.max(0.5) height=22.0>
                        <title>{format!("{label}: {} per operation", format_ns(*v))}</title>
                    </rect>
                }).collect_view()}
            </svg>
            <table class="phase-table">
                <thead><tr><th></th><th>"phase"</th><th>"per op"</th><th>"per event"</th><th>"the original guessed"</th></tr></thead>
                <tbody>
                    {segments.into_iter().map(|(_, _, i, label, v, pe, guess)| view! {
                        <tr><td><span class=format!("swatch phase-{i}")></span></td><td>{label}</td>
                            <td class="num">{within_noise(v)}</td><td class="num">{within_noise(pe)}</td><td class="hint">{guess}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
