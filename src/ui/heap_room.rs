//! # Room in the wasm heap for a file's payloads, made once
//!
//! See [`make_heap_room`]; used by `files.rs` once the first slice of a file is read.

use crate::model::EventLog;
use crate::trace::{Importer, Limits};

/// Grows the wasm heap once by the payload bytes the rest of the file will bring (guessed
/// from the share read so far), by allocating that much and freeing it at once: the
/// allocator keeps the freed block at the top of its heap (linear memory never shrinks) and
/// carves the payload arena's 64 KB chunks out of it. Without it, each chunk grew the
/// memory by itself: ~500 `memory.grow`s for a 1 M-event trace, and `malloc` was 8 % of the
/// wasm profile of the open (`page_open_cost` under Node, docs/page-open.md). The room is
/// what the arena will hold if the rest of the file is like its start; if it brings fewer
/// payload bytes, the difference stays free heap (the store's room for events is guessed
/// the same way, `Importer::expect_total_bytes`).
pub(super) fn make_heap_room(importer: &Importer<EventLog>, total: u64, limits: Limits) {
    let more = payload_bytes_to_come(importer, total, limits);
    // Asked, not demanded: a browser that cannot grow the memory that far now leaves the
    // import to grow as it goes (and meet the same limit, if at all, where it would have).
    let mut room = Vec::<u8>::new();
    if room.try_reserve_exact(more).is_ok() {
        drop(std::hint::black_box(room));
    }
}

/// The payload arena's bytes still to come if the rest of the file is like what was read,
/// at most half the import's memory budget (a guess takes no more, as the store's room).
fn payload_bytes_to_come(importer: &Importer<EventLog>, total: u64, limits: Limits) -> usize {
    let read = importer.bytes_read().max(1);
    let parts = importer.sink().store().heap_parts();
    let arena = parts.iter().find(|(name, _)| *name == "payload arena");
    let arena = arena.map_or(0, |&(_, bytes)| bytes) as u128;
    let more = arena * u128::from(total.saturating_sub(read)) / u128::from(read);
    more.min(u128::from(limits.max_retained_bytes / 2)) as usize
}
