// The import under way, kept outside the screen: she may look elsewhere while it runs
// and come back to its progress or its result. One at a time; forgotten on lock.

import { api, progressChannel, toCairnError } from '../api';
import type { ImportProgress, Imported, Source } from '../bindings';
import { timeline } from './timeline.svelte';
import { onClear } from './vault.svelte';

export class ImportJob {
  running = $state(false);
  progress = $state<ImportProgress | null>(null);
  failure = $state('');
  done = $state<Imported | null>(null);

  /** Imports `path` as `source`; false when another import is still running. */
  async run(source: Source, path: string, dateOrder: string | null): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    this.failure = '';
    this.done = null;
    this.progress = null;
    try {
      const ch = progressChannel<ImportProgress>((p) => {
        if (this.running) this.progress = p;
      });
      this.done = await api.importMessages(source, path, dateOrder, ch);
      void timeline.load();
    } catch (e) {
      this.failure = toCairnError(e).message;
    } finally {
      this.running = false;
      this.progress = null;
    }
    return true;
  }

  /** Forgets the last result (a new import is being chosen). */
  dismiss(): void {
    if (this.running) return;
    this.failure = '';
    this.done = null;
  }
}

export const importJob = new ImportJob();
onClear(() => importJob.dismiss());
