//! # A live trace cut by the history cap
//!
//! A live bus keeps its last events only (the history cap), so a long run's inspection
//! starts part-way: operations whose start or parent was pruned read as ends without a start
//! or as orphans. Those findings are the cap's doing, not the trace's, and the page says so
//! rather than reporting defects; it also says how much of the run is on screen. The two
//! sentences are written here, from the [`Inspection`]'s `pruned` count and the findings
//! [`Inspection::of_history`] set apart.

use crate::analysis::Inspection;

impl Inspection {
    /// "the last 250000 of 300000 events are kept", when the cap pruned any.
    pub fn kept_note(&self) -> Option<String> {
        (self.pruned > 0).then(|| {
            let kept = self.summary.events;
            format!(
                "the last {kept} of {} events are kept",
                kept as u64 + self.pruned
            )
        })
    }

    /// What the findings set apart by the cap are, when there are any.
    pub fn cut_by_cap_note(&self) -> Option<String> {
        let n = self.cut_by_cap.len();
        (n > 0).then(|| {
            format!(
                "{n} operation{} lost {} start or parent to the history cap ({} older events \
                 pruned): not defects of the trace; raise the history cap to keep them.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "its" } else { "their" },
                self.pruned,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::analysis::lints::Lint;
    use crate::analysis::lints::LintKind;

    fn orphan() -> Lint {
        Lint {
            kind: LintKind::Orphan,
            message: String::new(),
            events: Vec::new(),
        }
    }

    #[test]
    fn an_uncapped_trace_has_nothing_to_say() {
        let ins = Inspection::default();
        assert_eq!(ins.kept_note(), None);
        assert_eq!(ins.cut_by_cap_note(), None);
    }

    #[test]
    fn a_capped_trace_says_how_much_is_kept_and_what_the_cap_cut() {
        let mut ins = Inspection::default();
        ins.summary.events = 1_000;
        ins.pruned = 500;
        ins.cut_by_cap = [orphan()].into_iter().collect();
        assert_eq!(
            ins.kept_note().as_deref(),
            Some("the last 1000 of 1500 events are kept")
        );
        assert_eq!(
            ins.cut_by_cap_note().as_deref(),
            Some(
                "1 operation lost its start or parent to the history cap (500 older events \
                 pruned): not defects of the trace; raise the history cap to keep them."
            )
        );
        ins.cut_by_cap.push(orphan());
        let two = ins.cut_by_cap_note().unwrap_or_default();
        assert!(two.starts_with("2 operations lost their start"), "{two}");
    }
}
