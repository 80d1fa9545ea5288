#!/usr/bin/env python3
"""Independent check of a Cairn evidence bundle (format 2), written from docs/FORMAT.md
(§9 Bundles, §7 Checkpoints and the Merkle tree, §5–§6 records and the chain) and not
from Cairn's code, so that whoever distrusts Cairn can read what is checked.

    python3 bundle_verify.py BAG_DIR [--receipt FILE_OR_TEXT] [--json]
    python3 bundle_verify.py --vectors docs/merkle-vectors.json

BAG_DIR is the bag unpacked (after `age -d` and `unzip`): the folder that holds
bagit.txt, or a folder holding only that folder. --receipt takes a receipt she gave out
earlier (its text or a file holding it). Exit 0 intact, 1 problems (printed one a line,
the first first, each with its code from FORMAT.md §9.8), 2 unreadable or usage.
Python 3.11, standard library only; Ed25519 verification is RFC 8032 §6, below.
"""
import base64
import hashlib
import json
import os
import re
import stat
import sys

# ---------------------------------------------------------------- Ed25519 (RFC 8032 §6)
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

def point_add(a, b):
    A = (a[1] - a[0]) * (b[1] - b[0]) % P
    B = (a[1] + a[0]) * (b[1] + b[0]) % P
    C = 2 * a[3] * b[3] * D % P
    Dd = 2 * a[2] * b[2] % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)

def point_mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = point_add(q, pt)
        pt = point_add(pt, pt)
        s >>= 1
    return q

def point_equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0

def recover_x(y, sign):
    if y >= P:
        return None                       # not a canonical encoding
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0        # "-0" is refused
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None                       # not on the curve
    return P - x if (x & 1) != sign else x

def point_decompress(b):
    y = int.from_bytes(b, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % P)

GY = 4 * pow(5, P - 2, P) % P
GX = recover_x(GY, 0)
BASE = (GX, GY, 1, GX * GY % P)

def small_order(pt):
    for _ in range(3):
        pt = point_add(pt, pt)            # [8]pt is the neutral point (0, 1)
    return pt[0] % P == 0 and (pt[1] - pt[2]) % P == 0

def ed25519_verify(public, message, signature):
    """RFC 8032 §5.1.7 (cofactorless): S < L, both points decoded strictly and not of
    small order (as ed25519-dalek's verify_strict)."""
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = point_decompress(public), point_decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L or small_order(a) or small_order(r):
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return point_equal(point_mul(s, BASE), point_add(r, point_mul(k, a)))

# ---------------------------------------------------------------- JSON as Cairn reads it (§5.1)
class Number:
    """A number canonical JSON refuses (a fraction, an exponent, -0, beyond 64 bits)."""
    def __init__(self, text):
        self.text = text

def _int(text):
    try:
        v = int(text)
    except ValueError:
        return Number(text)
    return Number(text) if (text.startswith("-") and v == 0) or not -2**63 <= v < 2**64 else v

