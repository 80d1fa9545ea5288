import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { item } from '../../test/fixtures';
import { TimelineStore } from './timeline.svelte';

const items = [
  item({ id: 'inc-1', title: 'Car followed me', day: '2026-11-01', categories: ['stalking'] }),
  item({ id: 'inc-2', title: 'Phone taken', day: '2026-11-03', categories: ['coercive-control'] }),
  item({ id: 'fil-1', kind: 'file', title: 'photo.jpg', day: '2026-11-03', has_thumbnail: true, linked: ['inc-2'] }),
  item({ id: 'per-1', kind: 'person', title: 'Zed', role: 'harming', day: '2026-10-01' }),
  item({ id: 'per-2', kind: 'person', title: 'Ann', role: 'witness', day: '2026-10-01' }),
];

let searches: string[] = [];

beforeEach(() => {
  searches = [];
  mockIPC((cmd, args) => {
    if (cmd === 'timeline') return items;
    if (cmd === 'search') {
      const q = (args as { query: string }).query;
      searches.push(q);
      if (q === 'car') return ['inc-1'];
      if (q === 'phone') return ['inc-2', 'fil-1'];
      return [];
    }
    return null;
  });
});

afterEach(() => {
  clearMocks();
  vi.useRealTimers();
});

describe('timeline store', () => {
  it('loads items and groups them by day, newest first', async () => {
    const t = new TimelineStore();
    await t.load();
    expect(t.loaded).toBe(true);
    expect(t.rows.filter((r) => r.type === 'day').map((r) => r.day)).toEqual(['2026-11-03', '2026-11-01', '2026-10-01']);
    expect(t.people.map((p) => p.title)).toEqual(['Ann', 'Zed']);
    expect(t.byId.get('fil-1')?.has_thumbnail).toBe(true);
  });

  it('shows the newest items first, then the whole timeline', async () => {
    let release: (v: unknown) => void = () => {};
    const full = new Promise((r) => (release = r));
    const asked: string[] = [];
    mockIPC((cmd, args) => {
      asked.push(cmd);
      if (cmd === 'timeline_head') {
        expect((args as { limit: number }).limit).toBeGreaterThan(0);
        return { total: items.length, items: items.slice(1, 3) };
      }
      if (cmd === 'timeline') return full.then(() => items);
      return null;
    });
    const t = new TimelineStore();
    let firsts = 0;
    const done = t.load(() => firsts++);
    await vi.waitFor(() => expect(t.loaded).toBe(true));
    expect(t.partial).toBe(true);
    expect(t.total).toBe(5);
    expect(t.items.map((i) => i.id)).toEqual(['inc-2', 'fil-1']);
    expect(firsts).toBe(1);
    release(null);
    await done;
    expect(t.partial).toBe(false);
    expect(t.items).toHaveLength(5);
    expect(t.total).toBe(5);
    expect(firsts).toBe(1);
    expect(asked).toEqual(['timeline_head', 'timeline']);
    // Loaded once, a reload asks for the whole list only.
    await t.load();
    expect(asked).toEqual(['timeline_head', 'timeline', 'timeline']);
  });

  it('falls back to the whole timeline when the first screenful cannot be had', async () => {
    const t = new TimelineStore();
    let firsts = 0;
    await t.load(() => firsts++);
    expect(t.partial).toBe(false);
    expect(t.total).toBe(5);
    expect(firsts).toBe(1);
  });

  it('filters without asking Cairn again', async () => {
    const t = new TimelineStore();
    await t.load();
    t.setFilter('kind', 'incident');
    expect(t.visible.map((i) => i.id)).toEqual(['inc-1', 'inc-2']);
    t.setFilter('category', 'stalking');
    expect(t.visible.map((i) => i.id)).toEqual(['inc-1']);
    expect(t.narrowed).toBe(true);
    t.clearFilters();
    expect(t.visible).toHaveLength(5);
    expect(t.narrowed).toBe(false);
  });

  it('searches after a pause in typing, and intersects with the filters', async () => {
    vi.useFakeTimers();
    const t = new TimelineStore();
    await t.load();
    t.setQuery('c', 250);
    t.setQuery('ca', 250);
    t.setQuery('car', 250);
    expect(searches).toEqual([]);
    expect(t.searching).toBe(true);
    await vi.advanceTimersByTimeAsync(260);
    expect(searches).toEqual(['car']);
    expect(t.visible.map((i) => i.id)).toEqual(['inc-1']);
    t.setQuery('phone', 250);
    await vi.advanceTimersByTimeAsync(260);
    t.setFilter('kind', 'file');
    expect(t.visible.map((i) => i.id)).toEqual(['fil-1']);
    t.setQuery('   ');
    expect(t.matches).toBeNull();
    expect(t.visible.map((i) => i.id)).toEqual(['fil-1']);
  });

  it('drops a slow answer to an older search', async () => {
    let release: (ids: string[]) => void = () => {};
    clearMocks();
    mockIPC((cmd, args) => {
      if (cmd === 'search' && (args as { query: string }).query === 'slow') return new Promise<string[]>((r) => (release = r));
      if (cmd === 'search') return ['inc-2'];
      return items;
    });
    const t = new TimelineStore();
    await t.load();
    const slow = t.runSearch('slow');
    await t.runSearch('fast');
    release(['inc-1']);
    await slow;
    expect([...(t.matches ?? [])]).toEqual(['inc-2']);
  });

  it('goes back to the top of the list when the filters or search change', async () => {
    const t = new TimelineStore();
    await t.load();
    t.scrollTop = 4000;
    t.setFilter('kind', 'file');
    expect(t.scrollTop).toBe(0);
    t.scrollTop = 4000;
    t.setQuery('');
    expect(t.scrollTop).toBe(0);
  });

  it('forgets everything when cleared', async () => {
    vi.useFakeTimers();
    const t = new TimelineStore();
    await t.load();
    t.setFilter('tag', 'x');
    t.setQuery('car', 250);
    t.clear();
    await vi.advanceTimersByTimeAsync(500);
    expect(searches).toEqual([]);
    expect(t.items).toEqual([]);
    expect(t.rows).toEqual([]);
    expect(t.loaded).toBe(false);
    expect(t.filters.tag).toBe('');
    expect(t.query).toBe('');
    expect(t.scrollTop).toBe(0);
  });

  it('says why loading failed', async () => {
    clearMocks();
    mockIPC(() => {
      throw { code: 'database_io', message: 'The vault could not be read.', retryAfterMs: null };
    });
    const t = new TimelineStore();
    await t.load();
    expect(t.error).toBe('The vault could not be read.');
    expect(t.loaded).toBe(false);
  });
});
