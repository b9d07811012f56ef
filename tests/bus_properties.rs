//! Property tests of the bus: random forests of concurrent, nested operations with random
//! failures, cancellations, point events, history caps and queue bounds, in every emit mode.
//! After a flush, whatever the interleaving:
//!
//! - no event is lost: every operation that started has exactly one start and one end, every
//!   point event is there, emission numbers have no gap, and the bus, the subscriber and the
//!   history (when it holds everything) agree on the count;
//! - every end names its start, and its phase is what really happened to the operation
//!   (completed, failed, or cancelled when its future was dropped);
//! - parentage is exact: parent, root and lineage of every event are those of the operation
//!   that was running it;
//! - the history cap holds, it keeps exactly the most recent events, and its indexes have no
//!   dangling entry (`History::check_indexes`).
//!
//! Cases per mode: 64 by default; `LINEAGE_PROPTEST_CASES=2500 cargo test --release --test
//! bus_properties` runs the 10 000-case check recorded in docs/fuzzing.md.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::executor::LocalPool;
use futures::future::{join_all, LocalBoxFuture};
use lineage::core::yield_now::yield_now;
use lineage::core::{
    EmitMode, Event, EventBus, Filter, ManualClock, Operation, Payload, Phase, SampleRatio,
};
use proptest::prelude::*;
use uuid::Uuid;

/// One operation of the generated forest.
#[derive(Clone, Debug)]
struct Op {
    fail: bool,
    /// Dropped by its caller after this many polls (0: before it ever runs).
    cancel_after: Option<u8>,
    yields_before: u8,
    yields_after: u8,
    /// Emits a point event inside itself.
    point: bool,
    /// Runs its children interleaved (`join_all`) rather than one after another.
    concurrent: bool,
    children: Vec<Op>,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let leaf = (
        prop::bool::weighted(0.25),
        prop::option::weighted(0.2, 0u8..6),
        0u8..3,
        0u8..3,
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(fail, cancel_after, yields_before, yields_after, point)| Op {
                fail,
                cancel_after,
                yields_before,
                yields_after,
                point,
                concurrent: false,
                children: Vec::new(),
            },
        );
    leaf.prop_recursive(4, 40, 4, |inner| {
        (
            prop::bool::weighted(0.25),
            prop::option::weighted(0.2, 0u8..8),
            0u8..3,
            0u8..3,
            prop::bool::weighted(0.3),
            any::<bool>(),
            prop::collection::vec(inner, 0..4),
        )
            .prop_map(
                |(fail, cancel_after, yields_before, yields_after, point, concurrent, children)| {
                    Op {
                        fail,
                        cancel_after,
                        yields_before,
                        yields_after,
                        point,
                        concurrent,
                        children,
                    }
                },
            )
    })
}

/// A whole case: the forest and the bus settings.
#[derive(Clone, Debug)]
struct Case {
    roots: Vec<Op>,
    concurrent_roots: bool,
    /// History capacity: small ones force evictions.
    capacity: usize,
    queue_capacity: usize,
    /// In lazy mode: whether anyone listens (if not, nothing may be emitted).
    subscriber: bool,
    /// The bus's sampling seed (sampled mode).
    seed: u64,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(op_strategy(), 1..5),
        any::<bool>(),
        prop_oneof![Just(100_000usize), 1usize..40],
        prop_oneof![Just(65_536usize), 1usize..4],
        prop::bool::weighted(0.8),
        any::<u64>(),
    )
        .prop_map(
            |(roots, concurrent_roots, capacity, queue_capacity, subscriber, seed)| Case {
                roots,
                concurrent_roots,
                capacity,
                queue_capacity,
                subscriber,
                seed,
            },
        )
}

/// The forest flattened in preorder, with parents.
struct Flat {
    ops: Vec<Op>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
}

impl Flat {
    /// The root of node `i`'s tree.
    fn root_of(&self, mut i: usize) -> usize {
        while let Some(p) = self.parent[i] {
            i = p;
        }
        i
    }
}

