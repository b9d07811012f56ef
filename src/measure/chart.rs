//! # What the Compare tab charts from a comparison
//!
//! A [`Comparison`] holds every row a session measured (shapes, subscriber set-ups, ablation
//! stages); the Compare tab charts one slice of it: the nested shape's baseline and its
//! no-subscriber row of every emit mode, in [`EmitMode::ALL`]'s order, each with the caller's
//! share where the mode measured it, and the same modes' caller / background split as a
//! table. Choosing that slice is here, so the page only draws it and a new mode shows up
//! without touching the page.

use super::comparison::Comparison;
use super::split::SplitFigures;
use super::spread::Spread;
use crate::core::EmitMode;
use crate::text::duration::duration;
use crate::workload::CallShape;

/// One bar of the chart: a subject and its distribution (ns per operation).
#[derive(Clone, Debug, PartialEq)]
pub struct ChartBar {
    /// `baseline`, or the mode's name (the page's `data-mode`).
    pub key: String,
    pub label: String,
    /// The baseline is drawn apart from the modes.
    pub baseline: bool,
    pub ns_per_op: Spread,
    /// The caller's share (the critical path), drawn over the total: the rest of the bar is
    /// background processing (`measure::split`).
    pub caller: Option<Spread>,
}

/// One line of the caller / background table.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitRow {
    pub mode: Option<EmitMode>,
    /// The whole cost per operation (median).
    pub total_ns_per_op: f64,
    pub split: SplitFigures,
}

impl ChartBar {
    /// The bar's tooltip: its median and spread.
    pub fn describe(&self) -> String {
        let s = &self.ns_per_op;
        format!(
            "{}: median {} per operation (IQR {}–{}, min–max {}–{}, {} rounds)",
            self.label,
            duration(s.median),
            duration(s.q1),
            duration(s.q3),
            duration(s.min),
            duration(s.max),
            s.n
        )
    }

    /// The caller's share's tooltip, if the bar has one: what the caller waits and what is
    /// left to the background.
    pub fn describe_caller(&self) -> Option<String> {
        let c = self.caller?;
        Some(format!(
            "{}: the caller waits {} per operation (IQR {}–{}); the rest of the bar, {}, is background processing",
            self.label,
            duration(c.median),
            duration(c.q1),
            duration(c.q3),
            duration((self.ns_per_op.median - c.median).max(0.0))
        ))
    }
}

/// The bars: the nested shape's baseline, then each mode that was measured.
pub fn bars(c: &Comparison) -> Vec<ChartBar> {
    let baseline = c.baseline(CallShape::Nested).map(|b| ChartBar {
        key: "baseline".into(),
        label: "baseline (no instrumentation)".into(),
        baseline: true,
        ns_per_op: b.ns_per_op,
        caller: None,
    });
    let modes = EmitMode::ALL.into_iter().filter_map(|m| {
        let r = c.mode_row(CallShape::Nested, m)?;
        Some(ChartBar {
            key: m.as_str().into(),
            label: r.mode.unwrap_or(m).label(),
            baseline: false,
            ns_per_op: r.ns_per_op,
            caller: r.split.map(|s| s.caller_ns_per_op),
        })
    });
    baseline.into_iter().chain(modes).collect()
}

/// The caller / background split of each mode that measured one.
pub fn split_rows(c: &Comparison) -> Vec<SplitRow> {
    EmitMode::ALL
        .into_iter()
        .filter_map(|m| c.mode_row(CallShape::Nested, m))
        .filter_map(|r| {
            r.split.map(|split| SplitRow {
                mode: r.mode,
                total_ns_per_op: r.ns_per_op.median,
                split,
            })
        })
        .collect()
}

/// Events one operation emits when fully recorded (the awaited row says; six otherwise, the
/// standard three-level operation).
pub fn events_per_op(c: &Comparison) -> usize {
    c.mode_row(CallShape::Nested, EmitMode::Awaited)
        .map_or(6, |r| r.events_per_op)
}

