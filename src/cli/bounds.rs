//! # The range of every numeric option
//!
//! Each numeric option of every subcommand is parsed through one of these, so a value out of
//! range is refused before any work with a message that names the option and the range
//! (`error: invalid value '20000' for '--depth <DEPTH>': 20000 is not in 1..=8`). Until
//! 2026-12 `simulate --depth 20000` overflowed the stack and `--subscribers 1000000` or
//! `--yields 4294967295` ran without end. The simulated pipeline's settings take the page's
//! ranges ([`crate::workload::limits`]); the rest are set here, each with the reason.

use clap::builder::{RangedU64ValueParser, TypedValueParser};

use crate::workload::limits::Bounds;

/// A whole number between `min` and `max`, inclusive.
pub(crate) fn whole<T>(min: u64, max: u64) -> RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::error::Error + Send + Sync + 'static,
{
    RangedU64ValueParser::<T>::new().range(min..=max)
}

/// A whole number in one of the page's ranges.
pub(crate) fn page<T>(bounds: Bounds) -> RangedU64ValueParser<T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::error::Error + Send + Sync + 'static,
{
    whole(bounds.min as u64, bounds.max as u64)
}

/// A finite number between `min` and `max`, inclusive.
pub(crate) fn real(min: f64, max: f64) -> impl TypedValueParser<Value = f64> {
    move |text: &str| -> Result<f64, String> {
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{text} is not a number"))?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(format!("{text} is not in {min}..={max}"))
        }
    }
}

/// Operations of `simulate`. The history must hold the whole run, at most 50 million events
/// (two per level an operation), which `simulate` checks with its own message; its total cost
/// is bounded there too.
pub(crate) const SIMULATE_OPERATIONS: u64 = 10_000_000;
/// Events a bench or an import case may ask for: the import budget's default, which a bigger
/// case would be refused by.
pub(crate) const BENCH_EVENTS: u64 = crate::trace::Limits::DEFAULT.max_events;
/// Measured rounds and operations per batch of the emit bench: beyond these a run takes hours.
pub(crate) const BENCH_ROUNDS: u64 = 1_000;
pub(crate) const BENCH_OPERATIONS: u64 = 1_000_000;
/// Events the memory bench pushes: 10 M by default, a few minutes at 100 M.
pub(crate) const MEMORY_BENCH_EVENTS: u64 = 100_000_000;
/// The store numbers its slots with `u32`; a budget above this could never be reached.
pub(crate) const MAX_EVENTS: u64 = u32::MAX as u64 - 2;
/// MiB an import may hold: 1 TiB, far past any machine this runs on, but a number that
/// cannot overflow when turned into bytes.
pub(crate) const MAX_MEMORY_MIB: u64 = 1 << 20;
/// Bytes an import may read: 1 TB, a sanity bound for endless inputs (the default is 4 GB).
pub(crate) const MAX_INPUT_BYTES: u64 = 1_000_000_000_000;
/// Findings listed per kind by `summary`: each is one line; past this the output is no
/// longer something to read.
pub(crate) const MAX_FINDINGS: u64 = 1_000_000;
