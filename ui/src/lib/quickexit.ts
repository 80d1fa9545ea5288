// Quick exit's keys: Escape three times in quick succession, and a shortcut she records
// herself (modifiers, then a key code, as `Control+Shift+KeyH`; the Rust side checks it).

/** Presses of Escape closer together than this count towards the three. */
export const ESCAPE_WINDOW_MS = 1500;

/** Counts Escape presses; the third within the window sets it off. */
export class EscapeCounter {
  private times: number[] = [];

  /** An Escape at `now`; true when it is the third in a row close enough together. */
  press(now: number): boolean {
    this.times = this.times.filter((t) => now - t < ESCAPE_WINDOW_MS);
    this.times.push(now);
    if (this.times.length >= 3) {
      this.times = [];
      return true;
    }
    return false;
  }

  /** Any other key breaks the run. */
  reset(): void {
    this.times = [];
  }
}

type KeyLike = Pick<KeyboardEvent, 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey' | 'code'>;

const MODIFIER_CODES = /^(Control|Alt|Shift|Meta|OS)(Left|Right)?$/;

/**
 * The shortcut a key press makes, or null if it cannot be one: a modifier other than
 * Shift is needed (so typing never sets it off), and the key must not be a modifier.
 */
export function shortcutOf(e: KeyLike): string | null {
  if (!e.code || MODIFIER_CODES.test(e.code) || !/^[A-Za-z0-9]+$/.test(e.code)) return null;
  if (!e.ctrlKey && !e.altKey && !e.metaKey) return null;
  const mods = [e.ctrlKey && 'Control', e.altKey && 'Alt', e.shiftKey && 'Shift', e.metaKey && 'Meta'].filter(
    (m): m is string => typeof m === 'string',
  );
  return [...mods, e.code].join('+');
}

/** True when the press is exactly the recorded shortcut. */
export function isShortcut(e: KeyLike, shortcut: string | null | undefined): boolean {
  return !!shortcut && shortcutOf(e) === shortcut;
}

/** Ctrl+L and Cmd+L already lock; a quick-exit shortcut must be something else. */
export function clashes(shortcut: string): boolean {
  return shortcut === 'Control+KeyL' || shortcut === 'Meta+KeyL';
}

/** How a shortcut reads: `Control+Shift+KeyH` → `Ctrl + Shift + H`. */
export function shortcutLabel(shortcut: string): string {
  return shortcut
    .split('+')
    .map((p) => {
      if (p === 'Control') return 'Ctrl';
      if (p === 'Meta') return 'Windows key';
      if (p.startsWith('Key')) return p.slice(3);
      if (p.startsWith('Digit')) return p.slice(5);
      return p;
    })
    .join(' + ');
}
