//! The page following a live source: a browser `EventSource` on the listener's stream (in a
//! dedicated worker, `live/pipe.rs`), a loop that stores what arrived, and a loop that redraws
//! once per animation frame.
//!
//! Everything that decides is plain and tested natively ([`crate::view::live`]): what a
//! message says, which events are new, when to reconnect, how the view grows. This file only
//! wires them: the stream's handlers hand each message to the [`LiveFeed`] and note what it
//! asks for ([`Reaction`]); `Live::frame` does it and publishes the [`LiveView`] when
//! [`RedrawPace`] says (at the next frame while the stream is calm, at most every 200 ms
//! under a flood); the store loop takes the waiting events into the view's store in
//! slices of at most [`SLICE_MS`], giving the browser a turn between two
//! (`browser_turn`), so no task of the page's is long enough to hold a frame back.
//!
//! A handler never opens or closes the stream itself: dropping an `EventSource`'s closures
//! from inside one of them would free the closure that is running. The frame does it.

use leptos::prelude::*;

mod pipe;
mod profile;
mod store;
mod stream;
mod warm;
mod warm_screen;

use super::browser_turn::browser_turn;
use super::state::{now_ms, Shared, Source, Ui};
use crate::view::live::{
    FrameBudget, FrameProfile, LiveAddress, LiveFeed, LiveView, Reaction, RedrawPace,
};
use crate::view::timeline::Axis;
use crate::view::viewport::row_top;
use stream::Stream;

/// Work per frame on a rebuild, in ms: well under a frame of 100 ms (new events have their
/// own budget, [`FrameBudget`]).
const FRAME_BUDGET_MS: f64 = crate::view::live::budget::CALM_MS;
/// New events stored between two looks at the clock.
const STORE_SLICE: usize = 512;
/// Storing work per task, in ms, before the browser gets a turn: a frame's 16 ms less what
/// the browser needs. Before, a frame stored for up to 45 ms and then redrew in the same
/// task: frames of 83–150 ms at 100 k events/s (docs/live-page.md).
pub const SLICE_MS: f64 = 8.0;
/// Events stored this recently mean the stream is flooding: the screen is redrawn at most
/// every 200 ms ([`RedrawPace`]), not at every frame.
const FLOOD_WITHIN_MS: f64 = 100.0;
/// Items of a rebuild between two looks at the clock.
const BUILD_SLICE: usize = 8 * 1024;

/// The live source's state on the page. `Copy`: arena handles only.
#[derive(Clone, Copy)]
pub struct Live {
    feed: StoredValue<Option<LiveFeed>, LocalStorage>,
    view: StoredValue<LiveView, LocalStorage>,
    stream: StoredValue<Option<Stream>, LocalStorage>,
    /// The worker that reads the stream off the main thread (`live/pipe.rs`).
    pipe: StoredValue<pipe::Pipe, LocalStorage>,
    /// What the last handler asked of the stream, done by the next frame.
    asked: StoredValue<Reaction, LocalStorage>,
    /// Bumped by every connect and disconnect: a frame loop or stream of an older one stops.
    session: StoredValue<u64, LocalStorage>,
    /// Bumped when a stream is opened or asked to close: messages of an older stream (still
    /// arriving until the frame closes it) are ignored, so a stream the feed has left (a
    /// restarted listener read again from 1) adds nothing.
    stream_id: StoredValue<u64, LocalStorage>,
    /// Events taken per frame, learnt from the time the frames' work took.
    budget: StoredValue<FrameBudget, LocalStorage>,
    /// When the screen shows what was stored (at most every 200 ms under a flood).
    pace: StoredValue<RedrawPace, LocalStorage>,
    /// When the store loop last stored events (the page's clock, ms).
    stored_at: StoredValue<f64, LocalStorage>,
    /// Follow scrolls the tree at the next frame, once the rows published are drawn.
    scroll_due: StoredValue<bool, LocalStorage>,
    /// Where the frames' time goes, when asked ([`profile`]).
    profile: StoredValue<Option<FrameProfile>, LocalStorage>,
    /// The bar is shown.
    pub bar_open: RwSignal<bool>,
    /// The listener followed, for the page's address (`None`: none).
    pub address: RwSignal<Option<LiveAddress>>,
    /// The connection line (`live`, `reconnecting in 2 s (…)`, ...) and its class.
    pub state_line: RwSignal<(String, &'static str)>,
    /// The counts line (`1 204 received · 3 waiting · …`).
    pub counts: RwSignal<String>,
    pub paused: RwSignal<bool>,
    /// Keep the newest operation in view.
    pub follow: RwSignal<bool>,
    /// Events stored since connecting (in the view, and let go to keep within the page's
    /// budget) and the wall clock (`Date.now()`, ms) when the last ones were applied: on the bar as `data-applied` / `data-last-applied-ms`, so a client on the
    /// same machine measures export → page latency against its own clock (docs/live.md).
    pub applied: RwSignal<(usize, f64)>,
    /// Who reads the stream: `worker` (the page's worker, `live/pipe.rs`), `page` (the page's
    /// own `EventSource`), or empty before the first stream; on the bar as `data-reader`.
    pub reader: RwSignal<&'static str>,
}

impl Live {
    pub fn new() -> Live {
        Live {
            feed: StoredValue::new_local(None),
            view: StoredValue::new_local(LiveView::default()),
            stream: StoredValue::new_local(None),
            pipe: StoredValue::new_local(pipe::Pipe::default()),
            asked: StoredValue::new_local(Reaction::Nothing),
            session: StoredValue::new_local(0),
            stream_id: StoredValue::new_local(0),
            budget: StoredValue::new_local(FrameBudget::default()),
            pace: StoredValue::new_local(RedrawPace::default()),
            stored_at: StoredValue::new_local(f64::NEG_INFINITY),
            scroll_due: StoredValue::new_local(false),
            profile: StoredValue::new_local(None),
            bar_open: RwSignal::new(false),
            address: RwSignal::new(None),
            state_line: RwSignal::new(("not connected".into(), "idle")),
            counts: RwSignal::new(String::new()),
            paused: RwSignal::new(false),
            follow: RwSignal::new(true),
            applied: RwSignal::new((0, 0.0)),
            reader: RwSignal::new(""),
        }
    }

