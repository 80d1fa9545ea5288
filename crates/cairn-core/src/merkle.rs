//! RFC 6962 Merkle trees over the chain's entry hashes: the tree head a checkpoint
//! signs, inclusion proofs (one entry belongs to the signed history, without showing
//! the others) and consistency proofs (a later history extends an earlier one).
//!
//! A leaf is the 32 bytes of an entry's hash; leaf hash = SHA-256(0x00 ‖ leaf), node
//! hash = SHA-256(0x01 ‖ left ‖ right), the empty tree's root is SHA-256 of nothing.
//! Proofs are made as RFC 6962 §2.1.1–2.1.2 say and checked as RFC 9162 §2.1.3.2 and
//! §2.1.4.2 say; docs/merkle-vectors.json holds the reference test vectors.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    let mut k = 1u64;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first.
/// Enough to add a leaf and give the root, in O(log n) space.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Leaves so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds a leaf whose leaf hash is `leaf`.
    pub fn push(&mut self, leaf: Hash) {
        let mut h = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => h = node_hash(&left, &h),
                None => break,
            }
            s >>= 1;
        }
        self.nodes.push(h);
        self.size += 1;
    }

    /// The tree's root (RFC 6962 MTH).
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some(last) = it.next() else {
            return empty_root();
        };
        it.fold(*last, |r, left| node_hash(left, &r))
    }

    /// The nodes, concatenated (for storing).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.nodes.concat()
    }

    /// Reads what [`Frontier::to_bytes`] wrote for a tree of `size` leaves; `None` if
    /// the bytes cannot be that tree's frontier.
    pub fn from_bytes(size: u64, bytes: &[u8]) -> Option<Frontier> {
        if !bytes.len().is_multiple_of(32) || bytes.len() / 32 != size.count_ones() as usize {
            return None;
        }
        let nodes = bytes
            .chunks_exact(32)
            .map(|c| c.try_into().ok())
            .collect::<Option<Vec<Hash>>>()?;
        Some(Frontier { size, nodes })
    }
}

/// A whole tree in memory (every level), to make proofs: 64 bytes a leaf.
#[derive(Debug, Clone)]
pub struct Tree {
    /// `levels[0]` are the leaf hashes; a level's odd last node is carried up as it is,
    /// which gives exactly RFC 6962's left-balanced tree.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// The tree over these leaf hashes.
    pub fn new(leaves: Vec<Hash>) -> Tree {
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().map(Vec::as_slice).unwrap_or_default();
            let up: Vec<Hash> = below
                .chunks(2)
                .map(|p| match p {
                    [l, r] => node_hash(l, r),
                    [one] => *one,
                    _ => empty_root(),
                })
                .collect();
            levels.push(up);
        }
        Tree { levels }
    }

    /// Leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        if self.size() == 0 {
            return empty_root();
        }
        self.mth(0, self.size())
    }

    /// The root of the tree of the first `size` leaves (`size` ≤ the tree's).
    pub fn root_at(&self, size: u64) -> Hash {
        if size == 0 {
            return empty_root();
        }
        self.mth(0, size.min(self.size()))
    }

    /// MTH of leaves `start..end` (non-empty): a stored node when the range is one,
    /// else computed from the two halves RFC 6962 splits it into.
    fn mth(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        let level = 64 - (n - 1).leading_zeros() as usize; // ⌈log2 n⌉
        let width = 1u64 << level;
        if start.is_multiple_of(width) && (n == width || end == self.size()) {
            if let Some(h) = self
                .levels
                .get(level)
                .and_then(|l| l.get((start >> level) as usize))
            {
                return *h;
            }
        }
        if n == 1 {
            return self.levels[0][start as usize];
        }
        let k = split(n);
        node_hash(&self.mth(start, start + k), &self.mth(start + k, end))
    }

    /// The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 6962
    /// PATH), leaf side first. `None` if `index` ≥ `size` or `size` is larger than the
    /// tree.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Option<Vec<Hash>> {
        if index >= size || size > self.size() {
            return None;
        }
        let mut out = Vec::new();
        self.path(index, 0, size, &mut out);
        Some(out)
    }

    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let n = end - start;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, start + k, out);
            out.push(self.mth(start + k, end));
        } else {
            self.path(m - k, start + k, end, out);
            out.push(self.mth(start, start + k));
        }
    }

    /// The consistency proof from the tree of `old` leaves to the tree of `new`
    /// (RFC 6962 PROOF). Empty when `old` = `new`; `None` unless 0 < old ≤ new ≤ size.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Option<Vec<Hash>> {
        if old == 0 || old > new || new > self.size() {
            return None;
        }
        let mut out = Vec::new();
        if old < new {
            self.subproof(old, 0, new, true, &mut out);
        }
        Some(out)
    }

    fn subproof(&self, m: u64, start: u64, end: u64, complete: bool, out: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !complete {
                out.push(self.mth(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, complete, out);
            out.push(self.mth(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, out);
            out.push(self.mth(start, start + k));
        }
    }
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2): `leaf` (a leaf hash) is leaf
/// `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        inclusion_step(&mut f, &mut s, &mut r, p);
    }
    s == 0 && r == *root
}

