#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build and test Cairn.
# Idempotent and quiet when everything is present. Usage: scripts/setup.sh [test|bench]
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in build-essential pkg-config perl make python3 ca-certificates; do pkg "$p" || need+=("$p"); done
if [ "${1:-}" = bench ]; then
  for p in age time coreutils; do pkg "$p" || need+=("$p"); done
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
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt >/dev/null 2>&1 || true
