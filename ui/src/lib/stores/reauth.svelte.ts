// Her passphrase again, for a change made from the unlocked window that needs it
// (redaction, export, decoy, a backup to a new folder, a weaker disguise or lock
// setting). The core decides which changes need it: a call is tried without, and when
// it is refused with `passphrase_needed` the dialog asks, and the call is made again
// with what she typed. A wrong passphrase counts as a failed unlock, as at the unlock
// screen.

import { toCairnError } from '../api';
import { onClear } from './vault.svelte';

type Attempt<T> = (current: string | null) => Promise<T>;

interface Pending {
  what: string;
  /** Tries the call with the passphrase; settles the caller's promise unless it is wrong. */
  run: (current: string) => Promise<boolean>;
  cancel: () => void;
}

export class ReauthStore {
  pending = $state<Pending | null>(null);
  error = $state('');
  busy = $state(false);

  /** Runs `attempt` without the passphrase, and asks for it if the core needs it. */
  async withPassphrase<T>(what: string, attempt: Attempt<T>): Promise<T> {
    try {
      return await attempt(null);
    } catch (err) {
      if (toCairnError(err).code !== 'passphrase_needed') throw err;
    }
    return new Promise<T>((resolve, reject) => {
      this.error = '';
      this.pending = {
        what,
        run: async (current: string) => {
          try {
            resolve(await attempt(current));
            return true;
          } catch (err) {
            const ce = toCairnError(err);
            if (ce.code === 'wrong_passphrase' || ce.code === 'too_soon') {
              this.error = ce.message;
              return false;
            }
            reject(ce);
            return true;
          }
        },
        cancel: () => reject(toCairnError({ code: 'cancelled', message: 'Cancelled; nothing was changed.' })),
      };
    });
  }

  /** The dialog's submit: a wrong passphrase keeps the dialog open with its message. */
  async submit(current: string): Promise<void> {
    const p = this.pending;
    if (!p || this.busy) return;
    this.busy = true;
    this.error = '';
    try {
      if (await p.run(current)) this.pending = null;
    } finally {
      this.busy = false;
    }
  }

  cancel(): void {
    const p = this.pending;
    this.pending = null;
    this.error = '';
    p?.cancel();
  }
}

export const reauth = new ReauthStore();
onClear(() => reauth.cancel());