fn flatten(case: &Case) -> Flat {
    fn walk(op: &Op, parent: Option<usize>, flat: &mut Flat) -> usize {
        let i = flat.ops.len();
        flat.ops.push(op.clone());
        flat.parent.push(parent);
        flat.children.push(Vec::new());
        for c in &op.children {
            let ci = walk(c, Some(i), flat);
            flat.children[i].push(ci);
        }
        i
    }
    let mut flat = Flat {
        ops: Vec::new(),
        parent: Vec::new(),
        children: Vec::new(),
        roots: Vec::new(),
    };
    for r in &case.roots {
        let i = walk(r, None, &mut flat);
        flat.roots.push(i);
    }
    flat
}

/// What really happened to each operation, observed from outside the bus.
#[derive(Default)]
struct Record {
    polled: Vec<Cell<bool>>,
    /// `Some(ok)` once the operation's own work returned.
    finished: Vec<Cell<Option<bool>>>,
    point_emitted: Vec<Cell<bool>>,
}

/// Drops its future after `polls` polls (0: without polling it) and reports the cancellation.
struct CancelAfter {
    inner: Option<LocalBoxFuture<'static, Result<(), String>>>,
    polls_left: Option<u8>,
}

impl Future for CancelAfter {
    type Output = Result<(), String>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.polls_left == Some(0) {
            self.inner = None;
            return Poll::Ready(Err("cancelled".into()));
        }
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err("cancelled".into()));
        };
        match inner.as_mut().poll(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => {
                if let Some(n) = self.polls_left.as_mut() {
                    *n -= 1;
                    if *n == 0 {
                        self.inner = None; // dropped mid-flight: a cancellation
                        return Poll::Ready(Err("cancelled".into()));
                    }
                }
                Poll::Pending
            }
        }
    }
}

fn node(bus: EventBus, flat: Rc<Flat>, rec: Rc<Record>, i: usize) -> CancelAfter {
    let spec = flat.ops[i].clone();
    let polls_left = spec.cancel_after;
    let fut = async move {
        rec.polled[i].set(true);
        let b = bus.clone();
        let (f, r) = (flat.clone(), rec.clone());
        let body = async move {
            for _ in 0..spec.yields_before {
                yield_now().await;
            }
            if spec.point {
                r.point_emitted[i].set(true);
                b.emit_point("note", Phase::Progress, || {
                    Payload::default().with("node", i as u64)
                })
                .await;
            }
            let kids = f.children[i]
                .iter()
                .map(|&c| node(b.clone(), f.clone(), r.clone(), c));
            if spec.concurrent {
                join_all(kids).await;
            } else {
                for k in kids {
                    let _ = k.await;
                }
            }
            for _ in 0..spec.yields_after {
                yield_now().await;
            }
            // The work is done: whatever happens to the caller from here (even a drop while
            // the end event's put waits on a full queue), the operation completed or failed.
            r.finished[i].set(Some(!spec.fail));
            if spec.fail {
                Err(format!("node {i} failed"))
            } else {
                Ok(())
            }
        };
        Operation::new("processing", "processed")
            .start(move || Payload::process("node").with("node", i as u64))
            .run(&bus, body)
            .await
    };
    CancelAfter {
        inner: Some(Box::pin(fut)),
        polls_left,
    }
}

fn node_of(e: &Event) -> usize {
    e.payload.extra["node"].as_u64().unwrap() as usize
}

/// What a mode must record of a case.
enum Expect {
    Everything,
    Nothing,
    /// Every operation of a kept root's tree, nothing of a dropped one's.
    WholeTrees,
}

/// Every mode has an arm: a new mode does not compile here until its expectation is written.
fn expectation(mode: EmitMode, case: &Case) -> Expect {
    match mode {
        EmitMode::Awaited | EmitMode::FireAndForget => Expect::Everything,
        EmitMode::Disabled => Expect::Nothing,
        EmitMode::Lazy if case.subscriber => Expect::Everything,
        EmitMode::Lazy => Expect::Nothing,
        EmitMode::Sampled(_) => Expect::WholeTrees,
    }
}

