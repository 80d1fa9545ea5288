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

/// [`hash_tree`] of `vault` after checking that the file of failed unlocks (the one
/// file a wrong passphrase or recovery code writes) holds `n` lines, leaving it out.
pub fn tree_without_attempts(vault: &Path, n: usize) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let noted = fs::read_to_string(vault.join("attempts")).unwrap_or_default();
    assert_eq!(noted.lines().count(), n, "failed unlocks noted: {noted:?}");
    let mut tree = hash_tree(vault);
    tree.retain(|p, _| !p.ends_with("attempts"));
    tree
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

// ---------------------------------------------------------------------------------------
// The desktop app in a real window (tests/e2e/desktop.rs): a small W3C WebDriver client,
// the processes the test starts (Xvfb, tauri-driver), and the plaintext leak scanner.
// ---------------------------------------------------------------------------------------

/// A small synchronous W3C WebDriver client (just the endpoints the desktop test uses),
/// over `ureq` and `serde_json`. Every call returns `Err(message)` instead of panicking,
/// so the test can save a screenshot before it fails.
/// A tmpfs mounted for a test, unmounted when dropped.
pub struct Mount(PathBuf);

impl Mount {
    /// Remounts it with `opts` (`ro`, say).
    pub fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "remount {opts} {}", self.0.display());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The connections to internet addresses (IPv4 or IPv6) an `strace -e trace=connect`
/// log shows; local sockets (AF_UNIX) are left out.
pub fn internet_connects(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("connect(") && (l.contains("AF_INET") || l.contains("AF_INET6")))
        .map(str::to_string)
        .collect()
}

/// Mounts a tmpfs of `size` on `dir` (a small disk, a USB stick). Needs root, which CI
/// and the project's machines have; elsewhere the test says it was skipped rather than
/// pretend it ran.
pub fn small_disk(dir: &Path, size: &str) -> Option<Mount> {
    fs::create_dir_all(dir).unwrap();
    if !is_root() {
        eprintln!("SKIPPED: mounting a small tmpfs needs root");
        return None;
    }
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "running as root but could not mount a tmpfs on {}",
        dir.display()
    );
    Some(Mount(dir.to_path_buf()))
}

pub mod webdriver {
    use std::path::Path;
    use std::time::{Duration, Instant};

    use base64::Engine as _;
    use serde_json::{json, Value};

    /// The W3C key of an element reference in JSON.
    pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

    /// See [`Session::save_screenshot`].
    const REPAINT_NUDGE: &str = "let d = document.getElementById('cairn-e2e-tick');
if (!d) {
  d = document.createElement('div');
  d.id = 'cairn-e2e-tick';
  document.documentElement.appendChild(d);
}
const s = d.style;
s.position = 'fixed'; s.right = '0'; s.bottom = '0'; s.width = '1px'; s.height = '1px';
s.pointerEvents = 'none'; s.zIndex = '2147483647';
clearInterval(window.__cairnE2eTick);
let n = 0;
window.__cairnE2eTick = setInterval(() => {
  n++;
  s.backgroundColor = 'rgba(0, 0, 0, ' + (n % 2 ? 0.01 : 0.02) + ')';
}, 30);
// Stopped by REPAINT_STOP once the screenshot is back; the cap only guards a test that died.
setTimeout(() => { clearInterval(window.__cairnE2eTick); d.remove(); }, 120000);
return true;";

    /// Ends [`REPAINT_NUDGE`].
    const REPAINT_STOP: &str = "clearInterval(window.__cairnE2eTick);
const d = document.getElementById('cairn-e2e-tick');
if (d) d.remove();
return true;";

    /// Results of WebDriver calls: the error is a message for a test failure.
    pub type WdResult<T> = Result<T, String>;

    /// A WebDriver server (tauri-driver) at `http://127.0.0.1:PORT`.
    #[derive(Clone)]
    pub struct WebDriver {
        agent: ureq::Agent,
        base: String,
    }

    /// An element reference.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Element(pub String);

    impl Element {
        /// The element as a script argument.
        pub fn json(&self) -> Value {
            json!({ ELEMENT_KEY: self.0 })
        }
    }

    /// An open session.
    pub struct Session {
        wd: WebDriver,
        id: String,
    }

    fn one_line(s: &str, max: usize) -> String {
        let line = s.lines().next().unwrap_or("").trim();
        if line.chars().count() > max {
            format!("{}…", line.chars().take(max).collect::<String>())
        } else {
            line.to_string()
        }
    }

