import { describe, expect, it } from 'vitest';
import { item } from '../test/fixtures';
import {
  allTags,
  applyFilters,
  buildRows,
  DAY_ROW_HEIGHT,
  edgeItem,
  emptyFilters,
  filtersActive,
  ITEM_ROW_HEIGHT,
  revealScrollTop,
  rowAt,
  rowOffsets,
  stepItem,
  visibleRange,
} from './timeline';

const items = [
  item({ id: 'inc-1', day: '2026-11-01', sort_key: '2026-11-01T09:00:00Z', categories: ['physical'], tags: ['Car'], linked: ['per-1'] }),
  item({ id: 'inc-2', day: '2026-11-03', sort_key: '2026-11-03T21:40:00Z', categories: ['threats'], tags: ['phone'] }),
  item({ id: 'fil-1', kind: 'file', day: '2026-11-03', sort_key: '2026-11-03T22:00:00Z', media_type: 'image/jpeg', linked: ['inc-2'] }),
  item({ id: 'per-1', kind: 'person', day: '2026-10-20', sort_key: '2026-10-20T10:00:00Z', role: 'harming', linked: ['inc-1'] }),
];

describe('filters', () => {
  it('passes everything with no filters', () => {
    expect(applyFilters(items, emptyFilters(), null)).toHaveLength(4);
    expect(filtersActive(emptyFilters())).toBe(false);
  });

  it('filters by category, kind, tag (any case), person and days', () => {
    const f = emptyFilters();
    expect(applyFilters(items, { ...f, category: 'physical' }, null).map((i) => i.id)).toEqual(['inc-1']);
    expect(applyFilters(items, { ...f, kind: 'file' }, null).map((i) => i.id)).toEqual(['fil-1']);
    expect(applyFilters(items, { ...f, tag: 'car' }, null).map((i) => i.id)).toEqual(['inc-1']);
    expect(applyFilters(items, { ...f, person: 'per-1' }, null).map((i) => i.id)).toEqual(['inc-1']);
    expect(applyFilters(items, { ...f, from: '2026-11-02' }, null).map((i) => i.id)).toEqual(['inc-2', 'fil-1']);
    expect(applyFilters(items, { ...f, to: '2026-11-01' }, null).map((i) => i.id)).toEqual(['inc-1', 'per-1']);
    expect(applyFilters(items, { ...f, from: '2026-11-01', to: '2026-11-01' }, null).map((i) => i.id)).toEqual(['inc-1']);
    expect(filtersActive({ ...f, tag: 'x' })).toBe(true);
  });

  it('intersects the search with the filters', () => {
    const matches = new Set(['inc-1', 'inc-2', 'per-1']);
    expect(applyFilters(items, emptyFilters(), matches).map((i) => i.id)).toEqual(['inc-1', 'inc-2', 'per-1']);
    expect(applyFilters(items, { ...emptyFilters(), kind: 'incident' }, matches).map((i) => i.id)).toEqual(['inc-1', 'inc-2']);
    expect(applyFilters(items, emptyFilters(), new Set())).toEqual([]);
  });

  it('lists tags once, sorted', () => {
    expect(allTags([...items, item({ id: 'x', tags: ['car', 'Work'] })])).toEqual(['Car', 'phone', 'Work']);
  });
});

describe('grouping', () => {
  it('puts the newest day first, with a header per day', () => {
    const rows = buildRows(items);
    expect(rows.map((r) => (r.type === 'day' ? `# ${r.day} (${r.count})` : r.key))).toEqual([
      '# 2026-11-03 (2)',
      'fil-1',
      'inc-2',
      '# 2026-11-01 (1)',
      'inc-1',
      '# 2026-10-20 (1)',
      'per-1',
    ]);
  });

  it('is empty for no items', () => {
    expect(buildRows([])).toEqual([]);
  });

  it('puts items recorded in the same millisecond newest first, by recording order', () => {
    const same = { day: '2026-11-03', sort_key: '2026-11-03T10:00:00Z', recorded_at: '2026-11-03T10:00:00.000Z' };
    const rows = buildRows([item({ id: 'z1', ...same }), item({ id: 'a2', ...same }), item({ id: 'm3', ...same })]);
    expect(rows.filter((r) => r.type === 'item').map((r) => r.key)).toEqual(['m3', 'a2', 'z1']);
  });
});

describe('virtual window', () => {
  const rows = buildRows(items);
  const offsets = rowOffsets(rows);

  it('stacks rows by their heights', () => {
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBe(DAY_ROW_HEIGHT);
    expect(offsets[2]).toBe(DAY_ROW_HEIGHT + ITEM_ROW_HEIGHT);
    expect(offsets[rows.length]).toBe(3 * DAY_ROW_HEIGHT + 4 * ITEM_ROW_HEIGHT);
  });

  it('finds the row at a height', () => {
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, DAY_ROW_HEIGHT - 1)).toBe(0);
    expect(rowAt(offsets, DAY_ROW_HEIGHT)).toBe(1);
    expect(rowAt(offsets, 1e9)).toBe(rows.length - 1);
    expect(rowAt([0], 10)).toBe(0);
  });

  it('keeps only the rows in view (plus overscan) in the page for 10,000 items', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      item({ id: `inc-${i}`, day: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}` }),
    );
    const t0 = performance.now();
    const big = buildRows(many);
    const offs = rowOffsets(big);
    const built = performance.now() - t0;
    expect(big.length).toBe(10_000 + new Set(many.map((m) => m.day)).size);
    expect(built).toBeLessThan(500);
    const r = visibleRange(offs, 400_000, 600, 4);
    expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(600 / DAY_ROW_HEIGHT) + 1 + 8);
    expect(offs[r.start] ?? 0).toBeLessThanOrEqual(400_000);
    expect(offs[r.end] ?? 0).toBeGreaterThanOrEqual(400_600);
  });

  it('clamps the window at the ends', () => {
    expect(visibleRange(offsets, 0, 10_000, 4)).toEqual({ start: 0, end: rows.length });
    expect(visibleRange(rowOffsets([]), 0, 600)).toEqual({ start: 0, end: 0 });
  });

  it('scrolls just enough to reveal a row below the sticky header', () => {
    // Row 2 is below a 100px view starting at 0: scroll so its bottom is at the edge.
    expect(revealScrollTop(offsets, 2, 0, 100)).toBe((offsets[3] ?? 0) - 100);
    // Row 1 above the view: scroll so it sits under the sticky header.
    expect(revealScrollTop(offsets, 1, 300, 200, DAY_ROW_HEIGHT)).toBe(0);
    // Already visible: stay.
    expect(revealScrollTop(offsets, 1, 0, 1000, DAY_ROW_HEIGHT)).toBe(0);
  });

  it('moves between items, skipping day headers', () => {
    expect(edgeItem(rows)).toBe(1);
    expect(edgeItem(rows, true)).toBe(rows.length - 1);
    expect(stepItem(rows, 2, 1)).toBe(4);
    expect(stepItem(rows, 4, -1)).toBe(2);
    expect(stepItem(rows, 1, -1)).toBe(1);
    expect(stepItem(rows, 1, 10)).toBe(rows.length - 1);
    expect(edgeItem([])).toBe(-1);
  });
});
