//! What each file of the corpus under `tests/hostile/` must produce (its README says why).

pub const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/hostile");

/// What one corpus file must produce.
pub struct Case {
    pub file: &'static str,
    /// Exit status of `summary`.
    pub exit: i32,
    /// Top-level counts of `summary --json`.
    pub counts: &'static [(&'static str, u64)],
    /// The whole `lints` map of `summary --json`: every kind not listed has no finding.
    pub lints: &'static [(&'static str, u64)],
    /// Text the text summary (exit 0) or the error (exit 1) must show.
    pub shows: &'static [&'static str],
}

pub const CASES: &[Case] = &[
    Case {
        file: "chosen-ids.ndjson",
        exit: 0,
        counts: &[
            ("events", 2_000),
            ("operations", 500),
            ("completed", 500),
            ("spans", 1_000),
        ],
        lints: &[],
        shows: &["lints: none"],
    },
    Case {
        file: "escape-sequence-in-kind.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["\\u{1b}[2J\\u{1b}[H\\u{1b}[32mlints: none\\u{1b}[0m"],
    },
    Case {
        file: "bidi-override-in-process-name.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["invoice\\u{202e}gpj.exe"],
    },
    Case {
        file: "c1-bell-and-carriage-return-in-kind.ndjson",
        exit: 0,
        counts: &[("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["\\u{9b}2J\\u{7}ok\\rFAKE"],
    },
    Case {
        file: "page-bidi-override.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("end_without_start", 1)],
        shows: &["input_preparation (failed) has no matching start event"],
    },
    Case {
        file: "zero-width-and-isolates-in-process-name.ndjson",
        exit: 0,
        counts: &[("unfinished", 1)],
        lints: &[("unfinished", 1)],
        shows: &["a\\u{200b}b\\u{2066}c\\u{2069}\\u{feff}"],
    },
    Case {
        file: "escape-sequence-in-phase.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["started\\u{1b}]0;pwned\\u{7}"],
    },
    Case {
        file: "escape-sequence-in-skipped-chrome-phase.json",
        exit: 0,
        counts: &[("events", 2), ("skipped_total", 1)],
        lints: &[],
        shows: &["\\u{1b}[2J\\u{202e}"],
    },
    Case {
        file: "two-ends-naming-each-other.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("completed", 0), ("lone_ends", 2)],
        lints: &[("end_without_start", 2)],
        shows: &["a completed event, not a start"],
    },
    Case {
        file: "duplicate-ids.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("duplicates", 2)],
        lints: &[("duplicate_id", 2)],
        shows: &["duplicate ids    2"],
    },
    Case {
        file: "ends-without-starts.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("lone_ends", 3)],
        lints: &[("end_without_start", 3)],
        shows: &[
            "which is not in the trace",
            "has no matching start event",
            "names itself as its start",
        ],
    },
    Case {
        file: "self-parent.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("orphans", 0), ("cycles", 1)],
        lints: &[("unfinished", 1), ("cycle", 1)],
        shows: &["names itself as its parent"],
    },
    Case {
        file: "end-before-start.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("end_before_start", 1)],
        shows: &["ends 4000 ns before it starts"],
    },
    Case {
        file: "timestamp-u64-max.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[("timestamp_out_of_range", 1)],
        shows: &["18446744073709551615"],
    },
    Case {
        file: "end-listed-before-its-start.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("lone_ends", 0)],
        lints: &[],
        shows: &["lints: none"],
    },
    Case {
        file: "operation-ended-twice.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1), ("lone_ends", 1)],
        lints: &[("ended_twice", 1)],
        shows: &["already closed"],
    },
    Case {
        file: "end-naming-a-single-event.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("single_events", 1), ("lone_ends", 1)],
        lints: &[("end_without_start", 1)],
        shows: &["a pending event, not a start"],
    },
    Case {
        file: "parent-cycle.ndjson",
        exit: 0,
        counts: &[("operations", 0), ("cycles", 1), ("roots", 1)],
        lints: &[("unfinished", 2), ("cycle", 1)],
        shows: &["parent links loop back through"],
    },
    Case {
        file: "cut-off-last-line.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (130 bytes) was cut off and is dropped"],
    },
    Case {
        file: "chrome-document-cut-off.json",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last record at line 2 (31 bytes) was cut off and is dropped"],
    },
    Case {
        file: "empty.json",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["could not read the Chrome trace: the file is empty"],
    },
    Case {
        file: "whitespace-only.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["could not read the lineage NDJSON trace: the file is empty"],
    },
    // Issue 17: the NDJSON fast reader leaves escaped keys to serde
    // (tests/repeats_spelled_with_escapes_are_refused.rs).
    Case {
        file: "repeat-spelled-with-an-escape.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 3, column 265", "payload.extra: duplicate field `n`"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "unknown-top-level-field.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "payload-key-outside-extra.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "nested-unknowns.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "integer-beyond-u64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "negative-beyond-i64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "number-beyond-f64.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    // Issue 14 item 1: kept whole by `convert --to ndjson` (tests/hostile_lossless.rs).
    Case {
        file: "duplicate-key-inside-a-value.ndjson",
        exit: 0,
        counts: &[("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["operations       1"],
    },
    Case {
        file: "duplicate-top-level-key.ndjson",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 1, column 256 (byte 255), duplicate field `foo`"],
    },
    Case {
        file: "diff-escape-sequences-in-names.ndjson",
        exit: 0,
        counts: &[("operations", 4), ("completed", 2), ("failed", 2)],
        lints: &[],
        shows: &["operations       4"],
    },
    Case {
        file: "cut-inside-a-3-byte-character.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (58 bytes) was cut off and is dropped"],
    },
    Case {
        file: "cut-inside-a-4-byte-character.ndjson",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("completed", 1)],
        lints: &[],
        shows: &["the last line 3 (66 bytes) was cut off and is dropped"],
    },
    Case {
        file: "chrome-args-number-beyond-f64.json",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 2, column 1", "traceEvents[1].args"],
    },
    Case {
        file: "chrome-args-lone-surrogate.json",
        exit: 1,
        counts: &[],
        lints: &[],
        shows: &["line 2, column 1", "traceEvents[1].args"],
    },
    Case {
        file: "chrome-with-skipped-events.json",
        exit: 0,
        counts: &[("events", 2), ("operations", 1), ("skipped_total", 5)],
        lints: &[],
        shows: &["skipped          3 × C", "skipped          1 × E without B"],
    },
    Case {
        file: "otlp-children-before-parents.json",
        exit: 0,
        counts: &[
            ("events", 6),
            ("operations", 1),
            ("completed", 1),
            ("spans", 3),
        ],
        lints: &[],
        shows: &["OTLP JSON trace"],
    },
    Case {
        file: "otlp-keys-out-of-order.json",
        exit: 0,
        counts: &[
            ("events", 4),
            ("operations", 1),
            ("completed", 1),
            ("spans", 2),
        ],
        lints: &[],
        shows: &["OTLP JSON trace"],
    },
];
