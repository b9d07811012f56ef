//! # Writing a file whole or not at all
//!
//! `std::fs::write` truncates the target first and then writes: on a full disk, or killed by a
//! file-size limit, it leaves half a document where the good file was. [`replace_file`]
//! writes to a temporary file next to the target instead, flushes it to disk (`fsync`), and
//! only then renames it over the target: a rename within one directory is atomic, so the
//! path holds either the old file or the complete new one. On any error the temporary file
//! is removed and the old file is untouched. A `SIGTERM`, `SIGINT` or `SIGHUP` mid-write
//! removes it too, and one left by a `SIGKILL` is swept by the next write into the same
//! directory ([`super::temp_files`]); `SIGXFSZ` is ignored by
//! [`super::output::prepare_process`] so a file-size limit is an error we clean up after.
//!
//! The new file takes the old one's permissions; writing through a symbolic link replaces
//! the file it points at, not the link. A target that exists and is not a regular file
//! (`/dev/null`, `/dev/stdout`, a named pipe) cannot be replaced and is written in place.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::temp_files::{self, Registered};

/// Replaces the file at `path` with `bytes`, whole or not at all.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, |file| file.write_all(bytes))
}

/// Replaces the file at `path` with what `write` writes into a fresh temporary file; if
/// `write` (or flushing, or the rename) fails, `path` is left as it was and the temporary
/// file is removed. The seam the tests fail writes through.
pub(crate) fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    // Through a symbolic link: replace what it points at. A path that does not exist yet (or
    // a dangling link) cannot be resolved and is written as given.
    let target = fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if fs::metadata(&target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut device = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&target)?;
        return write(&mut device).and_then(|()| device.flush());
    }
    let dir = target.parent().unwrap_or(Path::new(""));
    temp_files::sweep_stale(dir);
    let (temp_path, mut file, _registered) = create_temp_beside(&target)?;
    if let Ok(old) = fs::metadata(&target) {
        let _ = file.set_permissions(old.permissions());
    }
    let written = write(&mut file)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            fs::rename(&temp_path, &target)
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp_path);
        return Err(e);
    }
    // Make the rename itself durable; the data already is, so a failure here loses nothing.
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// A new, empty, hidden file in the target's directory: `.NAME.PID-N.lineage-tmp`, registered
/// for removal by a terminating signal (before it is created, so no moment is uncovered).
fn create_temp_beside(target: &Path) -> io::Result<(PathBuf, File, Registered)> {
    let name = target.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the output path does not name a file",
        )
    })?;
    let dir = target.parent().unwrap_or(Path::new(""));
    let mut attempt = 0u32;
    loop {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(
            ".{}-{attempt}{}",
            std::process::id(),
            temp_files::SUFFIX
        ));
        let temp_path = dir.join(temp_name);
        let registered = temp_files::register(&temp_path);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => return Ok((temp_path, file, registered)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory of its own per test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("lineage-replace-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_that_fails_after_some_bytes_leaves_the_old_file_and_no_partial_one() {
        let dir = scratch("fails");
        let path = dir.join("trace.json");
        fs::write(&path, "the good file").unwrap();
        let err = replace_with(&path, |file| {
            file.write_all(b"{\"traceEvents\": [half a docu")?;
            Err(io::Error::from_raw_os_error(libc::ENOSPC))
        })
        .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENOSPC));
        assert_eq!(fs::read_to_string(&path).unwrap(), "the good file");
        assert_eq!(entries(&dir), ["trace.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_that_succeeds_replaces_the_file_keeping_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("ok");
        let path = dir.join("trace.ndjson");
        fs::write(&path, "old, longer than the new content").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(entries(&dir), ["trace.ndjson"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn writing_through_a_symbolic_link_replaces_its_target() {
        let dir = scratch("link");
        let real = dir.join("real.json");
        let link = dir.join("link.json");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        replace_file(&link, b"new").unwrap();
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_device_is_written_in_place() {
        replace_file(Path::new("/dev/null"), b"discarded").unwrap();
    }

    #[test]
    fn a_directory_in_the_way_is_an_error_and_leaves_nothing_behind() {
        let dir = scratch("dir");
        fs::create_dir(dir.join("out")).unwrap();
        assert!(replace_file(&dir.join("out"), b"x").is_err());
        assert_eq!(entries(&dir), ["out"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
