import { describe, expect, it } from 'vitest';
import type { Plan } from './bindings';
import {
  checkInitials,
  checkScope,
  checkSeal,
  checkStep,
  choiceOf,
  defaultFileName,
  emptyShare,
  locatedCount,
  looksLikeRecipient,
  normaliseInitials,
  planSummary,
  requestOf,
  goesAsText,
  unverifiableText,
  type ShareModel,
} from './share';

const KEY = 'age1xnt3u5t5aga8fmjtaz4qg0ecsmey32wjvzyheet6c24f48ahnacsncy2xm';

function model(over: Partial<ShareModel> = {}): ShareModel {
  return { ...emptyShare(), ...over };
}

function plan(over: Partial<Plan> = {}): Plan {
  return { items: 0, incidents: 0, people: 0, reports: 0, exhibits: [], bytes: 0, unverifiable: [], exports_left_out: 0, ...over };
}

describe('what to share', () => {
  it('everything needs nothing more', () => {
    expect(checkScope(model())).toEqual({});
    expect(choiceOf(model())).toEqual({ kind: 'all' });
  });

  it('chosen items need at least one', () => {
    expect(checkScope(model({ scope: 'items' })).ids).toMatch(/at least one/);
    const m = model({ scope: 'items', ids: ['inc-1', 'fil-2'] });
    expect(checkScope(m)).toEqual({});
    expect(choiceOf(m)).toEqual({ kind: 'items', ids: ['inc-1', 'fil-2'] });
  });

  it('a date range needs a valid end, in order, and may be open', () => {
    expect(checkScope(model({ scope: 'dates' })).from).toBeTruthy();
    expect(checkScope(model({ scope: 'dates', from: '2026-02-30' })).from).toMatch(/not a date/);
    expect(checkScope(model({ scope: 'dates', from: '2026-11-03', to: '2026-11-01' })).to).toMatch(/before/);
    expect(checkScope(model({ scope: 'dates', to: '2026-11-01' }))).toEqual({});
    expect(choiceOf(model({ scope: 'dates', to: '2026-11-01' }))).toEqual({ kind: 'dates', from: null, to: '2026-11-01' });
  });
});

describe('exhibit initials', () => {
  it('takes 1 to 4 letters in any case', () => {
    expect(normaliseInitials(' ab ')).toBe('AB');
    expect(normaliseInitials('abcd')).toBe('ABCD');
    expect(normaliseInitials('abcde')).toBeNull();
    expect(normaliseInitials('A.B')).toBeNull();
    expect(normaliseInitials('')).toBeNull();
  });

  it('says what is wrong, differently for empty and unusable', () => {
    expect(checkInitials(model({ initials: 'AB' }))).toEqual({});
    expect(checkInitials(model()).initials).toMatch(/Give your initials/);
    expect(checkInitials(model({ initials: 'A1' })).initials).toMatch(/1 to 4 letters/);
  });
});

describe('seal', () => {
  it('a passphrase must be typed twice the same', () => {
    const e = checkSeal(model({ passphrase: 'one two three four', confirm: 'one two three for' }));
    expect(e.confirm).toMatch(/not the same/);
    expect(checkSeal(model({ passphrase: 'a', confirm: 'a' }))).toEqual({});
    expect(checkSeal(model()).passphrase).toBeTruthy();
  });

  it('a public key must look like one', () => {
    expect(looksLikeRecipient(KEY)).toBe(true);
    expect(looksLikeRecipient(` ${KEY.toUpperCase()} `)).toBe(true);
    expect(looksLikeRecipient(KEY.slice(0, -1))).toBe(false);
    expect(looksLikeRecipient('AGE-SECRET-KEY-1ABC')).toBe(false);
    expect(checkSeal(model({ seal: 'recipient', recipient: 'ssh-ed25519 AAAA' })).recipient).toMatch(/age1/);
    expect(checkSeal(model({ seal: 'recipient', recipient: '' })).recipient).toMatch(/Paste/);
    expect(checkSeal(model({ seal: 'recipient', recipient: KEY }))).toEqual({});
  });

  it('needs a recipient agency', () => {
    expect(checkSeal(model({ agency: ' ', passphrase: 'a', confirm: 'a' })).agency).toBeTruthy();
  });

  it('the last step has nothing to check', () => {
    expect(checkStep(3, model())).toEqual({});
    expect(checkStep(1, model()).initials).toBeTruthy();
  });
});

