// The incident form's model, its conversion to and from the stored Incident, and its
// checks. Kept apart from the component so it can be tested on its own.

import type { AgencyContact, Category, Incident, Occurred, PoliceFields } from './bindings';
import { compareStored, emptyWhen, fromOccurred, isValidDate, isValidTime, toOccurred, type WhenFields } from './datetime';

export interface AgencyRow {
  key: number;
  agency: string;
  organisation: string;
  person: string;
  collar_number: string;
  reference: string;
  notes: string;
}

export interface PoliceModel {
  used_status: string;
  police_information: string;
  police_response: string;
  complaint_references: string;
  counter_allegations: string;
}

export type ChildrenPresent = 'yes' | 'no' | 'unknown';

export interface IncidentModel {
  title: string;
  categories: Category[];
  body: string;
  words_said: string;
  impact: string;
  actions_after: string;
  when: WhenFields;
  location: string;
  injuries: string;
  treatment: string;
  children: ChildrenPresent;
  witnesses: string;
  agencies: AgencyRow[];
  police: PoliceModel;
  tags: string;
  private_notes: string;
}

let nextKey = 1;

export function emptyAgency(): AgencyRow {
  return { key: nextKey++, agency: '', organisation: '', person: '', collar_number: '', reference: '', notes: '' };
}

export function emptyPolice(): PoliceModel {
  return { used_status: '', police_information: '', police_response: '', complaint_references: '', counter_allegations: '' };
}

export function emptyModel(): IncidentModel {
  return {
    title: '',
    categories: [],
    body: '',
    words_said: '',
    impact: '',
    actions_after: '',
    when: emptyWhen(),
    location: '',
    injuries: '',
    treatment: '',
    children: 'unknown',
    witnesses: '',
    agencies: [],
    police: emptyPolice(),
    tags: '',
    private_notes: '',
  };
}

/** Tags typed as "a, b, c": trimmed, no empties, no repeats (ignoring case). */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const t = raw.trim().replace(/\s+/g, ' ');
    if (!t) continue;
    const k = t.toLowerCase();
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

/** Text that is only spaces counts as empty; otherwise it is kept exactly. */
function text(s: string | null | undefined): string {
  const v = s ?? '';
  return v.trim() === '' ? '' : v;
}

export function modelFromIncident(inc: Incident): IncidentModel {
  const police: Partial<PoliceFields> = inc.police ?? {};
  return {
    title: inc.title ?? '',
    categories: [...(inc.categories ?? [])],
    body: inc.body ?? '',
    words_said: inc.words_said ?? '',
    impact: inc.impact ?? '',
    actions_after: inc.actions_after ?? '',
    when: fromOccurred(inc.occurred),
    location: inc.location ?? '',
    injuries: inc.injuries ?? '',
    treatment: inc.treatment ?? '',
    children: inc.children_present === true ? 'yes' : inc.children_present === false ? 'no' : 'unknown',
    witnesses: inc.witnesses ?? '',
    agencies: (inc.agencies ?? []).map((a: AgencyContact) => ({
      key: nextKey++,
      agency: a.agency ?? '',
      organisation: a.organisation ?? '',
      person: a.person ?? '',
      collar_number: a.collar_number ?? '',
      reference: a.reference ?? '',
      notes: a.notes ?? '',
    })),
    police: {
      used_status: police.used_status ?? '',
      police_information: police.police_information ?? '',
      police_response: police.police_response ?? '',
      complaint_references: police.complaint_references ?? '',
      counter_allegations: police.counter_allegations ?? '',
    },
    tags: (inc.tags ?? []).join(', '),
    private_notes: inc.private_notes ?? '',
  };
}

function agencyIsBlank(a: AgencyRow): boolean {
  return [a.agency, a.organisation, a.person, a.collar_number, a.reference, a.notes].every((v) => v.trim() === '');
}

/** The Incident to store. `keep` is the loaded `occurred`, so an unchanged time keeps
 * the offset it was written with. */
