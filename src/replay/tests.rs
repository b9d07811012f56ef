//! Stop brings the view to the end in slices ([`Replay::bring_view`]): whatever the slice,
//! it ends at the inspection one step brings, which is the rebuilt one.

use proptest::prelude::*;

use super::Replay;
use crate::analysis::crafted::difference;
use crate::analysis::Inspection;
use crate::view::scrub::Scrub;

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

/// A replay of `operations` operations, its mode switched at each of `switches` (operations
/// started so far, mode), with a history of `history` events.
pub(crate) fn replayed(
    operations: usize,
    switches: &[(usize, crate::core::EmitMode)],
    history: usize,
) -> crate::replay::Replay {
    let config = crate::analysis::crafted::test_pipeline(operations);
    let clock = std::rc::Rc::new(crate::core::ManualClock::ticking(1_000));
    let mut r = crate::replay::Replay::new(config, clock, history);
    let mut switches = switches.to_vec();
    switches.sort_by_key(|s| s.0);
    for (at, mode) in switches {
        while r.operations_run().0 < at && !r.finished() {
            r.run_slice();
        }
        r.set_mode(mode);
    }
    r.run_all();
    r
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn a_replays_inspection_at_its_cursor_is_the_rebuilt_one_across_mode_switches(
        switches in prop::collection::vec((0usize..6, 0usize..4), 0..3),
        history in prop_oneof![Just(100_000usize), 40usize..200],
        cursors in prop::collection::vec(0.0f64..1.05, 1..8),
    ) {
        let modes: Vec<_> = switches
            .iter()
            .map(|&(at, m)| (at * 64, crate::core::EmitMode::ALL[m]))
            .collect();
        let mut r = replayed(6 * 64, &modes, history);
        let n = r.recorded();
        for f in cursors {
            r.seek((f * n as f64) as usize);
            let scrubbed = r.inspection();
            prop_assert_eq!(difference(&scrubbed, &r.inspect()), None);
        }
    }
}

#[test]
fn a_replay_tags_its_operations_with_the_mode_they_ran_in() {
    use crate::analysis::latency::LagByMode;
    use crate::core::EmitMode;
    let r = replayed(
        3 * 64,
        &[(64, EmitMode::FireAndForget), (128, EmitMode::Awaited)],
        100_000,
    );
    let ins = r.inspect();
    let name = ins
        .trace
        .label(ins.spans.spans[ins.spans.roots[0]].start)
        .to_owned();
    let lag = LagByMode::of_name(&ins.trace, &ins.spans, &name, r.modes(), 8).expect("live");
    let modes: Vec<_> = lag.modes.iter().map(|(m, h)| (*m, h.n)).collect();
    // 64 root operations a slice, two events each, in each of the modes they ran in.
    assert_eq!(
        modes,
        vec![(EmitMode::Awaited, 256), (EmitMode::FireAndForget, 128)]
    );
}
