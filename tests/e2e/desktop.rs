//! The desktop app in a real window, driven through WebDriver (`tauri-driver` +
//! `WebKitWebDriver`) under `Xvfb`: create a vault, add an incident with a photo (through
//! the native file dialog, typed into with `xdotool`), see its thumbnail, lock, have a
//! wrong passphrase refused, unlock, find the incident and photo again, check integrity,
//! share everything as a sealed bundle (the native save dialog), check that bundle in
//! *Open a bundle*, and find the handover in the reports; then, reminded that there is
//! no backup, back up from Settings to a folder chosen in the native dialog, and check
//! that backup with the CLI. Then the locks: quick exit with Escape three times and with
//! her own shortcut (real X key presses) to a neutral page and back, the disguise's
//! window title, a screen lock signalled on the app's session bus, and auto-lock after
//! a minute without use; then a decoy passphrase set in Settings opens an empty vault
//! through the same unlock screen.
//! A screenshot of every screen goes to `target/e2e-screens/NN-name.png`.
//!
//! The app runs under `strace -f -e trace=connect` (WebKit's processes included): the
//! network audit fails on any connection to an IPv4 or IPv6 address.
//!
//! Then the leak check: a random marker typed into the incident and a window of the
//! photo's (random, made-at-run-time) bytes must be nowhere on disk in plaintext: not in
//! the temporary home the app ran with (its webview's data, cache and config folders,
//! and the vault itself), not in /tmp, /var/tmp or /dev/shm, and not in any file changed
//! under the real home while the test ran.
//!
//! Skipped unless `CAIRN_DESKTOP_E2E=1`; then every missing piece is a failure. Build
//! first: the UI (`npm --prefix ui ci && npm --prefix ui run build`), then
//! `cargo build -p cairn-desktop` (scripts/e2e-desktop.sh does all of it).
//! `CAIRN_DESKTOP_BIN` overrides the binary to test; `CAIRN_DESKTOP_E2E_KEEP=1` keeps
//! the app's temporary home for a look afterwards.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use cairn_e2e::desktop::{
    clear_output_dir, find_program, free_port, noise_png, random_bytes, screen_capture, start_xvfb,
    visible_windows, window_name, xdotool, Processes,
};
use cairn_e2e::leak::{outermost, Needle, Scanner};
use cairn_e2e::webdriver::{wait_until, Element, Session, WdResult, WebDriver};
use cairn_e2e::{hex, is_recovery_code_shape};
use serde_json::{json, Value};
use sha2::Digest;

/// Set to `1` to run the real-window test.
const ENABLE_ENV: &str = "CAIRN_DESKTOP_E2E";
/// Set to `1` to keep the app's temporary home (vault, webview data) after a pass.
const KEEP_ENV: &str = "CAIRN_DESKTOP_E2E_KEEP";
/// The vault's passphrase in this test (strong enough for any strength rule).
const PASSPHRASE: &str = "granite lantern orbits seven quiet harbours";
const WRONG_PASSPHRASE: &str = "granite lantern orbits seven quiet harbour";
const TITLE: &str = "Car followed me home from work";
const BUNDLE_PASSPHRASE: &str = "copper meadow lighthouse under nine bridges";
const BODY: &str = "Same grey car as on Monday, parked opposite the house for an hour.";
/// How long to wait for an element.
const WAIT: Duration = Duration::from_secs(20);
/// How long to wait for slow work: app start, the passphrase KDF, storing the photo.
const SLOW: Duration = Duration::from_secs(90);

fn enabled() -> bool {
    std::env::var_os(ENABLE_ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// `target/<profile>` of this test executable (`target/<profile>/deps/e2e-HASH`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let mut dir = exe
        .parent()
        .expect("test executable's folder")
        .to_path_buf();
    if dir.file_name() == Some(OsStr::new("deps")) {
        dir.pop();
    }
    dir
}

/// `target/NAME`, emptied: where a run's screenshots and logs go.
fn screens_dir(name: &str) -> PathBuf {
    let out = profile_dir().parent().expect("target folder").join(name);
    clear_output_dir(&out);
    out
}

/// The programs the test needs; a missing one fails the test with what to do.
pub(crate) struct Tools {
    app: PathBuf,
    tauri_driver: PathBuf,
    webkit_driver: PathBuf,
    xvfb: PathBuf,
}

impl Tools {
    pub(crate) fn find() -> Tools {
        let app = match std::env::var_os("CAIRN_DESKTOP_BIN") {
            Some(p) => PathBuf::from(p),
            None => profile_dir().join("cairn-desktop"),
        };
        let mut missing = Vec::new();
        if !app.is_file() {
            missing.push(format!(
                "the app binary {} (build the UI with `npm --prefix ui ci && npm --prefix ui \
                 run build`, then `cargo build -p cairn-desktop`)",
                app.display()
            ));
        }
        let tauri_driver = find_program("tauri-driver").or_else(|| {
            let p = PathBuf::from(std::env::var_os("HOME")?).join(".cargo/bin/tauri-driver");
            p.is_file().then_some(p)
        });
        if tauri_driver.is_none() {
            missing.push("tauri-driver (`cargo install tauri-driver --locked`)".into());
        }
        let webkit_driver = find_program("WebKitWebDriver");
        if webkit_driver.is_none() {
            missing.push("WebKitWebDriver (apt package webkit2gtk-driver)".into());
        }
        let xvfb = find_program("Xvfb");
        if xvfb.is_none() {
            missing.push("Xvfb (apt package xvfb)".into());
        }
        if find_program("xdotool").is_none() {
            missing.push("xdotool (apt package xdotool), which types into the file dialog".into());
        }
        assert!(
            missing.is_empty(),
            "{ENABLE_ENV} is set but the desktop test cannot run; missing:\n  - {}",
            missing.join("\n  - ")
        );
        Tools {
            app: app.canonicalize().expect("canonical app path"),
            tauri_driver: tauri_driver.unwrap(),
            webkit_driver: webkit_driver.unwrap(),
            xvfb: xvfb.unwrap(),
        }
    }
}

/// What [`launch`] started.
pub(crate) struct Launched {
    /// Xvfb, tauri-driver (and through it WebKitWebDriver and the app).
    pub procs: Processes,
    /// The X display.
    pub display: String,
    /// tauri-driver's port.
    pub port: u16,
    /// The WebDriver session (the app's window).
    pub session: Session,
    /// What tauri-driver, WebKitWebDriver and the app printed.
    pub log: PathBuf,
}

/// Starts Xvfb and tauri-driver with a private home for the app, then the app itself
/// through a WebDriver session. `extra_env` is added to the app's environment.
pub(crate) fn launch(
    tools: &Tools,
    out: &Path,
    home: &Path,
    vault: &Path,
    extra_env: &[(&str, &str)],
) -> Launched {
    let runtime = home.join(".run");
    for d in [".config", ".local/share", ".local/state", ".cache"] {
        fs::create_dir_all(home.join(d)).expect("create home folders");
    }
    fs::create_dir_all(&runtime).expect("create runtime folder");
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let mut procs = Processes::new();
    let display = start_xvfb(&mut procs, &tools.xvfb, &out.join("xvfb.log"))
        .unwrap_or_else(|e| panic!("desktop e2e: {e}"));

    let port = free_port();
    let native_port = loop {
        let p = free_port();
        if p != port {
            break p;
        }
    };
    let driver_log_path = out.join("tauri-driver.log");
    let driver_log = fs::File::create(&driver_log_path).expect("create driver log");
    let mut driver = Command::new(&tools.tauri_driver);
    driver
        .arg("--port")
        .arg(port.to_string())
        .arg("--native-port")
        .arg(native_port.to_string())
        .arg("--native-driver")
        .arg(&tools.webkit_driver)
        .stdin(Stdio::null())
        .stdout(driver_log.try_clone().expect("dup log"))
        .stderr(driver_log);
    // tauri-driver passes its environment on to WebKitWebDriver and the app.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("XDG_") || k.starts_with("CAIRN_") || k.starts_with("WAYLAND") {
            driver.env_remove(&k);
        }
    }
    driver
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("DISPLAY", &display)
        .env("GDK_BACKEND", "x11")
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("CAIRN_WEBDRIVER", "1")
        .env("CAIRN_VAULT", vault);
    for (k, v) in extra_env {
        driver.env(k, v);
    }
    procs
        .spawn("tauri-driver", &mut driver)
        .unwrap_or_else(|e| panic!("desktop e2e: {e}"));
    let wd = WebDriver::new(format!("http://127.0.0.1:{port}"));
    let up = wait_until("tauri-driver to answer", WAIT, || {
        if let Some(st) = procs.exited("tauri-driver") {
            return Ok(Some(Err(format!("tauri-driver exited: {st}"))));
        }
        Ok(wd.is_up().then_some(Ok(())))
    })
    .and_then(|r| r);
    if let Err(e) = up {
        panic!("desktop e2e: {e}; see {}", driver_log_path.display());
    }
    let session = wd
        .new_session(json!({ "tauri:options": { "application": tools.app } }))
        .unwrap_or_else(|e| {
            panic!(
                "desktop e2e: could not start the app through WebDriver: {e}; see {}",
                driver_log_path.display()
            )
        });
    Launched {
        procs,
        display,
        port,
        session,
        log: driver_log_path,
    }
}

