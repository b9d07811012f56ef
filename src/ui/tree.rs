//! The lineage tree and its waterfall, side by side, virtualised.
//!
//! Only the rows inside the scrolled viewport (plus a small overscan, see [`Viewport`]) are in
//! the DOM: a spacer as tall as all rows keeps the scrollbar honest, and each rendered row is
//! positioned absolutely at `index × ROW_HEIGHT`. 100 000 events therefore cost a few dozen
//! DOM nodes. What a row shows is [`RowInfo`].
//! Rows are keyed by the inspection's generation, their index and their row state, so
//! scrolling reuses rows while any rebuild (replay step, collapse, filter) re-renders just the
//! visible ones that changed.

use leptos::prelude::*;

use super::revealed::revealed;
use super::state::Ui;
use crate::model::Status;
use crate::view::row_info::{on_axis, RowInfo};
use crate::view::timeline::Axis;
use crate::view::tree::Row;
use crate::view::viewport::{row_top, waterfall_fraction, Viewport};

/// Levels of nesting a row is indented by at most: a Chrome bomb nests a million slices,
/// which indented 14 million pixels put every label off screen. Deeper rows say their depth.
const MAX_INDENT: usize = 40;

/// CSS class of a status, shared by dots, bars and the detail panel.
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Completed => "st-completed",
        Status::Failed | Status::TimedOut => "st-failed",
        Status::Cancelled => "st-cancelled",
        Status::Unfinished => "st-unfinished",
        Status::Point => "st-point",
        Status::EndOnly => "st-endonly",
    }
}