export function incidentFromModel(
  m: IncidentModel,
  keep: Occurred | null = null,
  offsetFor?: (date: string, time: string) => number,
): Incident {
  const categories = [...m.categories];
  return {
    title: m.title.trim(),
    occurred: toOccurred(m.when, keep, offsetFor),
    location: text(m.location).trim(),
    categories,
    body: text(m.body),
    words_said: text(m.words_said),
    injuries: text(m.injuries),
    treatment: text(m.treatment),
    witnesses: text(m.witnesses),
    children_present: m.children === 'yes' ? true : m.children === 'no' ? false : null,
    impact: text(m.impact),
    actions_after: text(m.actions_after),
    agencies: m.agencies
      .filter((a) => !agencyIsBlank(a))
      .map((a) => ({
        agency: a.agency.trim(),
        organisation: a.organisation.trim(),
        person: a.person.trim(),
        collar_number: a.collar_number.trim(),
        reference: a.reference.trim(),
        notes: text(a.notes),
      })),
    police: {
      used_status: text(m.police.used_status),
      police_information: text(m.police.police_information),
      police_response: text(m.police.police_response),
      complaint_references: text(m.police.complaint_references),
      counter_allegations: text(m.police.counter_allegations),
    },
    tags: parseTags(m.tags),
    private_notes: text(m.private_notes),
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Drops what the store leaves out (empty text, empty lists, nulls, false flags) and
 * sorts keys, so two records can be compared. */
export function normalise(v: unknown): Json | undefined {
  if (v === null || v === undefined || v === '' || v === false) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(normalise).filter((x): x is Json => x !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalise((v as Record<string, unknown>)[k]);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

/** True when saving `a` over `b` would record nothing new. */
export function sameRecord(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a) ?? null) === JSON.stringify(normalise(b) ?? null);
}

export type IncidentField = 'title' | 'date' | 'time' | 'endDate' | 'endTime' | `agency-${number}`;
export type IncidentErrors = Partial<Record<IncidentField, string>>;

export type WhenField = 'date' | 'time' | 'endDate' | 'endTime';
export type WhenErrors = Partial<Record<WhenField, string>>;

/** Problems with a date, time and optional end (all optional, but each must be real,
 * and the end after the start). */
export function validateWhen(w: WhenFields): WhenErrors {
  const e: WhenErrors = {};
  if (w.date && !isValidDate(w.date)) e.date = 'Enter the date as day, month and year.';
  if (w.time && !isValidTime(w.time)) e.time = 'Enter the time as hours and minutes, like 21:40.';
  if (!w.date && w.time) e.date = 'Add the date as well as the time.';
  if (!w.date && (w.endDate || w.endTime)) e.date = 'Add when it started, as well as when it ended.';
  if (w.endDate && !isValidDate(w.endDate)) e.endDate = 'Enter the end date as day, month and year.';
  if (w.endTime && !isValidTime(w.endTime)) e.endTime = 'Enter the end time as hours and minutes.';
  if (w.date && !e.date && !e.time && !e.endDate && !e.endTime && (w.endDate || w.endTime)) {
    if (w.endTime && !w.time && (!w.endDate || w.endDate === w.date)) {
      e.time = 'Add the start time as well as the end time.';
    } else {
      const occ = toOccurred(w);
      if (occ?.end && compareStored(occ.end, occ.start) <= 0) {
        e[w.endTime ? 'endTime' : 'endDate'] = 'The end must be after the start.';
      }
    }
  }
  return e;
}

/** The form's problems, in the order the fields appear. */
export function validateIncident(m: IncidentModel): IncidentErrors {
  const e: IncidentErrors = {};
  if (!m.title.trim()) e.title = 'Give this a short title, so you can find it again.';
  Object.assign(e, validateWhen(m.when));
  m.agencies.forEach((a, i) => {
    if (!agencyIsBlank(a) && !a.agency.trim()) {
      e[`agency-${i}`] = 'Say which agency this was, for example Police, GP or IDVA.';
    }
  });
  return e;
}

/** The field to move focus to: the first with a problem. */
export function firstError(e: IncidentErrors): IncidentField | null {
  const order: IncidentField[] = ['title', 'date', 'time', 'endDate', 'endTime'];
  for (const f of order) if (e[f]) return f;
  const agency = Object.keys(e).find((k) => k.startsWith('agency-'));
  return (agency as IncidentField | undefined) ?? null;
}
