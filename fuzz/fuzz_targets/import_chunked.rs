#![no_main]
use libfuzzer_sys::fuzz_target;

// The first byte picks the chunk size; the rest is fed in chunks of that size and must give
// what the whole input gives (events, notes, or the same error).
fuzz_target!(|data: &[u8]| {
    if let Some((&size, input)) = data.split_first() {
        lineage_fuzz::run_chunked(input, usize::from(size).max(1));
    }
});
