//! Helpers for the black-box tests of the built `cairn` binary (tests/e2e).
//!
//! Every command runs the real binary with `CAIRN_TEST_INSECURE_KDF=1`, an explicit
//! `--vault` and `--passphrase-file`, and stdin closed, so no test ever needs a terminal.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The passphrase every test vault is created with.
pub const PASSPHRASE: &str = "correct horse battery staple";

/// The fast, insecure KDF switch the tests rely on (documented in the README).
pub const TEST_KDF_ENV: &str = "CAIRN_TEST_INSECURE_KDF";

/// The workspace root (this package lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `cairn` binary under test: `$CAIRN_BIN`, or the one built next to this test
/// executable (`target/<profile>/deps/e2e-HASH` → `target/<profile>/cairn`).
pub fn cairn_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CAIRN_BIN") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "CAIRN_BIN points to {}, which is not a file",
            p.display()
        );
        return p;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mut dir = exe
        .parent()
        .expect("test executable has a folder")
        .to_path_buf();
    if dir.file_name() == Some(OsStr::new("deps")) {
        dir.pop();
    }
    let bin = dir.join(format!("cairn{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "the cairn binary is not built: expected {}. Run `cargo build --workspace --bins` \
         first (the Makefile does), or set CAIRN_BIN to the binary to test.",
        bin.display()
    );
    bin
}

/// A base command for the binary: test KDF, no terminal, no inherited `CAIRN_VAULT`.
pub fn cairn_command() -> Command {
    let mut c = Command::new(cairn_bin());
    c.env(TEST_KDF_ENV, "1")
        .env_remove("CAIRN_VAULT")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    c
}

/// A scratch folder holding a vault folder (not created until `init`) and a passphrase file.
pub struct Cli {
    tmp: TempDir,
    /// The vault folder.
    pub vault: PathBuf,
    /// File whose first line is [`PASSPHRASE`].
    pub pass_file: PathBuf,
}

impl Default for Cli {
    fn default() -> Self {
        Self::new()
    }
}

impl Cli {
    /// A fresh scratch folder; the vault is not created yet.
    pub fn new() -> Cli {
        let tmp = tempfile::Builder::new()
            .prefix("cairn-e2e-")
            .tempdir()
            .expect("temp dir");
        let vault = tmp.path().join("vault");
        let pass_file = tmp.path().join("passphrase.txt");
        fs::write(&pass_file, format!("{PASSPHRASE}\n")).expect("write passphrase file");
        Cli {
            tmp,
            vault,
            pass_file,
        }
    }

    /// A fresh scratch folder with an initialised vault; returns it and the recovery code.
    pub fn with_vault() -> (Cli, String) {
        let cli = Cli::new();
        let code = cli.init();
        (cli, code)
    }

    /// The scratch folder (outside the vault), for input and output files.
    pub fn scratch(&self) -> &Path {
        self.tmp.path()
    }

    /// `cairn init --json`; asserts success and returns the recovery code.
    pub fn init(&self) -> String {
        let v = self.json(["init", "--json"]);
        v["recovery_code"]
            .as_str()
            .unwrap_or_else(|| panic!("init --json has no recovery_code: {v}"))
            .to_string()
    }

    /// A command with `--vault` and `--passphrase-file` set (arguments still to add).
    pub fn command_with_pass(&self, pass_file: &Path) -> Command {
        let mut c = cairn_command();
        c.arg("--vault")
            .arg(&self.vault)
            .arg("--passphrase-file")
            .arg(pass_file);
        c
    }

    /// Runs `cairn extract ID --out DEST`.
    pub fn extract(&self, id: impl AsRef<str>, dest: &Path) -> Output {
        self.run(Self::extract_args(id.as_ref(), dest))
    }

    /// `cairn extract ID --out DEST`, asserting success.
    pub fn extract_ok(&self, id: impl AsRef<str>, dest: &Path) -> Output {
        self.ok(Self::extract_args(id.as_ref(), dest))
    }

