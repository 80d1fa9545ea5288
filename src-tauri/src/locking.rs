//! What locks Cairn besides her: the laptop going to sleep, the screen locking, and
//! (if she chose it) minimising the window; and the window's look, which a disguise or
//! quick exit changes.
//!
//! Sleep and screen locks are D-Bus signals: logind's `PrepareForSleep` and a
//! session's `Lock` on the system bus, and the screensavers' `ActiveChanged` on the
//! session bus (GNOME, KDE and others, MATE, Cinnamon). Any program on the bus can send
//! them; the worst it can do is lock Cairn. Where there is no bus nothing is watched,
//! and the idle timer still runs.

use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewWindow};

use cairn_core::{Disguise, Settings};

use crate::state::{Shared, Shell};

/// The event the window hears when Cairn locked itself.
pub const LOCKED_EVENT: &str = "vault-locked";

/// Locks on a worker thread (running jobs may take a moment to stop), then tells the
/// window so it shows the unlock screen.
pub fn lock_and_tell<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        // Locking first: asking whether it is unlocked would wait behind running work.
        if app.state::<Shared>().lock() {
            let _ = app.emit(LOCKED_EVENT, ());
        }
    });
}

/// Locks when the vault has gone unused past her auto-lock minutes, whatever the
/// window does (see `cairn_core::idle`): checked every five seconds.
pub fn watch_idle<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    let spawned = std::thread::Builder::new()
        .name("cairn-idle".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            if app.state::<Shared>().idle_expired() {
                lock_and_tell(&app);
            }
        });
    if spawned.is_err() {
        eprintln!("cairn-desktop: could not start the idle lock; the window's own still works");
    }
}

/// Signals that mean "lock now" (for those with a boolean, only when it is true).
#[cfg(target_os = "linux")]
const SYSTEM_SIGNALS: [(&str, &str); 2] = [
    ("org.freedesktop.login1.Manager", "PrepareForSleep"),
    ("org.freedesktop.login1.Session", "Lock"),
];
#[cfg(target_os = "linux")]
const SESSION_SIGNALS: [(&str, &str); 4] = [
    ("org.freedesktop.ScreenSaver", "ActiveChanged"),
    ("org.gnome.ScreenSaver", "ActiveChanged"),
    ("org.mate.ScreenSaver", "ActiveChanged"),
    ("org.cinnamon.ScreenSaver", "ActiveChanged"),
];

/// Subscribes to sleep and screen-lock signals. Call on the main thread: GLib runs the
/// handlers from its main loop.
#[cfg(target_os = "linux")]
pub fn watch_session<R: Runtime>(app: &AppHandle<R>) {
    use gio::BusType;
    // Without an address GLib would try to start a bus of its own (`dbus-launch`);
    // no bus means nothing to watch.
    let session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|a| !a.is_empty())
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists());
    let system_bus = std::path::Path::new("/run/dbus/system_bus_socket").exists()
        || std::env::var_os("DBUS_SYSTEM_BUS_ADDRESS").is_some();
    for (bus, on, signals) in [
        (BusType::System, system_bus, &SYSTEM_SIGNALS[..]),
        (BusType::Session, session_bus, &SESSION_SIGNALS[..]),
    ] {
        if !on {
            continue;
        }
        let Ok(conn) = gio::bus_get_sync(bus, gio::Cancellable::NONE) else {
            continue;
        };
        for (iface, member) in signals {
            let app = app.clone();
            conn.signal_subscribe(
                None,
                Some(iface),
                Some(member),
                None,
                None,
                gio::DBusSignalFlags::NONE,
                move |_, _, _, _, _, params| {
                    // `PrepareForSleep(false)` and `ActiveChanged(false)` mean "back".
                    let going = params.get::<(bool,)>().is_none_or(|(b,)| b);
                    if going {
                        lock_and_tell(&app);
                    }
                },
            );
        }
        // GLib holds its shared bus connections only weakly: without a reference of
        // ours the connection (and every subscription on it) would close here. It is
        // kept for the life of the process.
        std::mem::forget(conn);
    }
}

/// Locks when the window is minimised, if her settings ask for it.
pub fn watch_minimise<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    if let Ok(gw) = window.gtk_window() {
        use gtk::prelude::*;
        let app = window.app_handle().clone();
        gw.connect_window_state_event(move |_, ev| {
            let iconified = gtk::gdk::WindowState::ICONIFIED;
            if ev.changed_mask().contains(iconified)
                && ev.new_window_state().contains(iconified)
                && minimise_locks(&app)
            {
                lock_and_tell(&app);
            }
            gtk::glib::Propagation::Proceed
        });
    }
    #[cfg(not(target_os = "linux"))]
    {
        let w = window.clone();
        window.on_window_event(move |e| {
            if matches!(e, tauri::WindowEvent::Resized(_))
                && w.is_minimized().unwrap_or(false)
                && minimise_locks(w.app_handle())
            {
                lock_and_tell(w.app_handle());
            }
        });
    }
}

fn minimise_locks<R: Runtime>(app: &AppHandle<R>) -> bool {
    Settings::load(&app.state::<Shared>().dir()).lock_on_minimise
}

/// The title and icon for `settings`: Cairn's own, the disguise's, or (on the neutral
/// page quick exit leaves) the disguise's or else Notes'.
pub fn look(settings: &Settings, neutral: bool) -> (&'static str, tauri::image::Image<'static>) {
    let disguise = if neutral {
        Some(settings.disguise.unwrap_or(Disguise::Notes))
    } else {
        settings.disguise
    };
    match disguise {
        None => ("Cairn", tauri::include_image!("icons/128x128.png")),
        Some(d @ Disguise::Notes) => (d.name(), tauri::include_image!("icons/notes.png")),
        Some(d @ Disguise::Budget) => (d.name(), tauri::include_image!("icons/budget.png")),
    }
}

/// The real window behind the commands.
pub struct WindowShell<R: Runtime>(pub WebviewWindow<R>);

impl<R: Runtime> Shell for WindowShell<R> {
    fn set_look(&self, settings: &Settings, neutral: bool) {
        let (title, icon) = look(settings, neutral);
        let _ = self.0.set_title(title);
        let _ = self.0.set_icon(icon);
    }

    fn close(&self) {
        self.0.app_handle().exit(0);
    }
}
