//! The raw scan's signs for each file named: `cargo run -p cairn-location --example scan_file -- FILE…`.
fn main() {
    for a in std::env::args().skip(1) {
        let mut s = cairn_location::Scan::new();
        match std::fs::read(&a) {
            Ok(b) => {
                let _ = s.push(&b);
                println!("{a}: {:?}", s.signs());
            }
            Err(e) => println!("{a}: {e}"),
        }
    }
}
