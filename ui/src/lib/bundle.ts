// Plain words for the check of a bundle ("Open a bundle").

import type { BundleReport, Problem } from './bindings';

/** Where a problem is: the file in the bundle, the chain entry. */
export function problemWhere(p: Problem): string {
  const parts: string[] = [];
  if (p.path) parts.push(p.path);
  if (p.seq !== null && p.seq !== undefined) parts.push(`chain entry ${p.seq}`);
  return parts.join(', ');
}

/** What an earlier receipt shows, in words. */
export function receiptText(r: BundleReport): string {
  if (r.receipt_extends === null || r.receipt_extends === undefined) return 'No receipt given';
  return r.receipt_extends
    ? 'The history up to the receipt is the same: it was not rewritten'
    : 'The history does not extend the receipt';
}

/** Which of the vault's entries the bundle carries, in words. */
export function disclosureText(r: BundleReport): string {
  if (r.format < 2) return 'Every entry (an older bundle, not signed as a whole)';
  return r.disclosure === 'full-chain'
    ? `All ${r.entries} entries of the vault's history`
    : `${r.entries_carried} of the ${r.entries} entries (those of what was shared, each with a proof; the others stay private)`;
}

/** The figures for a solicitor, as label/value pairs. */
export function bundleDetails(r: BundleReport): [string, string][] {
  return [
    ['Result', r.ok ? 'Intact' : `${r.problems.length} ${r.problems.length === 1 ? 'problem' : 'problems'}`],
    [
      'Signed by the vault',
      r.format < 2 ? 'No: made by an earlier version of Cairn' : r.signed ? 'Yes: every file is covered by the vault’s signature' : 'No: the signature does not check',
    ],
    ['Sealed', r.sealed ? 'Yes (age)' : 'No (an open bag)'],
    ['Bundle fingerprint (SHA-256)', r.bundle_sha256],
    ['Evidence fingerprint (SHA-256)', r.evidence_sha256 || 'not found'],
    ['Vault', r.vault_id || 'unknown'],
    ['Made', r.exported_at || 'unknown'],
    ['Chain entries', disclosureText(r)],
    ['Files checked against the manifest', String(r.files_checked)],
    ['Exhibits', String(r.exhibits)],
    ['Record versions re-hashed', String(r.versions_checked)],
    ['Versions with fields left out', String(r.versions_withheld)],
    [
      'Versions that cannot be checked',
      r.unverifiable.length ? `${r.unverifiable.length} (written before this format, with a field left out)` : 'None',
    ],
    ['Checkpoint signature', r.checkpoint_valid ? 'Checks with the vault’s key in the bundle' : 'Does not check'],
    ['Earlier receipt', receiptText(r)],
  ];
}
