//! # The bench report as text
//!
//! What `lineage bench` prints without `--json`: one section per function, in the order they
//! appear, each reading the [`Comparison`] (the measured rows) or the [`BenchReport`] (the
//! figures derived from them).

use std::fmt::Write as _;

use crate::measure::reference::PYTHON_AWAITED_US_PER_OP;
use crate::measure::report::BenchReport;
use crate::measure::{Comparison, Spread, SubjectFigures};
use crate::text::duration::duration;
use crate::workload::CallShape;

/// The human-readable report.
pub fn render(c: &Comparison, r: &BenchReport) -> String {
    let mut out = String::new();
    let w = &mut out;
    heading(w, c, r);
    caller_and_background(w, c);
    real(w, c, r);
    phases(w, c);
    reference(w, r);
    goals(w, r);
    out
}

/// The set-up, the machine, and the table of nested rows.
fn heading(w: &mut String, c: &Comparison, r: &BenchReport) {
    let _ = writeln!(
        w,
        "\nlineage bench: {} interleaved rounds, batches ≥ {}, timer resolution {} ns, history cap {}",
        c.rounds,
        duration(c.batch_target_ns as f64),
        c.timer_resolution_ns,
        thousands(c.config.bench.history_capacity as f64)
    );
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        let _ = writeln!(
            w,
            "machine: {} CPUs, load average {} at the end of the run (other work on the machine shows as spread)",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            load.join(" ")
        );
    }
    let _ = writeln!(
        w,
        "one operation = aexecute → execute_with_partial → execute_transactional: {} events when recorded",
        r.events_per_op
    );
    let _ = writeln!(
        w,
        "figures: median over rounds (IQR in brackets); overhead and ratio are per round against that round's baseline\n"
    );
    let _ = writeln!(
        w,
        "{:<46} {:>24} {:>9} {:>14} {:>11} {:>7}",
        "nested, 6 events/op", "ns/op (IQR)", "ns/event", "overhead/event", "× baseline", "ev/op"
    );
    for row in c
        .rows
        .iter()
        .filter(|r| r.shape == CallShape::Nested && r.stage.is_none())
    {
        let _ = writeln!(w, "{}", row_line(row));
    }
}

/// The caller's path against the background, for the rows that measured it.
fn caller_and_background(w: &mut String, c: &Comparison) {
    let split_rows: Vec<&SubjectFigures> = c
        .rows
        .iter()
        .filter(|r| r.shape == CallShape::Nested && r.split.is_some())
        .collect();
    if !split_rows.is_empty() {
        let _ = writeln!(
            w,
            "\ncritical path vs background (caller = the operation's own path; background = draining the queue; lag = emitted → processed)"
        );
        let _ = writeln!(
            w,
            "{:<46} {:>22} {:>14} {:>12} {:>10} {:>11} {:>11}",
            "mode", "caller ns/op (IQR)", "bg ns/event", "caller+bg", "total", "lag p50", "lag p99"
        );
        for row in split_rows {
            let _ = writeln!(w, "{}", split_line(row));
        }
    }
}

/// The rows of the 28-event real call, beside the original's figure.
fn real(w: &mut String, c: &Comparison, r: &BenchReport) {
    if let Some(real) = &r.real_aexecute {
        let _ = writeln!(
            w,
            "\n{:<46} {:>24} {:>9} {:>14} {:>11} {:>7}",
            format!("real aexecute, {} events/op", real.events_per_op),
            "ns/op (IQR)",
            "ns/event",
            "overhead/event",
            "× baseline",
            "ev/op"
        );
        for row in c.rows.iter().filter(|r| r.shape == CallShape::RealAexecute) {
            let _ = writeln!(w, "{}", row_line(row));
        }
        let _ = writeln!(
            w,
            "  (the original: a real aexecute takes {} ms with events, {} ms without: {:.2} ms of events per call)",
            real.python_ms_events_on_off.0,
            real.python_ms_events_on_off.1,
            real.python_ms_events_on_off.0 - real.python_ms_events_on_off.1
        );
    }
}

