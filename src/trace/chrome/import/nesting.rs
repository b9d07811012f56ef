//! # The end of a Chrome import, in steps
//!
//! Other tools' slices, held until the end of the input, become events: each slice's parent
//! is the innermost slice of its thread open around it (found in one sort by thread, start
//! and length), its root the topmost of those, and its ids come from its place in the file.
//!
//! For a million slices that is a sort, two passes and two million events made and pushed:
//! seconds of work. The page cannot spend them in one frame, so the pass is an [`Ending`]
//! that [`Reader::finish_step`] advances a bounded number of items at a time (the sort too,
//! through [`StepSort`]); the command line runs it in one call with an unbounded step. The
//! stages and their order are the same either way, so the events are too.

use std::cmp::{Ordering, Reverse};

use super::{Reader, Slice, ENDED, INSTANT, NESTS, OURS};
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;
use crate::trace::step_sort::StepSort;
use crate::trace::stream::output::Output;

/// "No parent" in [`Ending::parent`].
const NONE: u32 = u32::MAX;

/// Where the end-of-input pass is; each stage goes through the slices in its order.
enum Stage {
    /// Sorting the slices by thread, start, longest first: the order nesting is found in.
    Sort(StepSort),
    /// Each slice's parent: the innermost slice of its thread open around it.
    Parents,
    /// Each slice's topmost ancestor (the order puts every parent before its children).
    Roots,
    /// A start (or point) event per slice, then an end event per slice that ended.
    Starts,
    Ends,
}

/// The end-of-input pass under way; see the module docs.
pub(super) struct Ending {
    stage: Stage,
    shift: i128,
    order: Vec<u32>,
    parent: Vec<u32>,
    root: Vec<u32>,
    /// The next item of the stage.
    at: usize,
    /// The open slices of the thread being nested, innermost last.
    stack: Vec<u32>,
    thread: Option<u32>,
}

fn end(f: &Slice) -> i128 {
    if f.flags & ENDED != 0 {
        f.end
    } else {
        i128::MAX
    }
}

/// The nesting order: thread, start, longest first, slices before instants, file order.
fn nesting_order(s: &[Slice], a: u32, b: u32) -> Ordering {
    let key = |k: u32| {
        let f = &s[k as usize];
        (
            f.thread,
            f.start,
            Reverse(end(f)),
            f.flags & INSTANT,
            f.index,
        )
    };
    key(a).cmp(&key(b))
}

impl Reader {
    /// Advances the end-of-input pass by about `budget` items (at least one); `true` once
    /// every event is pushed.
    pub(crate) fn finish_step<S: EventSink>(
        &mut self,
        out: &mut Output<S>,
        budget: usize,
    ) -> Result<bool, ImportError> {
        let mut ending = match self.ending.take() {
            Some(e) => e,
            None => match self.begin_ending(out) {
                Some(e) => e,
                None => return Ok(true),
            },
        };
        let mut left = budget.max(1);
        while left > 0 {
            if self.advance(&mut ending, out, &mut left)? {
                // Done: give back what the pass and the slices held.
                self.slices = Vec::new();
                self.args_bytes = 0;
                return Ok(true);
            }
        }
        self.finish_fraction = ending.fraction(self.slices.len());
        self.ending = Some(ending);
        Ok(false)
    }

    /// The notes on unclosed slices and on the time shift, and the pass over the slices
    /// (`None` when there are none).
    fn begin_ending<S: EventSink>(&mut self, out: &mut Output<S>) -> Option<Box<Ending>> {
        self.note_unclosed(out);
        self.note_missing_durations(out);
        // The store makes room for them now, while it is small (for a bomb: empty), instead
        // of rebuilding its indexes from everything held each time they fill up.
        out.reserve(out.pending, 1);
        // From here on the held-back events are pushed one by one and counted as they go.
        out.pending = 0;
        if self.slices.is_empty() {
            return None;
        }
        let shift = self.shift(out);
        Some(Box::new(Ending {
            stage: Stage::Sort(StepSort::new(self.slices.len())),
            shift,
            order: Vec::new(),
            parent: Vec::new(),
            root: Vec::new(),
            at: 0,
            stack: Vec::new(),
            thread: None,
        }))
    }

    fn note_unclosed<S>(&self, out: &mut Output<S>) {
        let mut unclosed: Vec<usize> = self
            .open
            .values()
            .map(|stack| stack.iter().filter(|&&f| f != OURS).count())
            .filter(|&n| n > 0)
            .collect();
        unclosed.sort_unstable();
        // One note per thread reads well for a few; a crafted file has a million threads.
        if unclosed.len() > 3 {
            out.notes.push(format!(
                "{} B event(s) on {} threads have no E: read as never finished",
                unclosed.iter().sum::<usize>(),
                unclosed.len()
            ));
            return;
        }
        for n in unclosed {
            out.notes.push(format!(
                "{n} B event(s) on one thread have no E: read as never finished"
            ));
        }
    }

