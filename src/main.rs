//! The `lineage` binary: the command line natively, the inspector UI when built for wasm32.

/// Notes whether standard output is open before the standard library replaces a closed one
/// with `/dev/null` (it does so before `main`), so that output with nowhere to go is an error
/// rather than lost: the loader runs `.init_array` entries before the Rust runtime starts.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_STANDARD_OUTPUT: extern "C" fn() = lineage::cli::note_standard_output_at_exec;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    lineage::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    lineage::ui::start();
}
