import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api } from '../api';
import { item, status } from '../../test/fixtures';
import { router } from './router.svelte';
import { timeline } from './timeline.svelte';
import { toasts } from './toast.svelte';
import { vault } from './vault.svelte';

beforeEach(() => {
  vault.status = null;
  vault.recoveryCode = null;
  vault.loadError = null;
});

afterEach(() => {
  clearMocks();
});

describe('vault phase', () => {
  it('goes from loading to first run, recovery code, and into the app', () => {
    expect(vault.phase).toBe('loading');
    vault.set(status({ vaultExists: false }));
    expect(vault.phase).toBe('first-run');
    vault.created({ recoveryCode: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF', status: status({ unlocked: true }) });
    expect(vault.phase).toBe('recovery-code');
    expect(vault.recoveryCode).toBe('AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF');
    vault.recoveryWritten();
    expect(vault.recoveryCode).toBeNull();
    expect(vault.phase).toBe('unlocked');
  });

  it('is locked when a vault exists but is not unlocked', () => {
    vault.set(status({ unlocked: false }));
    expect(vault.phase).toBe('locked');
  });

  it('reads the auto-lock minutes from the settings', () => {
    vault.set(status({ settings: { auto_lock_minutes: 17 } }));
    expect(vault.autoLockMinutes).toBe(17);
  });

  it('loads the status from Cairn, or says why it could not', async () => {
    mockIPC((cmd) => (cmd === 'app_status' ? status({ vaultExists: false }) : null));
    await vault.refresh();
    expect(vault.phase).toBe('first-run');
    clearMocks();
    mockIPC(() => {
      throw new Error('no');
    });
    await vault.refresh();
    expect(vault.loadError).toBeTruthy();
  });
});

describe('locking', () => {
  function fillContent(): void {
    timeline.items = [item({ id: 'inc-1', title: 'Private words' })];
    timeline.loaded = true;
    timeline.query = 'private';
    toasts.show('Saved.', 'info', 0);
    router.go({ name: 'detail', id: 'inc-1' });
  }

  it('clears every store holding content before asking Cairn to lock', async () => {
    vault.set(status({ unlocked: true }));
    fillContent();
    let seenItemsAtLock = -1;
    mockIPC((cmd) => {
      if (cmd === 'lock') {
        seenItemsAtLock = timeline.items.length;
        return status({ unlocked: false });
      }
      return null;
    });
    const pending = vault.lockNow();
    // The window is locked at once, before Cairn answers.
    expect(vault.phase).toBe('locked');
    expect(timeline.items).toEqual([]);
    expect(timeline.query).toBe('');
    expect(toasts.items).toEqual([]);
    expect(router.current).toEqual({ name: 'timeline' });
    await pending;
    expect(seenItemsAtLock).toBe(0);
    expect(vault.phase).toBe('locked');
  });

  it('stays locked when the lock command itself fails', async () => {
    vault.set(status({ unlocked: true }));
    mockIPC(() => {
      throw { code: 'internal', message: 'x', retryAfterMs: null };
    });
    await vault.lockNow();
    expect(vault.phase).toBe('locked');
  });

  it('ignores a late "unlocked" answer that arrives after locking', () => {
    vault.set(status({ unlocked: true }));
    vault.markLocked();
    vault.setIfStillUnlocked(status({ unlocked: true, settings: { auto_lock_minutes: 9 } }));
    expect(vault.phase).toBe('locked');
    vault.set(status({ unlocked: true }));
    vault.setIfStillUnlocked(status({ unlocked: true, settings: { auto_lock_minutes: 9 } }));
    expect(vault.autoLockMinutes).toBe(9);
  });

  it('forgets the recovery code when locked', async () => {
    vault.created({ recoveryCode: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF', status: status({ unlocked: true }) });
    mockIPC(() => status({ unlocked: false }));
    await vault.lockNow();
    expect(vault.recoveryCode).toBeNull();
  });

  it('shows the unlock screen when any command answers "locked"', async () => {
    vault.set(status({ unlocked: true }));
    fillContent();
    mockIPC(() => {
      throw { code: 'locked', message: 'Cairn is locked. Unlock it to continue.', retryAfterMs: null };
    });
    await expect(api.item('inc-1')).rejects.toMatchObject({ code: 'locked' });
    expect(vault.phase).toBe('locked');
    expect(timeline.items).toEqual([]);
  });

  it('clears content when a status says the vault was locked elsewhere', () => {
    vault.set(status({ unlocked: true }));
    fillContent();
    vault.set(status({ unlocked: false }));
    expect(timeline.items).toEqual([]);
  });
});
