//! After any sequence of moves, the scrubbed inspection is the one built from scratch; and a
//! replay tags its operations with the mode they ran in.

use proptest::prelude::*;

use super::Scrub;
use crate::analysis::crafted::{craft, difference, draw, failures, Draw};
use crate::analysis::Inspection;
use crate::core::{Event, History, Phase};

fn history_of(events: &[Event], capacity: usize) -> History {
    let mut h = History::with_capacity(capacity);
    for (k, e) in events.iter().enumerate() {
        h.push_event(e, e.timestamp_ns.saturating_add(k as u64 % 5));
    }
    h
}

/// Moves a scrub through `cursors` and checks each stop against a rebuild.
fn follow(h: &History, cursors: &[usize], failures_at: &[usize], events: &[Event]) {
    let mut scrub = Scrub::new();
    let mut ins = Inspection::default();
    for (step, &c) in cursors.iter().enumerate() {
        let f = failures(failures_at[step % failures_at.len()], events);
        scrub.seek(&mut ins, h, c, &f);
        let fresh = Inspection::of_history(h, c, &f);
        if let Some(d) = difference(&ins, &fresh) {
            panic!("at cursor {c} (step {step} of {cursors:?}): {d}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_scrubbed_inspection_equals_a_rebuilt_one_after_any_moves(
        draws in prop::collection::vec(draw(), 0..40),
        cursors in prop::collection::vec(0usize..45, 1..12),
        failures_at in prop::collection::vec(0usize..3, 1..3),
    ) {
        let events = craft(&draws);
        follow(&history_of(&events, 1_000), &cursors, &failures_at, &events);
    }

    #[test]
    fn a_scrubbed_inspection_equals_a_rebuilt_one_when_the_history_cap_pruned_events(
        draws in prop::collection::vec(draw(), 5..40),
        capacity in 2usize..30,
        cursors in prop::collection::vec(0usize..45, 1..12),
    ) {
        let events = craft(&draws);
        follow(&history_of(&events, capacity), &cursors, &[0], &events);
    }

    #[test]
    fn a_history_that_grows_between_moves_is_followed_exactly(
        draws in prop::collection::vec(draw(), 1..40),
        cuts in prop::collection::vec((0usize..45, 0usize..45), 1..8),
    ) {
        // A live run: events arrive between two moves of the cursor.
        let events = craft(&draws);
        let mut h = History::with_capacity(1_000);
        let mut fed = 0;
        let mut scrub = Scrub::new();
        let mut ins = Inspection::default();
        for (arrived, cursor) in cuts {
            while fed < arrived.min(events.len()) {
                h.push_event(&events[fed], events[fed].timestamp_ns);
                fed += 1;
            }
            scrub.seek(&mut ins, &h, cursor, &[]);
            let fresh = Inspection::of_history(&h, cursor, &[]);
            prop_assert_eq!(difference(&ins, &fresh), None);
        }
    }
}

#[test]
fn a_regular_trace_is_followed_without_a_rebuild() {
    // Starts under earlier starts, ends naming their start: the incremental path all along.
    let draws: Vec<Draw> = (0..60u8)
        .map(|k| Draw {
            what: [0, 0, 4, 9, 6, 0][k as usize % 6],
            link: 10,
            pick: k,
            id: 255,
            seq: 0,
            time: 3,
        })
        .collect();
    let events = craft(&draws);
    let h = history_of(&events, 1_000);
    let mut scrub = Scrub::new();
    let mut ins = Inspection::default();
    for c in [60, 10, 35, 34, 59, 0, 60] {
        scrub.seek(&mut ins, &h, c, &[]);
        assert_eq!(difference(&ins, &Inspection::of_history(&h, c, &[])), None);
    }
    assert_eq!(scrub.irregular_from, None, "no event broke the rule");
    assert!(scrub.in_step);
}

#[test]
fn a_trace_lists_the_kinds_of_the_events_it_shows() {
    let mut t = crate::model::EventLog::default();
    for kind in ["a", "b", "a", "c"] {
        t.push_processed(&Event::root(kind, Phase::Started), 0);
    }
    assert_eq!(t.kinds().collect::<Vec<_>>(), ["a", "b", "c"]);
    t.show_first(2);
    assert_eq!(t.kinds().collect::<Vec<_>>(), ["a", "b"]);
}
