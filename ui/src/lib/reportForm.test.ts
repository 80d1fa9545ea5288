import { describe, expect, it } from 'vitest';
import type { Handover } from './bindings';
import { sameRecord } from './incidentForm';
import {
  AGENCIES,
  defaultTitle,
  emptyReport,
  errorSummary,
  firstReportError,
  modelFromReport,
  REPORT_TEXT,
  reportFromModel,
  titleHelp,
  validateReport,
  type ReportModel,
} from './reportForm';

const utc = (): number => 0;

function model(over: Partial<ReportModel> = {}): ReportModel {
  return { ...emptyReport(), agency: 'Police', ...over };
}

const own: Handover = {
  title: 'Front desk at the station',
  occurred: { start: '2026-11-03T14:20:00+00:00', end: null, approximate: false },
  agency: 'Police',
  organisation: 'Kent Police',
  person: 'PC Smith',
  collar_number: '1234',
  reference: '12/3456/26',
  outcome: 'Gave me a crime reference.',
  notes: 'Took my statement in a side room.',
};

/** As an export records it. */
const exported: Handover = {
  title: 'Bundle for Solicitor',
  occurred: { start: '2026-11-05', end: null, approximate: false },
  agency: 'Solicitor',
  person: 'A. Khan',
  exhibits: [
    { reference: 'AB/1', item: 'file-1', sha256: 'aa'.repeat(32) },
    { reference: 'AB/2', item: 'file-2', sha256: 'bb'.repeat(32), original_sha256: 'cc'.repeat(32) },
  ],
  bundle_sha256: 'dd'.repeat(32),
  evidence_sha256: 'ee'.repeat(32),
  notes: 'Exported by Cairn: 4 items, 2 exhibits, sealed with a passphrase.',
};

describe('model ↔ Handover', () => {
  it('round-trips a report she wrote', () => {
    const m = modelFromReport(own);
    expect(m.when).toEqual({ date: '2026-11-03', time: '14:20', approximate: false, endDate: '', endTime: '' });
    expect(m.title).toBe('Front desk at the station');
    const back = reportFromModel(m, own, utc);
    expect(sameRecord(back, own)).toBe(true);
    expect(back).toMatchObject({ agency: 'Police', collar_number: '1234', reference: '12/3456/26' });
  });

  it('keeps what the form does not show when a handover made by an export is edited', () => {
    const m = modelFromReport(exported);
    m.outcome = 'Solicitor confirmed she received it.';
    m.reference = 'Our ref KH/22';
    const back = reportFromModel(m, exported, utc);
    expect(back.exhibits).toEqual(exported.exhibits);
    expect(back.bundle_sha256).toBe(exported.bundle_sha256);
    expect(back.evidence_sha256).toBe(exported.evidence_sha256);
    expect(back.title).toBe('Bundle for Solicitor');
    expect(back.occurred).toEqual({ start: '2026-11-05', end: null, approximate: false });
    expect(back.outcome).toBe('Solicitor confirmed she received it.');
    expect(back.reference).toBe('Our ref KH/22');
    expect(back.notes).toBe(exported.notes);
  });

  it('keeps fields it does not know about', () => {
    const later = { ...own, followed_up: 'yes' } as Handover & { followed_up: string };
    const back = reportFromModel(modelFromReport(later), later, utc) as Handover & { followed_up?: string };
    expect(back.followed_up).toBe('yes');
  });

  it('records nothing new when nothing was changed', () => {
    expect(sameRecord(reportFromModel(modelFromReport(exported), exported, utc), exported)).toBe(true);
  });

  it('keeps the offset a time was written with when it is not changed', () => {
    const bst: Handover = { agency: 'GP', occurred: { start: '2026-07-01T09:30:00+01:00', approximate: true } };
    const back = reportFromModel(modelFromReport(bst), bst, utc);
    expect(back.occurred).toEqual({ start: '2026-07-01T09:30:00+01:00', end: null, approximate: true });
  });

  it('writes a new report from the fields, trimmed', () => {
    const h = reportFromModel(
      model({
        agency: '  IDVA ',
        person: ' Sam ',
        when: { date: '2026-11-03', time: '', approximate: true, endDate: '', endTime: '' },
        outcome: '   ',
        notes: 'Line one\nline two',
      }),
      null,
      utc,
    );
    expect(h).toEqual({
      title: 'Report to IDVA',
      occurred: { start: '2026-11-03', end: null, approximate: true },
      agency: 'IDVA',
      organisation: '',
      person: 'Sam',
      collar_number: '',
      reference: '',
      outcome: '',
      notes: 'Line one\nline two',
    });
  });

  it('leaves the date out when none is given', () => {
    expect(reportFromModel(model(), null, utc).occurred).toBeNull();
  });

  it('lets a title Cairn made follow the agency', () => {
    const m = modelFromReport({ title: 'Report to Police', agency: 'Police' });
    expect(m.title).toBe('');
    m.agency = 'IOPC';
    expect(reportFromModel(m, { title: 'Report to Police', agency: 'Police' }, utc).title).toBe(defaultTitle('IOPC'));
  });

  it('reads a report with fields left out', () => {
    const m = modelFromReport({ agency: 'Housing' });
    expect(m).toEqual({ ...emptyReport(), agency: 'Housing' });
  });
});

