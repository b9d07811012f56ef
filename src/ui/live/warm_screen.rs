//! The warm-up's own screen: the components a live redraw runs (the summary bar, the
//! minimap, the tree, the lints) mounted on an element that is never put in the document,
//! with a [`Ui`] of their own, shown the warm-up's made-up trace as the live page shows a
//! growing one ([`Live::publish`](super::Live)).
//!
//! Why: the first redraw of a live trace was one of the long frames of the stream's first
//! second (its code still in V8's baseline tier: docs/live-page.md), and V8 optimises only
//! the functions that ran, so the components themselves must run. Nothing here is in the
//! document: no style, layout or paint, and no id a test or a person could find; the
//! page's own `Ui` is never touched. Dropped with the warm-up (unmounted, its signals
//! disposed with their owner).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::analysis::Inspection;
use crate::ui::lints::LintsPanel;
use crate::ui::minimap::Minimap;
use crate::ui::state::{Shared, Source, Ui};
use crate::ui::summary::SummaryBar;
use crate::ui::tree::TreeView;
use crate::view::timeline::Axis;

/// The mounted components and their `Ui`; unmounted when dropped.
pub(super) struct WarmScreen {
    ui: Ui,
    /// Whether it showed a trace yet (the first is published whole, then grown).
    shown: bool,
    _mounted: leptos::mount::UnmountHandle<AnyViewState>,
}

type AnyViewState = <AnyView as leptos::tachys::view::Render>::State;

impl WarmScreen {
    /// Mounts the components on a detached element; `None` without a document.
    pub(super) fn new() -> Option<WarmScreen> {
        let document = web_sys::window()?.document()?;
        let parent: web_sys::HtmlElement = document.create_element("div").ok()?.dyn_into().ok()?;
        let made: Rc<Cell<Option<Ui>>> = Rc::default();
        let mounted = leptos::mount::mount_to(parent, {
            let made = made.clone();
            move || {
                // Made here, so its signals belong to the mount's owner and go with it.
                let ui = Ui::new(crate::workload::PipelineConfig::default());
                ui.source.set(Source::Listener("warm-up".into()));
                made.set(Some(ui));
                view! {
                    <SummaryBar ui />
                    <Minimap ui />
                    <TreeView ui />
                    <LintsPanel ui />
                }
                .into_any()
            }
        });
        Some(WarmScreen {
            ui: made.take()?,
            shown: false,
            _mounted: mounted,
        })
    }

    /// Lets go of the inspection shown, so the warm-up's view grows it in place (as the
    /// page's store loop does before appending).
    pub(super) fn release(&self) {
        self.ui
            .inspection
            .update_untracked(|i| *i = Shared::default());
    }

    /// Shows `ins` as the live page publishes its grown trace (Follow on).
    pub(super) fn show(&mut self, ins: Arc<Inspection>) {
        let n = ins.trace.len();
        let (lo, hi) = ins.trace.time_range();
        if self.shown {
            self.ui.publish_grown(Shared(ins));
        } else {
            self.ui.publish_shared(Shared(ins));
            self.shown = true;
        }
        self.ui.recorded.set(n);
        self.ui.cursor.set(n);
        self.ui.axis.set(Some(Axis::fit(lo, hi)));
    }
}
