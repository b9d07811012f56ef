//! The queue lag of the selected operation's name, one small histogram per emit mode of a
//! live run (the detail panel, under the durations).
//!
//! The numbers are [`LagByMode`] (plain, tested natively); this draws them: one row per mode
//! the run used, bars on the range all modes share, so fire-and-forget's lag reads against
//! awaited's none at a glance.

use leptos::prelude::*;

use super::revealed::revealed;
use crate::analysis::latency::{Histogram, LagByMode};
use crate::core::EmitMode;
use crate::text::duration::duration;

/// The bars of one mode's histogram, `w` × `h`.
fn bars(histogram: &Histogram, w: f64, h: f64) -> impl IntoView {
    let peak = histogram.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let bw = w / histogram.counts.len().max(1) as f64;
    histogram
        .counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let bh = if c == 0 { 0.0 } else { (c as f64 / peak * h).max(1.5) };
            let (lo, hi) = (histogram.edges[i], histogram.edges[i + 1]);
            view! {
                <rect class="hist-bar" x=i as f64 * bw + 1.0 y=h - bh width=(bw - 2.0).max(1.0) height=bh data-count=c>
                    <title>{format!("{c} events waited between {} and {}", duration(lo), duration(hi))}</title>
                </rect>
            }
        })
        .collect_view()
}

/// The colour of a mode's lag bars. Every mode has an arm, so a new mode gets a colour where
/// the compiler points rather than falling back silently in the style sheet.
fn colour(mode: EmitMode) -> &'static str {
    match mode {
        EmitMode::Awaited => "var(--accent)",
        EmitMode::FireAndForget => "var(--open)",
        EmitMode::Disabled => "var(--muted)",
        EmitMode::Lazy => "var(--point)",
        EmitMode::Sampled(_) => "var(--ok)",
    }
}

/// One row: the mode, its bars, how many events.
fn mode_row(mode: EmitMode, histogram: &Histogram) -> impl IntoView {
    let (w, h) = (160.0, 22.0);
    let body = if histogram.n == 0 {
        view! { <span class="hint">"no events recorded"</span> }.into_any()
    } else {
        view! {
            <svg class="lag-bars" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" role="img"
                style=format!("--lag-fill: {}", colour(mode))
                aria-label=format!("queue lag of the {} operations' events, log-spaced bins", mode.label())>
                {bars(histogram, w, h)}
            </svg>
            <span class="num">{histogram.n}</span>
        }
        .into_any()
    };
    view! {
        <div class=format!("lag-row lag-{}", mode.as_str()) data-mode=mode.as_str() data-events=histogram.n
            title=format!("{}: {} events of these operations", mode.label(), histogram.n)>
            <span class="lag-mode">{mode.label()}</span>
            {body}
        </div>
    }
}

/// Queue lag per emit mode for the operations named `name`.
#[component]
pub fn QueueLagByMode(name: String, lag: LagByMode) -> impl IntoView {
    let range = lag
        .modes
        .iter()
        .map(|(_, h)| h)
        .find(|h| h.n > 0)
        .map(|h| (duration(h.min_ns as f64), duration(h.max_ns as f64)));
    view! {
        <section class="lag-by-mode" id="lag-by-mode">
            <h2>{revealed(&name, false)}": queue lag by emit mode"</h2>
            <p class="hint">"emitted → processed, each event of these operations, by the mode its operation ran in"</p>
            {lag.modes.iter().map(|(m, h)| mode_row(*m, h)).collect_view()}
            {range.map(|(lo, hi)| view! {
                <div class="lag-axis">
                    <span></span>
                    <span class="lag-range"><span>{lo}</span><span>{hi}</span></span>
                    <span>"events"</span>
                </div>
            })}
        </section>
    }
}
