import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { status } from '../../test/fixtures';
import { api } from '../api';
import { reauth } from './reauth.svelte';
import { vault } from './vault.svelte';

afterEach(() => clearMocks());

describe('reauth', () => {
  beforeEach(() => {
    vault.set(status({ unlocked: true }));
  });

  it('asks for the passphrase only when the core needs it, and retries with it', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      const current = (args as { current: string | null }).current;
      if (current === null) throw { code: 'passphrase_needed', message: 'Type your passphrase again to do this.' };
      if (current !== 'right one') throw { code: 'wrong_passphrase', message: 'That passphrase is not right.' };
      return status({ unlocked: true });
    });
    const done = reauth.withPassphrase('remove the decoy', (c) => api.removeDecoy(c));
    await new Promise((r) => setTimeout(r, 0));
    expect(reauth.pending?.what).toBe('remove the decoy');
    await reauth.submit('his guess');
    expect(reauth.error).toBe('That passphrase is not right.');
    expect(reauth.pending).not.toBeNull();
    await reauth.submit('right one');
    expect(reauth.pending).toBeNull();
    await expect(done).resolves.toBeTruthy();
    expect(calls.map((c) => (c as [string, { current: string | null }])[1].current)).toEqual([
      null,
      'his guess',
      'right one',
    ]);
  });

  it('does not ask when the change needs nothing, and cancelling changes nothing', async () => {
    mockIPC(() => status({ unlocked: true }));
    await reauth.withPassphrase('change this setting', (c) => api.saveSettings({ auto_lock_minutes: 1 }, c));
    expect(reauth.pending).toBeNull();
    mockIPC(() => {
      throw { code: 'passphrase_needed', message: 'Type your passphrase again to do this.' };
    });
    const done = reauth.withPassphrase('set a decoy', (c) => api.setDecoy('walnut ferry morning', c));
    await new Promise((r) => setTimeout(r, 0));
    reauth.cancel();
    await expect(done).rejects.toMatchObject({ code: 'cancelled' });
  });
});
