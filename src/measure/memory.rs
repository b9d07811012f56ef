//! # Memory: flat under a capped history
//!
//! The original bounds its history deque but never prunes `_events_by_id` and
//! `_children_by_parent`, so a long-running process grows without limit. This bench pushes
//! millions of events (awaited mode, the nested pipeline) through a bus whose history is
//! capped, reading resident memory from `/proc/self/statm` at intervals. Once the history is
//! full, every new event evicts one and unindexes it, so the resident size must stay flat.

use futures::executor::LocalPool;
use serde::Serialize;

use super::drive::{chunks, drive};
use crate::core::{EmitMode, EventBus};
use crate::workload::{run_range_with, CallShape, PipelineConfig};

/// What the memory bench does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryConfig {
    pub events: u64,
    pub history_capacity: usize,
    /// Events between two readings.
    pub sample_every: u64,
}

impl Default for MemoryConfig {
    fn default() -> Self {
        MemoryConfig {
            events: 10_000_000,
            history_capacity: 100_000,
            sample_every: 500_000,
        }
    }
}

/// One reading.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MemorySample {
    pub events: u64,
    pub history_len: usize,
    pub rss_bytes: u64,
}

/// The readings and what they say.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryReport {
    pub config: MemoryConfig,
    pub samples: Vec<MemorySample>,
    /// Resident size at the first reading with the history full (at least twice the cap in,
    /// so allocator pools have settled), and at the end.
    pub rss_after_warmup_bytes: u64,
    pub rss_end_bytes: u64,
    /// End over after-warm-up, minus one: the growth once the cap holds.
    pub growth: f64,
    /// Resident bytes per retained event: the end's resident size over the empty bus's (the
    /// binary, the allocator, the executor), per event the cap keeps. Includes the queue and
    /// the allocator's slack, which the store's own parts below do not.
    pub bytes_per_event: f64,
    /// The history's heap at the end, part by part ([`crate::core::store::EventStore::heap_parts`]),
    /// in bytes per retained event: where the resident bytes go.
    pub parts: Vec<MemoryPart>,
    pub pruned: u64,
    pub seconds: f64,
}

/// One part of the history's heap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryPart {
    pub name: &'static str,
    pub bytes: u64,
    pub bytes_per_event: f64,
}

/// Resident set size from `/proc/self/statm` (its second field, in pages).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// The page size from the auxiliary vector (`AT_PAGESZ`), 4 KiB if it cannot be read.
fn page_size() -> u64 {
    const AT_PAGESZ: u64 = 6;
    std::fs::read("/proc/self/auxv")
        .ok()
        .and_then(|auxv| {
            auxv.chunks_exact(16).find_map(|pair| {
                let key = u64::from_ne_bytes(pair[..8].try_into().ok()?);
                let value = u64::from_ne_bytes(pair[8..].try_into().ok()?);
                (key == AT_PAGESZ).then_some(value)
            })
        })
        .unwrap_or(4096)
}

/// Runs the memory bench, calling `on_sample` at each reading.
pub fn run_memory(config: &MemoryConfig, mut on_sample: impl FnMut(&MemorySample)) -> MemoryReport {
    let started = std::time::Instant::now();
    let mut pool = LocalPool::new();
    let bus = EventBus::builder()
        .history_capacity(config.history_capacity)
        .mode(EmitMode::Awaited)
        .build(pool.spawner());
    let pipeline = PipelineConfig::default();
    let per_op = CallShape::Nested.events_per_operation(&pipeline) as u64;
    let ops_per_sample = (config.sample_every / per_op).max(1) as usize;
    let total_ops = config.events.div_ceil(per_op) as usize;
    let mut samples = Vec::new();
    let mut read = |bus: &EventBus| {
        let sample = MemorySample {
            events: bus.stats().processed,
            history_len: bus.history().len(),
            rss_bytes: resident_bytes().unwrap_or(0),
        };
        on_sample(&sample);
        samples.push(sample);
    };
    read(&bus);
    let mut done = 0;
    while done < total_ops {
        let ops = ops_per_sample.min(total_ops - done);
        for range in chunks(done, ops, 1_024) {
            let on_bus = Some(&bus);
            drive(
                &mut pool,
                run_range_with(&on_bus, &pipeline, range, CallShape::Nested),
            );
            drive(&mut pool, bus.flush());
        }
        done += ops;
        read(&bus);
    }
    let warm = samples
        .iter()
        .find(|s| s.events >= 2 * config.history_capacity as u64)
        .or(samples.last())
        .map_or(0, |s| s.rss_bytes);
    let end = samples.last().map_or(0, |s| s.rss_bytes);
    let empty = samples.first().map_or(0, |s| s.rss_bytes);
    let held = bus.history().len().max(1) as f64;
    let parts = bus
        .history()
        .heap_parts()
        .iter()
        .map(|&(name, bytes)| MemoryPart {
            name,
            bytes: bytes as u64,
            bytes_per_event: bytes as f64 / held,
        })
        .collect();
    MemoryReport {
        bytes_per_event: end.saturating_sub(empty) as f64 / held,
        parts,
        config: config.clone(),
        rss_after_warmup_bytes: warm,
        rss_end_bytes: end,
        growth: if warm > 0 {
            end as f64 / warm as f64 - 1.0
        } else {
            0.0
        },
        pruned: bus.stats().pruned,
        samples,
        seconds: started.elapsed().as_secs_f64(),
    }
}
