// The report form's model, its conversion to and from the stored Handover, and its
// checks. Kept apart from the component so it can be tested on its own.

import type { Handover, Occurred } from './bindings';
import { emptyWhen, fromOccurred, toOccurred, type WhenFields } from './datetime';
import { validateWhen } from './incidentForm';

/** Suggested in the agency field; she can type anything else. */
export const AGENCIES: readonly string[] = [
  'Police',
  'IOPC',
  'Solicitor',
  'IDVA',
  'Social services',
  'GP',
  'Housing',
  'Refuge',
];

export interface ReportModel {
  agency: string;
  organisation: string;
  person: string;
  collar_number: string;
  reference: string;
  when: WhenFields;
  outcome: string;
  notes: string;
  /** Empty means "Report to <agency>". */
  title: string;
}

export type ReportField = 'agency' | 'date' | 'time' | 'endDate' | 'endTime';
export type ReportErrors = Partial<Record<ReportField, string>>;

/** Labels and help, in plain words. */
export const REPORT_TEXT = {
  agency: {
    label: 'Who you reported it to',
    help: 'The agency, for example Police, IOPC, your solicitor, an IDVA or your GP. Choose one or type your own.',
  },
  organisation: {
    label: 'Force or organisation',
    help: 'For example: Kent Police, or the name of the solicitor’s firm.',
  },
  person: {
    label: 'Who you spoke to or gave it to',
    help: 'Their name, as they gave it. "The officer at the front desk" is fine too.',
  },
  collar_number: {
    label: 'Collar number',
    help: 'For a police officer: the number on their shoulder or badge.',
  },
  reference: {
    label: 'Reference number',
    help: 'A crime, incident, log or complaint reference, written exactly as they gave it, like 12/3456/26.',
  },
  date: { label: 'Date', help: 'The day you made the report or handed something over.' },
  time: { label: 'Time', help: '' },
  approximate: { label: 'The date or time is approximate' },
  outcome: {
    label: 'What came of it',
    help: 'What they said or did, for example "Gave me a crime reference; an officer will call me." You can add to this later.',
  },
  notes: { label: 'Notes', help: 'Anything else you want to remember about it.' },
  title: { label: 'Short title', help: 'To find it again.' },
} as const;

/** The short title's help, naming the title it gets when left empty. */
export function titleHelp(agency: string): string {
  const a = agency.trim();
  return a
    ? `To find it again. If you leave it empty, it is called “${defaultTitle(a)}”.`
    : 'To find it again. If you leave it empty, it is called “Report to” and the agency.';
}

export function emptyReport(): ReportModel {
  return {
    agency: '',
    organisation: '',
    person: '',
    collar_number: '',
    reference: '',
    when: emptyWhen(),
    outcome: '',
    notes: '',
    title: '',
  };
}

/** The title Cairn gives a report left without one. */
export function defaultTitle(agency: string): string {
  return `Report to ${agency.trim()}`;
}

export function modelFromReport(h: Handover): ReportModel {
  const agency = h.agency ?? '';
  const title = h.title ?? '';
  return {
    agency,
    organisation: h.organisation ?? '',
    person: h.person ?? '',
    collar_number: h.collar_number ?? '',
    reference: h.reference ?? '',
    when: fromOccurred(h.occurred),
    outcome: h.outcome ?? '',
    notes: h.notes ?? '',
    // A title Cairn made from the agency follows the agency if she changes it.
    title: title.trim() === defaultTitle(agency) ? '' : title,
  };
}

/** Text that is only spaces counts as empty; otherwise it is kept exactly. */
function text(s: string): string {
  return s.trim() === '' ? '' : s;
}

/**
 * The Handover to store. `base` is the loaded report: everything the form does not
 * show (the exhibits handed over, a bundle's SHA-256s, fields added later) is kept
 * from it. `keep` is its `occurred`, so an unchanged time keeps the offset it was
 * written with.
 */
export function reportFromModel(
  m: ReportModel,
  base: Handover | null = null,
  offsetFor?: (date: string, time: string) => number,
): Handover {
  const agency = m.agency.trim();
  const keep: Occurred | null = base?.occurred ?? null;
  return {
    ...(base ?? {}),
    title: m.title.trim() || defaultTitle(agency),
    occurred: toOccurred(m.when, keep, offsetFor),
    agency,
    organisation: m.organisation.trim(),
    person: m.person.trim(),
    collar_number: m.collar_number.trim(),
    reference: m.reference.trim(),
    outcome: text(m.outcome),
    notes: text(m.notes),
  };
}

/** The form's problems. */
export function validateReport(m: ReportModel): ReportErrors {
  const e: ReportErrors = {};
  if (!m.agency.trim()) e.agency = 'Say who you reported it to, for example Police or your GP.';
  Object.assign(e, validateWhen(m.when));
  return e;
}

const ORDER: readonly ReportField[] = ['agency', 'date', 'time', 'endDate', 'endTime'];

/** The field to move focus to: the first with a problem, in the order they appear. */
export function firstReportError(e: ReportErrors): ReportField | null {
  return ORDER.find((f) => e[f]) ?? null;
}

/** One sentence for the announcement above the Save button. */
export function errorSummary(e: ReportErrors): string {
  const n = ORDER.filter((f) => e[f]).length;
  if (n === 0) return '';
  return n === 1 ? 'One thing needs a look before this can be saved.' : `${n} things need a look before this can be saved.`;
}
