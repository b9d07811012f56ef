//! # Temporary files that no signal leaves behind
//!
//! [`super::replace_file`] writes beside its target into `.NAME.PID-N.lineage-tmp` and renames
//! it over the target when it is whole. Until 2026-12 a `SIGTERM` or `SIGINT` during the write
//! (a Ctrl-C, a `timeout`, a service manager stopping a job) ended the process with the file
//! still there. Now:
//!
//! - Each temporary path is [`register`]ed while it exists. The first registration installs a
//!   handler for `SIGTERM`, `SIGINT` and `SIGHUP` that unlinks every registered path and then
//!   lets the signal end the process as it would have (the default action is restored by
//!   `SA_RESETHAND` and the signal raised again, so the exit status still says which signal).
//!   A signal the process was started with ignored (`nohup`) stays ignored.
//! - `SIGKILL` cannot be caught, so [`sweep_stale`] runs before each write: temporary files in
//!   the target's directory whose name has exactly our pattern and whose process is gone are
//!   removed. A file whose process is alive (another `lineage` writing now) is left alone.
//!
//! ## Async-signal safety
//! A handler may only call async-signal-safe functions: it must not allocate or lock. The
//! paths are kept as C strings made before the write, published through atomic pointers the
//! handler only loads, and the handler calls `unlink` and `raise`, both safe. A path leaving
//! the registry is never freed, so a handler running on another thread (convert writes on a
//! worker thread with a deep stack) can never read freed memory; that is one short string per
//! file written, a few per process.

use std::ffi::{CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Once;

/// The suffix of every temporary file `replace_file` makes.
pub(crate) const SUFFIX: &str = ".lineage-tmp";

/// Paths a signal must remove; null when free. More writes at once than slots (the command
/// line makes one) are simply not covered.
static PENDING: [AtomicPtr<libc::c_char>; 8] = [const { AtomicPtr::new(ptr::null_mut()) }; 8];

/// A temporary path the signal handler removes until this is dropped.
pub(crate) struct Registered(Option<usize>);

/// Registers `path` for removal by a terminating signal; call it before the file is created.
pub(crate) fn register(path: &Path) -> Registered {
    install_handler();
    let Ok(c_path) = CString::new(path.as_os_str().as_bytes()) else {
        return Registered(None);
    };
    let raw = c_path.into_raw();
    for (i, slot) in PENDING.iter().enumerate() {
        let free = slot.compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Relaxed);
        if free.is_ok() {
            return Registered(Some(i));
        }
    }
    // SAFETY: `raw` came from `into_raw` just above and was published nowhere.
    drop(unsafe { CString::from_raw(raw) });
    Registered(None)
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Some(i) = self.0 {
            // Leaked on purpose: see "Async-signal safety" in the module docs.
            PENDING[i].store(ptr::null_mut(), Ordering::Release);
        }
    }
}

fn install_handler() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            // SAFETY: plain sigaction calls with zeroed, then filled, structures; the handler
            // only does async-signal-safe work (module docs).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                action.sa_flags = libc::SA_RESETHAND;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0
                    && old.sa_sigaction == libc::SIG_IGN
                {
                    libc::sigaction(signal, &old, ptr::null_mut());
                }
            }
        }
    });
}

extern "C" fn on_signal(signal: libc::c_int) {
    for slot in &PENDING {
        let path = slot.load(Ordering::Acquire);
        if !path.is_null() {
            // SAFETY: a registered pointer is a C string that is never freed.
            unsafe { libc::unlink(path) };
        }
    }
    // SAFETY: `raise` is async-signal-safe. The signal is blocked until this handler returns
    // and its default action is back (`SA_RESETHAND`), so it then ends the process.
    unsafe { libc::raise(signal) };
}

/// Removes temporary files in `dir` left by a `lineage` that is gone (killed by `SIGKILL`,
/// or a power cut): names of exactly the form `.NAME.PID-N.lineage-tmp`, regular files,
/// whose `PID` runs no process. Best effort: what cannot be read or removed is left.
pub(crate) fn sweep_stale(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = writer_pid(&entry.file_name()).is_some_and(|pid| !process_is_alive(pid));
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The process id in a temporary file's name, if `name` is exactly `.NAME.PID-N.lineage-tmp`.
pub(crate) fn writer_pid(name: &OsStr) -> Option<i32> {
    let name = name.to_str()?.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let (target, pid_attempt) = name.rsplit_once('.')?;
    let (pid, attempt) = pid_attempt.split_once('-')?;
    let decimal = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if target.is_empty() || !decimal(pid) || !decimal(attempt) {
        return None;
    }
    pid.parse().ok().filter(|&pid: &i32| pid > 0)
}

/// Whether a process with this id exists (one we may not signal still exists).
fn process_is_alive(pid: i32) -> bool {
    // SAFETY: signal 0 sends nothing; it only checks that the process exists.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_the_exact_pattern_carry_a_pid() {
        let pid = |s: &str| writer_pid(OsStr::new(s));
        assert_eq!(pid(".trace.json.4242-0.lineage-tmp"), Some(4242));
        assert_eq!(pid(".a.b.c.17-3.lineage-tmp"), Some(17));
        for other in [
            "trace.json.4242-0.lineage-tmp",
            "..4242-0.lineage-tmp",
            ".trace.json.4242.lineage-tmp",
            ".trace.json.42x2-0.lineage-tmp",
            ".trace.json.4242-0.lineage-tmp.bak",
            ".trace.json.0-0.lineage-tmp",
            ".trace.json.-1-0.lineage-tmp",
            "notes.lineage-tmp",
        ] {
            assert_eq!(pid(other), None, "{other}");
        }
    }

    #[test]
    fn this_process_is_alive() {
        assert!(process_is_alive(std::process::id() as i32));
    }
}