#[cfg(test)]
pub(crate) mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::measure::comparison::SubjectFigures;
    use crate::measure::subject::Group;
    use crate::measure::MeasureConfig;
    use crate::workload::Subscribers;

    fn spread(median: f64) -> Spread {
        Spread::of(&[median * 0.9, median, median * 1.1])
    }

    fn row(mode: Option<EmitMode>, count: usize, shape: CallShape, median: f64) -> SubjectFigures {
        SubjectFigures {
            key: mode.map_or("baseline".into(), |m| m.as_str().to_owned()),
            label: String::new(),
            group: if mode.is_some() {
                Group::Mode
            } else {
                Group::Baseline
            },
            shape,
            mode,
            subscribers: mode.map(|_| Subscribers {
                count,
                ..Subscribers::default()
            }),
            stage: None,
            ops_per_batch: 1,
            events_per_op: 6,
            recorded_events_per_op: None,
            ns_per_op: spread(median),
            ns_per_event: spread(median / 6.0),
            overhead_ns_per_op: None,
            overhead_ns_per_event: None,
            ratio_to_baseline: None,
            split: None,
        }
    }

    /// A comparison with no rows: what a run history needs to hold.
    pub(crate) fn empty() -> Comparison {
        Comparison {
            timer_resolution_ns: 1,
            batch_target_ns: 1,
            rounds: 3,
            config: MeasureConfig::default(),
            rows: Vec::new(),
            phases: Vec::new(),
        }
    }

    /// The baseline and every mode in the nested shape, in reverse order, plus rows the chart
    /// leaves out: another shape and a set-up with subscribers.
    fn measured() -> Comparison {
        let mut c = empty();
        for (i, m) in EmitMode::ALL.into_iter().enumerate().rev() {
            c.rows
                .push(row(Some(m), 0, CallShape::Nested, 100.0 * (i + 1) as f64));
            c.rows.push(row(Some(m), 3, CallShape::Nested, 9_999.0));
            c.rows
                .push(row(Some(m), 0, CallShape::RealAexecute, 9_999.0));
        }
        c.rows.push(row(None, 0, CallShape::Nested, 10.0));
        c
    }

    #[test]
    fn the_chart_shows_the_baseline_then_every_mode_in_the_order_of_emit_mode_all() {
        let bars = bars(&measured());
        let keys: Vec<&str> = bars.iter().map(|b| b.key.as_str()).collect();
        let mut expected = vec!["baseline"];
        expected.extend(EmitMode::ALL.iter().map(|m| m.as_str()));
        assert_eq!(keys, expected);
        assert!(bars[0].baseline && bars[1..].iter().all(|b| !b.baseline));
        assert_eq!(
            bars[1].ns_per_op.median, 100.0,
            "the no-subscriber nested row"
        );
        assert_eq!(bars[1].label, EmitMode::ALL[0].label());
        assert_eq!(
            bars[1].describe(),
            format!(
                "{}: median {} per operation (IQR {}–{}, min–max {}–{}, 3 rounds)",
                bars[1].label,
                duration(100.0),
                duration(bars[1].ns_per_op.q1),
                duration(bars[1].ns_per_op.q3),
                duration(bars[1].ns_per_op.min),
                duration(bars[1].ns_per_op.max),
            )
        );
    }

    #[test]
    fn modes_not_measured_are_left_out_and_an_empty_run_charts_nothing() {
        assert!(bars(&empty()).is_empty());
        assert!(split_rows(&empty()).is_empty());
        assert_eq!(events_per_op(&empty()), 6);
        let mut c = measured();
        c.rows.retain(|r| r.mode != Some(EmitMode::ALL[1]));
        assert_eq!(bars(&c).len(), EmitMode::ALL.len());
    }

    #[test]
    fn only_modes_that_measured_a_split_have_a_caller_share_and_a_table_line() {
        let mut c = measured();
        let m = EmitMode::ALL[2];
        let split = SplitFigures {
            caller_ns_per_op: spread(40.0),
            background_ns_per_op: spread(60.0),
            background_ns_per_event: spread(10.0),
            sum_ns_per_op: spread(100.0),
            lag_p50_ns: None,
            lag_p99_ns: None,
        };
        if let Some(r) = c
            .rows
            .iter_mut()
            .find(|r| r.mode == Some(m) && r.shape == CallShape::Nested)
        {
            r.split = Some(split);
        }
        let bars = bars(&c);
        let with_caller: Vec<&str> = bars
            .iter()
            .filter(|b| b.caller.is_some())
            .map(|b| b.key.as_str())
            .collect();
        assert_eq!(with_caller, [m.as_str()]);
        let bar = bars.iter().find(|b| b.caller.is_some());
        let caller = bar.and_then(|b| b.describe_caller()).unwrap_or_default();
        assert!(
            caller.ends_with(&format!(
                "the rest of the bar, {}, is background processing",
                duration(260.0)
            )),
            "{caller}"
        );
        assert!(bars[0].describe_caller().is_none());
        let rows = split_rows(&c);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].mode, Some(m));
        assert_eq!(rows[0].total_ns_per_op, 300.0);
    }
}