/// Runs one case in one mode and checks every property; returns a description of the first
/// property broken.
fn check(mode: EmitMode, case: &Case) -> Result<(), String> {
    let flat = Rc::new(flatten(case));
    let n = flat.ops.len();
    let rec = Rc::new(Record {
        polled: (0..n).map(|_| Cell::new(false)).collect(),
        finished: (0..n).map(|_| Cell::new(None)).collect(),
        point_emitted: (0..n).map(|_| Cell::new(false)).collect(),
    });
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(case.capacity)
        .queue_capacity(case.queue_capacity)
        .mode(mode)
        .sampling_seed(case.seed)
        .clock(ManualClock::ticking(1_000))
        .build(pool.spawner());
    let listens = mode != EmitMode::Lazy || case.subscriber;
    let seen: Rc<RefCell<Vec<Event>>> = Rc::default();
    let _sub = listens.then(|| {
        let seen = seen.clone();
        bus.subscribe(Filter::All, move |e| {
            seen.borrow_mut().push(e.clone());
            Ok(())
        })
    });
    let b = bus.clone();
    let (f, r) = (flat.clone(), rec.clone());
    let concurrent = case.concurrent_roots;
    common::run(&mut pool, async move {
        let roots = f
            .roots
            .iter()
            .map(|&i| node(b.clone(), f.clone(), r.clone(), i));
        if concurrent {
            join_all(roots).await;
        } else {
            for root in roots {
                let _ = root.await;
            }
        }
        b.flush().await;
    });

    let seen = seen.borrow();
    let stats = bus.stats();
    // Which started operations must be recorded: every one, none, or (sampled) those whose
    // root the sampler kept, whole trees and nothing of the others.
    let kept_root = |r: usize| seen.iter().any(|e| !e.is_end() && node_of(e) == r);
    let recorded = |i: usize| match expectation(mode, case) {
        Expect::Everything => true,
        Expect::Nothing => false,
        Expect::WholeTrees => kept_root(flat.root_of(i)),
    };
    let emits = !matches!(expectation(mode, case), Expect::Nothing);
    let started: Vec<usize> = (0..n)
        .filter(|&i| rec.polled[i].get() && recorded(i))
        .collect();
    let points = (0..n)
        .filter(|&i| rec.point_emitted[i].get() && recorded(i))
        .count();
    let expected = if emits { 2 * started.len() + points } else { 0 };
    if let Some(ratio) = mode.sample_ratio() {
        for &r in flat.roots.iter().filter(|&&r| kept_root(r)) {
            let start = seen
                .iter()
                .find(|e| !e.is_end() && node_of(e) == r)
                .unwrap();
            if !ratio.keeps(case.seed, start.id) {
                return Err(format!("root {r} was kept though its id says drop"));
            }
        }
    }

    // No event lost.
    if stats.processed as usize != expected {
        return Err(format!(
            "processed {} events, expected {expected}",
            stats.processed
        ));
    }
    if listens && seen.len() != expected {
        return Err(format!(
            "the subscriber saw {} events, expected {expected}",
            seen.len()
        ));
    }
    let mut seqs: Vec<u64> = seen.iter().map(|e| e.seq).collect();
    seqs.sort_unstable();
    if seqs.iter().enumerate().any(|(k, &s)| s != k as u64) && emits {
        return Err(format!("emission numbers have gaps: {seqs:?}"));
    }

    // History: cap, recency, indexes.
    let history_ids: Vec<Uuid> = bus.with_history(|h| h.records().map(|(_, r)| r.id).collect());
    bus.with_history(|h| h.check_indexes())?;
    if history_ids.len() != expected.min(case.capacity) {
        return Err(format!(
            "history holds {} events, expected min({expected}, cap {})",
            history_ids.len(),
            case.capacity
        ));
    }
    if listens {
        let tail: Vec<Uuid> = seen[seen.len() - history_ids.len()..]
            .iter()
            .map(|e| e.id)
            .collect();
        if tail != history_ids {
            return Err("the history is not the most recent events in processing order".into());
        }
    }
    if !emits {
        return Ok(());
    }

    // Starts and ends, per operation.
    let mut start_of: HashMap<usize, &Event> = HashMap::new();
    let mut end_of: HashMap<usize, &Event> = HashMap::new();
    let mut point_of: HashMap<usize, &Event> = HashMap::new();
    for e in seen.iter().filter(|e| !e.is_end()) {
        let slot = match e.phase {
            Phase::Started => &mut start_of,
            _ => &mut point_of,
        };
        if slot.insert(node_of(e), e).is_some() {
            return Err(format!("node {} has two {} events", node_of(e), e.phase));
        }
    }
    // End payloads carry no node number: an end is found through the start it names.
    let node_by_start: HashMap<Uuid, usize> = start_of.iter().map(|(&i, e)| (e.id, i)).collect();
    for e in seen.iter().filter(|e| e.is_end()) {
        let Some(&i) = e.start_id.and_then(|s| node_by_start.get(&s)) else {
            return Err(format!("an end event names no start in the run: {e:?}"));
        };
        if end_of.insert(i, e).is_some() {
            return Err(format!("node {i} has two end events"));
        }
    }
    for &i in &started {
        let (Some(start), Some(end)) = (start_of.get(&i), end_of.get(&i)) else {
            return Err(format!("node {i} started but lacks its start or end event"));
        };
        let phase = match rec.finished[i].get() {
            Some(true) => Phase::Completed,
            Some(false) => Phase::Failed,
            None => Phase::Cancelled,
        };
        if end.phase != phase {
            return Err(format!("node {i} ended {} but was {phase}", end.phase));
        }
        // Parentage.
        let parent_start = flat.parent[i].map(|p| start_of[&p]);
        if start.parent_id != parent_start.map(|p| p.id) {
            return Err(format!("node {i}: parent is not its caller's start"));
        }
        let root = match parent_start {
            Some(p) => p.root_id,
            None => start.id,
        };
        let lineage = parent_start.map(|p| p.lineage_id);
        if start.root_id != root || lineage.is_some_and(|l| l != start.lineage_id) {
            return Err(format!(
                "node {i}: root or lineage differs from its caller's"
            ));
        }
        if (end.parent_id, end.root_id, end.lineage_id)
            != (start.parent_id, start.root_id, start.lineage_id)
        {
            return Err(format!("node {i}: the end is not a sibling of its start"));
        }
    }
    if start_of.len() != started.len() || end_of.len() != started.len() {
        return Err("events for operations that never started".into());
    }
    for (i, p) in &point_of {
        let s = start_of[i];
        if p.parent_id != Some(s.id) || p.root_id != s.root_id || p.lineage_id != s.lineage_id {
            return Err(format!(
                "node {i}: the point event is not inside its operation"
            ));
        }
    }
    if point_of.len() != points {
        return Err(format!(
            "{} point events, expected {points}",
            point_of.len()
        ));
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("LINEAGE_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Every mode on the same case: awaited and fire-and-forget lose nothing and link every
    /// event exactly, disabled emits nothing and leaves the history consistent, lazy emits
    /// everything with a listener and nothing without. A new mode in `EmitMode::ALL` is
    /// checked here without a new test.
    #[test]
    fn every_mode_loses_nothing_it_should_record_and_links_every_event_exactly(case in case_strategy()) {
        for mode in EmitMode::ALL {
            check(mode, &case).map_err(|e| TestCaseError::fail(format!("{mode}: {e}")))?;
        }
    }

    /// Sampled at any ratio, with any seed, under interleaving, cancellation and eviction: a
    /// root's tree is recorded whole (every started operation's start and end, every point
    /// event, links exact) or not at all, and a kept root's id is one its seed keeps.
    #[test]
    fn a_sampled_run_never_holds_part_of_an_operation(
        case in case_strategy(),
        ppm in prop_oneof![Just(0u32), Just(1_000_000u32), 0u32..=1_000_000],
    ) {
        let mode = EmitMode::Sampled(SampleRatio::from_ppm(ppm).unwrap());
        check(mode, &case).map_err(|e| TestCaseError::fail(format!("{mode}: {e}")))?;
    }
}
