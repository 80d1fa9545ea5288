// The vault's settings (kept beside it, readable before unlocking: they hold no evidence).

import { api } from '../api';
import type { Settings } from '../bindings';
import { reauth } from './reauth.svelte';
import { vault } from './vault.svelte';

/** A problem with an auto-lock value, or null. */
export function checkAutoLockMinutes(v: number | string | null | undefined): string | null {
  const n = typeof v === 'number' ? v : Number(String(v ?? '').trim());
  if (v === '' || v === null || v === undefined || !Number.isFinite(n)) return 'Enter a number of minutes, from 1 to 240.';
  if (!Number.isInteger(n)) return 'Use whole minutes, from 1 to 240.';
  if (n < 1 || n > 240) return 'Choose between 1 and 240 minutes.';
  return null;
}

export class SettingsStore {
  saving = $state(false);

  get autoLockMinutes(): number {
    return vault.autoLockMinutes;
  }

  /** Saves; throws CairnError on failure (a value out of range is refused here first). */
  async saveAutoLock(minutes: number): Promise<void> {
    const problem = checkAutoLockMinutes(minutes);
    if (problem) throw new RangeError(problem);
    await this.save({ auto_lock_minutes: minutes });
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Saves `patch` over the settings as they are; throws CairnError on failure. Saves run
   * one after another, each over what the one before saved, so none is lost.
   */
  save(patch: Settings): Promise<void> {
    const run = async (): Promise<void> => {
      this.saving = true;
      try {
        const now = vault.status?.settings ?? {};
        const next = { ...now, ...patch };
        vault.setIfStillUnlocked(
          await reauth.withPassphrase('change this setting', (current) => api.saveSettings(next, current)),
        );
      } finally {
        this.saving = false;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export const settings = new SettingsStore();
