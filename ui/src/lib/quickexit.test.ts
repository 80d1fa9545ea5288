import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { status } from '../test/fixtures';
import { lookOf } from './look';
import { clashes, EscapeCounter, isShortcut, shortcutLabel, shortcutOf } from './quickexit';
import { quickExit } from './stores/quickexit.svelte';
import { onClear, vault } from './stores/vault.svelte';

afterEach(() => clearMocks());

const key = (code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
  code,
  ctrlKey: false,
  altKey: false,
  shiftKey: false,
  metaKey: false,
  ...mods,
});

describe('Escape three times', () => {
  it('sets off on the third press close together', () => {
    const c = new EscapeCounter();
    expect(c.press(0)).toBe(false);
    expect(c.press(400)).toBe(false);
    expect(c.press(800)).toBe(true);
    // The run starts again after it went off.
    expect(c.press(900)).toBe(false);
  });

  it('does not count presses too far apart, or broken by another key', () => {
    const c = new EscapeCounter();
    c.press(0);
    c.press(1000);
    expect(c.press(2600)).toBe(false);
    c.reset();
    expect(c.press(2700)).toBe(false);
    expect(c.press(2800)).toBe(false);
    expect(c.press(2900)).toBe(true);
  });
});

describe('her own shortcut', () => {
  it('needs Ctrl, Alt or Meta and one other key', () => {
    expect(shortcutOf(key('KeyH', { ctrlKey: true, shiftKey: true }))).toBe('Control+Shift+KeyH');
    expect(shortcutOf(key('F9', { altKey: true }))).toBe('Alt+F9');
    expect(shortcutOf(key('KeyH'))).toBeNull();
    expect(shortcutOf(key('KeyH', { shiftKey: true }))).toBeNull();
    expect(shortcutOf(key('ControlLeft', { ctrlKey: true }))).toBeNull();
  });

  it('matches exactly, reads plainly, and may not be the lock key', () => {
    expect(isShortcut(key('KeyN', { ctrlKey: true, altKey: true }), 'Control+Alt+KeyN')).toBe(true);
    expect(isShortcut(key('KeyN', { ctrlKey: true }), 'Control+Alt+KeyN')).toBe(false);
    expect(isShortcut(key('KeyN', { ctrlKey: true }), null)).toBe(false);
    expect(shortcutLabel('Control+Alt+KeyN')).toBe('Ctrl + Alt + N');
    expect(shortcutLabel('Meta+Digit5')).toBe('Windows key + 5');
    expect(clashes('Control+KeyL')).toBe(true);
    expect(clashes('Control+KeyK')).toBe(false);
  });
});

describe('the look', () => {
  it('is Cairn, a disguise, or on the neutral page a notes app', () => {
    expect(lookOf({}).name).toBe('Cairn');
    expect(lookOf({ disguise: 'budget' }).name).toBe('Budget');
    expect(lookOf({}, true).name).toBe('Notes');
    expect(lookOf({ disguise: 'budget' }, true).name).toBe('Budget');
  });
});

describe('quick exit', () => {
  it('empties the window before Cairn answers, then shows the neutral page', async () => {
    vault.set(status({ unlocked: true }));
    let cleared = 0;
    const off = onClear(() => cleared++);
    const calls: string[] = [];
    let seenUnlocked: boolean | undefined;
    mockIPC((cmd) => {
      calls.push(cmd);
      seenUnlocked = vault.status?.unlocked;
      if (cmd === 'quick_exit') return status({ unlocked: false });
      return null;
    });
    const pending = quickExit.exit();
    expect(cleared).toBe(1);
    expect(quickExit.neutral).toBe(true);
    await pending;
    expect(seenUnlocked).toBe(false);
    expect(vault.phase).toBe('locked');
    await quickExit.leave();
    expect(quickExit.neutral).toBe(false);
    expect(calls).toEqual(['quick_exit', 'restore_look']);
    off();
  });

  it('leaves no neutral page when she chose to close Cairn', async () => {
    vault.set(status({ unlocked: true, settings: { auto_lock_minutes: 5, quick_exit: 'close' } }));
    mockIPC(() => status({ unlocked: false }));
    await quickExit.exit();
    expect(quickExit.neutral).toBe(false);
    expect(vault.phase).toBe('locked');
  });
});