    impl WebDriver {
        /// A client for the server at `base` (`http://127.0.0.1:4444`); no proxy.
        pub fn new(base: impl Into<String>) -> WebDriver {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .timeout_global(Some(Duration::from_secs(60)))
                .build()
                .into();
            WebDriver {
                agent,
                base: base.into(),
            }
        }

        /// Sends one command; returns the response's `value`, or the WebDriver error.
        /// Error messages never contain the request body (typed text stays private).
        pub fn request(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
            let url = format!("{}{}", self.base, path);
            let resp = match method {
                "GET" => self.agent.get(&url).call(),
                "DELETE" => self.agent.delete(&url).call(),
                "POST" => self
                    .agent
                    .post(&url)
                    .send_json(body.unwrap_or_else(|| json!({}))),
                other => return Err(format!("unsupported method {other}")),
            }
            .map_err(|e| format!("{method} {path}: {e}"))?;
            let status = resp.status().as_u16();
            let v: Value = resp
                .into_body()
                .with_config()
                .limit(256 << 20)
                .read_json()
                .map_err(|e| format!("{method} {path}: HTTP {status}, body is not JSON: {e}"))?;
            let value = v.get("value").cloned().unwrap_or(Value::Null);
            if let Some(err) = value.get("error").and_then(Value::as_str) {
                let msg = value.get("message").and_then(Value::as_str).unwrap_or("");
                return Err(format!(
                    "{method} {path}: HTTP {status} {err}: {}",
                    one_line(msg, 300)
                ));
            }
            if status >= 400 {
                return Err(format!(
                    "{method} {path}: HTTP {status}: {}",
                    one_line(&v.to_string(), 300)
                ));
            }
            Ok(value)
        }

        /// `GET /status` answers (the server is up).
        pub fn is_up(&self) -> bool {
            self.request("GET", "/status", None).is_ok()
        }

        /// `POST /session` with `{"capabilities":{"alwaysMatch": always_match}}`.
        pub fn new_session(&self, always_match: Value) -> WdResult<Session> {
            let v = self.request(
                "POST",
                "/session",
                Some(json!({ "capabilities": { "alwaysMatch": always_match } })),
            )?;
            let id = v["sessionId"]
                .as_str()
                .ok_or_else(|| format!("new session: no sessionId in {v}"))?
                .to_string();
            Ok(Session {
                wd: self.clone(),
                id,
            })
        }
    }

