// The "Share with your solicitor" wizard: its answers, their checks, and the request
// they make. Cairn checks everything again; these checks only save her a round trip.

import type { Choice, Disclosure, ExportRequest, GoesAs, Plan } from './bindings';
import { isValidDate, today } from './datetime';

export type Scope = 'all' | 'dates' | 'items';
export type SealKind = 'passphrase' | 'recipient';

export interface ShareModel {
  scope: Scope;
  from: string;
  to: string;
  /** Chosen items, for scope "items". */
  ids: string[];
  initials: string;
  includeLocation: boolean;
  /** Send original exports (a chat's zip, a mailbox) whole. */
  wholeExports: boolean;
  /** How much of the record's history goes with it. */
  disclosure: Disclosure;
  agency: string;
  person: string;
  seal: SealKind;
  passphrase: string;
  confirm: string;
  recipient: string;
}

export function emptyShare(): ShareModel {
  return {
    scope: 'all',
    from: '',
    to: '',
    ids: [],
    initials: '',
    includeLocation: false,
    wholeExports: false,
    disclosure: 'proofs',
    agency: 'Solicitor',
    person: '',
    seal: 'passphrase',
    passphrase: '',
    confirm: '',
    recipient: '',
  };
}

/** Who bundles usually go to (free text is fine). */
export const RECIPIENTS = ['Solicitor', 'IOPC', 'Police', 'IDVA', 'Court', 'Refuge', 'Adviser'] as const;

export const STEPS = ['What to share', 'Exhibit references', 'Who it is for', 'Save the bundle'] as const;

export type ShareField = 'scope' | 'from' | 'to' | 'ids' | 'initials' | 'agency' | 'passphrase' | 'confirm' | 'recipient';
export type ShareErrors = Partial<Record<ShareField, string>>;

/** Which items the answers choose. */
export function choiceOf(m: ShareModel): Choice {
  if (m.scope === 'all') return { kind: 'all' };
  if (m.scope === 'items') return { kind: 'items', ids: [...m.ids] };
  return { kind: 'dates', from: m.from || null, to: m.to || null };
}

/** Step 1: what goes out. */
export function checkScope(m: ShareModel): ShareErrors {
  const e: ShareErrors = {};
  if (m.scope === 'items' && m.ids.length === 0) e.ids = 'Choose at least one thing to share.';
  if (m.scope === 'dates') {
    if (!m.from && !m.to) e.from = 'Give the first day, the last day, or both.';
    if (m.from && !isValidDate(m.from)) e.from = 'This is not a date Cairn understands.';
    if (m.to && !isValidDate(m.to)) e.to = 'This is not a date Cairn understands.';
    if (!e.from && !e.to && m.from && m.to && m.to < m.from) e.to = 'The last day is before the first day.';
  }
  return e;
}

/** Initials as Cairn stores them ("ab " → "AB"), or null when they cannot be used. */
export function normaliseInitials(s: string): string | null {
  const up = s.trim().toUpperCase();
  return /^[A-Z]{1,4}$/.test(up) ? up : null;
}

/** Step 2: the initials for the exhibit references. */
export function checkInitials(m: ShareModel): ShareErrors {
  if (normaliseInitials(m.initials)) return {};
  return {
    initials: m.initials.trim()
      ? 'Use 1 to 4 letters, like AB: they start every exhibit reference (AB/1, AB/2, …).'
      : 'Give your initials, like AB: they start every exhibit reference (AB/1, AB/2, …).',
  };
}

// bech32: "age1" and 58 characters of its alphabet for an X25519 key.
const RECIPIENT_RE = /^age1[02-9ac-hj-np-z]{58}$/;

/** Looks like an age public key (Cairn checks it properly). */
export function looksLikeRecipient(s: string): boolean {
  return RECIPIENT_RE.test(s.trim().toLowerCase());
}

