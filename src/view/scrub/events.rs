//! # One event at a time
//!
//! What showing or hiding one event does to the inspection: where it links ([`Scrub::resolve`]),
//! what it opens or closes ([`Scrub::plan`]), and the counts carried up its ancestors.

use uuid::Uuid;

use super::{Irregular, Links, Scrub, Step, NONE};
use crate::analysis::emission_order::{classify, Order};
use crate::analysis::findings;
use crate::analysis::lints::MAX_PLAUSIBLE_TIMESTAMP_NS;
use crate::analysis::summary::root_slot;
use crate::analysis::Inspection;
use crate::core::{History, Phase};
use crate::model::spans::{Span, Spans, Status};
use crate::model::EventLog;

impl Scrub {
    /// The events event `i` (the last one shown) links to, found by id: its parent and, for
    /// an end, its start, each if shown before it ([`NONE`] if never); or why it breaks the
    /// rule. A start already open makes the parent not needed.
    pub(super) fn resolve(
        trace: &EventLog,
        history: &History,
        i: usize,
    ) -> Result<Links, Irregular> {
        let id = trace.id(i);
        let held_at = history.position_of(&id);
        if trace.index_of(&id) != Some(i) || held_at != Some(history.first_position() + i as u64) {
            return Err(Irregular); // an id held twice
        }
        // Shown before `i`, or else never: an event the history holds from `i` on would
        // change what this one is when it shows.
        Scrub::links_by(trace, i, |x| match trace.index_of(x).filter(|&p| p < i) {
            Some(p) => Ok(p as u32),
            None if history.position_of(x).is_some() => Err(Irregular),
            None => Ok(NONE),
        })
    }

    /// The events event `i` links to, each found by `earlier` (its index if shown before
    /// `i`, [`NONE`] if never, or why that breaks the rule). A start already open makes the
    /// parent not needed.
    pub(super) fn links_by(
        trace: &EventLog,
        i: usize,
        earlier: impl Fn(&Uuid) -> Result<u32, Irregular>,
    ) -> Result<Links, Irregular> {
        let start = if trace.phase(i).is_end() {
            earlier(&trace.start_id(i).ok_or(Irregular)?)?
        } else {
            NONE
        };
        if start != NONE && trace.phase(start as usize) == Phase::Started {
            return Ok([NONE, start]);
        }
        let parent = trace.parent_id(i).map_or(Ok(NONE), |p| earlier(&p))?;
        Ok([parent, start])
    }

    /// What event `i` (the last one shown), linking to `links`, does to the spans.
    pub(super) fn plan(
        ins: &Inspection,
        i: usize,
        [parent, start]: Links,
    ) -> Result<Step, Irregular> {
        let (trace, spans) = (&ins.trace, &ins.spans);
        let phase = trace.phase(i);
        let status = if phase == Phase::Started {
            Status::Unfinished
        } else if phase.is_end() {
            if start != NONE && trace.phase(start as usize) == Phase::Started {
                let s = spans.span_of_event[start as usize];
                // A second end is numbered after every span: not a prefix's.
                return match spans.spans[s].end {
                    None => Ok(Step::Close(s)),
                    Some(_) => Err(Irregular),
                };
            }
            Status::EndOnly
        } else {
            Status::Point
        };
        let q = parent as usize;
        let (parent, orphan) = match trace.parent_id(i) {
            None => (None, false),
            // Only a span's opening event adopts children.
            Some(_) if parent != NONE && spans.spans[spans.span_of_event[q]].start == q => {
                (Some(spans.span_of_event[q]), false)
            }
            Some(_) => (None, true),
        };
        Ok(Step::Open {
            status,
            parent,
            orphan,
        })
    }

    /// Adds `delta` problems to span `s` and its ancestors, and `descendants` to the latter.
    pub(super) fn carry(spans: &mut [Span], s: usize, problems: isize, descendants: isize) {
        spans[s].problems = spans[s].problems.wrapping_add_signed(problems);
        let mut cur = spans[s].parent;
        while let Some(p) = cur {
            spans[p].problems = spans[p].problems.wrapping_add_signed(problems);
            spans[p].descendants = spans[p].descendants.wrapping_add_signed(descendants);
            cur = spans[p].parent;
        }
    }

    /// Counts span `span` in (`sign` 1) or out (-1) of the roots' counts, if it is a root.
    pub(super) fn tally_root(&mut self, span: &Span, sign: isize) {
        if span.parent.is_none() {
            let n = root_slot(&mut self.roots, span);
            *n = n.wrapping_add_signed(sign);
        }
    }

    /// Applies event `i`, the last one shown.
    pub(super) fn apply(
        &mut self,
        ins: &mut Inspection,
        history: &History,
        i: usize,
    ) -> Result<(), Irregular> {
        let trace = &ins.trace;
        let links = match self.links.get(i) {
            // Applied before: found by id then, and any arrival since was checked.
            Some(&links) => links,
            None => {
                let links = Scrub::resolve(trace, history, i)?;
                self.note_absent(trace, i, links);
                links
            }
        };
        self.apply_links(ins, i, links)
    }

    /// Remembers the ids event `i` links to in vain: if one arrives later, `i` was wrong.
    pub(super) fn note_absent(&mut self, trace: &EventLog, i: usize, [parent, start]: Links) {
        let phase = trace.phase(i);
        let absent = [
            trace.parent_id(i).filter(|_| parent == NONE),
            trace
                .start_id(i)
                .filter(|_| phase.is_end() && start == NONE),
        ];
        for x in absent.into_iter().flatten() {
            self.absent.entry(x).or_insert(i);
        }
    }