    /// Polls `f` every 100 ms until it returns `Ok(Some(_))` or `timeout` passes.
    /// `Err` from `f` counts as "not yet" (its message is kept for the timeout error).
    pub fn wait_until<T>(
        what: &str,
        timeout: Duration,
        mut f: impl FnMut() -> WdResult<Option<T>>,
    ) -> WdResult<T> {
        let start = Instant::now();
        let mut last_err = None;
        loop {
            match f() {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
            if start.elapsed() > timeout {
                return Err(match last_err {
                    Some(e) => format!(
                        "timed out after {:.0} s waiting for {what} (last error: {e})",
                        timeout.as_secs_f64()
                    ),
                    None => format!(
                        "timed out after {:.0} s waiting for {what}",
                        timeout.as_secs_f64()
                    ),
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    impl Session {
        /// The session id.
        pub fn id(&self) -> &str {
            &self.id
        }

        fn cmd(&self, method: &str, rest: &str, body: Option<Value>) -> WdResult<Value> {
            self.wd
                .request(method, &format!("/session/{}{rest}", self.id), body)
        }

        fn element_of(v: &Value) -> WdResult<Element> {
            v[ELEMENT_KEY]
                .as_str()
                .map(|s| Element(s.to_string()))
                .ok_or_else(|| format!("not an element reference: {v}"))
        }

        /// The first element matching a CSS selector, or `None`.
        pub fn find(&self, css: &str) -> WdResult<Option<Element>> {
            match self.cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            ) {
                Ok(v) => Ok(Some(Self::element_of(&v)?)),
                Err(e) if e.contains("no such element") => Ok(None),
                Err(e) => Err(e),
            }
        }

        /// Every element matching a CSS selector.
        pub fn find_all(&self, css: &str) -> WdResult<Vec<Element>> {
            let v = self.cmd(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )?;
            v.as_array()
                .ok_or_else(|| format!("find_all: not a list: {v}"))?
                .iter()
                .map(Self::element_of)
                .collect()
        }

        /// Every matching element that is displayed.
        pub fn find_displayed(&self, css: &str) -> WdResult<Vec<Element>> {
            let mut out = Vec::new();
            for e in self.find_all(css)? {
                if self.displayed(&e)? {
                    out.push(e);
                }
            }
            Ok(out)
        }

        /// Waits for a displayed element matching `css`.
        pub fn wait_for(&self, css: &str, timeout: Duration) -> WdResult<Element> {
            wait_until(&format!("{css} to be displayed"), timeout, || {
                Ok(self.find_displayed(css)?.into_iter().next())
            })
        }

        /// Waits until nothing matching `css` is displayed.
        pub fn wait_gone(&self, css: &str, timeout: Duration) -> WdResult<()> {
            wait_until(&format!("{css} to go away"), timeout, || {
                Ok(self.find_displayed(css)?.is_empty().then_some(()))
            })
        }

        /// Scrolls the element to the middle of its scroll container (so a sticky
        /// header or footer does not cover it).
        pub fn scroll_to_center(&self, e: &Element) -> WdResult<()> {
            self.execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'}); return true;",
                vec![e.json()],
            )
            .map(|_| ())
        }

        /// Clicks an element.
        pub fn click(&self, e: &Element) -> WdResult<()> {
            self.cmd("POST", &format!("/element/{}/click", e.0), None)
                .map(|_| ())
        }

        /// Clears an input.
        pub fn clear(&self, e: &Element) -> WdResult<()> {
            self.cmd("POST", &format!("/element/{}/clear", e.0), None)
                .map(|_| ())
        }

        /// Types text into an element.
        pub fn send_keys(&self, e: &Element, text: &str) -> WdResult<()> {
            self.cmd(
                "POST",
                &format!("/element/{}/value", e.0),
                Some(json!({ "text": text })),
            )
            .map(|_| ())
        }

        /// The element's rendered text.
        pub fn text(&self, e: &Element) -> WdResult<String> {
            let v = self.cmd("GET", &format!("/element/{}/text", e.0), None)?;
            Ok(v.as_str().unwrap_or_default().to_string())
        }

        /// An attribute, or `None` when absent.
        pub fn attribute(&self, e: &Element, name: &str) -> WdResult<Option<String>> {
            let v = self.cmd("GET", &format!("/element/{}/attribute/{name}", e.0), None)?;
            Ok(v.as_str().map(str::to_string))
        }

        /// A DOM property (`value`, `naturalWidth`, …).
        pub fn property(&self, e: &Element, name: &str) -> WdResult<Value> {
            self.cmd("GET", &format!("/element/{}/property/{name}", e.0), None)
        }

        /// Whether the element is displayed.
        pub fn displayed(&self, e: &Element) -> WdResult<bool> {
            let v = self.cmd("GET", &format!("/element/{}/displayed", e.0), None)?;
            Ok(v.as_bool().unwrap_or(false))
        }

        /// Whether the element is enabled.
        pub fn enabled(&self, e: &Element) -> WdResult<bool> {
            let v = self.cmd("GET", &format!("/element/{}/enabled", e.0), None)?;
            Ok(v.as_bool().unwrap_or(false))
        }

        /// Runs a synchronous script (`return …;`) with arguments.
        pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
            self.cmd(
                "POST",
                "/execute/sync",
                Some(json!({ "script": script, "args": args })),
            )
        }

        /// Resizes the window (W3C "Set Window Rect").
        pub fn set_window_size(&self, width: u32, height: u32) -> WdResult<()> {
            self.cmd(
                "POST",
                "/window/rect",
                Some(json!({ "width": width, "height": height })),
            )
            .map(|_| ())
        }

        /// Runs an asynchronous script that calls its last argument with the result.
        pub fn execute_async(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
            self.cmd(
                "POST",
                "/execute/async",
                Some(json!({ "script": script, "args": args })),
            )
        }

        /// A PNG screenshot of the window's page.
        pub fn screenshot(&self) -> WdResult<Vec<u8>> {
            let v = self.cmd("GET", "/screenshot", None)?;
            let b64 = v.as_str().ok_or("screenshot: not a string")?;
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| format!("screenshot: bad base64: {e}"))
        }

        /// Saves a PNG screenshot to `path`.
        ///
        /// WebKitWebDriver takes a screenshot at the page's next rendering update, and
        /// with compositing off (as under Xvfb) a page where nothing changes (no caret
        /// blinking, no animation) may never have one, so the command hangs. A script
        /// first adds a 1-pixel, almost transparent element in the bottom-right corner
        /// and repaints it every 30 ms until the screenshot is back (then removes it).
        /// Style changes that paint nothing (a custom property, an invisible outline)
        /// were not enough. A fixed 3 s of repainting was not enough either: on a busy
        /// machine the screenshot command can reach the page after that, and then hung.
        pub fn save_screenshot(&self, path: &Path) -> WdResult<()> {
            self.execute(REPAINT_NUDGE, Vec::new())?;
            let shot = self.screenshot();
            let stopped = self.execute(REPAINT_STOP, Vec::new());
            let png = shot?;
            stopped?;
            if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
                return Err("screenshot: not a PNG".into());
            }
            std::fs::write(path, png).map_err(|e| format!("write {}: {e}", path.display()))
        }

        /// The page's title.
        pub fn title(&self) -> WdResult<String> {
            Ok(self
                .cmd("GET", "/title", None)?
                .as_str()
                .unwrap_or_default()
                .to_string())
        }

        /// Ends the session (tauri-driver closes the app).
        pub fn delete(&self) -> WdResult<()> {
            self.cmd("DELETE", "", None).map(|_| ())
        }
    }
}

/// Processes the desktop test starts, and the tools it drives them with.
pub mod desktop {
    use std::fs::{self, File};
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;
    use std::os::unix::process::CommandExt;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    /// `name` found on `PATH` (or as given when it is a path).
    pub fn find_program(name: &str) -> Option<PathBuf> {
        if name.contains('/') {
            let p = PathBuf::from(name);
            return p.is_file().then_some(p);
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    }

    /// A TCP port that was free a moment ago.
    pub fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("bind a free local port")
    }

