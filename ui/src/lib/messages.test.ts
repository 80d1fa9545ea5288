import { describe, expect, it } from 'vitest';
import type { ConversationMessage, Message } from './bindings';
import { dayLabel, dayOf, importProgressLabel, messageCount, senders, side, splitSnippet, timeOf, timesNote, withDays } from './messages';

function msg(id: string, at: string, over: Partial<Message> = {}): ConversationMessage {
  return {
    id,
    place: { at, seq: Number(id.replace(/\D/g, '')) || 1 },
    message: {
      source: 'whatsapp',
      conversation: 'Sam',
      sender: 'Sam',
      sent_at: at,
      kind: 'text',
      text: 'hi',
      export: 'file-1',
      line: 1,
      ...over,
    },
    files: [],
  };
}

describe('search snippets', () => {
  it('splits matched words out', () => {
    expect(splitSnippet('you \u0002will\u0003 \u0002regret\u0003 this')).toEqual([
      { text: 'you ', hit: false },
      { text: 'will', hit: true },
      { text: ' ', hit: false },
      { text: 'regret', hit: true },
      { text: ' this', hit: false },
    ]);
  });

  it('never shows a stray marker, and joins like pieces', () => {
    expect(splitSnippet('a\u0003b')).toEqual([{ text: 'ab', hit: false }]);
    expect(splitSnippet('\u0002open')).toEqual([{ text: 'open', hit: true }]);
    expect(splitSnippet('')).toEqual([]);
  });
});

describe('conversation rows', () => {
  it('puts a heading wherever a new day starts', () => {
    const rows = withDays([
      msg('m1', '2023-12-25T21:15:00'),
      msg('m2', '2023-12-25T23:59:59'),
      msg('m3', '2023-12-26T08:02:00'),
    ]);
    expect(rows.map((r) => (r.kind === 'day' ? `day ${r.day}` : r.message.id))).toEqual([
      'day 2023-12-25',
      'm1',
      'm2',
      'day 2023-12-26',
      'm3',
    ]);
    expect(withDays([])).toEqual([]);
  });

  it('heads each day as the export wrote it, and says what the times mean', () => {
    // 00:30 in UTC+01:00 is the 26th on her phone, the 25th in UTC.
    const late = msg('m1', '2023-12-25T23:30:00', { sent_at: '2023-12-26T00:30:00+01:00' });
    const rows = withDays([late]);
    expect(rows[0]).toMatchObject({ kind: 'day', day: '2023-12-26' });
    expect(timesNote([late])).toContain('time zone it gives');
    expect(timesNote([msg('m2', '2023-12-25T21:15:00')])).toContain('no time zone');
    expect(timesNote([late, msg('m2', '2023-12-25T21:15:00')])).toBe('');
    // A removed message keeps the index's time.
    expect(withDays([{ ...late, message: null }])[0]).toMatchObject({ day: '2023-12-25' });
  });

  it('reads days and times as the export wrote them', () => {
    expect(dayOf('2023-12-26T08:02:00')).toBe('2023-12-26');
    expect(dayOf('')).toBe('');
    expect(timeOf('2023-12-26T08:02:00+01:00')).toBe('08:02');
    expect(timeOf('garbage')).toBe('');
    expect(dayLabel('2023-12-26')).toBe('Tuesday 26 December 2023');
    expect(dayLabel('')).toBe('Date not known');
  });

  it('lists senders once and places her messages on her side', () => {
    const page = [msg('m1', 'x'), msg('m2', 'x', { sender: 'Me' }), msg('m3', 'x'), msg('m4', 'x', { sender: '', kind: 'system' })];
    expect(senders(page)).toEqual(['Sam', 'Me']);
    expect(page.map((m) => side(m, 'Me'))).toEqual(['theirs', 'mine', 'theirs', 'system']);
    // Until she says which sender is her, nothing is on her side.
    expect(side(page[1], '')).toBe('theirs');
    const removed: ConversationMessage = { ...page[0], message: null, removed_reason: 'mistake' };
    expect(side(removed, 'Sam')).toBe('theirs');
  });
});

describe('import words', () => {
  it('names each step and counts files and messages', () => {
    expect(importProgressLabel({ step: 'reading', done: 10, total: 100 })).toBe('Reading and checking the export');
    expect(importProgressLabel({ step: 'files', done: 3, total: 40 })).toBe('Keeping the attached files (3 of 40)');
    expect(importProgressLabel({ step: 'files', done: 0, total: 0 })).toBe('Keeping the attached files');
    expect(importProgressLabel({ step: 'recording', done: 2500, total: 100000 })).toBe(
      'Writing the messages on record (2,500 of 100,000)',
    );
    expect(messageCount(1)).toBe('1 message');
    expect(messageCount(2400)).toBe('2,400 messages');
  });
});
