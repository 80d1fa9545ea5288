# Cairn. `make run` starts it; `make test` runs every test. Both install what is missing.
CARGO ?= cargo

.PHONY: run test bench soak setup lint

setup:
	@scripts/setup.sh

run: setup
	$(CARGO) build --release -p cairn-cli
	./target/release/cairn --help

lint: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test: lint
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace
	python3 docs/chain_verify.py --vectors docs/chain-vectors.jsonl

bench:
	@scripts/setup.sh bench
	scripts/bench.sh

soak: setup
	$(CARGO) build --workspace --bins
	CAIRN_CRASH_TRIALS=1000 $(CARGO) test -p cairn-e2e --test e2e crash -- --nocapture
