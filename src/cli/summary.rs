//! `lineage summary FILE [--json] [--max-findings N]`: what is in a trace, whatever its format.
//!
//! Text from the file (labels in findings, notes, skipped record kinds, the file's own name)
//! is escaped through [`crate::text`], so a crafted kind cannot drive the terminal. The JSON
//! lists at most `--max-findings` findings of each kind, so a million events give a bounded
//! document: the full counts per kind stay in `lints`, and `findings_truncated` says whether
//! any were left out. `diff` follows the same rules, written once in [`super::report`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value};

use super::input::with_deep_stack;
use super::input::{import_file_to_trace, ImportArgs};
use super::output;
use super::report::{self, DEFAULT_MAX_FINDINGS, TEXT_FINDINGS};
use crate::analysis::lints::LintKind;
use crate::analysis::Inspection;
use crate::text::escape;
use crate::trace::Imported;

#[derive(Args, Debug)]
pub(crate) struct SummaryArgs {
    /// The trace: lineage NDJSON, the Python original's events, a Chrome trace or OTLP JSON.
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
    /// With --json: list at most this many findings of each kind (counts are always whole).
    #[arg(long, default_value_t = DEFAULT_MAX_FINDINGS,
          value_parser = super::bounds::whole::<usize>(0, super::bounds::MAX_FINDINGS))]
    pub max_findings: usize,
}

pub(crate) fn run(args: SummaryArgs) -> ExitCode {
    with_deep_stack(move || run_here(args))
}

fn run_here(args: SummaryArgs) -> ExitCode {
    let (imported, trace) = match import_file_to_trace(&args.file, &args.import) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("lineage summary: {}", escape(&message));
            return ExitCode::FAILURE;
        }
    };
    let ins = crate::analysis::Inspection::of_trace(trace, &[]);
    let printed = if args.json {
        report::print_json(&to_json(&imported, &ins, args.max_findings))
    } else {
        output::print(&to_text(&args.file.display().to_string(), &imported, &ins))
    };
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lineage summary: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The JSON summary: the counts at the top level, then lints (counts per kind), findings (at
/// most `max_findings` of each kind), skipped records and notes.
pub(crate) fn to_json(imported: &Imported, ins: &Inspection, max_findings: usize) -> Value {
    let s = &ins.summary;
    let mut lints = Map::new();
    for (kind, n) in &s.lints {
        lints.insert(kind.as_str().to_owned(), json!(n));
    }
    // Lints come grouped by kind, so each kind's first `max_findings` are a prefix run.
    let mut findings = Vec::new();
    let mut run: Option<(LintKind, usize)> = None;
    for l in &ins.lints {
        let listed = match run {
            Some((kind, n)) if kind == l.kind => n,
            _ => 0,
        };
        run = Some((l.kind, listed + 1));
        if listed < max_findings {
            findings.push(json!({
                "kind": l.kind.as_str(),
                "message": l.message,
                "events": l.events,
            }));
        }
    }
    let mut summary = json!({
        "format": imported.format.map(|f| f.as_str()),
        "events": s.events,
        "operations": s.operations,
        "completed": s.completed,
        "failed": s.failed,
        "cancelled": s.cancelled,
        "unfinished": s.unfinished,
        "orphans": s.orphans,
        "cycles": s.cycles,
        "duplicates": s.duplicates,
        "lone_ends": s.lone_ends,
        "single_events": s.single_events,
        "roots": s.roots,
        "spans": s.spans,
        "lints": lints,
        "findings_truncated": findings.len() < ins.lints.len(),
        "findings_per_kind_limit": max_findings,
        "findings": findings,
    });
    if let Value::Object(fields) = &mut summary {
        fields.extend(report::import_notes_json(imported, max_findings));
    }
    summary
}

/// The text summary.
pub(crate) fn to_text(name: &str, imported: &Imported, ins: &Inspection) -> String {
    use std::fmt::Write;
    let s = &ins.summary;
    let mut out = String::new();
    let format = imported.format.map_or("empty trace", |f| f.title());
    let _ = writeln!(out, "{}: {format}", escape(name));
    let _ = writeln!(out, "  events           {}", s.events);
    let _ = writeln!(out, "  operations       {}", s.operations);
    let _ = writeln!(out, "    completed      {}", s.completed);
    let _ = writeln!(out, "    failed         {}", s.failed);
    if s.cancelled > 0 {
        let _ = writeln!(out, "    cancelled      {}", s.cancelled);
    }
    let _ = writeln!(out, "    never finished {}", s.unfinished);
    let _ = writeln!(out, "  orphans          {}", s.orphans);
    // The other roots, only when there are any (see `inspect::summary` for the partition).
    for (what, n) in [
        ("cut from cycles", s.cycles),
        ("duplicate ids  ", s.duplicates),
        ("lone end events", s.lone_ends),
        ("single events  ", s.single_events),
    ] {
        if n > 0 {
            let _ = writeln!(out, "  {what}  {n}");
        }
    }
    report::write_import_notes(&mut out, "  ", imported);
    if ins.lints.is_empty() {
        let _ = writeln!(out, "lints: none");
    } else {
        let _ = writeln!(out, "lints:");
        for (kind, n) in &s.lints {
            let _ = writeln!(out, "  {} ({n})", kind.title());
            for l in ins.lints.of(*kind).iter().take(TEXT_FINDINGS) {
                let _ = writeln!(out, "    {}", escape(&l.message));
            }
            if *n > TEXT_FINDINGS {
                let _ = writeln!(out, "    … and {} more", n - TEXT_FINDINGS);
            }
        }
    }
    out
}
