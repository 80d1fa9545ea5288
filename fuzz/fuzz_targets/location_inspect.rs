//! Arbitrary bytes as a file handed to the location check. `inspect` may refuse
//! anything, but never panic, and never fail to read from memory. What it cleans must
//! hold together: patches in order and inside the file, a patched view that reads back
//! whole at the original's length, and a copy that inspects as clean (the check
//! `inspect` makes itself, made again here from the bytes actually read).
#![no_main]
#![forbid(unsafe_code)]

use std::io::{Cursor, Read};

use cairn_location::{inspect, Outcome, Patched};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let outcome = inspect(&mut Cursor::new(data), len).expect("memory cannot fail to read");
    match outcome {
        Outcome::NoLocation => {}
        Outcome::CannotClean(why) => assert!(!why.is_empty()),
        Outcome::Patched { patches, found } => {
            assert!(!patches.is_empty() && !found.is_empty());
            assert!(patches
                .iter()
                .all(|p| p.end() <= len && !p.bytes.is_empty()));
            let mut copy = Vec::with_capacity(data.len());
            Patched::new(Cursor::new(data), patches)
                .expect("patches from inspect are in order")
                .read_to_end(&mut copy)
                .expect("the patched view reads from memory");
            assert_eq!(copy.len(), data.len());
            let again = inspect(&mut Cursor::new(&copy), len).expect("memory");
            assert_eq!(again, Outcome::NoLocation);
        }
    }
});
