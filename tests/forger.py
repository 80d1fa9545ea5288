#!/usr/bin/env python3
"""A careful forger's toolkit, for tests/e2e/forgery.rs: opens an (unsealed) Cairn
bundle, makes one named change, and puts the bag back together as consistently as
anyone without the vault's key can -- both manifests, Payload-Oxum, the evidence
fingerprint, External-Identifier and the figures in HOW-TO-VERIFY.txt recomputed --
then writes a new ZIP with every file deflated (not Cairn's archive).

    forger.py IN.zip OUT.zip TAMPER [OLDER_CHECKPOINT_FILE]

TAMPER names one change (see TAMPERS), or `none` to only re-bag. Standard library
only, and written apart from Cairn's Rust, so it forges as an outsider would.
"""
import hashlib
import json
import sys
import zipfile


def sha(b):
    return hashlib.sha256(b).hexdigest()


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Bag:
    def __init__(self, path):
        self.files = {}
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.endswith("/"):
                    continue
                self.root, rest = n.split("/", 1)
                self.files[rest] = z.read(n)

    def text(self, p):
        return self.files[p].decode("utf-8")

    def put(self, p, s):
        self.files[p] = s.encode("utf-8") if isinstance(s, str) else s

    def lines(self, p):
        return self.text(p).splitlines()

    def records(self, p):
        """(line, parsed or None, trailing comma) for a JSON-lines file or an array
        written one element a line."""
        out = []
        for l in self.lines(p):
            body, comma = (l[:-1], ",") if l.endswith(",") else (l, "")
            try:
                v = json.loads(body)
            except ValueError:
                v = None
            out.append((l, v if isinstance(v, dict) else None, comma))
        return out

    def edit(self, p, pick, change):
        out, hit = [], False
        for l, v, comma in self.records(p):
            if v is not None and pick(v):
                change(v)
                hit = True
                l = json.dumps(v, ensure_ascii=False) + comma
            out.append(l)
        if not hit:
            sys.exit(f"forger: nothing in {p} to change")
        self.put(p, "\n".join(out) + "\n")

    def rebag(self):
        info = self.text("bag-info.txt")
        old = next(l.split(":", 1)[1].strip() for l in info.splitlines()
                   if l.startswith("Cairn-Evidence-SHA256:"))
        ev = "".join(f"{sha(b)}  {n}\n" for n, b in sorted(self.files.items())
                     if n.startswith(("data/exhibits/", "data/record/")))
        new = sha(ev.encode())
        for view in ("data/HOW-TO-VERIFY.txt", "data/index.html"):
            self.put(view, self.text(view).replace(old, new))
        payload = {n: b for n, b in self.files.items() if n.startswith("data/")}
        self.put("manifest-sha256.txt",
                 "".join(f"{sha(b)}  {n}\n" for n, b in sorted(payload.items())))
        oxum = f"{sum(len(b) for b in payload.values())}.{len(payload)}"
        out = []
        for l in info.splitlines():
            k = l.split(":", 1)[0]
            l = {"Payload-Oxum": f"Payload-Oxum: {oxum}",
                 "Cairn-Evidence-SHA256": f"Cairn-Evidence-SHA256: {new}",
                 "External-Identifier": f"External-Identifier: cairn-bundle-{new[:16]}"}.get(k, l)
            out.append(l)
        self.put("bag-info.txt", "\n".join(out) + "\n")
        self.put("tagmanifest-sha256.txt", "".join(
            f"{sha(self.files[n])}  {n}\n"
            for n in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")))

    def write(self, path):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in sorted(self.files.items()):
                z.writestr(f"{self.root}/{n}", b)


ITEMS, VERSIONS, EXHIBITS = "data/record/items.json", "data/record/versions.jsonl", "data/record/exhibits.json"


def entries_file(bag):
    return "data/record/chain.jsonl" if "data/record/chain.jsonl" in bag.files else "data/record/entries.jsonl"


def first(bag, kind):
    return next(v for _, v, _ in bag.records(ITEMS) if v and v["kind"] == kind and not v.get("redaction"))


def append_version(bag, _):
    inc = first(bag, "incident")
    p = entries_file(bag)
    last = json.loads(bag.lines(p)[-1])
    e = {"v": 1, "seq": last["seq"] + 1, "prev": last["hash"], "recorded_at": last["recorded_at"] + 1000,
         "kind": "incident.edit", "item": inc["id"], "content_sha256": "0" * 64,
         "meta": {"version": inc["version"] + 1}}
    e["hash"] = sha(canonical(e).encode())
    bag.put(p, bag.text(p) + json.dumps(e) + "\n")
    rec = {"title": "She made it all up"}
    bag.put(VERSIONS, bag.text(VERSIONS) + json.dumps(
        {"item": inc["id"], "version": inc["version"] + 1, "seq": e["seq"], "record": rec, "withheld": []}) + "\n")
    bag.edit(ITEMS, lambda v: v["id"] == inc["id"],
             lambda v: v.update(version=inc["version"] + 1, current_seq=e["seq"], record=rec))


def older_checkpoint(bag, older):
    bag.put("data/record/checkpoint.txt", open(older, encoding="utf-8").read())


def retitle(bag, _):
    bag.edit(ITEMS, lambda v: v["kind"] == "incident" and v.get("record"),
             lambda v: v["record"].update(title="Nothing happened"))


def rename_officer(bag, _):
    bag.edit(ITEMS, lambda v: v["kind"] == "person", lambda v: v["record"].update(name="Someone Else"))


def redate(bag, _):
    bag.edit(ITEMS, lambda v: v["kind"] == "incident", lambda v: v.update(recorded_at="2020-01-01T00:00:00.000Z"))


def drop_version(bag, _):
    kept = [l for l, v, _ in bag.records(VERSIONS) if not (v and v["version"] == 2)]
    bag.put(VERSIONS, "\n".join(kept) + "\n")


def redaction_reason(bag, _):
    bag.edit(ITEMS, lambda v: v.get("redaction"), lambda v: v["redaction"].update(reason="she deleted evidence"))


def hide_redaction(bag, _):
    bag.edit(ITEMS, lambda v: v.get("redaction"), lambda v: v.update(redaction=None))


def rewrite_with_notes_withheld(bag, _):
    def change(v):
        v["record"]["body"] = "I made it up."
        v["record"].pop("_sd", None)
        v["withheld"] = ["private_notes"]
        v["unverifiable"] = True
    bag.edit(VERSIONS, lambda v: v.get("record") and "_sd" in v["record"], change)


def edit_photo_record(bag, _):
    bag.edit(VERSIONS, lambda v: v.get("record") and "media_type" in v["record"] and v.get("withheld"),
             lambda v: v["record"].update(name="somewhere-else.jpg"))


def swap_copy(bag, _):
    ex = next(v for _, v, _ in bag.records(EXHIBITS) if v and v.get("location_removed"))
    other = bag.files[ex["path"]] + b"\0"
    bag.put(ex["path"], other)
    bag.edit(EXHIBITS, lambda v: v is not None and v.get("reference") == ex["reference"],
             lambda v: v.update(sha256=sha(other), size=len(other)))


def plant(bag, _):
    bag.put("data/exhibits/AB-9 texts from her.txt", b"I will lie about him")


def swap_references(bag, _):
    t = bag.text(EXHIBITS)
    bag.put(EXHIBITS, t.replace('"AB/1"', '"AB/X"').replace('"AB/2"', '"AB/1"').replace('"AB/X"', '"AB/2"'))


def forge_link(bag, _):
    files = [v["id"] for _, v, _ in bag.records(ITEMS) if v and v["kind"] == "file"]
    bag.edit(ITEMS, lambda v: v["kind"] == "incident" and v.get("record") and not set(files) <= set(v["links"]),
             lambda v: v["links"].extend(f for f in files if f not in v["links"]))


def repoint_link(bag, _):
    bag.edit(VERSIONS, lambda v: v.get("record") and "to" in v["record"],
             lambda v: v["record"].update(to="per-0000000000"))


def alter(path):
    def f(bag, _):
        b = bytearray(bag.files[path])
        b[len(b) // 2] ^= 0x20
        bag.put(path, bytes(b))
    return f


def flip_location(bag, _):
    t = bag.text("data/record/vault.json")
    bag.put("data/record/vault.json", t.replace('"location_included": false', '"location_included": true')
            if '"location_included": false' in t else t.replace('"location_included": true', '"location_included": false'))


TAMPERS = {
    "none": lambda bag, _: None,
    "append-version": append_version,
    "older-checkpoint": older_checkpoint,
    "retitle": retitle,
    "rename-officer": rename_officer,
    "redate": redate,
    "drop-version": drop_version,
    "redaction-reason": redaction_reason,
    "hide-redaction": hide_redaction,
    "rewrite-notes-withheld": rewrite_with_notes_withheld,
    "edit-photo-record": edit_photo_record,
    "swap-copy": swap_copy,
    "plant": plant,
    "swap-references": swap_references,
    "forge-link": forge_link,
    "repoint-link": repoint_link,
    "alter-pdf": alter("data/report.pdf"),
    "alter-html": alter("data/index.html"),
    "alter-howto": alter("data/HOW-TO-VERIFY.txt"),
    "flip-location": flip_location,
}

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[3] not in TAMPERS:
        sys.exit("usage: forger.py IN.zip OUT.zip TAMPER [OLDER_CHECKPOINT]\ntampers: " + " ".join(TAMPERS))
    bag = Bag(sys.argv[1])
    TAMPERS[sys.argv[3]](bag, sys.argv[4] if len(sys.argv) > 4 else None)
    bag.rebag()
    bag.write(sys.argv[2])