    fn signal_group(sig: &str, pgid: u32) -> bool {
        Command::new("kill")
            .arg(format!("-{sig}"))
            .arg("--")
            .arg(format!("-{pgid}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Whether any live (not zombie) process is in process group `pgid` (from /proc).
    fn group_alive(pgid: u32) -> bool {
        let Ok(rd) = fs::read_dir("/proc") else {
            return signal_group("0", pgid);
        };
        rd.flatten().any(|e| {
            let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
                return false;
            };
            // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                return false;
            };
            let f: Vec<&str> = rest.split_whitespace().collect();
            f.len() > 2 && f[0] != "Z" && f[0] != "X" && f[2] == pgid.to_string()
        })
    }

    struct Spawned {
        name: String,
        child: Child,
    }

    /// The processes a test started, each the leader of its own process group (so what
    /// it starts in turn, WebKitWebDriver and the app, goes with it). Dropping this
    /// (also while a panic unwinds) stops them all, by process group id, newest first.
    #[derive(Default)]
    pub struct Processes {
        list: Vec<Spawned>,
    }

    impl Processes {
        /// No processes yet.
        pub fn new() -> Processes {
            Processes::default()
        }

        /// Spawns `cmd` as the leader of a new process group.
        pub fn spawn(&mut self, name: &str, cmd: &mut Command) -> Result<&mut Child, String> {
            cmd.process_group(0);
            let child = cmd
                .spawn()
                .map_err(|e| format!("could not start {name}: {e}"))?;
            self.list.push(Spawned {
                name: name.to_string(),
                child,
            });
            Ok(&mut self.list.last_mut().expect("just pushed").child)
        }

        /// `Some(status)` if the named process has exited.
        pub fn exited(&mut self, name: &str) -> Option<std::process::ExitStatus> {
            let s = self.list.iter_mut().find(|s| s.name == name)?;
            s.child.try_wait().ok().flatten()
        }

        /// Stops every process (TERM to its group, then KILL after 5 s), newest first.
        pub fn stop_all(&mut self) {
            while let Some(mut s) = self.list.pop() {
                let pgid = s.child.id();
                signal_group("TERM", pgid);
                let deadline = Instant::now() + Duration::from_secs(5);
                // The leader first, then anything else left in its group.
                while Instant::now() < deadline {
                    if matches!(s.child.try_wait(), Ok(Some(_))) && !group_alive(pgid) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                if group_alive(pgid) {
                    signal_group("KILL", pgid);
                }
                let _ = s.child.kill();
                let _ = s.child.wait();
            }
        }
    }

    impl Drop for Processes {
        fn drop(&mut self) {
            self.stop_all();
        }
    }

    /// Starts `Xvfb` on a display it picks itself (`-displayfd`); returns `":N"`.
    pub fn start_xvfb(procs: &mut Processes, xvfb: &Path, log: &Path) -> Result<String, String> {
        let log = File::create(log).map_err(|e| format!("create {}: {e}", log.display()))?;
        let child = procs.spawn(
            "Xvfb",
            Command::new(xvfb)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1280x900x24",
                    "-nolisten",
                    "tcp",
                    "-noreset",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(log),
        )?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .map_err(|_| "Xvfb did not report its display within 30 s".to_string())?;
        let n: u32 = line
            .trim()
            .parse()
            .map_err(|_| format!("Xvfb did not start (it printed {line:?}); see xvfb.log"))?;
        Ok(format!(":{n}"))
    }

    /// Runs `xdotool ARGS` on `display`; returns its stdout.
    pub fn xdotool(display: &str, args: &[&str]) -> Result<String, String> {
        let out = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run xdotool: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "xdotool {}: {:?}: {}",
                args.first().unwrap_or(&""),
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The ids of the visible top-level windows on `display` (empty if none).
    pub fn visible_windows(display: &str) -> Result<Vec<String>, String> {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", ""])
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run xdotool: {e}"))?;
        // Exit 1 with no output means "no window matched".
        Ok(String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect())
    }

    /// A window's title.
    pub fn window_name(display: &str, id: &str) -> String {
        xdotool(display, &["getwindowname", id])
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    /// Saves a PNG of the whole X screen with ImageMagick's `import`, if installed
    /// (it sees native dialogs, which WebDriver screenshots do not).
    pub fn screen_capture(display: &str, path: &Path) -> Result<(), String> {
        let import = find_program("import").ok_or("ImageMagick `import` is not installed")?;
        let out = Command::new(import)
            .args(["-window", "root"])
            .arg(path)
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run import: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "import: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(())
    }

    /// `n` random bytes from the operating system.
    pub fn random_bytes(n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        getrandom::fill(&mut b).expect("operating system randomness");
        b
    }

    /// A PNG of random noise: its bytes exist nowhere else.
    pub fn noise_png(width: u32, height: u32) -> Vec<u8> {
        let pixels = random_bytes((width * height * 3) as usize);
        let img = image::RgbImage::from_raw(width, height, pixels).expect("pixel buffer size");
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode PNG");
        out.into_inner()
    }

    /// Removes `dir`'s files whose names end in `.png` or `.log` (old test output).
    pub fn clear_output_dir(dir: &Path) {
        let _ = fs::create_dir_all(dir);
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "png" || x == "log") {
                    let _ = fs::remove_file(p);
                }
            }
        }
    }
}

/// Finds plaintext that must not be on disk: byte strings ("needles") searched for in
/// every regular file under some folders, without following symbolic links.
pub mod leak {
    use std::fs::{self, File};
    use std::io::Read;
    use std::path::{Path, PathBuf};
    use std::time::SystemTime;

