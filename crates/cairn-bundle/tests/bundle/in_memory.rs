//! `verify_bundle_bytes`, the in-memory entry point the fuzz targets in `fuzz/` use,
//! gives exactly what `verify_bundle` gives for a file of the same bytes: the same
//! report for open and sealed bundles, and the same error for a missing key, a wrong
//! key, a cut file, garbage and an empty file.

use std::fs;
use std::path::Path;

use cairn_bundle::{verify_bundle, verify_bundle_bytes, Key, Selection};

use crate::export;
use cairn_core::Passphrase;

use crate::{fixture, key_pass, open_bundle, opts, seal_pass};

/// Both entry points on the file at `p`: their reports as JSON, or their errors.
fn both(p: &Path, key: &Key) -> (Result<String, String>, Result<String, String>) {
    let show = |r: cairn_core::Result<cairn_bundle::BundleReport>| {
        r.map(|r| serde_json::to_string(&r).expect("json"))
            .map_err(|e| format!("{e:?}"))
    };
    let bytes = fs::read(p).expect("read");
    (
        show(verify_bundle(p, key, None)),
        show(verify_bundle_bytes(&bytes, key, None)),
    )
}

#[test]
fn bytes_and_file_give_the_same_report() {
    let mut f = fixture();
    let open = open_bundle(&mut f, "open.zip");
    let (file, mem) = both(&open, &Key::None);
    assert!(
        file.as_ref().is_ok_and(|j| j.contains("\"ok\":true")),
        "{file:?}"
    );
    assert_eq!(file, mem);

    let sealed = f.tmp.path().join("sealed.age");
    export(&mut f.vault, &sealed, &opts(seal_pass(), Selection::All)).expect("export");
    let (file, mem) = both(&sealed, &key_pass());
    assert!(
        file.as_ref().is_ok_and(|j| j.contains("\"sealed\":true")),
        "{file:?}"
    );
    assert_eq!(file, mem);

    let bytes = fs::read(&sealed).expect("read");
    let cut = f.tmp.path().join("cut.age");
    fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let garbage = f.tmp.path().join("garbage");
    fs::write(&garbage, b"not a bundle").expect("write");
    let empty = f.tmp.path().join("empty");
    fs::write(&empty, b"").expect("write");
    let wrong = Key::Passphrase(Passphrase::new("not the right passphrase at all"));
    for (p, key) in [
        (&sealed, Key::None),
        (&sealed, wrong),
        (&cut, key_pass()),
        (&garbage, Key::None),
        (&empty, Key::None),
    ] {
        let (file, mem) = both(p, &key);
        assert!(file.is_err(), "{}: {file:?}", p.display());
        assert_eq!(file, mem, "{}", p.display());
    }
}