/// One step of an inclusion proof's check (RFC 9162 §2.1.3.2): `f` and `s` are the
/// positions of the leaf and the last leaf at this level, `r` the hash so far, `p`
/// the proof's next hash (`s` is not 0).
fn inclusion_step(f: &mut u64, s: &mut u64, r: &mut Hash, p: &Hash) {
    if *f & 1 == 1 || *f == *s {
        *r = node_hash(p, r);
        while *f & 1 == 0 && *f != 0 {
            *f >>= 1;
            *s >>= 1;
        }
    } else {
        *r = node_hash(r, p);
    }
    *f >>= 1;
    *s >>= 1;
}

/// Checks inclusion proofs of many leaves in one tree, in any order, with the result
/// of [`verify_inclusion`] for each. Proofs of nearby leaves share their upper part:
/// once a check reaches a state (position, hash so far, rest of the proof) that the
/// last successful check passed through, the rest is the same computation and cannot
/// fail, so it is not done again. A bundle of 100,000 entries hashes about two nodes
/// an entry instead of seventeen.
#[derive(Debug, Clone)]
pub struct InclusionChecker {
    size: u64,
    root: Hash,
    /// The last successful check: the state before each proof step, and the proof.
    states: Vec<(u64, u64, Hash)>,
    proof: Vec<Hash>,
}

impl InclusionChecker {
    /// A checker for the tree of `size` leaves whose root is `root`.
    pub fn new(size: u64, root: Hash) -> InclusionChecker {
        InclusionChecker {
            size,
            root,
            states: Vec::new(),
            proof: Vec::new(),
        }
    }

    /// True if `proof` shows `leaf` is leaf `index` of the tree.
    pub fn check(&mut self, leaf: &Hash, index: u64, proof: &[Hash]) -> bool {
        if index >= self.size {
            return false;
        }
        let (mut f, mut s) = (index, self.size - 1);
        let mut r = *leaf;
        let mut states = Vec::with_capacity(proof.len());
        for (j, p) in proof.iter().enumerate() {
            if self.states.get(j) == Some(&(f, s, r)) && self.proof.get(j..) == proof.get(j..) {
                // The last check went on from here, with the same proof, to the root;
                // this path is now the one to compare the next with.
                self.states.splice(..j, states);
                self.proof.splice(..j, proof.iter().take(j).copied());
                return true;
            }
            states.push((f, s, r));
            if s == 0 {
                return false;
            }
            inclusion_step(&mut f, &mut s, &mut r, p);
        }
        let ok = s == 0 && r == self.root;
        if ok {
            self.states = states;
            self.proof = proof.to_vec();
        }
        ok
    }
}

