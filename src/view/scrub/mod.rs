//! # Scrubbing: the inspection at a moving cursor
//!
//! A replay shows the bus's history up to its cursor. Rebuilding that [`Inspection`] at every
//! move reads every event again (2 s a step at a million events); [`Scrub`] instead brings
//! the previous one to the new cursor from the events in between, forward or back, so a step
//! costs what it reveals or hides. Its result is the inspection built from scratch
//! ([`Inspection::of_history`]) at that cursor, field for field: the property tests check it
//! after any sequence of moves.
//!
//! ## Why a prefix can be updated event by event
//! In a trace where every event comes after what it links to (its parent, and for an end its
//! start) and no id is held twice, each event's place in the span forest depends only on the
//! events before it: a start or a single event opens the next span under its parent's span,
//! an end closes its start's span. Moving forward applies events one by one; moving back
//! undoes them, last first: the last event either opened the last span (a leaf by then) or
//! closed one. Depths, descendant and problem counts change on the ancestors only.
//!
//! A live run is such a trace, with two exceptions that stay exact: a parent or start evicted
//! by the history cap never comes back (the span is an orphan or a lone end for good), and a
//! start or end that names an event not yet shown would be wrong only if that event comes
//! later in the history, which is checked. Where the rule breaks anyway (an id held twice, an
//! end naming a start processed after it, a parent processed after its child, an end without
//! a start id, an operation ended twice), cursors past that event get a full rebuild: exact,
//! and as slow as before.
//!
//! Lints are kept as per-kind segments (`book`); the summary's counts come from the kept
//! counts instead of a walk over every span.

mod append;
mod book;
mod events;
// Property tests, with proptest: native only (their crafted traces serve the sliced build's
// tests too).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod tests;

use std::collections::{BTreeSet, HashMap};

use uuid::Uuid;

pub use self::append::Appended;
use self::book::LintBook;
use crate::analysis::findings;
use crate::analysis::lints::LintKind;
use crate::analysis::summary::Summary;
use crate::analysis::Inspection;
use crate::core::{HandlerFailure, History};
use crate::model::spans::Status;

/// An event that breaks the rule of the module docs: prefixes past it are rebuilt.
struct Irregular;

/// The events an event links to (parent, start), by index; [`NONE`] for none.
type Links = [u32; 2];
const NONE: u32 = u32::MAX;

/// What applying one event does to the spans.
enum Step {
    /// Opens a new span with this status, under this parent span (or as a root; an orphan
    /// when it names a parent that will never be shown).
    Open {
        status: Status,
        parent: Option<usize>,
        orphan: bool,
    },
    /// Closes this span.
    Close(usize),
}

/// The bookkeeping that lets an inspection follow a replay's cursor; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct Scrub {
    /// Whether the state describes the inspection it is handed (not after a full rebuild).
    in_step: bool,
    /// The history's evicted count the state was built at: an eviction renumbers the events.
    pruned: u64,
    /// The first event that breaks the rule, once met.
    irregular_from: Option<usize>,
    /// The history's length at the last step: events after it arrived since.
    seen: usize,
    /// Ids that events link to (as parent or start) and the history did not hold when they
    /// were applied, with the first such event: if one arrives later, that event was wrong.
    absent: HashMap<Uuid, usize>,
    /// What each event applied so far linked to, found by id once (moving forward again over
    /// events seen before costs no lookup).
    links: Vec<Links>,
    /// Spans unfinished at the cursor, and spans whose end comes before their start.
    unfinished: BTreeSet<usize>,
    ends_early: BTreeSet<usize>,
    /// Whether those changed since the last step (their lints are remade).
    unfinished_changed: bool,
    ends_early_changed: bool,
    /// Events at which the highest emission number so far rose (order inversions).
    seq_peaks: Vec<usize>,
    /// Events at which a numbering began: the first numbered event and each restart
    /// ([`crate::analysis::emission_order`]).
    numbering_starts: Vec<usize>,
    paired_ends: usize,
    /// The roots counted where they fit, in a summary's root fields.
    roots: Summary,
    book: LintBook,
    failures: Vec<HandlerFailure>,
}

impl Scrub {
    pub fn new() -> Scrub {
        Scrub::default()
    }

