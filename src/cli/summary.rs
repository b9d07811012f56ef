//! `lineage summary FILE [--json]`: what is in a trace, whatever its format.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Map, Value};

use super::input::with_deep_stack;
use super::input::{import_file, ImportArgs};
use crate::inspect::{Inspection, LintKind};
use crate::trace::Imported;

#[derive(Args, Debug)]
pub struct SummaryArgs {
    /// The trace: lineage NDJSON, the Python original's events, a Chrome trace or OTLP JSON.
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub import: ImportArgs,
}

pub fn run(args: SummaryArgs) -> ExitCode {
    with_deep_stack(move || run_here(args))
}

fn run_here(args: SummaryArgs) -> ExitCode {
    let imported = match import_file(&args.file, &args.import) {
        Ok(i) => i,
        Err(message) => {
            eprintln!("lineage summary: {message}");
            return ExitCode::FAILURE;
        }
    };
    let ins = imported.inspect();
    if args.json {
        println!("{}", to_json(&imported, &ins));
    } else {
        print!(
            "{}",
            to_text(&args.file.display().to_string(), &imported, &ins)
        );
    }
    ExitCode::SUCCESS
}

/// The JSON summary: the counts at the top level, then lints, skipped records and notes.
pub fn to_json(imported: &Imported, ins: &Inspection) -> Value {
    let s = &ins.summary;
    let mut lints = Map::new();
    for (kind, n) in &s.lints {
        lints.insert(kind.as_str().to_owned(), json!(n));
    }
    let skipped: Map<String, Value> = imported
        .skipped
        .iter()
        .map(|(k, n)| (k.clone(), json!(n)))
        .collect();
    json!({
        "format": imported.format.map(|f| f.as_str()),
        "events": s.events,
        "operations": s.operations,
        "completed": s.completed,
        "failed": s.failed,
        "cancelled": s.cancelled,
        "unfinished": s.unfinished,
        "orphans": s.orphans,
        "spans": s.spans,
        "lints": lints,
        "findings": ins.lints.iter().map(|l| json!({
            "kind": l.kind.as_str(),
            "message": l.message,
            "events": l.events,
        })).collect::<Vec<_>>(),
        "skipped": skipped,
        "notes": imported.notes,
    })
}

/// The text summary.
pub fn to_text(name: &str, imported: &Imported, ins: &Inspection) -> String {
    use std::fmt::Write;
    let s = &ins.summary;
    let mut out = String::new();
    let format = imported.format.map_or("empty trace", |f| f.title());
    let _ = writeln!(out, "{name}: {format}");
    let _ = writeln!(out, "  events           {}", s.events);
    let _ = writeln!(out, "  operations       {}", s.operations);
    let _ = writeln!(out, "    completed      {}", s.completed);
    let _ = writeln!(out, "    failed         {}", s.failed);
    if s.cancelled > 0 {
        let _ = writeln!(out, "    cancelled      {}", s.cancelled);
    }
    let _ = writeln!(out, "    never finished {}", s.unfinished);
    let _ = writeln!(out, "  orphans          {}", s.orphans);
    for (what, n) in &imported.skipped {
        let _ = writeln!(out, "  skipped          {n} × {what}");
    }
    for note in &imported.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    if ins.lints.is_empty() {
        let _ = writeln!(out, "lints: none");
    } else {
        let _ = writeln!(out, "lints:");
        for kind in LintKind::ALL {
            let found: Vec<_> = ins.lints.iter().filter(|l| l.kind == kind).collect();
            if found.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {} ({})", kind.title(), found.len());
            for l in found.iter().take(20) {
                let _ = writeln!(out, "    {}", l.message);
            }
            if found.len() > 20 {
                let _ = writeln!(out, "    … and {} more", found.len() - 20);
            }
        }
    }
    out
}