    fn note_missing_durations<S>(&self, out: &mut Output<S>) {
        match self.no_dur {
            (0, _) => {}
            (1, first) => out.notes.push(format!(
                "traceEvents[{first}] (X) has no dur; it was read as lasting 0 µs"
            )),
            (n, first) => out.notes.push(format!(
                "{} X events have no dur (the first: traceEvents[{first}]); they were read as \
                 lasting 0 µs",
                crate::text::count::grouped(n)
            )),
        }
    }

    /// Times must be non-negative nanoseconds: the shift for a trace that starts before 0.
    fn shift<S>(&self, out: &mut Output<S>) -> i128 {
        let min = self.slices.iter().map(|f| f.start).min().unwrap_or(0);
        if min < 0 {
            out.notes.push(format!(
                "timestamps start at {} µs; shifted so the trace starts at 0",
                min as f64 / 1000.0
            ));
            -min
        } else {
            0
        }
    }

    /// Works on the current stage while `left` lasts; `true` when the last event is pushed.
    fn advance<S: EventSink>(
        &self,
        e: &mut Ending,
        out: &mut Output<S>,
        left: &mut usize,
    ) -> Result<bool, ImportError> {
        let s = &self.slices;
        let n = s.len();
        match &mut e.stage {
            Stage::Sort(sort) => {
                match sort.step(*left, |a, b| nesting_order(s, a, b)) {
                    Some(order) => {
                        e.order = order;
                        e.parent = vec![NONE; n];
                        e.next(Stage::Parents);
                    }
                    None => *left = 0,
                }
                *left = left.saturating_sub(1);
            }
            Stage::Parents => {
                while e.at < n && *left > 0 {
                    e.nest(s, e.order[e.at]);
                    e.at += 1;
                    *left -= 1;
                }
                if e.at == n {
                    e.stack = Vec::new();
                    e.root = (0..n as u32).collect();
                    e.next(Stage::Roots);
                }
            }
            Stage::Roots => {
                while e.at < n && *left > 0 {
                    let k = e.order[e.at] as usize;
                    if e.parent[k] != NONE {
                        e.root[k] = e.root[e.parent[k] as usize];
                    }
                    e.at += 1;
                    *left -= 1;
                }
                if e.at == n {
                    e.order = Vec::new();
                    e.next(Stage::Starts);
                }
            }
            Stage::Starts => {
                while e.at < n && *left > 0 {
                    let (parent, root) = e.links(s, e.at);
                    out.push(self.start_event(&s[e.at], parent, root, e.shift))?;
                    e.at += 1;
                    *left -= 1;
                }
                if e.at == n {
                    e.next(Stage::Ends);
                }
            }
            Stage::Ends => {
                while e.at < n && *left > 0 {
                    let f = &s[e.at];
                    if f.flags & INSTANT == 0 && f.flags & ENDED != 0 {
                        let (parent, root) = e.links(s, e.at);
                        out.push(self.end_event(f, parent, root, e.shift))?;
                    }
                    e.at += 1;
                    *left -= 1;
                }
                return Ok(e.at == n);
            }
        }
        Ok(false)
    }
}

impl Ending {
    fn next(&mut self, stage: Stage) {
        self.stage = stage;
        self.at = 0;
    }

    /// Finds the parent of slice `k`, the next in the nesting order.
    fn nest(&mut self, s: &[Slice], k: u32) {
        let f = &s[k as usize];
        if self.thread != Some(f.thread) {
            self.stack.clear();
            self.thread = Some(f.thread);
        }
        while let Some(&top) = self.stack.last() {
            let top_end = end(&s[top as usize]);
            if top_end < f.start || top_end < end(f) {
                self.stack.pop();
            } else {
                break;
            }
        }
        if f.flags & NESTS != 0 {
            self.parent[k as usize] = self.stack.last().copied().unwrap_or(NONE);
        }
        if f.flags & INSTANT == 0 {
            self.stack.push(k);
        }
    }

    /// Slice `k`'s parent and root, as places in the file.
    fn links(&self, s: &[Slice], k: usize) -> (Option<u64>, u64) {
        let parent = self.parent[k];
        let parent = (parent != NONE).then(|| s[parent as usize].index);
        (parent, s[self.root[k] as usize].index)
    }

    /// How far the pass has got, 0 to 1: the sort is the first third, the events the last.
    fn fraction(&self, n: usize) -> f64 {
        let part = |at: usize| at as f64 / n.max(1) as f64;
        match &self.stage {
            Stage::Sort(sort) => sort.fraction() / 3.0,
            Stage::Parents => 1.0 / 3.0 + part(self.at) / 12.0,
            Stage::Roots => 1.0 / 3.0 + 1.0 / 12.0 + part(self.at) / 12.0,
            Stage::Starts => 0.5 + part(self.at) / 4.0,
            Stage::Ends => 0.75 + part(self.at) / 4.0,
        }
    }
}
