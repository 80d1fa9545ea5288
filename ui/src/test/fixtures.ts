// Test data shaped like what the Rust side sends.

import type { AppStatus, TimelineItem } from '../lib/bindings';

export function status(over: Partial<AppStatus> = {}): AppStatus {
  return {
    vaultDir: '/home/a/.local/share/cairn/vault',
    defaultDir: '/home/a/.local/share/cairn/vault',
    vaultExists: true,
    unlocked: false,
    retryAfterMs: 0,
    settings: { auto_lock_minutes: 5 },
    version: '0.1.0',
    failedAttempts: null,
    hasDecoy: false,
    weakKdf: false,
    keysAltered: false,
    ...over,
  };
}

export function item(over: Partial<TimelineItem> & { id: string }): TimelineItem {
  return {
    kind: 'incident',
    title: `Item ${over.id}`,
    occurred: null,
    occurred_end: null,
    approximate: false,
    day: '2026-11-03',
    sort_key: '2026-11-03T00:00:00Z',
    recorded_at: '2026-11-03T21:40:00Z',
    updated_at: '2026-11-03T21:40:00Z',
    version: 1,
    redacted: false,
    redacted_at: null,
    categories: [],
    tags: [],
    location: '',
    role: null,
    media_type: null,
    has_thumbnail: false,
    linked: [],
    excerpt: '',
    ...over,
  };
}
