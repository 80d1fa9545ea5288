//! The command layer, driven through Tauri's IPC with the mock runtime and the app's
//! real configuration (capabilities and app manifest included), against a real vault
//! on disk. Also checks that the UI's generated bindings match the commands.

use std::path::Path;

use cairn_desktop::{setup_builder, AppState};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

mod backups;
mod bindings;
mod commands;
mod media;
mod messages;

/// A mock app over a vault folder, with the real tauri.conf.json and capabilities.
pub struct App {
    _app: tauri::App<tauri::test::MockRuntime>,
    window: WebviewWindow<tauri::test::MockRuntime>,
}

impl App {
    pub fn new(dir: &Path) -> App {
        let app = setup_builder(mock_builder(), AppState::new(dir.to_path_buf(), true))
            .build(tauri::generate_context!())
            .expect("mock app builds");
        let window = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default())
            .build()
            .expect("mock window");
        App { _app: app, window }
    }

    /// Calls a command as the main window would; `Err` holds the error value.
    pub fn call_from(
        &self,
        window: &WebviewWindow<tauri::test::MockRuntime>,
        cmd: &str,
        args: Value,
    ) -> Result<Value, Value> {
        let req = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(window, req).map(|b| b.deserialize::<Value>().expect("json response"))
    }

    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.call_from(&self.window, cmd, args)
    }

    pub fn ok(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Ok(v) => v,
            Err(e) => panic!("{cmd} failed: {e}"),
        }
    }

    /// Calls and expects an error with this code; returns it.
    pub fn err(&self, cmd: &str, args: Value, code: &str) -> Value {
        match self.call(cmd, args) {
            Ok(v) => panic!("{cmd} should fail with {code} but returned {v}"),
            Err(e) => {
                assert_eq!(e["code"], code, "{cmd}: {e}");
                let msg = e["message"].as_str().expect("message");
                assert!(
                    msg.ends_with('.') && !msg.contains('\n'),
                    "one sentence: {msg}"
                );
                e
            }
        }
    }

    /// The app handle behind the main window.
    pub fn window_handle(&self) -> &tauri::AppHandle<tauri::test::MockRuntime> {
        self.window.app_handle()
    }

    /// Another window of the same app, which the capability does not cover.
    pub fn other_window(&self, label: &str) -> WebviewWindow<tauri::test::MockRuntime> {
        WebviewWindowBuilder::new(self.window.app_handle(), label, WebviewUrl::default())
            .build()
            .expect("second window")
    }
}

pub const PASS: &str = "velvet harbour trombone quietly";

/// A new unlocked vault in `dir`, returning the app and the recovery code.
pub fn created(dir: &Path) -> (App, String) {
    let app = App::new(dir);
    let c = app.ok("create_vault", json!({ "passphrase": PASS }));
    let code = c["recoveryCode"].as_str().expect("code").to_string();
    (app, code)
}
