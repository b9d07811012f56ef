//! The command line stopped mid-write: `convert -o` writes `.NAME.PID-N.lineage-tmp` beside
//! its target and renames it over the target when whole. A `SIGTERM` or `SIGINT` during the
//! write removes the temporary file and leaves the old target intact; a `SIGKILL` cannot be
//! caught, so the next write into the directory sweeps what a dead process left (native only:
//! it runs the binary and sends signals).
#![cfg(not(target_arch = "wasm32"))]
#![cfg(unix)]

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A scratch directory of the test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lineage-signals-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A trace of `n` started events, big enough that converting it takes a while.
fn write_trace(path: &Path, n: usize) {
    let mut trace = String::with_capacity(n * 200);
    for k in 0..n {
        let id = format!("00000000-0000-4000-8000-{k:012}");
        trace.push_str(&format!(
            "{{\"id\":\"{id}\",\"kind\":\"processing\",\"phase\":\"started\",\"root_id\":\"{id}\",\
             \"lineage_id\":\"{id}\",\"seq\":{k},\"timestamp_ns\":{k},\"payload\":{{}}}}\n"
        ));
    }
    std::fs::write(path, trace).unwrap();
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn temp_files_in(dir: &Path) -> Vec<String> {
    names_in(dir)
        .into_iter()
        .filter(|n| n.ends_with(".lineage-tmp"))
        .collect()
}

/// `convert` started with the terminating signals at their default action: a test run from
/// a background job of a shell without job control inherits `SIGINT` ignored, and the
/// command rightly keeps a signal it was started with ignored (`src/cli/temp_files.rs`), so
/// without this the test would depend on how it was launched.
fn convert(input: &Path, target: &Path) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lineage"));
    command
        .args(["convert", "--to", "chrome", "-o"])
        .arg(target)
        .arg(input)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: between fork and exec only `signal(2)` is called, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    command.spawn().unwrap()
}

/// Waits until the child's temporary file exists in `dir`; panics after a minute.
fn wait_for_temp_file(dir: &Path, child: &mut Child) {
    let started = Instant::now();
    while temp_files_in(dir).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "convert ended before its temporary file was seen"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no temporary file"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // Well inside the write: the input is read into the temporary file from here on.
    std::thread::sleep(Duration::from_millis(50));
}

fn send(child: &Child, signal: libc::c_int) {
    // SAFETY: a plain kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

#[test]
fn sigterm_or_sigint_during_convert_removes_the_temporary_file_and_keeps_the_old_one() {
    let dir = scratch("term");
    let input = dir.join("in.ndjson");
    write_trace(&input, 200_000);
    let target = dir.join("out.json");
    for signal in [libc::SIGTERM, libc::SIGINT] {
        std::fs::write(&target, "the good file").unwrap();
        let mut child = convert(&input, &target);
        wait_for_temp_file(&dir, &mut child);
        send(&child, signal);
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(signal),
            "{status:?}: ended by the signal"
        );
        assert_eq!(temp_files_in(&dir), Vec::<String>::new(), "signal {signal}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "the good file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_temporary_file_left_by_sigkill_is_swept_by_the_next_write() {
    let dir = scratch("kill");
    let input = dir.join("in.ndjson");
    write_trace(&input, 200_000);
    let target = dir.join("out.json");
    std::fs::write(&target, "the good file").unwrap();
    let mut child = convert(&input, &target);
    wait_for_temp_file(&dir, &mut child);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(temp_files_in(&dir).len(), 1, "SIGKILL cannot be caught");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the good file");
    // Not ours to remove: a live process's file, and a name of another pattern.
    let live = format!(".out.json.{}-0.lineage-tmp", std::process::id());
    std::fs::write(dir.join(&live), "being written").unwrap();
    std::fs::write(dir.join("notes.lineage-tmp"), "someone else's").unwrap();
    let small = dir.join("small.ndjson");
    write_trace(&small, 3);
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["convert", "--to", "chrome", "-o"])
        .arg(&target)
        .arg(&small)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        names_in(&dir),
        [
            live.as_str(),
            "in.ndjson",
            "notes.lineage-tmp",
            "out.json",
            "small.ndjson"
        ]
    );
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("traceEvents"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stale_temporary_file_of_a_dead_process_is_swept_by_simulate_too() {
    let dir = scratch("stale");
    // A process that has ended: its pid runs nothing now.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let stale = format!(".other.ndjson.{pid}-3.lineage-tmp");
    std::fs::write(dir.join(&stale), "half a file").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["simulate", "--operations", "2", "--out"])
        .arg(dir.join("run.ndjson"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(names_in(&dir), ["run.ndjson"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
