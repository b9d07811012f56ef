//! Every list of emit modes outside the core comes from `EmitMode::ALL`: the command line's
//! values, the mode keys and their help line, the bench report's columns. Each list is
//! checked against `EmitMode::ALL` here, so a fifth mode that one of them missed fails this
//! file. Native only: it runs the `lineage` binary.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::lineage;
use lineage::core::EmitMode;
use lineage::measure::report::ModeColumns;
use lineage::view::shortcuts::{key_of_mode, mode_keys_help, mode_of_key};

#[test]
fn the_command_line_lists_and_accepts_every_mode() {
    for command in ["simulate", "bench"] {
        let help = String::from_utf8(lineage(&[command, "--help"]).stdout).unwrap();
        for mode in EmitMode::ALL {
            assert!(help.contains(mode.as_str()), "{command} --help: {help}");
        }
    }
    let out = std::env::temp_dir().join(format!("lineage-modes-{}.ndjson", std::process::id()));
    for mode in EmitMode::ALL {
        let run = lineage(&[
            "simulate",
            "--operations",
            "1",
            "--mode",
            &mode.spec(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            run.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let _ = std::fs::remove_file(out);
    let wrong = lineage(&["bench", "--modes", "awaited,sideways"]);
    assert!(!wrong.status.success());
    let err = String::from_utf8(wrong.stderr).unwrap();
    for mode in EmitMode::ALL {
        assert!(err.contains(mode.as_str()), "the error lists {mode}: {err}");
    }
}

#[test]
fn every_mode_has_a_key_and_a_place_in_the_help() {
    let (keys, what) = mode_keys_help();
    assert_eq!(keys.split(' ').count(), EmitMode::ALL.len());
    for mode in EmitMode::ALL {
        assert_eq!(mode_of_key(&key_of_mode(mode)), Some(mode));
        assert!(what.contains(&mode.label().to_lowercase()), "{what}");
    }
}

#[test]
fn the_bench_report_has_a_column_per_mode() {
    let columns = ModeColumns(EmitMode::ALL.map(|m| (m, None)));
    let json = serde_json::to_value(&columns).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), EmitMode::ALL.len());
    for mode in EmitMode::ALL {
        assert!(keys.contains(&mode.as_str()), "{keys:?}");
        assert!(columns.get(mode).is_none());
    }
}
