//! Helpers shared by the tests, natively and in headless Chromium.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use std::collections::BTreeMap;

use futures::future::join_all;
use lineage::analysis::Inspection;
use lineage::core::{EmitMode, Event, EventBus, ManualClock, Phase};
use lineage::model::Status;
use lineage::workload::{aexecute, Call, LevelWork, SimulatedFailure};
use uuid::Uuid;

/// A pool and a bus on it with a ticking manual clock (1 µs per read).
pub fn bus() -> (LocalPool, EventBus) {
    let pool = LocalPool::new();
    let bus = EventBus::builder()
        .clock(ManualClock::ticking(1_000))
        .build(pool.spawner());
    (pool, bus)
}

/// Runs `fut` to completion on `pool` without parking the thread (parking is not allowed on
/// the browser's main thread), and fails loudly if it stalls.
pub fn run<T: 'static>(pool: &mut LocalPool, fut: impl Future<Output = T> + 'static) -> T {
    let out = Rc::new(RefCell::new(None));
    let slot = out.clone();
    pool.spawner()
        .spawn_local(async move {
            *slot.borrow_mut() = Some(fut.await);
        })
        .unwrap();
    pool.run_until_stalled();
    let value = out.borrow_mut().take();
    value.expect("the future stalled: it waits on something that never comes")
}

/// Innermost work that succeeds or fails, optionally yielding first.
pub struct Body {
    pub fail: bool,
    pub yields: u32,
}

impl LevelWork for Body {
    async fn at_level(&self, _level: usize) {}

    async fn innermost(&self) -> Result<Uuid, SimulatedFailure> {
        for _ in 0..self.yields {
            lineage::core::yield_now::yield_now().await;
        }
        if self.fail {
            Err(SimulatedFailure("gpa out of range".into()))
        } else {
            Ok(Uuid::new_v4())
        }
    }
}

/// One nested `aexecute` that succeeds or fails innermost.
pub async fn one_call(bus: EventBus, fail: bool) -> Result<Uuid, SimulatedFailure> {
    let call = Call::new("update_gpa");
    aexecute(Some(&bus), &call, &Body { fail, yields: 0 }).await
}

/// The events with a given process name, in processing order.
pub fn by_process<'a>(events: &'a [Event], name: &str) -> Vec<&'a Event> {
    events
        .iter()
        .filter(|e| e.payload.process_name.as_deref() == Some(name))
        .collect()
}

/// The start and end event of one process name (exactly one of each expected).
pub fn pair<'a>(events: &'a [Event], name: &str) -> (&'a Event, &'a Event) {
    let evs = by_process(events, name);
    assert_eq!(
        evs.len(),
        2,
        "{name}: expected a start and an end, got {evs:#?}"
    );
    assert_eq!(evs[0].phase, Phase::Started);
    (evs[0], evs[1])
}

/// A run with concurrent, interleaved operations (so slices overlap and need lanes), a third
/// of them failing, and in fire-and-forget mode processing out of emission order.
pub fn concurrent_run(mode: EmitMode) -> Vec<Event> {
    let (mut pool, bus) = bus();
    bus.set_mode(mode);
    let b = bus.clone();
    run(&mut pool, async move {
        let calls = (0..6).map(|i| {
            let b = b.clone();
            async move {
                let call = Call::new("update_gpa");
                let body = Body {
                    fail: i % 3 == 0,
                    yields: 2,
                };
                let _ = aexecute(Some(&b), &call, &body).await;
            }
        });
        join_all(calls).await;
        one_call(b.clone(), false).await.unwrap();
        b.flush().await;
    });
    bus.events()
}

/// Each operation as (end id, status, parent's start id), keyed by start id.
pub type Operations = BTreeMap<Uuid, (Option<Uuid>, Status, Option<Uuid>)>;

/// The operations of `events` as the inspector pairs and nests them.
pub fn operations(events: Vec<Event>) -> Operations {
    let ins = Inspection::new(events, &[]);
    let t = &ins.trace;
    ins.spans
        .spans
        .iter()
        .map(|s| {
            let parent = s.parent.map(|p| t.id(ins.spans.spans[p].start));
            (t.id(s.start), (s.end.map(|e| t.id(e)), s.status, parent))
        })
        .collect()
}

/// Runs the `lineage` binary with `args` (native only).
#[cfg(not(target_arch = "wasm32"))]
pub fn lineage(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(args)
        .output()
        .unwrap()
}