    /// Follows the listener at `address` from its first event, replacing the trace on screen.
    pub fn connect(self, ui: Ui, address: LiveAddress) {
        self.stream.set_value(None);
        let session = self.session.get_value() + 1;
        self.session.set_value(session);
        ui.playing.set(false);
        ui.replay.set_value(None);
        ui.stats.set(None);
        ui.modes.set(None);
        ui.selected.set(None);
        ui.axis.set(None);
        ui.error.set(None);
        ui.collapsed.set(Default::default());
        ui.source.set(Source::Listener(address.label().to_string()));
        ui.finished.set(false);
        self.view.set_value(LiveView::default());
        self.pace.set_value(RedrawPace::default());
        self.profile.set_value(None);
        self.publish(ui, false);
        self.address.set(Some(address.clone()));
        self.feed.set_value(Some(LiveFeed::new(address)));
        self.paused.set(false);
        self.bar_open.set(true);
        self.asked.set_value(Reaction::Open);
        leptos::task::spawn_local(async move {
            while self.session.get_value() == session {
                next_frame().await;
                if self.session.get_value() == session {
                    self.frame(ui);
                }
            }
        });
        leptos::task::spawn_local(async move {
            while self.session.get_value() == session {
                // A slice stored, and more waits: the next slice after the browser's turn
                // (a frame, a message, input); else wait for a frame's worth of time.
                if self.store(ui, now_ms()) > 0 && self.waiting() > 0 {
                    browser_turn().await;
                } else {
                    next_frame().await;
                }
            }
        });
    }

    /// Stops following; the trace stays on screen.
    pub fn disconnect(self, reason: &str) {
        self.session.update_value(|s| *s += 1);
        self.stream.set_value(None);
        self.feed.update_value(|f| {
            if let Some(f) = f {
                f.close(reason);
            }
        });
        self.address.set(None);
        self.refresh_lines();
    }

    /// Whether a feed is on (connecting, live or reconnecting).
    pub fn is_on(self) -> bool {
        self.feed.with_value(|f| {
            f.as_ref().is_some_and(|f| {
                !matches!(f.connection.state, crate::view::live::State::Closed { .. })
            })
        })
    }

    pub fn toggle_pause(self) {
        let paused = !self.paused.get_untracked();
        self.feed.update_value(|f| {
            if let Some(f) = f {
                if paused {
                    f.pause()
                } else {
                    f.resume()
                }
            }
        });
        self.paused.set(paused);
        self.refresh_lines();
    }

    fn ask(self, r: Reaction) {
        if r != Reaction::Nothing {
            // The stream this came from is done with: ignore the rest of it.
            self.stream_id.update_value(|s| *s += 1);
            self.asked.set_value(r);
        }
    }