/// Checks a consistency proof (RFC 9162 §2.1.4.2): the tree of `new` leaves with root
/// `new_root` extends the tree of `old` leaves with root `old_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old == 0 || old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && fr == *old_root && sr == *new_root
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    /// MTH straight from RFC 6962's definition, to check the stored levels against.
    fn reference(l: &[Hash]) -> Hash {
        match l.len() {
            0 => empty_root(),
            1 => l[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&reference(&l[..k]), &reference(&l[k..]))
            }
        }
    }

    #[test]
    fn every_size_agrees_with_the_definition_and_the_frontier() {
        let all = leaves(70);
        let tree = Tree::new(all.clone());
        let mut f = Frontier::new();
        for n in 1..=70u64 {
            f.push(all[n as usize - 1]);
            let want = reference(&all[..n as usize]);
            assert_eq!(f.root(), want, "frontier at {n}");
            assert_eq!(tree.root_at(n), want, "tree at {n}");
            assert_eq!(Tree::new(all[..n as usize].to_vec()).root(), want);
            let back = Frontier::from_bytes(n, &f.to_bytes()).expect("frontier");
            assert_eq!(back, f);
        }
    }

    #[test]
    fn proofs_verify_and_fail_when_anything_changes() {
        let all = leaves(37);
        let tree = Tree::new(all.clone());
        for size in 1..=37u64 {
            let root = tree.root_at(size);
            for i in 0..size {
                let p = tree.inclusion_proof(i, size).expect("proof");
                assert!(verify_inclusion(&all[i as usize], i, size, &p, &root));
                assert!(!verify_inclusion(&all[i as usize], i, size, &p, &[7u8; 32]));
                if i + 1 < size {
                    assert!(!verify_inclusion(&all[i as usize], i + 1, size, &p, &root));
                }
                if let Some(first) = p.first() {
                    let mut bad = p.clone();
                    bad[0] = node_hash(first, first);
                    assert!(!verify_inclusion(&all[i as usize], i, size, &bad, &root));
                }
            }
            for old in 1..=size {
                let p = tree.consistency_proof(old, size).expect("proof");
                let old_root = tree.root_at(old);
                assert!(
                    verify_consistency(old, size, &old_root, &root, &p),
                    "{old}->{size}"
                );
                if old < size {
                    assert!(!verify_consistency(old, size, &root, &root, &p));
                    let mut bad = p.clone();
                    bad.pop();
                    assert!(!verify_consistency(old, size, &old_root, &root, &bad));
                }
            }
        }
    }

    #[test]
    fn the_checker_agrees_with_each_proof_checked_alone() {
        let all = leaves(45);
        let tree = Tree::new(all.clone());
        // Every leaf, in order and back again, each with its proof and with every kind
        // of damage, one after another through one checker: the shortcut never lets a
        // damaged proof through after a good one.
        for size in [1u64, 2, 3, 7, 8, 13, 32, 45] {
            let root = tree.root_at(size);
            let mut c = InclusionChecker::new(size, root);
            let order: Vec<u64> = (0..size).chain((0..size).rev()).collect();
            for &i in &order {
                let leaf = all[i as usize];
                let p = tree.inclusion_proof(i, size).expect("proof");
                let mut tries: Vec<(Hash, u64, Vec<Hash>)> = vec![(leaf, i, p.clone())];
                for j in 0..p.len() {
                    let mut bad = p.clone();
                    bad[j][0] ^= 1;
                    tries.push((leaf, i, bad));
                }
                let mut longer = p.clone();
                longer.push(leaf);
                tries.push((leaf, i, longer));
                if !p.is_empty() {
                    tries.push((leaf, i, p[..p.len() - 1].to_vec()));
                }
                tries.push((all[(i as usize + 1) % 45], i, p.clone()));
                tries.push((leaf, (i + 1) % size, p.clone()));
                tries.push((leaf, i, p.clone()));
                for (l, at, proof) in tries {
                    assert_eq!(
                        c.check(&l, at, &proof),
                        verify_inclusion(&l, at, size, &proof, &root),
                        "size {size}, leaf {i} as {at}"
                    );
                }
            }
        }
    }
}
