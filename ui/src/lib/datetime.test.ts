import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  compareStored,
  formatDate,
  formatDay,
  formatInstant,
  formatOccurred,
  formatStored,
  fromOccurred,
  isValidDate,
  isValidTime,
  localOffsetMinutes,
  offsetString,
  parseStored,
  toOccurred,
  toStored,
  type WhenFields,
} from './datetime';

afterEach(() => {
  vi.unstubAllEnvs();
});

function when(over: Partial<WhenFields>): WhenFields {
  return { date: '', time: '', approximate: false, endDate: '', endTime: '', ...over };
}

describe('offsetString', () => {
  it('writes RFC 3339 offsets', () => {
    expect(offsetString(0)).toBe('+00:00');
    expect(offsetString(60)).toBe('+01:00');
    expect(offsetString(-300)).toBe('-05:00');
    expect(offsetString(330)).toBe('+05:30');
    expect(offsetString(-570)).toBe('-09:30');
  });
});

describe('toStored', () => {
  it('keeps a date on its own', () => {
    expect(toStored('2026-11-03', '')).toBe('2026-11-03');
  });

  it('adds seconds and the offset to a time', () => {
    expect(toStored('2026-11-03', '21:40', 0)).toBe('2026-11-03T21:40:00+00:00');
    expect(toStored('2026-07-01', '09:05', 60)).toBe('2026-07-01T09:05:00+01:00');
    expect(toStored('2026-07-01', '09:05:30', -240)).toBe('2026-07-01T09:05:00-04:00');
  });
});

describe('localOffsetMinutes', () => {
  it('follows summer time in the local time zone', () => {
    vi.stubEnv('TZ', 'Europe/London');
    expect(localOffsetMinutes('2026-01-15', '12:00')).toBe(0);
    expect(localOffsetMinutes('2026-07-15', '12:00')).toBe(60);
    expect(toStored('2026-07-15', '12:00')).toBe('2026-07-15T12:00:00+01:00');
    expect(toStored('2026-01-15', '12:00')).toBe('2026-01-15T12:00:00+00:00');
  });

  it('handles zones west of UTC and half hours', () => {
    vi.stubEnv('TZ', 'America/New_York');
    expect(localOffsetMinutes('2026-01-15', '12:00')).toBe(-300);
    vi.stubEnv('TZ', 'Asia/Kolkata');
    expect(localOffsetMinutes('2026-01-15', '12:00')).toBe(330);
  });
});

describe('toOccurred / fromOccurred', () => {
  const utc = (): number => 0;

  it('is null without a date', () => {
    expect(toOccurred(when({ time: '10:00' }))).toBeNull();
  });

  it('stores a date, an approximate flag and a range', () => {
    expect(toOccurred(when({ date: '2026-11-03', approximate: true }), null, utc)).toEqual({
      start: '2026-11-03',
      end: null,
      approximate: true,
    });
    expect(toOccurred(when({ date: '2026-11-03', time: '21:40', endTime: '22:15' }), null, utc)).toEqual({
      start: '2026-11-03T21:40:00+00:00',
      end: '2026-11-03T22:15:00+00:00',
      approximate: false,
    });
    expect(toOccurred(when({ date: '2026-11-03', endDate: '2026-11-05' }), null, utc)?.end).toBe('2026-11-05');
  });

  it('reads back what it stored', () => {
    const f = when({ date: '2026-11-03', time: '21:40', approximate: true, endDate: '2026-11-04', endTime: '01:10' });
    const occ = toOccurred(f, null, () => 60);
    expect(occ).not.toBeNull();
    expect(fromOccurred(occ)).toEqual(f);
  });

  it('keeps the offset a time was written with when it is not changed', () => {
    const stored = { start: '2026-07-01T09:05:00-04:00', end: null, approximate: false };
    const f = fromOccurred(stored);
    expect(f.time).toBe('09:05');
    expect(toOccurred(f, stored, () => 60)?.start).toBe('2026-07-01T09:05:00-04:00');
    expect(toOccurred({ ...f, time: '09:06' }, stored, () => 60)?.start).toBe('2026-07-01T09:06:00+01:00');
  });

  it('reads an empty occurred as empty fields', () => {
    expect(fromOccurred(null)).toEqual(when({}));
  });
});

describe('checks and comparison', () => {
  it('knows real dates and times', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('3/11/2026')).toBe(false);
    expect(isValidTime('23:59')).toBe(true);
    expect(isValidTime('24:00')).toBe(false);
    expect(isValidTime('9:00')).toBe(false);
  });

  it('compares instants across offsets, and dates by day', () => {
    expect(compareStored('2026-11-03T21:00:00+01:00', '2026-11-03T20:30:00+00:00')).toBeLessThan(0);
    expect(compareStored('2026-11-04', '2026-11-03T23:00:00+00:00')).toBeGreaterThan(0);
    expect(compareStored('2026-11-03', '2026-11-03T23:00:00+00:00')).toBe(0);
  });

  it('parses stored times', () => {
    expect(parseStored('2026-11-03T21:40:00Z')).toEqual({ date: '2026-11-03', time: '21:40', offset: 'Z' });
    expect(parseStored('2026-11-03')).toEqual({ date: '2026-11-03', time: '', offset: null });
    expect(parseStored('yesterday')).toBeNull();
  });
});

describe('formatting', () => {
  it('shows dates and days plainly', () => {
    expect(formatDate('2026-11-03')).toBe('3 Nov 2026');
    expect(formatDay('2026-11-03')).toBe('Tuesday 3 November 2026');
    expect(formatStored('2026-11-03T21:40:00+01:00')).toBe('3 Nov 2026, 21:40');
    // An imported message's time, as its export wrote it (no zone).
    expect(formatStored('2025-12-31T21:43:00')).toBe('31 Dec 2025, 21:43');
    expect(formatStored('2025-12-31T21:43:00+')).toBe('2025-12-31T21:43:00+');
  });

  it('says "about" and shows ranges', () => {
    expect(formatOccurred('2026-11-03', null, true)).toBe('about 3 Nov 2026');
    expect(formatOccurred('2026-11-03T21:40:00+00:00', '2026-11-03T22:15:00+00:00', false)).toBe('3 Nov 2026, 21:40 – 22:15');
    expect(formatOccurred('2026-11-03', '2026-11-05', false)).toBe('3 Nov 2026 – 5 Nov 2026');
    expect(formatOccurred(null, null, false)).toBe('');
  });

  it('shows recorded moments in local time', () => {
    vi.stubEnv('TZ', 'Europe/London');
    expect(formatInstant('2026-07-01T20:40:00Z')).toBe('1 Jul 2026, 21:40');
    expect(formatInstant('2026-12-01T20:40:00Z')).toBe('1 Dec 2026, 20:40');
  });
});
