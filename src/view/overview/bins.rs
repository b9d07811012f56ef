//! # Counting over time as a trace grows
//!
//! [`Bins`] counts events, operations and failed operations per bin of time, where a bin is
//! a power of two nanoseconds wide and starts at a multiple of its width (bin `k` holds the
//! times `t` with `t >> shift == k`). The bins are as narrow as keeps them at most `max`
//! from the earliest time counted to the latest. Why: a live trace grows at its end (and
//! an OTLP trace can grow at its start), and bins aligned this way never need the events
//! again when the range grows: widening the bins twofold adds bins `2k` and `2k + 1`
//! together, exactly the counts those events would give at the new width, and the range
//! growing at either end only adds empty bins. So counting the events one by one as they
//! arrive gives the same bins as counting them all at once ([`Bins`]'s tests hold it), at
//! `O(max)` per widening instead of `O(events)`.

/// Counts per bin of time; see the module docs.
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
    /// At most this many bins (at least 2).
    max: usize,
    /// The bins are `1 << shift` ns wide.
    shift: u32,
    /// The bin number (`t >> shift`) of the first bin.
    first: u64,
    /// The earliest and latest time counted (meaningless while `events` is empty).
    lo: u64,
    hi: u64,
    /// Events per bin.
    pub events: Vec<u32>,
    /// Operations that failed or timed out, per bin of their end.
    pub failures: Vec<u32>,
    /// Operations (spans) per bin of their end, or of their start while unfinished.
    pub operations: Vec<u32>,
}

impl Bins {
    /// No bins yet; at most `max` (at least 2) once counting.
    pub fn new(max: usize) -> Bins {
        Bins {
            max: max.max(2),
            shift: 0,
            first: 0,
            lo: 0,
            hi: 0,
            events: Vec::new(),
            failures: Vec::new(),
            operations: Vec::new(),
        }
    }

    /// Counts one event at `t`.
    pub fn add_event(&mut self, t: u64) {
        let b = self.cover(t);
        self.events[b] += 1;
    }

    /// Counts one operation at `t` (its end, or its start while unfinished), failed or not.
    pub fn add_operation(&mut self, t: u64, failed: bool) {
        let b = self.cover(t);
        self.operations[b] += 1;
        self.failures[b] += u32::from(failed);
    }

    /// Takes back an operation [`Bins::add_operation`] counted with the same arguments (its
    /// end arrived: it is counted again at its end).
    pub fn remove_operation(&mut self, t: u64, failed: bool) {
        let b = self.cover(t);
        self.operations[b] = self.operations[b].saturating_sub(1);
        self.failures[b] = self.failures[b].saturating_sub(u32::from(failed));
    }

    /// The earliest and latest time counted, `(0, 0)` while empty.
    pub fn counted(&self) -> (u64, u64) {
        if self.events.is_empty() {
            return (0, 0);
        }
        (self.lo, self.hi)
    }

    /// The width of a bin (ns).
    pub fn bin_ns(&self) -> u64 {
        1 << self.shift
    }

    /// The time the first bin starts and the last one ends (ns), `(0, 1)` while empty.
    pub fn range(&self) -> (u64, u64) {
        if self.events.is_empty() {
            return (0, 1);
        }
        let end = (u128::from(self.first) + self.events.len() as u128) << self.shift;
        (
            self.first << self.shift,
            u64::try_from(end).unwrap_or(u64::MAX),
        )
    }

    /// The index of `t`'s bin, after widening the bins (or adding bins) so that they cover
    /// it.
    fn cover(&mut self, t: u64) -> usize {
        if self.events.is_empty() {
            (self.lo, self.hi, self.shift, self.first) = (t, t, 0, t);
            self.resize(1);
        } else if t < self.lo || t > self.hi {
            self.lo = self.lo.min(t);
            self.hi = self.hi.max(t);
            while (self.hi >> self.shift) - (self.lo >> self.shift) >= self.max as u64 {
                self.widen();
            }
            let lo_bin = self.lo >> self.shift;
            if lo_bin < self.first {
                let n = (self.first - lo_bin) as usize;
                for v in [&mut self.events, &mut self.failures, &mut self.operations] {
                    v.splice(0..0, std::iter::repeat_n(0, n));
                }
                self.first = lo_bin;
            }
            self.resize(((self.hi >> self.shift) - self.first + 1) as usize);
        }
        ((t >> self.shift) - self.first) as usize
    }

    fn resize(&mut self, len: usize) {
        for v in [&mut self.events, &mut self.failures, &mut self.operations] {
            v.resize(len, 0);
        }
    }

