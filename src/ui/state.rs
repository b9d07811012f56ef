//! The inspector's state: signals the components read, and the actions that change them.
//!
//! Everything here is wiring. The replay (bus, executor, pipeline) and the inspection (spans,
//! lints, rows) are plain types from `replay` and `inspect`; this module only decides when to
//! rebuild them and hands the results to the components.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use uuid::Uuid;

use super::following::Following;
pub use super::following::{Prepared, RowsView, MINIMAP_BINS};
pub use super::shared::Shared;
use crate::analysis::latency::ModeTimeline;
use crate::analysis::Inspection;
use crate::core::Stats;
use crate::replay::Replay;
use crate::view::derived::Derived;
use crate::view::filter::Query;
use crate::view::growing_rows::GrowingRows;
use crate::view::overview::Overview;
use crate::view::timeline::Axis;
use crate::view::tree::collapsed_ancestors;
use crate::workload::PipelineConfig;

thread_local! {
    /// What the inspection signal holds for the instant the replay updates the inspection in
    /// place (see [`Ui::refresh_from_replay`]).
    static PLACEHOLDER: Shared<Inspection> = Shared::default();
}

/// The last search: the inspection it ran on, its query and what it selected. The inspection
/// is held weakly: a strong hold made every in-place update of the inspection (a replay's
/// step, a live batch: `Arc::make_mut`) clone all of it; a weak one only moves it to a new
/// address, which is also what tells the next search that it changed.
type LastSearch = Option<(std::sync::Weak<Inspection>, Query, Shared<Vec<bool>>)>;

/// Where the trace on screen came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Nothing yet.
    Empty,
    /// The live bus of the replay.
    Live,
    /// A file, by name.
    Imported(String),
    /// A listener followed live (`lineage listen`), by address (see [`super::live`]).
    Listener(String),
}

/// The tabs of the centre pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Trace,
    Compare,
}

/// All of the inspector's reactive state. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct Ui {
    pub config: RwSignal<PipelineConfig>,
    pub inspection: RwSignal<Shared<Inspection>>,
    /// Bumped on every rebuild; rows re-render when it changes.
    pub generation: RwSignal<u64>,
    pub stats: RwSignal<Option<Stats>>,
    /// The live run's emit modes by emission number (`None` for a file).
    pub modes: RwSignal<Option<ModeTimeline>>,
    pub source: RwSignal<Source>,
    pub recorded: RwSignal<usize>,
    pub cursor: RwSignal<usize>,
    pub finished: RwSignal<bool>,
    /// The live run was ended early by Stop.
    pub stopped: RwSignal<bool>,
    pub playing: RwSignal<bool>,
    pub busy: RwSignal<Option<String>>,
    pub speed: RwSignal<u32>,
    pub selected: RwSignal<Option<Uuid>>,
    pub collapsed: RwSignal<HashSet<usize>>,
    pub query: RwSignal<Query>,
    pub axis: RwSignal<Option<Axis>>,
    pub tab: RwSignal<Tab>,
    pub help_open: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    /// A note about the last import (skipped records, ...), dismissible.
    pub notice: RwSignal<Option<crate::trace::notice::Notices>>,
    /// A file is being dragged over the page.
    pub dragging: RwSignal<bool>,
    /// A file being read: how far it has got (`None`: no load, or cancelled).
    pub loading: RwSignal<Option<crate::trace::Progress>>,
    /// How long the last full view took: building the inspection plus the DOM update (ms).
    pub render_ms: RwSignal<Option<f64>>,
    pub replay: StoredValue<Option<Replay>, LocalStorage>,
    /// The rows of the tree under the current collapse state and filter.
    pub rows: Memo<RowsView>,
    /// Which spans the filter selects (all, when unfiltered).
    pub selection: Memo<Shared<Vec<bool>>>,
    /// The minimap's bins and the failed nodes, followed as the trace grows.
    pub counts: Memo<Shared<(Overview, usize)>>,
    /// The growing views (rows, counts) and the trace's epoch.
    following: StoredValue<Arc<Mutex<Following>>>,
}

