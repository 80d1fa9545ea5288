//! Arbitrary bytes as Merkle proofs (RFC 6962 / 9162): an index, tree sizes and a list
//! of hashes, checked as inclusion and consistency proofs against a tree built from
//! the same bytes. The checks may not panic, whatever the sizes (0, equal, huge) or the
//! number of hashes; and a proof the tree makes itself must always check. The checker
//! that reuses the last proof's path must answer as each proof checked alone does.
#![no_main]
#![forbid(unsafe_code)]

use cairn_core::merkle::{
    leaf_hash, verify_consistency, verify_inclusion, Hash, InclusionChecker, Tree,
};
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
    // A run of checks, honest and tampered, on one checker that reuses its last path:
    // each answer is the one the proof checked alone gives.
    let root_n = tree.root_at(size);
    let mut checker = InclusionChecker::new(size, root_n);
    for (k, byte) in rest.iter().take(64).enumerate() {
        let j = u64::from(*byte) % size;
        let mut proof = tree.inclusion_proof(j, size).expect("in range");
        let mut leaf = leaves[j as usize];
        match k % 4 {
            1 if !proof.is_empty() => {
                let at = usize::from(*byte) % proof.len();
                proof[at][usize::from(*byte) % 32] ^= 1;
            }
            2 => leaf[0] ^= 1,
            3 => {
                proof.pop();
            }
            _ => {}
        }
        let alone = verify_inclusion(&leaf, j, size, &proof, &root_n);
        assert_eq!(checker.check(&leaf, j, &proof), alone, "leaf {j} of {size}");
    }
    let old = (c % size) + 1;
    let q = tree.consistency_proof(old, size).expect("in range");
    assert!(verify_consistency(old, size, &tree.root_at(old), &tree.root_at(size), &q));
});
