//! # Warming the live path before a stream starts
//!
//! Measured in headless Chromium at 100 k events/s (docs/live-page.md): every frame over
//! 100 ms falls in the stream's first second, while V8 still runs the page's wasm in its
//! baseline tier (Liftoff); with the optimising tier from the start (`--js-flags=
//! --no-liftoff`, which no user passes) the same runs meet the latency goals with room.
//! V8 optimises a wasm function once it has *itself* run enough (a budget of code executed
//! per function, counted in each function's own baseline code, and the call counts that
//! decide what it inlines), so only running the very functions of the live path warms it:
//! similar code does not.
//!
//! [`WarmUp`] runs made-up events, of the simulated pipeline's shape, through exactly what
//! a real message goes through on the page: the worker's batch read back ([`Frames`]), the
//! message's compact lines decoded ([`Message::parse_owned`]), the feed's numbering and
//! waiting queue ([`LiveFeed::on_message`], [`LiveFeed::take`]), the store and inspection
//! advanced in slices ([`LiveView::append`]), and the views that follow a grown trace (the
//! search's [`Query::select_grown`], the tree's [`GrowingRows::follow`], the minimap's
//! [`Derived::follow`]). Its feed, view and views are its own: nothing it makes reaches
//! the page's store or screen, and it is dropped when done. Making the messages (the
//! listener's [`Encoder`], not on the page's path) is the only work it adds.
//!
//! The page runs it in steps of a few ms while it is idle, from page load until it is done
//! or a real stream or a file needs the page (`ui/live/warm.rs`); the memory it grew stays
//! with the module's allocator for the first real events.

use std::collections::HashSet;

use uuid::Uuid;

use super::compact::Encoder;
use super::frames::{self, Frame, Frames};
use super::{LiveFeed, LiveView, Message};
use crate::core::Event;
use crate::view::derived::Derived;
use crate::view::filter::Query;
use crate::view::growing_rows::GrowingRows;

/// Two operations of the simulated pipeline (`lineage simulate --failure-rate 0.5`), one
/// completed and one failed, as lineage NDJSON: the shapes the made-up operations copy in
/// turn.
const TEMPLATE: &str = include_str!("warm_template.ndjson");
/// Events stored per call of [`LiveView::append`], as the page's store loop does.
const STORE_SLICE: usize = 512;
/// The minimap's bins, as the page's.
const BINS: usize = 200;
/// Made-up ids carry this in their top bits (no real event is ever compared with them: the
/// warm-up's view is its own).
const TAG: u128 = 0x7761_726d_u128 << 96;

/// Made-up events run through the live path; see the module docs.
pub struct WarmUp {
    /// One template operation after the other: (events, distinct ids in them).
    template: Vec<(Vec<Event>, Vec<Uuid>)>,
    /// Events made so far, and how many to make in all.
    made: usize,
    target: usize,
    feed: LiveFeed,
    view: LiveView,
    selected: Vec<bool>,
    searched: usize,
    rows: GrowingRows,
    derived: Derived,
}

impl WarmUp {
    /// A warm-up of `target` made-up events.
    pub fn new(target: usize) -> WarmUp {
        let events: Vec<Event> = TEMPLATE
            .lines()
            .filter_map(crate::trace::native::read_exact)
            .collect();
        let mut template: Vec<(Vec<Event>, Vec<Uuid>)> = Vec::new();
        for e in events {
            if e.parent_id.is_none() && e.start_id.is_none() {
                template.push((Vec::new(), Vec::new()));
            }
            if let Some((op, ids)) = template.last_mut() {
                for id in [Some(e.id), Some(e.root_id), Some(e.lineage_id)] {
                    if let Some(id) = id.filter(|id| !ids.contains(id)) {
                        ids.push(id);
                    }
                }
                op.push(e);
            }
        }
        let mut feed = LiveFeed::new(super::LiveAddress::default());
        feed.connection.live();
        WarmUp {
            template,
            made: 0,
            target,
            feed,
            view: LiveView::default(),
            selected: Vec::new(),
            searched: 0,
            rows: GrowingRows::default(),
            derived: Derived::new(BINS),
        }
    }

    /// Made-up events run through so far.
    pub fn warmed(&self) -> usize {
        self.made
    }

    /// The warm-up's own inspection, as the page would show it.
    pub fn inspection(&self) -> std::sync::Arc<crate::analysis::Inspection> {
        self.view.inspection()
    }

    pub fn done(&self) -> bool {
        self.made >= self.target
    }

