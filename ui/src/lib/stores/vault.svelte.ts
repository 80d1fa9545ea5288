// Whether there is a vault, whether it is unlocked, and locking: the moment Cairn
// locks, every store holding content is emptied before anything else happens.

import { api, onLocked } from '../api';
import type { AppStatus, Created } from '../bindings';

export type Phase = 'loading' | 'first-run' | 'recovery-code' | 'locked' | 'unlocked';

const clearers = new Set<() => void>();

/** Registers a function that empties a store of content; returns its removal. */
export function onClear(fn: () => void): () => void {
  clearers.add(fn);
  return () => clearers.delete(fn);
}

export class VaultStore {
  status = $state<AppStatus | null>(null);
  /** Shown once after set-up, until she confirms she wrote it down. */
  recoveryCode = $state<string | null>(null);
  loadError = $state<string | null>(null);

  phase: Phase = $derived.by(() => {
    const s = this.status;
    if (!s) return 'loading';
    if (this.recoveryCode !== null && s.unlocked) return 'recovery-code';
    if (!s.vaultExists) return 'first-run';
    return s.unlocked ? 'unlocked' : 'locked';
  });

  autoLockMinutes: number = $derived(this.status?.settings.auto_lock_minutes ?? 5);

  async refresh(): Promise<void> {
    try {
      this.set(await api.appStatus());
      this.loadError = null;
    } catch (e) {
      this.loadError = e instanceof Error ? e.message : String(e);
    }
  }

  set(s: AppStatus): void {
    if (!s.unlocked && this.status?.unlocked) this.clearContent();
    this.status = s;
  }

  /**
   * Takes a status that came back from work done while unlocked (saving settings).
   * If she locked meanwhile, the answer must not unlock the window again.
   */
  setIfStillUnlocked(s: AppStatus): void {
    if (!this.status?.unlocked) return;
    this.set(s);
  }

  created(c: Created): void {
    this.recoveryCode = c.recoveryCode;
    this.status = c.status;
  }

  /** She has written the recovery code down: forget it. */
  recoveryWritten(): void {
    this.recoveryCode = null;
  }

  clearContent(): void {
    for (const fn of clearers) fn();
  }

  /** Shows the unlock screen at once, with nothing of the vault left in the window. */
  markLocked(): void {
    this.clearContent();
    this.recoveryCode = null;
    if (this.status) this.status = { ...this.status, unlocked: false };
  }

  /** Locks now: the window is cleared first, then Cairn drops its keys. */
  async lockNow(): Promise<void> {
    this.markLocked();
    try {
      this.status = await api.lock();
    } catch {
      // The window is already locked. Cairn checks the passphrase at the next unlock
      // even if its keys were still held, so a failed lock cannot be walked past.
    }
  }
}

export const vault = new VaultStore();

onLocked(() => vault.markLocked());
