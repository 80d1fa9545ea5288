import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupReport } from '../bindings';
import { BackupJob, daysAgo } from './backup.svelte';

afterEach(() => clearMocks());

const report: BackupReport = {
  dest: '/media/stick/backup',
  entries: 12,
  files_copied: 2,
  files_kept: 5,
  files_removed: 0,
  bytes_written: 1234,
  recorded_at: '2026-12-03T10:00:00.000Z',
};

describe('a check of a backup', () => {
  it('reads the backup back, tells what it put right, then reads the status again', async () => {
    const calls: string[] = [];
    mockIPC(async (cmd, args) => {
      calls.push(cmd);
      if (cmd === 'check_backup') {
        expect((args as { dest: string }).dest).toBe('/media/stick/backup');
        return { dest: '/media/stick/backup', files_checked: 7, bytes_checked: 99, files_repaired: ['ab'], database_repaired: false, keys_repaired: false };
      }
      if (cmd === 'backup_status') {
        return { last: report.recorded_at, due: false, last_checked: '2026-12-07T10:00:00.000Z', check_due: false };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const job = new BackupJob();
    expect(await job.check('/media/stick/backup')).toBe(true);
    expect(calls).toEqual(['check_backup', 'backup_status']);
    expect(job.checked?.files_repaired).toEqual(['ab']);
    expect(job.status?.last_checked).toBe('2026-12-07T10:00:00.000Z');
    expect(job.running).toBe(false);
  });

  it('says why it was refused and keeps no result', async () => {
    mockIPC(async (cmd) => {
      if (cmd === 'check_backup') throw { code: 'backup_refused', message: 'That folder is not a backup of this vault; choose the folder you back up to.' };
      throw new Error(`unexpected ${cmd}`);
    });
    const job = new BackupJob();
    await job.check('/tmp/other');
    expect(job.failure).toMatch(/not a backup of this vault/);
    expect(job.checked).toBeNull();
  });
});

describe('a backup', () => {
  it('runs one at a time, then reads the newest backup again', async () => {
    let release: () => void = () => {};
    let statusCalls = 0;
    mockIPC(async (cmd, args) => {
      if (cmd === 'backup_now') {
        expect((args as { dest: string }).dest).toBe('/media/stick/backup');
        await new Promise<void>((r) => (release = r));
        return report;
      }
      if (cmd === 'backup_status') {
        statusCalls += 1;
        return { last: report.recorded_at, due: false, last_checked: null, check_due: false };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    const job = new BackupJob();
    const first = job.run('/media/stick/backup');
    expect(job.running).toBe(true);
    expect(await job.run('/elsewhere')).toBe(false);
    await new Promise((r) => setTimeout(r, 0));
    release();
    expect(await first).toBe(true);
    expect(job.running).toBe(false);
    expect(job.done?.files_copied).toBe(2);
    expect(statusCalls).toBe(1);
    expect(job.status?.last).toBe(report.recorded_at);
  });

  it('says in one sentence why it failed and keeps no result', async () => {
    mockIPC(async (cmd) => {
      if (cmd === 'backup_now') throw { code: 'disk_full', message: 'The disk is full, so nothing was saved; free some space and try again.' };
      throw new Error(`unexpected ${cmd}`);
    });
    const job = new BackupJob();
    await job.run('/media/full');
    expect(job.failure).toBe('The disk is full, so nothing was saved; free some space and try again.');
    expect(job.done).toBeNull();
  });

  it('is forgotten on lock, except one still running', () => {
    const job = new BackupJob();
    job.status = { last: null, due: true, last_checked: null, check_due: false };
    job.failure = 'x';
    job.clear();
    expect(job.status).toBeNull();
    expect(job.failure).toBe('');
  });
});

describe('daysAgo', () => {
  const now = new Date('2026-12-10T12:00:00Z');
  it('speaks in days', () => {
    expect(daysAgo('2026-12-10T08:00:00Z', now)).toBe('today');
    expect(daysAgo('2026-12-09T08:00:00Z', now)).toBe('yesterday');
    expect(daysAgo('2026-12-01T08:00:00Z', now)).toBe('9 days ago');
  });
});
