// Short messages in a polite live region ("Saved.", "Your passphrase has been changed.").

import { onClear } from './vault.svelte';

export type Tone = 'info' | 'error';

export interface Toast {
  id: number;
  message: string;
  tone: Tone;
}

export class ToastStore {
  items = $state<Toast[]>([]);
  private next = 1;
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  show(message: string, tone: Tone = 'info', ms = 6000): number {
    const id = this.next++;
    this.items = [...this.items.slice(-2), { id, message, tone }];
    if (ms > 0) this.timers.set(id, setTimeout(() => this.dismiss(id), ms));
    return id;
  }

  dismiss(id: number): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
    this.items = this.items.filter((x) => x.id !== id);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.items = [];
  }
}

export const toasts = new ToastStore();
onClear(() => toasts.clear());
