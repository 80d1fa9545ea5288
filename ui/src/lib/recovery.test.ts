import { describe, expect, it } from 'vitest';
import { checkNewPassphrase, strengthLabel } from './passphrase';
import { checkRecoveryGroup, codeGroups } from './recovery';
import { emptyPerson, personFromModel, validatePerson } from './personForm';

const CODE = '7KQ3M-X2PZA-H4JN8-QW2ER-T5YB1-9MCDF';

describe('recovery code check', () => {
  it('splits the code into its groups', () => {
    expect(codeGroups(CODE)).toEqual(['7KQ3M', 'X2PZA', 'H4JN8', 'QW2ER', 'T5YB1', '9MCDF']);
  });

  it('accepts the third group in any case, with stray spaces', () => {
    expect(checkRecoveryGroup(CODE, 'H4JN8')).toBe(true);
    expect(checkRecoveryGroup(CODE, ' h4jn8 ')).toBe(true);
    expect(checkRecoveryGroup(CODE, 'h4j n8')).toBe(true);
  });

  it('refuses another group, a partial group or nothing', () => {
    expect(checkRecoveryGroup(CODE, 'X2PZA')).toBe(false);
    expect(checkRecoveryGroup(CODE, 'H4JN')).toBe(false);
    expect(checkRecoveryGroup(CODE, '')).toBe(false);
    expect(checkRecoveryGroup('', 'H4JN8')).toBe(false);
  });
});

describe('new passphrase check', () => {
  it('needs both fields and the same text', () => {
    expect(checkNewPassphrase('', '')).toEqual({
      passphrase: expect.any(String),
      confirm: expect.any(String),
    });
    expect(checkNewPassphrase('granite lantern orbits', 'granite lantern orbit').confirm).toBe(
      'The two passphrases are not the same. Type it again.',
    );
    expect(checkNewPassphrase('granite lantern orbits', 'granite lantern orbits')).toEqual({});
  });

  it('does not trim: spaces are part of a passphrase', () => {
    expect(checkNewPassphrase('words ', 'words').confirm).toBeTruthy();
  });

  it('names strength in words', () => {
    expect([0, 1, 2, 3, 4].map(strengthLabel)).toEqual(['Very weak', 'Weak', 'Fair', 'Good', 'Strong']);
    expect(strengthLabel(9)).toBe('Strong');
  });
});

describe('person form', () => {
  it('needs a name and trims fields', () => {
    expect(validatePerson(emptyPerson()).name).toBeTruthy();
    const p = personFromModel({ ...emptyPerson('officer'), name: ' PC Jones ', collar_number: ' 4821 ', force: 'Kent Police' });
    expect(p).toMatchObject({ name: 'PC Jones', role: 'officer', collar_number: '4821', force: 'Kent Police' });
    expect(validatePerson({ ...emptyPerson(), name: 'Ann' })).toEqual({});
  });
});
