//! The analysis on crafted links: ends naming each other, duplicate ids, ends without starts,
//! self-parents, ends before their starts, impossible timestamps. Each anomaly is named by
//! exactly one lint, and the summary's counts add up ([`Summary::check`]); a property test
//! holds both on random traces whose links point anywhere (natively).

#[cfg(target_family = "wasm")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_family = "wasm")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use lineage::analysis::lints::LintKind;
use lineage::analysis::Inspection;
use lineage::core::{Event, Phase};
use lineage::model::Status;

fn end_of(start: &Event, phase: Phase) -> Event {
    let mut end = Event::root("processed", phase);
    end.parent_id = start.parent_id;
    end.root_id = start.root_id;
    end.lineage_id = start.lineage_id;
    end.start_id = Some(start.id);
    end
}

fn lint_kinds(ins: &Inspection) -> Vec<(LintKind, usize)> {
    ins.summary.lints.clone()
}

#[test]
fn two_ends_naming_each_other_are_two_lone_ends_not_a_completed_operation() {
    let mut a = Event::root("processed", Phase::Completed);
    let mut b = Event::root("processed", Phase::Completed);
    a.start_id = Some(b.id);
    b.start_id = Some(a.id);
    let ins = Inspection::new(vec![a, b], &[]);
    assert_eq!(ins.summary.operations, 0);
    assert_eq!(ins.summary.completed, 0);
    assert_eq!(ins.summary.lone_ends, 2);
    assert_eq!(lint_kinds(&ins), [(LintKind::EndWithoutStart, 2)]);
    assert!(
        ins.lints[0].message.contains("not a start"),
        "{:?}",
        ins.lints
    );
    assert_eq!(ins.summary.check(), Ok(()));
}

#[test]
fn a_trace_read_twice_counts_one_operation_and_names_the_repeats_only_as_duplicates() {
    let start = Event::root("processing", Phase::Started);
    let end = end_of(&start, Phase::Completed);
    let events = vec![start.clone(), end.clone(), start, end];
    let ins = Inspection::new(events, &[]);
    assert_eq!(ins.summary.operations, 1);
    assert_eq!(ins.summary.completed, 1);
    assert_eq!(ins.summary.duplicates, 2);
    assert_eq!(lint_kinds(&ins), [(LintKind::DuplicateId, 2)]);
    assert_eq!(ins.summary.check(), Ok(()));
}

#[test]
fn ends_without_starts_are_not_operations_and_the_counts_still_add_up() {
    let mut ghost = Event::root("processed", Phase::Completed);
    ghost.start_id = Some(uuid::Uuid::new_v4());
    let no_name = Event::root("processed", Phase::Failed);
    let started = Event::root("processing", Phase::Started);
    let ins = Inspection::new(vec![ghost, no_name, started], &[]);
    let s = &ins.summary;
    assert_eq!((s.operations, s.unfinished, s.lone_ends), (1, 1, 2));
    assert_eq!(
        lint_kinds(&ins),
        [(LintKind::Unfinished, 1), (LintKind::EndWithoutStart, 2)]
    );
    assert_eq!(s.check(), Ok(()));
}

#[test]
fn a_self_parent_is_a_cycle_counted_and_linted_once_never_an_orphan() {
    let mut e = Event::root("processing", Phase::Pending);
    e.parent_id = Some(e.id);
    let ins = Inspection::new(vec![e], &[]);
    let span = &ins.spans.spans[0];
    assert!(span.cut && !span.orphan);
    assert_eq!((ins.summary.orphans, ins.summary.cycles), (0, 1));
    assert_eq!(lint_kinds(&ins), [(LintKind::Cycle, 1)]);
    assert!(ins.lints[0].message.contains("names itself as its parent"));
    assert_eq!(ins.summary.check(), Ok(()));
}

#[test]
fn a_two_event_cycle_is_one_cycle_lint_and_not_an_orphan() {
    let mut a = Event::root("processing", Phase::Pending);
    let mut b = Event::root("processing", Phase::Pending);
    a.parent_id = Some(b.id);
    b.parent_id = Some(a.id);
    let ins = Inspection::new(vec![a, b], &[]);
    assert_eq!((ins.summary.orphans, ins.summary.cycles), (0, 1));
    assert_eq!(lint_kinds(&ins), [(LintKind::Cycle, 1)]);
    assert_eq!(ins.summary.check(), Ok(()));
}

