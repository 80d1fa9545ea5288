//! Arbitrary bytes as Merkle proofs (RFC 6962 / 9162): an index, tree sizes and a list
//! of hashes, checked as inclusion and consistency proofs against a tree built from
//! the same bytes. The checks may not panic, whatever the sizes (0, equal, huge) or the
//! number of hashes; and a proof the tree makes itself must always check.
#![no_main]
#![forbid(unsafe_code)]

use cairn_core::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash, Tree};
use libfuzzer_sys::fuzz_target;

fn u64_at(d: &[u8], i: usize) -> u64 {
    let mut b = [0u8; 8];
    for (k, x) in b.iter_mut().enumerate() {
        *x = d.get(i + k).copied().unwrap_or(0);
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    let (a, b, c) = (u64_at(data, 0), u64_at(data, 8), u64_at(data, 16));
    let rest = data.get(24..).unwrap_or(&[]);
    let hashes: Vec<Hash> = rest
        .chunks_exact(32)
        .filter_map(|h| h.try_into().ok())
        .collect();
    let root = hashes.first().copied().unwrap_or([0; 32]);
    let leaf = hashes.last().copied().unwrap_or([1; 32]);
    // Hostile sizes and proofs: no panic, whatever the answer.
    let _ = verify_inclusion(&leaf, a, b, &hashes, &root);
    let _ = verify_consistency(a, b, &root, &leaf, &hashes);
    // Honest proofs of a small tree made from the same bytes always check.
    let n = (c % 70) + 1;
    let leaves: Vec<Hash> = (0..n).map(|i| leaf_hash(&[rest, &i.to_le_bytes()].concat())).collect();
    let tree = Tree::new(leaves.clone());
    let size = (a % n) + 1;
    let i = b % size;
    let p = tree.inclusion_proof(i, size).expect("in range");
    assert!(verify_inclusion(&leaves[i as usize], i, size, &p, &tree.root_at(size)));
    let old = (c % size) + 1;
    let q = tree.consistency_proof(old, size).expect("in range");
    assert!(verify_consistency(old, size, &tree.root_at(old), &tree.root_at(size), &q));
});