    /// The made-up event number `n`: operation `n / len` of the template's, its ids new.
    fn event(&self, n: usize) -> Event {
        let per_round: usize = self.template.iter().map(|(op, _)| op.len()).sum();
        let (round, mut at) = (n / per_round, n % per_round);
        let mut which = 0;
        while at >= self.template[which].0.len() {
            at -= self.template[which].0.len();
            which += 1;
        }
        let (op, ids) = &self.template[which];
        let op_number = (round * self.template.len() + which) as u128;
        let new_id = |id: Uuid| {
            let k = ids.iter().position(|i| *i == id).unwrap_or(ids.len()) as u128;
            Uuid::from_u128(TAG | op_number << 16 | k)
        };
        let mut e = op[at].clone();
        let shift = round as u64 * 1_000_000;
        e.id = new_id(e.id);
        e.root_id = new_id(e.root_id);
        e.lineage_id = new_id(e.lineage_id);
        e.parent_id = e.parent_id.map(new_id);
        e.start_id = e.start_id.map(new_id);
        e.seq = n as u64;
        e.timestamp_ns = e.timestamp_ns.wrapping_add(shift);
        e
    }

    /// The next `n` made-up events as the worker hands a batch to the page: one frame
    /// holding an `events` message of compact lines, numbered as the listener numbers them.
    fn batch(&self, n: usize) -> Vec<u8> {
        let mut encoder = Encoder::default();
        let mut text = String::with_capacity(n * 160);
        for k in self.made..self.made + n {
            if k > self.made {
                text.push('\n');
            }
            encoder.write(&mut text, &self.event(k));
        }
        let last_seq = (self.made + n).to_string();
        let mut bytes = Vec::with_capacity(text.len() + 16);
        frames::write(&mut bytes, 2, &last_seq, &text);
        bytes
    }

    /// Runs `n` more made-up events through the live path (fewer at the end); returns how
    /// many.
    pub fn step(&mut self, n: usize, now_ms: f64) -> usize {
        let n = n.min(self.target - self.made.min(self.target));
        if n == 0 {
            return 0;
        }
        let bytes = self.batch(n);
        self.made += n;
        for frame in Frames::new(&bytes) {
            if let Ok(Frame::Message { name, id, data }) = frame {
                if let Ok(m) = Message::parse_owned(name, data.into(), id) {
                    self.feed.on_message(m, now_ms);
                }
            }
        }
        let events = self.feed.take(usize::MAX);
        let dedupe = self.feed.dedupe_by_id();
        let mut rest = events;
        while !rest.is_empty() {
            let slice: Vec<_> = rest.drain(..rest.len().min(STORE_SLICE)).collect();
            self.view.append(slice, dedupe, now_ms);
        }
        self.follow();
        n
    }

    /// The views a redraw follows the grown trace with, as the page's memos do.
    fn follow(&mut self) {
        let ins = self.view.inspection();
        self.selected =
            Query::default().select_grown(&self.selected, self.searched, &ins.trace, &ins.spans);
        self.searched = ins.trace.len();
        self.rows
            .follow(&ins, &HashSet::new(), &self.selected, false, usize::MAX);
        self.derived.follow(&ins, usize::MAX);
        let _ = (self.derived.overview(), self.derived.failed_nodes());
    }

    /// The warm-up's own view (for the tests: it must hold what a real stream would).
    #[cfg(test)]
    fn view(&self) -> &LiveView {
        &self.view
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn made_up_events_go_through_the_whole_path_into_the_warm_ups_own_view() {
        let mut w = WarmUp::new(1000);
        let mut steps = 0;
        while !w.done() {
            assert!(w.step(97, 0.0) > 0);
            steps += 1;
        }
        assert_eq!((w.warmed(), steps), (1000, 11));
        assert_eq!(w.step(97, 0.0), 0);
        // Every event was decoded, numbered, stored in place and followed by the views.
        assert_eq!(w.feed.received, 1000);
        assert_eq!((w.feed.rejected, w.feed.waiting()), (0, 0));
        assert_eq!(w.view().len(), 1000);
        assert!(
            w.view().in_step(),
            "the made-up trace must advance in place"
        );
        assert_eq!(w.view().waiting_for_links(), 0);
        let ins = w.view().inspection();
        assert!(w.derived.caught_up(&ins));
        // Each made-up operation is a tree of its own (6 events, 3 spans), every other one
        // failed, as the template's: 167 roots, the last cut after 4 of its 6 events.
        assert_eq!(ins.spans.roots.len(), 167);
        assert_eq!(ins.spans.spans.len(), 167 * 3);
        assert_eq!(w.derived.failed_nodes(), 83 * 3);
        // Nothing collapsed, nothing filtered: every span is a row.
        assert_eq!(w.rows.rows().len(), 167 * 3);
    }
}
