//! # Head sampling
//!
//! [`EmitMode::Sampled`](super::EmitMode::Sampled) keeps a share of operation *trees*, as
//! OpenTelemetry's `ParentBased(TraceIdRatioBased)` sampler keeps a share of traces:
//!
//! - **Decided once, at the root.** An operation with no enclosing operation draws its id
//!   first and keeps its tree when a hash of the bus's sampling seed and that id falls under
//!   the ratio ([`decide_root`]). The same seed and root id always give the same answer, so a
//!   decision can be checked after the fact from the recorded root id.
//! - **Followed by every descendant.** A kept root is recorded as awaited, so its nested
//!   operations see its frame and are recorded; a dropped root runs its work inside
//!   [`DroppedTree`], which marks every poll of that work as "inside a dropped tree", and the
//!   nested operations polled there run bare. A tree is therefore recorded whole or not at all:
//!   sampling never produces an end without its start.
//! - **What a dropped tree costs.** The root pays one id draw, one hash and a flag set around
//!   each of its polls; its descendants pay one thread-local read each, as Lazy pays its cached
//!   interest check.
//!
//! The mode's parameter, its name and its decision all live in this file.

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use uuid::Uuid;

use super::Decision;
use crate::core::context;
use crate::core::ids;

/// The share of operation trees a sampled bus keeps, in parts per million (0 to 1 000 000),
/// so that the mode stays `Copy + Eq + Hash` and prints back exactly as it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SampleRatio(u32);

impl SampleRatio {
    const PER: u32 = 1_000_000;
    /// One tree in ten: the ratio `sampled` alone means.
    pub const DEFAULT: SampleRatio = SampleRatio(100_000);
    /// No tree kept: the sampled bus records nothing, but still decides per root.
    pub const NONE: SampleRatio = SampleRatio(0);
    /// Every tree kept: records what awaited mode records.
    pub const ALL: SampleRatio = SampleRatio(Self::PER);

    /// A ratio from parts per million; `None` above one million.
    pub const fn from_ppm(ppm: u32) -> Option<SampleRatio> {
        if ppm <= Self::PER {
            Some(SampleRatio(ppm))
        } else {
            None
        }
    }

    /// The ratio in parts per million (0 to 1 000 000), as [`SampleRatio::from_ppm`] takes it.
    pub const fn ppm(self) -> u32 {
        self.0
    }

    /// The ratio as a fraction of one.
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / f64::from(Self::PER)
    }

    /// Reads `0.1`, `.25`, `1`, `10%` or `0.5%`; `None` outside 0 to 1 (0 % to 100 %) or
    /// finer than parts per million.
    pub fn parse(text: &str) -> Option<SampleRatio> {
        let text = text.trim();
        let (number, scale) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), 10_000u64),
            None => (text, 1_000_000u64),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty())
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 3
        {
            return None;
        }
        let mut ppm = whole.parse::<u64>().unwrap_or(0) * scale;
        let mut unit = scale;
        for digit in fraction.bytes() {
            if unit == 1 {
                // Past parts per million: only zeros may follow.
                if digit != b'0' {
                    return None;
                }
                continue;
            }
            unit /= 10;
            ppm += u64::from(digit - b'0') * unit;
        }
        u32::try_from(ppm).ok().and_then(SampleRatio::from_ppm)
    }

    /// The ratio as a percentage for people (`10%`, `0.5%`).
    pub fn percent(self) -> String {
        let tenths_of_thousandths = self.0; // ppm = percent × 10 000
        let whole = tenths_of_thousandths / 10_000;
        let rest = tenths_of_thousandths % 10_000;
        if rest == 0 {
            format!("{whole}%")
        } else {
            let digits = format!("{rest:04}");
            format!("{whole}.{}%", digits.trim_end_matches('0'))
        }
    }

    /// Does a root with this id, under this seed, keep its tree? The id's 128 bits and the
    /// seed are mixed (SplitMix64's finaliser) into a uniform 64-bit draw, compared against the
    /// ratio's share of 2⁶⁴.
    #[inline]
    pub fn keeps(self, seed: u64, root_id: Uuid) -> bool {
        if self.0 >= Self::PER {
            return true;
        }
        let (hi, lo) = root_id.as_u64_pair();
        self.keeps_draw(mix(seed ^ mix(hi) ^ lo.rotate_left(29)))
    }

    /// Is a uniform 64-bit draw below the ratio's share of 2⁶⁴, `⌊ppm · 2⁶⁴ / 10⁶⌋`? Asked
    /// without the 128-bit division (a call to `__udivti3` on every root): for integers,
    /// `d < ⌊x / n⌋` is `(d + 1) · n ≤ x`, one multiplication.
    #[inline]
    fn keeps_draw(self, draw: u64) -> bool {
        (u128::from(draw) + 1) * u128::from(Self::PER) <= u128::from(self.0) << 64
    }
}