/// The phase breakdown by ablation.
fn phases(w: &mut String, c: &Comparison) {
    if !c.phases.is_empty() {
        let _ = writeln!(
            w,
            "\nphase breakdown by ablation (each phase = its stage minus the stage before, per round)"
        );
        let _ = writeln!(
            w,
            "{:<46} {:>18} {:>10} {:>13} {:>16} {:>24}",
            "phase",
            "ns/op (IQR)",
            "ns/event",
            "cumulative/op",
            "original's guess/ev",
            "Python measured µs/ev"
        );
        for p in &c.phases {
            let _ = writeln!(
                w,
                "{:<46} {:>18} {:>10.1} {:>13.1} {:>16} {:>24}",
                p.label,
                with_iqr(&p.ns_per_op),
                p.ns_per_event.median,
                p.cumulative_ns_per_op,
                p.original_guess,
                p.python_us_per_event.as_deref().unwrap_or("—")
            );
        }
    }
}

/// The Python original's figures and the verdict by its own rule.
fn reference(w: &mut String, r: &BenchReport) {
    let _ = writeln!(
        w,
        "\nPython original (reference, {}):",
        r.python_reference.note
    );
    for f in &r.python_reference.figures {
        let _ = writeln!(w, "  {:<62} {:>8.1} µs/op", f.label, f.us_per_op);
    }
    // A run without the awaited row (`--modes lazy`) has nothing to divide: say so rather
    // than print "NaN×".
    let speedup = r.python_reference.awaited_speedup;
    let _ = if speedup.is_finite() {
        writeln!(
            w,
            "  our awaited mode is {speedup:.0}× faster per operation than the original's {PYTHON_AWAITED_US_PER_OP} µs"
        )
    } else {
        writeln!(
            w,
            "  (the awaited mode was not measured in this run: no ratio to the original)"
        )
    };
    let _ = writeln!(
        w,
        "\nverdict (the original's rule: optimise only if overhead > 1 ms per operation):"
    );
    for v in &r.verdicts {
        let _ = writeln!(w, "  {}", v.sentence);
    }
    if let Some(v) = &r.fire_and_forget_verdict {
        let _ = writeln!(
            w,
            "\nthe Python team's question (can emission be fire-and-forget?):\n  {v}"
        );
    }
}

/// The goals and whether they hold.
fn goals(w: &mut String, r: &BenchReport) {
    let _ = writeln!(w, "\ngoals:");
    for g in &r.goals {
        let mark = match g.holds {
            Some(true) => "holds ",
            Some(false) => "MISSED",
            None => "  —   ",
        };
        let _ = writeln!(
            w,
            "  [{mark}] {:<56} target {:<16} measured {}",
            g.name, g.target, g.measured
        );
    }
}

fn row_line(row: &SubjectFigures) -> String {
    let dash = || "—".to_owned();
    format!(
        "{:<46} {:>24} {:>9.1} {:>14} {:>11} {:>7}",
        row.label,
        with_iqr(&row.ns_per_op),
        row.ns_per_event.median,
        row.overhead_ns_per_event
            .map_or_else(dash, |o| format!("{:.1}", o.median)),
        row.ratio_to_baseline
            .map_or_else(dash, |x| format!("{:.1}×", x.median)),
        row.recorded_events_per_op
            .map_or_else(dash, |e| format!("{e:.2}")),
    )
}

fn split_line(row: &SubjectFigures) -> String {
    let Some(s) = &row.split else {
        return String::new();
    };
    let lag = |l: Option<Spread>| l.map_or_else(|| "—".to_owned(), |l| duration(l.median));
    format!(
        "{:<46} {:>22} {:>14.1} {:>12.1} {:>10.1} {:>11} {:>11}",
        row.label,
        with_iqr(&s.caller_ns_per_op),
        s.background_ns_per_event.median,
        s.sum_ns_per_op.median,
        row.ns_per_op.median,
        lag(s.lag_p50_ns),
        lag(s.lag_p99_ns),
    )
}

/// "612.3 (598.1–630.0)".
fn with_iqr(s: &Spread) -> String {
    let digits = if s.median.abs() < 100.0 { 1 } else { 0 };
    format!(
        "{:.*} ({:.*}–{:.*})",
        digits, s.median, digits, s.q1, digits, s.q3
    )
}

/// 10000000 → "10 000 000".
pub(super) fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}