/// The window being driven, the current step (for failure messages) and the screenshots.
struct Ui<'a> {
    s: &'a Session,
    out: &'a Path,
    display: &'a str,
    step: String,
    shots: u32,
    started: Instant,
    /// The passphrase dialog has had its screenshot.
    reauth_shot: bool,
}

fn tid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Returns the loaded `<img>` at `css` (the element itself or an image inside it),
/// searched under `root` (or the whole page): `null` if missing.
const FIND_IMG: &str = "const root = arguments[0] || document;
const el = root.querySelector(arguments[1]);
if (!el) return null;
return el.tagName === 'IMG' ? el : el.querySelector('img');";

impl Ui<'_> {
    fn step(&mut self, name: &str) {
        self.step = name.to_string();
        eprintln!(
            "desktop e2e [{:5.1} s] {name}",
            self.started.elapsed().as_secs_f64()
        );
    }

    fn wait(&self, id: &str, timeout: Duration) -> WdResult<Element> {
        self.s.wait_for(&tid(id), timeout)
    }

    fn click(&self, id: &str) -> WdResult<()> {
        let e = self.wait(id, WAIT)?;
        wait_until(&format!("{id} to be enabled"), WAIT, || {
            Ok(self.s.enabled(&e)?.then_some(()))
        })?;
        self.s.scroll_to_center(&e)?;
        self.s.click(&e)
    }

    fn type_into(&self, id: &str, text: &str) -> WdResult<()> {
        let e = self.wait(id, WAIT)?;
        self.s.scroll_to_center(&e)?;
        self.s.click(&e)?;
        self.s.send_keys(&e, text)
    }

    /// The element's `innerText`. (WebKitWebDriver's "get element text" leaves out
    /// text in `overflow: hidden; text-overflow: ellipsis` boxes, like timeline titles.)
    fn inner_text(&self, e: &Element) -> WdResult<String> {
        let v = self
            .s
            .execute("return arguments[0].innerText;", vec![e.json()])?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// All the text the window shows (`document.body.innerText`).
    fn body_text(&self) -> WdResult<String> {
        let v = self.s.execute("return document.body.innerText;", vec![])?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    fn text(&self, id: &str) -> WdResult<String> {
        let e = self.wait(id, WAIT)?;
        self.inner_text(&e)
    }

    /// Types her passphrase into the dialog that a change made from the open window
    /// asks for (redaction, export, decoy, a new backup folder, a weaker setting).
    fn reauth(&mut self, what: &str) -> WdResult<()> {
        self.wait("reauth-pass", SLOW)
            .map_err(|e| format!("no passphrase asked before {what}: {e}"))?;
        if self.shots_wanted(what) {
            self.shot("reauth")?;
        }
        self.type_into("reauth-pass", PASSPHRASE)?;
        self.click("reauth-continue")?;
        wait_until("the passphrase dialog to close", SLOW, || {
            Ok((!self.is_displayed("reauth-pass")?).then_some(()))
        })
    }

    /// One screenshot of the passphrase dialog is enough: the first.
    fn shots_wanted(&mut self, _what: &str) -> bool {
        !std::mem::replace(&mut self.reauth_shot, true)
    }

    fn is_displayed(&self, id: &str) -> WdResult<bool> {
        Ok(!self.s.find_displayed(&tid(id))?.is_empty())
    }

    /// Saves the next screenshot, `NN-name.png`.
    fn shot(&mut self, name: &str) -> WdResult<()> {
        self.shots += 1;
        let p = self.out.join(format!("{:02}-{name}.png", self.shots));
        self.s.save_screenshot(&p)
    }

    /// Waits until the image `css` (under `root`) is displayed and decoded with a
    /// non-zero natural size; returns that size.
    fn wait_image(&self, root: Option<&Element>, css: &str, what: &str) -> WdResult<(u64, u64)> {
        let root = root.map_or(Value::Null, Element::json);
        wait_until(
            &format!("{what} to show (displayed, naturalWidth > 0)"),
            SLOW,
            || {
                let v = self.s.execute(FIND_IMG, vec![root.clone(), json!(css)])?;
                if v.is_null() {
                    return Err(format!("no <img> at {css}"));
                }
                let img = Element(
                    v[cairn_e2e::webdriver::ELEMENT_KEY]
                        .as_str()
                        .ok_or_else(|| format!("not an element: {v}"))?
                        .to_string(),
                );
                if !self.s.displayed(&img)? {
                    return Err(format!("the <img> at {css} is not displayed"));
                }
                let complete = self.s.property(&img, "complete")?.as_bool() == Some(true);
                let w = self.s.property(&img, "naturalWidth")?.as_u64().unwrap_or(0);
                let h = self
                    .s
                    .property(&img, "naturalHeight")?
                    .as_u64()
                    .unwrap_or(0);
                if complete && w == 0 {
                    return Err(format!("the <img> at {css} finished loading but is broken"));
                }
                Ok((complete && w > 0 && h > 0).then_some((w, h)))
            },
        )
    }

    /// The timeline row of our incident (the one whose text has the title).
    fn incident_row(&self) -> WdResult<Element> {
        wait_until("the incident's row in the timeline", WAIT, || {
            for row in self.s.find_displayed(&tid("timeline-row"))? {
                if self.inner_text(&row)?.contains(TITLE) {
                    return Ok(Some(row));
                }
            }
            Ok(None)
        })
    }
}

/// Everything random this run made up.
struct Secrets {
    marker: String,
    photo: PathBuf,
    photo_window: Vec<u8>,
    /// The vault folder the app uses, and a chat export beside the photo, imported
    /// with the CLI while the app is locked.
    vault: PathBuf,
    chat: PathBuf,
}

/// A short WhatsApp export (Android, 24-hour clock).
const CHAT: &str = "31/12/2025, 21:42 - Sam: Where are you?\n\
31/12/2025, 21:42 - Alex: At my mum's. Leave me alone.\n\
31/12/2025, 21:43 - Sam: Answer me. I know you're at your mum's\n";

/// An SMS Backup & Restore file with one MMS (a photo and words) sent in 2024, so it
/// sorts below the WhatsApp chat; `{DATA}` is the photo's base64.
const SMS: &str = "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n\
<smses count=\"1\" backup_set=\"x\" backup_date=\"1704456000000\" type=\"full\">\n\
<mms date=\"1704455100000\" ct_t=\"application/vnd.wap.multipart.related\" msg_box=\"1\" address=\"+447700900123\" sub=\"null\" readable_date=\"5 Jan 2024 11:45:00\" contact_name=\"Sam\">\n\
<parts>\n\
<part seq=\"0\" ct=\"image/png\" name=\"IMG_1.png\" chset=\"null\" cd=\"null\" fn=\"null\" cid=\"&lt;IMG_1&gt;\" cl=\"IMG_1.png\" ctt_s=\"null\" ctt_t=\"null\" text=\"null\" data=\"{DATA}\" />\n\
<part seq=\"1\" ct=\"text/plain\" name=\"null\" chset=\"106\" cd=\"null\" fn=\"null\" cid=\"null\" cl=\"text_0.txt\" ctt_s=\"null\" ctt_t=\"null\" text=\"Look at your car\" />\n\
</parts>\n\
<addrs><addr address=\"+447700900123\" type=\"137\" charset=\"106\" /></addrs>\n\
</mms>\n\
</smses>\n";

/// Writes the SMS backup ([`SMS`], an MMS with a photo) beside the chat, for the app's
/// *Import messages* flow.
fn write_sms(secrets: &Secrets) -> WdResult<PathBuf> {
    use base64::Engine;
    let dir = secrets.chat.parent().ok_or("the chat has no folder")?;
    let photo = base64::engine::general_purpose::STANDARD.encode(noise_png(64, 48));
    let sms = dir.join("sms-20240105.xml");
    fs::write(&sms, SMS.replace("{DATA}", &photo)).map_err(|e| e.to_string())?;
    Ok(sms)
}

/// Imports [`CHAT`] into the app's vault with the `cairn` CLI (as she might from a
/// terminal): the app, locked, holds no key and no open database.
fn import_chat_with_cli(secrets: &Secrets) -> WdResult<()> {
    let dir = secrets.chat.parent().ok_or("the chat has no folder")?;
    let chat = secrets.chat.to_str().ok_or("path is not UTF-8")?;
    let out = cairn_cli(&secrets.vault, dir, &["import", "whatsapp", chat])?;
    if !out.status.success() {
        return Err(format!(
            "cairn import whatsapp failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// Runs `cairn --vault VAULT ARGS…` with the test passphrase, in a file in `scratch`
/// that is removed straight after.
fn cairn_cli(vault: &Path, scratch: &Path, args: &[&str]) -> WdResult<std::process::Output> {
    let pass = scratch.join("passphrase");
    fs::write(&pass, format!("{PASSPHRASE}\n")).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(cairn_e2e::cairn_bin())
        .arg("--vault")
        .arg(vault)
        .arg("--passphrase-file")
        .arg(&pass)
        .args(args)
        .output()
        .map_err(|e| format!("run cairn: {e}"));
    let _ = fs::remove_file(&pass);
    out
}

/// Imports the SMS backup through *Import messages*: the native file dialog, the
/// progress bar, and the summary.
fn import_sms_in_app(ui: &mut Ui, sms: &Path) -> WdResult<()> {
    ui.step("import an SMS backup in the app");
    ui.click("nav-messages")?;
    ui.click("import-messages")?;
    ui.wait("source-sms", WAIT)?;
    ui.shot("import-sources")?;
    file_dialog(ui, "import-pick-sms", sms)?;
    let chosen = ui.text("import-path")?;
    if !chosen.contains("sms-20240105.xml") {
        return Err(format!("the chosen export is not shown: {chosen:?}"));
    }
    ui.click("import-go")?;
    let result = ui.wait("import-result", SLOW)?;
    let text = wait_until("the import's summary", WAIT, || {
        let t = ui.inner_text(&result)?;
        Ok(t.contains("Imported").then_some(t))
    })?;
    if !text.contains("1 message ") || !text.contains("1 attached file") {
        return Err(format!("the import's summary is wrong: {text:?}"));
    }
    ui.shot("import-done")
}

/// The WhatsApp conversation as bubbles: she says which sender is her, her message
/// moves to her side; she selects a message and links it to the incident.
fn check_conversation(ui: &mut Ui) -> WdResult<()> {
    ui.step("the conversations and one as bubbles");
    ui.click("nav-messages")?;
    let row = wait_until("the WhatsApp conversation's row", WAIT, || {
        for r in ui.s.find_displayed(&tid("conversation-row"))? {
            let t = ui.inner_text(&r)?;
            if t.contains("Sam") && t.contains("WhatsApp") {
                return Ok(Some(r));
            }
        }
        Ok(None)
    })?;
    ui.shot("conversations")?;
    ui.s.click(&row)?;
    wait_until("three bubbles", WAIT, || {
        Ok((ui.s.find_displayed(&tid("bubble"))?.len() == 3).then_some(()))
    })?;
    let me = ui.wait("conv-me", WAIT)?;
    ui.s.execute(
        "arguments[0].value = 'Alex'; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
        vec![me.json()],
    )?;
    wait_until("her message on her side", WAIT, || {
        Ok((ui
            .s
            .find_displayed("[data-testid=\"bubble\"][data-side=\"mine\"]")?
            .len()
            == 1)
            .then_some(()))
    })?;
    ui.shot("conversation")?;

    ui.step("select a message and link it to the incident");
    let boxes = ui.s.find_displayed(&tid("bubble-select"))?;
    let last = boxes.last().ok_or("no message can be selected")?;
    ui.s.click(last)?;
    ui.wait("conv-selection", WAIT)?;
    ui.click("conv-link")?;
    let choice = ui.wait("link-choice", WAIT)?;
    ui.s.click(&choice)?;
    ui.shot("link-to-incident")?;
    ui.click("link-confirm")?;
    ui.s.wait_gone(&tid("conv-selection"), WAIT)?;

    ui.step("a picture message's photo inline in its conversation");
    ui.click("nav-messages")?;
    let row = wait_until("the SMS conversation's row", WAIT, || {
        for r in ui.s.find_displayed(&tid("conversation-row"))? {
            if ui.inner_text(&r)?.contains("SMS Backup") {
                return Ok(Some(r));
            }
        }
        Ok(None)
    })?;
    ui.s.click(&row)?;
    let (w, h) = ui.wait_image(None, &tid("bubble-thumb"), "the MMS photo in its bubble")?;
    eprintln!("desktop e2e: photo in a bubble {w}x{h}");
    let note = ui.text("conv-times")?;
    if !note.contains("time zone it gives") {
        return Err(format!("the SMS times are not explained: {note:?}"));
    }
    ui.shot("conversation-photo")
}

/// Search finds the message, highlights the words, and opens it in its conversation.
fn check_search(ui: &mut Ui) -> WdResult<()> {
    ui.step("search with highlighted hits");
    ui.click("nav-search")?;
    ui.type_into("search-input", "answer mum")?;
    let hit =
        ui.s.wait_for("[data-testid=\"search-hit\"][data-kind=\"message\"]", WAIT)?;
    let marks = ui.s.execute(
        "return Array.from(arguments[0].querySelectorAll('mark')).map(m => m.textContent);",
        vec![hit.json()],
    )?;
    let marks = marks.to_string();
    if !marks.contains("Answer") || !marks.contains("mum") {
        return Err(format!("the hit does not highlight the words: {marks}"));
    }
    ui.shot("search")?;
    ui.s.click(&hit)?;
    let focused = ui.s.wait_for(".focused[data-testid=\"bubble\"]", WAIT)?;
    let t = ui.inner_text(&focused)?;
    if !t.contains("Answer me.") {
        return Err(format!("the conversation opened on another message: {t:?}"));
    }
    ui.shot("search-hit-in-context")
}

/// Opens the newer imported message from the timeline and checks its detail.
fn check_message(ui: &mut Ui) -> WdResult<()> {
    ui.step("an imported message in the timeline and its detail");
    ui.click("nav-timeline")?;
    let row = ui.s.wait_for(
        "[data-testid=\"timeline-row\"][data-id^=\"msg-\"] button",
        WAIT,
    )?;
    // The newest message first, its words on the row.
    let words = ui.inner_text(&row)?;
    if !words.contains("Answer me. I know you're at your mum's") {
        return Err(format!(
            "the message's row does not show its text: {words:?}"
        ));
    }
    ui.shot("timeline-messages")?;
    ui.s.click(&row)?;
    let details = ui.wait("message-details", WAIT)?;
    let text = wait_until("the message's text", WAIT, || {
        let t = ui.inner_text(&details)?;
        Ok((t.contains("Sam") && t.contains("original WhatsApp export")).then_some(t))
    })?;
    if !text.contains("Where are you?") && !text.contains("Answer me.") {
        return Err("the message's detail does not show its text".into());
    }
    if !text.contains("no time zone") {
        return Err(format!(
            "a WhatsApp time is not said to have no zone: {text:?}"
        ));
    }
    ui.shot("message-detail")?;

    ui.step("an MMS with a photo: its time in UTC and its attached file");
    ui.click("nav-timeline")?;
    let row = wait_until("the MMS's row", WAIT, || {
        for r in
            ui.s.find_all("[data-testid=\"timeline-row\"][data-id^=\"msg-\"] button")?
        {
            if ui.inner_text(&r)?.contains("Look at your car") {
                return Ok(Some(r));
            }
        }
        Ok(None)
    })?;
    ui.s.click(&row)?;
    let details = ui.wait("message-details", WAIT)?;
    let text = wait_until("the MMS's detail", WAIT, || {
        let t = ui.inner_text(&details)?;
        Ok(t.contains("Look at your car").then_some(t))
    })?;
    for needle in [
        "UTC, as the export recorded it",
        "Attached file",
        "the attached file",
        "SMS Backup",
    ] {
        if !text.contains(needle) {
            return Err(format!("the MMS's detail lacks {needle:?}: {text:?}"));
        }
    }
    ui.shot("message-with-photo")
}

/// Picks the photo in the native (GTK) file dialog.
fn attach_photo(ui: &mut Ui, photo: &Path) -> WdResult<()> {
    file_dialog(ui, "attach-files", photo)
}

/// Clicks `button`, which opens a native (GTK) open or save dialog: waits for the new
/// window, focuses it, opens its location bar (ctrl+L; a save dialog's name field
/// takes a whole path as it is), types the path and presses Enter.
fn file_dialog(ui: &mut Ui, button: &str, file: &Path) -> WdResult<()> {
    let display = ui.display;
    let before = visible_windows(display)?;
    ui.click(button)?;
    // The dialog's top-level window is the new one with a title (GTK also maps an
    // untitled helper window).
    let (dialog, name) = wait_until("the native file dialog to open", WAIT, || {
        for w in visible_windows(display)? {
            if !before.contains(&w) {
                let name = window_name(display, &w);
                if !name.is_empty() {
                    return Ok(Some((w, name)));
                }
            }
        }
        Ok(None)
    })?;
    eprintln!("desktop e2e: file dialog {name:?} (window {dialog})");
    let path = file.to_str().ok_or("path is not UTF-8")?;
    // Let GTK finish mapping the dialog before keys arrive.
    std::thread::sleep(Duration::from_millis(500));
    let mut last_err = String::new();
    for attempt in 1..=3 {
        // ctrl+L shows and focuses the location bar, ctrl+A selects what it holds (a
        // failed attempt's text, or an inline completion) so typing replaces it.
        xdotool(display, &["windowfocus", "--sync", &dialog])?;
        xdotool(display, &["key", "--clearmodifiers", "ctrl+l"])?;
        std::thread::sleep(Duration::from_millis(200));
        xdotool(display, &["key", "--clearmodifiers", "ctrl+a"])?;
        xdotool(display, &["type", "--delay", "20", path])?;
        std::thread::sleep(Duration::from_millis(300));
        // GTK completes a folder's only subfolder inline, as selected text (a
        // backup's `blobs`): Delete drops it, and does nothing when there is none.
        xdotool(display, &["key", "--clearmodifiers", "Delete"])?;
        std::thread::sleep(Duration::from_millis(100));
        if attempt == 1 {
            ui.shots += 1;
            let p = ui
                .out
                .join(format!("{:02}-file-dialog-{}.png", ui.shots, slug(button)));
            if let Err(e) = screen_capture(display, &p) {
                eprintln!("desktop e2e: no screen capture of the file dialog: {e}");
            }
        }
        xdotool(display, &["key", "--clearmodifiers", "Return"])?;
        match wait_until("the file dialog to close", Duration::from_secs(8), || {
            Ok((!visible_windows(display)?.contains(&dialog)).then_some(()))
        }) {
            Ok(()) => return Ok(()),
            Err(e) => {
                eprintln!("desktop e2e: the file dialog is still open (attempt {attempt})");
                let _ = screen_capture(
                    display,
                    &ui.out.join(format!("dialog-attempt-{attempt}.png")),
                );
                last_err = e;
            }
        }
    }
    Err(format!(
        "the file dialog did not accept the typed path after 3 attempts: {last_err}"
    ))
}

/// Our incident is in the timeline with its thumbnail, and its detail shows the body
/// (with the marker) and the photo.
fn check_incident(ui: &mut Ui, secrets: &Secrets, when: &str) -> WdResult<()> {
    ui.step(&format!(
        "{when}: the incident and its thumbnail in the timeline"
    ));
    let row = ui.incident_row()?;
    let (w, h) = ui.wait_image(Some(&row), &tid("thumb"), "the row's thumbnail")?;
    eprintln!("desktop e2e: timeline thumbnail {w}x{h}");
    ui.shot(&format!("timeline-{when}"))?;

    ui.step(&format!("{when}: the incident's detail"));
    ui.s.click(&row)?;
    let title = ui.wait("detail-title", WAIT)?;
    wait_until("the detail title", WAIT, || {
        Ok(ui.inner_text(&title)?.contains(TITLE).then_some(()))
    })?;
    let body = ui.text("detail-body")?;
    if !body.contains(BODY) || !body.contains(&secrets.marker) {
        // Never print the marker: it must not reach any log file.
        return Err(format!(
            "detail-body does not show the typed text (has body: {}, has marker: {})",
            body.contains(BODY),
            body.contains(&secrets.marker)
        ));
    }
    let (w, h) = ui.wait_image(None, &tid("gallery-thumb"), "the photo in the gallery")?;
    eprintln!("desktop e2e: gallery image {w}x{h}");
    ui.shot(&format!("detail-{when}"))
}

fn run_flow(ui: &mut Ui, secrets: &Secrets, buses: &Buses) -> WdResult<()> {
    ui.step("first run: choose a passphrase");
    ui.wait("new-passphrase", SLOW)?;
    ui.shot("first-run")?;
    ui.type_into("new-passphrase", PASSPHRASE)?;
    ui.type_into("confirm-passphrase", PASSPHRASE)?;
    ui.wait("strength", WAIT)?;
    ui.shot("passphrase-chosen")?;
    ui.click("create-vault")?;

    ui.step("recovery code");
    confirm_recovery_code(ui, true)?;

    ui.step("empty timeline");
    ui.wait("lock-now", SLOW)?;
    ui.wait("new-incident", WAIT)?;
    ui.shot("timeline-empty")?;

    ui.step("new incident");
    ui.click("new-incident")?;
    ui.type_into("incident-title", TITLE)?;
    ui.type_into("incident-body", &format!("{BODY} {}", secrets.marker))?;
    ui.shot("incident-form")?;

    ui.step("attach the photo through the native file dialog");
    attach_photo(ui, &secrets.photo)?;

    ui.step("the attached photo's thumbnail");
    let (w, h) = ui.wait_image(
        None,
        &tid("attached-thumb"),
        "the attached photo's thumbnail",
    )?;
    eprintln!("desktop e2e: attached thumbnail {w}x{h}");
    ui.s.wait_gone(&tid("attach-progress"), SLOW)?;
    ui.shot("photo-attached")?;

    ui.step("save the incident");
    ui.click("incident-save")?;
    // Saving returns to the timeline.
    ui.wait("timeline", SLOW)?;
    check_incident(ui, secrets, "saved")?;

    ui.step("lock");
    ui.click("lock-now")?;
    ui.wait("unlock-passphrase", WAIT)?;
    if ui.is_displayed("detail-body")? || ui.is_displayed("timeline-row")? {
        return Err("the incident is still on screen after locking".into());
    }
    ui.shot("locked")?;

    ui.step("import a WhatsApp chat with the CLI while the app is locked");
    import_chat_with_cli(secrets)?;

    ui.step("a wrong passphrase is refused");
    ui.type_into("unlock-passphrase", WRONG_PASSPHRASE)?;
    ui.click("unlock-submit")?;
    let err = ui.wait("unlock-error", SLOW)?;
    let msg = wait_until("the unlock error's text", WAIT, || {
        let t = ui.inner_text(&err)?;
        Ok((!t.trim().is_empty()).then_some(t))
    })?;
    eprintln!("desktop e2e: wrong passphrase → {:?}", msg.trim());
    if ui.is_displayed("lock-now")? || !ui.is_displayed("unlock-passphrase")? {
        return Err("a wrong passphrase unlocked the vault".into());
    }
    ui.shot("wrong-passphrase")?;

    ui.step("unlock with the right passphrase");
    unlock_again(ui)?;
    ui.shot("unlocked")?;
    if !ui.is_displayed("timeline")? {
        ui.click("nav-timeline")?;
    }
    ui.step("she is told of the wrong passphrase tried while it was locked");
    let notice = ui.wait("failed-attempts", WAIT)?;
    let said = ui.inner_text(&notice)?;
    if !said.contains("Someone tried to open Cairn") {
        return Err(format!("the failed-unlock notice says {said:?}"));
    }
    ui.shot("failed-attempts")?;
    ui.click("failed-attempts-ok")?;
    check_incident(ui, secrets, "after-unlock")?;
    import_sms_in_app(ui, &write_sms(secrets)?)?;
    check_message(ui)?;
    check_conversation(ui)?;
    check_search(ui)?;

    ui.step("integrity check");
    ui.click("nav-integrity")?;
    ui.click("run-verify")?;
    let result = ui.wait("verify-result", SLOW)?;
    let ok = wait_until("the integrity check to finish (data-ok)", SLOW, || {
        Ok(ui
            .s
            .attribute(&result, "data-ok")?
            .filter(|v| v == "true" || v == "false"))
    })?;
    let text = ui.inner_text(&result)?;
    ui.shot("integrity")?;
    if ok != "true" {
        return Err(format!(
            "the integrity check did not say intact: data-ok={ok:?}, text {:?}",
            text.trim()
        ));
    }
    eprintln!("desktop e2e: integrity → {:?}", text.trim());

    share_and_check(ui, secrets)?;
    back_up_in_app(ui, secrets)?;
    quick_exit_and_locks(ui, buses)?;
    decoy_in_app(ui)?;

    // The smallest window the app supports: the timeline still shows its rows.
    ui.step("the timeline at 800×600");
    ui.s.set_window_size(800, 600)?;
    ui.click("nav-timeline")?;
    ui.wait("timeline-row", WAIT)?;
    ui.shot("timeline-800x600")?;
    Ok(())
}

/// The timeline reminds her there is no backup; *Back up now* in Settings writes one
/// to an empty folder chosen in the native dialog, checked and recorded; *Check a
/// backup* reads it back; the backup opens and verifies with the CLI; the reminder is
/// gone.
fn back_up_in_app(ui: &mut Ui, secrets: &Secrets) -> WdResult<()> {
    ui.step("the reminder, then back up now");
    ui.click("nav-timeline")?;
    ui.wait("backup-reminder", WAIT)?;
    ui.shot("backup-reminder")?;
    let dest = secrets
        .vault
        .parent()
        .ok_or("the vault has no parent folder")?
        .join("usb-backup");
    fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
    ui.click("nav-settings")?;
    ui.wait("backups", WAIT)?;
    file_dialog(ui, "backup-now", &dest)?;
    ui.reauth("a backup to a new folder")?;
    let done = ui.wait("backup-done", SLOW)?;
    let text = ui.inner_text(&done)?;
    if !text.contains("Backed up:") {
        return Err(format!("the backup's summary is wrong: {text:?}"));
    }
    let last = ui.text("backup-last")?;
    if !last.contains("Last backup") {
        return Err(format!(
            "Settings does not show the newest backup: {last:?}"
        ));
    }
    ui.shot("backup-done")?;

    // The monthly check, from the same panel: the backup read back against the vault.
    file_dialog(ui, "backup-check", &dest)?;
    let checked = ui.wait("backup-checked", SLOW)?;
    let text = ui.inner_text(&checked)?;
    if !text.contains("nothing had changed") {
        return Err(format!("the check's summary is wrong: {text:?}"));
    }
    if !ui.text("backup-last-checked")?.contains("Last checked") {
        return Err("Settings does not show the last check".into());
    }
    ui.shot("backup-checked")?;

    let scratch = dest.parent().ok_or("the backup has no parent folder")?;
    let out = cairn_cli(&dest, scratch, &["verify"])?;
    if !out.status.success() {
        return Err(format!(
            "the backup written by the app does not verify: {}",
            String::from_utf8_lossy(&out.stdout).trim()
        ));
    }
    ui.click("nav-timeline")?;
    ui.wait("timeline-row", WAIT)?;
    if ui.is_displayed("backup-reminder")? {
        return Err("the reminder is still shown after a backup".into());
    }
    Ok(())
}

/// The test's own D-Bus buses, given to the app as its session and system bus.
struct Buses {
    session: String,
    system: String,
}

/// Sends the signal `member` (an interface's, as `iface.Member`) with `true` on `bus`.
fn bus_signal(bus: &str, path: &str, member: &str) -> WdResult<()> {
    let sent = Command::new("dbus-send")
        .arg(format!("--bus={bus}"))
        .args(["--type=signal", path, member, "boolean:true"])
        .output()
        .map_err(|e| format!("run dbus-send: {e}"))?;
    if !sent.status.success() {
        return Err(format!(
            "dbus-send {member} failed: {}",
            String::from_utf8_lossy(&sent.stderr)
        ));
    }
    Ok(())
}

/// The X window whose title is `title`.
fn window_titled(ui: &Ui, title: &str) -> WdResult<String> {
    wait_until(&format!("a window titled {title:?}"), WAIT, || {
        for w in visible_windows(ui.display)? {
            if window_name(ui.display, &w) == title {
                return Ok(Some(w));
            }
        }
        Ok(None)
    })
}

/// Waits until the window `w` is titled `title` (the title bar, the taskbar).
fn wait_title(ui: &Ui, w: &str, title: &str) -> WdResult<()> {
    wait_until(&format!("the window to be titled {title:?}"), WAIT, || {
        Ok((window_name(ui.display, w) == title).then_some(()))
    })
}

/// Real key presses (X events) into the window `w`.
fn keys(ui: &Ui, w: &str, keys: &[&str]) -> WdResult<()> {
    xdotool(ui.display, &["windowfocus", "--sync", w])?;
    let mut args = vec!["key", "--clearmodifiers", "--delay", "120"];
    args.extend_from_slice(keys);
    xdotool(ui.display, &args).map(|_| ())
}

/// The window shows the unlock screen and nothing of the vault.
fn shows_locked(ui: &Ui, what: &str) -> WdResult<()> {
    ui.wait("unlock-passphrase", SLOW)?;
    if ui.body_text()?.contains(TITLE) || ui.is_displayed("timeline-row")? {
        return Err(format!("{what}: the incident is still in the window"));
    }
    Ok(())
}

/// The recovery-code screen after set-up: reads the code (checking its shape), types
/// its third group back and confirms; with `shot`, a screenshot of the code.
fn confirm_recovery_code(ui: &mut Ui, shot: bool) -> WdResult<()> {
    let code_el = ui.wait("recovery-code", SLOW)?;
    let code = wait_until("the recovery code", WAIT, || {
        let t = ui.inner_text(&code_el)?.trim().to_string();
        Ok(is_recovery_code_shape(&t).then_some(t))
    })?;
    if shot {
        ui.shot("recovery-code")?;
    }
    let third = code
        .split('-')
        .nth(2)
        .ok_or("the code has no third group")?;
    ui.type_into("recovery-confirm", third)?;
    ui.click("recovery-done")
}

/// Types `pass` at the unlock screen and waits until it is unlocked.
fn unlock_with(ui: &mut Ui, pass: &str) -> WdResult<()> {
    let field = ui.wait("unlock-passphrase", WAIT)?;
    ui.s.clear(&field)?;
    ui.type_into("unlock-passphrase", pass)?;
    ui.click("unlock-submit")?;
    ui.wait("lock-now", SLOW)?;
    Ok(())
}

fn unlock_again(ui: &mut Ui) -> WdResult<()> {
    unlock_with(ui, PASSPHRASE)
}

/// Quick exit with Escape three times and with her own shortcut (real X key presses),
/// to the neutral page and back; the disguise's title and look; a screen lock heard on
/// the session bus and logind's going-to-sleep on the system bus (the app's own
/// buses); and auto-lock after a minute without use.
fn quick_exit_and_locks(ui: &mut Ui, buses: &Buses) -> WdResult<()> {
    ui.step("quick exit: Escape three times");
    ui.click("nav-timeline")?;
    ui.wait("timeline-row", WAIT)?;
    let w = window_titled(ui, "Cairn")?;
    keys(ui, &w, &["Escape", "Escape", "Escape"])?;
    ui.wait("neutral-screen", WAIT)?;
    wait_title(ui, &w, "Notes")?;
    if ui.body_text()?.contains(TITLE) || ui.is_displayed("lock-now")? {
        return Err("the neutral page still shows the vault".into());
    }
    ui.shot("quick-exit-neutral")?;
    ui.step("Escape three times again: the unlock screen");
    keys(ui, &w, &["Escape", "Escape", "Escape"])?;
    shows_locked(ui, "after quick exit")?;
    wait_title(ui, &w, "Cairn")?;
    unlock_again(ui)?;

    ui.step("disguise as Budget, and her own shortcut");
    ui.click("nav-settings")?;
    ui.click("disguise-budget")?;
    ui.reauth("the disguise")?;
    wait_title(ui, &w, "Budget")?;
    ui.click("record-shortcut")?;
    keys(ui, &w, &["ctrl+alt+n"])?;
    ui.reauth("the quick-exit shortcut")?;
    wait_until("the shortcut to be saved", WAIT, || {
        Ok(ui
            .text("quick-exit-shortcut")?
            .contains("Ctrl + Alt + N")
            .then_some(()))
    })?;
    ui.shot("settings-quick-exit-disguise")?;
    ui.step("quick exit with her shortcut");
    keys(ui, &w, &["ctrl+alt+n"])?;
    ui.wait("neutral-screen", WAIT)?;
    let heading = ui.text("screen-title")?;
    if heading.trim() != "Budget" {
        return Err(format!("the disguised neutral page is titled {heading:?}"));
    }
    ui.shot("quick-exit-budget")?;
    keys(ui, &w, &["ctrl+alt+n"])?;
    shows_locked(ui, "after the shortcut")?;
    let heading = ui.text("screen-title")?;
    if heading.contains("Cairn") {
        return Err(format!("the disguised unlock screen says {heading:?}"));
    }
    ui.shot("locked-disguised")?;
    unlock_again(ui)?;
    ui.click("nav-settings")?;
    ui.click("disguise-none")?;
    ui.reauth("no disguise")?;
    wait_title(ui, &w, "Cairn")?;

    ui.step("the screen locks: Cairn locks");
    bus_signal(
        &buses.session,
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver.ActiveChanged",
    )?;
    shows_locked(ui, "after the screen locked")?;
    ui.shot("locked-by-screen-lock")?;
    unlock_again(ui)?;

    ui.step("the laptop goes to sleep: Cairn locks");
    bus_signal(
        &buses.system,
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager.PrepareForSleep",
    )?;
    shows_locked(ui, "after the laptop went to sleep")?;
    unlock_again(ui)?;

    ui.step("auto-lock after 1 minute without use");
    ui.click("nav-settings")?;
    let minutes = ui.wait("auto-lock-minutes", WAIT)?;
    ui.s.clear(&minutes)?;
    ui.type_into("auto-lock-minutes", "1")?;
    ui.click("settings-save")?;
    let set = Instant::now();
    ui.wait("unlock-passphrase", Duration::from_secs(100))?;
    let after = set.elapsed();
    if after < Duration::from_secs(55) {
        return Err(format!("auto-lock came after only {after:?}"));
    }
    eprintln!(
        "desktop e2e: auto-locked {:.0} s after the last use",
        after.as_secs_f64()
    );
    shows_locked(ui, "after auto-lock")?;
    unlock_again(ui)?;
    // Back to the default for the rest of the run.
    ui.click("nav-settings")?;
    let minutes = ui.wait("auto-lock-minutes", WAIT)?;
    ui.s.clear(&minutes)?;
    ui.type_into("auto-lock-minutes", "5")?;
    ui.click("settings-save")?;
    // Longer than before: her passphrase first.
    ui.reauth("a longer auto-lock")?;
    Ok(())
}

/// Settings → Decoy passphrase: the decoy opens an empty vault through the same unlock
/// screen; the real passphrase opens hers again.
fn decoy_in_app(ui: &mut Ui) -> WdResult<()> {
    const DECOY: &str = "plum orchard sunday kettle ferry";
    ui.step("set a decoy passphrase");
    ui.click("nav-settings")?;
    ui.type_into("decoy-passphrase", DECOY)?;
    ui.type_into("decoy-confirm-passphrase", DECOY)?;
    ui.click("decoy-save")?;
    ui.reauth("the decoy")?;
    ui.wait("decoy-set", SLOW)?;
    let e = ui.wait("decoy", WAIT)?;
    ui.s.scroll_to_center(&e)?;
    ui.shot("decoy-set")?;
    ui.step("unlock with the decoy: an empty vault");
    ui.click("lock-now")?;
    unlock_with(ui, DECOY)?;
    ui.click("nav-timeline")?;
    wait_until("the decoy's empty timeline", WAIT, || {
        Ok(ui.body_text()?.contains("0 entries").then_some(()))
    })?;
    if ui.is_displayed("timeline-row")? {
        return Err("the decoy shows the real vault's timeline".into());
    }
    ui.shot("decoy-timeline")?;
    ui.step("lock, and the real passphrase opens her vault");
    ui.click("lock-now")?;
    unlock_again(ui)?;
    ui.click("nav-timeline")?;
    ui.wait("timeline-row", WAIT)?;
    Ok(())
}

/// Shares everything as a sealed bundle through the wizard (saved with the native save
/// dialog), checks it in *Open a bundle*, and finds the handover in the reports.
fn share_and_check(ui: &mut Ui, secrets: &Secrets) -> WdResult<()> {
    ui.step("share with your solicitor");
    ui.click("nav-share")?;
    wait_until("the share plan", WAIT, || {
        let t = ui.text("share-plan")?;
        Ok(t.contains("exhibit").then_some(()))
    })?;
    ui.shot("share-what")?;
    ui.click("share-next")?;
    ui.type_into("share-initials", "ab")?;
    ui.wait("share-exhibits", WAIT)?;
    ui.shot("share-exhibits")?;
    ui.click("share-next")?;
    ui.type_into("share-passphrase", BUNDLE_PASSPHRASE)?;
    ui.type_into("share-passphrase-confirm", BUNDLE_PASSPHRASE)?;
    ui.shot("share-seal")?;
    ui.click("share-next")?;
    ui.wait("share-summary", WAIT)?;
    ui.shot("share-summary")?;
    // Beside the photo: outside the scanned folders (sealed, but it is hers to keep).
    let bundle = secrets.photo.with_file_name("for-my-solicitor.age");
    file_dialog(ui, "share-save", &bundle)?;
    ui.reauth("the export")?;
    ui.wait("share-done", SLOW)?;
    ui.shot("share-done")?;
    let bytes = fs::read(&bundle).map_err(|e| format!("the bundle was not saved: {e}"))?;
    if !bytes.starts_with(b"age-encryption.org/v1") {
        return Err("the saved bundle is not sealed with age".into());
    }
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let shown = ui.text("share-bundle-sha")?;
    if shown.trim() != sha {
        return Err(format!(
            "the wizard shows SHA-256 {shown:?}, the file has {sha}"
        ));
    }

    ui.step("open the bundle");
    ui.click("nav-integrity")?;
    ui.click("open-bundle")?;
    file_dialog(ui, "bundle-choose", &bundle)?;
    ui.type_into("bundle-passphrase", BUNDLE_PASSPHRASE)?;
    ui.click("bundle-check")?;
    let result = ui.wait("bundle-result", SLOW)?;
    let ok = ui.s.attribute(&result, "data-ok")?;
    let text = ui.inner_text(&result)?;
    ui.shot("bundle-checked")?;
    if ok.as_deref() != Some("true") {
        return Err(format!(
            "the bundle did not check as intact: {:?}",
            text.trim()
        ));
    }
    eprintln!("desktop e2e: bundle → {:?}", text.trim());

    ui.step("the handover is on record");
    ui.click("nav-reports")?;
    let row = ui.wait("report-row", WAIT)?;
    let t = ui.inner_text(&row)?;
    if !t.contains("Solicitor") {
        return Err(format!(
            "the handover row does not name the solicitor: {t:?}"
        ));
    }
    ui.shot("reports")?;
    Ok(())
}

/// Files and bytes under each folder (up to 3 levels deep) of `root`, one line each.
/// A session bus that only routes messages: no service is ever started on it.
fn bus_config_xml(address: &str) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
    )
}

fn summarize(root: &Path) -> String {
    let mut by_dir: std::collections::BTreeMap<PathBuf, (u64, u64)> = Default::default();
    for (rel, bytes) in cairn_e2e::hash_tree(root) {
        let Some(bytes) = bytes else { continue };
        let dir: PathBuf = rel
            .parent()
            .map(|p| p.components().take(3).collect())
            .unwrap_or_default();
        let e = by_dir.entry(dir).or_default();
        e.0 += 1;
        e.1 += bytes.len() as u64;
    }
    by_dir
        .iter()
        .map(|(d, (n, b))| format!("  ~/{}: {n} files, {b} bytes", d.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[test]
fn real_window() {
    if !enabled() {
        println!("desktop real-window test skipped: set {ENABLE_ENV}=1 to run it");
        return;
    }
    // Files changed under the real home from here on are scanned for leaks.
    let started = SystemTime::now() - Duration::from_secs(2);
    let clock = Instant::now();
    let tools = Tools::find();
    let out = screens_dir("e2e-screens");

    // A fresh home for the app (and its webview's XDG folders), with the vault in it.
    let scratch = tempfile::Builder::new()
        .prefix("cairn-desktop-e2e-")
        .tempdir()
        .expect("temp dir");
    let home = scratch.path().join("home");
    let vault = home.join("vault");

    // The photo: random noise, so its bytes exist nowhere else; outside the scanned
    // home, and skipped by the scan (it is the one legitimate plaintext copy).
    let photo_dir = tempfile::Builder::new()
        .prefix("cairn-e2e-photo-")
        .tempdir()
        .expect("temp dir");
    let photo_bytes = noise_png(320, 240);
    let photo = photo_dir
        .path()
        .join(format!("evidence-{}.png", hex(&random_bytes(4))));
    fs::write(&photo, &photo_bytes).expect("write photo");
    let mid = photo_bytes.len() / 2;
    let secrets = Secrets {
        marker: format!("marker-{}", hex(&random_bytes(8))),
        photo: photo.canonicalize().expect("canonical photo path"),
        photo_window: photo_bytes[mid - 32..mid + 32].to_vec(),
        vault: vault.clone(),
        chat: photo_dir.path().join("WhatsApp Chat with Sam.txt"),
    };
    fs::write(&secrets.chat, CHAT).expect("write chat");

    // The network audit: the app (and every process it starts, WebKit's included) runs
    // under strace, which logs each connection it tries.
    let connect_log = scratch.path().join("app-connect.log");
    let traced_app = scratch.path().join("cairn-desktop-traced");
    let strace = find_program("strace").expect("strace (installed by scripts/setup.sh)");
    fs::write(
        &traced_app,
        format!(
            "#!/bin/sh\nenv > '{}'\nexec '{}' -f -qq --seccomp-bpf -e trace=connect -o '{}' '{}' \"$@\"\n",
            scratch.path().join("app-env.txt").display(),
            strace.display(),
            connect_log.display(),
            tools.app.display()
        ),
    )
    .expect("write the traced app's wrapper");
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&traced_app, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut tools = tools;
    tools.app = traced_app;

    // A session bus and a system bus of the app's own (no services to start), on which
    // the test says the screen locked and the laptop is going to sleep.
    let mut bus_procs = cairn_e2e::desktop::Processes::new();
    let mut start_bus = |name: &str| -> String {
        let socket = scratch.path().join(format!("{name}-bus"));
        let address = format!("unix:path={}", socket.display());
        let config = scratch.path().join(format!("{name}-bus.conf"));
        fs::write(&config, bus_config_xml(&address)).expect("write bus config");
        bus_procs
            .spawn(
                "dbus-daemon",
                Command::new("dbus-daemon")
                    .arg("--nofork")
                    .arg(format!("--config-file={}", config.display()))
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null()),
            )
            .unwrap_or_else(|e| panic!("desktop e2e: {e} (apt package dbus)"));
        wait_until("the bus to listen", WAIT, || {
            Ok(socket.exists().then_some(()))
        })
        .unwrap_or_else(|e| panic!("desktop e2e: {e}"));
        address
    };
    let buses = Buses {
        session: start_bus("session"),
        system: start_bus("system"),
    };

    let Launched {
        mut procs,
        display,
        port,
        session,
        log: driver_log_path,
    } = launch(
        &tools,
        &out,
        &home,
        &vault,
        &[
            ("DBUS_SESSION_BUS_ADDRESS", &buses.session),
            ("DBUS_SYSTEM_BUS_ADDRESS", &buses.system),
        ],
    );
    eprintln!(
        "desktop e2e: display {display}, driver port {port}, session {}, real KDF",
        session.id()
    );

    let mut ui = Ui {
        s: &session,
        out: &out,
        display: &display,
        step: "start".into(),
        shots: 0,
        started: clock,
        reauth_shot: false,
    };
    let flow = run_flow(&mut ui, &secrets, &buses);
    let step = ui.step.clone();
    if let Err(e) = flow {
        let fail = out.join(format!("fail-{}.png", slug(&step)));
        let shot = session
            .save_screenshot(&fail)
            .map(|_| fail.display().to_string());
        let _ = screen_capture(
            &display,
            &out.join(format!("fail-{}-screen.png", slug(&step))),
        );
        let _ = session.delete();
        procs.stop_all();
        panic!(
            "desktop e2e failed at step \"{step}\": {e}\nscreenshot: {}\nlogs and screenshots: {}",
            shot.unwrap_or_else(|e| format!("none ({e})")),
            out.display()
        );
    }
    eprintln!(
        "desktop e2e [{:5.1} s] flow passed; closing the app",
        clock.elapsed().as_secs_f64()
    );
    // Close the app (it locks on exit and its webview flushes its storage), then stop
    // the drivers and the display, so everything they would write is on disk.
    if let Err(e) = session.delete() {
        eprintln!("desktop e2e: ending the session: {e}");
    }
    procs.stop_all();
    bus_procs.stop_all();
    eprintln!(
        "desktop e2e [{:5.1} s] app and drivers stopped; what the app left in its home:\n{}",
        clock.elapsed().as_secs_f64(),
        summarize(&home)
    );

    // The network audit's verdict: not one connection to an internet address. WebDriver
    // itself is the one exception: WebKit's automation connects to the driver's
    // inspector server on the loopback address WebKitWebDriver hands the app in
    // WEBKIT_INSPECTOR_SERVER (normal use has no automation and no such variable).
    let env = fs::read_to_string(scratch.path().join("app-env.txt")).unwrap_or_default();
    let inspector = env
        .lines()
        .find_map(|l| l.strip_prefix("WEBKIT_INSPECTOR_SERVER="))
        .and_then(|a| a.rsplit_once(':'))
        .map(|(host, port)| (host.to_string(), port.to_string()));
    let (automation, connects): (Vec<String>, Vec<String>) =
        cairn_e2e::internet_connects(&connect_log)
            .into_iter()
            .partition(|l| {
                inspector.as_ref().is_some_and(|(host, port)| {
                    l.contains(&format!("htons({port})"))
                        && l.contains(&format!("inet_addr(\"{host}\")"))
                        && host == "127.0.0.1"
                })
            });
    assert!(
        connect_log.exists(),
        "strace wrote no log of the app's connections"
    );
    assert!(
        connects.is_empty(),
        "the app tried to connect to the network:\n{}\n(the automation's inspector server: {inspector:?}; variables: {})",
        connects.join("\n"),
        env.lines()
            .filter_map(|l| l.split_once('=').map(|(k, _)| k))
            .filter(|k| k.starts_with("WEBKIT"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let local = fs::read_to_string(&connect_log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("connect("))
        .count();
    eprintln!(
        "desktop e2e: network audit: {local} connections, {} of them WebDriver's to its \
         inspector server, the rest local sockets (X, D-Bus, WebKit's own); none to the network",
        automation.len()
    );

    // The leak check: the marker, the photo's bytes, and its file name (GTK's file
    // chooser would record it in ~/.local/share/recently-used.xbel; the app turns
    // GTK's recent-files list off).
    let photo_name = secrets
        .photo
        .file_name()
        .and_then(|n| n.to_str())
        .expect("photo file name")
        .to_string();
    const NAME: &str = "the photo's file name (recent-files list)";
    let needles = [
        Needle::new("the incident's marker text", secrets.marker.as_bytes()),
        Needle::utf16le("the incident's marker text (UTF-16)", &secrets.marker),
        Needle::new(
            "a 64-byte window of the photo's bytes",
            secrets.photo_window.clone(),
        ),
        Needle::new(NAME, photo_name.as_bytes()),
    ];
    // The scanner itself must see the photo window in the source photo.
    let mut probe = Scanner::new(&needles[2..3], Vec::new());
    probe.scan_file(&secrets.photo);
    assert_eq!(
        probe.hits.len(),
        1,
        "the leak scanner does not find the photo's bytes"
    );

    let real_home = std::env::var_os("HOME").map(PathBuf::from);
    let mut skip = vec![secrets.photo.clone(), photo.clone()];
    if let Some(h) = &real_home {
        skip.extend([".cargo", ".rustup", ".npm"].map(|d| h.join(d)));
    }
    let mut scanner = Scanner::new(&needles, skip);
    let roots = outermost(&[
        home.clone(),
        PathBuf::from("/tmp"),
        PathBuf::from("/var/tmp"),
        PathBuf::from("/dev/shm"),
        std::env::temp_dir(),
    ]);
    for r in &roots {
        scanner.scan_tree(r, None);
    }
    let whole = scanner.stats.clone();
    if let Some(h) = real_home.as_ref().and_then(|h| h.canonicalize().ok()) {
        if !roots.iter().any(|r| h.starts_with(r)) {
            scanner.scan_tree(&h, Some(started));
        }
    }
    let home_files = scanner.stats.files - whole.files;
    // What the app, WebKitWebDriver and tauri-driver printed.
    scanner.scan_file(&driver_log_path);
    eprintln!(
        "desktop e2e [{:5.1} s] leak scan: {} files ({} MB) under {}; {} files changed under \
         the real home; {} unreadable",
        clock.elapsed().as_secs_f64(),
        whole.files,
        whole.bytes >> 20,
        roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        home_files,
        scanner.stats.unreadable
    );
    let vault_files = cairn_e2e::hash_tree(&vault)
        .values()
        .filter(|v| v.is_some())
        .count();
    assert!(
        vault_files > 0,
        "the vault {} has no files; the app did not use CAIRN_VAULT",
        vault.display()
    );
    let leaks = &scanner.hits;
    assert!(
        leaks.is_empty(),
        "leak check: plaintext found outside the vault's encryption:\n{}",
        leaks
            .iter()
            .map(|h| format!("  {}", h.describe()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    if std::env::var_os(KEEP_ENV).is_some_and(|v| v == "1") {
        eprintln!(
            "desktop e2e: kept the app's home {} and the photo {}",
            scratch.keep().display(),
            photo_dir.keep().display()
        );
    }
}

/// Portable mode: the app copied onto a "stick" with the `cairn-portable` marker
/// beside it, started with a fresh home and no vault folder given. Its vault is made on
/// the stick, and once it has run (a vault created, an incident saved, locked, closed)
/// the home holds not one file: GTK's, WebKit's and every other library's folders went
/// to the stick's `host-data`. (The runtime folder, a memory-backed tmpfs on a real
/// system that is emptied at logout, is not counted.) On the way, with *lock on
/// minimise* set, a window manager (openbox) minimises the window and Cairn locks.
#[test]
fn portable_mode() {
    if !enabled() {
        println!("desktop portable-mode test skipped: set {ENABLE_ENV}=1 to run it");
        return;
    }
    let mut tools = Tools::find();
    let out = screens_dir("e2e-screens-portable");
    let scratch = tempfile::Builder::new()
        .prefix("cairn-portable-e2e-")
        .tempdir()
        .expect("temp dir");
    let home = scratch.path().join("home");
    let stick = scratch.path().join("stick");
    fs::create_dir_all(&stick).expect("create the stick");
    let app = stick.join("cairn-desktop");
    fs::copy(&tools.app, &app).expect("copy the app onto the stick");
    fs::write(stick.join(PORTABLE_MARKER), b"").expect("write the marker");
    tools.app = app;
    let Launched {
        mut procs,
        display,
        session,
        ..
    } = launch(
        &tools,
        &out,
        &home,
        Path::new(""),
        &[("CAIRN_VAULT", ""), ("CAIRN_TEST_INSECURE_KDF", "1")],
    );
    let mut ui = Ui {
        s: &session,
        out: &out,
        display: &display,
        step: "start".into(),
        shots: 0,
        started: Instant::now(),
        reauth_shot: false,
    };
    let flow = (|| -> WdResult<()> {
        ui.step("portable: first run on the stick");
        ui.wait("new-passphrase", SLOW)?;
        ui.type_into("new-passphrase", PASSPHRASE)?;
        ui.type_into("confirm-passphrase", PASSPHRASE)?;
        ui.click("create-vault")?;
        confirm_recovery_code(&mut ui, false)?;
        ui.step("portable: an incident, then lock");
        ui.click("new-incident")?;
        ui.type_into("incident-title", TITLE)?;
        ui.click("incident-save")?;
        ui.wait("timeline-row", SLOW)?;
        ui.click("nav-settings")?;
        let folder = ui.text("vault-folder")?;
        let want = stick
            .canonicalize()
            .map_err(|e| e.to_string())?
            .join("vault");
        if Path::new(folder.trim()) != want {
            return Err(format!(
                "Settings shows the vault in {folder:?}, not {}",
                want.display()
            ));
        }
        ui.shot("portable-settings")?;

        // Lock on minimise: Xvfb has no window manager, so one is started (with a
        // home of its own) just to minimise the window the way a desktop does.
        ui.step("portable: lock on minimise");
        ui.click("lock-on-minimise")?;
        ui.click("settings-save")?;
        wait_until("the setting to be saved", WAIT, || {
            Ok(ui.body_text()?.contains("Saved.").then_some(()))
        })?;
        let w = window_titled(&ui, "Cairn")?;
        let wm_home = scratch.path().join("wm-home");
        fs::create_dir_all(&wm_home).map_err(|e| e.to_string())?;
        let mut wm = Command::new("openbox");
        wm.env("DISPLAY", &display)
            .env("HOME", &wm_home)
            .env("XDG_CONFIG_HOME", wm_home.join("config"))
            .env("XDG_CACHE_HOME", wm_home.join("cache"))
            .env("XDG_DATA_HOME", wm_home.join("data"))
            .env("XDG_STATE_HOME", wm_home.join("state"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        procs.spawn("openbox", &mut wm)?;
        wait_until("the window manager to take the window", WAIT, || {
            let root = Command::new("xprop")
                .args(["-root", "_NET_SUPPORTING_WM_CHECK"])
                .env("DISPLAY", &display)
                .output()
                .map_err(|e| format!("run xprop: {e}"))?;
            Ok(String::from_utf8_lossy(&root.stdout)
                .contains("window id")
                .then_some(()))
        })?;
        std::thread::sleep(Duration::from_millis(500));
        xdotool(&display, &["windowminimize", "--sync", &w])?;
        shows_locked(&ui, "after minimising")?;
        xdotool(&display, &["windowactivate", "--sync", &w])?;
        ui.shot("locked-by-minimise")?;
        Ok(())
    })();
    let step = ui.step.clone();
    let _ = session.delete();
    procs.stop_all();
    if let Err(e) = flow {
        panic!(
            "portable e2e failed at step \"{step}\": {e}; logs: {}",
            out.display()
        );
    }
    assert!(
        stick.join("vault/keys").is_file(),
        "the vault is not on the stick"
    );
    assert!(
        stick.join("host-data").is_dir(),
        "no host-data on the stick"
    );
    let mut left = Vec::new();
    for e in walkdir(&home) {
        if !e.starts_with(home.join(".run")) && e.is_file() {
            left.push(e);
        }
    }
    assert!(
        left.is_empty(),
        "portable mode wrote to the laptop's home: {left:?}\nand on the stick:\n{}",
        summarize(&stick)
    );
    eprintln!(
        "portable e2e: nothing written to the home; the stick holds:\n{}",
        summarize(&stick)
    );
}

/// `cairn_core::portable::MARKER`: the file beside the program that makes it portable.
const PORTABLE_MARKER: &str = "cairn-portable";

/// Every path under `root` (files and folders), not following links.
fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

/// The leak scanner finds needles anywhere in a file (across its read chunks too), in
/// nested folders, names the file, honours the skip list and the modified-since filter,
/// and does not follow symbolic links.
#[test]
fn leak_scanner_finds_planted_needles() {
    let dir = tempfile::Builder::new()
        .prefix("cairn-e2e-leakscan-")
        .tempdir()
        .unwrap();
    let marker = format!("marker-{}", hex(&random_bytes(8)));
    let blob = random_bytes(64);
    let needles = [
        Needle::new("marker", marker.as_bytes()),
        Needle::utf16le("marker (UTF-16)", &marker),
        Needle::new("blob", blob.clone()),
    ];
    let root = dir.path();
    fs::create_dir_all(root.join("a/b/c")).unwrap();
    // Straddling the 1 MiB read boundary.
    let mut big = random_bytes((1 << 20) + 100);
    let at = (1 << 20) - 20;
    big[at..at + 64].copy_from_slice(&blob);
    fs::write(root.join("a/b/c/big.bin"), &big).unwrap();
    let mut wide = b"xx".to_vec();
    wide.extend(marker.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(root.join("a/wide.db"), &wide).unwrap();
    fs::write(root.join("a/plain.txt"), format!("hello {marker} bye")).unwrap();
    fs::write(root.join("clean.txt"), b"nothing here").unwrap();
    fs::create_dir_all(root.join("skipped")).unwrap();
    fs::write(root.join("skipped/x.txt"), &marker).unwrap();
    std::os::unix::fs::symlink(root.join("a/plain.txt"), root.join("link.txt")).unwrap();

    let mut sc = Scanner::new(&needles, vec![root.join("skipped")]);
    sc.scan_tree(root, None);
    let mut found: Vec<(String, String, u64)> = sc
        .hits
        .iter()
        .map(|h| {
            (
                h.path.strip_prefix(root).unwrap().display().to_string(),
                h.what.clone(),
                h.offset,
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("a/b/c/big.bin".into(), "blob".into(), at as u64),
            ("a/plain.txt".into(), "marker".into(), 6),
            ("a/wide.db".into(), "marker (UTF-16)".into(), 2),
        ]
    );
    assert_eq!(sc.stats.files, 4);
    assert!(sc.report().contains("a/plain.txt"), "{}", sc.report());

    // Only files modified since an hour ago: the same hits.
    let mut recent = Scanner::new(&needles, vec![root.join("skipped")]);
    recent.scan_tree(root, Some(SystemTime::now() - Duration::from_secs(3600)));
    assert_eq!(recent.hits, sc.hits);
    // Only files modified since a time in the future: nothing is read.
    let mut later = Scanner::new(&needles, Vec::new());
    later.scan_tree(root, Some(SystemTime::now() + Duration::from_secs(3600)));
    assert!(later.hits.is_empty() && later.stats.files == 0);

    // Nested roots collapse to the outer one.
    assert_eq!(
        outermost(&[root.join("a"), root.to_path_buf(), root.join("a/b")]),
        vec![root.canonicalize().unwrap()]
    );
}