    use memchr::memmem::Finder;

    /// Something to look for, with a description for the failure message.
    pub struct Needle {
        /// What it is ("the incident's marker text").
        pub what: String,
        /// The bytes.
        pub bytes: Vec<u8>,
    }

    impl Needle {
        /// A needle.
        pub fn new(what: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Needle {
            Needle {
                what: what.into(),
                bytes: bytes.into(),
            }
        }

        /// `text` as UTF-16LE (how WebKit stores strings in its databases).
        pub fn utf16le(what: impl Into<String>, text: &str) -> Needle {
            let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            Needle::new(what, bytes)
        }
    }

    /// One needle found in one file.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Hit {
        /// The file.
        pub path: PathBuf,
        /// The needle's description.
        pub what: String,
        /// Where in the file (first occurrence).
        pub offset: u64,
    }

    impl Hit {
        /// "WHAT found in plaintext in PATH (at byte N)".
        pub fn describe(&self) -> String {
            format!(
                "{} found in plaintext in {} (at byte {})",
                self.what,
                self.path.display(),
                self.offset
            )
        }
    }

    /// Counts, to show the scan really looked.
    #[derive(Debug, Default, Clone)]
    pub struct Stats {
        /// Regular files read.
        pub files: u64,
        /// Bytes read.
        pub bytes: u64,
        /// Files or folders that could not be read.
        pub unreadable: u64,
    }

