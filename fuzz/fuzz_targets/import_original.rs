#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| lineage_fuzz::run(Some(lineage::trace::Format::Abstractions), data));
