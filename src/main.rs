//! The `lineage` binary: the command line natively, the inspector UI when built for wasm32.

fn main() {
    println!("lineage {}", env!("CARGO_PKG_VERSION"));
}
