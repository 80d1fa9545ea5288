import { describe, expect, it } from 'vitest';
import type { Handover, ReportRow } from './bindings';
import { agencyLine, exhibitsLine, isCairnExport, ownTitle, personLine, reportDate, sortReports } from './reports';

function row(id: string, recordedAt: string, report: Handover | null): ReportRow {
  return { id, version: 1, recordedAt, report };
}

describe('sortReports', () => {
  it('puts the newest first, by the date it was made, else when it was recorded', () => {
    const rows = [
      row('old', '2026-11-20T10:00:00.000Z', { agency: 'GP', occurred: { start: '2026-10-01' } }),
      row('undated', '2026-11-10T12:00:00.000Z', { agency: 'Housing' }),
      row('newest', '2026-11-01T10:00:00.000Z', { agency: 'Police', occurred: { start: '2026-11-15T09:00:00+00:00' } }),
      row('removed', '2026-11-12T12:00:00.000Z', null),
    ];
    expect(sortReports(rows).map((r) => r.id)).toEqual(['newest', 'removed', 'undated', 'old']);
  });

  it('orders the same day by time, then by when it was recorded', () => {
    const rows = [
      row('morning', '2026-11-03T20:00:00.000Z', { agency: 'Police', occurred: { start: '2026-11-03T09:00:00+00:00' } }),
      row('evening', '2026-11-03T19:00:00.000Z', { agency: 'Police', occurred: { start: '2026-11-03T18:00:00+00:00' } }),
      row('day-late', '2026-11-04T09:00:00.000Z', { agency: 'GP', occurred: { start: '2026-11-03' } }),
      row('day-early', '2026-11-03T08:00:00.000Z', { agency: 'GP', occurred: { start: '2026-11-03' } }),
    ];
    const ids = sortReports(rows).map((r) => r.id);
    expect(ids.indexOf('evening')).toBeLessThan(ids.indexOf('morning'));
    expect(ids.indexOf('day-late')).toBeLessThan(ids.indexOf('day-early'));
  });

  it('does not change the list it is given', () => {
    const rows = [row('a', '2026-11-01T10:00:00.000Z', null), row('b', '2026-11-02T10:00:00.000Z', null)];
    sortReports(rows);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
  });
});

describe('row wording', () => {
  const h: Handover = {
    title: 'Report to Police',
    agency: 'Police',
    organisation: 'Kent Police',
    person: 'PC Smith',
    collar_number: '1234',
    occurred: { start: '2026-11-03', approximate: true },
  };

  it('says when, to whom and who', () => {
    expect(reportDate(row('a', '2026-11-04T10:00:00.000Z', h))).toBe('about 3 Nov 2026');
    expect(reportDate(row('a', '2026-11-04T10:00:00.000Z', { agency: 'GP' }))).toMatch(/^No date given · recorded 4 Nov 2026, /);
    expect(reportDate(row('a', '2026-11-04T10:00:00.000Z', null))).toMatch(/^Recorded 4 Nov 2026, /);
    expect(agencyLine(h)).toBe('Police — Kent Police');
    expect(agencyLine({ agency: 'GP' })).toBe('GP');
    expect(personLine(h)).toBe('PC Smith, collar number 1234');
    expect(personLine({ agency: 'Police', collar_number: '99' })).toBe('Collar number 99');
    expect(personLine({ agency: 'GP' })).toBe('');
  });

  it('shows only a title of her own', () => {
    expect(ownTitle(h)).toBe('');
    expect(ownTitle({ ...h, title: 'Front desk' })).toBe('Front desk');
    expect(ownTitle({ agency: 'Solicitor', title: 'Bundle for Solicitor', bundle_sha256: 'dd'.repeat(32) })).toBe('');
  });

  it('counts the exhibits and knows a handover made by Cairn', () => {
    const exported: Handover = {
      agency: 'Solicitor',
      exhibits: [
        { reference: 'AB/1', item: 'f1', sha256: 'aa'.repeat(32) },
        { reference: 'AB/2', item: 'f2', sha256: 'bb'.repeat(32) },
      ],
      bundle_sha256: 'dd'.repeat(32),
    };
    expect(exhibitsLine(exported)).toBe('2 exhibits handed over');
    expect(exhibitsLine({ ...exported, exhibits: exported.exhibits?.slice(0, 1) })).toBe('1 exhibit handed over');
    expect(exhibitsLine(h)).toBe('');
    expect(isCairnExport(exported)).toBe(true);
    expect(isCairnExport(h)).toBe(false);
  });
});
