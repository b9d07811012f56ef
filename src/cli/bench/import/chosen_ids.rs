//! # Ids chosen to collide: the input of the id-hash case
//!
//! Whoever writes a trace chooses its ids. Until 2026-12 the id indexes hashed a uuid as
//! `rotl(hi, 23) ^ lo` and a fixed finaliser, so ids whose halves fold to one value all shared
//! one probe chain and a file of them took quadratic time to read (80 000 events: 119 s,
//! against 0.2 s for random ids). [`write`] writes the same trace with either kind of id, so
//! `lineage bench --import` prints the two side by side; `tests/hostile/chosen-ids.ndjson` is
//! [`write`]`(2_000, same_fold)`, kept equal to it by the test below.

use std::io::Write;

use uuid::Uuid;

use crate::core::{Event, Phase};
use crate::trace;

/// The `n`th id whose halves fold to one value: `n` picks the high half (spread by a
/// multiply so the ids do not look sequential), the low half follows from it.
pub(crate) fn same_fold(n: u64) -> Uuid {
    let hi = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    Uuid::from_u64_pair(hi, hi.rotate_left(23) ^ 0x6c69_6e65_6167_6521)
}

/// The `n`th of ids that look random (splitmix64 of `n` for each half): the control case.
pub(crate) fn spread(n: u64) -> Uuid {
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    Uuid::from_u64_pair(mix(2 * n + 1), mix(2 * n + 2))
}

/// `n` events of lineage NDJSON, operations of four (a root and one child, each started and
/// completed) whose every id (event, parent, root, start and lineage) is `id(k)` for some `k`:
/// every index of the store is keyed by chosen ids.
pub(crate) fn write(out: &mut dyn Write, n: u64, id: fn(u64) -> Uuid) -> std::io::Result<()> {
    for k in 0..n {
        let op = k - k % 4;
        let root = id(op);
        let mut e = Event::root("processing", Phase::Started);
        e.id = id(k);
        e.root_id = root;
        e.lineage_id = id((1 << 40) | (op / 4));
        e.timestamp_ns = 1_000 * k;
        match k % 4 {
            0 => {}
            1 => e.parent_id = Some(root),
            2 => {
                e.phase = Phase::Completed;
                e.parent_id = Some(root);
                e.start_id = Some(id(op + 1));
                e.duration_ns = Some(1_000);
            }
            _ => {
                e.phase = Phase::Completed;
                e.start_id = Some(root);
                e.duration_ns = Some(3_000);
            }
        }
        trace::native::write_line(out, &e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/hostile/chosen-ids.ndjson"
    );

    #[test]
    fn chosen_ids_share_the_old_fold_and_no_more() {
        let fold = |id: Uuid| {
            let (hi, lo) = id.as_u64_pair();
            hi.rotate_left(23) ^ lo
        };
        let ids: std::collections::HashSet<Uuid> = (0..10_000).map(same_fold).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|&id| fold(id) == fold(same_fold(0))));
        let folds: std::collections::HashSet<u64> = (0..10_000).map(|k| fold(spread(k))).collect();
        assert_eq!(folds.len(), 10_000);
    }

    /// The corpus file is what the generator writes; `LINEAGE_REGENERATE=1` rewrites it.
    #[test]
    fn the_hostile_file_is_the_generators_output() {
        let mut written = Vec::new();
        write(&mut written, 2_000, same_fold).unwrap();
        if std::env::var_os("LINEAGE_REGENERATE").is_some() {
            std::fs::write(HOSTILE, &written).unwrap();
        }
        let kept = std::fs::read(HOSTILE).expect("tests/hostile/chosen-ids.ndjson");
        assert!(kept == written, "regenerate with LINEAGE_REGENERATE=1");
    }
}
