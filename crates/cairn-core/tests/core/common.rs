//! Helpers shared by the tests.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use cairn_core::{
    AddFile, AddedFile, Incident, KdfCost, OpenOptions, Passphrase, Report, Vault, VerifyOptions,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The passphrase of every test vault.
pub const PASS: &str = "correct horse battery staple";

/// Options that accept the insecure test KDF.
pub const TEST_OPEN: OpenOptions = OpenOptions {
    allow_insecure_kdf: true,
};

static NEVER: AtomicBool = AtomicBool::new(false);

fn no_progress(_: u64) {}

/// A fresh vault in a temporary folder (the folder is `<tmp>/vault`).
pub struct TestVault {
    /// Keeps the temporary folder alive.
    pub tmp: TempDir,
    /// The vault folder.
    pub dir: PathBuf,
    /// The unlocked vault (taken out by tests that reopen it).
    pub vault: Option<Vault>,
    /// The recovery code shown at init.
    pub code: String,
}

impl TestVault {
    pub fn new() -> TestVault {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("vault");
        let (vault, code) =
            Vault::init(&dir, &Passphrase::new(PASS), KdfCost::InsecureTestOnly).expect("init");
        TestVault {
            dir,
            vault: Some(vault),
            code: code.display().to_string(),
            tmp,
        }
    }

    /// The open vault, read-only.
    pub fn r(&self) -> &Vault {
        self.vault.as_ref().expect("vault is open")
    }

    /// The open vault.
    pub fn v(&mut self) -> &mut Vault {
        self.vault.as_mut().expect("vault is open")
    }

    /// Closes the vault (the database is checkpointed and the WAL removed).
    pub fn close(&mut self) {
        self.vault = None;
    }

    /// Reopens the vault with the passphrase.
    pub fn reopen(&mut self) {
        self.vault = None;
        self.vault = Some(open(&self.dir).expect("reopen"));
    }

    /// A path inside the temporary folder but outside the vault.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }
}

/// Opens `dir` with the test passphrase.
pub fn open(dir: &Path) -> cairn_core::Result<Vault> {
    Vault::open(dir, &Passphrase::new(PASS), TEST_OPEN)
}

/// Add-file options with no link, no progress and no cancel.
pub fn add_opts() -> AddFile<'static> {
    AddFile {
        acquired: "test".into(),
        link_to: None,
        progress: &no_progress,
        cancel: &NEVER,
    }
}

/// Add-file options that link the new file to `incident`.
pub fn add_opts_linked(incident: &str) -> AddFile<'static> {
    AddFile {
        link_to: Some(incident.to_string()),
        ..add_opts()
    }
}

/// Adds `bytes` as a file called `name`.
pub fn add_bytes(v: &mut Vault, name: &str, bytes: &[u8]) -> AddedFile {
    let mut src = Cursor::new(bytes.to_vec());
    v.add_file_from(OsStr::new(name), &mut src, None, &add_opts())
        .expect("add_file_from")
}

/// An incident with a title and a body.
pub fn incident(title: &str, body: &str) -> Incident {
    Incident {
        title: title.into(),
        body: body.into(),
        ..Incident::default()
    }
}

/// A full verification (blobs decrypted).
pub fn verify(v: &Vault) -> Report {
    v.verify(VerifyOptions { quick: false }, &|_, _| {})
        .expect("verify ran")
}

/// The problem codes of a report.
pub fn problem_codes(r: &Report) -> Vec<&'static str> {
    r.problems.iter().map(|f| f.code).collect()
}

/// Asserts a report is clean and returns it.
pub fn assert_ok(v: &Vault) -> Report {
    let r = verify(v);
    assert!(r.ok, "expected a clean vault, got {:#?}", r.problems);
    assert!(r.problems.is_empty());
    r
}

/// Lower-case hex.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 hex of bytes.
pub fn sha_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// SHA-256 hex of everything `r` yields, streamed.
pub fn sha_stream(mut r: impl Read) -> (String, u64) {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf).expect("read");
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    (hex(&h.finalize()), n)
}

/// Every blob file under `<vault>/blobs/xx/` (the `tmp` folder excluded), sorted.
pub fn blob_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in fs::read_dir(dir.join("blobs")).expect("blobs dir") {
        let sub = sub.unwrap();
        if sub.file_name() == "tmp" || !sub.path().is_dir() {
            continue;
        }
        for f in fs::read_dir(sub.path()).unwrap() {
            out.push(f.unwrap().path());
        }
    }
    out.sort();
    out
}

/// The blob id of a blob file path.
pub fn blob_id(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// SHA-256 of every file under `dir`, by relative path.
pub fn hash_tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), "dir".into());
                walk(root, &p, out);
            } else {
                let bytes = fs::read(&p).unwrap();
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), sha_hex(&bytes));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every file under `dir` (recursively).
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Flips every bit of the byte at `offset` of `path`.
pub fn flip_byte(path: &Path, offset: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap();
    let mut b = [0u8; 1];
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.read_exact(&mut b).unwrap();
    b[0] ^= 0xff;
    f.seek(SeekFrom::Start(offset)).unwrap();
    f.write_all(&b).unwrap();
}

/// Deterministic pseudo-random bytes.
pub fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Copies the folder `from` to `to`, files and folders.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Takes out what schema 7 added (the tree, the salts, the heads given), as a vault
/// upgraded no further than schema 6 would be, before a test sets an older version.
pub const UNDO_SCHEMA_7: &str = "
    DROP TABLE retired_keys;
    DROP TABLE recovery_keys;
    DROP TABLE merkle;
    DROP TABLE heads_given;
    DROP TABLE location_checks;
    DROP INDEX versions_by_link_from;
    DROP INDEX versions_by_link_to;
    DROP INDEX message_index_by_export;
    ALTER TABLE message_index DROP COLUMN export;
    DROP TRIGGER versions_only_redact;
    ALTER TABLE versions DROP COLUMN salts;
    CREATE TRIGGER versions_only_redact BEFORE UPDATE ON versions
    WHEN NEW.record IS NOT NULL
      OR NEW.item_id IS NOT OLD.item_id OR NEW.version IS NOT OLD.version
      OR NEW.seq IS NOT OLD.seq OR NEW.record_sha256 IS NOT OLD.record_sha256
      OR NEW.content_sha256 IS NOT OLD.content_sha256
    BEGIN SELECT RAISE(ABORT, 'versions change only by redaction'); END;";

/// Types the test passphrase again before a change that needs it (see
/// `Vault::authorize`): `t.v().authed().redact(..)`.
pub trait Authed {
    fn authed(&mut self) -> &mut Self;
}

impl Authed for Vault {
    fn authed(&mut self) -> &mut Self {
        self.authorize(&Passphrase::new(PASS), TEST_OPEN)
            .expect("authorize with the test passphrase");
        self
    }
}

/// The JSON line of the keys file in `dir`, parsed.
pub fn keys_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("keys")).unwrap();
    let line = text.lines().next().unwrap();
    serde_json::from_str(line).unwrap()
}

/// Rewrites `dir/keys` with `edit` applied to its JSON and a recomputed checksum: what
/// someone editing the file by hand would do.
pub fn rewrite_keys(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut v = keys_json(dir);
    edit(&mut v);
    let line = serde_json::to_string(&v).unwrap();
    std::fs::write(
        dir.join("keys"),
        format!("{line}\nsha256:{}\n", sha_hex(line.as_bytes())),
    )
    .unwrap();
}
