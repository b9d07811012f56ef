//! `lineage diff A B [--json] [--max-findings N]`: two traces aligned operation by operation
//! (see [`crate::analysis::diff`]), e.g. two `lineage simulate --mode …` runs of one seed.
//!
//! Under the rules `summary` follows ([`super::report`]): operation names, file names and
//! notes escaped and clipped; the JSON lists at most `--max-findings` operations of each
//! kind, with the whole counts in `counts`; each side's import notes (a cut-off last line,
//! skipped records) said in the same words; an empty file refused, not read as an empty
//! trace.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};

use super::input::{import_file_to_trace, with_deep_stack, ImportArgs};
use super::output;
use super::report::{self, Bounded, DEFAULT_MAX_FINDINGS};
use crate::analysis::diff::{OpDiff, RunDiff, Side, SideSummary};
use crate::analysis::Inspection;
use crate::text::duration::{duration, signed_duration};
use crate::text::{escape, excerpt};
use crate::trace::Imported;

#[derive(Args, Debug)]
pub(crate) struct DiffArgs {
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
    /// With --json: list at most this many operations of each category (counts are always
    /// whole).
    #[arg(long, default_value_t = DEFAULT_MAX_FINDINGS)]
    pub max_findings: usize,
}

/// One side of the comparison as read: its file's name and what the import said.
pub(crate) struct Run<'a> {
    pub name: &'a str,
    pub imported: &'a Imported,
}

pub(crate) fn run(args: DiffArgs) -> ExitCode {
    with_deep_stack(move || run_here(args))
}

fn run_here(args: DiffArgs) -> ExitCode {
    // An empty file is refused as `summary` refuses it (the importer says "the file is
    // empty"): a run that recorded nothing has nothing to compare.
    let read = |p: &PathBuf| -> Result<(Imported, Inspection), String> {
        let (imported, trace) = import_file_to_trace(p, &args.import)?;
        Ok((imported, Inspection::of_trace(trace, &[])))
    };
    let ((imported_a, a), (imported_b, b)) =
        match read(&args.a).and_then(|a| Ok((a, read(&args.b)?))) {
            Ok(sides) => sides,
            Err(message) => {
                eprintln!("lineage diff: {}", escape(&message));
                return ExitCode::FAILURE;
            }
        };
    let diff = RunDiff::build(Side::of(&a), Side::of(&b));
    let (name_a, name_b) = (args.a.display().to_string(), args.b.display().to_string());
    let runs = [
        Run {
            name: &name_a,
            imported: &imported_a,
        },
        Run {
            name: &name_b,
            imported: &imported_b,
        },
    ];
    let printed = if args.json {
        report::print_json(&to_json(&runs, &diff, args.max_findings))
    } else {
        output::print(&to_text(&runs, &diff, args.limit))
    };
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage diff: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The JSON diff: per side the summary row, the delta, and the operations present on one
/// side only (`only_a`, `only_b`), changed (`changed`), and reordered only in B, at most
/// `max_findings` of each, with their whole numbers in `counts`; then what each side's
/// import noted and skipped (`imports`).
pub(crate) fn to_json(runs: &[Run<'_>; 2], d: &RunDiff, max_findings: usize) -> Value {
    let list = |ops: &mut dyn Iterator<Item = &OpDiff>| Bounded::of(ops, max_findings, op_json);
    let lists = [
        ("only_a", list(&mut d.only_a())),
        ("only_b", list(&mut d.only_b())),
        ("changed", list(&mut d.changed())),
        ("inversions_only_in_b", list(&mut d.inversions_only_in_b())),
    ];
    let imports = |r: &Run<'_>| {
        let mut fields = report::import_notes_json(r.imported, max_findings);
        fields.insert("file".into(), json!(excerpt(r.name)));
        fields.insert(
            "format".into(),
            json!(r.imported.format.map(|f| f.as_str())),
        );
        Value::Object(fields)
    };
    let mut out = json!({
        "a": d.a,
        "b": d.b,
        "delta": d.delta,
        "aligned": d.aligned(),
        "counts": {},
        "findings_truncated": lists.iter().any(|(_, l)| l.truncated()),
        "findings_per_kind_limit": max_findings,
        "imports": {"a": imports(&runs[0]), "b": imports(&runs[1])},
    });
    for (key, list) in lists {
        out["counts"][key] = json!(list.total);
        out[key] = Value::Array(list.listed);
    }
    out
}

/// One operation as JSON: its name escaped and clipped like any text from the file.
fn op_json(o: &OpDiff) -> Value {
    let mut v = json!({
        "name": excerpt(&o.name),
        "occurrence": o.occurrence,
        "presence": o.presence,
    });
    if let Some(paired_by) = o.paired_by {
        v["paired_by"] = json!(paired_by);
    }
    for (key, side) in [("a", &o.a), ("b", &o.b)] {
        if let Some(side) = side {
            v[key] = json!(side);
        }
    }
    v
}

/// The text diff: the summary table, then the operations that differ.
pub(crate) fn to_text(runs: &[Run<'_>; 2], d: &RunDiff, limit: usize) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (label, run) in ["A", "B"].iter().zip(runs) {
        let _ = writeln!(out, "{label}: {}", escape(run.name));
        report::write_import_notes(&mut out, "  ", run.imported);
    }
    let w = &mut out;
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "{:<4} {:>10} {:>11} {:>9} {:>12} {:>12} {:>11}",
        "", "events", "operations", "failures", "p50", "p95", "inversions"
    );
    let row = |label: &str, s: &SideSummary| {
        let t = |x: Option<u64>| x.map_or("—".to_owned(), |x| duration(x as f64));
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
    let dt = |x: Option<i64>| x.map_or("—".to_owned(), signed_duration);
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

/// "aexecute #3: completed → failed, 6 → 6 events, +1.20 µs", the name escaped and clipped.
fn describe(o: &OpDiff) -> String {
    let status =
        |s: &Option<crate::analysis::diff::OpSide>| s.as_ref().map_or("—", |s| s.status.as_str());
    let events = |s: &Option<crate::analysis::diff::OpSide>| {
        s.as_ref().map_or("—".to_owned(), |s| s.events.to_string())
    };
    let mut text = format!(
        "{} #{}: {} → {}, {} → {} events",
        excerpt(&o.name),
        o.occurrence,
        status(&o.a),
        status(&o.b),
        events(&o.a),
        events(&o.b)
    );
    if let Some(dt) = o.duration_delta_ns() {
        text.push_str(&format!(", {}", signed_duration(dt)));
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
