import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { status } from '../../test/fixtures';
import { Countdown } from './countdown.svelte';
import { Router } from './router.svelte';
import { checkAutoLockMinutes, settings } from './settings.svelte';
import { ToastStore } from './toast.svelte';
import { vault } from './vault.svelte';

afterEach(() => {
  vi.useRealTimers();
  clearMocks();
});

describe('settings', () => {
  beforeEach(() => {
    vault.set(status({ unlocked: true }));
  });

  it('checks the auto-lock minutes', () => {
    expect(checkAutoLockMinutes(5)).toBeNull();
    expect(checkAutoLockMinutes(1)).toBeNull();
    expect(checkAutoLockMinutes(240)).toBeNull();
    expect(checkAutoLockMinutes(0)).toBeTruthy();
    expect(checkAutoLockMinutes(241)).toBeTruthy();
    expect(checkAutoLockMinutes(2.5)).toBeTruthy();
    expect(checkAutoLockMinutes('')).toBeTruthy();
    expect(checkAutoLockMinutes(null)).toBeTruthy();
    expect(checkAutoLockMinutes('12')).toBeNull();
  });

  it('saves through Cairn and takes the new status', async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return status({ unlocked: true, settings: { auto_lock_minutes: 15 } });
    });
    await settings.saveAutoLock(15);
    expect(calls).toEqual([['save_settings', { settings: { auto_lock_minutes: 15 }, current: null }]]);
    expect(settings.autoLockMinutes).toBe(15);
    expect(settings.saving).toBe(false);
  });

  it('runs two quick saves one after the other, so the second keeps the first', async () => {
    const sent: unknown[] = [];
    mockIPC((_cmd, args) => {
      const s = (args as { settings: Record<string, unknown> }).settings;
      sent.push(s);
      return status({ unlocked: true, settings: s });
    });
    await Promise.all([settings.save({ disguise: 'notes' }), settings.save({ quick_exit: 'close' })]);
    expect(sent[1]).toMatchObject({ disguise: 'notes', quick_exit: 'close' });
    expect(vault.status?.settings).toMatchObject({ disguise: 'notes', quick_exit: 'close' });
  });

  it('refuses a value out of range without asking Cairn', async () => {
    const seen = vi.fn();
    mockIPC(seen);
    await expect(settings.saveAutoLock(0)).rejects.toBeInstanceOf(RangeError);
    expect(seen).not.toHaveBeenCalled();
  });
});

describe('toasts', () => {
  it('shows, dismisses and times out messages', () => {
    vi.useFakeTimers();
    const t = new ToastStore();
    const a = t.show('Saved.', 'info', 1000);
    t.show('Could not save.', 'error', 0);
    expect(t.items.map((x) => x.message)).toEqual(['Saved.', 'Could not save.']);
    vi.advanceTimersByTime(1000);
    expect(t.items.map((x) => x.id)).not.toContain(a);
    expect(t.items).toHaveLength(1);
    t.clear();
    expect(t.items).toEqual([]);
  });

  it('keeps at most three', () => {
    const t = new ToastStore();
    for (let i = 0; i < 5; i++) t.show(`m${i}`, 'info', 0);
    expect(t.items.map((x) => x.message)).toEqual(['m2', 'm3', 'm4']);
  });
});

describe('countdown', () => {
  it('counts down in whole seconds and ends', () => {
    vi.useFakeTimers();
    const c = new Countdown();
    c.start(2500);
    expect(c.active).toBe(true);
    expect(c.seconds).toBe(3);
    vi.advanceTimersByTime(1000);
    expect(c.seconds).toBe(2);
    vi.advanceTimersByTime(1600);
    expect(c.active).toBe(false);
    expect(c.seconds).toBe(0);
  });

  it('ignores no wait', () => {
    const c = new Countdown();
    c.start(0);
    expect(c.active).toBe(false);
  });
});

describe('router', () => {
  it('goes, replaces and goes back', () => {
    const r = new Router();
    expect(r.current).toEqual({ name: 'timeline' });
    r.go({ name: 'people' });
    r.go({ name: 'detail', id: 'per-1' });
    r.replace({ name: 'person-edit', id: 'per-1' });
    expect(r.current).toEqual({ name: 'person-edit', id: 'per-1' });
    r.back();
    expect(r.current).toEqual({ name: 'people' });
    r.back();
    r.back({ name: 'settings' });
    expect(r.current).toEqual({ name: 'settings' });
    const before = r.changes;
    r.reset();
    expect(r.current).toEqual({ name: 'timeline' });
    expect(r.changes).toBe(before + 1);
    expect(r.canGoBack()).toBe(false);
  });
});
