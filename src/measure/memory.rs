//! # Memory: flat under a capped history
//!
//! The original bounds its history deque but never prunes `_events_by_id` and
//! `_children_by_parent`, so a long-running process grows without limit. This bench pushes
//! millions of events (awaited mode, the nested pipeline) through a bus whose history is
//! capped, reading resident memory at intervals. Once the history is full, every new event
//! evicts one and unindexes it, so the resident size must stay flat.
//!
//! ## Which resident size
//! `RssAnon` from `/proc/self/status`: the anonymous pages, which are the heap (and stacks).
//! `statm`'s resident field, read before, adds the executable's and libraries' file-backed
//! pages, which fault-around maps in varying amounts: two builds of one size differed by up
//! to 0.7 MiB on an empty bus, and the code first run after the empty reading counted as
//! memory per event. The per-event figure is the heap's; the total is printed beside it.

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
    /// Anonymous resident memory (`RssAnon`): the heap. What the figures below are read from.
    pub anon_bytes: u64,
    /// The whole resident set (`statm`: file-backed pages too), for the record.
    pub rss_bytes: u64,
}

/// The readings and what they say.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryReport {
    pub config: MemoryConfig,
    pub samples: Vec<MemorySample>,
    /// Anonymous resident size (`RssAnon`) at the first reading with the history full (at
    /// least twice the cap in, so allocator pools have settled), and at the end.
    pub anon_after_warmup_bytes: u64,
    pub anon_end_bytes: u64,
    /// The whole resident set at the end (`statm`, file-backed pages too).
    pub rss_end_bytes: u64,
    /// End over after-warm-up, minus one: the growth once the cap holds.
    pub growth: f64,
    /// Anonymous resident bytes per retained event: the end's `RssAnon` over the empty bus's
    /// (the allocator, the executor), per event the cap keeps. Includes the queue and the
    /// allocator's slack, which the store's own parts below do not.
    pub bytes_per_event: f64,
    /// The same from the whole resident set (`statm`), as the bench read it before: adds the
    /// code pages first run after the empty reading, and their build-to-build noise.
    pub rss_bytes_per_event: f64,
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

/// Anonymous resident memory, `RssAnon` in `/proc/self/status` (kB): the heap's pages, not
/// the executable's (see the module docs).
pub fn anon_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_rss_anon(&status)
}

/// The `RssAnon:` line of a `/proc/<pid>/status` text, in bytes.
fn parse_rss_anon(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("RssAnon:"))?;
    let mut words = line["RssAnon:".len()..].split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
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
            anon_bytes: anon_resident_bytes().unwrap_or(0),
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
        .map_or(0, |s| s.anon_bytes);
    let (first, last) = (samples.first(), samples.last());
    let end = last.map_or(0, |s| s.anon_bytes);
    let empty = first.map_or(0, |s| s.anon_bytes);
    let rss_end = last.map_or(0, |s| s.rss_bytes);
    let rss_empty = first.map_or(0, |s| s.rss_bytes);
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
        rss_bytes_per_event: rss_end.saturating_sub(rss_empty) as f64 / held,
        parts,
        config: config.clone(),
        anon_after_warmup_bytes: warm,
        anon_end_bytes: end,
        rss_end_bytes: rss_end,
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

#[cfg(test)]
mod tests {
    use super::parse_rss_anon;

    #[test]
    fn rss_anon_is_read_from_its_own_line_in_bytes() {
        let status =
            "Name:\tlineage\nVmRSS:\t   18000 kB\nRssAnon:\t   12345 kB\nRssFile:\t    5000 kB\n";
        assert_eq!(parse_rss_anon(status), Some(12345 * 1024));
        assert_eq!(parse_rss_anon("VmRSS:\t 1 kB\n"), None, "no RssAnon line");
        assert_eq!(parse_rss_anon("RssAnon:\t 12 pages\n"), None, "not in kB");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_anonymous_resident_memory() {
        // Not compared with `statm`: other tests allocate between the two readings.
        let anon = super::anon_resident_bytes().expect("RssAnon on Linux");
        assert!(anon > 0);
    }
}