impl Ui {
    pub fn new(config: PipelineConfig) -> Ui {
        let inspection: RwSignal<Shared<Inspection>> = RwSignal::new(Shared::default());
        let collapsed = RwSignal::new(HashSet::new());
        let query = RwSignal::new(Query::default());
        // The last search, so that one more typed character searches only its matches.
        let last: StoredValue<LastSearch, LocalStorage> = StoredValue::new_local(None);
        let following: StoredValue<Arc<Mutex<Following>>> = StoredValue::new(Arc::default());
        let follow = move || {
            following
                .get_value()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .epoch
        };
        let selection = Memo::new(move |_| {
            let ins = inspection.get();
            let q = query.get();
            let (epoch, held) = (follow(), ins.trace.len());
            let grown_from = following.with_value(|f| {
                let mut f = f.lock().unwrap_or_else(|e| e.into_inner());
                let before = f.searched.replace((epoch, held));
                before
                    .filter(|&(e, n)| e == epoch && n <= held)
                    .map(|(_, n)| n)
            });
            let selected = Shared(Arc::new(last.with_value(|l| match (l, grown_from) {
                // The same search over a trace grown in place: only what the new events
                // touched is searched.
                (Some((_, before, s)), Some(from)) if *before == q => {
                    q.select_grown(s, from, &ins.trace, &ins.spans)
                }
                (Some((of, before, s)), _) if std::ptr::eq(of.as_ptr(), Arc::as_ptr(&ins.0)) => {
                    q.select_after(before, s, &ins.trace, &ins.spans)
                }
                _ => q.select(&ins.trace, &ins.spans),
            })));
            last.set_value(Some((Arc::downgrade(&ins.0), q, selected.clone())));
            selected
        });
        let rows = Memo::new(move |prev: Option<&RowsView>| {
            let ins = inspection.get();
            let sel = selection.get();
            let q = query.get();
            let filtered = !q.is_empty() || q.invert;
            let shared = following.get_value();
            {
                let mut f = shared.lock().unwrap_or_else(|e| e.into_inner());
                let key = (f.epoch, collapsed.get(), q);
                if f.rows.as_ref().is_none_or(|(k, _)| *k != key) {
                    f.rows = Some((key, GrowingRows::default()));
                }
                if let Some((_, g)) = f.rows.as_mut() {
                    collapsed.with(|c| g.follow(&ins, c, &sel, filtered, usize::MAX));
                }
            }
            RowsView {
                version: prev.map_or(0, |p| p.version + 1),
                rows: shared,
            }
        });
        let counts = Memo::new(move |_| {
            let ins = inspection.get();
            let shared = following.get_value();
            let mut f = shared.lock().unwrap_or_else(|e| e.into_inner());
            let epoch = f.epoch;
            if f.derived.as_ref().is_none_or(|(e, _)| *e != epoch) {
                f.derived = Some((epoch, Derived::new(MINIMAP_BINS)));
            }
            let (_, d) = f.derived.as_mut().expect("set above");
            d.follow(&ins, usize::MAX);
            Shared(Arc::new((d.overview(), d.failed_nodes())))
        });
        Ui {
            config: RwSignal::new(config),
            inspection,
            generation: RwSignal::new(0),
            stats: RwSignal::new(None),
            modes: RwSignal::new(None),
            source: RwSignal::new(Source::Empty),
            recorded: RwSignal::new(0),
            cursor: RwSignal::new(0),
            finished: RwSignal::new(false),
            stopped: RwSignal::new(false),
            playing: RwSignal::new(false),
            busy: RwSignal::new(None),
            speed: RwSignal::new(100),
            selected: RwSignal::new(None),
            collapsed,
            query,
            axis: RwSignal::new(None),
            tab: RwSignal::new(Tab::Trace),
            help_open: RwSignal::new(false),
            error: RwSignal::new(None),
            loading: RwSignal::new(None),
            render_ms: RwSignal::new(None),
            notice: RwSignal::new(None),
            dragging: RwSignal::new(false),
            replay: StoredValue::new_local(None),
            rows,
            selection,
            counts,
            following,
        }
    }

    /// Starts a new trace for the growing views: the next inspection published is not the
    /// last one grown.
    fn new_epoch(&self, prepared: Option<Prepared>) {
        let shared = self.following.get_value();
        let mut f = shared.lock().unwrap_or_else(|e| e.into_inner());
        f.epoch += 1;
        f.derived = None;
        f.rows = None;
        f.searched = None;
        if let Some(p) = prepared {
            let epoch = f.epoch;
            f.derived = Some((epoch, p.derived));
            f.rows = Some(((epoch, HashSet::new(), Query::default()), p.rows));
        }
    }

