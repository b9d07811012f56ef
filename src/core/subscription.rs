//! # Subscriptions
//!
//! A subscription pairs a [`Filter`] (which events) with a handler (what to do), ordered by
//! [`Priority`] as in the original (CRITICAL 1000, HIGH 100, NORMAL 10, LOW 1; equal priorities
//! run in subscription order). Handlers are sync (`Fn(&Event)`) or async (awaited in turn by
//! the processor, as the original awaits its async handlers inside `_process_events`).
//!
//! ## Rebuilding cached interest
//! Lazy emission asks `has_subscribers_for(kind)` before building an event, on the hot path.
//! Following `tracing`'s callsite interest, the answer is cached per kind and the cache is
//! dropped only when a subscription is added or removed; with no subscriptions at all the
//! answer is a single counter read. A predicate filter cannot be judged from the kind alone, so
//! it counts as interest in every kind ("sometimes", in `tracing`'s terms).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::{Rc, Weak};

use futures::future::LocalBoxFuture;

use super::event::Event;

/// Handler order: higher runs first. The original's four levels are provided as constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(pub i32);

impl Priority {
    /// The original's CRITICAL (1000): runs before everything else.
    pub const CRITICAL: Priority = Priority(1000);
    /// The original's HIGH (100).
    pub const HIGH: Priority = Priority(100);
    /// The original's NORMAL (10): the default, what
    /// [`EventBus::subscribe`](super::EventBus::subscribe) uses.
    pub const NORMAL: Priority = Priority(10);
    /// The original's LOW (1): runs after the others.
    pub const LOW: Priority = Priority(1);
}

impl Default for Priority {
    fn default() -> Self {
        Priority::NORMAL
    }
}

/// Which events a subscription receives.
#[derive(Clone)]
pub enum Filter {
    /// Every event.
    All,
    /// Events whose kind equals this string.
    Kind(String),
    /// Events whose kind matches this regular expression (the original's `pattern`).
    Pattern(regex_lite::Regex),
    /// Events for which the predicate holds.
    Predicate(Rc<dyn Fn(&Event) -> bool>),
}

impl Filter {
    /// Events of exactly this kind ([`Filter::Kind`]); lazy mode can answer from the kind alone.
    pub fn kind(kind: impl Into<String>) -> Filter {
        Filter::Kind(kind.into())
    }

    /// A regex on the kind; an invalid pattern is an error, not a silent never-match.
    pub fn pattern(pattern: &str) -> Result<Filter, regex_lite::Error> {
        regex_lite::Regex::new(pattern).map(Filter::Pattern)
    }

    /// Events for which `f` holds ([`Filter::Predicate`]). It cannot be judged from the kind, so
    /// it counts as interest in every kind and lazy mode never skips while it is subscribed.
    pub fn predicate(f: impl Fn(&Event) -> bool + 'static) -> Filter {
        Filter::Predicate(Rc::new(f))
    }

    /// Does this filter accept the event?
    pub fn matches(&self, event: &Event) -> bool {
        match self {
            Filter::All => true,
            Filter::Kind(k) => *k == *event.kind,
            Filter::Pattern(re) => re.is_match(&event.kind),
            Filter::Predicate(p) => p(event),
        }
    }

    /// Could some event of this kind match? (Predicates: always possibly.)
    pub fn may_match_kind(&self, kind: &str) -> bool {
        match self {
            Filter::All | Filter::Predicate(_) => true,
            Filter::Kind(k) => k == kind,
            Filter::Pattern(re) => re.is_match(kind),
        }
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::All => f.write_str("All"),
            Filter::Kind(k) => write!(f, "Kind({k:?})"),
            Filter::Pattern(re) => write!(f, "Pattern({:?})", re.as_str()),
            Filter::Predicate(_) => f.write_str("Predicate(..)"),
        }
    }
}

/// What a handler returns when it fails; the bus records it and goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerError(pub String);

impl fmt::Display for HandlerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HandlerError {}

impl From<&str> for HandlerError {
    fn from(s: &str) -> Self {
        HandlerError(s.to_owned())
    }
}

impl From<String> for HandlerError {
    fn from(s: String) -> Self {
        HandlerError(s)
    }
}

/// What a handler returns: an `Err` is counted and kept as a
/// [`HandlerFailure`](super::HandlerFailure), and processing goes on.
pub type HandlerResult = Result<(), HandlerError>;
pub(crate) type SyncHandler = Rc<dyn Fn(&Event) -> HandlerResult>;
pub(crate) type AsyncHandler = Rc<dyn Fn(Event) -> LocalBoxFuture<'static, HandlerResult>>;

#[derive(Clone)]
pub(crate) enum Handler {
    Sync(SyncHandler),
    Async(AsyncHandler),
}

