#!/usr/bin/env bash
# Fuzzes the bundle reader and the importers with cargo-fuzz (libFuzzer): each target in
# fuzz/ for a short run, then one line of figures per target. `make fuzz` installs
# cargo-fuzz first.
#
#   scripts/fuzz.sh [TARGET...]     (default: bundle_reader receipt_parse signed_notes
#                                    tree_proofs location_inspect manifest_path
#                                    whatsapp_parse sms_parse email_parse telegram_parse)
#
#   CAIRN_FUZZ_SECONDS    seconds per target (default 60)
#   CAIRN_FUZZ_SANITIZER  address (default) or none; if AddressSanitizer cannot be
#                         built, the run falls back to none and says so
#   CAIRN_FUZZ_SEED       libFuzzer's random seed (default: one it picks and prints)
#
# Seeds are real bundles and a receipt, made at run time by
# crates/cairn-bundle/examples/fuzz_seeds.rs into fuzz/seeds/ when missing (delete the
# folder for new ones), and SMS, email and Telegram exports written the way each app
# does by crates/cairn-import/examples/fuzz_seeds.rs; what the fuzzer finds grows
# fuzz/corpus/TARGET; a crashing input is kept in fuzz/artifacts/TARGET/ (reproduce it
# with `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET FILE`). None of these is committed.
# Only stable Rust is needed: RUSTC_BOOTSTRAP=1 lets it take cargo-fuzz's -Z flags.
# Exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${CAIRN_FUZZ_SECONDS:-60}"
san="${CAIRN_FUZZ_SANITIZER:-address}"
if [ $# -gt 0 ]; then targets=("$@"); else targets=(bundle_reader receipt_parse signed_notes tree_proofs location_inspect manifest_path whatsapp_parse sms_parse email_parse telegram_parse); fi
export RUSTC_BOOTSTRAP=1

max_len() {
  case "$1" in
    bundle_reader) echo 131072 ;; # the seed bundles are ~64 KiB (the PDF schedule most of it)
    receipt_parse) echo 4096 ;;   # a receipt pasted from an email is well under 1 KiB
    signed_notes) echo 8192 ;;    # a bundle note or checkpoint, or a record and its disclosures
    tree_proofs) echo 2048 ;;     # sizes and up to ~60 hashes (a tree of 2^60)
    location_inspect) echo 262144 ;; # a photo or a short video's boxes
    whatsapp_parse) echo 16384 ;; # a few hundred lines of chat
    sms_parse) echo 32768 ;;      # a few messages and an MMS with a small photo's base64
    email_parse) echo 65536 ;;    # a mailbox of a few messages, MIME parts and attachments
    telegram_parse) echo 32768 ;; # a few chats of indented JSON (each message ~20 lines)
    *) echo 1024 ;;
  esac
}

if [ ! -s fuzz/seeds/bundle_reader/open-no-key ]; then
  echo "== making seed bundles (fuzz/seeds)"
  rm -rf fuzz/seeds
  cargo run -q -p cairn-bundle --example fuzz_seeds -- fuzz/seeds
fi

if [ ! -s fuzz/seeds/whatsapp_parse/android ]; then
  mkdir -p fuzz/seeds/whatsapp_parse
  printf '31/12/2023, 21:41 - Messages and calls are end-to-end encrypted.\n31/12/2023, 21:42 - Sam: Where are you?\nAnswer me\n01/01/2024, 09:00 - Me: <Media omitted>\n01/01/2024, 09:01 - Me: IMG-20240101-WA0001.jpg (file attached)\nthe bruise\n' \
    > fuzz/seeds/whatsapp_parse/android
  printf '\xe2\x80\x8e[12/31/23, 9:41:05\xe2\x80\xafPM] Sam: hi\n[12/31/23, 9:42:00\xe2\x80\xafPM] Me: \xe2\x80\x8e<attached: 00000012-PHOTO-2023-12-31-21-41-05.jpg>\n[1/1/24, 8:00:00\xe2\x80\xafAM] Sam: \xe2\x80\x8eimage omitted\n' \
    > fuzz/seeds/whatsapp_parse/ios
  printf '\xef\xbb\xbf2023-12-31, 21:41 - Sam: This message was deleted\r\n2023-12-31, 21:42 - Sam: ok\r\n' \
    > fuzz/seeds/whatsapp_parse/year-first
fi

if [ ! -s fuzz/seeds/telegram_parse/full-export.json ]; then
  echo "== making seed exports (fuzz/seeds/{sms,email,telegram}_parse)"
  cargo run -q -p cairn-import --example fuzz_seeds -- fuzz/seeds
fi

logs=fuzz/target/logs
mkdir -p "$logs"
echo "== building the fuzz targets (sanitizer: $san)"
if ! cargo fuzz build -s "$san" >"$logs/build.log" 2>&1; then
  if [ "$san" = address ]; then
    tail -20 "$logs/build.log" >&2
    echo "fuzz: AddressSanitizer build failed; falling back to -s none (no memory checks)" >&2
    san=none
    cargo fuzz build -s none
  else
    cat "$logs/build.log" >&2
    exit 1
  fi
fi

# Figures from a libFuzzer log: a final stat, and a field of its last status line.
final_stat() { grep -o "stat::$2: *[0-9]*" "$1" | tail -1 | grep -o '[0-9]*$' || echo "?"; }
status_field() {
  grep -E '^#[0-9]+' "$1" | tail -1 | grep -oE "$2: [0-9]+(/[0-9]+[a-zA-Z]*)?" | head -1 |
    cut -d' ' -f2 || true
}
# The bundle_reader target writes a throwaway age key into TMPDIR; keep it here.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
rows=()
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/seeds/$t" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  seed_opt=()
  [ -n "${CAIRN_FUZZ_SEED:-}" ] && seed_opt=("-seed=$CAIRN_FUZZ_SEED")
  echo "== $t: ${secs} s, -max_len=$(max_len "$t")"
  set +e
  TMPDIR="$tmp" cargo fuzz run -s "$san" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "${seed_opt[@]}" >"$logs/$t.log" 2>&1
  rc=$?
  set -e
  log="$logs/$t.log"
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  crashes=$((after - before))
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="?"; fi
  [ "$rc" -ne 0 ] && failed=1
  rows+=("$(printf '%-14s %10s %8s %7s %7s %7s %14s %8s' "$t" \
    "$(final_stat "$log" number_of_executed_units)" "$(final_stat "$log" average_exec_per_sec)" \
    "$(status_field "$log" cov)" "$(status_field "$log" ft)" \
    "$(find "fuzz/corpus/$t" -type f | wc -l)" "$(status_field "$log" corp)" "$crashes")")
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t stopped (exit $rc); the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done
echo
echo "== figures (${secs} s per target, sanitizer: $san; logs in $logs)"
printf '%-14s %10s %8s %7s %7s %7s %14s %8s\n' target execs exec/s cov ft corpus "units/bytes" crashes
printf '%s\n' "${rows[@]}"
exit "$failed"
