// The reports and handovers list: its order and what each row says.

import type { Handover, ReportRow } from './bindings';
import { formatInstant, formatOccurred, parseStored, today } from './datetime';
import { defaultTitle } from './reportForm';

interface SortKey {
  /** YYYY-MM-DD: the day it was made, else the day it was recorded (local time). */
  day: string;
  /** The moment it was made, when a time was given; otherwise NaN. */
  at: number;
  /** When Cairn recorded it. */
  recorded: number;
}

function sortKey(r: ReportRow): SortKey {
  const recorded = Date.parse(r.recordedAt);
  const start = r.report?.occurred?.start;
  const p = start ? parseStored(start) : null;
  if (start && p) return { day: p.date, at: p.time ? Date.parse(start) : NaN, recorded };
  const day = Number.isNaN(recorded) ? r.recordedAt.slice(0, 10) : today(new Date(recorded));
  return { day, at: NaN, recorded };
}

/** Newest first: by the day it was made (else recorded), then the time, then when
 * Cairn recorded it. */
export function sortReports(rows: readonly ReportRow[]): ReportRow[] {
  const keyed = rows.map((r) => ({ r, k: sortKey(r) }));
  keyed.sort((a, b) => {
    if (a.k.day !== b.k.day) return a.k.day < b.k.day ? 1 : -1;
    if (!Number.isNaN(a.k.at) && !Number.isNaN(b.k.at) && a.k.at !== b.k.at) return b.k.at - a.k.at;
    if (a.k.recorded !== b.k.recorded) return (b.k.recorded || 0) - (a.k.recorded || 0);
    return 0;
  });
  return keyed.map((x) => x.r);
}

/** Made by Cairn when she shared a bundle. */
export function isCairnExport(h: Handover): boolean {
  return !!h.bundle_sha256;
}

/** When it was made, or when it was recorded if no date was given. */
export function reportDate(r: ReportRow): string {
  const o = r.report?.occurred;
  if (o?.start) return formatOccurred(o.start, o.end, o.approximate);
  if (!r.report) return `Recorded ${formatInstant(r.recordedAt)}`;
  return `No date given · recorded ${formatInstant(r.recordedAt)}`;
}

/** "Police — Kent Police". */
export function agencyLine(h: Handover): string {
  return h.organisation ? `${h.agency} — ${h.organisation}` : h.agency;
}

/** The title, when she gave one of her own (not just "Report to Police"). */
export function ownTitle(h: Handover): string {
  const t = (h.title ?? '').trim();
  if (!t || t === defaultTitle(h.agency)) return '';
  if (isCairnExport(h) && t === `Bundle for ${h.agency.trim()}`) return '';
  return t;
}

/** "PC Smith, collar number 1234". */
export function personLine(h: Handover): string {
  const parts: string[] = [];
  if (h.person) parts.push(h.person);
  if (h.collar_number) parts.push(`collar number ${h.collar_number}`);
  const s = parts.join(', ');
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
}

/** "3 exhibits handed over", or '' when none were. */
export function exhibitsLine(h: Handover): string {
  const n = h.exhibits?.length ?? 0;
  if (n === 0) return '';
  return n === 1 ? '1 exhibit handed over' : `${n} exhibits handed over`;
}
