//! # The scratch payload writing factories fill
//!
//! A writing factory (`core::emit::Writes`) fills one payload the bus lends it, event after
//! event, instead of building a new `Payload` each time; the put encodes it into the store
//! and the payload comes back here to be emptied for the next event. Emptying it is on the
//! hot path of every awaited event, hence the care below.

use super::EventBus;
use crate::core::event::{EntityIds, Kind, Payload};

impl EventBus {
    /// The scratch payload writing factories fill (`core::emit::Writes`): the bus's own,
    /// empty, or a new one if it is out (a factory that emits while writing).
    #[inline]
    pub(crate) fn take_scratch_payload(&self) -> Box<Payload> {
        self.inner.scratch_payload.take().unwrap_or_default()
    }

    /// Gives the scratch payload back, emptied for the next event.
    ///
    /// The usual payload (literal names, inline ids, fields encoded inline) is emptied
    /// without drop code: `Payload::clear` and `Cell::set` inlined the drops of every member
    /// that can own memory, and the calls they hold made this a function that saved and
    /// restored six registers around ~20 stores, ~54 instructions a factory, five an
    /// operation (callgrind, branch `busput`). Anything else is cleared the general way.
    #[inline]
    pub(crate) fn give_back_scratch_payload(&self, mut payload: Box<Payload>) {
        if !empty_plain(&mut payload) {
            empty_slow(&mut payload);
        }
        if let Some(other) = self.inner.scratch_payload.replace(Some(payload)) {
            // A factory that emitted while writing took a second scratch payload.
            drop_slow(other);
        }
    }
}

/// Empties a payload that owns no memory, forgetting its members instead of dropping them
/// (nothing to free: borrowed names, inline ids of `Copy` uuids, fields in inline arrays);
/// `false`, with the payload as it was, if it owns any.
#[inline]
fn empty_plain(p: &mut Payload) -> bool {
    let owns = |n: &Option<Kind>| matches!(n, Some(Kind::Owned(_)));
    if owns(&p.process_name)
        || owns(&p.function_name)
        || p.input_entity_ids.spilled()
        || p.output_entity_ids.spilled()
        || !p.unknown.is_empty()
        || !p.extra.clear_plain()
    {
        return false;
    }
    std::mem::forget(p.process_name.take());
    std::mem::forget(p.function_name.take());
    std::mem::forget(std::mem::replace(
        &mut p.input_entity_ids,
        EntityIds::new_const(),
    ));
    std::mem::forget(std::mem::replace(
        &mut p.output_entity_ids,
        EntityIds::new_const(),
    ));
    p.entity_count = None;
    true
}

#[cold]
#[inline(never)]
fn empty_slow(p: &mut Payload) {
    p.clear();
}

#[cold]
#[inline(never)]
fn drop_slow(p: Box<Payload>) {
    drop(p);
}