    fn extract_args<'a>(id: &'a str, dest: &'a Path) -> [&'a OsStr; 4] {
        [
            OsStr::new("extract"),
            OsStr::new(id),
            OsStr::new("--out"),
            dest.as_os_str(),
        ]
    }

    /// Runs `cairn --vault V --passphrase-file P ARGS...`.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_with_pass(&self.pass_file, args)
    }

    /// Runs with another passphrase file.
    pub fn run_with_pass<I, S>(&self, pass_file: &Path, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command_with_pass(pass_file)
            .args(args)
            .output()
            .expect("run cairn")
    }

    /// Runs and asserts exit 0.
    pub fn ok<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.run(&args);
        assert_exit(&out, 0, &format!("{args:?}"));
        out
    }

    /// Runs, asserts exit 0, and parses stdout as one JSON document.
    pub fn json<I, S>(&self, args: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.ok(args);
        parse_json(&out.stdout)
    }

    /// Runs, asserts exit 0, and parses stdout as JSON Lines.
    pub fn json_lines<I, S>(&self, args: I) -> Vec<Value>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.ok(args);
        text(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }

    /// Writes `bytes` to `name` in the scratch folder and returns its path.
    pub fn write_file(&self, name: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
        let p = self.tmp.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create parent");
        }
        fs::write(&p, bytes).expect("write input file");
        p
    }
}

/// Stdout or stderr as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Parses a whole buffer as one JSON document.
pub fn parse_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", text(bytes)))
}

/// Status, stdout and stderr for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// Asserts the exit code (and that nothing panicked).
pub fn assert_exit(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}\n{}",
        describe(out)
    );
    assert_no_panic(out, what);
}

/// Asserts neither stream shows a panic or a backtrace hint.
pub fn assert_no_panic(out: &Output, what: &str) {
    for s in [text(&out.stderr), text(&out.stdout)] {
        assert!(
            !s.contains("panicked") && !s.contains("RUST_BACKTRACE"),
            "{what}: output shows a panic\n{}",
            describe(out)
        );
    }
}

/// Asserts a Cairn error: the exit code, and stderr is exactly one line "cairn: ...".
/// Returns that line.
pub fn assert_cairn_error(out: &Output, code: i32, what: &str) -> String {
    assert_exit(out, code, what);
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{what}: stderr should be one line\n{}",
        describe(out)
    );
    assert!(
        lines[0].starts_with("cairn: "),
        "{what}: stderr should start with \"cairn: \"\n{}",
        describe(out)
    );
    lines[0].to_string()
}

/// Every file (with its bytes) and folder (`None`) under `dir`, by relative path.
pub fn hash_tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for e in fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("dir entry");
            let p = e.path();
            let rel = p.strip_prefix(root).expect("under root").to_path_buf();
            if e.file_type().expect("file type").is_dir() {
                out.insert(rel, None);
                walk(root, &p, out);
            } else {
                out.insert(rel, Some(fs::read(&p).expect("read file")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts two [`hash_tree`] snapshots are identical, naming the first difference.
pub fn assert_same_tree(
    before: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    after: &BTreeMap<PathBuf, Option<Vec<u8>>>,
    what: &str,
) {
    let keys_before: Vec<_> = before.keys().collect();
    let keys_after: Vec<_> = after.keys().collect();
    assert_eq!(keys_before, keys_after, "{what}: the set of files changed");
    for (k, v) in before {
        assert!(after[k] == *v, "{what}: {} changed", k.display());
    }
}

/// The stored blob files: `VAULT/blobs/??/<id>` (the `tmp` folder excluded).
pub fn blob_files(vault: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(vault.join("blobs")) else {
        return out;
    };
    for sub in rd.flatten() {
        if sub.file_name() == "tmp" || !sub.path().is_dir() {
            continue;
        }
        for f in fs::read_dir(sub.path())
            .expect("read blob folder")
            .flatten()
        {
            out.push(f.path());
        }
    }
    out.sort();
    out
}

/// Files left in `VAULT/blobs/tmp` (half-written blobs).
pub fn tmp_blob_files(vault: &Path) -> usize {
    fs::read_dir(vault.join("blobs").join("tmp"))
        .map(|rd| rd.count())
        .unwrap_or(0)
}

/// XORs the byte at `offset` of `path` with 0x01.
pub fn flip_byte(path: &Path, offset: usize) {
    let mut b = fs::read(path).expect("read file to damage");
    assert!(
        offset < b.len(),
        "{} is too short to damage",
        path.display()
    );
    b[offset] ^= 0x01;
    fs::write(path, b).expect("write damaged file");
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// True if `s` looks like a recovery code: `^[0-9A-Z]{5}(-[0-9A-Z]{5}){5}$`.
pub fn is_recovery_code_shape(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 6
        && groups.iter().all(|g| {
            g.len() == 5
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        })
}

/// A small xorshift64* generator: deterministic test data and timings without extra crates.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator seeded from `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        // SplitMix64 step so nearby seeds give unrelated streams and the state is never 0.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        XorShift(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let r = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = vec![0u8; len];
        self.fill(&mut v);
        v
    }

    /// Shuffles `v` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}
