//! # A live trace: events appended
//!
//! A page following a listener gets its events in batches, each after the ones it has. The
//! same bookkeeping that moves a replay's cursor forward ([`Scrub::seek`]) advances the
//! inspection by the new events only ([`Scrub::append`]): no history to look into for
//! events still to come, so an event that links to an id not held yet is remembered, and if
//! that id arrives later the event was irregular after all. From the first irregular event
//! on (an id held twice, a child before its parent, as OTLP exporters send spans when they
//! end, an end without a start id), the inspection can no longer be advanced: `append` says
//! so and the caller rebuilds it (in slices, between frames).

use crate::analysis::Inspection;
use crate::view::live::wire::Incoming;

use super::{Irregular, Scrub, NONE};

/// What [`Scrub::append`] did with the inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appended {
    /// Advanced by the new events: it is the inspection of the whole trace.
    InStep,
    /// The events were added to its trace, but its spans, lints and summary are stale: the
    /// caller rebuilds it from the trace (and from now on after every batch).
    Stale,
}

impl Scrub {
    /// Appends `events` to the trace of `ins` (which this `Scrub` has followed from empty)
    /// and advances the inspection by them; see the module docs. The events are owned
    /// [`Event`](crate::core::Event)s or a live stream's events as read
    /// ([`LiveEvent`](crate::view::live::LiveEvent)), stored without being made owned.
    pub fn append<E: Incoming>(
        &mut self,
        ins: &mut Inspection,
        events: impl IntoIterator<Item = E>,
    ) -> Appended {
        if !self.in_step && ins.trace.is_empty() {
            *self = Scrub {
                in_step: true,
                ..Scrub::default()
            };
        }
        if !self.in_step {
            self.irregular_from.get_or_insert(0);
        }
        for e in events {
            if self.irregular_from.is_none() {
                // An id an applied event linked to in vain, or one held already.
                let id = e.id();
                let linked = self.absent.get(&id).copied();
                let held = ins.trace.index_of(&id);
                self.irregular_from = linked.into_iter().chain(held).min();
            }
            let i = e.push_to(&mut ins.trace);
            if self.irregular_from.is_some() {
                continue;
            }
            let trace = &ins.trace;
            // Held before `i`, or not yet; `i` itself (a self-parent) breaks the rule.
            let resolved = Scrub::links_by(trace, i, |x| match trace.index_of(x) {
                Some(p) if p < i => Ok(p as u32),
                Some(_) => Err(Irregular),
                None => Ok(NONE),
            });
            let applied = resolved.and_then(|links| {
                self.note_absent(&ins.trace, i, links);
                self.apply_links(ins, i, links)
            });
            if applied.is_err() {
                self.irregular_from = Some(i);
            }
        }
        if self.irregular_from.is_some() {
            self.in_step = false;
            return Appended::Stale;
        }
        self.finish(ins, &[]);
        Appended::InStep
    }

    /// Whether the inspection this `Scrub` follows is advanced in place (not rebuilt).
    pub fn in_step(&self) -> bool {
        self.in_step && self.irregular_from.is_none()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::analysis::crafted::{craft, difference, draw, pipeline_events};
    use crate::core::Event;
    use crate::model::EventLog;

    /// `events` appended in batches cut at `cuts`; whether it stayed in step, and the
    /// inspection (rebuilt when stale, as the page does).
    fn appended(events: &[Event], cuts: &[usize]) -> (Appended, Inspection) {
        let (mut scrub, mut ins) = (Scrub::new(), Inspection::default());
        let mut last = Appended::InStep;
        let mut at = 0;
        for &c in cuts.iter().chain([&events.len()]) {
            let c = c.clamp(at, events.len());
            last = scrub.append(&mut ins, events[at..c].iter().cloned());
            if last == Appended::Stale {
                ins = Inspection::of_trace(ins.trace.clone(), &[]);
            }
            at = c;
        }
        (last, ins)
    }

    #[test]
    fn a_simulated_run_appended_in_batches_is_followed_without_a_rebuild() {
        let events: Vec<Event> = pipeline_events(64);
        assert!(events.len() > 300, "{}", events.len());
        let whole = Inspection::of_trace(EventLog::new(events.clone()), &[]);
        for cuts in [
            vec![],
            vec![1, 2, 3],
            vec![100, 101, 250],
            (0..events.len()).collect(),
        ] {
            let (how, ins) = appended(&events, &cuts);
            assert_eq!(how, Appended::InStep);
            assert_eq!(difference(&ins, &whole), None, "cuts {cuts:?}");
        }
    }

    #[test]
    fn a_child_sent_before_its_parent_makes_the_trace_stale_and_stays_exact_once_rebuilt() {
        let events: Vec<Event> = pipeline_events(8);
        let mut reordered = events.clone();
        // The first child comes before its parent.
        let child = (0..events.len())
            .find(|&i| events[i].parent_id.is_some() && !events[i].phase.is_end())
            .expect("a child");
        let parent = events
            .iter()
            .position(|e| Some(e.id) == events[child].parent_id)
            .expect("its parent");
        reordered.swap(parent, child);
        let (how, ins) = appended(&reordered, &[child, child + 1]);
        assert_eq!(how, Appended::Stale);
        let whole = Inspection::of_trace(EventLog::new(reordered), &[]);
        assert_eq!(difference(&ins, &whole), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn crafted_traces_appended_in_any_batches_are_their_whole_inspections(
            draws in prop::collection::vec(draw(), 0..48),
            cuts in prop::collection::vec(0usize..48, 0..6),
        ) {
            let events = craft(&draws);
            let mut cuts = cuts;
            cuts.sort();
            let (_, ins) = appended(&events, &cuts);
            let whole = Inspection::of_trace(EventLog::new(events), &[]);
            prop_assert_eq!(difference(&ins, &whole), None);
        }
    }
}