    /// Bins twice as wide: bins `2k` and `2k + 1` become bin `k`.
    #[cold]
    fn widen(&mut self) {
        let first = self.first >> 1;
        let len = (((self.first + (self.events.len() as u64 - 1)) >> 1) - first + 1) as usize;
        for v in [&mut self.events, &mut self.failures, &mut self.operations] {
            let mut merged = vec![0u32; len];
            for (k, &c) in v.iter().enumerate() {
                merged[(((self.first + k as u64) >> 1) - first) as usize] += c;
            }
            *v = merged;
        }
        self.first = first;
        self.shift += 1;
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    /// A small deterministic generator (no dependency in wasm tests).
    fn times(seed: u64, n: usize) -> Vec<u64> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly growing, sometimes earlier, sometimes far: as live traces are.
                match x % 8 {
                    0 => x % 1_000,
                    1 => x >> 4,
                    _ => 1_000_000 + (x % 5_000_000),
                }
            })
            .collect()
    }

    /// The bins of `ts` computed at once from their range: the narrowest power-of-two width
    /// that spans it in at most `max` aligned bins.
    fn at_once(ts: &[u64], max: usize) -> (u32, u64, Vec<u32>, Vec<u32>, Vec<u32>) {
        let (lo, hi) = (*ts.iter().min().unwrap(), *ts.iter().max().unwrap());
        let shift = (0..64)
            .find(|&s| (hi >> s) - (lo >> s) < max as u64)
            .unwrap();
        let first = lo >> shift;
        let len = ((hi >> shift) - first + 1) as usize;
        let (mut e, mut f, mut o) = (vec![0; len], vec![0; len], vec![0; len]);
        for &t in ts {
            let b = ((t >> shift) - first) as usize;
            e[b] += 1;
            o[b] += 1;
            f[b] += u32::from(t % 3 == 0);
        }
        (shift, first, e, f, o)
    }

    #[test]
    fn counting_one_by_one_gives_the_bins_counting_all_at_once_gives() {
        for seed in 1..40u64 {
            let ts = times(seed, 300);
            let mut grown = Bins::new(200);
            for (k, &t) in ts.iter().enumerate() {
                grown.add_event(t);
                // Operations counted as they come, some first at a start then moved.
                grown.add_operation(ts[k / 2], false);
                grown.remove_operation(ts[k / 2], false);
                grown.add_operation(t, t % 3 == 0);
                if k % 50 == 0 {
                    assert!(grown.events.len() <= 200);
                }
            }
            let (shift, first, e, f, o) = at_once(&ts, 200);
            let mut wanted = Bins::new(200);
            (wanted.shift, wanted.first) = (shift, first);
            (wanted.events, wanted.failures, wanted.operations) = (e, f, o);
            (wanted.lo, wanted.hi) = (grown.lo, grown.hi);
            assert_eq!(grown, wanted, "seed {seed}");
        }
    }

    #[test]
    fn the_bins_cover_the_range_counted_and_no_more_than_one_bin_beyond() {
        let mut b = Bins::new(4);
        assert_eq!(b.range(), (0, 1));
        b.add_event(1_000);
        assert_eq!((b.range(), b.events.clone()), ((1_000, 1_001), vec![1]));
        b.add_event(2_000);
        // 1 000 ns over at most 4 aligned bins: 512 ns bins, 3 of them (512..1024, ..,
        // 1536..2048); 256 ns bins would need 5 (768..1024 to 1792..2048).
        assert_eq!(b.range(), (512, 2_048));
        assert_eq!(b.events, vec![1, 0, 1]);
        b.add_operation(1_900, true);
        b.add_operation(1_000, false);
        b.remove_operation(1_000, false);
        b.add_operation(1_950, false);
        assert_eq!(
            (b.operations.clone(), b.failures.clone()),
            (vec![0, 0, 2], vec![0, 0, 1])
        );
        b.add_event(0);
        assert!(b.events.len() <= 4);
        assert_eq!(b.range().0, 0);
        assert_eq!(b.events.iter().sum::<u32>(), 3);
    }

    #[test]
    fn times_near_the_top_of_the_clock_do_not_overflow() {
        let mut b = Bins::new(200);
        for t in [u64::MAX, u64::MAX - 5, 0, 1 << 63] {
            b.add_event(t);
        }
        assert!(b.events.len() <= 200);
        assert_eq!(b.events.iter().sum::<u32>(), 4);
        assert_eq!(b.range().1, u64::MAX);
    }
}
