// What the window calls itself: Cairn, or the neutral name and icon of a disguise.

import budget from '../assets/budget.svg';
import cairn from '../assets/icon.svg';
import notes from '../assets/notes.svg';
import type { Disguise, Settings } from './bindings';

export type Look = { id: Disguise | null; name: string; icon: string };

const LOOKS: Record<Disguise, Look> = {
  notes: { id: 'notes', name: 'Notes', icon: notes },
  budget: { id: 'budget', name: 'Budget', icon: budget },
};

/** The disguises she can choose, in order. */
export const DISGUISES: Look[] = Object.values(LOOKS);

/** Cairn's look, or the disguise's (on the neutral page: the disguise's, else Notes'). */
export function lookOf(settings: Settings | undefined, neutral = false): Look {
  const d = settings?.disguise ?? (neutral ? 'notes' : null);
  return d ? LOOKS[d] : { id: null, name: 'Cairn', icon: cairn };
}
