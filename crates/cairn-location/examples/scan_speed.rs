//! How fast the raw scan reads: `cargo run --release -p cairn-location --example scan_speed -- MIB`.
fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(256);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let data: Vec<u8> = (0..mib << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let t = std::time::Instant::now();
    let mut s = cairn_location::Scan::new();
    for c in data.chunks(1 << 20) {
        let _ = s.push(c);
    }
    let signs = s.signs();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{mib} MiB in {secs:.3} s ({:.2} GB/s) {signs:?}",
        mib as f64 / 1024.0 / secs
    );
}
