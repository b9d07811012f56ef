//! After any sequence of moves, the scrubbed inspection is the one built from scratch; and a
//! replay tags its operations with the mode they ran in.

use proptest::prelude::*;
use uuid::Uuid;

use super::Scrub;
use crate::core::subscription::SubscriptionId;
use crate::core::{Event, HandlerFailure, History, Phase};
use crate::inspect::Inspection;

/// Where two inspections differ, if they do.
pub(crate) fn difference(a: &Inspection, b: &Inspection) -> Option<String> {
    let (ta, tb) = (&a.trace, &b.trace);
    let events = |t: &crate::inspect::Trace| -> Vec<(Event, Option<u64>)> {
        t.events()
            .enumerate()
            .map(|(i, e)| (e, t.processed_ns(i)))
            .collect()
    };
    let checks: [(&str, bool); 14] = [
        ("events", events(ta) == events(tb)),
        ("kinds", ta.kinds().eq(tb.kinds())),
        ("time range", ta.time_range() == tb.time_range()),
        ("has_seq", ta.has_seq() == tb.has_seq()),
        (
            "unnamed ends",
            ta.has_unnamed_ends() == tb.has_unnamed_ends(),
        ),
        (
            "duplicates",
            ta.duplicate_indexes() == tb.duplicate_indexes(),
        ),
        ("spans", a.spans.spans == b.spans.spans),
        ("roots", a.spans.roots == b.spans.roots),
        (
            "span_of_event",
            a.spans.span_of_event == b.spans.span_of_event,
        ),
        ("cycles", a.spans.cycles == b.spans.cycles),
        ("lints", a.lints == b.lints),
        ("summary", a.summary == b.summary),
        ("pruned", a.pruned == b.pruned),
        ("cut_by_cap", a.cut_by_cap == b.cut_by_cap),
    ];
    let ids = |t: &crate::inspect::Trace| (0..t.len()).all(|i| t.index_of(&t.id(i)).is_some());
    checks
        .iter()
        .find(|(_, same)| !same)
        .map(|(what, _)| match *what {
            "lints" => format!("lints differ: {:#?}\nrebuilt: {:#?}", a.lints, b.lints),
            "spans" => format!(
                "spans differ: {:#?}\nrebuilt: {:#?}",
                a.spans.spans, b.spans.spans
            ),
            _ => format!("{what} differ"),
        })
        .or_else(|| (!ids(ta)).then(|| "an id shown is not indexed".to_owned()))
}

/// One event of a crafted history, as drawn: what it is and what it links to, each link an
/// earlier event (mostly), a later one, one never held, itself, or none.
#[derive(Clone, Debug)]
pub(crate) struct Draw {
    what: u8,
    link: u8,
    pick: u8,
    id: u8,
    seq: u8,
    time: u8,
}

pub(crate) fn draw() -> impl Strategy<Value = Draw> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
    )
        .prop_map(|(what, link, pick, id, seq, time)| Draw {
            what,
            link,
            pick,
            id,
            seq,
            time,
        })
}

fn id_of(k: usize) -> Uuid {
    Uuid::from_u128(k as u128 + 1)
}

/// The events the draws describe: mostly what a live bus records (starts under earlier
/// starts, ends naming the latest open start, rising numbers and times), with every kind of
/// odd link mixed in at a lower rate.
pub(crate) fn craft(draws: &[Draw]) -> Vec<Event> {
    let n = draws.len();
    let mut events: Vec<Event> = Vec::with_capacity(n);
    let mut open: Vec<usize> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    let mut time = 1_000u64;
    for (k, d) in draws.iter().enumerate() {
        let phase = match d.what % 10 {
            0..=3 => Phase::Started,
            4..=5 => Phase::Completed,
            6 => Phase::Failed,
            7 => Phase::Cancelled,
            8 => Phase::Timeout,
            _ => Phase::Progress,
        };
        // An end with nothing open is a single event, unless its link is an odd one.
        let phase = if phase.is_end() && open.is_empty() && d.link < 240 {
            Phase::Progress
        } else {
            phase
        };
        let mut e = Event::root("step", phase);
        e.id = if d.id < 3 && k > 0 {
            events[d.id as usize % k].id // an id held twice
        } else {
            id_of(k)
        };
        // Odd links: a later event, one never held, itself, or none.
        let odd = |x: u8| match x % 4 {
            0 => Some(id_of(k + 1 + (d.pick as usize % 3))).filter(|_| k + 1 < n),
            1 => Some(Uuid::from_u128(0xdead_0000 + d.pick as u128)),
            2 => Some(e.id),
            _ => None,
        };
        let link = if d.link < 240 {
            let among = if phase.is_end() { &open } else { &starts };
            among
                .len()
                .checked_sub(1 + d.pick as usize % 2)
                .or(among.len().checked_sub(1))
                .map(|j| events[among[j]].id)
        } else {
            odd(d.link)
        };
        if phase.is_end() {
            e.start_id = link;
            if let Some(s) = events.iter().position(|x| Some(x.id) == link) {
                e.parent_id = events[s].parent_id;
                open.retain(|&o| o != s);
            }
            if d.link == 3 {
                e.parent_id = odd(d.pick);
            }
        } else {
            e.parent_id = link;
        }
        e.payload.process_name = Some(format!("op{}", d.pick % 3).into());
        e.seq = if d.seq < 230 {
            k as u64 + 1
        } else {
            d.seq as u64 % 8
        };
        time = match d.time {
            0..=239 => time.saturating_add(d.time as u64),
            240..=252 => time.saturating_sub(d.time as u64),
            _ => u64::MAX - d.time as u64,
        };
        e.timestamp_ns = time;
        if phase == Phase::Started {
            open.push(k);
            starts.push(k);
        }
        events.push(e);
    }
    events
}

