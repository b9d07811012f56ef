//! # What one row of the tree shows
//!
//! A row of the lineage tree names its operation, shows its status, duration and counts, and
//! draws a bar (and the queue lag after its start) on the waterfall; hovering shows a tooltip
//! with the ids. All of that is read from the inspection here, once per row, so the tree's
//! component only places the pieces, and the wording and the bar geometry are tested without
//! a browser. Text from the trace goes through [`reveal_clipped`] in the tooltip (a title
//! attribute cannot draw badges), so control and invisible characters read as what they are
//! and a 100 KB kind is a line, not a wall.

use uuid::Uuid;

use crate::analysis::Inspection;
use crate::model::Status;
use crate::text::duration::duration;
use crate::text::visible::{reveal_clipped, LINE_CHARS};
use crate::view::timeline::Axis;

/// What a row shows of its span.
#[derive(Clone, Debug, PartialEq)]
pub struct RowInfo {
    /// The start event's id: clicking the row selects it.
    pub id: Uuid,
    pub label: String,
    /// The function the operation wrapped, empty when the trace does not say.
    pub function: String,
    pub status: Status,
    pub descendants: usize,
    pub problems: usize,
    pub orphan: bool,
    /// The bar: from the start to the end, or to the end of the trace while open.
    pub t0: u64,
    pub t1: u64,
    /// Emitted → processed, for traces that record processing times.
    pub lag: Option<(u64, u64)>,
    /// `None` while the operation has no end.
    pub duration: Option<u64>,
    pub tooltip: String,
}

impl RowInfo {
    /// The row of span `s`.
    pub fn of(ins: &Inspection, s: usize) -> RowInfo {
        let span = &ins.spans.spans[s];
        let start = ins.trace.event(span.start);
        let end_error = span.end.and_then(|e| ins.trace.event(e).error);
        let last = ins.trace.time_range().1;
        let (t0, t1) = ins.spans.extent(&ins.trace, s, last);
        let lag = ins
            .trace
            .processed_ns(span.start)
            .map(|p| (start.timestamp_ns, p.max(start.timestamp_ns)));
        let duration = span
            .end
            .map(|e| ins.trace.timestamp_ns(e).saturating_sub(start.timestamp_ns));
        let tooltip = format!(
            "{} · {} · {}{}\nid {}\nkind {} · seq {}",
            reveal_clipped(start.label(), LINE_CHARS),
            span.status.as_str(),
            duration
                .map(|d| crate::text::duration::duration(d as f64))
                .unwrap_or_else(|| "open".into()),
            start
                .error
                .as_deref()
                .or(end_error.as_deref())
                .map(|e| format!(" · {}", reveal_clipped(e, LINE_CHARS)))
                .unwrap_or_default(),
            start.id,
            reveal_clipped(&start.kind, LINE_CHARS),
            start.seq,
        );
        RowInfo {
            id: start.id,
            label: start.label().to_owned(),
            function: start
                .payload
                .function_name
                .as_deref()
                .unwrap_or("")
                .to_owned(),
            status: span.status,
            descendants: span.descendants,
            problems: span.problems,
            orphan: span.orphan,
            t0,
            t1,
            lag,
            duration,
            tooltip,
        }
    }

    /// The duration as the row prints it (empty while open: the tooltip says "open").
    pub fn duration_text(&self) -> String {
        self.duration
            .map(|d| duration(d as f64))
            .unwrap_or_default()
    }

    /// The bar's left edge and width on `axis`, as fractions of the waterfall's width.
    pub fn bar(&self, axis: &Axis) -> (f64, f64) {
        on_axis(axis, self.t0, self.t1)
    }

    /// The queue lag's left edge and width on `axis`, if the trace recorded it.
    pub fn lag_bar(&self, axis: &Axis) -> Option<(f64, f64)> {
        self.lag
            .map(|(emitted, processed)| on_axis(axis, emitted, processed))
    }
}

