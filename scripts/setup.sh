#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test Cairn.
# Idempotent and quiet when everything is present. Usage: scripts/setup.sh [run|test|bench|fuzz]
# (`fuzz` needs only the C toolchain, Rust and cargo-fuzz: no WebKit, Node.js or npm.)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"
need=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# Build: C toolchain and OpenSSL's headers for SQLCipher; WebKitGTK and friends for
# the Tauri window.
for p in build-essential pkg-config perl make python3 ca-certificates curl file libssl-dev; do
  pkg "$p" || need+=("$p")
done
if [ "$mode" != fuzz ]; then
  for p in libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev \
           libxdo-dev librsvg2-dev; do
    pkg "$p" || need+=("$p")
  done
  have node || need+=(nodejs)
  have npm || need+=(npm)
fi
if [ "$mode" = test ]; then
  # The real-window tests: WebKit's WebDriver, a virtual X server, xdotool for the
  # native file dialog, fonts so screenshots show text.
  # dbus: the buses on which the test says the screen locked and the laptop sleeps;
  # openbox and xprop: a window manager to minimise the window with.
  for p in webkit2gtk-driver xvfb xauth xdotool fonts-dejavu-core dbus openbox x11-utils; do pkg "$p" || need+=("$p"); done
  # Bundle interop: Debian's age decrypts, poppler renders the schedule.
  for p in age poppler-utils; do pkg "$p" || need+=("$p"); done
  # The network audit traces every connection the CLI tries.
  pkg strace || need+=(strace)
  # Location tests: exiftool reads every location tag, ffmpeg makes videos that carry one,
  # heif-enc makes HEIC photos.
  for p in libimage-exiftool-perl ffmpeg libheif-examples; do pkg "$p" || need+=("$p"); done
fi
if [ "$mode" = bench ]; then
  for p in age time coreutils xvfb xauth; do pkg "$p" || need+=("$p"); done
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! have cargo; then
  echo "Cairn needs Rust (cargo); install it with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
if [ "$mode" = fuzz ]; then
  # cargo-fuzz drives libFuzzer; scripts/fuzz.sh runs it on stable with RUSTC_BOOTSTRAP=1.
  if ! have cargo-fuzz; then
    echo "Installing cargo-fuzz 0.13.2"
    cargo install cargo-fuzz --version 0.13.2 --locked --quiet
  fi
  exit 0
fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Cairn's interface needs Node.js 20 or newer (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true
if [ "$mode" = test ] && ! python3 -c 'import bagit' >/dev/null 2>&1; then
  echo "Installing the Library of Congress BagIt validator (bagit.py)"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore bagit==1.9.0
  # Under pyenv, a newly installed script needs its shim.
  if have pyenv; then pyenv rehash || true; fi
fi
if [ "$mode" = test ] && ! have tauri-driver; then
  echo "Installing tauri-driver (WebDriver for the desktop app)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
# The interface's npm packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  npm --prefix ui ci --no-audit --no-fund --loglevel=error
fi
