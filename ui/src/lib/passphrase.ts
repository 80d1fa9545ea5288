// Checks on a new passphrase that the window can make before asking Cairn.

/** Words for a strength score 0–4 (never colour alone). */
export function strengthLabel(score: number): string {
  return ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'][Math.max(0, Math.min(4, Math.round(score)))] ?? 'Very weak';
}

export type PassphraseErrors = Partial<Record<'passphrase' | 'confirm', string>>;

/** A new passphrase and its confirmation. Strength itself is judged by Cairn. */
export function checkNewPassphrase(passphrase: string, confirm: string): PassphraseErrors {
  const e: PassphraseErrors = {};
  if (passphrase.length === 0) e.passphrase = 'Choose a passphrase: several words that mean something only to you.';
  if (confirm.length === 0) e.confirm = 'Type the passphrase again, to be sure it is the one you meant.';
  else if (passphrase !== confirm) e.confirm = 'The two passphrases are not the same. Type it again.';
  return e;
}