    /// Applies event `i`, the last one shown, linking to `links`.
    pub(super) fn apply_links(
        &mut self,
        ins: &mut Inspection,
        i: usize,
        links: Links,
    ) -> Result<(), Irregular> {
        let trace = &ins.trace;
        let step = Scrub::plan(ins, i, links)?;
        if i == self.links.len() {
            self.links.push(links);
        }
        let spans = &mut ins.spans;
        match step {
            Step::Close(s) => self.close(trace, spans, i, s),
            Step::Open {
                status,
                parent,
                orphan,
            } => self.open(trace, spans, i, status, parent, orphan),
        }
        let seq = trace.seq(i);
        let peak = self.seq_peaks.last().copied();
        let first = self.numbering_starts.last().map(|&s| trace.seq(s));
        match classify(seq, peak.map(|p| trace.seq(p)), first) {
            Order::Inverted => {
                let peak = peak.expect("an inversion is below a peak");
                self.book.append(i, findings::inversion(trace, i, peak));
            }
            Order::Restart => {
                let peak = peak.expect("a restart is below a peak");
                self.book
                    .append(i, findings::numbering_restart(trace, i, peak));
                self.numbering_starts.push(i);
                self.seq_peaks.push(i);
            }
            Order::Ahead => {
                if peak.is_none() {
                    self.numbering_starts.push(i);
                }
                self.seq_peaks.push(i);
            }
            Order::Same => {}
        }
        if trace.timestamp_ns(i) > MAX_PLAUSIBLE_TIMESTAMP_NS {
            self.book
                .append(i, findings::timestamp_out_of_range(trace, i));
        }
        Ok(())
    }

    /// Undoes event `i`, the last one shown (the caller hides it afterwards).
    pub(super) fn undo(&mut self, ins: &mut Inspection, i: usize) {
        let spans = &mut ins.spans;
        let s = spans.span_of_event.pop().expect("event i is shown");
        if spans.spans[s].start == i {
            // It opened the last span, a leaf by now.
            let own = isize::from(spans.spans[s].status.is_problem());
            Scrub::carry(&mut spans.spans, s, -own, -1);
            self.tally_root(&spans.spans[s], -1);
            let span = spans.spans.pop().expect("the last span");
            match span.parent {
                Some(p) => {
                    spans.spans[p].children.pop();
                }
                None => {
                    spans.roots.pop();
                }
            }
            self.unfinished_changed |= self.unfinished.remove(&s);
        } else {
            // It closed span `s`, unfinished again.
            let old = spans.spans[s].status;
            self.tally_root(&spans.spans[s], -1);
            spans.spans[s].end = None;
            spans.spans[s].status = Status::Unfinished;
            self.tally_root(&spans.spans[s], 1);
            self.paired_ends -= 1;
            Scrub::carry(&mut spans.spans, s, 1 - isize::from(old.is_problem()), 0);
            self.unfinished.insert(s);
            self.unfinished_changed = true;
            self.ends_early_changed |= self.ends_early.remove(&s);
        }
        if self.seq_peaks.last() == Some(&i) {
            self.seq_peaks.pop();
        }
        if self.numbering_starts.last() == Some(&i) {
            self.numbering_starts.pop();
        }
    }

    /// Event `i` ends span `s`.
    fn close(&mut self, trace: &EventLog, spans: &mut Spans, i: usize, s: usize) {
        let old = spans.spans[s].status;
        let new = Status::of_end(trace.phase(i));
        self.tally_root(&spans.spans[s], -1);
        spans.spans[s].end = Some(i);
        spans.spans[s].status = new;
        self.tally_root(&spans.spans[s], 1);
        spans.span_of_event.push(s);
        self.paired_ends += 1;
        let delta = isize::from(new.is_problem()) - isize::from(old.is_problem());
        Scrub::carry(&mut spans.spans, s, delta, 0);
        self.unfinished_changed |= self.unfinished.remove(&s);
        if trace.timestamp_ns(i) < trace.timestamp_ns(spans.spans[s].start) {
            self.ends_early.insert(s);
            self.ends_early_changed = true;
        }
    }

    /// Event `i` opens a span of its own.
    fn open(
        &mut self,
        trace: &EventLog,
        spans: &mut Spans,
        i: usize,
        status: Status,
        parent: Option<usize>,
        orphan: bool,
    ) {
        let s = spans.spans.len();
        spans.spans.push(Span {
            start: i,
            end: None,
            status,
            parent,
            children: Vec::new(),
            depth: parent.map_or(0, |p| spans.spans[p].depth + 1),
            orphan,
            cut: false,
            duplicate: false,
            descendants: 0,
            problems: 0,
        });
        spans.span_of_event.push(s);
        match parent {
            Some(p) => spans.spans[p].children.push(s),
            None => spans.roots.push(s),
        }
        self.tally_root(&spans.spans[s], 1);
        Scrub::carry(&mut spans.spans, s, isize::from(status.is_problem()), 1);
        match status {
            Status::Unfinished => {
                self.unfinished.insert(s);
                self.unfinished_changed = true;
            }
            Status::EndOnly => self.book.append(i, findings::end_only(trace, spans, i)),
            _ => {}
        }
        if orphan {
            self.book
                .append(i, findings::orphan(trace, i).expect("names a parent"));
        }
    }
}
