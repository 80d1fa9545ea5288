// The search screen's words and what they found: kept while she opens a hit and comes
// back, forgotten when Cairn locks.

import { api, toCairnError } from '../api';
import type { Found } from '../bindings';
import { onClear } from './vault.svelte';

/** How long typing must pause before Cairn is asked. */
export const SEARCH_PAUSE_MS = 200;
/** Hits asked for. */
export const SEARCH_LIMIT = 100;

export class SearchStore {
  query = $state('');
  found = $state.raw<Found | null>(null);
  searching = $state(false);
  error = $state('');
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;

  /** Sets the words; searches after a pause in typing (at once with `delay` 0). */
  set(q: string, delay = SEARCH_PAUSE_MS): void {
    this.query = q;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // An answer for the words before these is no longer wanted.
    this.seq++;
    if (!q.trim()) {
      this.found = null;
      this.error = '';
      this.searching = false;
      return;
    }
    this.searching = true;
    if (delay <= 0) void this.run(q);
    else this.timer = setTimeout(() => void this.run(q), delay);
  }

  private async run(q: string): Promise<void> {
    const seq = ++this.seq;
    this.searching = true;
    try {
      const found = await api.searchItems(q, SEARCH_LIMIT);
      if (seq !== this.seq) return;
      this.found = found;
      this.error = '';
    } catch (e) {
      if (seq !== this.seq) return;
      this.found = null;
      this.error = toCairnError(e).message;
    } finally {
      if (seq === this.seq) this.searching = false;
    }
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.seq++;
    this.query = '';
    this.found = null;
    this.error = '';
    this.searching = false;
  }
}

export const search = new SearchStore();
onClear(() => search.clear());
