//! The views the page keeps up to date as a trace grows, and what it prepares before a large
//! trace's first frame: the plain types behind them are [`Derived`] (the minimap's bins, the
//! failed nodes) and [`GrowingRows`] (the tree's rows); this file holds them for the memos of
//! [`super::state::Ui`], with what they were derived for.
//!
//! A trace has an *epoch*: [`super::state::Ui::publish_shared`] (a new trace, or one rebuilt)
//! starts a new one and the views start over; [`super::state::Ui::publish_grown`] (the same
//! trace with events appended in place) keeps it, and the views follow the new events only.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use crate::view::derived::Derived;
use crate::view::filter::Query;
use crate::view::growing_rows::GrowingRows;
use crate::view::tree::TreeRows;

/// Bins across the minimap (at most; see [`crate::view::overview::Bins`]).
pub const MINIMAP_BINS: usize = 200;

/// What a trace's first frame would otherwise derive from all of it, derived before it is
/// shown (in slices between frames, as the inspection is built: see [`super::files`]).
pub struct Prepared {
    /// The minimap's bins and the failed nodes.
    pub derived: Derived,
    /// The tree's rows with nothing collapsed and no filter.
    pub rows: GrowingRows,
}

/// What a trace's rows are walked for: its epoch, the collapsed spans and the query.
pub(super) type RowsKey = (u64, HashSet<usize>, Query);

/// The growing views and what they were derived for: the trace (its epoch, see
/// [`Ui::publish_grown`]) and, for the rows, the collapse state and the query.
#[derive(Default)]
pub(super) struct Following {
    pub(super) epoch: u64,
    pub(super) derived: Option<(u64, Derived)>,
    pub(super) rows: Option<(RowsKey, GrowingRows)>,
    /// The selection's last trace: epoch and events seen.
    pub(super) searched: Option<(u64, usize)>,
}

/// The tree's rows, as the `rows` memo hands them out: a version (so the memo changes when
/// they do) and the rows themselves, kept up to date in place rather than copied per update.
#[derive(Clone)]
pub struct RowsView {
    pub(super) version: u64,
    pub(super) rows: Arc<Mutex<Following>>,
}

impl PartialEq for RowsView {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl RowsView {
    /// Reads the rows.
    pub fn with<R>(&self, f: impl FnOnce(&TreeRows) -> R) -> R {
        let following = self.rows.lock().unwrap_or_else(|e| e.into_inner());
        match &following.rows {
            Some((_, g)) => f(g.rows()),
            None => f(&TreeRows::default()),
        }
    }
}
