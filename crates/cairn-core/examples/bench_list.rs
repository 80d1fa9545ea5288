//! Benchmark helper for `make bench`: fills a vault with N incidents (in batches, one
//! chain entry each), then times opening it and listing every item.
//!
//! `cargo run --release --example bench_list -- DIR N`
//! Uses the insecure test KDF so the figure is "after the KDF", as the target asks.

use std::time::Instant;

use cairn_core::{Category, Incident, KdfCost, OpenOptions, Passphrase, Vault};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).ok_or("usage: bench_list DIR N")?);
    let n: usize = args.get(2).ok_or("usage: bench_list DIR N")?.parse()?;
    let pass = Passphrase::new("quartz lantern benchmark orbits seven");
    let fill = Instant::now();
    if !Vault::exists(&dir) {
        let (mut vault, _code) = Vault::init(&dir, &pass, KdfCost::InsecureTestOnly)?;
        for batch in 0..n.div_ceil(10_000) {
            vault.write(|w| {
                for i in batch * 10_000..((batch + 1) * 10_000).min(n) {
                    w.add_incident(Incident {
                        title: format!("Incident number {i}"),
                        body: "He came to the door again and would not leave.".into(),
                        categories: vec![Category::Stalking],
                        ..Default::default()
                    })?;
                }
                Ok(())
            })?;
        }
    }
    let fill = fill.elapsed();
    let opts = OpenOptions {
        allow_insecure_kdf: true,
    };
    let mut best = f64::MAX;
    let mut best_open = 0.0;
    let mut count = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let vault = Vault::open(&dir, &pass, opts)?;
        let opened = t.elapsed().as_secs_f64();
        let items = vault.list()?;
        let total = t.elapsed().as_secs_f64();
        count = items.len();
        if total < best {
            best = total;
            best_open = opened;
        }
    }
    // What the desktop timeline asks for: the whole timeline, and its first screenful.
    let vault = Vault::open(&dir, &pass, opts)?;
    let (mut tl, mut head) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        let t = Instant::now();
        let _ = vault.timeline()?;
        tl = tl.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let _ = vault.timeline_head(200)?;
        head = head.min(t.elapsed().as_secs_f64());
    }
    println!(
        "items={count} fill_s={:.2} open_ms={:.1} open_plus_list_ms={:.1} timeline_ms={:.1} timeline_head_ms={:.1}",
        fill.as_secs_f64(),
        best_open * 1e3,
        best * 1e3,
        tl * 1e3,
        head * 1e3
    );
    Ok(())
}
