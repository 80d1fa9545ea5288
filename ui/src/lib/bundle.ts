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

/** The figures for a solicitor, as label/value pairs. */
export function bundleDetails(r: BundleReport): [string, string][] {
  return [
    ['Result', r.ok ? 'Intact' : `${r.problems.length} ${r.problems.length === 1 ? 'problem' : 'problems'}`],
    ['Sealed', r.sealed ? 'Yes (age)' : 'No (an open bag)'],
    ['Bundle fingerprint (SHA-256)', r.bundle_sha256],
    ['Evidence fingerprint (SHA-256)', r.evidence_sha256 || 'not found'],
    ['Vault', r.vault_id || 'unknown'],
    ['Made', r.exported_at || 'unknown'],
    ['Chain entries', String(r.entries)],
    ['Files checked against the manifest', String(r.files_checked)],
    ['Exhibits', String(r.exhibits)],
    ['Record versions re-hashed', String(r.versions_checked)],
    ['Versions with fields left out (not re-hashed)', String(r.versions_withheld)],
    ['Checkpoint signature', r.checkpoint_valid ? 'Checks with the vault’s key in the bundle' : 'Does not check'],
    ['Earlier receipt', receiptText(r)],
  ];
}