    /// Searches files for every needle at once.
    pub struct Scanner {
        needles: Vec<(String, Finder<'static>)>,
        max_len: usize,
        skip: Vec<PathBuf>,
        /// Everything found so far.
        pub hits: Vec<Hit>,
        /// Counts so far.
        pub stats: Stats,
    }

    const CHUNK: usize = 1 << 20;

    impl Scanner {
        /// A scanner for `needles` (each non-empty) that never enters the paths in `skip`.
        pub fn new(needles: &[Needle], skip: Vec<PathBuf>) -> Scanner {
            assert!(needles.iter().all(|n| !n.bytes.is_empty()), "empty needle");
            Scanner {
                max_len: needles.iter().map(|n| n.bytes.len()).max().unwrap_or(1),
                needles: needles
                    .iter()
                    .map(|n| (n.what.clone(), Finder::new(&n.bytes).into_owned()))
                    .collect(),
                skip,
                hits: Vec::new(),
                stats: Stats::default(),
            }
        }

        /// Scans every regular file under `root` (or `root` itself if it is a file);
        /// with `modified_since`, only files modified at or after that time.
        pub fn scan_tree(&mut self, root: &Path, modified_since: Option<SystemTime>) {
            let mut stack = vec![root.to_path_buf()];
            while let Some(p) = stack.pop() {
                if self.skip.iter().any(|s| s == &p) {
                    continue;
                }
                let Ok(md) = fs::symlink_metadata(&p) else {
                    continue; // gone meanwhile
                };
                if md.is_dir() {
                    match fs::read_dir(&p) {
                        Ok(rd) => stack.extend(rd.flatten().map(|e| e.path())),
                        Err(_) => self.stats.unreadable += 1,
                    }
                } else if md.is_file() {
                    if let Some(since) = modified_since {
                        if md.modified().is_ok_and(|m| m < since) {
                            continue;
                        }
                    }
                    self.scan_file(&p);
                }
                // Symbolic links, sockets, FIFOs and devices are not followed or read.
            }
        }

        /// Scans one file.
        pub fn scan_file(&mut self, path: &Path) {
            let Ok(mut f) = File::open(path) else {
                self.stats.unreadable += 1;
                return;
            };
            self.stats.files += 1;
            let keep = self.max_len - 1;
            let mut found = vec![false; self.needles.len()];
            let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + keep);
            let mut buf_start: u64 = 0; // file offset of buf[0]
            let mut chunk = vec![0u8; CHUNK];
            loop {
                let n = match f.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => {
                        self.stats.unreadable += 1;
                        break;
                    }
                };
                self.stats.bytes += n as u64;
                buf.extend_from_slice(&chunk[..n]);
                for (i, (what, finder)) in self.needles.iter().enumerate() {
                    if found[i] {
                        continue;
                    }
                    if let Some(pos) = finder.find(&buf) {
                        found[i] = true;
                        self.hits.push(Hit {
                            path: path.to_path_buf(),
                            what: what.clone(),
                            offset: buf_start + pos as u64,
                        });
                    }
                }
                if found.iter().all(|&x| x) {
                    break;
                }
                // Keep the last `keep` bytes so a needle across two reads is still seen.
                if buf.len() > keep {
                    let drop = buf.len() - keep;
                    buf.drain(..drop);
                    buf_start += drop as u64;
                }
            }
        }

        /// The hits as one message line each.
        pub fn report(&self) -> String {
            self.hits
                .iter()
                .map(|h| format!("  {}", h.describe()))
                .collect::<Vec<_>>()
                .join("\n")
        }
    }

    /// `roots` without duplicates and without any folder that lies inside another
    /// (compared after resolving symbolic links); missing ones dropped.
    pub fn outermost(roots: &[PathBuf]) -> Vec<PathBuf> {
        let canon: Vec<PathBuf> = roots.iter().filter_map(|r| r.canonicalize().ok()).collect();
        let mut out: Vec<PathBuf> = Vec::new();
        for r in &canon {
            let inside_other = canon.iter().any(|o| o != r && r.starts_with(o));
            if !inside_other && !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }
}

/// `name` on `PATH`; a missing program fails the test saying how to install it (the
/// project's `scripts/setup.sh` installs every one of them).
pub fn find_program_or_panic(name: &str, install: &str) -> PathBuf {
    desktop::find_program(name).unwrap_or_else(|| {
        panic!("{name} is needed for this test; install it ({install}), as `make test` does")
    })
}
