//! # Reading the store
//!
//! Callers see events by *position* (`u64`), numbered from the first event the store ever
//! held and valid as long as the event is held; a position maps to a slot of the ring. A
//! [`Record`] is read in place; an [`Event`] is decoded from it, an owned copy built only
//! when asked for.

use uuid::Uuid;

use super::parents::ParentId;
use super::record::{
    decode_blob, Record, LAG_NONE, LAG_WIDE, SEQ_BYTES, SEQ_WIDE, SEQ_ZERO, START_BYTES,
    START_PREV, START_REF, START_REF_BYTES,
};
use super::symbols::{Sym, Symbols};
use super::write::wrap;
use super::EventStore;
use crate::core::event::{Event, Kind, Payload};

impl EventStore {
    #[inline]
    pub(super) fn slot(&self, pos: u64) -> Option<usize> {
        let i = pos.checked_sub(self.base)?;
        if i >= self.len as u64 {
            return None;
        }
        // `head` and `i` are below the ring's length: one subtraction, not a division (a
        // search reads every record).
        let s = self.head + i as usize;
        Some(if s < self.records.len() {
            s
        } else {
            s - self.records.len()
        })
    }

    #[inline]
    pub(super) fn position(&self, slot: u32) -> u64 {
        let n = self.records.len();
        self.base + ((slot as usize + n - self.head) % n) as u64
    }

    /// The record at a position, if still held.
    #[inline]
    pub fn record(&self, pos: u64) -> Option<&Record> {
        self.slot(pos).map(|s| &self.records[s])
    }

    /// The event at a position, decoded.
    pub fn event(&self, pos: u64) -> Option<Event> {
        self.record(pos).map(|r| self.decode(pos, r))
    }

    /// The slot of a held or queued event's position (`pos` from `base` up to the last
    /// event queued).
    #[inline]
    fn ring_slot(&self, pos: u64) -> usize {
        wrap(self.head + (pos - self.base) as usize, self.records.len())
    }

    /// The position of the first queued (unprocessed) event, and its record.
    #[inline]
    pub(crate) fn pending_front_at(&self) -> Option<(u64, &Record)> {
        let r = self.pending_front()?;
        Some((self.base + self.len as u64, r))
    }

    /// The event with this id, decoded.
    pub fn get(&self, id: &Uuid) -> Option<Event> {
        self.position_of(id).and_then(|p| self.event(p))
    }

    /// When the event at `pos` was stored (bus clock, ns; 0 for imported events).
    pub fn processed_ns_at(&self, pos: u64) -> Option<u64> {
        let r = self.record(pos)?;
        Some(match r.lag {
            LAG_NONE => 0,
            LAG_WIDE => self.late.get(&pos).copied().unwrap_or(0),
            lag => r.timestamp_ns + u64::from(lag),
        })
    }

    /// Corrects when the event at `pos` was stored (a trace given its processing times
    /// afterwards).
    pub fn set_processed_ns(&mut self, pos: u64, processed_ns: u64) {
        if let Some(s) = self.slot(pos) {
            if self.records[s].lag == LAG_WIDE {
                self.late.remove(&pos);
            }
            let timestamp_ns = self.records[s].timestamp_ns;
            self.records[s].lag = self.lag_at(pos, timestamp_ns, processed_ns);
        }
    }

    /// Positions held, oldest first.
    pub fn positions(&self) -> std::ops::Range<u64> {
        self.base..self.base + self.len as u64
    }

