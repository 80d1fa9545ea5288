// The person form's model and checks.

import type { Person, Role } from './bindings';

export const ROLES: readonly (readonly [Role, string])[] = [
  ['harming', 'The person harming you'],
  ['witness', 'A witness'],
  ['officer', 'A police officer or member of police staff'],
  ['professional', 'A professional (GP, IDVA, social worker, solicitor…)'],
  ['other', 'Someone else'],
];

/** Headings on the People screen, one per role. */
export const ROLE_HEADINGS: Record<Role, string> = {
  harming: 'The person harming you',
  witness: 'Witnesses',
  officer: 'Police officers and staff',
  professional: 'Professionals',
  other: 'Others',
};

/** A short label for a row. */
export const ROLE_SHORT: Record<Role, string> = {
  harming: 'Person harming you',
  witness: 'Witness',
  officer: 'Police officer or staff',
  professional: 'Professional',
  other: 'Other',
};

export interface PersonModel {
  name: string;
  role: Role;
  collar_number: string;
  force: string;
  organisation: string;
  relationship: string;
  notes: string;
}

export function emptyPerson(role: Role = 'witness'): PersonModel {
  return { name: '', role, collar_number: '', force: '', organisation: '', relationship: '', notes: '' };
}

export function modelFromPerson(p: Person): PersonModel {
  return {
    name: p.name ?? '',
    role: p.role,
    collar_number: p.collar_number ?? '',
    force: p.force ?? '',
    organisation: p.organisation ?? '',
    relationship: p.relationship ?? '',
    notes: p.notes ?? '',
  };
}

export function personFromModel(m: PersonModel): Person {
  return {
    name: m.name.trim(),
    role: m.role,
    collar_number: m.collar_number.trim(),
    force: m.force.trim(),
    organisation: m.organisation.trim(),
    relationship: m.relationship.trim(),
    notes: m.notes.trim() === '' ? '' : m.notes,
  };
}

export type PersonErrors = Partial<Record<'name', string>>;

export function validatePerson(m: PersonModel): PersonErrors {
  return m.name.trim() ? {} : { name: 'Write a name, or how you refer to them.' };
}
