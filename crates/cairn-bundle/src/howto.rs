//! `data/HOW-TO-VERIFY.txt`: how anyone checks a format-2 bundle with standard tools
//! and a few lines of Python, with this bundle's own figures (docs/FORMAT.md §9).

use base64::Engine;

use crate::bag::unhex;
use crate::record::{note_body, Disclosure, CHAIN_PATH, CHECKPOINT_PATH, ENTRIES_PATH};
use crate::schedule::{pretty_time, Schedule};

/// Whether the file she hands over is sealed, as far as the text can say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sealed {
    Yes,
    No,
    /// The schedule's copy of the text, made before the bundle's seal is known to it.
    Either,
}

/// The instructions, with this bundle's own figures.
pub fn text(s: &Schedule<'_>, sealed: bool) -> String {
    build(s, if sealed { Sealed::Yes } else { Sealed::No })
}

/// The same for the schedule's last pages, whichever way the bundle was sealed.
pub fn for_schedule(s: &Schedule<'_>) -> String {
    build(s, Sealed::Either)
}

fn b64(hex: &str) -> String {
    unhex(hex)
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
        .unwrap_or_else(|| "(not given)".into())
}

fn build(s: &Schedule<'_>, sealed: Sealed) -> String {
    let root = s.root;
    let info = s.info;
    let n = info.chain_size;
    let full = info.disclosure == Disclosure::FullChain;
    let mut t = String::new();
    t.push_str("HOW TO CHECK THIS EVIDENCE BUNDLE\n=================================\n\n");
    t.push_str(&format!(
        "Made by {} on {} from vault {}.\n\
         Bundle format {}. {} exhibits; the record of {} items.\n\
         Chain entries carried: {}.\n\n",
        info.software,
        pretty_time(&info.exported_at),
        info.vault_id,
        info.version,
        s.exhibits.len(),
        s.items.len(),
        s.disclosure_short(),
    ));
    t.push_str(&format!(
        "Evidence fingerprint (SHA-256):\n    {}\n\
         The vault's chain: {n} entries. The last entry's hash:\n    {}\n\
         Merkle tree head (RFC 6962) over those {n} entries:\n    {}\n    (base64: {})\n\n",
        s.evidence,
        if info.chain_head.is_empty() {
            "not named in this bundle (it may be an entry it does not carry)"
        } else {
            info.chain_head.as_str()
        },
        info.tree_root,
        b64(&info.tree_root),
    ));
    t.push_str(&format!(
        "From step 3 on, every command is run inside the folder {root}.\n\
         The whole check, without Cairn: docs/bundle_verify.py in Cairn's source code is\n\
         an independent checker in Python that does steps 2 to 8 (its first lines say what\n\
         it needs):\n    python3 bundle_verify.py {root}\n\n"
    ));
    match sealed {
        Sealed::Yes => t.push_str(
            "1. Open the seal. The file you received is encrypted in the age format\n   \
             (https://age-encryption.org). With the passphrase you were given separately:\n       \
             age -d -o bundle.zip BUNDLE.age\n   or, if it was sealed to your age key:\n       \
             age -d -i your-key.txt -o bundle.zip BUNDLE.age\n\n",
        ),
        Sealed::No => t.push_str("1. This bundle was not sealed; it is a plain ZIP.\n\n"),
        Sealed::Either => t.push_str(
            "1. If the file you received is sealed (encrypted in the age format,\n   \
             https://age-encryption.org), open it with the passphrase you were given\n   \
             separately, or with your age key:\n       \
             age -d -o bundle.zip BUNDLE.age\n       \
             age -d -i your-key.txt -o bundle.zip BUNDLE.age\n   \
             A plain ZIP needs no step 1.\n\n",
        ),
    }
    t.push_str(&format!(
        "2. Unzip it. The folder {root} is a BagIt bag (RFC 8493). Check every file against\n   \
         its recorded SHA-256 with the Library of Congress validator (pip install bagit):\n       \
         bagit.py --validate {root}\n   or with coreutils alone:\n       \
         cd {root} && sha256sum -c manifest-sha256.txt && sha256sum -c tagmanifest-sha256.txt\n\n"
    ));
    t.push_str(
        "3. The evidence fingerprint above is the SHA-256 of the manifest lines for\n   \
         data/exhibits/ and data/record/ (the schedule and this page are views of them):\n       \
         grep -E '  data/(exhibits|record)/' manifest-sha256.txt | sha256sum\n\n",
    );
    let body = note_body(
        info,
        "<SHA-256 of manifest-sha256.txt>",
        "<SHA-256 of tagmanifest-sha256.txt>",
    );
    t.push_str(&format!(
        "4. The signature. cairn-signature.txt (beside bagit.txt, outside both manifests,\n   \
         because it signs them) is a C2SP signed note (https://c2sp.org/signed-note) by the\n   \
         vault's Ed25519 key, named cairn/vault/{}; the public key is\n   \
         device_public_key in data/record/vault.json:\n       {}\n   \
         It signs both manifests' SHA-256, what she chose to export, and the tree head:\n{}\
         \n   The two manifest lines must equal the output of\n       \
         sha256sum manifest-sha256.txt tagmanifest-sha256.txt\n   \
         and the signature must verify. In Python (pip install cryptography):\n       \
         import base64, json\n       \
         from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey\n       \
         key = bytes.fromhex(json.load(open(\"data/record/vault.json\"))[\"device_public_key\"])\n       \
         body, sigs = open(\"cairn-signature.txt\", encoding=\"utf-8\").read().split(\"\\n\\n\", 1)\n       \
         sig = base64.b64decode(sigs.split()[-1])[4:]\n       \
         Ed25519PublicKey.from_public_bytes(key).verify(sig, (body + \"\\n\").encode())\n\n",
        info.vault_id,
        info.device_public_key,
        body.lines()
            .map(|l| format!("       {l}\n"))
            .collect::<String>(),
    ));
    t.push_str(&format!(
        "5. The checkpoint. {CHECKPOINT_PATH} is a signed tree head in the C2SP\n   \
         tlog-checkpoint form (https://c2sp.org/tlog-checkpoint), signed by the same key:\n       \
         cairn/vault/{}\n       {n}\n       {}\n       cairn-head {}\n       time …\n   \
         Its size and tree head must be the ones above (chain_size and tree_root in\n   \
         vault.json). Check its signature as in step 4, with {CHECKPOINT_PATH} in place\n   \
         of cairn-signature.txt.\n\n",
        info.vault_id,
        b64(&info.tree_root),
        if info.chain_head.is_empty() {
            "-".to_string()
        } else {
            b64(&info.chain_head)
        },
    ));
    if full {
        t.push_str(&format!(
            "6. The chain. {CHAIN_PATH} holds every entry the vault has written, one JSON\n   \
             object per line. Each entry's hash is the SHA-256 of its canonical JSON (keys\n   \
             sorted, no spaces, UTF-8) without the \"hash\" field; each entry's \"prev\" is\n   \
             the hash of the one before; and the entry hashes, as the leaves of an RFC 6962\n   \
             Merkle tree, give the tree head above. In Python:\n       \
             import hashlib, json\n       \
             def H(b): return hashlib.sha256(b).digest()\n       \
             def head(leaves):\n           \
             if len(leaves) == 1: return H(b\"\\x00\" + leaves[0])\n           \
             k = 1\n           \
             while k * 2 < len(leaves): k *= 2\n           \
             return H(b\"\\x01\" + head(leaves[:k]) + head(leaves[k:]))\n       \
             prev, leaves = \"0\" * 64, []\n       \
             for n, line in enumerate(open(\"{CHAIN_PATH}\", encoding=\"utf-8\"), 1):\n           \
             e = json.loads(line); h = e.pop(\"hash\")\n           \
             c = json.dumps(e, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)\n           \
             assert e[\"seq\"] == n and e[\"prev\"] == prev, n\n           \
             assert hashlib.sha256(c.encode()).hexdigest() == h, n\n           \
             prev = h; leaves.append(bytes.fromhex(h))\n       \
             print(len(leaves), prev, head(leaves).hex())\n   \
             It must print {n}, the last entry's hash and the tree head given above.\n\n"
        ));
    } else {
        t.push_str(&format!(
            "6. The entries. {ENTRIES_PATH} holds only the entries of the exported items\n   \
             ({} of the vault's {n}), one JSON object per line, each with its RFC 6962\n   \
             inclusion proof: the hashes that, with the entry's own, rebuild the tree head\n   \
             above. Each entry's hash is the SHA-256 of its canonical JSON (keys sorted, no\n   \
             spaces, UTF-8) without its \"hash\" and \"proof\" fields. In Python:\n       \
             import hashlib, json\n       \
             def H(b): return hashlib.sha256(b).digest()\n       \
             size = {n}\n       \
             root = bytes.fromhex(\"{}\")\n       \
             def included(leaf, index, proof):  # RFC 9162, section 2.1.3.2\n           \
             fn, sn, r = index, size - 1, H(b\"\\x00\" + leaf)\n           \
             for p in proof:\n               \
             if sn == 0: return False\n               \
             if fn & 1 or fn == sn:\n                   \
             r = H(b\"\\x01\" + p + r)\n                   \
             while fn and not fn & 1: fn >>= 1; sn >>= 1\n               \
             else:\n                   \
             r = H(b\"\\x01\" + r + p)\n               \
             fn >>= 1; sn >>= 1\n           \
             return sn == 0 and r == root\n       \
             for line in open(\"{ENTRIES_PATH}\", encoding=\"utf-8\"):\n           \
             e = json.loads(line); h = e.pop(\"hash\"); proof = e.pop(\"proof\")\n           \
             c = json.dumps(e, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)\n           \
             assert hashlib.sha256(c.encode()).hexdigest() == h, e[\"seq\"]\n           \
             assert included(bytes.fromhex(h), e[\"seq\"] - 1, [bytes.fromhex(p) for p in proof]), e[\"seq\"]\n       \
             print(\"every entry is in the signed tree\")\n   \
             Where data/record/consistency.jsonl is present, each line proves that an\n   \
             earlier tree head she gave out (a receipt) is part of this one;\n   \
             bundle_verify.py checks those proofs.\n\n",
            s.chain.len(),
            info.tree_root,
        ));
    }
    t.push_str(
        "7. The records. Each version in data/record/versions.jsonl hashes (canonical JSON,\n   \
         as above) to its entry's content_sha256 (for files, to meta.record_sha256). Where\n   \
         a field can be left out (private notes, where it happened, a photo's position),\n   \
         the version holds a digest of it in \"_sd\" instead, so it still hashes to its\n   \
         entry whether the field is given or not; a field given is listed in\n   \
         \"disclosures\" with its salt, and SHA-256 of the canonical JSON of\n   \
         [salt, field, value] must equal its digest. Versions marked \"unverifiable\" were\n   \
         written before format 2 with a field left out and cannot be re-hashed; the audit\n   \
         annex of the schedule names them. bundle_verify.py does these checks.\n\n",
    );
    t.push_str(
        "8. The exhibits. Each exhibit's SHA-256 (data/record/exhibits.json) is the\n   \
         content_sha256 of its item's file entry — unless a copy without location data was\n   \
         sent: then original_sha256 is, and the copy's SHA-256 is the one recorded by the\n   \
         entry named in location_free_seq. An exhibit left out says why in left_out.\n\n",
    );
    t.push_str(
        "9. With Cairn installed, all of the above in one step:\n       \
         cairn verify-bundle BUNDLE [--passphrase-file F | --identity KEY] [--receipt RECEIPT]\n\n",
    );
    t.push_str(
        "WHAT THIS SHOWS, AND WHAT IT DOES NOT\n\
         The checks above show that the files are exactly those recorded, that each record\n\
         is the one its chain entry recorded, and that those entries belong to the history\n\
         the vault's key signed: whoever held the vault's key made this bundle, and nothing\n\
         in it was changed after. They do not show on their own that the whole history was\n\
         not rebuilt, later, by someone holding that key, or that the computer's clock was\n\
         right. Only something kept elsewhere shows that: a receipt (a signed checkpoint)\n\
         she gave to someone or emailed earlier, or a trusted timestamp. Given a receipt,\n\
         `cairn verify-bundle --receipt` checks that this history extends it, so nothing\n\
         before the receipt was rewritten.\n",
    );
    t
}
