//! Reading a trace file for a subcommand: the size limit is checked on the file's metadata
//! before a byte is read, so a huge file is refused without filling memory.

use std::path::Path;

use crate::trace::{self, ImportError, Imported, Problem};

/// Reads and imports `path`, or says in one line why not.
pub(crate) fn import_file(path: &Path) -> Result<Imported, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
    if meta.len() > trace::MAX_INPUT_BYTES {
        let err = ImportError {
            format: None,
            at: None,
            problem: Problem::TooLarge {
                bytes: meta.len(),
                limit: trace::MAX_INPUT_BYTES,
            },
        };
        return Err(format!("{shown}: {err}"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let name = path.file_name().and_then(|n| n.to_str());
    trace::import(&bytes, name).map_err(|e| format!("{shown}: {e}"))
}

/// Runs `work` on a thread with a stack big enough for documents nested to the depth limit
/// (see [`trace::STACK_FOR_MAX_DEPTH`]), and returns its result.
pub(crate) fn with_deep_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .name("lineage-import".into())
        .stack_size(trace::STACK_FOR_MAX_DEPTH)
        .spawn(work)
        .expect("the system refused a thread for the import")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Writes `text` to `out` whole or not at all (see [`super::replace_file`]), or to standard
/// output when `out` is `None`; says in one line why not.
pub(crate) fn write_output(out: Option<&Path>, text: &str) -> Result<(), String> {
    match out {
        Some(path) => super::replace_file::replace_file(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => super::output::print(text),
    }
}