fn history_of(events: &[Event], capacity: usize) -> History {
    let mut h = History::with_capacity(capacity);
    for (k, e) in events.iter().enumerate() {
        h.push_event(e, e.timestamp_ns.saturating_add(k as u64 % 5));
    }
    h
}

pub(crate) fn failures(n: usize, events: &[Event]) -> Vec<HandlerFailure> {
    (0..n.min(events.len()))
        .map(|k| HandlerFailure {
            subscription: SubscriptionId(k as u64),
            event_id: events[k].id,
            event_kind: events[k].kind.clone(),
            message: format!("boom {k}"),
            panicked: false,
        })
        .collect()
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

/// A replay of `operations` operations, its mode switched at each of `switches` (operations
/// started so far, mode), with a history of `history` events.
pub(crate) fn replayed(
    operations: usize,
    switches: &[(usize, crate::core::EmitMode)],
    history: usize,
) -> crate::replay::Replay {
    use crate::pipeline::PipelineConfig;
    let config = PipelineConfig {
        operations,
        concurrency: 3,
        depth: 3,
        failure_rate: 0.2,
        yields_per_level: 1,
        ..PipelineConfig::default()
    };
    let clock = std::rc::Rc::new(crate::core::ManualClock::ticking(1_000));
    let mut r = crate::replay::Replay::new(config, clock, history);
    let mut switches = switches.to_vec();
    switches.sort_by_key(|s| s.0);
    for (at, mode) in switches {
        while r.operations_run().0 < at && !r.finished() {
            r.run_slice();
        }
        r.set_mode(mode);
    }
    r.run_all();
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_replays_inspection_at_its_cursor_is_the_rebuilt_one_across_mode_switches(
        switches in prop::collection::vec((0usize..6, 0usize..4), 0..3),
        history in prop_oneof![Just(100_000usize), 40usize..200],
        cursors in prop::collection::vec(0.0f64..1.05, 1..8),
    ) {
        let modes: Vec<_> = switches
            .iter()
            .map(|&(at, m)| (at * 64, crate::core::EmitMode::ALL[m]))
            .collect();
        let mut r = replayed(6 * 64, &modes, history);
        let n = r.recorded();
        for f in cursors {
            r.seek((f * n as f64) as usize);
            let scrubbed = r.inspection();
            prop_assert_eq!(difference(&scrubbed, &r.inspect()), None);
        }
    }
}

#[test]
fn a_replay_tags_its_operations_with_the_mode_they_ran_in() {
    use crate::core::EmitMode;
    use crate::inspect::latency::LagByMode;
    let r = replayed(
        3 * 64,
        &[(64, EmitMode::FireAndForget), (128, EmitMode::Awaited)],
        100_000,
    );
    let ins = r.inspect();
    let name = ins
        .trace
        .label(ins.spans.spans[ins.spans.roots[0]].start)
        .to_owned();
    let lag = LagByMode::of_name(&ins.trace, &ins.spans, &name, r.modes(), 8).expect("live");
    let modes: Vec<_> = lag.modes.iter().map(|(m, h)| (*m, h.n)).collect();
    // 64 root operations a slice, two events each, in each of the modes they ran in.
    assert_eq!(
        modes,
        vec![(EmitMode::Awaited, 256), (EmitMode::FireAndForget, 128)]
    );
}

#[test]
fn a_trace_lists_the_kinds_of_the_events_it_shows() {
    let mut t = crate::inspect::Trace::default();
    for kind in ["a", "b", "a", "c"] {
        t.push_processed(&Event::root(kind, Phase::Started), 0);
    }
    assert_eq!(t.kinds().collect::<Vec<_>>(), ["a", "b", "c"]);
    t.show_first(2);
    assert_eq!(t.kinds().collect::<Vec<_>>(), ["a", "b"]);
}