#[component]
pub fn TreeView(ui: Ui) -> impl IntoView {
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    let scroller = NodeRef::<leptos::html::Div>::new();

    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                viewport.set(h);
            }
        }
    };
    Effect::new(move |_| {
        if scroller.get().is_some() {
            measure();
        }
    });
    let _resize = window_event_listener(leptos::ev::resize, move |_| measure());

    follow_selection(ui, scroller);

    let visible = move || {
        let rows = ui.rows.get();
        let generation = ui.generation.get();
        let window = Viewport {
            scroll_top: scroll_top.get(),
            height: viewport.get(),
        }
        .rows();
        rows.with(|rows| {
            rows.rows
                .iter()
                .enumerate()
                .skip(window.start)
                .take(window.len())
                .map(|(i, r)| (generation, i, *r))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="tree">
            <AxisHeader ui />
            <div class="tree-scroll" node_ref=scroller on:scroll=move |_| measure()
                on:wheel=move |ev: web_sys::WheelEvent| {
                    if ev.ctrl_key() || ev.alt_key() {
                        ev.prevent_default();
                        zoom_at(ui, &ev, if ev.delta_y() > 0.0 { 1.25 } else { 0.8 });
                    }
                }>
                <div class="tree-spacer"
                    style:height=move || format!("{}px", row_top(ui.rows.with(|r| r.with(|r| r.len()))))>
                    <For each=visible key=|(g, i, r)| (*g, *i, *r) let((_, index, row))>
                        <TreeRow ui index row />
                    </For>
                </div>
                <Show when=move || ui.rows.with(|r| r.with(|r| r.is_empty()))>
                    <p class="empty">{move || if ui.inspection.with(|i| i.trace.is_empty()) {
                        "No events yet: press Run, or ▶ to replay step by step, or open a trace file."
                    } else {
                        "No span matches the filter."
                    }}</p>
                </Show>
            </div>
        </div>
    }
}

/// Keeps the selected row in view (keyboard navigation, lint and detail links), scrolling as
/// little as [`Viewport::scroll_to_show`] says.
fn follow_selection(ui: Ui, scroller: NodeRef<leptos::html::Div>) {
    Effect::new(move |_| {
        let Some(span) = ui.selected_span() else {
            return;
        };
        let Some(pos) = ui.rows.with(|r| r.with(|r| r.position(span))) else {
            return;
        };
        let Some(el) = scroller.get_untracked() else {
            return;
        };
        let now = Viewport {
            scroll_top: el.scroll_top() as f64,
            height: el.client_height() as f64,
        };
        if let Some(to) = now.scroll_to_show(pos) {
            el.set_scroll_top(to as i32);
        }
    });
}

/// Zooms the axis around the pointer's horizontal position over the waterfall column.
fn zoom_at(ui: Ui, ev: &web_sys::WheelEvent, factor: f64) {
    let at = ev
        .current_target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .map(|el| {
            let r = el.get_bounding_client_rect();
            waterfall_fraction(ev.client_x() as f64, r.left(), r.width())
        })
        .unwrap_or(0.5);
    ui.axis.update(|a| {
        if let Some(a) = a {
            a.zoom(factor, at);
        }
    });
}

/// Column titles and the time axis ticks, with zoom and pan buttons.
#[component]
fn AxisHeader(ui: Ui) -> impl IntoView {
    let origin = move || ui.inspection.with(|i| i.trace.time_range().0);
    let fit = move || {
        let (lo, hi) = ui.inspection.with(|i| i.trace.time_range());
        ui.axis.set(Some(Axis::fit(lo, hi)));
    };
    let nudge = move |f: fn(&mut Axis)| {
        ui.axis.update(|a| {
            if let Some(a) = a {
                f(a);
            }
        })
    };
    view! {
        <div class="tree-head">
            <div class="head-label">
                "Operation"
                <span class="axis-buttons">
                    <button title="Pan earlier" on:click=move |_| nudge(|a| a.pan(-0.25))>"◀"</button>
                    <button title="Zoom out" on:click=move |_| nudge(|a| a.zoom(1.5, 0.5))>"−"</button>
                    <button title="Zoom in" on:click=move |_| nudge(|a| a.zoom(1.0 / 1.5, 0.5))>"+"</button>
                    <button title="Pan later" on:click=move |_| nudge(|a| a.pan(0.25))>"▶"</button>
                    <button title="Fit the whole trace" on:click=move |_| fit()>"fit"</button>
                </span>
            </div>
            <div class="head-axis" title="Ctrl + wheel over the waterfall zooms; the buttons zoom and pan">
                {move || {
                    let o = origin();
                    ui.axis.get().map(|a| a.ticks(5, o)).unwrap_or_default().into_iter().map(|(f, label)| view! {
                        <span class="tick" style:left=format!("{:.3}%", f * 100.0)>{label}</span>
                    }).collect_view()
                }}
            </div>
        </div>
    }
}

#[component]
fn TreeRow(ui: Ui, index: usize, row: Row) -> impl IntoView {
    let s = row.span;
    let info = ui.inspection.with_untracked(|ins| RowInfo::of(ins, s));
    let id = info.id;
    let status_cls = status_class(info.status);
    // The selected operation's critical path (critical.rs), when the page provides it.
    let critical = use_context::<super::critical::Critical>();
    let on_path = move || critical.is_some_and(|c| c.contains(s));
    let (t0, t1, lag) = (info.t0, info.t1, info.lag);
    let bar_style = move || {
        ui.axis.get().map(|a| {
            let (left, width) = on_axis(&a, t0, t1);
            format!(
                "left:{:.3}%;width:max(2px,{:.3}%)",
                left * 100.0,
                width * 100.0
            )
        })
    };
    let lag_style = move || {
        let (emitted, processed) = lag?;
        let (left, width) = on_axis(&ui.axis.get()?, emitted, processed);
        Some(format!(
            "left:{:.3}%;width:{:.3}%",
            left * 100.0,
            width * 100.0
        ))
    };
    view! {
        <div class="row" role="treeitem"
            class:selected=move || ui.selected.get() == Some(id)
            class:matched=row.matched
            class:problem=info.status.is_problem()
            class:critical=on_path
            style:top=format!("{}px", row_top(index))
            data-span=s
            data-status=info.status.as_str()
            title=info.tooltip.clone()
            on:click=move |_| ui.select(id)>
            <div class="row-label" style:padding-left=format!("{}px", 6 + row.depth.min(MAX_INDENT) * 14)>
                {if row.has_children {
                    view! {
                        <span class="toggle" on:click=move |ev| {
                            ev.stop_propagation();
                            ui.toggle_collapsed(s);
                        }>{if row.collapsed { "▸" } else { "▾" }}</span>
                    }.into_any()
                } else {
                    view! { <span class="toggle"></span> }.into_any()
                }}
                <span class=format!("dot {status_cls}")></span>
                {(row.depth > MAX_INDENT).then(|| view! { <span class="badge depth" title="nesting depth: deeper rows are indented no further">{format!("depth {}", row.depth)}</span> })}
                <span class="name">{revealed(&info.label, false)}</span>
                <span class="fn">{revealed(&info.function, false)}</span>
                {info.orphan.then(|| view! { <span class="badge orphan" title="parent not in trace">"orphan"</span> })}
                <span class="dur">{info.duration_text()}</span>
                {(info.descendants > 0).then(|| view! { <span class="count" title="spans below">{info.descendants}</span> })}
                {(info.problems > 0).then(|| view! { <span class="badge problems" title="failed, cancelled or unfinished below">{info.problems}</span> })}
            </div>
            <div class="row-bar">
                <div class=format!("bar {status_cls}") style=bar_style></div>
                {info.lag.is_some().then(|| view! { <div class="lag" title="queue lag: emitted → processed" style=lag_style></div> })}
            </div>
        </div>
    }
}
