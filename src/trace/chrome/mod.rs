//! # Chrome Trace Event Format
//!
//! The JSON that Perfetto (ui.perfetto.dev) and chrome://tracing open: an array of trace
//! events, or an object whose `traceEvents` holds that array. Each event has a `name`, a
//! phase letter `ph`, a timestamp `ts` in microseconds, a process `pid` and a thread `tid`.
//!
//! ## What we write
//! - One complete event (`X`, with `dur`) per operation at every level, named after the
//!   operation (process name, else kind), its `cat` the start event's kind. Its `args` carry
//!   the ids, links and outcome (`id`, `parent_id`, `root_id`, `status`) and the full start
//!   and end events (`start`, `end`), so our own exports read back exactly.
//! - An operation that never finished is a `B` with no `E`: the viewers draw it as "did not
//!   end" up to the end of the trace, which is the truth.
//! - A single event (phase pending, progress, ...; or an end whose start is missing) is a
//!   thread-scoped instant `i`, the event in `args.event`.
//! - Lanes: each `tid` is a lane, and a slice is put on its parent's lane only when it nests
//!   inside the parent there (`X` events on one thread must nest). Concurrent siblings and
//!   children that outlive their parent go to another lane, and a flow arrow (`s` on the
//!   parent's lane, `f` with `"bp": "e"` on the child's) draws the parent link across.
//! - `M` metadata names the process and each lane (`thread_name`, `thread_sort_index`).
//! - Times are relative to the earliest event (`otherData["lineage.origin_ns"]` keeps the
//!   absolute origin), so nanoseconds survive the microsecond floats: an f64 holds every
//!   nanosecond exactly for the first 104 days of a trace.
//!
//! ## What we read
//! `B`/`E` (matched per `pid`/`tid`), `X`, `i`/`I` and `M` (`thread_name`, `process_name`).
//! Every other phase (flows, counters, async, samples, ...) is skipped and counted in
//! [`Imported::skipped`](super::Imported). Events written by us are rebuilt from their `args`;
//! other tools' slices become a start and an end event each, nested by time on their thread,
//! instants become point events, and ids are derived from the position in the file, so the
//! same file always gives the same ids. A truncated array (no closing `]`, which the format
//! allows) is read too.

mod export;
pub(crate) mod import;
mod rules;

pub use export::{export, write, write_log};
pub use rules::check_rules;

use super::error::ImportError;
use super::{Format, Imported};

/// The process id of everything we write.
const PID: u64 = 1;
/// Namespaces of the ids derived for other tools' events (high 64 bits), so start, end and
/// instant ids never collide.
const START_NS: u64 = 0x6368_726f_6d65_0001; // "chrome" 1
const END_NS: u64 = 0x6368_726f_6d65_0002;
/// Times beyond this many µs (about 600 years) cannot be nanoseconds in a `u64`.
const MAX_MICROS: f64 = 1.9e16;

/// Reads a Chrome trace.
pub fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    super::import_as(Format::Chrome, bytes)
}
