// Backups: the newest one (for the reminder) and the backup under way, kept outside
// the screen so she can look elsewhere while it runs. One at a time; forgotten on lock.

import type { Channel } from '@tauri-apps/api/core';
import { api, progressChannel, toCairnError } from '../api';
import type { BackupProgress, BackupReport, BackupStatus, ScrubReport } from '../bindings';
import { reauth } from './reauth.svelte';
import { onClear } from './vault.svelte';

/** What each step is called on screen. */
export const STEP_WORDS: Record<BackupProgress['step'], string> = {
  files: 'Copying stored files',
  database: 'Copying the records',
  checking: 'Reading the backup back and checking it',
};

export class BackupJob {
  status = $state<BackupStatus | null>(null);
  running = $state(false);
  progress = $state<BackupProgress | null>(null);
  failure = $state('');
  done = $state<BackupReport | null>(null);
  /** The last check of a backup (re-reading it), when one ran this session. */
  checked = $state<ScrubReport | null>(null);
  /** The job running is a check, not a backup. */
  checking = $state(false);

  /** Reads when the newest backup was made. A failure leaves the last answer. */
  async load(): Promise<void> {
    try {
      this.status = await api.backupStatus();
    } catch {
      // Locked, or gone: nothing to remind her of.
    }
  }

  /** Backs up to `dest`; false when another backup or a check is still running. */
  run(dest: string): Promise<boolean> {
    return this.job(false, async (ch) => {
      this.done = await reauth.withPassphrase('back up to a new folder', (current) => api.backupNow(dest, current, ch));
    });
  }

  /** Checks the backup in `dest` (reads every file back, puts right what decayed);
   * false when a backup or a check is still running. */
  check(dest: string): Promise<boolean> {
    return this.job(true, async (ch) => {
      this.checked = await api.checkBackup(dest, ch);
    });
  }

  /** Runs one backup or check at a time, with its progress, then reads the status
   * again; a failure is kept as one sentence. */
  private async job(checking: boolean, work: (ch: Channel<BackupProgress>) => Promise<void>): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    this.checking = checking;
    this.failure = '';
    this.done = null;
    this.checked = null;
    this.progress = null;
    try {
      await work(
        progressChannel<BackupProgress>((p) => {
          if (this.running) this.progress = p;
        }),
      );
      await this.load();
    } catch (e) {
      this.failure = toCairnError(e).message;
    } finally {
      this.running = false;
      this.checking = false;
      this.progress = null;
    }
    return true;
  }

  clear(): void {
    this.status = null;
    if (!this.running) {
      this.failure = '';
      this.done = null;
      this.checked = null;
    }
  }
}

/** How long ago `iso` was, in words: "today", "yesterday", "9 days ago". */
export function daysAgo(iso: string, now: Date = new Date()): string {
  const days = Math.floor((now.getTime() - new Date(iso).getTime()) / 86_400_000);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  return `${days} days ago`;
}

export const backupJob = new BackupJob();
onClear(() => backupJob.clear());
