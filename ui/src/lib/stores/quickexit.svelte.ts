// Quick exit: the window empties at once, then Cairn drops its keys and either closes
// or leaves a neutral page. Leaving that page (Escape three times or her shortcut)
// shows the unlock screen.

import { api } from '../api';
import { vault } from './vault.svelte';

export class QuickExitStore {
  /** The neutral page is showing. */
  neutral = $state(false);

  async exit(): Promise<void> {
    vault.markLocked();
    if ((vault.status?.settings.quick_exit ?? 'blank') === 'blank') this.neutral = true;
    try {
      vault.set(await api.quickExit());
    } catch {
      // The window is already empty; the next unlock checks the passphrase whatever
      // happened to the keys.
    }
  }

  async leave(): Promise<void> {
    this.neutral = false;
    try {
      await api.restoreLook();
    } catch {
      // Only the title and icon; nothing to tell her.
    }
  }
}

export const quickExit = new QuickExitStore();
