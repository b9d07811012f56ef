//! Traces the inspector's unit tests share.

use crate::core::{Event, Phase};
use crate::model::{EventLog, Spans};

/// root ─ a ─ a1, root ─ b; spans in trace order: root 0, a 1, a1 2, b 3.
pub(crate) fn small_tree() -> Spans {
    let root = Event::root("processing", Phase::Started);
    let a = Event::child_of(&root, "processing", Phase::Started);
    let a1 = Event::child_of(&a, "processing", Phase::Started);
    let b = Event::child_of(&root, "processing", Phase::Started);
    Spans::build(&EventLog::new(vec![root, a, a1, b]))
}
