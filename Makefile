# Cairn. `make run` starts the desktop app; `make test` runs every test. Both install
# what is missing first (scripts/setup.sh).
CARGO ?= cargo
NPM ?= npm
# The environment switches tests rely on (a fast test KDF, a webview WebDriver can
# drive: crates/cairn-core/src/switches.rs) exist only in builds with this feature.
# `make run` and every other build without it leave them out.
TEST_FEATURES = --features cairn-core/test-switches

.PHONY: run test bench soak fuzz setup setup-run lint ui ui-test bindings e2e-desktop

setup:
	@scripts/setup.sh test

setup-run:
	@scripts/setup.sh run

# The interface, built into ui/dist (the desktop binary embeds it).
ui:
	$(NPM) --prefix ui run build

ui-test:
	$(NPM) --prefix ui test

run: setup-run ui
	$(CARGO) build --release -p cairn-desktop -p cairn-cli
	./target/release/cairn-desktop

# Rewrites ui/src/lib/bindings.ts from the Rust commands (a test fails when they drift).
bindings:
	CAIRN_WRITE_BINDINGS=1 $(CARGO) test -p cairn-desktop --test desktop bindings

lint: setup ui
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p cairn-core $(TEST_FEATURES) -- -D warnings

# Everything: Rust suites (core, command layer on Tauri's mock runtime, the CLI
# black-box tests, the real window over WebDriver under Xvfb), the UI's unit tests,
# the chain and Merkle test vectors with the independent Python verifiers (the bundle
# verifier also runs on real bundles in tests/e2e/forgery.rs).
# (`cargo test` builds target/debug/cairn-desktop itself, for its own test binary; the
# CLI is built first because only another package's tests use it.)
# The release binaries are built too: a test runs them with the test switches set and
# shows they do nothing (tests/e2e/switches.rs).
test: lint
	$(CARGO) build -p cairn-cli $(TEST_FEATURES)
	$(CARGO) build --release -p cairn-cli -p cairn-desktop
	CAIRN_DESKTOP_E2E=1 CAIRN_RELEASE_BINS=1 $(CARGO) test --workspace $(TEST_FEATURES)
	$(NPM) --prefix ui test
	python3 docs/chain_verify.py --vectors docs/chain-vectors.jsonl
	python3 docs/bundle_verify.py --vectors docs/merkle-vectors.json

# Only the real-window test (after `make ui` and a build).
e2e-desktop: setup ui
	$(CARGO) build -p cairn-desktop -p cairn-cli $(TEST_FEATURES)
	CAIRN_DESKTOP_E2E=1 $(CARGO) test -p cairn-e2e --test e2e desktop -- --nocapture

bench:
	@scripts/setup.sh bench
	$(NPM) --prefix ui run build
	scripts/bench.sh

# Short fuzz runs of the bundle reader and every message parser (fuzz/; 60 s a target, CAIRN_FUZZ_SECONDS to
# change): seeds are real bundles made at run time; figures per target at the end.
# Not part of `make test`.
fuzz:
	@scripts/setup.sh fuzz
	scripts/fuzz.sh

soak: setup
	$(CARGO) build --workspace --bins $(TEST_FEATURES)
	CAIRN_CRASH_TRIALS=1000 CAIRN_ROTATION_TRIALS=1000 $(CARGO) test -p cairn-e2e --test e2e crash -- --nocapture
