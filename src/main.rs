//! The `lineage` binary: the command line natively, the inspector UI when built for wasm32.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    lineage::cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {
    lineage::ui::start();
}
