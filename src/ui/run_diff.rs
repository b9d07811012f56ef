//! Two runs side by side: pin the trace on screen as *A*, run again in another mode (or open
//! another file) as *B*, and the Trace tab shows the two merged operation by operation.
//!
//! The alignment, deltas and summary are [`RunDiff`], a plain type tested natively; this file
//! keeps the pinned run in a signal, rebuilds the diff when either side changes, draws it,
//! answers the keyboard (`p` pin / unpin, `x` swap A and B) and replays a two-run diff from
//! the URL (`pin=<mode of A>` next to the usual settings, whose `mode` is B's).

use std::sync::Arc;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use super::state::{Shared, Source, Ui};
use super::tree::status_class;
use super::typing::typing;
use crate::analysis::diff::{OpDiff, OpSide, RunDiff, Side, SideSummary};
use crate::analysis::Inspection;
use crate::core::EmitMode;
use crate::text::duration::{duration, signed_duration};
use crate::view::shortcuts::Action;

/// Lines of the merged list drawn at most (the summary row counts them all).
const LINES_SHOWN: usize = 500;

/// The pinned run.
#[derive(Clone, Debug)]
pub struct Pinned {
    pub label: String,
    /// The emit mode it ran in, for live runs (what the URL needs to reproduce it).
    pub mode: Option<EmitMode>,
    pub inspection: Shared<Inspection>,
}

impl PartialEq for Pinned {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label && self.inspection == other.inspection
    }
}

/// The pin and the diff it implies. `Copy`: arena handles only.
#[derive(Clone, Copy)]
pub struct Pin {
    pub a: RwSignal<Option<Pinned>>,
    /// A against the trace on screen, rebuilt when either changes.
    pub diff: Memo<Option<Shared<RunDiff>>>,
}

impl Pin {
    pub fn new(ui: Ui) -> Pin {
        let a: RwSignal<Option<Pinned>> = RwSignal::new(None);
        let diff = Memo::new(move |_| {
            let pinned = a.get()?;
            let b = ui.inspection.get();
            Some(Shared(Arc::new(RunDiff::build(
                Side::of(&pinned.inspection),
                Side::of(&b),
            ))))
        });
        Pin { a, diff }
    }

    /// What the trace on screen is called.
    fn label_of(ui: &Ui) -> (String, Option<EmitMode>) {
        match ui.source.get_untracked() {
            Source::Live => {
                let c = ui.config.get_untracked();
                (
                    format!("{} run, seed {}", c.mode.label(), c.seed),
                    Some(c.mode),
                )
            }
            Source::Imported(name) => (name, None),
            Source::Listener(address) => {
                let n = ui.inspection.with_untracked(|i| i.trace.len());
                (format!("live {address}, first {n} events"), None)
            }
            Source::Empty => ("empty".to_owned(), None),
        }
    }

    /// Pins the trace on screen as A.
    pub fn pin(&self, ui: &Ui) {
        let (label, mode) = Pin::label_of(ui);
        self.a.set(Some(Pinned {
            label,
            mode,
            inspection: ui.inspection.get_untracked(),
        }));
    }

    pub fn unpin(&self) {
        self.a.set(None);
    }

    /// `p`: pins when nothing is pinned, unpins otherwise.
    pub fn toggle(&self, ui: &Ui) {
        if self.a.with_untracked(Option::is_some) {
            self.unpin();
        } else {
            self.pin(ui);
        }
    }

    /// Swaps A and B: the pinned run goes on screen (as a trace of its own) and the one on
    /// screen is pinned.
    pub fn swap(&self, ui: &Ui) {
        let Some(a) = self.a.get_untracked() else {
            return;
        };
        self.pin(ui);
        ui.playing.set(false);
        ui.replay.set_value(None);
        ui.stats.set(None);
        ui.selected.set(None);
        ui.axis.set(None);
        let n = a.inspection.trace.len();
        ui.publish((*a.inspection.0).clone());
        ui.recorded.set(n);
        ui.cursor.set(n);
        ui.finished.set(true);
        ui.source
            .set(Source::Imported(format!("{} (was A)", a.label)));
    }

    /// The emit mode A ran in, for a live pin: what the page's address keeps (`pin=<mode>`,
    /// see [`PageUrl`](crate::view::page_url::PageUrl)) to reproduce it.
    pub fn pinned_mode(&self) -> Option<EmitMode> {
        self.a.with(|a| a.as_ref().and_then(|p| p.mode))
    }
}

/// Reproduces a two-run diff from the URL: runs the settings in A's mode, pins the result,
/// then runs them in B's mode (the settings' own).
pub fn replay_from_url(ui: Ui, pin: Pin, a_mode: EmitMode) {
    let b_mode = ui.config.get_untracked().mode;
    leptos::task::spawn_local(async move {
        for (k, mode) in [a_mode, b_mode].into_iter().enumerate() {
            ui.set_mode(mode);
            ui.run_all();
            // run_all finishes in slices; `finished` turns true once the last is shown.
            TimeoutFuture::new(0).await;
            while !ui.finished.get_untracked() || ui.busy.get_untracked().is_some() {
                TimeoutFuture::new(20).await;
            }
            if k == 0 {
                pin.pin(&ui);
            }
        }
    });
}

