//! The selected operation's critical path and latency distribution.
//!
//! The chain of steps and their self times are [`CriticalPath`], the histogram is
//! [`Histogram`], both plain types tested natively; this file derives them from the
//! selection, highlights the chain's rows in the tree (through [`Critical`], provided as
//! context so the tree needs no new props) and draws the detail panel's section.

use std::sync::Arc;

use leptos::prelude::*;

use super::revealed::revealed;

use super::state::{Shared, Ui};
use crate::analysis::critical_path::CriticalPath;
use crate::analysis::latency::{Histogram, LagByMode};
use crate::text::duration::duration;

/// Bins of the latency histogram.
const BINS: usize = 16;

/// The critical path of the selected span, shared with the tree rows.
#[derive(Clone, Copy)]
pub struct Critical(pub Memo<Option<Shared<CriticalPath>>>);

impl Critical {
    pub fn new(ui: Ui) -> Critical {
        Critical(Memo::new(move |_| {
            let s = ui.selected_span()?;
            ui.inspection.with(|ins| {
                let last = ins.trace.time_range().1;
                Some(Shared(Arc::new(CriticalPath::of(
                    &ins.trace, &ins.spans, s, last,
                ))))
            })
        }))
    }

    /// Whether span `s` is on the selected operation's critical path.
    pub fn contains(&self, s: usize) -> bool {
        self.0.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.steps.len() > 1 && p.contains(s))
        })
    }
}

/// The critical path with self times, where the time went, and the name's latency histogram.
#[component]
pub fn CriticalPathPanel(ui: Ui, critical: Critical) -> impl IntoView {
    move || {
        let path = critical.0.get()?;
        let op = path.steps.first()?.clone();
        let total = op.duration_ns().max(1) as f64;
        let split = path.split;
        let pct = |ns: u64| format!("{:.0} %", ns as f64 / total * 100.0);
        let histogram = ui
            .inspection
            .with(|ins| Histogram::of_name(&ins.trace, &ins.spans, &op.name, BINS));
        // A live run only: its events carry processing times and its modes are known.
        let lag = ui.modes.with(|modes| {
            let modes = modes.as_ref()?;
            ui.inspection
                .with(|ins| LagByMode::of_name(&ins.trace, &ins.spans, &op.name, modes, BINS))
        });
        Some(view! {
            <section class="critical" id="critical-section">
                <h2>"Where the time went"</h2>
                <table class="fields time-split" id="time-split">
                    <tbody>
                        <tr><th>"own code"</th><td class="num" id="split-self">{duration(split.self_ns as f64)}</td><td class="hint">{pct(split.self_ns)}</td></tr>
                        <tr><th>"children"</th><td class="num" id="split-children">{duration(split.children_ns as f64)}</td><td class="hint">{pct(split.children_ns)}</td></tr>
                        <tr><th>"queue lag"</th><td class="num" id="split-lag">{split.queue_lag_ns.map_or("— (not recorded)".to_owned(), |l| duration(l as f64))}</td>
                            <td class="hint">"after the end, not waited for"</td></tr>
                    </tbody>
                </table>
                <h2>"Critical path"</h2>
                <ol class="critical-path" id="critical-path">
                    {path.steps.iter().map(|s| view! {
                        <li style:padding-left=format!("{}px", s.depth * 10) data-span=s.span>
                            <span class="name">{revealed(&s.name, false)}</span>
                            <span class="num">{duration(s.duration_ns() as f64)}</span>
                            <span class="hint">" self "</span><span class="num self">{duration(s.self_ns as f64)}</span>
                        </li>
                    }).collect_view()}
                </ol>
                <LatencyHistogram name=op.name.clone() histogram />
                {lag.map(|lag| view! { <super::lag::QueueLagByMode name=op.name.clone() lag /> })}
            </section>
        })
    }
}

/// A small bar chart of the durations of every span with this name.
#[component]
fn LatencyHistogram(name: String, histogram: Histogram) -> impl IntoView {
    if histogram.n == 0 {
        return view! { <p class="hint">"No finished span named "{revealed(&name, false)}" yet."</p> }.into_any();
    }
    let (w, h) = (240.0, 60.0);
    let peak = histogram.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let bw = w / histogram.counts.len() as f64;
    view! {
        <h2>{revealed(&name, false)}{format!(": {} durations", histogram.n)}</h2>
        <svg class="histogram" id="latency-histogram" viewBox=format!("0 0 {w} {}", h + 14.0) role="img"
            aria-label="durations of every span with this name, log-spaced bins">
            {histogram.counts.iter().enumerate().map(|(i, &c)| {
                let bh = c as f64 / peak * h;
                let (lo, hi) = (histogram.edges[i], histogram.edges[i + 1]);
                view! {
                    <rect class="hist-bar" x=i as f64 * bw + 1.0 y=h - bh width=(bw - 2.0).max(1.0) height=bh data-count=c>
                        <title>{format!("{c} between {} and {}", duration(lo), duration(hi))}</title>
                    </rect>
                }
            }).collect_view()}
            <text class="tick" x=0.0 y=h + 12.0>{duration(histogram.min_ns as f64)}</text>
            <text class="tick" x=w y=h + 12.0 text-anchor="end">{duration(histogram.max_ns as f64)}</text>
        </svg>
    }
    .into_any()
}
