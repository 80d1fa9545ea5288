#!/usr/bin/env python3
"""Independent check of a Cairn hash chain, written from docs/FORMAT.md alone.

    cairn chain --json > chain.jsonl && python3 chain_verify.py chain.jsonl
    python3 chain_verify.py --vectors docs/chain-vectors.jsonl
Exit 0 if intact, 1 if not. Needs only the Python standard library.
"""
import hashlib, json, sys

FIELDS = ("v", "seq", "prev", "recorded_at", "kind", "item", "content_sha256", "meta")

def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

def entry_hash(entry):
    header = {k: entry[k] for k in FIELDS}
    return hashlib.sha256(canonical(header).encode("utf-8")).hexdigest()

def check_chain(lines):
    prev = "0" * 64
    for n, line in enumerate(lines, 1):
        e = json.loads(line)
        if e["seq"] != n:
            return f"entry {n} is missing"
        if e["prev"] != prev:
            return f"entry {n} does not point to entry {n - 1}"
        if entry_hash(e) != e["hash"]:
            return f"entry {n} does not match its hash"
        prev = e["hash"]
    return None

def check_vectors(lines):
    for n, line in enumerate(lines, 1):
        v = json.loads(line)
        if canonical(v["header"]) != v["canonical"] or entry_hash(v["header"]) != v["hash"]:
            return f"vector {n} fails"
    return None

if __name__ == "__main__":
    vectors = sys.argv[1] == "--vectors"
    with open(sys.argv[-1], encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    problem = check_vectors(lines) if vectors else check_chain(lines)
    print(problem or f"intact: {len(lines)} {'vectors' if vectors else 'entries'} checked")
    sys.exit(1 if problem else 0)
