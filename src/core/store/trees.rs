//! # Trees: the root and lineage every event of one call shares
//!
//! Every event of one root call names the same `root_id` and `lineage_id`: 32 bytes repeated
//! on each of them. The store keeps each (root, lineage) pair once, reference-counted by the
//! events that name it, and gives events a four-byte [`TreeId`]. A pair is forgotten when its
//! last event leaves a bounded store, so the table is as flat as the history.

use super::sharded::ShardedTable;
use uuid::Uuid;

use crate::core::ids::IdHash;

pub(crate) type TreeId = u32;

#[derive(Clone, Copy, Debug)]
struct Tree {
    root: Uuid,
    lineage: Uuid,
    refs: u32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Trees {
    trees: Vec<Tree>,
    free: Vec<TreeId>,
    by_root: ShardedTable<TreeId>,
    /// The last pair asked for: consecutive events usually belong to one call.
    last: Option<TreeId>,
    /// `by_root`'s seeded hash (roots come from files too).
    id_hash: IdHash,
}

impl Trees {
    /// The id of `(root, lineage)`, counting one more event that names it.
    #[inline]
    pub(crate) fn acquire(&mut self, root: Uuid, lineage: Uuid) -> TreeId {
        if let Some(t) = self.last {
            let tree = &mut self.trees[t as usize];
            if tree.refs > 0 && tree.root == root && tree.lineage == lineage {
                tree.refs += 1;
                return t;
            }
        }
        let trees = &self.trees;
        let found = self.by_root.find(self.id_hash.hash(&root), |&t| {
            let tree = &trees[t as usize];
            tree.root == root && tree.lineage == lineage
        });
        let t = match found {
            Some(&t) => {
                self.trees[t as usize].refs += 1;
                t
            }
            None => self.insert(root, lineage),
        };
        self.last = Some(t);
        t
    }

    fn insert(&mut self, root: Uuid, lineage: Uuid) -> TreeId {
        let tree = Tree {
            root,
            lineage,
            refs: 1,
        };
        let t = match self.free.pop() {
            Some(t) => {
                self.trees[t as usize] = tree;
                t
            }
            None => {
                self.trees.push(tree);
                (self.trees.len() - 1) as TreeId
            }
        };
        let (trees, id_hash) = (&self.trees, &self.id_hash);
        let hasher = |&u: &TreeId| id_hash.hash(&trees[u as usize].root);
        let h = id_hash.hash(&root);
        // As the parents' table (`parents.rs`): refilled in place when full.
        self.by_root.make_room(h, hasher, |&u| u64::from(u));
        self.by_root.insert_unique(h, t, hasher);
        t
    }

    /// One event naming `t` left the store.
    #[inline]
    pub(crate) fn release(&mut self, t: TreeId) {
        let tree = &mut self.trees[t as usize];
        tree.refs -= 1;
        if tree.refs == 0 {
            let root = tree.root;
            if let Ok(entry) = self
                .by_root
                .find_entry(self.id_hash.hash(&root), |&u| u == t)
            {
                entry.remove();
            }
            self.free.push(t);
            if self.last == Some(t) {
                self.last = None;
            }
        }
    }

    #[inline]
    pub(crate) fn root(&self, t: TreeId) -> Uuid {
        self.trees[t as usize].root
    }

    #[inline]
    pub(crate) fn lineage(&self, t: TreeId) -> Uuid {
        self.trees[t as usize].lineage
    }

    /// Pairs named by at least one event (the store's tests check the count).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.trees.len() - self.free.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.trees.capacity() * std::mem::size_of::<Tree>()
            + self.free.capacity() * 4
            + self.by_root.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_family = "wasm")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn a_pair_is_kept_once_while_named_and_its_slot_reused_after() {
        let mut t = Trees::default();
        let (r, l) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let a = t.acquire(r, l);
        assert_eq!(t.acquire(r, l), a);
        let other = t.acquire(Uuid::from_u128(3), Uuid::from_u128(4));
        assert_eq!(t.acquire(r, l), a);
        assert_eq!((t.root(a), t.lineage(a)), (r, l));
        // Same root, other lineage (imports can say so): its own pair.
        let odd = t.acquire(r, Uuid::from_u128(9));
        assert_ne!(odd, a);
        for _ in 0..3 {
            t.release(a);
        }
        assert_eq!(t.len(), 2);
        let again = t.acquire(Uuid::from_u128(5), Uuid::from_u128(6));
        assert_eq!(again, a, "the freed slot is reused");
        t.release(other);
        t.release(odd);
        t.release(again);
        assert_eq!(t.len(), 0);
    }
}