/** Step 3: who it is for, and the seal. */
export function checkSeal(m: ShareModel): ShareErrors {
  const e: ShareErrors = {};
  if (!m.agency.trim()) e.agency = 'Say who the bundle is for, such as Solicitor; it goes in your record of handovers.';
  if (m.seal === 'passphrase') {
    if (!m.passphrase) e.passphrase = 'Choose a passphrase for the bundle: several words you can tell the recipient.';
    if (!m.confirm) e.confirm = 'Type the passphrase again, to be sure it is the one you meant.';
    else if (m.passphrase !== m.confirm) e.confirm = 'The two passphrases are not the same. Type it again.';
  } else if (!m.recipient.trim()) {
    e.recipient = 'Paste the public key the recipient gave you. It starts with age1.';
  } else if (!looksLikeRecipient(m.recipient)) {
    e.recipient = 'This does not look like an age public key: it starts with age1 and is 62 characters long.';
  }
  return e;
}

/** The checks of one step (0-based). */
export function checkStep(step: number, m: ShareModel): ShareErrors {
  if (step === 0) return checkScope(m);
  if (step === 1) return checkInitials(m);
  if (step === 2) return checkSeal(m);
  return {};
}

/** The export request, once every step checks. */
export function requestOf(m: ShareModel, out: string): ExportRequest {
  return {
    choice: choiceOf(m),
    initials: normaliseInitials(m.initials) ?? m.initials.trim(),
    includeLocation: m.includeLocation,
    disclosure: m.disclosure,
    wholeExports: m.wholeExports,
    seal:
      m.seal === 'passphrase'
        ? { kind: 'passphrase', passphrase: m.passphrase }
        : { kind: 'recipient', recipient: m.recipient.trim() },
    agency: m.agency.trim(),
    person: m.person.trim(),
    out,
  };
}

/** The name offered in the save dialog: what it is and when, nothing more. */
export function defaultFileName(now: Date = new Date()): string {
  return `cairn-bundle-${today(now)}.age`;
}

/** "3 records, 2 people, 4 exhibits (12.5 MB)". */
export function planSummary(p: Plan, size: (n: number) => string): string {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string): void => {
    if (k > 0) parts.push(`${k} ${k === 1 ? one : many}`);
  };
  n(p.incidents, 'written record', 'written records');
  n(p.people, 'person', 'people');
  n(p.reports, 'report', 'reports');
  n(p.exhibits.length, 'exhibit', 'exhibits');
  if (parts.length === 0) return 'Nothing matches this choice.';
  return `${parts.join(', ')}${p.exhibits.length ? ` (${size(p.bytes)})` : ''}`;
}

/** Photos in the plan that carry where they were taken. */
export function locatedCount(p: Plan | null): number {
  return p ? p.exhibits.filter((e) => e.has_location).length : 0;
}

/**
 * What a file goes out as, given her choices. An export that still holds messages she
 * redacted (`holdsRedacted`) goes only if she sends exports whole; one held back only
 * for its photos' locations also goes if she includes location.
 */
export function goesAsText(
  g: GoesAs,
  includeLocation: boolean,
  wholeExports: boolean,
  isExport: boolean,
  holdsRedacted = false,
): string {
  switch (g.kind) {
    case 'original':
      return 'As it is';
    case 'location_free_copy':
      return includeLocation ? 'As it is, with where it was taken' : 'A copy without where it was taken';
    case 'checked_as_it_is_saved':
      return includeLocation ? 'As it is' : 'As it is, if it holds no location when saved';
    case 'left_out':
      if (isExport && wholeExports) return 'As it is, whole';
      if (isExport && includeLocation && !holdsRedacted) return 'As it is, whole, with where its photos were taken';
      if (!isExport && includeLocation) return 'As it is, with where it was taken';
      return `Left out: ${g.reason}`;
  }
}

/** Older versions the recipient will see cannot be checked, in one sentence. */
export function unverifiableText(p: Plan | null): string {
  const n = p?.unverifiable.length ?? 0;
  if (n === 0) return '';
  const titles = [...new Set((p?.unverifiable ?? []).map((u) => u.title || u.item))];
  return `${n} older ${n === 1 ? 'version' : 'versions'} of ${titles.join(', ')} ${n === 1 ? 'was' : 'were'} written before Cairn could prove a record with parts of it left out (your private notes, or where a photo was taken), so the recipient will see that ${n === 1 ? 'it' : 'they'} cannot be checked. Everything written since can be.`;
}
