//! # How a run diff reads
//!
//! The page's diff panel and `lineage diff` say the same things about a [`RunDiff`]: how many
//! operations aligned, were only on one side, changed or were reordered only in B, and, per
//! line, a mark for what happened to the operation. The words live here so the two agree
//! and are tested natively.

use crate::analysis::diff::{OpDiff, Presence, RunDiff};

impl RunDiff {
    /// Operations present on both sides.
    pub fn aligned(&self) -> usize {
        self.ops
            .iter()
            .filter(|o| o.presence == Presence::Both)
            .count()
    }

    /// "3 aligned, 1 only in A, 0 only in B, 1 changed, 0 reordered only in B", the parts
    /// joined by `separator`.
    pub fn counts(&self, separator: &str) -> String {
        [
            format!("{} aligned", self.aligned()),
            format!("{} only in A", self.only_a().count()),
            format!("{} only in B", self.only_b().count()),
            format!("{} changed", self.changed().count()),
            format!(
                "{} reordered only in B",
                self.inversions_only_in_b().count()
            ),
        ]
        .join(separator)
    }
}

impl Presence {
    /// The name of the presence as the page's classes and `data-presence` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::OnlyA => "only-a",
            Presence::OnlyB => "only-b",
            Presence::Both => "both",
        }
    }
}

impl OpDiff {
    /// The line's mark: − only in A, + only in B, ≠ changed, = the same.
    pub fn mark(&self) -> &'static str {
        match self.presence {
            Presence::OnlyA => "−",
            Presence::OnlyB => "+",
            Presence::Both if self.changed() => "≠",
            Presence::Both => "=",
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::diff::Side;
    use crate::core::{Event, Phase};
    use crate::model::EventLog;
    use crate::model::Spans;
    use crate::model::Status;

    /// One finished root operation named `name`, ending as `outcome`.
    fn operation(name: &'static str, outcome: Phase) -> Vec<Event> {
        let mut start = Event::root("processing", Phase::Started);
        start.payload = crate::core::Payload::process(name);
        let mut end = Event::child_of(&start, "processed", outcome);
        end.parent_id = None;
        end.start_id = Some(start.id);
        end.payload = start.payload.clone();
        vec![start, end]
    }

    fn diff(a: &[(&'static str, Phase)], b: &[(&'static str, Phase)]) -> RunDiff {
        let events = |ops: &[(&'static str, Phase)]| -> Vec<Event> {
            ops.iter().flat_map(|&(n, p)| operation(n, p)).collect()
        };
        let (ta, tb) = (EventLog::new(events(a)), EventLog::new(events(b)));
        let (sa, sb) = (Spans::build(&ta), Spans::build(&tb));
        RunDiff::build(Side::new(&ta, &sa), Side::new(&tb, &sb))
    }

    #[test]
    fn the_counts_line_names_every_kind_of_difference() {
        let d = diff(
            &[
                ("load", Phase::Completed),
                ("save", Phase::Completed),
                ("gone", Phase::Completed),
            ],
            &[("load", Phase::Completed), ("save", Phase::Failed)],
        );
        assert_eq!(d.aligned(), 2);
        assert_eq!(
            d.counts(", "),
            "2 aligned, 1 only in A, 0 only in B, 1 changed, 0 reordered only in B"
        );
        assert!(d.counts(" · ").starts_with("2 aligned · 1 only in A · "));
    }

    #[test]
    fn each_line_is_marked_by_what_happened_to_its_operation() {
        let d = diff(
            &[
                ("load", Phase::Completed),
                ("save", Phase::Completed),
                ("gone", Phase::Completed),
            ],
            &[
                ("load", Phase::Completed),
                ("save", Phase::Failed),
                ("new", Phase::Completed),
            ],
        );
        let mut marks: Vec<(&str, &str, &str)> = d
            .ops
            .iter()
            .map(|o| (o.name.as_str(), o.mark(), o.presence.as_str()))
            .collect();
        marks.sort();
        assert_eq!(
            marks,
            [
                ("gone", "−", "only-a"),
                ("load", "=", "both"),
                ("new", "+", "only-b"),
                ("save", "≠", "both"),
            ]
        );
        let save = d.ops.iter().find(|o| o.name == "save");
        assert_eq!(
            save.and_then(|o| o.b.as_ref()).map(|b| b.status),
            Some(Status::Failed)
        );
    }
}
