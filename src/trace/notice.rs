//! # What the page says about an import
//!
//! An import can succeed while passing over records (a Chrome trace's counter events, an
//! OTLP span of another kind) or noting something the reader should know; the page shows
//! the file under a name that says which format it was read as, and one dismissible line of
//! notes. Both are written here from [`Imported`], next to the progress line
//! ([`super::Progress::describe`]), so the wording is tested without a browser.

use super::Imported;

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
        let mut notes = self.notes.clone();
        if self.skipped_total() > 0 {
            let what: Vec<String> = self
                .skipped
                .iter()
                .map(|(k, n)| format!("{n} × {k}"))
                .collect();
            notes.push(format!("skipped records: {}", what.join(", ")));
        }
        (!notes.is_empty()).then(|| notes.join("; "))
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
