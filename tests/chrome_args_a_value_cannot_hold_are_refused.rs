//! A Chrome slice whose `args` serde passes over but cannot hold as a `Value` (a number
//! beyond `f64`, a lone surrogate escape) used to panic at the end of the import, when the
//! held slices became events ("args were read as JSON before"). It is refused where it is
//! read, with its place, through the purpose-built reader and serde alike.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn summary(file: &str) -> (bool, String) {
    let path = format!("{}/tests/hostile/{file}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["summary", &path])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn args_beyond_what_a_value_holds_are_refused_with_their_place() {
    for file in [
        "chrome-args-number-beyond-f64.json",
        "chrome-args-lone-surrogate.json",
    ] {
        let (ok, err) = summary(file);
        assert!(!ok, "{file}");
        assert!(!err.contains("panicked"), "{file}: {err}");
        assert!(
            err.contains("line 2, column 1") && err.contains("traceEvents[1].args"),
            "{file}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
    }
}