impl fmt::Display for SampleRatio {
    /// As a decimal fraction with no trailing zeros: `0.1`, `0.005`, `1`, `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / Self::PER;
        let rest = self.0 % Self::PER;
        if rest == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{rest:06}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The decision of an operation beginning in sampled mode, from where it begins: inside a
/// dropped tree it runs bare, inside a recorded operation it is recorded, and a root is kept
/// or dropped by [`SampleRatio::keeps`] on the id it draws here.
///
/// Always inlined, the root's draw outlined: two operations of three in the pipeline begin
/// inside a tree already decided, and as one outlined function every call paid the frame
/// of the root's path (~15 instructions: saved registers and a decision returned through
/// memory), ~45 an operation of a dropped tree (callgrind, branch `busput`).
#[inline(always)]
pub(crate) fn decide(ratio: SampleRatio, seed: u64) -> Decision {
    if in_dropped_tree() {
        return Decision::Skip;
    }
    if context::current().is_some() {
        return Decision::Record(None);
    }
    decide_root(ratio, seed)
}

/// A root's decision: an id drawn and kept or dropped on it.
#[inline(never)]
fn decide_root(ratio: SampleRatio, seed: u64) -> Decision {
    let root_id = ids::new_id();
    if ratio.keeps(seed, root_id) {
        Decision::Record(Some(root_id))
    } else {
        Decision::DropTree
    }
}

thread_local! {
    static IN_DROPPED_TREE: Cell<bool> = const { Cell::new(false) };
}

/// Is the future being polled right now part of a tree the sampler dropped?
#[inline]
pub(crate) fn in_dropped_tree() -> bool {
    IN_DROPPED_TREE.with(Cell::get)
}

/// Restores the flag when a poll returns or unwinds.
struct Restore(bool);

impl Drop for Restore {
    #[inline]
    fn drop(&mut self) {
        IN_DROPPED_TREE.with(|c| c.set(self.0));
    }
}

pin_project_lite::pin_project! {
    /// The work of a dropped root: every poll runs with the "dropped tree" flag set, per
    /// poll like the context's frame, so interleaved tasks never see each other's flag.
    pub struct DroppedTree<F> {
        #[pin]
        work: F,
    }
}

impl<F> DroppedTree<F> {
    pub fn new(work: F) -> DroppedTree<F> {
        DroppedTree { work }
    }
}

impl<F: Future> Future for DroppedTree<F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let _restore = Restore(IN_DROPPED_TREE.with(|c| c.replace(true)));
        self.project().work.poll(cx)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn ratios_read_and_print_back() {
        for (text, ppm, printed, percent) in [
            ("0.1", 100_000, "0.1", "10%"),
            ("10%", 100_000, "0.1", "10%"),
            (".25", 250_000, "0.25", "25%"),
            ("1", 1_000_000, "1", "100%"),
            ("0", 0, "0", "0%"),
            ("0.005", 5_000, "0.005", "0.5%"),
            ("0.5%", 5_000, "0.005", "0.5%"),
            ("0.000001", 1, "0.000001", "0.0001%"),
        ] {
            let r = SampleRatio::parse(text).unwrap_or_else(|| panic!("{text} reads"));
            assert_eq!(r.ppm(), ppm, "{text}");
            assert_eq!(r.to_string(), printed, "{text}");
            assert_eq!(r.percent(), percent, "{text}");
        }
    }

    #[test]
    fn out_of_range_or_too_fine_ratios_are_refused() {
        for text in [
            "1.5",
            "101%",
            "-0.1",
            "",
            ".",
            "abc",
            "0.0000001",
            "1e-3",
            "9999",
        ] {
            assert_eq!(SampleRatio::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_decision_is_a_function_of_seed_and_root_id() {
        let r = SampleRatio::DEFAULT;
        let ids: Vec<Uuid> = (0..2_000).map(|_| ids::new_id()).collect();
        let first: Vec<bool> = ids.iter().map(|&id| r.keeps(7, id)).collect();
        let again: Vec<bool> = ids.iter().map(|&id| r.keeps(7, id)).collect();
        assert_eq!(first, again);
        let other_seed: Vec<bool> = ids.iter().map(|&id| r.keeps(8, id)).collect();
        assert_ne!(first, other_seed, "the seed changes which trees are kept");
        let kept = first.iter().filter(|&&k| k).count();
        assert!(
            (120..=280).contains(&kept),
            "about a tenth of 2 000 kept: {kept}"
        );
    }

    #[test]
    fn the_draw_is_compared_with_the_share_of_two_to_the_64_exactly() {
        for ppm in [0, 1, 3, 7, 100_000, 333_333, 999_999, 1_000_000] {
            let r = SampleRatio::from_ppm(ppm).unwrap();
            let threshold = ((u128::from(ppm) << 64) / 1_000_000) as u64;
            let mut draws = vec![0, 1, u64::MAX, u64::MAX - 1, 1 << 63];
            draws.extend([
                threshold.wrapping_sub(1),
                threshold,
                threshold.wrapping_add(1),
            ]);
            for draw in draws {
                let by_division = ppm == 1_000_000 || draw < threshold;
                assert_eq!(r.keeps_draw(draw), by_division, "ppm {ppm}, draw {draw}");
            }
        }
    }

    #[test]
    fn none_keeps_nothing_and_all_keeps_everything() {
        let id = ids::new_id();
        assert!(!SampleRatio::NONE.keeps(1, id));
        assert!(SampleRatio::ALL.keeps(1, id));
    }
}
