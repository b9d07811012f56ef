//! # What the subcommands say about a trace, under one set of rules
//!
//! `summary`, `diff` and `convert` all print text that came from a file (kinds, process
//! names, skipped record types, notes) and lists whose length the file decides. The rules
//! are the same for each, so they live here once:
//!
//! - Text from a file goes through [`crate::text`]: escaped, and clipped to
//!   [`crate::text::EXCERPT_CHARS`] characters plus its length ([`excerpt`]), so a crafted
//!   name cannot drive the terminal and a 1 MB kind is a line, not a megabyte.
//! - A list is bounded: the text shows [`TEXT_FINDINGS`] of each, the JSON at most
//!   `--max-findings` ([`DEFAULT_MAX_FINDINGS`]) with the whole count beside it
//!   ([`Bounded`]), so a million findings give a document of bounded size.
//! - What the import noted (a cut-off last line, records it passed over) is said by every
//!   subcommand in the same words: [`write_import_notes`] for a report on standard output,
//!   [`import_note_lines`] for a command whose standard output is the data (`convert`).
//! - JSON is printed through [`escape_json`], which keeps the data and escapes what would act.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::output;
use crate::text::{escape_json, excerpt};
use crate::trace::Imported;

/// Findings of one kind listed by default in `--json` (the text lists [`TEXT_FINDINGS`]).
pub(crate) const DEFAULT_MAX_FINDINGS: usize = 1_000;

/// Findings of one kind, notes, and kinds of skipped record listed in a text report.
pub(crate) const TEXT_FINDINGS: usize = 20;

/// Kinds of skipped record named in the one line `convert` gives them.
const SKIPPED_KINDS_IN_A_LINE: usize = 3;

/// The first `max` items of a list as JSON, and how many there were in all.
pub(crate) struct Bounded {
    pub(crate) listed: Vec<Value>,
    pub(crate) total: usize,
}

impl Bounded {
    /// Lists the first `max` of `items` through `show`, counting the rest.
    pub(crate) fn of<T>(
        items: impl Iterator<Item = T>,
        max: usize,
        mut show: impl FnMut(T) -> Value,
    ) -> Bounded {
        let mut listed = Vec::new();
        let mut total = 0;
        for item in items {
            if total < max {
                listed.push(show(item));
            }
            total += 1;
        }
        Bounded { listed, total }
    }

    /// Whether some items were left out.
    pub(crate) fn truncated(&self) -> bool {
        self.listed.len() < self.total
    }
}

/// Writes what the import skipped and noted, one line each (at most [`TEXT_FINDINGS`] of
/// each, then "… and N more"), every line starting with `indent`.
pub(crate) fn write_import_notes(out: &mut String, indent: &str, imported: &Imported) {
    use std::fmt::Write;
    for (what, n) in imported.skipped.iter().take(TEXT_FINDINGS) {
        let _ = writeln!(out, "{indent}skipped          {n} × {}", excerpt(what));
    }
    if imported.skipped.len() > TEXT_FINDINGS {
        let _ = writeln!(
            out,
            "{indent}skipped          … and {} more kinds of record",
            imported.skipped.len() - TEXT_FINDINGS
        );
    }
    for note in imported.notes.iter().take(TEXT_FINDINGS) {
        let _ = writeln!(out, "{indent}note: {}", excerpt(note));
    }
    if imported.notes.len() > TEXT_FINDINGS {
        let _ = writeln!(
            out,
            "{indent}note: … and {} more",
            imported.notes.len() - TEXT_FINDINGS
        );
    }
}

/// What the import skipped (`skipped`: kinds clipped, at most `max` kinds; `skipped_total`)
/// and noted (`notes`: at most `max`), as JSON fields.
pub(crate) fn import_notes_json(imported: &Imported, max: usize) -> serde_json::Map<String, Value> {
    // A skipped kind is named by the file (a record type): clipped like any excerpt.
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for (what, n) in imported.skipped.iter().take(max) {
        *skipped.entry(excerpt(what).into_owned()).or_default() += n;
    }
    let notes: Vec<String> = imported
        .notes
        .iter()
        .take(max)
        .map(|n| excerpt(n).into_owned())
        .collect();
    let value = json!({
        "skipped": skipped,
        "skipped_total": imported.skipped_total(),
        "notes": notes,
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! of an object is an object"),
    }
}

/// What the import noted and skipped, as lines for standard error: each note (at most
/// [`TEXT_FINDINGS`], then "… and N more") and one line for all skipped records.
pub(crate) fn import_note_lines(notes: &[String], skipped: &[(String, usize)]) -> Vec<String> {
    let mut lines: Vec<String> = notes
        .iter()
        .take(TEXT_FINDINGS)
        .map(|n| format!("note: {}", excerpt(n)))
        .collect();
    if notes.len() > TEXT_FINDINGS {
        lines.push(format!("note: … and {} more", notes.len() - TEXT_FINDINGS));
    }
    lines.extend(skipped_line(skipped));
    lines
}

/// "skipped 4 records of the input: 3 × C, 1 × M" (the first few kinds, then how many more).
fn skipped_line(skipped: &[(String, usize)]) -> Option<String> {
    let total: usize = skipped.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let kinds: Vec<String> = skipped
        .iter()
        .take(SKIPPED_KINDS_IN_A_LINE)
        .map(|(what, n)| format!("{n} × {}", excerpt(what)))
        .collect();
    let more = match skipped.len().saturating_sub(SKIPPED_KINDS_IN_A_LINE) {
        0 => String::new(),
        1 => " and 1 more kind (`lineage summary` lists them)".to_owned(),
        n => format!(" and {n} more kinds (`lineage summary` lists them)"),
    };
    let records = if total == 1 { "record" } else { "records" };
    Some(format!(
        "note: skipped {total} {records} of the input: {}{more}",
        kinds.join(", ")
    ))
}

/// Prints `value` as pretty JSON with every hidden character escaped (the data unchanged).
pub(crate) fn print_json(value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    output::print(&format!("{}\n", escape_json(&text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_list_keeps_the_first_items_and_the_whole_count() {
        let b = Bounded::of(0..10, 3, |i| json!(i));
        assert_eq!(
            (b.listed, b.total),
            (vec![json!(0), json!(1), json!(2)], 10)
        );
        let b = Bounded::of(0..2, 3, |i| json!(i));
        assert!(!b.truncated());
    }

    #[test]
    fn notes_for_standard_error_are_escaped_bounded_and_skipped_records_are_one_line() {
        let notes: Vec<String> = (0..25).map(|i| format!("n{i}\u{1b}[2J")).collect();
        let skipped = vec![
            ("C".to_owned(), 3),
            ("\u{202e}Q".to_owned(), 1),
            ("M".to_owned(), 1),
            ("k".repeat(1_000), 2),
        ];
        let lines = import_note_lines(&notes, &skipped);
        assert_eq!(lines.len(), TEXT_FINDINGS + 2);
        assert_eq!(lines[0], "note: n0\\u{1b}[2J");
        assert_eq!(lines[TEXT_FINDINGS], "note: … and 5 more");
        assert_eq!(
            lines[TEXT_FINDINGS + 1],
            "note: skipped 7 records of the input: 3 × C, 1 × \\u{202e}Q, 1 × M and 1 more \
             kind (`lineage summary` lists them)"
        );
        assert_eq!(
            import_note_lines(&[], &[("C".to_owned(), 1)]),
            ["note: skipped 1 record of the input: 1 × C"]
        );
        assert!(import_note_lines(&[], &[]).is_empty());
    }
}
