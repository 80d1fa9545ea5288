import { describe, expect, it } from 'vitest';
import type { Incident } from './bindings';
import {
  emptyAgency,
  emptyModel,
  firstError,
  incidentFromModel,
  modelFromIncident,
  normalise,
  parseTags,
  sameRecord,
  validateIncident,
  type IncidentModel,
} from './incidentForm';

const utc = (): number => 0;

function model(over: Partial<IncidentModel> = {}): IncidentModel {
  return { ...emptyModel(), title: 'Shouted at me', ...over };
}

const stored: Incident = {
  title: 'Car followed me home',
  occurred: { start: '2026-11-03T21:40:00+00:00', end: '2026-11-03T22:15:00+00:00', approximate: true },
  location: 'Outside work',
  categories: ['stalking', 'technology-surveillance'],
  body: 'Same grey car as on Monday.',
  words_said: '"No one will believe you."',
  injuries: '',
  treatment: '',
  witnesses: 'My neighbour',
  children_present: false,
  impact: 'Could not sleep.',
  actions_after: 'Called a friend.',
  agencies: [{ agency: 'Police', organisation: 'Thames Valley', person: 'PC Smith', collar_number: '1234', reference: 'CAD 55', notes: '' }],
  police: { used_status: 'Said he is a sergeant.', police_information: '', police_response: '', complaint_references: '', counter_allegations: '' },
  tags: ['car', 'work'],
  private_notes: 'For me only.',
};

describe('model ↔ Incident', () => {
  it('round-trips a full record', () => {
    const m = modelFromIncident(stored);
    expect(m.children).toBe('no');
    expect(m.tags).toBe('car, work');
    expect(m.when).toEqual({ date: '2026-11-03', time: '21:40', approximate: true, endDate: '2026-11-03', endTime: '22:15' });
    const back = incidentFromModel(m, stored.occurred ?? null, utc);
    expect(sameRecord(back, stored)).toBe(true);
    expect(back.agencies?.[0]).toMatchObject({ agency: 'Police', collar_number: '1234', reference: 'CAD 55' });
  });

  it('reads a record with fields left out', () => {
    const m = modelFromIncident({ title: 'Only a title' });
    expect(m.title).toBe('Only a title');
    expect(m.children).toBe('unknown');
    expect(m.agencies).toEqual([]);
    expect(m.police.used_status).toBe('');
    expect(m.when.date).toBe('');
  });

  it('trims the title, drops blank text and blank agency rows', () => {
    const m = model({ title: '  Shouted at me  ', body: '   \n ', location: ' Kitchen ', agencies: [emptyAgency()] });
    const inc = incidentFromModel(m, null, utc);
    expect(inc.title).toBe('Shouted at me');
    expect(inc.body).toBe('');
    expect(inc.location).toBe('Kitchen');
    expect(inc.agencies).toEqual([]);
    expect(inc.occurred).toBeNull();
    expect(inc.children_present).toBeNull();
    expect(normalise(inc)).toEqual({ title: 'Shouted at me', location: 'Kitchen' });
  });

  it('keeps the body exactly as written', () => {
    const body = '  He said:\n\n  "You\'ll regret this."  ';
    expect(incidentFromModel(model({ body }), null, utc).body).toBe(body);
  });

  it('maps children present', () => {
    expect(incidentFromModel(model({ children: 'yes' }), null, utc).children_present).toBe(true);
    expect(incidentFromModel(model({ children: 'no' }), null, utc).children_present).toBe(false);
  });
});

describe('parseTags', () => {
  it('splits, trims and removes repeats', () => {
    expect(parseTags(' car,  phone ,,Car, new   house ')).toEqual(['car', 'phone', 'new house']);
    expect(parseTags('')).toEqual([]);
  });
});

describe('sameRecord', () => {
  it('treats left-out and empty fields alike', () => {
    expect(sameRecord({ title: 'A', body: '', tags: [], police: {} }, { title: 'A' })).toBe(true);
    expect(sameRecord({ title: 'A', body: 'x' }, { title: 'A' })).toBe(false);
    expect(sameRecord({ title: 'A', tags: ['a', 'b'] }, { title: 'A', tags: ['b', 'a'] })).toBe(false);
  });
});

describe('validateIncident', () => {
  it('needs a title, and points at it first', () => {
    const e = validateIncident(model({ title: '  ', when: { date: '', time: '10:00', approximate: false, endDate: '', endTime: '' } }));
    expect(e.title).toBeTruthy();
    expect(e.date).toBe('Add the date as well as the time.');
    expect(firstError(e)).toBe('title');
  });

  it('accepts a title alone', () => {
    expect(validateIncident(model())).toEqual({});
    expect(firstError({})).toBeNull();
  });

  it('wants the end after the start', () => {
    const e = validateIncident(model({ when: { date: '2026-11-03', time: '22:00', approximate: false, endDate: '', endTime: '21:00' } }));
    expect(e.endTime).toBe('The end must be after the start.');
    const d = validateIncident(model({ when: { date: '2026-11-03', time: '', approximate: false, endDate: '2026-11-01', endTime: '' } }));
    expect(d.endDate).toBe('The end must be after the start.');
    expect(firstError(d)).toBe('endDate');
    const ok = validateIncident(model({ when: { date: '2026-11-03', time: '22:00', approximate: false, endDate: '2026-11-04', endTime: '01:00' } }));
    expect(ok).toEqual({});
  });

  it('asks for a start time when only an end time is given on the same day', () => {
    const e = validateIncident(model({ when: { date: '2026-11-03', time: '', approximate: false, endDate: '', endTime: '21:00' } }));
    expect(e.time).toBe('Add the start time as well as the end time.');
  });

  it('asks for a start date when only an end is given', () => {
    const e = validateIncident(model({ when: { date: '', time: '', approximate: false, endDate: '2026-11-04', endTime: '' } }));
    expect(e.date).toBeTruthy();
  });

  it('rejects impossible dates', () => {
    const e = validateIncident(model({ when: { date: '2026-02-30', time: '', approximate: false, endDate: '', endTime: '' } }));
    expect(e.date).toBeTruthy();
  });

  it('needs the agency named when other agency fields are filled', () => {
    const a = { ...emptyAgency(), reference: 'CAD 12' };
    const e = validateIncident(model({ agencies: [emptyAgency(), a] }));
    expect(e['agency-1']).toBeTruthy();
    expect(e['agency-0']).toBeUndefined();
    expect(firstError(e)).toBe('agency-1');
  });
});
