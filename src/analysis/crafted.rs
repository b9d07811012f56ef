//! Traces the native property tests of the analysis, the view and the replay share: crafted
//! histories with every kind of odd link, a run of the simulated pipeline, and where two
//! inspections differ. Native only, as proptest is.

use proptest::prelude::*;
use uuid::Uuid;

use crate::analysis::Inspection;
use crate::core::subscription::SubscriptionId;
use crate::core::{Event, HandlerFailure, Phase};

/// Where two inspections differ, if they do.
pub(crate) fn difference(a: &Inspection, b: &Inspection) -> Option<String> {
    let (ta, tb) = (&a.trace, &b.trace);
    let events = |t: &crate::model::EventLog| -> Vec<(Event, Option<u64>)> {
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
    let ids = |t: &crate::model::EventLog| (0..t.len()).all(|i| t.index_of(&t.id(i)).is_some());
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
    pub(crate) what: u8,
    pub(crate) link: u8,
    pub(crate) pick: u8,
    pub(crate) id: u8,
    pub(crate) seq: u8,
    pub(crate) time: u8,
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
        // Mostly in emission order; a few drawn back near where the numbering began (order
        // inversions), a few far below it (a numbering that starts again).
        e.seq = match d.seq {
            0..=229 => k as u64 + 101,
            230..=247 => 100 + d.seq as u64 % 8,
            _ => d.seq as u64 % 4,
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

/// The simulated pipeline the analysis, view and replay tests run: `operations` operations,
/// 3 concurrent, 3 levels, a fifth failing, one yield per level.
pub(crate) fn test_pipeline(operations: usize) -> crate::workload::PipelineConfig {
    crate::workload::PipelineConfig {
        operations,
        concurrency: 3,
        depth: 3,
        failure_rate: 0.2,
        yields_per_level: 1,
        ..crate::workload::PipelineConfig::default()
    }
}

/// The events of `operations` operations of [`test_pipeline`] on a manual clock, as a bus's
/// history records them.
pub(crate) fn pipeline_events(operations: usize) -> Vec<Event> {
    crate::workload::run::recorded_run(
        &test_pipeline(operations),
        crate::core::ManualClock::ticking(1_000),
    )
}