#[test]
fn an_end_before_its_start_is_paired_and_linted() {
    let mut start = Event::root("processing", Phase::Started);
    start.timestamp_ns = 5_000;
    let mut end = end_of(&start, Phase::Completed);
    end.timestamp_ns = 1_000;
    let ins = Inspection::new(vec![start, end], &[]);
    assert_eq!(ins.summary.completed, 1);
    assert_eq!(lint_kinds(&ins), [(LintKind::EndBeforeStart, 1)]);
    assert!(ins.lints[0].message.contains("4000 ns before"));
}

#[test]
fn an_end_listed_before_its_start_is_still_paired() {
    let start = Event::root("processing", Phase::Started);
    let end = end_of(&start, Phase::Failed);
    let ins = Inspection::new(vec![end, start], &[]);
    assert_eq!(ins.spans.len(), 1);
    assert_eq!(ins.spans.spans[0].status, Status::Failed);
    assert_eq!(ins.summary.failed, 1);
    assert!(ins.lints.is_empty(), "{:?}", ins.lints);
}

#[test]
fn a_second_end_for_one_start_is_named_ended_twice() {
    let start = Event::root("processing", Phase::Started);
    let first = end_of(&start, Phase::Completed);
    let second = end_of(&start, Phase::Failed);
    let ins = Inspection::new(vec![start.clone(), first, second], &[]);
    assert_eq!(ins.summary.completed, 1);
    assert_eq!(ins.summary.lone_ends, 1);
    assert_eq!(lint_kinds(&ins), [(LintKind::EndedTwice, 1)]);
    assert_eq!(ins.lints[0].events[1], start.id);
}

#[test]
fn a_u64_max_timestamp_is_linted() {
    let mut e = Event::root("processing", Phase::Pending);
    e.timestamp_ns = u64::MAX;
    let ins = Inspection::new(vec![e], &[]);
    assert_eq!(lint_kinds(&ins), [(LintKind::TimestampOutOfRange, 1)]);
}

#[test]
fn labels_in_lint_messages_are_escaped_and_clipped() {
    let kind = format!("\u{1b}[2J{}", "k".repeat(10_000));
    let e = Event::root(kind, Phase::Started);
    let ins = Inspection::new(vec![e], &[]);
    let message = &ins.lints[0].message;
    assert!(message.starts_with("\\u{1b}[2Jkkk"), "{message}");
    assert!(message.len() < 400, "{} bytes", message.len());
    assert!(!message.chars().any(lineage::text::is_hidden));
}

/// Random traces whose every link (parent, start, duplicate id) points anywhere in a small
/// pool of ids, so cycles, self-links, duplicates and lone ends are common.
#[cfg(not(target_family = "wasm"))]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn id(n: u8) -> Uuid {
        Uuid::from_u128(u128::from(n) + 1)
    }

    fn event_strategy(pool: u8) -> impl Strategy<Value = Event> {
        (
            0..pool,
            0..Phase::ALL.len(),
            proptest::option::of(0..pool),
            proptest::option::of(0..pool),
            prop_oneof![Just(0u64), 0..1_000u64, Just(u64::MAX)],
            0..3u64,
        )
            .prop_map(|(me, phase, parent, start, ts, seq)| {
                let mut e = Event::root("k", Phase::ALL[phase]);
                e.id = id(me);
                e.parent_id = parent.map(id);
                e.start_id = start.map(id);
                e.timestamp_ns = ts;
                e.seq = seq;
                e
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn the_counts_add_up_and_each_root_is_named_once(
            events in proptest::collection::vec(event_strategy(12), 0..24)
        ) {
            let ins = Inspection::new(events, &[]);
            prop_assert_eq!(ins.summary.check(), Ok(()));
            // Every event belongs to exactly one span, and every span is reachable.
            let reachable: usize = ins.spans.roots.iter().map(|&r| 1 + ins.spans.spans[r].descendants).sum();
            prop_assert_eq!(reachable, ins.spans.len());
            // An orphan, cut or lone-end root is named by its lint (duplicates by theirs).
            for &r in &ins.spans.roots {
                let span = &ins.spans.spans[r];
                let id = ins.trace.id(span.start);
                let named = |kind| ins.lints.iter().any(|l| l.kind == kind && l.events[0] == id);
                if span.duplicate {
                    prop_assert!(named(LintKind::DuplicateId));
                } else if span.cut {
                    prop_assert!(named(LintKind::Cycle));
                } else if span.orphan {
                    prop_assert!(named(LintKind::Orphan));
                } else if span.status == Status::EndOnly {
                    prop_assert!(named(LintKind::EndWithoutStart) || named(LintKind::EndedTwice));
                }
            }
        }
    }
}
