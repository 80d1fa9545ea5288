// Plain words for stored names: categories, kinds, fields, entry kinds.

import { CATEGORIES, type Category, type ItemKind, type MessageKind } from './bindings';
import { formatOccurred, formatStored } from './datetime';
import { ROLE_SHORT } from './personForm';

const categoryPairs = CATEGORIES as unknown as readonly (readonly [string, string])[];

/** Every category, in display order. */
export const CATEGORY_LIST: readonly { id: Category; label: string }[] = categoryPairs.map(([id, label]) => ({
  id: id as Category,
  label,
}));

const categoryLabels = new Map<string, string>(categoryPairs.map(([id, label]) => [id, label]));

export function categoryLabel(id: string): string {
  return categoryLabels.get(id) ?? id;
}

export const KIND_LABELS: Record<Exclude<ItemKind, 'link'>, string> = {
  incident: 'Written record',
  file: 'File',
  person: 'Person',
  report: 'Report or handover',
  message: 'Message',
};

export const MESSAGE_KIND_LABELS: Record<MessageKind, string> = {
  text: 'A message',
  system: "A line the app wrote itself",
  'media-omitted': 'A photo, recording or document the export left out',
  attachment: 'A file sent with the message',
  deleted: 'A message its sender deleted',
};

export const SOURCE_LABELS: Record<string, string> = {
  whatsapp: 'WhatsApp',
  sms: 'SMS Backup & Restore',
  email: 'email',
  telegram: 'Telegram',
};

/** A message's `sent_at` as shown, and what it says about its time zone: an export
 * either gives the exporting device's wall-clock time with no zone (WhatsApp) or an
 * instant with its offset (SMS, email, newer Telegram). Never converted: it is shown
 * as the export recorded it. */
export function sentAtLabel(sentAt: string): { when: string; note: string } {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)?$/.exec(sentAt);
  if (!m) return { when: sentAt, note: '' };
  const when = `${m[1]} ${m[2]}`;
  if (!m[3]) return { when, note: "the phone's time; the export gives no time zone" };
  const offset = m[3] === 'Z' || m[3] === '+00:00' || m[3] === '-00:00' ? 'UTC' : `UTC${m[3]}`;
  return { when, note: `${offset}, as the export recorded it` };
}

export function kindLabel(kind: ItemKind, mediaType?: string | null): string {
  if (kind === 'file') {
    const t = (mediaType ?? '').toLowerCase();
    if (t.startsWith('image/')) return 'Photo';
    if (t.startsWith('audio/')) return 'Recording';
    if (t.startsWith('video/')) return 'Video';
    if (t === 'application/pdf') return 'Document';
    return 'File';
  }
  if (kind === 'link') return 'Link';
  return KIND_LABELS[kind];
}

/** Field names as she would say them. */
export const FIELD_LABELS: Record<string, string> = {
  title: 'Title',
  occurred: 'When it happened',
  location: 'Where',
  categories: 'What kind of abuse',
  body: 'What happened',
  words_said: 'Words said',
  injuries: 'Injuries',
  treatment: 'Treatment',
  witnesses: 'Witnesses',
  children_present: 'Children present',
  impact: 'How it affected you',
  actions_after: 'What you did afterwards',
  agencies: 'Agencies',
  police: 'Police officer details',
  tags: 'Tags',
  private_notes: 'Private notes',
  name: 'Name',
  role: 'Role',
  collar_number: 'Collar number',
  force: 'Force',
  organisation: 'Organisation',
  relationship: 'How you know them',
  notes: 'Notes',
  acquired: 'How you got this file',
  description: 'Description',
  media_type: 'Type',
  size: 'Size',
  sha256: 'Fingerprint (SHA-256)',
  modified_at: 'Last changed on the original device',
  exif: 'Photo details',
  thumbnail: 'Preview',
  used_status: 'He used his status or said no one would believe you',
  police_information: 'He knew things he could only have found on police systems',
  police_response: 'How the police responded',
  complaint_references: 'Complaint references (Professional Standards, IOPC)',
  counter_allegations: 'Counter-allegations made against you',
  agency: 'Agency',
  person: 'Person spoken to',
  reference: 'Reference number',
  outcome: 'What came of it',
  exhibits: 'Exhibits handed over',
  item: 'Item',
  original_sha256: 'Original SHA-256 (before location data was removed)',
  bundle_sha256: 'Bundle file SHA-256',
  evidence_sha256: 'Evidence list SHA-256',
};

export function fieldLabel(name: string): string {
  return FIELD_LABELS[name] ?? name.replace(/_/g, ' ');
}

/** "what happened, injuries" for a version's changed fields. */
export function changedSummary(changed: readonly string[]): string {
  if (changed.length === 0) return '';
  const words = changed.map((c) => fieldLabel(c).toLowerCase());
  if (words.length === 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

/** What a chain entry did, in words. */
export function entryKindLabel(entryKind: string, version: number): string {
  if (entryKind.endsWith('.redact')) return 'Removed';
  if (entryKind.endsWith('.create') || entryKind.endsWith('.add') || version === 1) return 'First recorded';
  if (entryKind.endsWith('.edit') || entryKind.endsWith('.change')) return 'Edited';
  return 'Changed';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A stored value in words, for the history's old/new comparison. */
export function valueText(field: string, v: unknown): string {
  if (v === undefined || v === null || v === '') return '(empty)';
  if (field === 'occurred' && isRecord(v)) {
    const start = typeof v.start === 'string' ? v.start : '';
    const end = typeof v.end === 'string' ? v.end : null;
    return formatOccurred(start, end, v.approximate === true) || '(empty)';
  }
  if (field === 'categories' && Array.isArray(v)) {
    return v.length ? v.map((c) => categoryLabel(String(c))).join(', ') : '(empty)';
  }
  if (field === 'children_present') return v === true ? 'Yes' : v === false ? 'No' : '(not said)';
  if (field === 'role' && typeof v === 'string') return ROLE_SHORT[v as keyof typeof ROLE_SHORT] ?? v;
  if (field === 'modified_at' && typeof v === 'string') return formatStored(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '(empty)';
    return v.map((x) => (isRecord(x) ? objectText(x) : String(x))).join('\n');
  }
  if (isRecord(v)) return objectText(v) || '(empty)';
  return String(v);
}

function objectText(o: Record<string, unknown>): string {
  return Object.entries(o)
    .filter(([, x]) => x !== undefined && x !== null && x !== '')
    .map(([k, x]) => `${fieldLabel(k)}: ${isRecord(x) || Array.isArray(x) ? valueText(k, x) : String(x)}`)
    .join('\n');
}

/** "1.2 MB" */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i] ?? ''}`;
}
