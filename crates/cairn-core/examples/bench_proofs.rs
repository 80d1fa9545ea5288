//! Benchmark helper for `make bench`: the Merkle tree over a chain of N entries (as
//! Cairn builds it for a bundle of only the exported entries), an inclusion proof's
//! size, and the time to make and to check one; a consistency proof likewise.
//!
//! `cargo run --release -p cairn-core --example bench_proofs -- 1000000`

use std::time::Instant;

use cairn_core::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash, Tree};
use sha2::{Digest, Sha256};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args()
        .nth(1)
        .ok_or("usage: bench_proofs N")?
        .parse()?;
    // Entry hashes stand in for a chain's: leaves are SHA-256(0x00 ‖ entry hash).
    let leaves: Vec<Hash> = (0..n)
        .map(|i| leaf_hash(&Sha256::digest(i.to_le_bytes())))
        .collect();
    let t = Instant::now();
    let tree = Tree::new(leaves.clone());
    let build_s = t.elapsed().as_secs_f64();
    let root = tree.root();
    let samples = 10_000u64.min(n);
    let step = (n / samples).max(1);
    let (mut make, mut check, mut hashes) = (0.0, 0.0, 0usize);
    for k in 0..samples {
        let i = k * step;
        let t = Instant::now();
        let p = tree.inclusion_proof(i, n).ok_or("no proof")?;
        make += t.elapsed().as_secs_f64();
        hashes = hashes.max(p.len());
        let t = Instant::now();
        let ok = verify_inclusion(&leaves[i as usize], i, n, &p, &root);
        check += t.elapsed().as_secs_f64();
        if !ok {
            return Err("a proof did not check".into());
        }
    }
    let old = n / 3 + 1;
    let t = Instant::now();
    let c = tree.consistency_proof(old, n).ok_or("no proof")?;
    let cmake = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let cok = verify_consistency(old, n, &tree.root_at(old), &root, &c);
    let ccheck = t.elapsed().as_secs_f64();
    if !cok {
        return Err("the consistency proof did not check".into());
    }
    println!(
        "entries={n} tree_build_s={build_s:.2} inclusion_proof_hashes={hashes} inclusion_proof_bytes={} (hex in entries.jsonl: {}) make_us={:.1} check_us={:.1} consistency_hashes={} consistency_make_us={:.1} consistency_check_us={:.1}",
        hashes * 32,
        hashes * 67,
        make / samples as f64 * 1e6,
        check / samples as f64 * 1e6,
        c.len(),
        cmake * 1e6,
        ccheck * 1e6,
    );
    Ok(())
}