def _object(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("a name appears twice in one object")
    return obj

def _constant(name):
    raise ValueError(f"{name} is not JSON")

def _surrogates(v):
    if isinstance(v, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in v):
        raise ValueError("a string holds half a surrogate pair")
    for x in (v.items() if isinstance(v, dict) else v if isinstance(v, list) else ()):
        for y in (x if isinstance(x, tuple) else (x,)):
            _surrogates(y)

def _depth(v):
    return 1 + max(map(_depth, v.values() if isinstance(v, dict) else v), default=0) if isinstance(v, (dict, list)) else 0

def parse_json(data):
    """RFC 8259 JSON, UTF-8, no name twice in an object, at most 127 levels deep (§9.7)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        v = json.loads(text, parse_float=Number, parse_int=_int, parse_constant=_constant,
                       object_pairs_hook=_object)
        if text.count("[") + text.count("{") > 127 and _depth(v) > 127:
            raise ValueError("it is nested more deeply than Cairn reads")
        if re.search(r"\\u[dD][89a-fA-F]", text):
            _surrogates(v)
    except RecursionError:
        raise ValueError("it is nested more deeply than Cairn reads") from None
    return v

def _refuse(v):
    raise TypeError("only whole numbers are hashed")

def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_refuse).encode("utf-8")

def sha256(b):
    return hashlib.sha256(b).hexdigest()

def json_sha256(v):
    """SHA-256 of the canonical JSON of v, or None if v holds what Cairn never hashes."""
    try:
        return sha256(canonical(v))
    except (TypeError, ValueError, RecursionError):
        return None

def unhex32(s):
    return bytes.fromhex(s) if isinstance(s, str) and re.fullmatch(r"[0-9a-f]{64}", s) else None

def b64_strict(s):
    """Standard base64 with padding, canonical (as Cairn writes it), or None."""
    try:
        raw = base64.b64decode(s, validate=True)
    except ValueError:
        return None
    return raw if base64.b64encode(raw).decode() == s else None

def rust_lines(text):
    """Lines split at \\n only, one trailing \\r removed, no empty last line."""
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]

def is_u64(v):
    return type(v) is int and 0 <= v < 2**64

def u64_text(s):
    return int(s) if re.fullmatch(r"\+?[0-9]+", s) and int(s) < 2**64 else None

def format_ms(ms):
    """UTC milliseconds as RFC 3339, e.g. 2026-11-25T06:40:12.345Z (§5.4)."""
    days, rem = ms // 86400000, ms % 86400000
    z = days + 719468                       # civil_from_days (H. Hinnant)
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day, month = doy - (153 * mp + 2) // 5 + 1, mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (month <= 2)
    if not 0 <= year <= 9999:
        return f"{ms} ms"
    return (f"{year:04}-{month:02}-{day:02}T{rem // 3600000:02}:{rem // 60000 % 60:02}:"
            f"{rem // 1000 % 60:02}.{rem % 1000:03}Z")

KINDS = ("incident", "file", "person", "link", "report", "message")
WITHHOLDABLE = {"incident": ("private_notes", "location"),
                "file": ("exif.gps_latitude", "exif.gps_longitude")}
TYPES = {"s": lambda v: isinstance(v, str), "n": is_u64, "b": lambda v: type(v) is bool,
         "v": lambda v: True, "k": lambda v: v in KINDS,
         "[s]": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
         "[v]": lambda v: isinstance(v, list), "[d]": lambda v: isinstance(v, list),
         "r": lambda v: isinstance(v, dict), "o": lambda v: isinstance(v, dict)}
# Fields of each record file (§9.4): "?" may be missing or null; "=" may be missing.
DISCLOSURE = {"field": "s", "salt": "s", "value": "v"}
REDACTION = {"reason": "s", "recorded_at": "s", "seq": "n", "versions": "[v]="}
ITEM = {"id": "s", "kind": "k", "exhibit": "s?", "version": "n", "created_seq": "n",
        "current_seq": "n", "recorded_at": "s", "updated_at": "s", "record": "v?",
        "withheld": "[s]=", "redaction": "r?", "links": "[s]="}
VERSION = {"item": "s", "version": "n", "seq": "n", "record": "v?", "withheld": "[s]=",
           "disclosures": "[d]=", "unverifiable": "b="}
EXHIBIT = {"reference": "s", "item": "s", "path": "s?", "name": "s", "media_type": "s",
           "size": "n?", "sha256": "s?", "original_sha256": "s", "location_removed": "b",
           "location_free_seq": "n?", "left_out": "s?"}
CONSISTENCY = {"size": "n", "root": "s", "proof": "[s]"}
SELECTION = {"kind": "s", "items": "[s]=", "from": "s?", "to": "s?"}
VAULT = {"format": "s", "version": "n", "software": "s", "vault_id": "s",
         "device_public_key": "s", "init_record": "s", "exported_at": "s", "chain_size": "n",
         "chain_head": "s", "location_included": "b", "private_notes_included": "b",
         "tree_root": "s=", "disclosure": "s=", "selection": "o=", "whole_exports": "b=",
         "withheld_fields": "[s]=", "left_out": "[s]="}
DEFAULTS = {"s": "", "b": False, "o": None, "[s]": [], "[v]": [], "[d]": []}
NO_SELECTION = {"kind": "", "items": [], "from": None, "to": None}

def fields(obj, spec, what):
    """The fields `spec` names, typed as FORMAT.md §9.4 gives them (others are ignored)."""
    if not isinstance(obj, dict):
        raise ValueError(f"{what} is not an object")
    out = {}
    for name, code in spec.items():
        base = code.rstrip("?=")
        v = obj.get(name)
        if name not in obj or (v is None and code.endswith("?")):
            if code.endswith("?"):
                out[name] = None
                continue
            if code.endswith("="):
                out[name] = list(DEFAULTS[base]) if base.startswith("[") else "proofs" if name == "disclosure" else DEFAULTS[base]
                continue
            raise ValueError(f"{what} has no {name}")
        if not TYPES[base](v):
            raise ValueError(f"{what}'s {name} is not what Cairn writes")
        out[name] = v
    if "disclosures" in out:
        out["disclosures"] = [fields(d, DISCLOSURE, "a disclosure") for d in out["disclosures"]]
    if out.get("redaction") is not None:
        out["redaction"] = fields(out["redaction"], REDACTION, "a redaction")
    if "selection" in out:
        out["selection"] = fields(out["selection"], SELECTION, "the selection") if out["selection"] is not None else NO_SELECTION
    if "disclosure" in out and out["disclosure"] not in ("proofs", "full-chain"):
        raise ValueError("its disclosure is neither proofs nor full-chain")
    return out

# ---------------------------------------------------------------- Merkle tree (RFC 6962, RFC 9162)
def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()

def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()

class Frontier:
    """The right edge of a growing tree: its root after each leaf, in O(log n) space."""
    def __init__(self):
        self.size, self.nodes = 0, []

    def push(self, leaf):
        s, h = self.size, leaf
        while s & 1:
            h = node_hash(self.nodes.pop(), h)
            s >>= 1
        self.nodes.append(h)
        self.size += 1

    def root(self):
        if not self.nodes:
            return hashlib.sha256(b"").digest()
        r = self.nodes[-1]
        for left in reversed(self.nodes[:-1]):
            r = node_hash(left, r)
        return r

def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 §2.1.3.2: `leaf` (a leaf hash) is leaf `index` of the tree of `size`."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root

def verify_consistency(old, new, old_root, new_root, proof):
    """RFC 9162 §2.1.4.2: the tree of `new` leaves extends the tree of `old`."""
    if old == 0 or old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = ([old_root] if old & (old - 1) == 0 else []) + list(proof)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root

# ---------------------------------------------------------------- signed notes and checkpoints (§7)
EM = "\u2014"

def key_id(name, public):
    return hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]

def verify_note(text, name, public):
    """C2SP signed note: returns the body (ending in \\n) signed by `public` under `name`,
    or raises ValueError saying why not."""
    if len(text.encode()) > 65536:
        raise ValueError("it is far longer than a Cairn note")
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise ValueError("it has no signature block")
    if not body or "\r" in body:
        raise ValueError("its text is not a signed note")
    body += "\n"
    for line in rust_lines(sigs):
        who, _, b64 = line[2:].partition(" ") if line.startswith(EM + " ") else ("", "", "")
        blob = b64_strict(b64.rstrip()) if who == name else None
        if blob is None or len(blob) != 68 or blob[:4] != key_id(name, public):
            continue
        if ed25519_verify(public, body.encode(), blob[4:]):
            return body
        raise ValueError("its signature does not match")
    raise ValueError("it has no signature from this vault's device key")

def verify_checkpoint(text, public):
    """A checkpoint (§7.1), signature checked: {origin, size, root (None in format 1), head, time}."""
    origin = rust_lines(text)[0] if text else ""
    if not origin.startswith("cairn/vault/"):
        raise ValueError("it is not a Cairn checkpoint")
    lines = rust_lines(verify_note(text, origin, public))[1:]
    size = u64_text(lines[0]) if lines and re.fullmatch(r"0|[1-9][0-9]*", lines[0]) else None
    if size is None:
        raise ValueError("its size line is not a number")
    third, rest = (lines[1] if len(lines) > 1 else ""), lines[2:]
    time = next((l[5:] for l in rest if l.startswith("time ")), None)
    if time is None:
        raise ValueError("it has no time line")
    ext = next((l[11:] for l in rest if l.startswith("cairn-head ")), None)

    def hash_line(s, what):
        raw = b64_strict(s)
        if raw is None or len(raw) != 32:
            raise ValueError(f"its {what} is not a SHA-256 hash")
        return raw.hex()
    if ext is None:                       # format 1: the head entry's hash, no root
        return {"origin": origin, "size": size, "root": None, "head": hash_line(third, "head entry"), "time": time}
    return {"origin": origin, "size": size, "root": hash_line(third, "tree head"),
            "head": "" if ext == "-" else hash_line(ext, "head entry"), "time": time}

def parse_receipt(text):
    """A receipt (§7.5): a checkpoint note (perhaps inside an email) or a short line."""
    lines = [l.rstrip() for l in rust_lines(text)]
    start = next((i for i, l in enumerate(lines) if l.startswith("cairn/vault/")), None)
    if start is not None:
        end = next((j for j in range(start, len(lines)) if lines[j].startswith(EM)), None)
        size = u64_text(lines[start + 1].strip()) if start + 1 < len(lines) else None
        third = b64_strict(lines[start + 2].strip()) if start + 2 < len(lines) else None
        if end is None or size is None or third is None or len(third) != 32:
            return None
        ext = next((l[11:].strip() for l in lines[start:end] if l.startswith("cairn-head ")), None)
        ext = ext if ext == "-" else b64_strict(ext) if ext is not None else None
        root, head = (third.hex(), None) if ext == "-" or (ext and len(ext) == 32) else (None, third.hex())
        return {"vault_id": lines[start][12:], "size": size, "root": root, "head": None if root else head,
                "note": "\n".join(lines[start:end + 1]) + "\n"}
    line = next((l for l in lines if l.lstrip().startswith("cairn-receipt ")), None)
    parts = line.split()[1:] if line else []
    hexes = lambda s, least: least <= len(s) <= 64 and re.fullmatch(r"[0-9a-fA-F]+", s)
    if len(parts) == 4 and parts[0] == "2" and hexes(parts[3], 32) and u64_text(parts[2]) is not None:
        return {"vault_id": parts[1], "size": u64_text(parts[2]), "root": parts[3].lower(), "head": None, "note": None}
    if len(parts) == 3 and hexes(parts[2], 16) and u64_text(parts[1]) is not None:
        return {"vault_id": parts[0], "size": u64_text(parts[1]), "root": None, "head": parts[2].lower(), "note": None}
    return None

def note_body(info, manifest_sha256, tagmanifest_sha256):
    """The exact text the vault signs for a format-2 bundle (§9.2)."""
    root = unhex32(info["tree_root"]) or bytes(32)
    sel = info["selection"]
    selection = {"items": f"items {len(sel['items'])}",
                 "dates": f"dates {sel['from'] or '-'} {sel['to'] or '-'}"}.get(sel["kind"], sel["kind"])
    listed = lambda v: ",".join(v) if v else "-"
    return (f"cairn/bundle/{info['vault_id']}\nformat {info['version']}\n"
            f"exported {info['exported_at']}\n"
            f"tree {info['chain_size']} {base64.b64encode(root).decode()}\n"
            f"manifest-sha256 {manifest_sha256}\ntagmanifest-sha256 {tagmanifest_sha256}\n"
            f"disclosure {info['disclosure']}\nselection {selection}\n"
            f"withheld {listed(info['withheld_fields'])}\nleft-out {listed(info['left_out'])}\n"
            f"location {'included' if info['location_included'] else 'left-out'}\n")

# ---------------------------------------------------------------- the bag (BagIt 1.0, §9.1)
class Unreadable(Exception):
    pass

class Report:
    def __init__(self):
        self.problems, self.notes, self.more = [], [], 0
        self.facts = {"format": 2, "signed": False, "checkpoint_valid": False, "entries": 0,
                      "entries_carried": 0, "files_checked": 0, "exhibits": 0,
                      "versions_checked": 0, "versions_withheld": 0, "unverifiable": [],
                      "redactions": [], "receipt_extends": None}

    def bad(self, code, message, path=None, seq=None):
        if len(self.problems) >= 200:
            self.more += 1
        else:
            self.problems.append({"code": code, "message": message, "path": path, "seq": seq})

    def note(self, text):
        self.notes.append(text)

BAGIT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
TAG_FILES = ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt",
             "cairn-signature.txt")
REC = "data/record/"
VAULT_J, ITEMS_J, VERSIONS_J, EXHIBITS_J = (REC + n for n in ("vault.json", "items.json", "versions.jsonl", "exhibits.json"))
CHAIN_J, ENTRIES_J, CONSIST_J, CHECKPOINT = (REC + n for n in ("chain.jsonl", "entries.jsonl", "consistency.jsonl", "checkpoint.txt"))
VIEWS = ("data/report.pdf", "data/index.html", "data/HOW-TO-VERIFY.txt")
WS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

class Bag:
    def __init__(self, root, rep):
        self.root, self.files, self.payload = root, set(), {}
        for top, dirs, names in os.walk(root):
            for n in dirs + names:
                full = os.path.join(top, n)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                mode = os.lstat(full).st_mode
                if stat.S_ISLNK(mode) or not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                    rep.bad("foreign_file", f"{rel} is a link or a device, not a file of the bag.", rel)
                elif stat.S_ISREG(mode):
                    self.files.add(rel)
                elif rel not in ("data", "data/exhibits", "data/record"):
                    # A folder Cairn does not make (an empty one can pose as an exhibit).
                    rep.bad("unlisted_file", f"The bundle holds a folder {rel}/ that Cairn does not make: it was added.", rel)

    def read(self, rel, limit):
        if rel not in self.files:
            return None
        with open(os.path.join(self.root, rel), "rb") as f:
            data = f.read(limit + 1)
        if len(data) > limit:
            raise Unreadable(f"{rel} is far larger than a Cairn bundle writes")
        return data

    def hash(self, rel):
        h, n = hashlib.sha256(), 0
        with open(os.path.join(self.root, rel), "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                n += len(chunk)
        return h.hexdigest(), n

    def lines(self, rel):
        """(number, line) with its \\n and \\r removed; ValueError for an overlong line."""
        with open(os.path.join(self.root, rel), "rb") as f:
            n = 0
            while raw := f.readline((72 << 20) + 2):
                n += 1
                line = raw.rstrip(b"\r\n")
                if len(line) > 72 << 20:
                    raise ValueError(f"line {n} is longer than any record Cairn writes")
                yield n, line

def manifest_lines(text):
    out = []
    for i, line in enumerate(rust_lines(text), 1):
        if not line.strip(WS):
            continue
        cut = next((j for j, ch in enumerate(line) if ch in WS), None)
        if cut is None:
            raise ValueError(f"line {i} is not \"<sha256> <path>\"")
        digest, path = line[:cut], line[cut:].lstrip(WS)
        if not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            raise ValueError(f"line {i} does not start with a SHA-256")
        for enc, dec in (("%0D", "\r"), ("%0d", "\r"), ("%0A", "\n"), ("%0a", "\n"), ("%25", "%")):
            path = path.replace(enc, dec)
        out.append((digest.lower(), path))
    return out

def check_manifest(bag, rep, which, data):
    try:
        wanted = manifest_lines(data.decode("utf-8", "replace"))
    except ValueError as why:
        rep.bad("manifest", f"{which} is malformed: {why}.", which)
        return []
    out = []
    for want, path in wanted:
        if path not in bag.files:
            rep.bad("missing_file", f"{path} is listed in {which} but is not in the bundle.", path)
            continue
        got, size = bag.hash(path)
        rep.facts["files_checked"] += 1
        if got != want:
            rep.bad("fixity", f"{path} does not match its SHA-256 in {which}: it was changed.", path)
        out.append((path, got, size))
    return out

def info_field(bag_info, key):
    return next((l[len(key) + 1:].strip() for l in rust_lines(bag_info) if l.startswith(key + ":")), None)

def evidence_fingerprint(payload):
    ev = sorted((p for p in payload if p[0].startswith(("data/exhibits/", "data/record/"))),
                key=lambda p: p[0].encode())
    enc = lambda s: s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return sha256("".join(f"{h}  {enc(p)}\n" for p, h, _ in ev).encode())

def check_fixity(bag, rep):
    """§9.8 step 1: both manifests, nothing unlisted, Payload-Oxum, the fingerprint."""
    if bag.read("bagit.txt", 4096) != BAGIT:
        rep.bad("bagit", "bagit.txt is not the BagIt 1.0 declaration Cairn writes.", "bagit.txt")
    tagm, manifest = bag.read("tagmanifest-sha256.txt", 256 << 20), bag.read("manifest-sha256.txt", 256 << 20)
    if tagm is None or manifest is None:
        raise Unreadable("its tagmanifest-sha256.txt or manifest-sha256.txt is missing")
    bag.manifest_sha256, bag.tagmanifest_sha256 = sha256(manifest), sha256(tagm)
    tags = [p for p, _, _ in check_manifest(bag, rep, "tagmanifest-sha256.txt", tagm)]
    for needed in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
        if needed not in tags:
            rep.bad("manifest", f"{needed} is not covered by tagmanifest-sha256.txt.", needed)
    payload = check_manifest(bag, rep, "manifest-sha256.txt", manifest)
    listed = {p for p, _, _ in payload}
    if len(listed) != len(payload):
        rep.bad("manifest", "manifest-sha256.txt lists a file twice.", "manifest-sha256.txt")
    for f in sorted(bag.files):
        if f.startswith("data/") and f not in listed:
            rep.bad("unlisted_file", f"{f} is in the bundle but not in its manifest: it was added.", f)
    bag.evidence = evidence_fingerprint(payload)
    bag.info = (bag.read("bag-info.txt", 1 << 20) or b"").decode("utf-8", "replace")
    if info_field(bag.info, "Payload-Oxum") != f"{sum(s for _, _, s in payload)}.{len(payload)}":
        rep.bad("payload_oxum", "bag-info.txt's Payload-Oxum does not match the payload: files were added or removed.", "bag-info.txt")
    if info_field(bag.info, "Cairn-Evidence-SHA256") != bag.evidence:
        rep.bad("evidence_fingerprint", "The evidence fingerprint in bag-info.txt does not match the manifest.", "bag-info.txt")
    bag.payload = {p: (h, s) for p, h, s in payload}
    for f in sorted(bag.files):
        if not f.startswith("data/") and f not in TAG_FILES:
            rep.bad("unlisted_file", f"{f} is in the bundle outside both manifests: it was added.", f)

# ---------------------------------------------------------------- the signature and the checkpoint (§9.2, §7.1)
def find_bag(path):
    if os.path.isfile(os.path.join(path, "bagit.txt")):
        return path
    inside = os.listdir(path) if os.path.isdir(path) else []
    if len(inside) == 1 and os.path.isfile(os.path.join(path, inside[0], "bagit.txt")):
        return os.path.join(path, inside[0])
    raise Unreadable(f"{path} holds no BagIt bag (no bagit.txt)")

def check_signature(bag, rep, info, public):
    """§9.8 step 2: the vault's signature over both manifests and the summary; bag-info."""
    sig = bag.read("cairn-signature.txt", 65536)
    if sig is None:
        rep.bad("signature", "cairn-signature.txt, the vault's signature over the bundle, is missing.", "cairn-signature.txt")
    elif public is None:
        rep.bad("signature", "The vault's public key in vault.json is not a valid key.", VAULT_J)
    else:
        try:
            body = verify_note(sig.decode("utf-8", "replace"), f"cairn/vault/{info['vault_id']}", public)
        except ValueError as why:
            rep.bad("signature", f"The vault's signature over the bundle does not verify: {why}.", "cairn-signature.txt")
        else:
            want = note_body(info, bag.manifest_sha256, bag.tagmanifest_sha256)
            diff = next((a.split(" ")[0] for a, b in zip(rust_lines(body), rust_lines(want)) if a != b), "summary")
            if body != want:
                rep.bad("signature_mismatch", f"The bundle is not the one the vault signed: its {diff} differs from what was signed.", "cairn-signature.txt")
            rep.facts["signed"] = body == want
    if unhex32(info["tree_root"]) is None or info["format"] != "cairn-bundle":
        rep.bad("record_format", "vault.json does not give the tree head a format-2 bundle must.", VAULT_J)
    said = {"Cairn-Format": str(info["version"]), "Cairn-Vault-Id": info["vault_id"],
            "Cairn-Chain-Size": str(info["chain_size"]), "Cairn-Chain-Head": info["chain_head"] or "-",
            "Cairn-Tree-Root": info["tree_root"], "Cairn-Disclosure": info["disclosure"],
            "External-Identifier": f"cairn-bundle-{bag.evidence[:16]}"}
    for k in (k for k, v in said.items() if info_field(bag.info, k) != v):
        rep.bad("bag_info", f"bag-info.txt's {k} is not what vault.json and the manifest give.", "bag-info.txt")

def check_checkpoint(bag, rep, info, public):
    """§9.8 step 3: the checkpoint is signed by the same key and is of this tree."""
    try:
        cp = verify_checkpoint((bag.read(CHECKPOINT, 65536) or b"").decode("utf-8", "replace"), public)
    except ValueError as why:
        return rep.bad("checkpoint_signature", f"The signed checkpoint does not verify: {why}.", CHECKPOINT)
    want = (info["chain_size"], info["tree_root"], info["chain_head"], f"cairn/vault/{info['vault_id']}")
    if (cp["size"], cp["root"], cp["head"], cp["origin"]) != want:
        return rep.bad("checkpoint_mismatch", f"The signed checkpoint (entry {cp['size']}) is not of the tree this bundle carries.", CHECKPOINT, cp["size"])
    rep.facts["checkpoint_valid"] = True

# ---------------------------------------------------------------- the record (§9.3–§9.8)
def records(bag, rep, path, array):
    """Each JSON value of a JSON Lines file, or of an array written one element a line
    (§9.4: `[`, elements each followed by `,` but the last, `]`). A line that cannot be
    read is a problem and ends the file."""
    if path not in bag.files:
        rep.bad("missing_file", f"{path} is missing.", path)
        return
    state = "start"                        # array: start, first, after "," / no ",", end
    try:
        for n, line in bag.lines(path):
            if array:
                t = line.strip(b" \t\n\r\x0c")
                if state == "end" or (state == "start" and t != b"["):
                    rep.bad("record_format", f"{path} is not one JSON array written one element a line.", path)
                    return
                if state == "start" or not t:
                    state = "first" if state == "start" else state
                    continue
                if t == b"]" and state != ",":
                    state = "end"
                    continue
                if state == "no ,":
                    rep.bad("record_format", f"Line {n} of {path} follows an element without a comma.", path)
                    return
                line, state = (t[:-1], ",") if t.endswith(b",") else (t, "no ,")
            try:
                yield parse_json(line)
            except ValueError as why:
                rep.bad("record_format", f"Line {n} of {path} cannot be read: {why}.", path)
                return
    except ValueError as why:
        rep.bad("record_format", f"{path} cannot be read: {why}.", path)
        return
    if array and state != "end":
        rep.bad("record_format", f"{path} is cut short.", path)


HEADER = ("content_sha256", "item", "kind", "meta", "prev", "recorded_at", "seq", "v")

def entry_line(v, with_proof):
    """An entry of chain.jsonl (header and hash) or entries.jsonl (and proof), §9.5."""
    if not isinstance(v, dict) or not isinstance(v.get("hash"), str):
        raise ValueError("it has no hash")
    header = {k: x for k, x in v.items() if k not in ("hash", "proof")}
    proof = v.get("proof")
    if with_proof and proof is not None and not (isinstance(proof, list) and all(isinstance(p, str) and len(p) == 64 for p in proof)):
        raise ValueError("its proof is not a list of hashes")
    if (not with_proof and "proof" in v) or sorted(header) != list(HEADER):
        raise ValueError("its fields are not an entry's")
    computed = json_sha256(header)
    if computed is None:
        raise ValueError("it holds a number an entry cannot")
    ok = (is_u64(header["seq"]) and type(header["recorded_at"]) is int and -2**63 <= header["recorded_at"] < 2**63
          and all(isinstance(header[k], str) for k in ("prev", "kind", "item", "content_sha256"))
          and isinstance(header["meta"], dict))
    if not ok:
        raise ValueError("its fields are not of an entry's types")
    if header["v"] != 1 or type(header["v"]) is not int:
        raise ValueError("it is not a version 1 entry")
    return header, v["hash"], computed, proof

def entry_info(e):
    """What is kept of an entry: what versions, redactions and exhibits are checked against."""
    meta = e["meta"]
    text = lambda k: meta[k] if isinstance(meta.get(k), str) else None
    version = meta.get("version") if is_u64(meta.get("version")) else None
    if e["kind"] == "file.location_free":
        copy = (e["content_sha256"], text("original_sha256")) if text("original_sha256") is not None else None
    else:
        copy = (text("location_free_sha256"), e["content_sha256"]) if text("location_free_sha256") is not None else None
    record = text("record_sha256")
    return {"kind": e["kind"], "item": e["item"], "version": version, "content": e["content_sha256"],
            "record": e["content_sha256"] if record is None else record, "copy": copy,
            "at": e["recorded_at"], "committed": meta.get("committed") is True}

def verb_ok(kind, entry_kind, version):
    k, _, verb = entry_kind.partition(".")
    return k == kind and ((version == 1 and verb in ("create", "add")) or
                          (version > 1 and verb in ("edit", "change")))

def check_entries(bag, rep, info, root, receipt_size):
    """§9.8 step 4: every carried entry against the signed tree."""
    n, full = info["chain_size"], info["disclosure"] == "full-chain"
    path, other = (CHAIN_J, ENTRIES_J) if full else (ENTRIES_J, CHAIN_J)
    entries, at_receipt, carried, last = {}, None, 0, None
    if other in bag.payload:
        rep.bad("unexpected_file", f"{other} does not belong in a {info['disclosure']} bundle.", other)
    if path not in bag.files:
        rep.bad("missing_file", f"{path}, the bundle's chain entries, is missing.", path)
        return entries, at_receipt, 0
    tree = Frontier()
    try:
        for number, line in bag.lines(path):
            try:
                e, given, computed, proof = entry_line(parse_json(line), not full)
            except ValueError as why:
                rep.bad("chain_format", f"Line {number} of {path} is not an entry: {why}.", path)
                break
            seq = e["seq"]
            if computed != given:
                rep.bad("chain_hash", f"Chain entry {seq} does not match its hash: it was changed.", path, seq)
                break
            prev = last[1] if last and last[0] + 1 == seq else "0" * 64 if not last and seq == 1 else None
            if full and seq != carried + 1:
                rep.bad("chain_gap", f"Chain entry {carried + 1} is missing: entries were removed or reordered.", path, carried + 1)
                break
            if not full and ((last and seq <= last[0]) or seq == 0 or seq > n):
                rep.bad("chain_gap", f"Chain entry {seq} is out of order or outside the signed tree.", path, seq)
                break
            if prev is not None and e["prev"] != prev:
                rep.bad("chain_link", f"Chain entry {seq} does not link to the entry before it.", path, seq)
                break
            leaf = leaf_hash(bytes.fromhex(given))
            if full:
                tree.push(leaf)
                if receipt_size == seq:
                    at_receipt = (tree.root().hex(), given)
            else:
                hashes = [unhex32(p) for p in proof or [None]]
                if proof is None or None in hashes or not verify_inclusion(leaf, seq - 1, n, hashes, root):
                    rep.bad("entry_proof", f"Chain entry {seq} is not in the history the vault signed: its inclusion proof fails.", path, seq)
                    break
                if receipt_size == seq:
                    at_receipt = (None, given)
            if seq == n and (full or info["chain_head"]) and given != info["chain_head"]:
                rep.bad("chain_head", f"Chain entry {seq} is not the head the vault signed.", path, seq)
                break
            carried, last = carried + 1, (seq, given)
            if seq == 1 or not e["kind"].startswith("vault."):
                entries[seq] = entry_info(e)
    except ValueError as why:
        rep.bad("chain_format", f"{path} cannot be read: {why}.", path)
    if full and not any(p["path"] == path for p in rep.problems):
        if carried != n:
            rep.bad("chain_size", f"The chain has {carried} entries, but the vault signed {n}: entries are missing.", path)
        elif tree.root() != root:
            rep.bad("tree_mismatch", "The chain's entries do not make the tree the vault signed: the history was changed.", path)
    return entries, at_receipt, carried

def check_items(bag, rep, info, entries):
    """§9.8 step 6: each item against its first and latest entries, and its redaction."""
    items = {}
    for raw in records(bag, rep, ITEMS_J, True):
        try:
            it = fields(raw, ITEM, "an item")
        except ValueError as why:
            rep.bad("record_format", f"{ITEMS_J} cannot be read: {why}.", ITEMS_J)
            break
        created, current = entries.get(it["created_seq"]), entries.get(it["current_seq"])
        if not (created and created["item"] == it["id"] and created["version"] == 1
                and verb_ok(it["kind"], created["kind"], 1)) or it["id"] in items:
            rep.bad("item_mismatch", f"Item {it['id']} is not the one chain entry {it['created_seq']} recorded.", ITEMS_J, it["created_seq"])
            continue
        ok = (it["recorded_at"] == format_ms(created["at"])
              and it["updated_at"] == (format_ms(current["at"]) if current else "")
              and current is not None and current["item"] == it["id"] and current["version"] == it["version"])
        r = it["redaction"]
        if r is not None:
            e = entries.get(r["seq"])
            tomb = {"item": it["id"], "reason": r["reason"], "versions": r["versions"]}
            ok = (ok and it["record"] is None and e is not None and e["kind"] == "item.redact"
                  and e["item"] == it["id"] and json_sha256(tomb) == e["content"]
                  and r["recorded_at"] == format_ms(e["at"]))
            if ok:
                rep.facts["redactions"].append({"seq": r["seq"], "item": it["id"], "recorded_at": r["recorded_at"], "reason": r["reason"]})
        if not ok:
            rep.bad("item_mismatch", f"The record of {it['id']} in items.json (its times, version or redaction) does not match the chain.", ITEMS_J, it["current_seq"])
        it.update(shown=None if it["record"] is None else json_sha256(it["record"]), next=1, link=None,
                  content=current["content"] if current and r is None else None, current=None)
        items[it["id"]] = it
    if info["disclosure"] == "full-chain":      # every version and redaction is in view
        counts = {}
        for e in entries.values():
            st = items.get(e["item"])
            if st and e["version"] is not None and verb_ok(st["kind"], e["kind"], e["version"]):
                counts[e["item"]] = counts.get(e["item"], 0) + 1
            if st and e["kind"] == "item.redact" and st["redaction"] is None:
                rep.bad("redaction_hidden", f"The chain records that {e['item']} was redacted, but the bundle shows it as not.", ITEMS_J)
        for id_ in sorted(items):
            if counts.get(id_, 0) != items[id_]["version"]:
                rep.bad("version_missing", f"The chain holds a different number of versions of {id_} than items.json: a version was dropped or added.", ITEMS_J)
    return items

def reveal(committed, disclosures):
    """§5.6: the record with the disclosed fields put back, and the fields still withheld;
    raises ValueError naming the field that does not match its commitment."""
    record = dict(committed) if isinstance(committed, dict) else committed
    sd = record.pop("_sd", {}) if isinstance(record, dict) else {}
    if not isinstance(sd, dict) or not all(isinstance(v, str) and len(v) == 64 for v in sd.values()):
        raise ValueError("_sd is not an object of digests")
    shown = set()
    for d in disclosures:
        if sd.get(d["field"]) is None or json_sha256([d["salt"], d["field"], d["value"]]) != sd[d["field"]]:
            raise ValueError(d["field"])
        if d["field"] in shown or get_path(record, d["field"]) is not MISSING:
            raise ValueError(d["field"])
        shown.add(d["field"])
        *parents, last = d["field"].split(".")
        cur = record
        for k in parents:
            if not isinstance(cur, dict):
                raise ValueError(d["field"])
            cur[k] = dict(cur[k]) if isinstance(cur.get(k), dict) else cur.get(k, {})
            cur = cur[k]
        if not isinstance(cur, dict):
            raise ValueError(d["field"])
        cur[last] = d["value"]
    return record, sorted(k for k in sd if k not in shown)

MISSING = object()

def get_path(record, path):
    """The value at a dotted field path (§5.6), or MISSING (null is a value)."""
    for k in path.split("."):
        record = record.get(k, MISSING) if isinstance(record, dict) else MISSING
    return record

def check_versions(bag, rep, info, entries, items):
    """§9.8 step 7: every version, in order, against its entry; withheld fields."""
    seen_withheld = set()
    for raw in records(bag, rep, VERSIONS_J, False):
        try:
            v = fields(raw, VERSION, "a version")
        except ValueError as why:
            rep.bad("record_format", f"{VERSIONS_J} cannot be read: {why}.", VERSIONS_J)
            return
        st, seq, name = items.get(v["item"]), v["seq"], f"{v['item']} (version {v['version']})"
        if st is None:
            rep.bad("version_unlisted", f"versions.jsonl holds a version of {v['item']}, which items.json does not list.", VERSIONS_J, seq)
            continue
        if v["version"] != st["next"]:
            rep.bad("version_missing", f"Version {st['next']} of {v['item']} is missing or out of order in versions.jsonl.", VERSIONS_J, seq)
            st["next"] = float("inf")
            continue
        st["next"] += 1
        e = entries.get(seq)
        if not (e and e["item"] == v["item"] and e["version"] == v["version"] and verb_ok(st["kind"], e["kind"], v["version"])):
            rep.bad("version_mismatch", f"Version {v['version']} of {v['item']} does not match chain entry {seq}.", VERSIONS_J, seq)
            continue
        if any(f not in WITHHOLDABLE.get(st["kind"], ()) for f in v["withheld"]):
            rep.bad("withheld_field", f"{name} leaves out a field that cannot be left out.", VERSIONS_J, seq)
        rec = v["record"]
        if rec is None:
            if st["redaction"] is None:
                rep.bad("content_missing", f"{name} has no record, but it was not redacted.", VERSIONS_J, seq)
            else:
                tomb = st["redaction"]["versions"]
                want = {"version": v["version"], "content_sha256": e["content"], "record_sha256": e["record"]}
                if len(tomb) < v["version"] or tomb[v["version"] - 1] != want:
                    rep.bad("redaction_versions", f"The redaction of {v['item']} does not list version {v['version']} as chain entry {seq} recorded it.", ITEMS_J, seq)
            continue
        if st["redaction"] is not None:
            rep.bad("redaction_hidden", f"{v['item']} was redacted, but the bundle still holds its record.", VERSIONS_J, seq)
        seen_withheld.update(v["withheld"])
        if v["unverifiable"]:
            if not v["withheld"] or e["committed"]:
                rep.bad("record_hash", f"{name} is said to be unverifiable, but its entry says it can be checked.", VERSIONS_J, seq)
                continue
            rep.facts["unverifiable"].append(f"{v['item']} version {v['version']}")
            whole = rec
        else:
            if json_sha256(rec) != e["record"]:
                rep.bad("record_hash", f"The record of {name} differs from what chain entry {seq} recorded: it was changed.", VERSIONS_J, seq)
                continue
            try:
                whole, left = reveal(rec, v["disclosures"])
            except ValueError:
                rep.bad("disclosure", f"A field given for {name} is not the one its record commits to: it was changed.", VERSIONS_J, seq)
                continue
            if left != sorted(v["withheld"]):
                rep.bad("withheld_field", f"{name} does not say truly what was left out of it.", VERSIONS_J, seq)
            rep.facts["versions_checked"] += 1
            rep.facts["versions_withheld"] += bool(left)
        if st["kind"] == "file" and (not isinstance(whole, dict) or whole.get("sha256") != e["content"]):
            rep.bad("record_hash", f"The record of {v['item']} names other content than its entry.", VERSIONS_J, seq)
        shows = lambda f: get_path(whole, f) is not MISSING
        if ((not info["location_included"] and st["kind"] == "file" and any(map(shows, WITHHOLDABLE["file"])))
                or (not info["private_notes_included"] and st["kind"] == "incident" and shows("private_notes"))):
            rep.bad("withheld_field", f"{name} holds a field the bundle says was left out.", VERSIONS_J, seq)
        if v["version"] == st["version"]:
            if json_sha256(whole) != st["shown"] or sorted(v["withheld"]) != sorted(st["withheld"]):
                rep.bad("item_mismatch", f"items.json shows {v['item']} differently from its latest version: it was changed.", ITEMS_J, seq)
            st["current"] = whole
            if st["kind"] == "link":
                w = whole if isinstance(whole, dict) else {}
                s = lambda k: w.get(k) if isinstance(w.get(k), str) else ""
                st["link"] = (s("from"), s("to"), w.get("active") is True)
    for id_ in sorted(items):
        st = items[id_]
        if st["next"] != st["version"] + 1:
            rep.bad("version_missing", f"versions.jsonl does not hold every version of {id_}.", VERSIONS_J)
        elif st["redaction"] is not None and len(st["redaction"]["versions"]) != st["version"]:
            rep.bad("redaction_versions", f"The redaction of {id_} lists {len(st['redaction']['versions'])} versions, not {st['version']}.", ITEMS_J)
    if set(info["withheld_fields"]) != seen_withheld:
        rep.bad("withheld_field", "vault.json's list of fields left out does not match the versions.", VAULT_J)
    rep.facts["versions_withheld"] += len(rep.facts["unverifiable"])
    if rep.facts["unverifiable"]:
        rep.note(f"{len(rep.facts['unverifiable'])} versions written before format 2 had fields left out, so their "
                 f"hashes could not be recomputed: {', '.join(rep.facts['unverifiable'])}.")

def check_links(rep, items):
    """§9.8 step 8: each item's links are those its link records give."""
    linked = {}
    for id_ in sorted(items):
        if items[id_]["link"]:
            a, b, active = items[id_]["link"]
            if a not in items or b not in items or a == b:
                rep.bad("link_dangling", f"Link {id_} joins an item the bundle does not hold.", ITEMS_J)
            elif active:
                linked.setdefault(a, set()).add(b)
                linked.setdefault(b, set()).add(a)
    for id_ in sorted(items):
        st = items[id_]
        if st["kind"] != "link" and st["redaction"] is None and set(st["links"]) != linked.get(id_, set()):
            rep.bad("links_mismatch", f"The links of {id_} are not what the bundle's link records say: they were changed.", ITEMS_J)

def check_exhibit(bag, rep, info, items, copies, ex):
    """One exhibit (§9.8 step 9); returns (item, path or None), or None."""
    st = items.get(ex["item"])
    ref, path = ex["reference"], ex["path"]
    if not st or st["kind"] != "file" or st["redaction"] is not None:
        rep.bad("exhibit_item", f"Exhibit {ref} names {ex['item']}, which is not a file the bundle holds.", EXHIBITS_J)
        return None
    if st["exhibit"] != ref:
        rep.bad("exhibit_reference", f"Exhibit {ref} is not the reference items.json gives {ex['item']}: references were swapped.", EXHIBITS_J)
    if st["content"] != ex["original_sha256"]:
        rep.bad("exhibit_chain", f"Exhibit {ref} ({ex['name']}) is not the file the chain recorded for {ex['item']}.", EXHIBITS_J)
    cur = st["current"] if isinstance(st["current"], dict) else {}
    if (ex["name"], ex["media_type"]) != (cur.get("name"), cur.get("media_type")):
        rep.bad("exhibit_record", f"Exhibit {ref} does not give the name and media type of {ex['item']}'s record.", EXHIBITS_J)
    if path is None:
        if ex["left_out"] is None or ex["sha256"] is not None:
            rep.bad("exhibit_hash", f"Exhibit {ref} is neither in the bundle nor said to be left out.", EXHIBITS_J)
        rep.note(f"Exhibit {ref} was left out: {ex['left_out'] or 'no reason given'}.")
        return ex["item"], None
    stem = ref.replace("/", "-")
    file = path[len("data/exhibits/"):] if path.startswith("data/exhibits/") else None
    if file is None or not (file == stem or file.startswith(stem + " ")) or ex["left_out"] is not None:
        rep.bad("exhibit_reference", f"Exhibit {ref} is stored as {path}, not under its reference.", path)
    got = bag.payload.get(path)
    if got is None:
        rep.bad("missing_file", f"Exhibit {ref} ({path}) is not in the bundle.", path)
    elif (got[0], got[1]) != (ex["sha256"], ex["size"]):
        rep.bad("exhibit_hash", f"Exhibit {ref} ({path}) does not have the SHA-256 the record gives.", path)
    elif not ex["location_removed"]:
        if got[0] != ex["original_sha256"]:
            rep.bad("exhibit_hash", f"Exhibit {ref} ({path}) is not the original.", path)
        if not info["location_included"] and any(c[0] == ex["item"] for c in copies.values()):
            rep.bad("location_included", f"Exhibit {ref} went out with its location data, though the bundle says location was left out.", path)
    elif copies.get(ex["location_free_seq"]) != (ex["item"], got[0], ex["original_sha256"]):
        rep.bad("exhibit_copy", f"Exhibit {ref} ({path}) is not the location-free copy the chain recorded: it was swapped.", path)
    else:
        rep.note(f"Exhibit {ref} is a copy with its location data removed (recorded at chain entry "
                 f"{ex['location_free_seq']}); the original's SHA-256 is {ex['original_sha256']}.")
    return ex["item"], path

def check_exhibits(bag, rep, info, entries, items):
    """§9.8 steps 9–10: exhibits, the items and the chain agree; nothing else is in data/."""
    copies = {s: (e["item"], *e["copy"]) for s, e in entries.items() if e["copy"]}
    refs, with_exhibit, paths, left_out, twice = set(), set(), set(), [], False
    for raw in records(bag, rep, EXHIBITS_J, True):
        try:
            ex = fields(raw, EXHIBIT, "an exhibit")
        except ValueError as why:
            rep.bad("record_format", f"{EXHIBITS_J} cannot be read: {why}.", EXHIBITS_J)
            break
        rep.facts["exhibits"] += 1
        twice |= ex["reference"] in refs
        refs.add(ex["reference"])
        got = check_exhibit(bag, rep, info, items, copies, ex)
        if got:
            twice |= got[0] in with_exhibit
            with_exhibit.add(got[0])
            if got[1] is None:
                left_out.append(ex["reference"])
            else:
                paths.add(got[1])
    if twice:
        rep.bad("exhibit_reference", "exhibits.json lists a reference or a file twice.", EXHIBITS_J)
    for id_ in sorted(items):
        if items[id_]["kind"] == "file" and items[id_]["redaction"] is None and id_ not in with_exhibit:
            rep.bad("exhibit_missing", f"File {id_} is in the record but not in the exhibit list.", EXHIBITS_J)
    if sorted(info["left_out"]) != sorted(left_out):
        rep.bad("exhibit_left_out", "vault.json's list of exhibits left out does not match exhibits.json.", VAULT_J)
    full = info["disclosure"] == "full-chain"
    allowed = {VAULT_J, ITEMS_J, VERSIONS_J, EXHIBITS_J, CHECKPOINT, *VIEWS, CHAIN_J if full else ENTRIES_J}
    allowed |= set() if full else {CONSIST_J}
    for p in sorted(bag.payload):
        if p not in allowed and p not in paths:
            rep.bad("planted_file", f"{p} is not a file Cairn puts in a bundle or an exhibit the record lists: it was added.", p)

def check_receipt(rep, info, public, root, at_receipt, consistent, text):
    """§7.5 and §9.8 step 12: the same vault and key, and this history extends the receipt's."""
    r, n = parse_receipt(text), info["chain_size"]
    if r is None:
        return rep.bad("receipt_format", "The receipt given is not a Cairn receipt.")
    if r["vault_id"] != info["vault_id"]:
        return rep.bad("receipt_vault", "The receipt is for a different vault.")
    if r["note"] is not None and public is not None:
        try:
            cp = verify_checkpoint(r["note"], public)
        except ValueError as why:
            return rep.bad("receipt_signature", f"The receipt's signature does not check with this vault's key ({why}): the vault was rebuilt with a new key.")
        r.update(size=cp["size"], root=cp["root"], head=None if cp["root"] else cp["head"])
    if r["size"] == 0 or r["size"] > n:
        return rep.bad("receipt_rewritten", f"The receipt covers {r['size']} entries but this bundle's history has only {n}: the bundle was made before the receipt, or its history was cut short.")
    root_at = root.hex() if r["size"] == n else (at_receipt or (None,))[0] if info["disclosure"] == "full-chain" else consistent.get(r["size"])
    head_at = at_receipt[1] if at_receipt else info["chain_head"] if r["size"] == n and info["chain_head"] else None
    have, want = (root_at, r["root"]) if r["root"] else (head_at, r["head"])
    if have is None:
        return rep.bad("receipt_not_covered", f"This bundle carries only the exported entries and no proof from the receipt's {r['size']} entries, so it cannot be checked against it; ask for a bundle with the full chain.", None, r["size"])
    if not have.startswith(want):
        return rep.bad("receipt_rewritten", f"The history up to entry {r['size']} is not the one the receipt recorded: it was rewritten.", None, r["size"])
    return True

def check_first_entry(rep, info, entries):
    """§9.8 step 5: entry 1 is the vault's, and names the key that signed."""
    e1 = entries.get(1)
    try:
        init = parse_json(info["init_record"])
    except ValueError:
        init = None
    if not (e1 and e1["kind"] == "vault.init" and e1["item"] == info["vault_id"]
            and e1["content"] == sha256(info["init_record"].encode())
            and isinstance(init, dict) and init.get("device_public_key") == info["device_public_key"]
            and init.get("vault_id") == info["vault_id"]):
        rep.bad("init_mismatch", "The vault's first entry does not name the key that signed this bundle: the record was replaced.", VAULT_J, 1)

def check_consistency(bag, rep, info, root):
    """§9.8 step 11: each consistency proof from an earlier tree head; returns {size: root}."""
    consistent = {}
    if info["disclosure"] == "full-chain" or CONSIST_J not in bag.payload:
        return consistent
    for raw in records(bag, rep, CONSIST_J, False):
        try:
            c = fields(raw, CONSISTENCY, "a consistency proof")
        except ValueError as why:
            rep.bad("record_format", f"{CONSIST_J} cannot be read: {why}.", CONSIST_J)
            break
        old, proof = unhex32(c["root"]), [unhex32(h) for h in c["proof"]]
        if old and None not in proof and verify_consistency(c["size"], info["chain_size"], old, root, proof):
            consistent[c["size"]] = c["root"]
        else:
            rep.bad("consistency_proof", f"The proof that this history extends the one of {c['size']} entries fails.", CONSIST_J)
    return consistent

def verify(bag_dir, receipt=None):
    """Every check of FORMAT.md §9.8, in order. Returns the Report; raises Unreadable."""
    rep = Report()
    bag = Bag(find_bag(bag_dir), rep)
    check_fixity(bag, rep)
    raw = bag.read(VAULT_J, 1 << 20)
    if raw is None:
        raise Unreadable(f"{VAULT_J} is missing")
    try:
        info = fields(parse_json(raw), VAULT, "vault.json")
    except ValueError as why:
        raise Unreadable(f"{VAULT_J} is not what Cairn writes ({why})")
    if info["version"] != 2:
        raise Unreadable(f"it is bundle format {info['version']}; this script checks format 2 "
                         "(`cairn verify-bundle` checks format 1, FORMAT.md §9.10)")
    rep.facts.update(disclosure=info["disclosure"], entries=info["chain_size"],
                     vault_id=info["vault_id"], exported_at=info["exported_at"])
    public = unhex32(info["device_public_key"])
    public = public if public and point_decompress(public) and not small_order(point_decompress(public)) else None
    check_signature(bag, rep, info, public)
    if public is not None:
        check_checkpoint(bag, rep, info, public)
    root = unhex32(info["tree_root"]) or bytes(32)
    parsed = parse_receipt(receipt) if receipt is not None else None
    entries, at_receipt, rep.facts["entries_carried"] = check_entries(bag, rep, info, root, parsed and parsed["size"])
    check_first_entry(rep, info, entries)
    items = check_items(bag, rep, info, entries)
    check_versions(bag, rep, info, entries, items)
    check_links(rep, items)
    check_exhibits(bag, rep, info, entries, items)
    consistent = check_consistency(bag, rep, info, root)
    if receipt is not None:
        rep.facts["receipt_extends"] = check_receipt(rep, info, public, root, at_receipt, consistent, receipt) is True
    return rep

# ---------------------------------------------------------------- test vectors and the command line
def check_vectors(path):
    """docs/merkle-vectors.json: roots, inclusion and consistency proofs, and bad proofs."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    failures, count = [], 0
    for s in doc["sets"]:
        leaves = [leaf_hash(bytes.fromhex(x)) for x in s["leaves"]]
        if "leaf_hashes" in s and [h.hex() for h in leaves] != s["leaf_hashes"]:
            failures.append(f"{s['name']}: leaf hashes")
        roots = {}
        for r in s["roots"]:
            f = Frontier()
            for leaf in leaves[:r["size"]]:
                f.push(leaf)
            roots[r["size"]] = f.root()
            count += 1
            if f.root().hex() != r["root"]:
                failures.append(f"{s['name']}: root of {r['size']}")
        for v in s["inclusion"]:
            count += 1
            if not verify_inclusion(leaves[v["index"]], v["index"], v["size"], [bytes.fromhex(h) for h in v["proof"]], roots[v["size"]]):
                failures.append(f"{s['name']}: inclusion of leaf {v['index']} in {v['size']}")
        for v in s["consistency"]:
            count += 1
            if not verify_consistency(v["old"], v["new"], roots[v["old"]], roots[v["new"]], [bytes.fromhex(h) for h in v["proof"]]):
                failures.append(f"{s['name']}: consistency {v['old']} to {v['new']}")
        for v in s.get("must_fail", []):
            count += 1
            proof = [bytes.fromhex(h) for h in v["proof"]]
            if v["kind"] == "inclusion":
                root = bytes.fromhex(v["root"]) if "root" in v else roots[v["size"]]
                ok = verify_inclusion(leaves[v["leaf"]], v["index"], v["size"], proof, root)
            else:
                ok = verify_consistency(v["old"], v["new"], roots[v["old"]], roots[v["new"]], proof)
            if ok:
                failures.append(f"{s['name']}: a bad proof passed ({v['why']})")
    print("\n".join(failures) or f"intact: {count} Merkle vectors checked")
    return 1 if failures else 0

def main(argv):
    sys.stdout.reconfigure(errors="replace")          # a Windows console's code page
    args, receipt, as_json = list(argv), None, False
    if args[:1] == ["--vectors"] and len(args) == 2:
        return check_vectors(args[1])
    if "--json" in args:
        args.remove("--json")
        as_json = True
    if "--receipt" in args:
        i = args.index("--receipt")
        if i + 1 >= len(args):
            args = []
        else:
            r = args.pop(i + 1)
            args.pop(i)
            receipt = open(r, encoding="utf-8", errors="replace").read() if os.path.isfile(r) else r
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        rep = verify(args[0], receipt)
    except (Unreadable, OSError) as why:
        print(json.dumps({"ok": False, "unreadable": str(why)}) if as_json else f"Unreadable: {why}.")
        return 2
    if rep.more:
        rep.note(f"{rep.more} more problems were found and are not listed.")
    n, carried = rep.facts["entries"], rep.facts["entries_carried"]
    if rep.problems:
        verdict = f"Problems found: {len(rep.problems) + rep.more} (the first: {rep.problems[0]['message']})"
    else:
        verdict = (f"Intact: the vault's signature covers every file, each file matches its SHA-256, and the "
                   f"record matches the {n} signed chain entries"
                   + (" (all carried)" if rep.facts["disclosure"] == "full-chain" else f" ({carried} carried, each with its proof)")
                   + (" except the older versions named below, whose hashes cannot be recomputed" if rep.facts["unverifiable"] else "")
                   + ("; it extends the receipt given" if rep.facts["receipt_extends"] else
                      "; only a receipt given out earlier shows the history was not rebuilt by someone holding the vault's keys") + ".")
    if as_json:
        print(json.dumps({"ok": not rep.problems, "verdict": verdict, **rep.facts,
                          "problems": rep.problems, "notes": rep.notes}, indent=1, ensure_ascii=False))
    else:
        for p in rep.problems:
            where = ", ".join(x for x in (p["path"], p["seq"] and f"entry {p['seq']}") if x)
            print(f"{p['code']}: {p['message']}" + (f" [{where}]" if where else ""))
        for note in rep.notes:
            print(f"note: {note}")
        for r in rep.facts["redactions"]:
            print(f"Redaction: {r['item']} at chain entry {r['seq']} ({r['recorded_at']}): {r['reason']}")
        print(verdict)
    return 1 if rep.problems else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
