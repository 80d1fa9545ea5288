//! `data/HOW-TO-VERIFY.txt`: how anyone checks the bundle with standard tools.

use crate::schedule::{pretty_time, Schedule};

/// The instructions, with this bundle's own figures.
pub fn text(s: &Schedule<'_>, sealed: bool) -> String {
    let root = s.root;
    let mut t = String::new();
    t.push_str("HOW TO CHECK THIS EVIDENCE BUNDLE\n=================================\n\n");
    t.push_str(&format!(
        "Made by {} on {} from vault {}.\n{} exhibits; the record of {} items; all {} entries of the vault's chain.\n\n",
        s.info.software,
        pretty_time(&s.info.exported_at),
        s.info.vault_id,
        s.exhibits.len(),
        s.items.len(),
        s.info.chain_size
    ));
    t.push_str(&format!(
        "Evidence fingerprint (SHA-256): {}\n\n",
        s.evidence
    ));
    if sealed {
        t.push_str(
            "1. Open the seal. The file you received is encrypted in the age format\n   \
             (https://age-encryption.org). With the passphrase you were given separately:\n       \
             age -d -o bundle.zip BUNDLE.age\n   or, if it was sealed to your age key:\n       \
             age -d -i your-key.txt -o bundle.zip BUNDLE.age\n\n",
        );
    } else {
        t.push_str("1. This bundle was not sealed; it is a plain ZIP.\n\n");
    }
    t.push_str(&format!(
        "2. Unzip it. The folder {root} is a BagIt bag (RFC 8493). Check every file against\n   \
         its recorded SHA-256 with the Library of Congress validator (pip install bagit):\n       \
         bagit.py --validate {root}\n   or with coreutils alone:\n       \
         cd {root} && sha256sum -c manifest-sha256.txt && sha256sum -c tagmanifest-sha256.txt\n\n"
    ));
    t.push_str(
        "3. The evidence fingerprint above is the SHA-256 of the manifest lines for\n   \
         data/exhibits/ and data/record/ (the report and this page are views of them):\n       \
         grep -E '  data/(exhibits|record)/' manifest-sha256.txt | sha256sum\n\n",
    );
    t.push_str(
        "4. The chain. data/record/chain.jsonl holds every entry the vault has written: one\n   \
         JSON object per line. Each entry's hash is the SHA-256 of its canonical JSON\n   \
         (keys sorted, no spaces, UTF-8) without the \"hash\" field, and each entry's\n   \
         \"prev\" is the hash of the one before. In Python:\n       \
         import hashlib, json\n       \
         prev = \"0\" * 64\n       \
         for n, line in enumerate(open(\"data/record/chain.jsonl\"), 1):\n           \
         e = json.loads(line); h = e.pop(\"hash\")\n           \
         c = json.dumps(e, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)\n           \
         assert e[\"seq\"] == n and e[\"prev\"] == prev\n           \
         assert hashlib.sha256(c.encode()).hexdigest() == h\n           \
         prev = h\n\n",
    );
    t.push_str(
        "5. Each exhibit's SHA-256 (data/record/exhibits.json) is the content_sha256 of the\n   \
         file.add entry for its item in the chain — unless it says a copy with location\n   \
         data removed was sent, in which case original_sha256 is. Each version of each item\n   \
         in data/record/versions.jsonl hashes (canonical JSON, as above) to its entry's\n   \
         content_sha256 (for files, to meta.record_sha256), except versions where fields\n   \
         were left out at her choice (listed in \"withheld\").\n\n",
    );
    t.push_str(
        "6. data/record/checkpoint.txt is a C2SP signed note over the chain's size and last\n   \
         hash, signed with the Ed25519 key in data/record/vault.json, whose SHA-256 of\n   \
         init_record is entry 1's content_sha256.\n\n",
    );
    t.push_str(
        "7. With Cairn installed, all of the above in one step:\n       \
         cairn verify-bundle BUNDLE [--passphrase-file F | --identity KEY] [--receipt RECEIPT]\n\n",
    );
    t.push_str(
        "WHAT THIS SHOWS, AND WHAT IT DOES NOT\n\
         The checks above show that the files are exactly those recorded, that the record is\n\
         consistent with the chain, and that nothing in the chain was altered or removed since\n\
         it was written, as far as the chain itself can tell. They do not show on their own\n\
         that the whole chain was not rebuilt by someone holding the vault's keys, or that the\n\
         computer's clock was right. A receipt (a checkpoint) she gave you or emailed earlier\n\
         fixes that: `cairn verify-bundle --receipt` checks that this chain extends it, so the\n\
         history before the receipt was not rewritten.\n",
    );
    t
}
