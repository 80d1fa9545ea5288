#!/usr/bin/env bash
# The desktop app's real-window end-to-end test (tests/e2e/desktop.rs): builds the UI and
# the app with the UI bundled in, then drives it under Xvfb through tauri-driver and
# WebKitWebDriver, and checks nothing typed or attached leaks to disk in plaintext.
# Screenshots and logs: target/e2e-screens/.
#
# Usage: scripts/e2e-desktop.sh [--no-build] [extra `cargo test` arguments]
# Needs: apt packages xvfb webkit2gtk-driver xdotool (imagemagick optional: a screenshot
# of the native file dialog), `cargo install tauri-driver --locked`, Node.js with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
build=1
if [ "${1:-}" = --no-build ]; then
  build=0
  shift
fi
missing=()
for tool in Xvfb WebKitWebDriver xdotool tauri-driver; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "e2e-desktop: missing ${missing[*]} (apt install xvfb webkit2gtk-driver xdotool;" \
    "cargo install tauri-driver --locked)" >&2
  exit 1
fi
if [ "$build" = 1 ]; then
  npm --prefix ui ci
  npm --prefix ui run build
  cargo build -p cairn-desktop
fi
CAIRN_DESKTOP_E2E=1 cargo test -p cairn-e2e --test e2e desktop -- --nocapture "$@"
