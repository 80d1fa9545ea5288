// The timeline's pure parts: filtering, grouping by day, and the window arithmetic of
// the virtual list (only the rows in view are in the page).

import type { TimelineItem } from './bindings';

export type KindFilter = '' | 'incident' | 'file' | 'person';

export interface Filters {
  category: string;
  kind: KindFilter;
  /** YYYY-MM-DD, inclusive, on `day`. */
  from: string;
  to: string;
  tag: string;
  /** A person's id: items linked to them. */
  person: string;
}

export function emptyFilters(): Filters {
  return { category: '', kind: '', from: '', to: '', tag: '', person: '' };
}

export function filtersActive(f: Filters): boolean {
  return Object.values(f).some((v) => v !== '');
}

/** The items passing every filter and, when `matches` is given, the search. */
export function applyFilters(
  items: readonly TimelineItem[],
  f: Filters,
  matches: ReadonlySet<string> | null,
): TimelineItem[] {
  return items.filter((it) => {
    if (matches && !matches.has(it.id)) return false;
    if (f.kind && it.kind !== f.kind) return false;
    if (f.category && !it.categories.some((c) => c === f.category)) return false;
    if (f.tag) {
      const t = f.tag.toLowerCase();
      if (!it.tags.some((x) => x.toLowerCase() === t)) return false;
    }
    if (f.person && !it.linked.includes(f.person)) return false;
    if (f.from && it.day < f.from) return false;
    if (f.to && it.day > f.to) return false;
    return true;
  });
}

/**
 * Newest first: by day, then by when it happened, then by when it was recorded. Items
 * recorded in the same millisecond compare equal; `buildRows` keeps them in the
 * reverse of Cairn's own recording order (a stable sort of the reversed list).
 */
export function compareNewestFirst(a: TimelineItem, b: TimelineItem): number {
  if (a.day !== b.day) return a.day < b.day ? 1 : -1;
  if (a.sort_key !== b.sort_key) return a.sort_key < b.sort_key ? 1 : -1;
  if (a.recorded_at !== b.recorded_at) return a.recorded_at < b.recorded_at ? 1 : -1;
  return 0;
}

export type Row =
  | { type: 'day'; key: string; day: string; count: number }
  | { type: 'item'; key: string; day: string; item: TimelineItem };

/** One flat list: a header row for each day (newest first), then that day's items. */
export function buildRows(items: readonly TimelineItem[]): Row[] {
  // `items` come in recording order; reversed, a stable sort puts ties newest first.
  const sorted = [...items].reverse().sort(compareNewestFirst);
  const rows: Row[] = [];
  let header: { type: 'day'; key: string; day: string; count: number } | null = null;
  for (const item of sorted) {
    if (!header || header.day !== item.day) {
      header = { type: 'day', key: `day:${item.day}`, day: item.day, count: 0 };
      rows.push(header);
    }
    header.count++;
    rows.push({ type: 'item', key: item.id, day: item.day, item });
  }
  return rows;
}

/** Every distinct tag, sorted, first spelling kept. */
export function allTags(items: readonly TimelineItem[]): string[] {
  const seen = new Map<string, string>();
  for (const it of items) for (const t of it.tags) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}

export const DAY_ROW_HEIGHT = 44;
export const ITEM_ROW_HEIGHT = 88;

/** `offsets[i]` is the top of row i; `offsets[rows.length]` the total height. */
export function rowOffsets(rows: readonly Row[], dayHeight = DAY_ROW_HEIGHT, itemHeight = ITEM_ROW_HEIGHT): number[] {
  const out = new Array<number>(rows.length + 1);
  let y = 0;
  for (let i = 0; i < rows.length; i++) {
    out[i] = y;
    y += rows[i]?.type === 'day' ? dayHeight : itemHeight;
  }
  out[rows.length] = y;
  return out;
}

/** The row covering height `y` (clamped to the list). */
export function rowAt(offsets: readonly number[], y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The rows to put in the page: [start, end), with `overscan` extra rows each side. */
export function visibleRange(
  offsets: readonly number[],
  scrollTop: number,
  viewportHeight: number,
  overscan = 4,
): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const first = rowAt(offsets, Math.max(0, scrollTop));
  const last = rowAt(offsets, Math.max(0, scrollTop + Math.max(0, viewportHeight) - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) };
}

/** The scroll position that shows row `index` whole, moving as little as possible.
 * `topInset` is covered by the sticky day header. */
export function revealScrollTop(
  offsets: readonly number[],
  index: number,
  scrollTop: number,
  viewportHeight: number,
  topInset = 0,
): number {
  const top = offsets[index] ?? 0;
  const bottom = offsets[index + 1] ?? top;
  if (top - topInset < scrollTop) return Math.max(0, top - topInset);
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

/** The next item row from `from` in direction `step` (skipping day headers), or
 * `from` when there is none. */
export function stepItem(rows: readonly Row[], from: number, step: number): number {
  const dir = step < 0 ? -1 : 1;
  let remaining = Math.abs(step);
  let i = from;
  let found = from;
  while (remaining > 0) {
    i += dir;
    if (i < 0 || i >= rows.length) break;
    if (rows[i]?.type === 'item') {
      found = i;
      remaining--;
    }
  }
  return found;
}

/** The first (or last) item row, or -1. */
export function edgeItem(rows: readonly Row[], last = false): number {
  if (last) {
    for (let i = rows.length - 1; i >= 0; i--) if (rows[i]?.type === 'item') return i;
  } else {
    for (let i = 0; i < rows.length; i++) if (rows[i]?.type === 'item') return i;
  }
  return -1;
}