/// Identifies one subscription on its bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SubscriptionId(pub u64);

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "subscription #{}", self.0)
    }
}

#[derive(Clone)]
pub(crate) struct Entry {
    pub id: SubscriptionId,
    pub filter: Filter,
    pub priority: Priority,
    pub handler: Handler,
}

/// The subscription table with its cached interest.
#[derive(Default)]
pub(crate) struct Registry {
    entries: RefCell<Vec<Entry>>,
    /// Mirrors `entries.len()` so the no-subscriber check is one `Cell` read.
    count: Cell<usize>,
    next_id: Cell<u64>,
    interest: RefCell<HashMap<String, bool>>,
    interest_rebuilds: Cell<u64>,
}

impl Registry {
    pub(crate) fn add(
        &self,
        filter: Filter,
        priority: Priority,
        handler: Handler,
    ) -> SubscriptionId {
        let id = SubscriptionId(self.next_id.get());
        self.next_id.set(id.0 + 1);
        let mut entries = self.entries.borrow_mut();
        // Stable: after every entry of higher or equal priority.
        let at = entries.partition_point(|e| e.priority >= priority);
        entries.insert(
            at,
            Entry {
                id,
                filter,
                priority,
                handler,
            },
        );
        self.count.set(entries.len());
        drop(entries);
        self.invalidate();
        id
    }

    pub(crate) fn remove(&self, id: SubscriptionId) -> bool {
        let mut entries = self.entries.borrow_mut();
        let before = entries.len();
        entries.retain(|e| e.id != id);
        let removed = entries.len() != before;
        self.count.set(entries.len());
        drop(entries);
        if removed {
            self.invalidate();
        }
        removed
    }

    #[cold]
    fn invalidate(&self) {
        self.interest.borrow_mut().clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.count.get()
    }

    /// The lazy-mode question, answered from the cache.
    ///
    /// Split in two so that the common case, nobody subscribed, inlines into the wrapper as
    /// one load and compare: as one function, its frame set-up for the cache lookup cost
    /// lazy mode 15 instructions per check even with no subscriber.
    #[inline(always)]
    pub(crate) fn has_subscribers_for(&self, kind: &str) -> bool {
        self.count.get() != 0 && self.cached_interest(kind)
    }

    #[inline(never)]
    fn cached_interest(&self, kind: &str) -> bool {
        if let Some(&known) = self.interest.borrow().get(kind) {
            return known;
        }
        self.rebuild_interest(kind)
    }

    /// Computes and caches interest for one kind. This only happens once per kind between
    /// subscription changes.
    #[cold]
    fn rebuild_interest(&self, kind: &str) -> bool {
        let any = self
            .entries
            .borrow()
            .iter()
            .any(|e| e.filter.may_match_kind(kind));
        self.interest.borrow_mut().insert(kind.to_owned(), any);
        self.interest_rebuilds.set(self.interest_rebuilds.get() + 1);
        any
    }

    pub(crate) fn interest_rebuilds(&self) -> u64 {
        self.interest_rebuilds.get()
    }

    /// The handlers that accept `event`, highest priority first. Cloned out of the table so
    /// handlers may subscribe or unsubscribe while they run.
    pub(crate) fn matching(&self, event: &Event, out: &mut Vec<(SubscriptionId, Handler)>) {
        out.clear();
        if self.count.get() == 0 {
            return;
        }
        for e in self.entries.borrow().iter() {
            if e.filter.matches(event) {
                out.push((e.id, e.handler.clone()));
            }
        }
    }
}

/// The handle a subscriber keeps. Dropping it unsubscribes; [`Subscription::detach`] keeps the
/// subscription for the bus's lifetime instead.
#[must_use = "dropping a Subscription unsubscribes at once; call .detach() to keep it"]
pub struct Subscription {
    id: SubscriptionId,
    registry: Weak<Registry>,
    active: bool,
}

impl Subscription {
    pub(crate) fn new(id: SubscriptionId, registry: Weak<Registry>) -> Subscription {
        Subscription {
            id,
            registry,
            active: true,
        }
    }

    /// The id this subscription has on its bus (what a
    /// [`HandlerFailure`](super::HandlerFailure) names).
    pub fn id(&self) -> SubscriptionId {
        self.id
    }

    /// Removes the subscription now. Returns false if the bus is gone.
    pub fn unsubscribe(mut self) -> bool {
        self.active = false;
        self.registry.upgrade().is_some_and(|r| r.remove(self.id))
    }

    /// Keeps the subscription until the bus is dropped.
    pub fn detach(mut self) -> SubscriptionId {
        self.active = false;
        self.id
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if self.active {
            if let Some(r) = self.registry.upgrade() {
                r.remove(self.id);
            }
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}
