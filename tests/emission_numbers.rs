//! Emission numbers in a trace: an overtaken event is an order inversion; numbers that start
//! again (a restarted program, two runs in one file) are one finding, not one per event; and a
//! trace with a finding per event keeps a bounded number of messages with whole counts.

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::analysis::diff::inversion_flags;
use lineage::analysis::lint_list::KEPT_PER_KIND;
use lineage::analysis::lints::LintKind;
use lineage::analysis::Inspection;
use lineage::core::{Event, Phase};
use lineage::model::EventLog;

/// Point events numbered `seqs`, in that processing order.
fn numbered(seqs: impl IntoIterator<Item = u64>) -> Vec<Event> {
    seqs.into_iter()
        .enumerate()
        .map(|(k, seq)| {
            let mut e = Event::root("tick", Phase::Pending);
            e.seq = seq;
            e.timestamp_ns = k as u64;
            e
        })
        .collect()
}

fn count(ins: &Inspection, kind: LintKind) -> usize {
    ins.lints.count(kind)
}

#[test]
fn two_runs_in_one_trace_are_one_restart_and_no_inversion() {
    let events = numbered((1..=500).chain(1..=500));
    let ins = Inspection::new(events.clone(), &[]);
    assert_eq!(count(&ins, LintKind::OrderInversion), 0);
    assert_eq!(count(&ins, LintKind::NumberingRestart), 1);
    let restart = &ins.lints.of(LintKind::NumberingRestart)[0];
    assert_eq!(restart.events, [events[500].id, events[499].id]);
    assert!(restart
        .message
        .contains("#1 starts the emission numbers again after #500"));
    assert!(ins.summary.lints.contains(&(LintKind::NumberingRestart, 1)));
    // The run diff reads the same numbers the same way.
    assert!(!inversion_flags(&EventLog::new(events)).contains(&true));
}

#[test]
fn an_overtaken_event_after_a_restart_is_still_an_inversion() {
    // Second run: 3 overtaken by 4.
    let events = numbered((1..=200).chain([1, 2, 4, 3, 5]));
    let ins = Inspection::new(events.clone(), &[]);
    assert_eq!(count(&ins, LintKind::NumberingRestart), 1);
    assert_eq!(count(&ins, LintKind::OrderInversion), 1);
    let inversion = &ins.lints.of(LintKind::OrderInversion)[0];
    assert_eq!(inversion.events, [events[203].id, events[202].id]);
    let flags = inversion_flags(&EventLog::new(events));
    let flagged: Vec<usize> = (0..flags.len()).filter(|&i| flags[i]).collect();
    assert_eq!(flagged, [203], "only the overtaken event is flagged");
}

#[test]
fn a_small_drop_is_an_inversion_not_a_restart() {
    // Fire-and-forget can delay the first events a little: below the start, but not far.
    let events = numbered([5, 6, 7, 1, 8]);
    let ins = Inspection::new(events, &[]);
    assert_eq!(count(&ins, LintKind::OrderInversion), 1);
    assert_eq!(count(&ins, LintKind::NumberingRestart), 0);
}

#[test]
fn a_finding_per_event_keeps_a_bounded_list_and_the_whole_count() {
    // Alternating numbers: every second event is overtaken.
    let pairs = KEPT_PER_KIND as u64 + 300;
    let events = numbered((0..pairs).flat_map(|p| [2 * p + 2, 2 * p + 1]));
    let ins = Inspection::new(events, &[]);
    assert_eq!(count(&ins, LintKind::OrderInversion), pairs as usize);
    assert_eq!(
        ins.lints.of(LintKind::OrderInversion).len(),
        KEPT_PER_KIND,
        "messages past the kept ones are counted, not made"
    );
    assert_eq!(ins.lints.len(), pairs as usize);
    assert!(ins
        .summary
        .lints
        .contains(&(LintKind::OrderInversion, pairs as usize)));
    // The kept ones are the first: the list a reader sees is a prefix.
    assert!(ins.lints.of(LintKind::OrderInversion)[0]
        .message
        .contains("#1 was processed after #2"));
}
