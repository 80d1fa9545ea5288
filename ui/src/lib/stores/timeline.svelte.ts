// Every item for the timeline, the filters, and the search (asked of Cairn, which
// searches inside the encrypted vault; the answer is intersected with the filters).

import { api } from '../api';
import { mark } from '../perf';
import type { TimelineItem } from '../bindings';
import { allTags, applyFilters, buildRows, emptyFilters, filtersActive, type Filters, type Row } from '../timeline';
import { onClear } from './vault.svelte';

export const SEARCH_DELAY_MS = 250;
/** Items asked for first, so the newest screenful paints before the whole list arrives. */
export const HEAD_ITEMS = 200;

/** Resolves once the next frame has been painted (at once where there are no frames). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'undefined') resolve();
    else requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

export class TimelineStore {
  items = $state.raw<TimelineItem[]>([]);
  loaded = $state(false);
  /** Items in the whole timeline (more than `items` holds while `partial`). */
  total = $state(0);
  /** Only the newest items are here yet; the rest are on their way. */
  partial = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  filters = $state<Filters>(emptyFilters());
  query = $state('');
  /** Ids matching the query; null when there is no query. */
  matches = $state.raw<ReadonlySet<string> | null>(null);
  searching = $state(false);
  /** Where the list was scrolled to, so coming back from an item keeps the place. */
  scrollTop = $state(0);

  visible: TimelineItem[] = $derived(applyFilters(this.items, this.filters, this.matches));
  rows: Row[] = $derived(buildRows(this.visible));
  tags: string[] = $derived(allTags(this.items));
  people: TimelineItem[] = $derived(
    this.items.filter((i) => i.kind === 'person' && !i.redacted).sort((a, b) => a.title.localeCompare(b.title)),
  );
  byId: Map<string, TimelineItem> = $derived(new Map(this.items.map((i) => [i.id, i])));
  narrowed: boolean = $derived(filtersActive(this.filters) || this.matches !== null);

  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;
  private loadSeq = 0;

  /** Loads the timeline; `onFirst` runs once the first items are shown (the newest
   * screenful, on a first load, then the whole list replaces it). */
  async load(onFirst?: () => void): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    let first = onFirst;
    const shown = (): void => {
      first?.();
      first = undefined;
    };
    try {
      mark('cairn:timeline-requested');
      if (!this.loaded) {
        const head = await api.timelineHead(HEAD_ITEMS).catch(() => null);
        if (seq !== this.loadSeq) return;
        if (head && Array.isArray(head.items) && !this.loaded) {
          this.items = head.items;
          this.total = head.total;
          this.partial = head.items.length < head.total;
          this.loaded = true;
          mark('cairn:timeline-received');
          shown();
          // Let the newest screenful paint before the whole list (megabytes, for
          // thousands of items) is fetched and parsed on the same thread.
          await afterPaint();
          if (seq !== this.loadSeq) return;
        }
      }
      const items = await api.timeline();
      if (seq !== this.loadSeq) return;
      this.items = items;
      this.total = items.length;
      this.partial = false;
      this.loaded = true;
      this.error = null;
      shown();
      if (this.query.trim()) await this.runSearch(this.query);
    } catch (e) {
      if (seq === this.loadSeq) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /** Loads unless already loaded. */
  async ensure(): Promise<void> {
    if (!this.loaded && !this.loading) await this.load();
  }

  /** Sets the search text; asks Cairn after a short pause in typing. */
  setQuery(q: string, delay = SEARCH_DELAY_MS): void {
    this.query = q;
    this.scrollTop = 0;
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    if (!q.trim()) {
      this.searchSeq++;
      this.matches = null;
      this.searching = false;
      return;
    }
    this.searching = true;
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null;
      void this.runSearch(q);
    }, delay);
  }

  async runSearch(q: string): Promise<void> {
    const seq = ++this.searchSeq;
    this.searching = true;
    try {
      const ids = await api.search(q);
      if (seq === this.searchSeq) this.matches = new Set(ids);
    } catch (e) {
      if (seq === this.searchSeq) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (seq === this.searchSeq) this.searching = false;
    }
  }

  setFilter<K extends keyof Filters>(key: K, value: Filters[K]): void {
    this.filters = { ...this.filters, [key]: value };
    this.scrollTop = 0;
  }

  clearFilters(): void {
    this.filters = emptyFilters();
    this.setQuery('');
  }

  /** Forgets everything (on lock). */
  clear(): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    this.searchSeq++;
    this.loadSeq++;
    this.items = [];
    this.total = 0;
    this.partial = false;
    this.loaded = false;
    this.loading = false;
    this.error = null;
    this.filters = emptyFilters();
    this.query = '';
    this.matches = null;
    this.searching = false;
    this.scrollTop = 0;
  }
}

export const timeline = new TimelineStore();
onClear(() => timeline.clear());
