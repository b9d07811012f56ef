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
    let mut open: HashMap<(String, String), Vec<f64>> = HashMap::new();
    let mut slices: HashMap<(String, String), Vec<(f64, f64)>> = HashMap::new();
    let mut flows: HashMap<String, (Option<f64>, Option<f64>)> = HashMap::new();
    for (i, e) in items.iter().enumerate() {
        let at = |m: &str| format!("traceEvents[{i}]: {m}");
        let o = e.as_object().ok_or_else(|| at("not an object"))?;
        let ph = o
            .get("ph")
            .and_then(Value::as_str)
            .ok_or_else(|| at("no ph"))?;
        if !matches!(ph, "B" | "E" | "X" | "i" | "I" | "M" | "s" | "t" | "f") {
            return Err(at(&format!("unexpected ph {ph:?}")));
        }
        if ph != "E" && !o.get("name").is_some_and(Value::is_string) {
            return Err(at("no string name"));
        }
        if !o.contains_key("pid") || !o.contains_key("tid") {
            return Err(at("pid or tid missing"));
        }
        let ts = o.get("ts").and_then(Value::as_f64);
        if ph != "M" && !ts.is_some_and(f64::is_finite) {
            return Err(at("ts is not a finite number"));
        }
        let thread = (o["pid"].to_string(), o["tid"].to_string());
        match ph {
            "X" => {
                let dur = o.get("dur").and_then(Value::as_f64);
                match dur {
                    Some(d) if d.is_finite() && d >= 0.0 => {
                        let t = ts.unwrap_or_default();
                        slices.entry(thread).or_default().push((t, t + d));
                    }
                    _ => return Err(at("X without a non-negative dur")),
                }
            }
            "B" => open.entry(thread).or_default().push(ts.unwrap_or_default()),
            "E" => match open.get_mut(&thread).and_then(Vec::pop) {
                Some(begin) => slices
                    .entry(thread)
                    .or_default()
                    .push((begin, ts.unwrap_or_default())),
                None => return Err(at("E without an open B on its thread")),
            },
            "s" | "f" => {
                let id = o
                    .get("id")
                    .ok_or_else(|| at("flow without id"))?
                    .to_string();
                let slot = flows.entry(id).or_default();
                let side = if ph == "s" { &mut slot.0 } else { &mut slot.1 };
                if side.replace(ts.unwrap_or_default()).is_some() {
                    return Err(at("flow id used twice"));
                }
            }
            _ => {}
        }
    }
    for (thread, begins) in open {
        let all = slices.entry(thread).or_default();
        all.extend(begins.into_iter().map(|b| (b, f64::INFINITY)));
    }
    // Nesting: in start order (longest first), each slice ends within the one open around it.
    // A nanosecond of slack, or the float's own rounding for times far from zero, absorbs
    // the rounding of µs floats.
    let slack = |t: f64| (t.abs() * 4.0 * f64::EPSILON).max(1e-3);
    for ((pid, tid), mut all) in slices {
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut stack: Vec<f64> = Vec::new();
        for (start, end) in all {
            while stack.last().is_some_and(|&top| top <= start + slack(start)) {
                stack.pop();
            }
            if let Some(&top) = stack.last() {
                if end > top + slack(top) {
                    return Err(format!(
                        "pid {pid} tid {tid}: the slice {start}..{end} µs overlaps one ending at {top}"
                    ));
                }
            }
            stack.push(end);
        }
    }
    for (id, (s, f)) in flows {
        match (s, f) {
            (Some(s), Some(f)) if s <= f => {}
            (Some(_), Some(_)) => return Err(format!("flow {id} ends before it starts")),
            _ => return Err(format!("flow {id} is not paired")),
        }
    }
    Ok(())
}
