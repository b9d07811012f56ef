//! # Resuming a recording
//!
//! A listener started with `--out FILE` on a recording it wrote before reads it back first,
//! so its numbering goes on where it stopped: line `n` of a recording is the event with seq
//! `n` (events are written in the order they are stored, one line each). A page that was
//! following the listener before it restarted resumes with `from = last id + 1` and gets
//! neither a gap nor a duplicate.
//!
//! A recording cut inside its last line (the machine lost power mid-write) is cut back to
//! its last whole line before anything is appended, so the file stays readable; any other
//! malformed line means the file is not a recording of ours, and the listener refuses it
//! rather than number its events wrongly.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::store::LiveStore;
use crate::core::Event;
use crate::model::{BudgetExceeded, EventSink};
use crate::trace::{read_all, Format, Importer, Limits};

/// Feeds a recording's events to the store without writing them again.
struct Replaying<'a> {
    store: &'a mut LiveStore,
    refused: u64,
}

impl EventSink for Replaying<'_> {
    fn push(&mut self, event: Event) -> Result<(), BudgetExceeded> {
        self.refused += self.store.replay(&event);
        Ok(())
    }

    fn retained_bytes(&self) -> usize {
        0 // the store keeps its own budget
    }
}

/// What resuming found: events read back, and bytes of a cut last line removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resumed {
    pub events: u64,
    pub cut_bytes: u64,
}

/// Reads the recording at `path` (if it exists) into `store`; see the module docs.
pub fn resume(store: &mut LiveStore, path: &Path) -> Result<Resumed, String> {
    let mut file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Resumed::default()),
        Err(e) => return Err(format!("cannot open {}: {e}", path.display())),
    };
    let cut_bytes = cut_to_last_line(&mut file).map_err(|e| format!("{}: {e}", path.display()))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let limits = Limits {
        max_events: u64::MAX,
        max_retained_bytes: u64::MAX,
        ..Limits::DEFAULT
    };
    let sink = Replaying { store, refused: 0 };
    let importer = Importer::with_format(Format::Native, sink, limits).strict(true);
    let done = read_all(importer, file, 1 << 20).map_err(|e| {
        format!(
            "{} is not a recording of lineage listen ({e}); choose another --out",
            path.display()
        )
    })?;
    if done.sink.refused > 0 {
        return Err(format!(
            "{} holds more events than the listener may keep under --when-full refuse; raise \
             --max-events or choose another --out",
            path.display()
        ));
    }
    Ok(Resumed {
        events: done.events,
        cut_bytes,
    })
}

/// Truncates `file` after its last newline; returns the bytes removed.
fn cut_to_last_line(file: &mut std::fs::File) -> std::io::Result<u64> {
    let len = file.metadata()?.len();
    let mut pos = len;
    let mut buf = vec![0u8; 64 << 10];
    while pos > 0 {
        let n = (buf.len() as u64).min(pos) as usize;
        file.seek(SeekFrom::Start(pos - n as u64))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            let keep = pos - n as u64 + i as u64 + 1;
            if keep < len {
                file.set_len(keep)?;
            }
            return Ok(len - keep);
        }
        pos -= n as u64;
    }
    file.set_len(0)?;
    Ok(len)
}