    /// One animation frame: the stream as asked, then the view advanced by what waits.
    fn frame(self, ui: Ui) {
        if !matches!(ui.source.get_untracked(), Source::Listener(_)) {
            // A file opened, a run started or A swapped in: the screen is theirs now.
            self.disconnect("the trace on screen was replaced");
            return;
        }
        if self.profile.with_value(Option::is_none) && profile::asked() {
            self.profile.set_value(Some(FrameProfile::default()));
        }
        if std::mem::take(&mut *self.scroll_due.write_value()) {
            scroll_tree_to_end(ui);
        }
        let now = now_ms();
        let ticked = self
            .feed
            .try_update_value(|f| f.as_mut().map(|f| f.tick(now)));
        self.ask(ticked.flatten().unwrap_or(Reaction::Nothing));
        match std::mem::replace(&mut *self.asked.write_value(), Reaction::Nothing) {
            Reaction::Open => self.open_stream(),
            Reaction::CloseStream => self.stream.set_value(None),
            Reaction::Nothing => {}
        }
        let t0 = now_ms();
        if self.view.with_value(|v| v.building().is_some()) {
            let done = self.view.try_update_value(|v| {
                while now_ms() - t0 < FRAME_BUDGET_MS {
                    if v.build_step(BUILD_SLICE) {
                        return true;
                    }
                }
                false
            });
            if done == Some(true) {
                self.publish(ui, false);
            }
            self.refresh_lines();
        } else if self.redraw(ui, t0) {
            self.refresh_lines();
        }
    }

    /// Redraws what was stored, when the pace says ([`RedrawPace`]): at once while nothing
    /// waits to be stored, at most every 200 ms while events keep coming. Returns whether
    /// the connection and counts lines are due too: with a redraw, or while calm (under a
    /// flood their text changed every frame, and each change cost the page a layout:
    /// 96 layouts in an 8 s run, docs/live-page.md).
    fn redraw(self, ui: Ui, now: f64) -> bool {
        // Under a flood the store loop stores every few ms: events wait, or were stored
        // within the last frames.
        let flooding = self.waiting() > 0 || now - self.stored_at.get_value() < FLOOD_WITHIN_MS;
        if !self.pace.with_value(|p| p.due(now, flooding)) {
            return !flooding;
        }
        self.pace.update_value(|p| p.drawn(now));
        // In place, the page's views follow the new events only; a rebuilt view is new.
        let grown = self
            .view
            .with_value(|v| v.in_step() && v.building().is_none());
        let t1 = now_ms();
        self.publish(ui, grown);
        self.note_redraw(0, now_ms() - t1);
        true
    }

    /// Shows the view's inspection; with Follow, the newest operation.
    /// `grown`: the inspection is the one published last, grown in place (see
    /// [`Ui::publish_grown`]).
    fn publish(self, ui: Ui, grown: bool) {
        let ins = self.view.with_value(LiveView::inspection);
        let n = ins.trace.len();
        let (lo, hi) = ins.trace.time_range();
        if grown {
            ui.publish_grown(Shared(ins));
        } else {
            ui.publish_shared(Shared(ins));
        }
        ui.recorded.set(n);
        ui.cursor.set(n);
        if self.follow.get_untracked() {
            ui.axis.set(Some(Axis::fit(lo, hi)));
            self.scroll_due.set_value(true);
        }
    }

    /// The connection and counts lines, set only when they change.
    fn refresh_lines(self) {
        let now = now_ms();
        let lines = self.feed.with_value(|f| {
            f.as_ref().map(|f| {
                let mut state = f.connection.describe(now);
                if f.connection.state == crate::view::live::State::Live {
                    state = format!("live · {}", f.address.label());
                }
                if f.suspended() {
                    state = format!("{state} · stream closed while too many wait");
                }
                let mut counts = f.describe_counts();
                if let Some(p) = f.problems.first() {
                    counts = format!("{counts} · first problem: {p}");
                }
                ((state, f.connection.class()), counts)
            })
        });
        let (building, linking) = self
            .view
            .with_value(|v| (v.building(), v.waiting_for_links()));
        if let Some((state, mut counts)) = lines {
            if linking > 0 {
                counts = format!("{counts} · {linking} wait for the span they belong to");
            }
            if let Some(b) = building {
                counts = format!("{counts} · rebuilding the view {:.0} %", b * 100.0);
            }
            if self.state_line.with_untracked(|s| *s != state) {
                self.state_line.set(state);
            }
            if self.counts.with_untracked(|c| *c != counts) {
                self.counts.set(counts);
            }
        }
    }
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

/// Resolves at the next animation frame (or after 100 ms if the browser gives none: a
/// hidden tab still drains its stream, slowly).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.request_animation_frame(&resolve);
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 100);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Scrolls the tree to its last row (Follow). The rows' height is known
/// ([`row_top`]): reading the element's `scrollHeight` after the redraw's writes made
/// Chromium lay the page out a second time each frame (2.0 s of 13.5 s in a 100 k events/s
/// run, docs/live-page.md). The browser clamps the value to the end.
fn scroll_tree_to_end(ui: Ui) {
    let rows = ui.rows.with_untracked(|r| r.with(|r| r.len()));
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".tree-scroll").ok().flatten());
    if let Some(el) = el {
        el.set_scroll_top(row_top(rows).min(i32::MAX as f64) as i32);
    }
}
