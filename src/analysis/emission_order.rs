//! # Emission order: inversions, and numbers that start again
//!
//! A bus numbers its events as they are emitted; an event processed after one with a higher
//! number was overtaken on its way (fire-and-forget's reordering): an *order inversion*. But
//! numbers also start again without anything going wrong: a traced program restarted while
//! the page kept listening, or two runs of `lineage simulate` in one file. Before this module
//! every event after such a restart was below the old highest number and read as an
//! inversion: a 2 M-event live stream of restarted runs made 1.7 M findings, each wrongly
//! worded, ~250 MB of them in the page (docs/live-page.md).
//!
//! [`classify`] tells the two apart: a number at or below the first number of the current
//! numbering, at least [`RESTART_GAP`] below the highest so far, is a restart. An inversion
//! cannot go below where the numbering began unless the very first events were overtaken by
//! [`RESTART_GAP`] others, and a restarted counter begins again at its start. After a restart
//! the new numbering is checked against itself.
//!
//! The lints ([`crate::analysis::lints`]), the replay's incremental inspection and the run
//! diff all ask this one function, so they agree on which events are inverted.

/// How far below the highest number so far a number must fall, at or below where the current
/// numbering began, to be read as the numbering starting again rather than an overtaken event.
pub const RESTART_GAP: u64 = 64;

/// Where an event's emission number puts it against the events processed before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// The highest number so far (or the first event): it becomes the peak.
    Ahead,
    /// Equal to the peak: not an inversion, and not a new peak.
    Same,
    /// Below the peak: processed after the peak's event, emitted before it.
    Inverted,
    /// The numbering started again: this event begins a new numbering and is its peak.
    Restart,
}

/// Where an event numbered `seq` stands, given the `peak` number so far and the `first`
/// number of the current numbering (both `None` before the first event).
#[inline]
pub fn classify(seq: u64, peak: Option<u64>, first: Option<u64>) -> Order {
    match peak {
        None => Order::Ahead,
        Some(m) if seq < m => {
            if first.is_some_and(|f| seq <= f) && m - seq >= RESTART_GAP {
                Order::Restart
            } else {
                Order::Inverted
            }
        }
        Some(m) if seq == m => Order::Same,
        Some(_) => Order::Ahead,
    }
}

/// [`classify`] over a trace read front to back: the peak and where the numbering began,
/// each with its event's index (the lints name both events).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EmissionOrder {
    /// The highest number of the current numbering and its event.
    peak: Option<(u64, usize)>,
    /// The first number of the current numbering.
    first: Option<u64>,
}

impl EmissionOrder {
    /// Event `i`, numbered `seq`, the next in processing order; with the verdict, the index of
    /// the peak it is measured against (the peak before it, for an inversion or a restart).
    pub fn observe(&mut self, seq: u64, i: usize) -> (Order, usize) {
        let before = self.peak.map_or(i, |(_, p)| p);
        let order = classify(seq, self.peak.map(|(m, _)| m), self.first);
        match order {
            Order::Ahead => {
                self.first.get_or_insert(seq);
                self.peak = Some((seq, i));
            }
            Order::Restart => {
                self.first = Some(seq);
                self.peak = Some((seq, i));
            }
            Order::Same | Order::Inverted => {}
        }
        (order, before)
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn verdicts(seqs: &[u64]) -> Vec<Order> {
        let mut order = EmissionOrder::default();
        seqs.iter()
            .enumerate()
            .map(|(i, &s)| order.observe(s, i).0)
            .collect()
    }

    #[test]
    fn an_overtaken_event_is_inverted_and_measured_against_the_peak() {
        use Order::*;
        assert_eq!(
            verdicts(&[0, 1, 3, 2, 3, 4]),
            [Ahead, Ahead, Ahead, Inverted, Same, Ahead]
        );
        let mut order = EmissionOrder::default();
        for (i, s) in [0, 1, 3].into_iter().enumerate() {
            order.observe(s, i);
        }
        assert_eq!(order.observe(2, 3), (Inverted, 2));
    }

    #[test]
    fn numbers_starting_again_far_below_are_a_restart_checked_against_themselves() {
        use Order::*;
        let mut seqs: Vec<u64> = (0..200).collect();
        seqs.extend([0, 1, 3, 2, 4]);
        let v = verdicts(&seqs);
        assert!(v[..200].iter().all(|&o| o == Ahead));
        assert_eq!(v[200..], [Restart, Ahead, Ahead, Inverted, Ahead]);
        let mut order = EmissionOrder::default();
        for (i, &s) in seqs[..200].iter().enumerate() {
            order.observe(s, i);
        }
        assert_eq!(order.observe(0, 200), (Restart, 199));
    }

    #[test]
    fn a_drop_not_below_the_start_or_by_less_than_the_gap_is_an_inversion() {
        use Order::*;
        // Below the peak by far, but above where the numbering began: overtaken.
        let mut seqs: Vec<u64> = (10..300).collect();
        seqs.push(11);
        assert_eq!(verdicts(&seqs).last(), Some(&Inverted));
        // At the start, but the peak is only RESTART_GAP - 1 above: overtaken.
        let seqs: Vec<u64> = (5..5 + RESTART_GAP).chain([5]).collect();
        assert_eq!(seqs[seqs.len() - 2] - 5, RESTART_GAP - 1);
        assert_eq!(verdicts(&seqs).last(), Some(&Inverted));
        // One more and it is a restart.
        let seqs: Vec<u64> = (5..6 + RESTART_GAP).chain([5]).collect();
        assert_eq!(verdicts(&seqs).last(), Some(&Restart));
    }

    #[test]
    fn classify_needs_a_peak_to_invert_and_a_start_to_restart() {
        assert_eq!(classify(0, None, None), Order::Ahead);
        assert_eq!(classify(0, Some(1_000), None), Order::Inverted);
        assert_eq!(classify(0, Some(1_000), Some(0)), Order::Restart);
        assert_eq!(classify(1_000, Some(1_000), Some(0)), Order::Same);
    }
}
