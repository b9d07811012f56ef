//! The format's rules, checked on a written trace (by the tests, the fuzz targets, and tools
//! that are handed a trace).

use std::collections::HashMap;

use serde_json::Value;

/// Checks a written trace against the format's rules; returns the first broken rule. Used by
/// the tests; public so the UI and tools can validate traces they are handed, too.
///
/// The rules: an array of events (or `traceEvents`), each an object with a string `name` and
/// a one-letter `ph` we know; `ts` a finite number (µs) wherever the phase needs one; `pid` and
/// `tid` present; `X` with a non-negative `dur`; `B`/`E` matched per thread; the slices of a
/// thread (`X`, `B`..`E`, an unmatched `B` lasting to the end) nested, never partly
/// overlapping; every flow start `s` matched by exactly one flow end `f` with the same id,
/// not before it.
pub fn check_rules(json: &str) -> Result<(), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let items = match &doc {
        Value::Array(a) => a,
        Value::Object(o) => o
            .get("traceEvents")
            .and_then(Value::as_array)
            .ok_or("an object without a traceEvents array")?,
        _ => return Err("neither an array nor an object".into()),
    };
    let mut checker = Checker::default();
    for (i, e) in items.iter().enumerate() {
        checker
            .event(e)
            .map_err(|m| format!("traceEvents[{i}]: {m}"))?;
    }
    checker.finish()
}

/// A thread: its `pid` and `tid` as JSON text.
type Thread = (String, String);

/// What the rules need to remember between events.
#[derive(Default)]
struct Checker {
    /// Each thread's open `B`s (their `ts`).
    open: HashMap<Thread, Vec<f64>>,
    /// Each thread's slices, start and end.
    slices: HashMap<Thread, Vec<(f64, f64)>>,
    /// Each flow id's start and end.
    flows: HashMap<String, (Option<f64>, Option<f64>)>,
}

impl Checker {
    /// The rules one event must follow alone; its slice or flow is remembered.
    fn event(&mut self, e: &Value) -> Result<(), String> {
        let o = e.as_object().ok_or("not an object")?;
        let ph = o.get("ph").and_then(Value::as_str).ok_or("no ph")?;
        if !matches!(ph, "B" | "E" | "X" | "i" | "I" | "M" | "s" | "t" | "f") {
            return Err(format!("unexpected ph {ph:?}"));
        }
        if ph != "E" && !o.get("name").is_some_and(Value::is_string) {
            return Err("no string name".into());
        }
        if !o.contains_key("pid") || !o.contains_key("tid") {
            return Err("pid or tid missing".into());
        }
        let ts = o.get("ts").and_then(Value::as_f64);
        if ph != "M" && !ts.is_some_and(f64::is_finite) {
            return Err("ts is not a finite number".into());
        }
        let ts = ts.unwrap_or_default();
        let thread = (o["pid"].to_string(), o["tid"].to_string());
        match ph {
            "X" => match o.get("dur").and_then(Value::as_f64) {
                Some(d) if d.is_finite() && d >= 0.0 => {
                    self.slices.entry(thread).or_default().push((ts, ts + d));
                }
                _ => return Err("X without a non-negative dur".into()),
            },
            "B" => self.open.entry(thread).or_default().push(ts),
            "E" => match self.open.get_mut(&thread).and_then(Vec::pop) {
                Some(begin) => self.slices.entry(thread).or_default().push((begin, ts)),
                None => return Err("E without an open B on its thread".into()),
            },
            "s" | "f" => {
                let id = o.get("id").ok_or("flow without id")?.to_string();
                let slot = self.flows.entry(id).or_default();
                let side = if ph == "s" { &mut slot.0 } else { &mut slot.1 };
                if side.replace(ts).is_some() {
                    return Err("flow id used twice".into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The rules across events: slices nested per thread (an unmatched `B` lasting to the
    /// end), flows paired.
    fn finish(mut self) -> Result<(), String> {
        for (thread, begins) in self.open {
            let all = self.slices.entry(thread).or_default();
            all.extend(begins.into_iter().map(|b| (b, f64::INFINITY)));
        }
        for ((pid, tid), all) in self.slices {
            check_nesting(all).map_err(|m| format!("pid {pid} tid {tid}: {m}"))?;
        }
        for (id, (s, f)) in self.flows {
            match (s, f) {
                (Some(s), Some(f)) if s <= f => {}
                (Some(_), Some(_)) => return Err(format!("flow {id} ends before it starts")),
                _ => return Err(format!("flow {id} is not paired")),
            }
        }
        Ok(())
    }
}

/// In start order (longest first), each slice ends within the one open around it. A
/// nanosecond of slack, or the float's own rounding for times far from zero, absorbs the
/// rounding of µs floats.
fn check_nesting(mut all: Vec<(f64, f64)>) -> Result<(), String> {
    let slack = |t: f64| (t.abs() * 4.0 * f64::EPSILON).max(1e-3);
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut stack: Vec<f64> = Vec::new();
    for (start, end) in all {
        while stack.last().is_some_and(|&top| top <= start + slack(start)) {
            stack.pop();
        }
        if let Some(&top) = stack.last() {
            if end > top + slack(top) {
                return Err(format!(
                    "the slice {start}..{end} µs overlaps one ending at {top}"
                ));
            }
        }
        stack.push(end);
    }
    Ok(())
}