    /// Records held, oldest first, with their positions.
    pub fn records(&self) -> impl DoubleEndedIterator<Item = (u64, &Record)> + '_ {
        self.positions().map(|p| (p, self.record(p).expect("held")))
    }

    /// Events held, oldest first, decoded one at a time.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = Event> + ExactSizeIterator + '_ {
        (0..self.len).map(|i| {
            let pos = self.base + i as u64;
            self.decode(pos, &self.records[(self.head + i) % self.records.len()])
        })
    }

    /// The start event named by the end event at `pos`, if held.
    #[inline]
    pub fn start_id_at(&self, pos: u64) -> Option<Uuid> {
        self.record(pos).and_then(|r| self.start_id(pos, r))
    }

    /// Where the end event at `pos` takes its start's id from, when that is a held record:
    /// the event just before it (`START_PREV`), or the record a parents-table entry names
    /// (`START_REF`, `record.rs`). That record holds the id, so a reader can find the start
    /// by position instead of looking its id up; whether it is the id's *first* holder is
    /// the reader's to check (a duplicate id).
    #[inline]
    pub fn start_held_at(&self, pos: u64) -> Option<u64> {
        let r = self.record(pos)?;
        if !r.has_start() {
            return None;
        }
        if r.flags & START_PREV != 0 {
            return (pos > self.base).then(|| pos - 1);
        }
        if r.flags & START_REF == 0 {
            return None;
        }
        let slot = self.parents.held_slot(self.start_ref(r))?;
        let cap = self.records.len();
        let i = (slot + cap - self.head) % cap;
        (i < self.len).then(|| self.base + i as u64)
    }

    /// The start event an end event's record (`r`, held or queued at `pos`) names: the event
    /// before it, or kept in front of its blob or in the parents table (`record.rs` says
    /// why).
    #[inline]
    pub(crate) fn start_id(&self, pos: u64, r: &Record) -> Option<Uuid> {
        if !r.has_start() {
            return None;
        }
        if r.flags & START_PREV != 0 {
            return Some(if pos > self.base {
                self.records[self.ring_slot(pos - 1)].id
            } else {
                self.start_of_head
            });
        }
        if r.flags & START_REF != 0 {
            return Some(self.parents.id(self.start_ref(r), &self.records));
        }
        let bytes = &self.arena.get(r.blob)[..START_BYTES];
        Some(Uuid::from_bytes(
            bytes.try_into().expect("a start id's 16 bytes"),
        ))
    }

    /// The parents-table entry in front of a `START_REF` record's blob.
    #[inline]
    pub(super) fn start_ref(&self, r: &Record) -> ParentId {
        let bytes = &self.arena.get(r.blob)[..START_REF_BYTES];
        ParentId::from_le_bytes(bytes.try_into().expect("a start reference's 4 bytes"))
    }

    /// The emission number of the event at `pos`, if held.
    #[inline]
    pub fn seq_at(&self, pos: u64) -> Option<u64> {
        self.record(pos).map(|r| self.seq(pos, r))
    }

    /// The emission number of the record `r`, held or queued at `pos`: its run's, or 0, or
    /// in front of its blob (`seqs.rs`).
    #[inline]
    pub(crate) fn seq(&self, pos: u64, r: &Record) -> u64 {
        if r.flags & (SEQ_WIDE | SEQ_ZERO) == 0 {
            return self.seqs.at(pos);
        }
        self.seq_kept(r)
    }

    #[cold]
    #[inline(never)]
    fn seq_kept(&self, r: &Record) -> u64 {
        if r.flags & SEQ_ZERO != 0 {
            return 0;
        }
        let at = r.start_bytes();
        let bytes = &self.arena.get(r.blob)[at..at + SEQ_BYTES];
        u64::from_le_bytes(bytes.try_into().expect("a wide emission number's 8 bytes"))
    }

    /// The record's blob past the start id and a wide emission number: what `decode_blob`
    /// reads.
    #[inline]
    pub(crate) fn payload_bytes(&self, r: &Record) -> &[u8] {
        &self.arena.get(r.blob)[r.front_bytes()..]
    }

    /// The kind of a record, as text.
    #[inline]
    pub fn kind(&self, r: &Record) -> &str {
        self.symbols.str(self.kind_sym(r))
    }

    /// The kind of a record as a symbol, kept with its process and function names as one
    /// site (`origins.rs`).
    #[inline]
    pub fn kind_sym(&self, r: &Record) -> Sym {
        self.origins.kind(r.site)
    }

    /// What a tree row is labelled with: the process name, or the kind.
    pub fn label(&self, r: &Record) -> &str {
        let process = self.process_sym(r);
        if process.is_none() {
            self.symbols.str(self.kind_sym(r))
        } else {
            self.symbols.str(process)
        }
    }

    /// The payload's process name as a symbol (`Sym::NONE` for none), kept with the
    /// function name as one pair (`origins.rs`).
    #[inline]
    pub fn process_sym(&self, r: &Record) -> Sym {
        self.origins.process(self.origins.origin(r.site))
    }

    /// The payload's function name as a symbol (`Sym::NONE` for none).
    #[inline]
    pub fn function_sym(&self, r: &Record) -> Sym {
        self.origins.function(self.origins.origin(r.site))
    }

    /// The record's `parent_id`, kept once per parent rather than per record (`parents.rs`).
    #[inline]
    pub fn parent_id(&self, r: &Record) -> Option<Uuid> {
        r.has_parent()
            .then(|| self.parents.id(r.parent, &self.records))
    }

    /// The record's `root_id`, kept once per tree rather than per record.
    pub fn root_id(&self, r: &Record) -> Uuid {
        self.trees.root(r.tree)
    }

    /// The record's `lineage_id`, kept once per tree rather than per record.
    pub fn lineage_id(&self, r: &Record) -> Uuid {
        self.trees.lineage(r.tree)
    }

    /// The record `r`, held or queued at `pos`, as the public [`Event`]: an owned copy
    /// (literal strings are not copied).
    pub(crate) fn decode(&self, pos: u64, r: &Record) -> Event {
        let mut payload = Payload {
            process_name: name(&self.symbols, self.process_sym(r)),
            function_name: name(&self.symbols, self.function_sym(r)),
            ..Payload::default()
        };
        let rest = decode_blob(self.payload_bytes(r), &self.symbols, &mut payload);
        Event {
            id: r.id,
            kind: self.symbols.get(self.kind_sym(r)).to_cow(),
            phase: r.phase,
            parent_id: self.parent_id(r),
            root_id: self.trees.root(r.tree),
            lineage_id: self.trees.lineage(r.tree),
            start_id: self.start_id(pos, r),
            seq: self.seq(pos, r),
            timestamp_ns: r.timestamp_ns,
            duration_ns: rest.duration_ns,
            error: rest.error,
            payload,
            unknown: rest.unknown,
        }
    }
}

fn name(symbols: &Symbols, sym: Sym) -> Option<Kind> {
    (!sym.is_none()).then(|| symbols.get(sym).to_cow())
}
