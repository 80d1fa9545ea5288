//! The Cairn desktop app: a thin Tauri shell over `cairn-core`. Every rule lives in
//! the core; this crate maps commands onto it, holds the unlocked vault, serves media
//! through the `cairn-media:` scheme and builds the locked-down window.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backups;
pub mod commands;
pub mod error;
pub mod locking;
pub mod media;
pub mod messages;
mod pace;
pub mod share;
pub mod state;
pub mod views;

use std::path::PathBuf;

use tauri::{Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub use error::{AppError, CmdResult};
pub use state::AppState;

/// The command list and the generator of the UI's TypeScript bindings.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::*;
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            app_status,
            choose_vault_dir,
            passphrase_strength,
            create_vault,
            unlock,
            recover,
            lock,
            touch,
            timeline,
            timeline_head,
            search,
            item,
            history,
            save_incident,
            save_person,
            link_items,
            unlink_items,
            add_files,
            cancel_job,
            redact,
            verify,
            change_passphrase,
            draft_recovery_code,
            replace_recovery_code,
            save_settings,
            quick_exit,
            restore_look,
            set_decoy,
            remove_decoy,
            share::plan_export,
            share::export_bundle,
            share::bundle_is_sealed,
            share::check_bundle,
            share::receipt,
            share::check_receipt,
            share::reports,
            share::save_report,
            messages::import_messages,
            messages::conversations,
            messages::conversation_page,
            messages::search_items,
            backups::backup_now,
            backups::backup_status,
            backups::check_backup,
        ])
        .typ::<cairn_core::Category>()
        .constant(
            "CATEGORIES",
            cairn_core::Category::ALL
                .iter()
                .map(|c| (c.id(), c.label()))
                .collect::<Vec<_>>(),
        )
        .constant("MIN_PASSPHRASE_CHARS", cairn_core::MIN_PASSPHRASE_CHARS)
        .constant("MEDIA_SCHEME", media::SCHEME)
        .constant("MAX_PAGE", cairn_core::conversations::MAX_PAGE)
        .constant("MAX_HITS", messages::MAX_HITS)
        .dangerously_cast_bigints_to_number()
        // One TypeScript type per Rust type: fields left out when empty are optional.
        .disable_serde_phases()
}

/// The TypeScript bindings as they should be in `ui/src/lib/bindings.ts`.
pub fn bindings_typescript() -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("cairn-bindings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("bindings.ts");
    let header = "// Generated from the Rust command layer by `make bindings`; do not edit.\n";
    specta_builder::<tauri::Wry>()
        .export(
            specta_typescript::Typescript::default().header(header),
            &path,
        )
        .map_err(|e| e.to_string())?;
    let s = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(s)
}

/// Adds Cairn's state, commands and media scheme to a Tauri builder (the real one or
/// the test suite's mock one).
pub fn setup_builder<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    let specta = specta_builder::<R>();
    builder
        .manage(std::sync::Arc::new(state))
        .invoke_handler(specta.invoke_handler())
        .register_asynchronous_uri_scheme_protocol(media::SCHEME, |ctx, req, responder| {
            let app = ctx.app_handle().clone();
            tauri::async_runtime::spawn_blocking(move || {
                let resp = media::serve(&app.state::<state::Shared>(), &req);
                responder.respond(resp);
            });
        })
}

/// The vault folder: `CAIRN_VAULT`, else the platform's data folder.
pub fn vault_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CAIRN_VAULT")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(cairn_core::Vault::default_dir)
}

/// In portable mode (see [`cairn_core::portable`]), points the XDG folders at the
/// stick and creates them; the vault folder then defaults to the stick's too. Call
/// first in `main`, while the process has one thread.
pub fn portable_setup() {
    let Some(dirs) = cairn_core::portable::host_dirs() else {
        return;
    };
    for (var, dir) in dirs {
        // A folder that cannot be made is left to the library to complain about;
        // the variable still points at the stick, never back at the laptop.
        let _ = std::fs::create_dir_all(&dir);
        std::env::set_var(var, dir);
    }
    // Mesa's shader cache has its own switch; nothing is worth caching on a stick.
    std::env::set_var("MESA_SHADER_CACHE_DISABLE", "true");
    // GSettings (the file dialog's size and the like) would go through the desktop's
    // dconf service into the laptop's own settings: keep them in memory instead.
    std::env::set_var("GSETTINGS_BACKEND", "memory");
}

/// Starts the app.
pub fn run() {
    let Some(dir) = vault_dir_from_env() else {
        eprintln!("cairn-desktop: no vault folder; set CAIRN_VAULT to a folder.");
        std::process::exit(2);
    };
    let state = AppState::new(dir, cairn_core::switches::insecure_kdf());
    let app = setup_builder(tauri::Builder::default(), state)
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // GTK's file dialog would list every chosen file in the desktop's "recent
            // files" (~/.local/share/recently-used.xbel): evidence names, and a sign
            // that Cairn is used. Switch that off for this process.
            #[cfg(target_os = "linux")]
            if let Some(s) = gtk::Settings::default() {
                use gtk::prelude::*;
                s.set_gtk_recent_files_enabled(false);
            }
            // Incognito keeps the webview's storage in memory; only the end-to-end
            // tests switch it off, because WebDriver cannot drive an incognito view
            // (a switch test builds alone have: see cairn_core::switches).
            let automated = cairn_core::switches::webdriver();
            let st = app.state::<state::Shared>();
            let (title, icon) = locking::look(&cairn_core::Settings::load(&st.dir()), false);
            let window =
                WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                    .title(title)
                    .icon(icon)?
                    .inner_size(1100.0, 760.0)
                    .min_inner_size(800.0, 600.0)
                    .incognito(!automated)
                    // The window only ever shows Cairn's own pages: no link, drop or
                    // script may navigate it anywhere else (a stored file included).
                    .on_navigation(|url| {
                        matches!(
                            (url.scheme(), url.host_str()),
                            ("tauri", Some("localhost"))
                                | ("http" | "https", Some("tauri.localhost"))
                        )
                    })
                    .build()?;
            locking::watch_minimise(&window);
            locking::watch_idle(app.handle());
            #[cfg(target_os = "linux")]
            locking::watch_session(app.handle());
            *state::guard(&st.shell) = Some(Box::new(locking::WindowShell(window)));
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                handle.state::<state::Shared>().lock_on_exit();
            }
        }),
        Err(e) => {
            eprintln!("cairn-desktop: the window could not start: {e}");
            std::process::exit(1);
        }
    }
}
