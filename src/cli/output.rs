//! # Standard output that reports its failures
//!
//! The standard library hides two ways of losing output: a *closed* standard output
//! (`lineage summary f >&-`) is reopened on `/dev/null` before `main` runs, so everything
//! printed vanishes and the command exits 0; and `println!` into a broken pipe panics.
//! Either way the user gets no report or a panic message. So every command writes what it
//! prints through [`print`] (or a [`Printer`]), which names the failure in one line for the
//! caller to put on standard error and exit 1; and [`check_standard_output`] refuses to start
//! a command whose output has nowhere to go.
//!
//! [`prepare_process`] runs first in `main` and ignores `SIGXFSZ`, so a file-size limit turns
//! into a write error the command cleans up after (see [`super::replace_file`]) instead of a
//! kill mid-write. Whether fd 1 was closed cannot be seen from `main` any more (it is
//! `/dev/null` by then, exactly as after a deliberate `>/dev/null`), so the binary notes it
//! earlier: on Linux its `.init_array` entry calls [`note_standard_output_at_exec`], which
//! runs before the Rust runtime starts. Elsewhere a closed fd 1 goes unnoticed, as before.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

/// What [`note_standard_output_at_exec`] saw.
const NOT_NOTED: u8 = 0;
const OPEN: u8 = 1;
const CLOSED: u8 = 2;
static AT_EXEC: AtomicU8 = AtomicU8::new(NOT_NOTED);

/// Notes whether fd 1 is open. Called from the binary's `.init_array` entry, before the
/// standard library puts `/dev/null` in place of a closed standard stream; it only asks the
/// kernel about fd 1 and stores the answer (no allocation, no I/O).
pub extern "C" fn note_standard_output_at_exec() {
    // SAFETY: F_GETFD reads the descriptor flags of fd 1 and changes nothing.
    let open = unsafe { libc::fcntl(1, libc::F_GETFD) } != -1;
    AT_EXEC.store(if open { OPEN } else { CLOSED }, Ordering::Relaxed);
}

/// Ignores `SIGXFSZ`. Call first in `main`.
pub(crate) fn prepare_process() {
    // SAFETY: `signal` with `SIG_IGN` installs no handler of ours; it only asks the kernel to
    // fail writes past RLIMIT_FSIZE with EFBIG instead of delivering SIGXFSZ. Nothing else in
    // this process sets a handler for that signal.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Whether standard output was open when the process started (when that was noted).
fn stdout_is_open() -> bool {
    AT_EXEC.load(Ordering::Relaxed) != CLOSED
}

/// `Err` with a sentence when standard output was closed at start: a command that prints its
/// result checks this before doing any work.
pub(crate) fn check_standard_output() -> Result<(), String> {
    if stdout_is_open() {
        Ok(())
    } else {
        Err("standard output is closed, so the result would be lost; \
             redirect it to a file or a pipe"
            .to_owned())
    }
}

/// Writes `text` to standard output and flushes it, or says why it could not.
pub(crate) fn print(text: &str) -> Result<(), String> {
    to_stdout(|out| out.write_all(text.as_bytes()))
}

/// Lets `write` write to standard output (buffered), flushes, and says in one line why not
/// when that failed: for output written piece by piece.
pub(crate) fn to_stdout(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    check_standard_output()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => {
                "standard output was closed before everything was written (broken pipe)".to_owned()
            }
            _ => format!("cannot write to standard output: {e}"),
        })
}

/// Prints piece by piece (progress lines of a long run), keeping the first failure: later
/// pieces are dropped and [`Printer::finish`] reports it.
#[derive(Debug, Default)]
pub(crate) struct Printer {
    failure: Option<String>,
}

impl Printer {
    pub(crate) fn print(&mut self, text: &str) {
        if self.failure.is_none() {
            self.failure = print(text).err();
        }
    }

    pub(crate) fn finish(self) -> Result<(), String> {
        self.failure.map_or(Ok(()), Err)
    }
}
