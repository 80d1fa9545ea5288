//! Inspects a file and, if it can be cleaned, writes the location-free copy:
//! `cargo run --release -p cairn-location --example clean -- IN [OUT]`. Prints the
//! outcome and how long `inspect` took (the figure in the crate's report).
#![forbid(unsafe_code)]

use std::fs::File;
use std::io::{self, BufReader};
use std::time::Instant;

use cairn_location::{inspect, Outcome, Patched};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(input) = args.next() else {
        eprintln!("usage: clean IN [OUT]");
        std::process::exit(2);
    };
    let file = File::open(&input)?;
    let len = file.metadata()?.len();
    let mut r = BufReader::new(file);
    let start = Instant::now();
    let outcome = inspect(&mut r, len)?;
    let took = start.elapsed();
    match &outcome {
        Outcome::NoLocation => println!("no location"),
        Outcome::CannotClean(why) => println!("cannot clean: {why}"),
        Outcome::Patched { patches, found } => {
            let bytes: usize = patches.iter().map(|p| p.bytes.len()).sum();
            println!(
                "{} patches ({bytes} bytes): {}",
                patches.len(),
                found.join(", ")
            );
        }
    }
    println!(
        "inspect took {:.1} ms for {len} bytes",
        took.as_secs_f64() * 1000.0
    );
    if let (Outcome::Patched { patches, .. }, Some(out)) = (outcome, args.next()) {
        let mut view = Patched::new(r, patches)?;
        io::copy(&mut view, &mut File::create(out)?)?;
    }
    Ok(())
}
