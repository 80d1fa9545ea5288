import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Found, Imported } from '../bindings';
import { ImportJob } from './importer.svelte';
import { SearchStore } from './search.svelte';

afterEach(() => clearMocks());

const imported: Imported = {
  export: 'fil-1',
  export_sha256: 'ab'.repeat(32),
  messages: 3,
  attachments: 0,
  already_imported: false,
  first_seq: 2,
  last_seq: 4,
  conversations: ['Sam'],
  date_order: 'day-first',
  date_order_guessed: false,
  attachments_missing: 0,
};

function found(word: string): Found {
  return { hits: [{ id: `msg-${word}`, kind: 'message', title: 'Sam', occurred: null, snippet: word }], newest_only: false };
}

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('an import', () => {
  it('runs one at a time and keeps its result', async () => {
    let release: () => void = () => {};
    mockIPC(async (cmd) => {
      if (cmd === 'import_messages') {
        await new Promise<void>((r) => (release = r));
        return imported;
      }
      if (cmd === 'timeline_head') return { items: [], total: 0 };
      if (cmd === 'timeline') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const job = new ImportJob();
    const first = job.run('whatsapp', '/x/chat.txt', null);
    await later(0);
    expect(job.running).toBe(true);
    // A second import while the first runs is refused, not queued.
    expect(await job.run('sms', '/x/sms.xml', null)).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(job.running).toBe(false);
    expect(job.done?.messages).toBe(3);
    expect(job.failure).toBe('');
  });

  it('says what went wrong in one sentence', async () => {
    mockIPC(() => {
      throw { code: 'import_malformed', message: 'Line 3 of the chat export has a date that does not exist, so nothing was imported.' };
    });
    const job = new ImportJob();
    await job.run('whatsapp', '/x/bad.txt', 'day-first');
    expect(job.done).toBeNull();
    expect(job.failure).toContain('Line 3');
    job.dismiss();
    expect(job.failure).toBe('');
  });
});

describe('search', () => {
  it('shows the answer for the last words typed, never an older one', async () => {
    mockIPC(async (cmd, args) => {
      const q = (args as { query: string }).query;
      // The first words' answer arrives after the second's.
      await later(q === 'thr' ? 40 : 5);
      return found(q);
    });
    const s = new SearchStore();
    s.set('thr', 0);
    await later(1);
    // Typing goes on: the next words wait for a pause, and the first words' answer,
    // arriving meanwhile, is not shown.
    s.set('threat', 60);
    await later(50);
    expect(s.found).toBeNull();
    expect(s.searching).toBe(true);
    await later(60);
    expect(s.found?.hits[0].id).toBe('msg-threat');
    expect(s.searching).toBe(false);
    s.set('');
    expect(s.found).toBeNull();
  });
});
