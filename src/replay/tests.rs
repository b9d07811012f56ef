//! Stop brings the view to the end in slices ([`Replay::bring_view`]): whatever the slice,
//! it ends at the inspection one step brings, which is the rebuilt one.

use super::Replay;
use crate::inspect::scrub::tests::{difference, replayed};
use crate::inspect::scrub::Scrub;
use crate::inspect::Inspection;

/// The inspection at `to` brought by one seek from nothing, as Stop did before slices.
fn one_seek(r: &Replay, to: usize) -> Inspection {
    let (mut ins, mut scrub) = (Inspection::default(), Scrub::new());
    let failures = r.handler_failures();
    r.bus()
        .with_history(|h| scrub.seek(&mut ins, h, to, &failures));
    ins
}

/// Steps `r`'s view to its cursor in slices of `slice`; returns how many it took.
fn slices(r: &mut Replay, slice: usize) -> usize {
    let mut n = 1;
    while !r.bring_view(slice) {
        n += 1;
        assert!(n <= r.recorded() + 1, "the view does not reach the cursor");
    }
    n
}

#[test]
fn a_view_brought_in_slices_is_the_one_brought_in_one_step() {
    for (history, slice) in [(100_000, 1), (100_000, 37), (100_000, 300), (150, 7)] {
        let mut sliced = replayed(3 * 64, &[], history);
        let n = sliced.recorded();
        assert!(n > 2 * slice, "{n} events, slices of {slice}");
        // From 0 to the end, as Stop does, then back a third and forward again.
        for to in [n, n / 3, n] {
            sliced.seek(to);
            let before = sliced.view_len();
            let taken = slices(&mut sliced, slice);
            if to > before {
                assert_eq!(taken, (to - before).div_ceil(slice), "slices of {slice}");
            }
            assert_eq!(sliced.view_len(), to);
            let one = one_seek(&sliced, to);
            let stepped = sliced.inspection();
            assert_eq!(
                difference(&stepped, &one),
                None,
                "slices of {slice} to {to}"
            );
            assert_eq!(difference(&stepped, &sliced.inspect()), None);
        }
    }
}

#[test]
fn a_view_at_the_cursor_needs_no_slice() {
    let mut r = replayed(64, &[], 100_000);
    r.seek(0);
    assert!(r.bring_view(1), "the view at 0 is at the cursor 0");
    assert_eq!(r.view_len(), 0);
}