/// `from..to` on `axis`: the left edge and a width that is never negative, as fractions of
/// the waterfall's width. (The row's closures take the two times, not the whole [`RowInfo`].)
pub fn on_axis(axis: &Axis, from: u64, to: u64) -> (f64, f64) {
    let (l, r) = (axis.fraction(from), axis.fraction(to));
    (l, (r - l).max(0.0))
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::core::{Event, Payload, Phase};
    use crate::text::visible::reveal;

    /// A root operation from 1 000 to 4 000 ns with one child that failed and one that never
    /// ended (spans: root 0, failed 1, open 2).
    fn inspection() -> Inspection {
        let mut root = Event::root("processing", Phase::Started);
        root.payload = Payload::process("aexecute").function("run_it");
        root.timestamp_ns = 1_000;
        let mut failed = Event::child_of(&root, "processing", Phase::Started);
        failed.payload = Payload::process("inner");
        failed.timestamp_ns = 1_500;
        let mut failed_end = Event::child_of(&failed, "processed", Phase::Failed);
        failed_end.parent_id = failed.parent_id;
        failed_end.start_id = Some(failed.id);
        failed_end.payload = failed.payload.clone();
        failed_end.error = Some("boom\u{7}".into());
        failed_end.timestamp_ns = 2_500;
        let mut open = Event::child_of(&root, "processing", Phase::Started);
        open.payload = Payload::process("dangling");
        open.timestamp_ns = 3_000;
        let mut root_end = Event::child_of(&root, "processed", Phase::Completed);
        root_end.parent_id = root.parent_id;
        root_end.start_id = Some(root.id);
        root_end.payload = root.payload.clone();
        root_end.timestamp_ns = 4_000;
        Inspection::new(vec![root, failed, failed_end, open, root_end], &[])
    }

    #[test]
    fn a_finished_row_shows_its_name_function_duration_and_counts() {
        let ins = inspection();
        let row = RowInfo::of(&ins, 0);
        assert_eq!(row.label, "aexecute");
        assert_eq!(row.function, "run_it");
        assert_eq!(row.status, Status::Completed);
        assert_eq!(row.duration, Some(3_000));
        assert_eq!(row.duration_text(), duration(3_000.0));
        assert_eq!(row.descendants, 2);
        assert_eq!(row.problems, 2, "the failed and the unfinished child");
        assert_eq!((row.t0, row.t1), (1_000, 4_000));
        assert!(row.tooltip.starts_with("aexecute · completed · "));
        assert!(row.tooltip.contains(&format!("id {}", row.id)));
    }

    #[test]
    fn the_tooltip_names_the_end_events_error_with_control_characters_revealed() {
        let ins = inspection();
        let row = RowInfo::of(&ins, 1);
        assert_eq!(row.status, Status::Failed);
        assert_eq!(row.function, "");
        let first_line = row.tooltip.lines().next().unwrap_or_default();
        assert!(first_line.ends_with(&format!(" · {}", reveal("boom\u{7}"))));
        assert!(!row.tooltip.contains('\u{7}'));
    }

    #[test]
    fn a_long_kind_and_name_are_clipped_in_the_tooltip() {
        let long = "k".repeat(100_000);
        let mut e = Event::root("x", Phase::Progress);
        e.kind = long.clone().into();
        e.payload.process_name = Some(long.into());
        let ins = Inspection::of_trace(crate::model::EventLog::new(vec![e]), &[]);
        let row = RowInfo::of(&ins, 0);
        assert!(
            row.tooltip.len() < 3 * LINE_CHARS,
            "{} bytes",
            row.tooltip.len()
        );
        assert_eq!(row.tooltip.matches("… (100 000 bytes)").count(), 2);
    }

    #[test]
    fn an_open_row_has_no_duration_and_its_bar_runs_to_the_end_of_the_trace() {
        let ins = inspection();
        let row = RowInfo::of(&ins, 2);
        assert_eq!(row.duration, None);
        assert_eq!(row.duration_text(), "");
        assert!(row.tooltip.contains(" · open"));
        assert_eq!((row.t0, row.t1), (3_000, 4_000));
        let axis = Axis {
            start: 2_000.0,
            end: 6_000.0,
        };
        assert_eq!(row.bar(&axis), (0.25, 0.25));
    }

    #[test]
    fn the_lag_bar_exists_only_when_processing_times_were_recorded_and_never_goes_backwards() {
        let ins = inspection();
        let axis = Axis {
            start: 0.0,
            end: 8_000.0,
        };
        assert_eq!(RowInfo::of(&ins, 0).lag_bar(&axis), None);
        let mut row = RowInfo::of(&ins, 0);
        row.lag = Some((4_000, 6_000));
        assert_eq!(row.lag_bar(&axis), Some((0.5, 0.25)));
        row.lag = Some((6_000, 5_000));
        assert_eq!(row.lag_bar(&axis).map(|b| b.1), Some(0.0));
    }
}
