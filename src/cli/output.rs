//! # Standard output that reports its failures
//!
//! The standard library hides two ways of losing output: a *closed* standard output
//! (`lineage summary f >&-`) is reopened on `/dev/null` before `main` runs, so everything
//! printed vanishes and the command exits 0; and `println!` into a broken pipe panics.
//! Either way the user gets no report or a panic message. So every command writes what it prints through [`print`] (or a [`Printer`]),
//! which names the failure in one line for the caller to put on standard error and exit 1;
//! and [`check_standard_output`] refuses to start a command whose output has nowhere to go.
//!
//! [`prepare_process`] runs first in `main`. It tells a closed standard output from a
//! deliberate `>/dev/null`: the runtime opens `/dev/null` read-write, a shell redirect opens
//! it write-only (`1<>/dev/null` reads as closed; nobody writes that). And it ignores `SIGXFSZ`, so a file-size limit turns into a write error the command
//! cleans up after (see [`super::replace_file`]) instead of a kill mid-write.

use std::io::Write;
use std::os::fd::AsFd;
use std::sync::OnceLock;

static STDOUT_OPEN_AT_START: OnceLock<bool> = OnceLock::new();

/// Notes whether standard output is open and ignores `SIGXFSZ`. Call before opening files.
pub(crate) fn prepare_process() {
    let _ = STDOUT_OPEN_AT_START.set(fd_is_open());
    // SAFETY: `signal` with `SIG_IGN` installs no handler of ours; it only asks the kernel to
    // fail writes past RLIMIT_FSIZE with EFBIG instead of delivering SIGXFSZ. Nothing else in
    // this process sets a handler for that signal.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// False when fd 1 is not open, or is the `/dev/null` the runtime put in place of a closed
/// one (a character device equal to `/dev/null`, opened read-write).
fn fd_is_open() -> bool {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return false;
    };
    // SAFETY: F_GETFL only reads the flags of a descriptor we own for this call.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    let read_write = flags >= 0 && flags & libc::O_ACCMODE == libc::O_RDWR;
    let file = std::fs::File::from(fd);
    let is_null = match (file.metadata(), std::fs::metadata("/dev/null")) {
        (Ok(out), Ok(null)) => out.rdev() == null.rdev() && out.dev() == null.dev(),
        _ => false,
    };
    !(read_write && is_null)
}

/// Whether standard output was open when the process started.
fn stdout_is_open() -> bool {
    *STDOUT_OPEN_AT_START.get_or_init(fd_is_open)
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
    check_standard_output()?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
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
