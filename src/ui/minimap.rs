//! The minimap above the waterfall: the whole trace's event density and failures over time,
//! the waterfall's current window drawn on it, and a window dragged on it zooms the waterfall.
//!
//! The bins and the window ↔ axis mapping are [`Overview`](crate::view::overview::Overview) (plain, tested natively); this
//! component draws them and turns pointer drags into fractions of its width.

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::{Shared, Ui};

/// Where a pointer event falls across `el`, as a fraction of its width.
fn fraction_in(el: &web_sys::Element, client_x: i32) -> f64 {
    let r = el.get_bounding_client_rect();
    ((client_x as f64 - r.left()) / r.width().max(1.0)).clamp(0.0, 1.0)
}

#[component]
pub fn Minimap(ui: Ui) -> impl IntoView {
    // Counted as the trace is built or grows (`Ui::counts`), never here from every event.
    let overview = Memo::new(move |_| Shared(ui.counts.with(|c| Arc::new(c.0 .0.clone()))));
    // The drag in progress: where it began and where the pointer is.
    let drag = RwSignal::new(None::<(f64, f64)>);
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let at = move |ev: &web_sys::MouseEvent| {
        svg.get_untracked()
            .map(|el| fraction_in(el.unchecked_ref(), ev.client_x()))
    };
    let finish = move |ev: web_sys::MouseEvent| {
        let Some((a, _)) = drag.get_untracked() else {
            return;
        };
        drag.set(None);
        let Some(b) = at(&ev) else {
            return;
        };
        let moved = overview.with_untracked(|o| o.after_drag(a, b, ui.axis.get_untracked()));
        if moved.is_some() {
            ui.axis.set(moved);
        }
    };
    let (w, h) = (1000.0, 36.0);
    view! {
        <div class="minimap" title="The whole trace: events (grey) over time, and the share of the operations that failed (red part of each bar). Drag to zoom the waterfall; click to move the window.">
            <svg id="minimap" node_ref=svg viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none"
                on:mousedown=move |ev| { ev.prevent_default(); if let Some(f) = at(&ev) { drag.set(Some((f, f))) } }
                on:mousemove=move |ev| { if let (Some((a, _)), Some(b)) = (drag.get_untracked(), at(&ev)) { drag.set(Some((a, b))) } }
                on:mouseup=finish
                on:mouseleave=move |_| drag.set(None)>
                {move || {
                    let o = overview.get();
                    let peak = o.peak() as f64;
                    // Each bin where its time falls (the first and last clipped to the
                    // trace's ends: see `Overview::bin_span`).
                    let x = |i: usize| {
                        let (a, b) = o.bin_span(i);
                        (a * w, ((b - a) * w).max(0.5))
                    };
                    // Failures as the failed share of each bar (see `Overview`), with a
                    // floor so that a lone failure in a busy bin still shows.
                    let bar = |c: u32| (c as f64 / peak).sqrt() * h;
                    view! {
                        {o.events.iter().enumerate().filter(|(_, &c)| c > 0).map(|(i, &c)| {
                            let (bh, (bx, bw)) = (bar(c), x(i));
                            view! { <rect class="mm-events" x=bx y=h - bh width=bw height=bh></rect> }
                        }).collect_view()}
                        {o.failures.iter().enumerate().filter(|(_, &c)| c > 0).map(|(i, &c)| {
                            let share = o.failed_share(i);
                            let (bh, (bx, bw)) = ((bar(o.events[i]) * share).max(1.5), x(i));
                            view! { <rect class="mm-failures" x=bx y=h - bh width=bw.max(2.0) height=bh
                                data-share=format!("{share:.3}")><title>{format!("{c} of {} operations failed ({:.0} %)", o.operations[i], share * 100.0)}</title></rect> }
                        }).collect_view()}
                    }
                }}
                {move || {
                    let o = overview.get();
                    let (lo, hi) = match drag.get() {
                        Some((a, b)) => (a.min(b), a.max(b)),
                        None => ui.axis.get().map_or((0.0, 1.0), |a| o.window_of(&a)),
                    };
                    view! {
                        <rect class="mm-window" id="minimap-window" x=lo * w y=0.0 width=((hi - lo) * w).max(2.0) height=h
                            data-from=format!("{lo:.4}") data-to=format!("{hi:.4}")></rect>
                    }
                }}
            </svg>
            // Ticks as HTML: text inside a stretched SVG would be stretched too.
            <div class="minimap-axis" id="minimap-axis">
                {move || overview.get().ticks(6).into_iter().map(|(f, label)| view! {
                    <span class="tick" style:left=format!("{:.3}%", f * 100.0)>{label}</span>
                }).collect_view()}
            </div>
        </div>
    }
}