    /// Brings the inspection to the replay's cursor and publishes it. The replay updates it
    /// from the events between the last cursor and this one ([`Replay::inspection`]), in
    /// place: the signal lets go of it first.
    pub fn refresh_from_replay(&self) {
        if self.replay.with_value(Option::is_none) {
            return;
        }
        self.inspection
            .update_untracked(|i| *i = PLACEHOLDER.with(Clone::clone));
        let built = self.replay.try_update_value(|r| {
            r.as_mut().map(|r| {
                (
                    r.inspection(),
                    r.modes().clone(),
                    r.stats(),
                    r.recorded(),
                    r.cursor(),
                    r.finished(),
                    r.stopped(),
                )
            })
        });
        if let Some((ins, modes, stats, recorded, cursor, finished, stopped)) = built.flatten() {
            self.publish_shared(Shared(ins));
            self.modes.set(Some(modes));
            self.stats.set(Some(stats));
            self.recorded.set(recorded);
            self.cursor.set(cursor);
            self.finished.set(finished);
            self.stopped.set(stopped);
        }
    }

    /// Shows a new inspection; keeps the axis if the user zoomed, fits it otherwise.
    pub fn publish(&self, ins: Inspection) {
        self.publish_shared(Shared(Arc::new(ins)));
    }

    /// [`Ui::publish`] for an inspection already shared.
    pub fn publish_shared(&self, ins: Shared<Inspection>) {
        self.new_epoch(None);
        self.show(ins);
    }

    /// Shows the inspection on screen grown in place: the same trace with events appended
    /// (a live batch, [`crate::view::scrub::Scrub::append`]). The minimap's counts, the
    /// search and the tree's rows then follow the new events only.
    pub fn publish_grown(&self, ins: Shared<Inspection>) {
        self.show(ins);
    }

    fn show(&self, ins: Shared<Inspection>) {
        let (lo, hi) = ins.trace.time_range();
        if self.axis.get_untracked().is_none() {
            self.axis.set(Some(Axis::fit(lo, hi)));
        } else if self.playing.get_untracked() {
            // While playing, the window follows the growing trace.
            self.axis.set(Some(Axis::fit(lo, hi)));
        }
        self.inspection.set(ins);
        self.generation.update(|g| *g += 1);
    }

    /// Shows an imported trace instead of the live one, inspecting it in one go.
    pub fn show_imported(&self, name: String, trace: crate::model::EventLog) {
        self.show_inspected(name, Inspection::of_trace(trace, &[]), None);
    }

    /// Shows an imported trace, its inspection built already (the page builds it in slices
    /// between frames: see [`super::files`]).
    pub fn show_inspected(&self, name: String, ins: Inspection, prepared: Option<Prepared>) {
        self.playing.set(false);
        self.replay.set_value(None);
        self.collapsed.set(HashSet::new());
        self.selected.set(None);
        self.axis.set(None);
        self.stats.set(None);
        self.modes.set(None);
        let n = ins.trace.len();
        self.new_epoch(prepared);
        self.show(Shared(Arc::new(ins)));
        self.recorded.set(n);
        self.cursor.set(n);
        self.finished.set(true);
        self.source.set(Source::Imported(name));
    }

    /// Selects the event (and so its span everywhere).
    pub fn select(&self, id: Uuid) {
        self.selected.set(Some(id));
        // Make sure the selected span is visible: expand its collapsed ancestors.
        let ins = self.inspection.get_untracked();
        if let Some(i) = ins.trace.index_of(&id) {
            let s = ins.spans.span_of_event[i];
            let hiding = self
                .collapsed
                .with_untracked(|c| collapsed_ancestors(&ins.spans, c, s));
            if !hiding.is_empty() {
                self.collapsed.update(|c| {
                    for a in &hiding {
                        c.remove(a);
                    }
                });
            }
        }
    }

    /// The span of the selected event, if any.
    pub fn selected_span(&self) -> Option<usize> {
        let id = self.selected.get()?;
        self.inspection
            .with(|ins| ins.trace.index_of(&id).map(|i| ins.spans.span_of_event[i]))
    }

    pub fn toggle_collapsed(&self, span: usize) {
        self.collapsed.update(|c| {
            if !c.remove(&span) {
                c.insert(span);
            }
        });
    }
}

/// The page's `performance.now()` in ms. The page times its slices and frames with it, many
/// times a frame, so the `Performance` object is fetched once per thread and kept: looking it
/// up through `window` each time was two more calls into the browser per read (the bus's
/// clock does the same: `measure::performance_clock`).
pub(crate) fn now_ms() -> f64 {
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> =
            web_sys::window().and_then(|w| w.performance());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}