/// The pin controls, the summary row and the merged list, above the tree.
#[component]
pub fn RunDiffPanel(ui: Ui, pin: Pin) -> impl IntoView {
    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if typing(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match Action::of_key(&ev.key()) {
            Some(Action::Pin) => pin.toggle(&ui),
            Some(Action::Swap) => pin.swap(&ui),
            _ => return,
        }
        ev.prevent_default();
    });
    let pinned = move || pin.a.with(Option::is_some);
    view! {
        <div class="run-diff">
            <div class="pin-bar">
                <button id="pin" title="Pin the trace on screen as A, then run again or open a file as B (p)"
                    on:click=move |_| pin.toggle(&ui)>
                    {move || if pinned() { "Unpin A" } else { "Pin as A" }}
                </button>
                <Show when=pinned>
                    <button id="swap" title="Swap A and B (x)" on:click=move |_| pin.swap(&ui)>"Swap A ⇄ B"</button>
                    <span class="hint" id="pinned-label">
                        {move || pin.a.with(|a| a.as_ref().map(|a| format!("A: {} · B: the trace on screen", a.label)))}
                    </span>
                </Show>
            </div>
            {move || pin.diff.get().map(|d| view! { <DiffView diff=d ui /> })}
        </div>
    }
}

#[component]
fn DiffView(diff: Shared<RunDiff>, ui: Ui) -> impl IntoView {
    let d = &*diff;
    let counts = d.counts(" · ");
    let t = |x: Option<u64>| x.map_or("—".to_owned(), |x| duration(x as f64));
    let dt = |x: Option<i64>| x.map_or("—".to_owned(), signed_duration);
    let row = |label: &'static str, s: SideSummary| {
        view! {
            <tr data-side=label>
                <th>{label}</th><td class="num events">{s.events}</td><td class="num operations">{s.operations}</td>
                <td class="num failures">{s.failures}</td><td class="num">{t(s.p50_ns)}</td><td class="num">{t(s.p95_ns)}</td>
                <td class="num inversions">{s.inversions}</td>
            </tr>
        }
    };
    let lines: Vec<OpDiff> = d.ops.iter().take(LINES_SHOWN).cloned().collect();
    let more = d.ops.len().saturating_sub(LINES_SHOWN);
    view! {
        <table class="diff-summary" id="diff-summary">
            <thead><tr><th></th><th>"events"</th><th>"operations"</th><th>"failures"</th><th>"p50"</th><th>"p95"</th><th>"inversions"</th></tr></thead>
            <tbody>
                {row("A", d.a)}
                {row("B", d.b)}
                <tr data-side="delta">
                    <th>"Δ"</th><td class="num">{format!("{:+}", d.delta.events)}</td><td class="num">{format!("{:+}", d.delta.operations)}</td>
                    <td class="num">{format!("{:+}", d.delta.failures)}</td><td class="num">{dt(d.delta.p50_ns)}</td><td class="num">{dt(d.delta.p95_ns)}</td>
                    <td class="num">{format!("{:+}", d.delta.inversions)}</td>
                </tr>
            </tbody>
        </table>
        <p class="diff-counts" id="diff-counts">{counts}</p>
        <div class="diff-list" id="diff-list">
            {lines.into_iter().map(|o| view! { <DiffLine op=o ui /> }).collect_view()}
            {(more > 0).then(|| view! { <p class="hint">{format!("… and {more} more operations")}</p> })}
        </div>
    }
}

#[component]
fn DiffLine(op: OpDiff, ui: Ui) -> impl IntoView {
    let (presence, mark) = (op.presence.as_str(), op.mark());
    let side = |s: &Option<OpSide>| {
        s.as_ref().map_or_else(
            || view! { <span class="none">"—"</span> }.into_any(),
            |s| {
                view! {
                    <span class=format!("dot {}", status_class(s.status))></span>
                    <span>{format!("{} ev", s.events)}</span>
                }
                .into_any()
            },
        )
    };
    // Selecting a line selects B's operation in the tree (B is the trace on screen).
    let b_span = op.b.as_ref().map(|b| b.span);
    let select = move |_| {
        if let Some(s) = b_span {
            let id = ui
                .inspection
                .with_untracked(|i| i.spans.spans.get(s).map(|sp| i.trace.id(sp.start)));
            if let Some(id) = id {
                ui.select(id);
            }
        }
    };
    let lag =
        op.b.as_ref()
            .and_then(|b| b.max_lag_ns)
            .map(|l| format!("lag {}", duration(l as f64)));
    view! {
        <div class=format!("diff-line {presence}") class:changed=op.changed() class:subtree-differs=op.subtree_differs()
            class:inverted-b=op.inversions_only_in_b() data-presence=presence on:click=select>
            <span class="mark">{mark}</span>
            <span class="name">{format!("{} #{}", op.name, op.occurrence)}</span>
            <span class="side-a">{side(&op.a)}</span>
            <span class="arrow">"→"</span>
            <span class="side-b">{side(&op.b)}</span>
            <span class="num delta">{op.duration_delta_ns().map(signed_duration).unwrap_or_default()}</span>
            <span class="num">{(op.events_delta() != 0).then(|| format!("{:+} ev", op.events_delta()))}</span>
            {op.b.as_ref().filter(|b| b.inversions > 0).map(|b| view! {
                <span class="badge inversions" title="events processed after one emitted later">{format!("{} inv", b.inversions)}</span>
            })}
            <span class="hint">{lag}</span>
        </div>
    }
}