describe('validateReport', () => {
  it('needs the agency', () => {
    const e = validateReport(model({ agency: '   ' }));
    expect(e.agency).toBe('Say who you reported it to, for example Police or your GP.');
    expect(firstReportError(e)).toBe('agency');
    expect(errorSummary(e)).toBe('One thing needs a look before this can be saved.');
  });

  it('accepts a report with only the agency', () => {
    const e = validateReport(model());
    expect(e).toEqual({});
    expect(firstReportError(e)).toBeNull();
    expect(errorSummary(e)).toBe('');
  });

  it('wants a real date', () => {
    const e = validateReport(model({ agency: '', when: { date: '2026-02-30', time: '', approximate: false, endDate: '', endTime: '' } }));
    expect(e.date).toBe('Enter the date as day, month and year.');
    expect(firstReportError(e)).toBe('agency');
    expect(errorSummary(e)).toBe('2 things need a look before this can be saved.');
  });

  it('wants a date with a time', () => {
    const e = validateReport(model({ when: { date: '', time: '10:00', approximate: false, endDate: '', endTime: '' } }));
    expect(e.date).toBe('Add the date as well as the time.');
    expect(firstReportError(e)).toBe('date');
  });

  it('wants an end after the start', () => {
    const e = validateReport(model({ when: { date: '2026-11-03', time: '', approximate: false, endDate: '2026-11-01', endTime: '' } }));
    expect(e.endDate).toBe('The end must be after the start.');
    expect(firstReportError(e)).toBe('endDate');
    const ok = validateReport(model({ when: { date: '2026-11-03', time: '', approximate: false, endDate: '2026-11-04', endTime: '' } }));
    expect(ok).toEqual({});
  });
});

describe('wording', () => {
  it('suggests the common agencies', () => {
    expect(AGENCIES).toEqual(['Police', 'IOPC', 'Solicitor', 'IDVA', 'Social services', 'GP', 'Housing', 'Refuge']);
  });

  it('has a label for every field, and help for the ones that need it', () => {
    for (const t of Object.values(REPORT_TEXT)) expect(t.label).not.toBe('');
    expect(REPORT_TEXT.reference.help).toContain('12/3456/26');
  });

  it('names the title a report gets when left without one', () => {
    expect(titleHelp(' IOPC ')).toBe('To find it again. If you leave it empty, it is called “Report to IOPC”.');
    expect(titleHelp('')).toContain('“Report to” and the agency');
  });
});
