//! # Reading a file or a pipe
//!
//! Native only: feeds an [`Importer`] from any `std::io::Read` in fixed chunks, for inputs
//! whose size is not known up front (or lies, like `/dev/zero`'s 0).

use super::Importer;
use crate::model::sink::EventSink;
use crate::trace::error::ImportError;
use crate::trace::stream::Finished;

/// Reads all of `reader` in chunks of `chunk` bytes into `importer`, then finishes it: for
/// files and pipes, where the size is not known (or lies, like `/dev/zero`'s 0).
pub fn read_all<S: EventSink>(
    mut importer: Importer<S>,
    mut reader: impl std::io::Read,
    chunk: usize,
) -> Result<Finished<S>, ReadError> {
    let mut buf = vec![0u8; chunk.max(1)];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        importer.feed(&buf[..n]).map_err(ReadError::Import)?;
    }
    importer.finish().map_err(ReadError::Import)
}

/// Why [`read_all`] failed: the reading or the import.
#[derive(Debug)]
pub enum ReadError {
    /// The reader failed (not the content): a closed pipe, a file that went away.
    Io(std::io::Error),
    /// The content could not be imported; positioned as any import error.
    Import(ImportError),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
            ReadError::Import(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}