    /// Brings `ins` to the first `len` events of `history` (at most all of them), with the
    /// handler failures so far. `ins` must be the inspection this `Scrub` last brought (or a
    /// fresh one): the two go together.
    pub fn seek(
        &mut self,
        ins: &mut Inspection,
        history: &History,
        len: usize,
        failures: &[HandlerFailure],
    ) {
        let len = len.min(history.len());
        if !self.in_step || history.pruned() != self.pruned {
            self.start_over(ins, history, false);
        }
        self.check_arrivals(ins, history);
        if self.irregular_from.is_some_and(|f| len > f) {
            *ins = Inspection::of_history(history, len, failures);
            self.in_step = false;
            return;
        }
        let shown = ins.trace.len();
        if len < shown {
            if shown - len > len {
                // Cheaper to replay from the start than to undo (the events stay decoded).
                self.start_over(ins, history, true);
            } else {
                for i in (len..shown).rev() {
                    self.undo(ins, i);
                }
                ins.trace.show_first(len);
            }
        }
        for i in ins.trace.len()..len {
            if i < ins.trace.held() {
                ins.trace.show_first(i + 1);
            } else {
                let pos = history.first_position() + i as u64;
                let event = history.event(pos).expect("a position the history holds");
                let processed = history.processed_ns_at(pos).unwrap_or(0);
                ins.trace.push_processed(&event, processed);
            }
            if self.apply(ins, history, i).is_err() {
                self.irregular_from = Some(i);
                *ins = Inspection::of_history(history, len, failures);
                self.in_step = false;
                return;
            }
        }
        self.finish(ins, failures);
    }

    /// Whether bringing an inspection to `len` events would rebuild it whole (an irregular
    /// event before `len`, see the module docs): then one step to the end costs what any
    /// step does, and slicing it would rebuild it at every slice.
    pub fn rebuilds_at(&self, len: usize) -> bool {
        self.irregular_from.is_some_and(|f| len > f)
    }

    /// Looks at the events the history received since the last step: one whose id an event
    /// already applied linked to in vain, or already held, makes that event irregular.
    fn check_arrivals(&mut self, ins: &Inspection, history: &History) {
        let base = history.first_position();
        for pos in self.seen..history.len() {
            let id = history
                .record(base + pos as u64)
                .expect("a position the history holds")
                .id;
            let linked = self.absent.get(&id).copied();
            let held = ins.trace.store().position_of(&id).map(|p| p as usize);
            if let Some(e) = linked.into_iter().chain(held).min() {
                self.irregular_from = Some(self.irregular_from.map_or(e, |f| f.min(e)));
            }
        }
        self.seen = history.len();
    }

    /// Empties the inspection (keeping its decoded events if `keep_events`) and the state.
    fn start_over(&mut self, ins: &mut Inspection, history: &History, keep_events: bool) {
        let irregular_from = self
            .irregular_from
            .filter(|_| self.pruned == history.pruned());
        let keep = keep_events && self.pruned == history.pruned();
        let mut trace = std::mem::take(&mut ins.trace);
        let (mut links, mut absent) = (
            std::mem::take(&mut self.links),
            std::mem::take(&mut self.absent),
        );
        if keep {
            trace.show_first(0);
        } else {
            trace = Default::default();
            links.clear();
            absent.clear();
        }
        *ins = Inspection {
            trace,
            pruned: history.pruned(),
            ..Inspection::default()
        };
        *self = Scrub {
            in_step: true,
            pruned: history.pruned(),
            irregular_from,
            seen: history.len(),
            links,
            absent,
            book: LintBook::new(history.pruned() > 0),
            ..Scrub::default()
        };
    }

    /// Remakes the lints that changed in the middle, flushes the book, recounts.
    fn finish(&mut self, ins: &mut Inspection, failures: &[HandlerFailure]) {
        let (trace, spans) = (&ins.trace, &ins.spans);
        if std::mem::take(&mut self.unfinished_changed) {
            let made = self
                .unfinished
                .iter()
                .map(|&s| findings::unfinished(trace, spans.spans[s].start));
            self.book.remake(LintKind::Unfinished, made.collect());
        }
        if std::mem::take(&mut self.ends_early_changed) {
            let made = self.ends_early.iter().filter_map(|&s| {
                let span = &spans.spans[s];
                findings::end_before_start(trace, span.start, span.end?)
            });
            self.book.remake(LintKind::EndBeforeStart, made.collect());
        }
        if self.failures != failures {
            self.failures = failures.to_vec();
            let made = failures.iter().map(findings::handler_error).collect();
            self.book.remake(LintKind::HandlerError, made);
        }
        self.book
            .flush(&mut ins.lints, &mut ins.cut_by_cap, trace.len());
        ins.summary = Summary::with_counts(trace, spans, self.paired_ends, &self.roots, |k| {
            self.book.count(k)
        });
        ins.pruned = self.pruned;
    }
}
