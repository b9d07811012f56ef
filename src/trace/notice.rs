//! # What the page says about an import
//!
//! An import can succeed while passing over records (a Chrome trace's counter events, an
//! OTLP span of another kind) or noting something the reader should know; the page shows
//! the file under a name that says which format it was read as, and one dismissible line of
//! notes. Both are written here from [`Imported`], next to the progress line
//! ([`super::Progress::describe`]), so the wording is tested without a browser.

use super::Imported;

/// The notes the banner shows in full; the rest sit behind "… and N more".
pub(crate) const NOTES_SHOWN: usize = 3;
/// The most notes the expanded list holds (a crafted file can make a million); past it, a
/// count.
pub(crate) const NOTES_LISTED: usize = 200;
/// The most characters of one note shown.
pub(crate) const NOTE_CHARS: usize = 300;

/// What the notice banner shows: the first notes, clipped, and the rest on demand, bounded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notices {
    /// The first [`NOTES_SHOWN`] notes.
    pub shown: Vec<String>,
    /// The next ones, up to [`NOTES_LISTED`] in all, for a list opened on demand.
    pub listed: Vec<String>,
    /// Notes neither shown nor listed.
    pub unlisted: usize,
}

impl Notices {
    /// The notes beyond those shown: "… and N more".
    pub fn more(&self) -> usize {
        self.listed.len() + self.unlisted
    }

    /// The banner's notes from a list of any length, each clipped to [`NOTE_CHARS`] with
    /// its hidden characters as badges.
    pub fn of(notes: &[String]) -> Option<Notices> {
        if notes.is_empty() {
            return None;
        }
        let shown_text =
            |n: &String| crate::text::visible::reveal_clipped(n, NOTE_CHARS).into_owned();
        let listed_end = notes.len().min(NOTES_LISTED);
        let shown_end = notes.len().min(NOTES_SHOWN);
        Some(Notices {
            shown: notes[..shown_end].iter().map(shown_text).collect(),
            listed: notes[shown_end..listed_end]
                .iter()
                .map(shown_text)
                .collect(),
            unlisted: notes.len() - listed_end,
        })
    }
}

impl Imported {
    /// The name the page gives the trace: the file's name and the format it was read as.
    pub fn source_label(&self, file_name: &str) -> String {
        match self.format {
            Some(f) => format!("{file_name} ({})", f.title()),
            None => file_name.to_owned(),
        }
    }

    /// One line of what was noted and skipped, or `None` when the import was clean.
    pub fn notice(&self) -> Option<String> {
        let notes = self.notice_lines();
        (!notes.is_empty()).then(|| notes.join("; "))
    }

    /// What the page's banner shows: [`Imported::notice`]'s notes, bounded.
    pub fn notices(&self) -> Option<Notices> {
        Notices::of(&self.notice_lines())
    }

    /// The notes, then the skipped records as one note.
    fn notice_lines(&self) -> Vec<String> {
        let mut notes = self.notes.clone();
        if self.skipped_total() > 0 {
            let what: Vec<String> = self
                .skipped
                .iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect();
            notes.push(format!("skipped records: {}", what.join(", ")));
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::trace::Format;

    #[test]
    fn a_clean_import_has_no_notice_and_is_named_with_its_format() {
        let imported = Imported {
            format: Some(Format::Chrome),
            ..Imported::default()
        };
        assert_eq!(imported.notice(), None);
        assert_eq!(
            imported.source_label("run.json"),
            format!("run.json ({})", Format::Chrome.title())
        );
        assert_eq!(Imported::default().source_label("run.json"), "run.json");
    }

    #[test]
    fn notes_come_first_then_the_skipped_records_with_their_counts() {
        let imported = Imported {
            format: Some(Format::Chrome),
            skipped: vec![("C".into(), 3), ("M".into(), 1)],
            notes: vec!["timestamps were in µs".into(), "2 open spans".into()],
            ..Imported::default()
        };
        assert_eq!(
            imported.notice().as_deref(),
            Some("timestamps were in µs; 2 open spans; skipped records: 3 × C, 1 × M")
        );
    }

    #[test]
    fn a_million_notes_show_three_list_two_hundred_and_count_the_rest() {
        let imported = Imported {
            notes: (0..1_000_000)
                .map(|i| format!("note {i} {}", "x".repeat(1000)))
                .collect(),
            ..Imported::default()
        };
        let n = imported.notices().unwrap();
        assert_eq!(n.shown.len(), NOTES_SHOWN);
        assert_eq!(n.listed.len(), NOTES_LISTED - NOTES_SHOWN);
        assert_eq!(n.more(), 1_000_000 - NOTES_SHOWN);
        assert_eq!(n.unlisted, 1_000_000 - NOTES_LISTED);
        for note in n.shown.iter().chain(&n.listed) {
            assert!(
                note.chars().count() < NOTE_CHARS + 20,
                "{} chars",
                note.len()
            );
            assert!(note.ends_with("bytes)"));
        }
        assert_eq!(Notices::of(&[]), None);
        let one = Notices::of(&["a\u{202E}b".to_owned()]).unwrap();
        assert_eq!(one.more(), 0);
        assert_eq!(one.shown, ["a⟨U+202E⟩b"]);
    }

    #[test]
    fn skipped_records_alone_make_a_notice() {
        let imported = Imported {
            skipped: vec![("counter".into(), 2)],
            ..Imported::default()
        };
        assert_eq!(
            imported.notice().as_deref(),
            Some("skipped records: 2 × counter")
        );
    }
}
