import { Channel } from '@tauri-apps/api/core';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, CairnError, GENERIC_MESSAGE, newJobId, onLocked, progressChannel, toCairnError, unwrap } from './api';
import type { Progress } from './bindings';
import { status } from '../test/fixtures';

afterEach(() => {
  clearMocks();
  onLocked(null);
});

describe('unwrap', () => {
  it('returns the data of an ok result', async () => {
    await expect(unwrap(Promise.resolve({ status: 'ok' as const, data: 42 }))).resolves.toBe(42);
  });

  it('throws a CairnError carrying code, message and wait', async () => {
    const err = unwrap(
      Promise.resolve({
        status: 'error' as const,
        error: { code: 'wrong_passphrase', message: 'That passphrase is not right.', retryAfterMs: 4000 },
      }),
    );
    await expect(err).rejects.toBeInstanceOf(CairnError);
    await expect(err).rejects.toMatchObject({ code: 'wrong_passphrase', message: 'That passphrase is not right.', retryAfterMs: 4000 });
  });

  it('turns a thrown Error into a generic CairnError', async () => {
    const e = await unwrap(Promise.reject(new Error('ipc broke'))).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CairnError);
    expect((e as CairnError).code).toBe('internal');
    expect((e as CairnError).message).toBe(GENERIC_MESSAGE);
  });
});

describe('toCairnError', () => {
  it('keeps an AppError and ignores a missing wait', () => {
    const e = toCairnError({ code: 'disk_full', message: 'The disk is full.', retryAfterMs: null });
    expect([e.code, e.message, e.retryAfterMs]).toEqual(['disk_full', 'The disk is full.', null]);
  });

  it('does not show a raw string from the shell', () => {
    const e = toCairnError('Command not allowed by ACL');
    expect(e.code).toBe('internal');
    expect(e.message).toBe(GENERIC_MESSAGE);
  });
});

describe('api over IPC', () => {
  it('sends camelCase arguments and unwraps the answer', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'recover') return status({ unlocked: true });
      return null;
    });
    const s = await api.recover('AAAAA-BBBBB', 'new words here please');
    expect(s.unlocked).toBe(true);
    expect(calls).toEqual([['recover', { code: 'AAAAA-BBBBB', newPassphrase: 'new words here please' }]]);
  });

  it('rejects with the Rust error and tells the app when the vault is locked', async () => {
    mockIPC(() => {
      throw { code: 'locked', message: 'Cairn is locked. Unlock it to continue.', retryAfterMs: null };
    });
    const locked = vi.fn();
    onLocked(locked);
    await expect(api.timeline()).rejects.toMatchObject({ code: 'locked', message: 'Cairn is locked. Unlock it to continue.' });
    expect(locked).toHaveBeenCalledTimes(1);
  });

  it('does not call the locked handler for other errors', async () => {
    mockIPC(() => {
      throw { code: 'wrong_passphrase', message: 'No.', retryAfterMs: 2000 };
    });
    const locked = vi.fn();
    onLocked(locked);
    await expect(api.unlock('x')).rejects.toMatchObject({ code: 'wrong_passphrase', retryAfterMs: 2000 });
    expect(locked).not.toHaveBeenCalled();
  });

  it('passes the strength result straight through', async () => {
    mockIPC((cmd, args) => {
      expect(cmd).toBe('passphrase_strength');
      expect(args).toEqual({ passphrase: 'abc' });
      return { score: 0, acceptable: false, advice: 'Use at least 12 characters.' };
    });
    await expect(api.passphraseStrength('abc')).resolves.toEqual({ score: 0, acceptable: false, advice: 'Use at least 12 characters.' });
  });

  it('sends files with a job id and a progress channel, and cancels by job id', async () => {
    const seen: Progress[] = [];
    const calls: [string, Record<string, unknown>][] = [];
    mockIPC((cmd, args) => {
      const a = (args ?? {}) as Record<string, unknown>;
      calls.push([cmd, a]);
      if (cmd === 'add_files') {
        const ch = a.progress as Channel<Progress>;
        ch.onmessage({ index: 0, count: 1, done: 10, total: 20 });
        return [{ id: 'fil-1', sha256: 'ab', size: 20, name: 'a.jpg', media_type: 'image/jpeg', seq: 3, recorded_at: '2026-11-03T21:40:00Z' }];
      }
      return null;
    });
    const job = newJobId();
    const files = await api.addFiles(['/tmp/a.jpg'], 'inc-1', 'I took it', job, progressChannel((p) => seen.push(p)));
    expect(files.map((f) => f.id)).toEqual(['fil-1']);
    expect(seen).toEqual([{ index: 0, count: 1, done: 10, total: 20 }]);
    expect(calls[0]?.[1]).toMatchObject({ paths: ['/tmp/a.jpg'], linkTo: 'inc-1', acquired: 'I took it', job });
    await api.cancelJob(job);
    expect(calls[1]).toEqual(['cancel_job', { job }]);
  });
});

describe('newJobId', () => {
  it('is random and safe to pass around', () => {
    const a = newJobId();
    const b = newJobId();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^job-[0-9a-f]{24}$/);
  });
});
