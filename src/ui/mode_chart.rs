//! One comparison run as the Compare tab shows it: the chart of every mode against the
//! baseline and the original's figures, the caller / background table, the fire-and-forget
//! verdict, the per-phase bar and the verdicts.
//!
//! What is charted is [`measure::chart`](crate::measure::chart), where it goes is
//! [`BarChart`] and [`stack`], the reference bands are [`reference::bands`]: plain, tested
//! natively. These components place the SVG elements and the table cells.

use leptos::prelude::*;

use crate::measure::chart::{self, ChartBar, SplitRow};
use crate::measure::comparison::PhaseStep;
use crate::measure::reference::{self, Band};
use crate::measure::run_history::PastRun;
use crate::measure::spread::Spread;
use crate::measure::verdict::{fire_and_forget_verdict, verdicts};
use crate::plot::bar_chart::{self, BarChart};
use crate::plot::stack::stack;
use crate::text::duration::duration;

#[component]
pub fn RunView(run: PastRun) -> impl IntoView {
    let c = &run.result;
    let verdict_lines: Vec<String> = verdicts(c).into_iter().map(|v| v.sentence).collect();
    let faf_verdict = fire_and_forget_verdict(c);
    let number = run.number;
    view! {
        <section class="run-view" data-run=number>
            <h3>{run.label.clone()}" · "{c.rounds}" rounds · timer step "{duration(c.timer_resolution_ns as f64)}
                " · "{chart::events_per_op(c)}" events per operation"</h3>
            <ModeChart number bars=chart::bars(c) bands=reference::bands() />
            <p class="hint legend">
                <span class="swatch caller-swatch"></span>" caller (critical path) "
                <span class="swatch background-swatch"></span>" background (queue drained later); log scale"
            </p>
            <SplitTable number rows=chart::split_rows(c) />
            {faf_verdict.map(|v| view! { <p class="verdict-faf" id=format!("faf-verdict-{number}")><strong>"Can emission be fire-and-forget? "</strong>{v}</p> })}
            <PhaseBar phases=c.phases.clone() />
            <ul class="verdicts">
                {verdict_lines.into_iter().map(|v| view! { <li>{v}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// The bars on a log axis, with the original's figures as lines and bands behind them.
#[component]
fn ModeChart(number: usize, bars: Vec<ChartBar>, bands: Vec<Band>) -> impl IntoView {
    let extents: Vec<(f64, f64)> = bars
        .iter()
        .map(|b| (b.ns_per_op.min, b.ns_per_op.max))
        .collect();
    let tops: Vec<f64> = bands.iter().map(|b| b.hi_ns).collect();
    let chart = BarChart::fitting(&extents, &tops);
    let (w, h, left, top) = (
        bar_chart::WIDTH,
        chart.height(),
        bar_chart::LEFT,
        bar_chart::TOP,
    );
    let bottom = chart.rows_bottom();
    view! {
        <svg class="chart" id=format!("mode-chart-{number}") viewBox=format!("0 0 {w} {h}") role="img"
            aria-label="nanoseconds per operation for each emit mode, log scale">
            {chart.scale.ticks().into_iter().map(|(f, label)| {
                let xx = chart.x_of_fraction(f);
                view! {
                    <line class="grid" x1=xx x2=xx y1=top - 6.0 y2=bottom></line>
                    <text class="tick" x=xx y=top - 8.0 text-anchor="middle">{label}</text>
                }
            }).collect_view()}
            {bands.into_iter().enumerate().map(|(i, band)| {
                let (x0, x1) = (chart.x(band.lo_ns), chart.x(band.hi_ns));
                let ly = chart.band_label_y(i);
                view! {
                    <rect class=format!("ref ref-{i}") x=x0 y=top - 4.0 width=(x1 - x0).max(1.5)
                        height=bottom - top + 4.0></rect>
                    <line class=format!("ref-leader ref-{i}") x1=x0 x2=x0 y1=bottom y2=ly - 4.0></line>
                    {if chart.label_runs_left(x0) {
                        view! { <text class="ref-label" x=x0 - 4.0 y=ly text-anchor="end">{band.label}</text> }.into_any()
                    } else {
                        view! { <text class="ref-label" x=x0 + 4.0 y=ly>{band.label}</text> }.into_any()
                    }}
                }
            }).collect_view()}
            {bars.into_iter().enumerate().map(|(i, b)| {
                let (y, mid, s) = (chart.row_top(i), chart.row_mid(i), b.ns_per_op);
                let x = |v: f64| chart.x(v);
                view! {
                    <g class=if b.baseline { "baseline-bar" } else { "mode-bar" } data-mode=b.key.clone()>
                        <text class="bar-label" x=left - 8.0 y=mid + 4.0 text-anchor="end">{b.label.clone()}</text>
                        <rect class="bar-fill" x=left y=y + 5.0 width=(x(s.median) - left).max(1.0) height=bar_chart::ROW - 10.0>
                            <title>{b.describe()}</title>
                        </rect>
                        {b.caller.map(|cs| view! {
                            <rect class="caller-fill" x=left y=y + 9.0 width=(x(cs.median.max(1.0)) - left).max(1.0) height=bar_chart::ROW - 18.0>
                                <title>{b.describe_caller()}</title>
                            </rect>
                        })}
                        <line class="whisker" x1=x(s.min.max(1.0)) x2=x(s.max) y1=mid y2=mid></line>
                        <line class="iqr" x1=x(s.q1.max(1.0)) x2=x(s.q3) y1=mid y2=mid></line>
                        <text class="bar-value" x=x(s.max) + 6.0 y=mid + 4.0>{duration(s.median)}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// Each mode's caller cost, background cost and queue lag.
#[component]
fn SplitTable(number: usize, rows: Vec<SplitRow>) -> impl IntoView {
    let lag = |l: Option<Spread>| l.map_or("—".to_owned(), |l| duration(l.median));
    view! {
        <table class="split-table" id=format!("split-table-{number}")>
            <thead><tr><th>"mode"</th><th>"caller / op"</th><th>"background / event"</th>
                <th>"caller + background"</th><th>"total"</th><th>"lag p50"</th><th>"lag p99"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let s = r.split;
                    view! {
                        <tr data-mode=r.mode.map(|m| m.as_str())>
                            <td>{r.mode.map(|m| m.label())}</td>
                            <td class="num caller">{duration(s.caller_ns_per_op.median)}</td>
                            <td class="num background">{duration(s.background_ns_per_event.median)}</td>
                            <td class="num">{duration(s.sum_ns_per_op.median)}</td>
                            <td class="num">{duration(r.total_ns_per_op)}</td>
                            <td class="num">{lag(s.lag_p50_ns)}</td>
                            <td class="num">{lag(s.lag_p99_ns)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A phase's own cost is a difference of two medians: at or below zero it is lost in the
/// noise of the two measurements, and says so rather than showing a negative cost.
fn within_noise(ns: f64) -> String {
    if ns > 0.0 {
        duration(ns)
    } else {
        "≈ 0 (within noise)".to_owned()
    }
}

/// The per-phase breakdown of awaited emission as one stacked bar (linear, ns per operation).
#[component]
fn PhaseBar(phases: Vec<PhaseStep>) -> impl IntoView {
    if phases.is_empty() {
        return view! { <p class="hint">"No phase breakdown in this run."</p> }.into_any();
    }
    let medians: Vec<f64> = phases.iter().map(|p| p.ns_per_op.median).collect();
    let total: f64 = medians.iter().map(|v| v.max(0.0)).sum();
    let (w, h, left) = (bar_chart::WIDTH, 30.0, bar_chart::LEFT);
    let segments = stack(&medians, left, w - left - 20.0);
    view! {
        <div class="phases">
            <svg class="chart" id="phase-chart" viewBox=format!("0 0 {w} {h}") role="img" aria-label="cost per phase, stacked">
                <text class="bar-label" x=left - 8.0 y=19.0 text-anchor="end">{format!("phases: {}", duration(total))}</text>
                {segments.iter().zip(&phases).enumerate().map(|(i, (&(x0, width), p))| view! {
                    <rect class=format!("phase phase-{i}") x=x0 y=4.0 width=width.max(0.5) height=22.0>
                        <title>{format!("{}: {} per operation", p.label, duration(p.ns_per_op.median.max(0.0)))}</title>
                    </rect>
                }).collect_view()}
            </svg>
            <table class="phase-table">
                <thead><tr><th></th><th>"phase"</th><th>"per op"</th><th>"per event"</th><th>"the original guessed"</th></tr></thead>
                <tbody>
                    {phases.into_iter().enumerate().map(|(i, p)| view! {
                        <tr><td><span class=format!("swatch phase-{i}")></span></td><td>{p.label}</td>
                            <td class="num">{within_noise(p.ns_per_op.median.max(0.0))}</td><td class="num">{within_noise(p.ns_per_event.median)}</td>
                            <td class="hint">{p.original_guess}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
