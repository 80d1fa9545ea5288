// Plain words for the integrity details of one item and of the whole vault.

import type { Report, Signature } from './bindings';
import { formatInstant } from './datetime';
import { formatSize } from './labels';

/** Whether the vault's signed record covers an item, in words. */
export function signatureText(sig: Signature | null | undefined): string {
  if (!sig) return 'Not yet covered by a signed record of the vault.';
  if (!sig.valid) return 'Signature does not check.';
  const when = formatInstant(sig.time);
  const entries = `${sig.size} ${sig.size === 1 ? 'entry' : 'entries'}`;
  if (sig.covers) return `Covered by the vault's signed record of ${entries}, signed ${when}.`;
  return `Not yet covered: the vault's latest signed record (${entries}, signed ${when}) was made before this was last changed.`;
}

export const HONEST_NOTE =
  'Check integrity shows whether this record has changed since it was written here. On its own it cannot rule out that someone who knows your passphrase rebuilt the whole record; a receipt kept somewhere else, such as with your solicitor, does that.';

/** The verdict of a full check, in one or two plain sentences. */
export function reportHeadline(r: Report): string {
  if (r.ok) return 'Everything checks out. Nothing in this vault has changed since it was written, and every edit and removal is on record.';
  const n = r.problems.length;
  return `Cairn found problems: ${n} ${n === 1 ? 'thing does' : 'things do'} not check out.`;
}

/** The figures for a solicitor, as label/value pairs. */
export function reportDetails(r: Report): [string, string][] {
  const rows: [string, string][] = [
    ['Chain entries checked', String(r.entries)],
    ['Latest entry (head hash)', r.head ?? 'none'],
    ['Item versions checked', String(r.versions)],
    ['Files re-read and re-hashed', r.quick ? 'not re-read (quick check)' : String(r.blobs_checked)],
    ['Bytes re-hashed', `${r.bytes_checked} (${formatSize(r.bytes_checked)})`],
    ['Signed checkpoints checked', String(r.checkpoints)],
  ];
  const cp = r.latest_checkpoint;
  rows.push([
    'Latest checkpoint',
    cp ? `${cp.size} entries, head ${cp.head}, signed ${cp.time} (${cp.origin})` : 'none yet',
  ]);
  if (r.first_bad_seq !== null && r.first_bad_seq !== undefined) rows.push(['First entry with a problem', `#${r.first_bad_seq}`]);
  return rows;
}
