//! `lineage diff A B [--json]`: two traces aligned operation by operation (see
//! [`crate::inspect::diff`]), e.g. two `lineage simulate --mode …` runs of one seed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use super::input::{import_file_to_trace, with_deep_stack, ImportArgs};
use crate::inspect::diff::{OpDiff, RunDiff, Side, SideSummary};
use crate::inspect::timeline::{format_ns, signed_ns};
use crate::inspect::Inspection;

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Run A: any format `lineage summary` reads.
    pub a: PathBuf,
    /// Run B.
    pub b: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
    /// Operations listed per category in the text output.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

pub fn run(args: DiffArgs) -> ExitCode {
    with_deep_stack(move || run_here(args))
}

fn run_here(args: DiffArgs) -> ExitCode {
    let read = |p: &PathBuf| -> Result<Inspection, String> {
        // A run that recorded nothing (disabled mode) is written as an empty file: in a
        // comparison that is a side with no operations, not an unreadable trace.
        if std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Ok(Inspection::default());
        }
        let (_, trace) = import_file_to_trace(p, &args.import)?;
        Ok(Inspection::of_trace(trace, &[]))
    };
    let (a, b) = match (read(&args.a), read(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(message), _) | (_, Err(message)) => {
            eprintln!("lineage diff: {message}");
            return ExitCode::FAILURE;
        }
    };
    let diff = RunDiff::build(Side::of(&a), Side::of(&b));
    if args.json {
        println!("{}", to_json(&diff));
    } else {
        print!(
            "{}",
            to_text(
                &args.a.display().to_string(),
                &args.b.display().to_string(),
                &diff,
                args.limit
            )
        );
    }
    ExitCode::SUCCESS
}

/// The JSON diff: per side the summary row, the delta, and the operations present on one
/// side only (`only_a`, `only_b`), changed (`changed`), and reordered only in B.
pub fn to_json(d: &RunDiff) -> Value {
    let list = |it: &mut dyn Iterator<Item = &OpDiff>| -> Vec<Value> {
        it.map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
            .collect()
    };
    let aligned = d
        .ops
        .iter()
        .filter(|o| o.a.is_some() && o.b.is_some())
        .count();
    json!({
        "a": d.a,
        "b": d.b,
        "delta": d.delta,
        "aligned": aligned,
        "only_a": list(&mut d.only_a()),
        "only_b": list(&mut d.only_b()),
        "changed": list(&mut d.changed()),
        "inversions_only_in_b": list(&mut d.inversions_only_in_b()),
    })
}

/// The text diff: the summary table, then the operations that differ.
pub fn to_text(name_a: &str, name_b: &str, d: &RunDiff, limit: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "A: {name_a}\nB: {name_b}\n");
    let _ = writeln!(
        w,
        "{:<4} {:>10} {:>11} {:>9} {:>12} {:>12} {:>11}",
        "", "events", "operations", "failures", "p50", "p95", "inversions"
    );
    let row = |label: &str, s: &SideSummary| {
        let t = |x: Option<u64>| x.map_or("—".to_owned(), |x| format_ns(x as f64));
        format!(
            "{label:<4} {:>10} {:>11} {:>9} {:>12} {:>12} {:>11}",
            s.events,
            s.operations,
            s.failures,
            t(s.p50_ns),
            t(s.p95_ns),
            s.inversions
        )
    };
    let _ = writeln!(w, "{}", row("A", &d.a));
    let _ = writeln!(w, "{}", row("B", &d.b));
    let dt = |x: Option<i64>| x.map_or("—".to_owned(), signed_ns);
    let _ = writeln!(
        w,
        "{:<4} {:>+10} {:>+11} {:>+9} {:>12} {:>12} {:>+11}\n",
        "Δ",
        d.delta.events,
        d.delta.operations,
        d.delta.failures,
        dt(d.delta.p50_ns),
        dt(d.delta.p95_ns),
        d.delta.inversions
    );
    let _ = writeln!(w, "{}", d.counts(", "));
    let mut section = |title: &str, ops: Vec<&OpDiff>| {
        if ops.is_empty() {
            return;
        }
        let _ = writeln!(w, "\n{title}:");
        for o in ops.iter().take(limit) {
            let _ = writeln!(w, "  {}", describe(o));
        }
        if ops.len() > limit {
            let _ = writeln!(w, "  … and {} more (--limit)", ops.len() - limit);
        }
    };
    section("only in A", d.only_a().collect());
    section("only in B", d.only_b().collect());
    section("changed", d.changed().collect());
    section("reordered only in B", d.inversions_only_in_b().collect());
    out
}

/// "aexecute #3: completed → failed, 6 → 6 events, +1.20 µs".
fn describe(o: &OpDiff) -> String {
    let status =
        |s: &Option<crate::inspect::diff::OpSide>| s.as_ref().map_or("—", |s| s.status.as_str());
    let events = |s: &Option<crate::inspect::diff::OpSide>| {
        s.as_ref().map_or("—".to_owned(), |s| s.events.to_string())
    };
    let mut text = format!(
        "{} #{}: {} → {}, {} → {} events",
        o.name,
        o.occurrence,
        status(&o.a),
        status(&o.b),
        events(&o.a),
        events(&o.b)
    );
    if let Some(dt) = o.duration_delta_ns() {
        text.push_str(&format!(", {}", signed_ns(dt)));
    }
    if o.subtree_differs() {
        text.push_str(", subtree differs");
    }
    if let Some(b) = &o.b {
        if b.inversions > 0 {
            text.push_str(&format!(", {} inversions in B", b.inversions));
        }
    }
    text
}