describe('request', () => {
  it('carries every answer, trimmed, with the initials normalised', () => {
    const m = model({
      scope: 'dates',
      from: '2026-01-01',
      initials: 'ab',
      includeLocation: true,
      agency: ' IOPC ',
      person: ' Ms Patel ',
      seal: 'recipient',
      recipient: ` ${KEY} `,
    });
    expect(requestOf(m, '/media/usb/b.age')).toEqual({
      choice: { kind: 'dates', from: '2026-01-01', to: null },
      initials: 'AB',
      includeLocation: true,
      disclosure: 'proofs',
      wholeExports: false,
      seal: { kind: 'recipient', recipient: KEY },
      agency: 'IOPC',
      person: 'Ms Patel',
      out: '/media/usb/b.age',
    });
  });

  it('a passphrase seal is sent as typed, never trimmed', () => {
    const r = requestOf(model({ initials: 'AB', passphrase: ' spaced words ', confirm: ' spaced words ' }), '/x.age');
    expect(r.seal).toEqual({ kind: 'passphrase', passphrase: ' spaced words ' });
  });
});

describe('summary', () => {
  it('names what goes out', () => {
    const p = plan({
      items: 5,
      incidents: 2,
      people: 1,
      exhibits: [
        { reference: 'AB/1', new: true, item: 'fil-1', name: 'a.jpg', size: 10, has_location: true, goes_as: { kind: 'location_free_copy' }, is_export: false, holds_redacted: false },
        { reference: 'AB/2', new: false, item: 'fil-2', name: 'b.txt', size: 5, has_location: false, goes_as: { kind: 'original' }, is_export: false, holds_redacted: false },
      ],
      bytes: 15,
    });
    expect(planSummary(p, (n) => `${n} B`)).toBe('2 written records, 1 person, 2 exhibits (15 B)');
    expect(locatedCount(p)).toBe(1);
    expect(planSummary(plan(), String)).toMatch(/Nothing/);
    expect(locatedCount(null)).toBe(0);
  });

  it('says what each file goes out as, given her choices', () => {
    const left = { kind: 'left_out' as const, reason: 'it holds photos that say where they were taken' };
    expect(goesAsText({ kind: 'original' }, false, false, false)).toBe('As it is');
    expect(goesAsText({ kind: 'location_free_copy' }, false, false, false)).toMatch(/without where/);
    expect(goesAsText({ kind: 'location_free_copy' }, true, false, false)).toMatch(/with where/);
    expect(goesAsText(left, false, false, true)).toBe(`Left out: ${left.reason}`);
    expect(goesAsText(left, false, true, true)).toBe('As it is, whole');
    expect(goesAsText(left, true, false, false)).toMatch(/with where/);
    // An export held back only for its photos goes whole with location included; one
    // that holds redacted messages does not.
    expect(goesAsText(left, true, false, true, false)).toMatch(/whole, with where its photos/);
    expect(goesAsText(left, true, false, true, true)).toBe(`Left out: ${left.reason}`);
    expect(goesAsText(left, true, true, true, true)).toBe('As it is, whole');
    expect(goesAsText({ kind: 'checked_as_it_is_saved' }, false, false, false)).toMatch(/if it holds no location/);
  });

  it('names the older versions the recipient cannot check', () => {
    expect(unverifiableText(plan())).toBe('');
    const p = plan({
      unverifiable: [
        { item: 'inc-1', title: 'At the door', version: 1, fields: ['private_notes'] },
        { item: 'inc-1', title: 'At the door', version: 2, fields: ['private_notes'] },
      ],
    });
    expect(unverifiableText(p)).toMatch(/^2 older versions of At the door were written before/);
  });

  it('offers a file name with the date only', () => {
    expect(defaultFileName(new Date(2026, 10, 3, 12))).toBe('cairn-bundle-2026-11-03.age');
  });
});
