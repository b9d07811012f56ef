//! The page's views of a live trace, followed batch by batch, against the same views derived
//! from the whole trace: the minimap's counts ([`Derived`]), the search
//! ([`Query::select_grown`]) and the tree's rows ([`GrowingRows`]). Deterministic streams
//! (no proptest), so the same tests run in the browser's wasm too; the native property
//! tests beside each type add crafted traces with every kind of odd link.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashSet;

use crate::analysis::summary::failed_spans;
use crate::analysis::Inspection;
use crate::core::{Event, Phase};
use crate::view::derived::Derived;
use crate::view::filter::Query;
use crate::view::growing_rows::GrowingRows;
use crate::view::overview::Overview;
use crate::view::scrub::{Appended, Scrub};
use crate::view::tree::TreeRows;

/// xorshift64: a small deterministic generator.
struct Draws(u64);

impl Draws {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// A live-like stream of `n` events: operations opened as roots or under an open one,
/// closed in any order (a tenth failing), single events, time going forward with jumps.
fn stream(seed: u64, n: usize) -> Vec<Event> {
    let mut d = Draws(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (mut out, mut open): (Vec<Event>, Vec<Event>) = (Vec::new(), Vec::new());
    let mut t = 1_000_000u64;
    while out.len() < n {
        t += d.next(1_000) + if d.next(50) == 0 { 5_000_000 } else { 0 };
        let mut e = match d.next(10) {
            0..=2 if open.len() < 24 => Event::root("processing", Phase::Started),
            3..=5 if !open.is_empty() => {
                let parent = &open[d.next(open.len() as u64) as usize];
                Event::child_of(parent, "step", Phase::Started)
            }
            6 if !open.is_empty() => {
                let parent = &open[d.next(open.len() as u64) as usize];
                Event::child_of(parent, "note", Phase::Progress)
            }
            _ if !open.is_empty() => {
                let start = open.swap_remove(d.next(open.len() as u64) as usize);
                let phase = if d.next(10) == 0 {
                    Phase::Failed
                } else {
                    Phase::Completed
                };
                let mut end = Event::child_of(&start, start.kind.clone(), phase);
                end.parent_id = start.parent_id;
                end.start_id = Some(start.id);
                end
            }
            _ => Event::root("processing", Phase::Started),
        };
        e.timestamp_ns = t;
        if e.phase == Phase::Started {
            open.push(e.clone());
        }
        out.push(e);
    }
    out
}

#[test]
fn views_followed_batch_by_batch_equal_the_views_of_the_whole_trace() {
    let fail = Query {
        text: "fail".into(),
        ..Query::default()
    };
    for seed in 1..9u64 {
        let events = stream(seed, 400);
        let mut d = Draws(seed + 100);
        for query in [Query::default(), fail.clone()] {
            let filtered = !query.is_empty();
            let collapsed: HashSet<usize> = (0..400).step_by(7 + seed as usize).collect();
            let (mut scrub, mut ins) = (Scrub::new(), Inspection::default());
            let (mut counts, mut rows) = (Derived::new(32), GrowingRows::default());
            let mut selected: Vec<bool> = Vec::new();
            let mut at = 0;
            while at < events.len() {
                let to = (at + 1 + d.next(40) as usize).min(events.len());
                let held = ins.trace.len();
                let how = scrub.append(&mut ins, events[at..to].iter().cloned());
                assert_eq!(how, Appended::InStep, "seed {seed}: a regular stream");
                at = to;
                let budget = 1 + d.next(64) as usize;
                selected = query.select_grown(&selected, held, &ins.trace, &ins.spans);
                while !counts.follow(&ins, budget) {}
                while !rows.follow(&ins, &collapsed, &selected, filtered, budget) {}
                let whole = query.select(&ins.trace, &ins.spans);
                assert_eq!(selected, whole, "seed {seed}, {at} events: the search");
                assert_eq!(
                    counts.overview(),
                    Overview::build(&ins.trace, &ins.spans, 32),
                    "seed {seed}, {at} events: the minimap"
                );
                assert_eq!(counts.failed_nodes(), failed_spans(&ins.spans));
                assert_eq!(
                    rows.rows(),
                    &TreeRows::build(&ins.spans, &collapsed, &whole, filtered),
                    "seed {seed}, {at} events: the rows"
                );
            }
            assert!(ins.spans.len() > 100 && counts.failed_nodes() > 0);
        }
    }
}
