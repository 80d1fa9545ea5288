// When something happened: the form's date, time and "approximate" fields, the stored
// form ("YYYY-MM-DD" or RFC 3339 with the local offset of that moment), and plain
// English for showing them.

import type { Occurred } from './bindings';

export interface WhenFields {
  date: string;
  time: string;
  approximate: boolean;
  endDate: string;
  endTime: string;
}

export function emptyWhen(): WhenFields {
  return { date: '', time: '', approximate: false, endDate: '', endTime: '' };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
// The offset is optional: an imported message keeps the wall-clock time its export wrote,
// with no zone.
const STORED_RE = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A real calendar date as YYYY-MM-DD. */
export function isValidDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= days;
}

/** HH:MM (seconds allowed, ignored). */
export function isValidTime(s: string): boolean {
  const m = TIME_RE.exec(s);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60;
}

/** "+01:00", "-05:30", "+00:00" for minutes east of UTC. */
export function offsetString(minutesEast: number): string {
  const sign = minutesEast < 0 ? '-' : '+';
  const abs = Math.abs(Math.trunc(minutesEast));
  const h = String(Math.floor(abs / 60)).padStart(2, '0');
  const m = String(abs % 60).padStart(2, '0');
  return `${sign}${h}:${m}`;
}

/** Minutes east of UTC of this computer's time zone at that local date and time
 * (so summer time is taken into account). */
export function localOffsetMinutes(date: string, time: string): number {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const local = new Date(y ?? 1970, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0);
  const off = -local.getTimezoneOffset();
  return off === 0 ? 0 : off; // never "-0"
}

/** The stored form of a date and optional time: "YYYY-MM-DD" or
 * "YYYY-MM-DDTHH:MM:00+HH:MM". */
export function toStored(date: string, time: string, offsetMinutes?: number): string {
  if (!time) return date;
  const hhmm = time.slice(0, 5);
  const off = offsetMinutes ?? localOffsetMinutes(date, hhmm);
  return `${date}T${hhmm}:00${offsetString(off)}`;
}

export interface StoredParts {
  date: string;
  time: string;
  offset: string | null;
}

/** Splits a stored time into the date and wall-clock time she wrote. */
export function parseStored(s: string): StoredParts | null {
  const m = STORED_RE.exec(s.trim());
  if (!m || !m[1]) return null;
  return { date: m[1], time: m[2] ?? '', offset: m[3] ?? null };
}

/** The form fields of a stored time. */
export function fromOccurred(o: Occurred | null | undefined): WhenFields {
  if (!o) return emptyWhen();
  const s = parseStored(o.start);
  const e = o.end ? parseStored(o.end) : null;
  return {
    date: s?.date ?? '',
    time: s?.time ?? '',
    approximate: o.approximate ?? false,
    endDate: e?.date ?? '',
    endTime: e?.time ?? '',
  };
}

function keepIfSame(stored: string | null | undefined, date: string, time: string): string | null {
  if (!stored) return null;
  const p = parseStored(stored);
  if (p && p.date === date && p.time === time.slice(0, 5)) return stored;
  return null;
}

/** The stored `occurred` of the form fields; null when no date was given. A time that
 * was loaded and not changed keeps its original offset. */
export function toOccurred(
  f: WhenFields,
  keep: Occurred | null = null,
  offsetFor: (date: string, time: string) => number = localOffsetMinutes,
): Occurred | null {
  if (!f.date) return null;
  const start = keepIfSame(keep?.start, f.date, f.time) ?? toStored(f.date, f.time, f.time ? offsetFor(f.date, f.time) : 0);
  let end: string | null = null;
  if (f.endDate || f.endTime) {
    const endDate = f.endDate || f.date;
    end =
      keepIfSame(keep?.end, endDate, f.endTime) ??
      toStored(endDate, f.endTime, f.endTime ? offsetFor(endDate, f.endTime) : 0);
  }
  const out: Occurred = { start, end, approximate: f.approximate };
  return out;
}

/** Negative when `a` is before `b`, 0 when they cannot be told apart. Two times are
 * compared as instants; otherwise by date. */
export function compareStored(a: string, b: string): number {
  const pa = parseStored(a);
  const pb = parseStored(b);
  if (!pa || !pb) return 0;
  if (pa.time && pb.time) {
    return Date.parse(a) - Date.parse(b);
  }
  return pa.date < pb.date ? -1 : pa.date > pb.date ? 1 : 0;
}

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function dateParts(day: string): [number, number, number] | null {
  const m = DATE_RE.exec(day);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** "3 Nov 2026". */
export function formatDate(day: string): string {
  const p = dateParts(day);
  if (!p) return day;
  return `${p[2]} ${MONTHS_SHORT[p[1] - 1] ?? ''} ${p[0]}`;
}

/** "Tuesday 3 November 2026" (a day header). */
export function formatDay(day: string): string {
  const p = dateParts(day);
  if (!p) return day;
  const wd = new Date(Date.UTC(p[0], p[1] - 1, p[2])).getUTCDay();
  return `${WEEKDAYS[wd] ?? ''} ${p[2]} ${MONTHS_LONG[p[1] - 1] ?? ''} ${p[0]}`;
}

/** A stored time as she wrote it: "3 Nov 2026" or "3 Nov 2026, 21:40". */
export function formatStored(s: string): string {
  const p = parseStored(s);
  if (!p) return s;
  return p.time ? `${formatDate(p.date)}, ${p.time}` : formatDate(p.date);
}

/** When it happened: "about 3 Nov 2026, 21:40", "3 Nov 2026, 21:40 – 22:15",
 * "3 Nov 2026 – 5 Nov 2026". */
export function formatOccurred(
  start: string | null | undefined,
  end: string | null | undefined,
  approximate: boolean | null | undefined,
): string {
  if (!start) return '';
  let text = formatStored(start);
  if (end) {
    const ps = parseStored(start);
    const pe = parseStored(end);
    if (ps && pe && ps.date === pe.date && ps.time && pe.time) text += ` – ${pe.time}`;
    else text += ` – ${formatStored(end)}`;
  }
  return approximate ? `about ${text}` : text;
}

/** A moment recorded by Cairn (UTC), in this computer's local time:
 * "3 Nov 2026, 21:40". */
export function formatInstant(rfc3339: string | null | undefined): string {
  if (!rfc3339) return '';
  const t = Date.parse(rfc3339);
  if (Number.isNaN(t)) return rfc3339;
  const d = new Date(t);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${d.getDate()} ${MONTHS_SHORT[d.getMonth()] ?? ''} ${d.getFullYear()}, ${hh}:${mm}`;
}

/** Today's date in local time, YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
