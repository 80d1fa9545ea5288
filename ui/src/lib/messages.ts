// Pure helpers for the messages screens: search snippets, days in a conversation,
// which sender is her, and the import flow's words. Nothing here calls Cairn.

import type { ConversationMessage, ImportProgress, ImportStep, Source } from './bindings';
import { formatDay } from './datetime';

/** A piece of a search snippet: matched words are `hit`. */
export interface SnippetPart {
  text: string;
  hit: boolean;
}

const HIT_START = '\u0002';
const HIT_END = '\u0003';

/** Splits a snippet whose matched words Cairn put between U+0002 and U+0003. A stray
 * marker is dropped, never shown. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let hit = false;
  let text = '';
  const flush = (): void => {
    if (text) {
      const last = parts[parts.length - 1];
      if (last && last.hit === hit) last.text += text;
      else parts.push({ text, hit });
    }
    text = '';
  };
  for (const c of snippet) {
    if (c === HIT_START || c === HIT_END) {
      flush();
      hit = c === HIT_START;
    } else {
      text += c;
    }
  }
  flush();
  return parts;
}

/** The day (`YYYY-MM-DD`) of an index time, or '' when it has none. */
export function dayOf(at: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(at) ? at.slice(0, 10) : '';
}

/** A day as she reads it: "Tuesday 26 December 2023". */
export function dayLabel(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? formatDay(day) : 'Date not known';
}

/** The time of day of a `sent_at` (`HH:MM`), as the export wrote it. */
export function timeOf(sentAt: string): string {
  const m = /T(\d{2}:\d{2})/.exec(sentAt);
  return m ? m[1] : '';
}

/** One row of a conversation: a day heading, or a message. */
export type ConversationRow =
  | { kind: 'day'; key: string; day: string }
  | { kind: 'message'; key: string; message: ConversationMessage };

/** The messages with a heading wherever a new day starts: the day as the export
 * wrote it, like the time on each message (a removed message keeps only the index's
 * time: UTC for an instant). */
export function withDays(messages: readonly ConversationMessage[]): ConversationRow[] {
  const rows: ConversationRow[] = [];
  let last: string | null = null;
  for (const m of messages) {
    const day = dayOf(m.message?.sent_at ?? m.place.at);
    if (day !== last) {
      rows.push({ kind: 'day', key: `day-${day}-${m.id}`, day });
      last = day;
    }
    rows.push({ kind: 'message', key: m.id, message: m });
  }
  return rows;
}

/** What the times on a page mean: a phone's own clock (no zone in the export), or
 * instants with their offset. */
export function timesNote(messages: readonly ConversationMessage[]): string {
  const zoned = messages.some((m) => /([+-]\d{2}:\d{2}|Z)$/.test(m.message?.sent_at ?? ''));
  const bare = messages.some((m) => /T\d{2}:\d{2}:\d{2}$/.test(m.message?.sent_at ?? ''));
  if (bare && !zoned) return "Times are as the phone showed them; the export gives no time zone.";
  if (zoned && !bare) return 'Times are as the export recorded them, in the time zone it gives for each message (see Details).';
  return '';
}

/** Everyone who sent a message on the page, in the order first met. */
export function senders(messages: readonly ConversationMessage[]): string[] {
  const seen = new Set<string>();
  for (const m of messages) {
    const s = m.message?.sender;
    if (s) seen.add(s);
  }
  return [...seen];
}

/** Where a message sits: her own on the right, the app's lines in the middle. */
export function side(m: ConversationMessage, me: string): 'mine' | 'theirs' | 'system' {
  const msg = m.message;
  if (!msg) return 'theirs';
  if (msg.kind === 'system' || !msg.sender) return 'system';
  return me !== '' && msg.sender === me ? 'mine' : 'theirs';
}

/** What each kind of export is and where she finds it. */
export interface SourceCard {
  source: Source;
  name: string;
  what: string;
  where: string;
  pick: 'file' | 'folder';
  button: string;
}

export const SOURCE_CARDS: readonly SourceCard[] = [
  {
    source: 'whatsapp',
    name: 'WhatsApp',
    what: 'One chat, from Export chat: a .txt file, or a .zip with its photos and voice notes.',
    where:
      'In WhatsApp, open the chat, tap the menu (⋮ or the name at the top), then More → Export chat. Choose "Include media" to keep the photos. Send it to yourself, or copy it to this computer with a cable.',
    pick: 'file',
    button: 'Choose the .txt or .zip',
  },
  {
    source: 'sms',
    name: 'Text messages (Android)',
    what: 'Texts and picture messages saved by the app "SMS Backup & Restore": an .xml file.',
    where:
      'In SMS Backup & Restore, tap Back up, choose Messages and a place to save it, then copy the sms-….xml file to this computer.',
    pick: 'file',
    button: 'Choose the .xml file',
  },
  {
    source: 'email',
    name: 'Email',
    what: 'One email (.eml) or a whole mailbox (.mbox), with its attachments.',
    where:
      'In most email programs, drag an email to a folder to save it as .eml. Gmail: Google Takeout gives a .mbox. Thunderbird: the ImportExportTools add-on saves a folder as .mbox.',
    pick: 'file',
    button: 'Choose the .eml or .mbox',
  },
  {
    source: 'telegram',
    name: 'Telegram',
    what: 'The folder made by Telegram Desktop\u2019s Export chat history, in JSON format.',
    where:
      'In Telegram Desktop, open the chat, click ⋮ → Export chat history, choose "Machine-readable JSON" and the media to include. Choose the folder it made (it holds result.json).',
    pick: 'folder',
    button: 'Choose the export folder',
  },
];

/** WhatsApp's date orders, for when Cairn cannot tell from the chat. */
export const DATE_ORDERS: readonly { id: string; label: string }[] = [
  { id: 'auto', label: 'Work it out from the chat' },
  { id: 'day-first', label: 'Day first (31/12/2023)' },
  { id: 'month-first', label: 'Month first (12/31/2023)' },
  { id: 'year-first', label: 'Year first (2023/12/31)' },
];

const STEP_LABELS: Record<ImportStep, string> = {
  reading: 'Reading and checking the export',
  keeping: 'Keeping the original export, encrypted',
  files: 'Keeping the attached files',
  recording: 'Writing the messages on record',
};

/** What the progress bar says for an import, e.g. "Keeping the attached files (12 of
 * 40)". Steps an export does not need are skipped, so they are not numbered. */
export function importProgressLabel(p: ImportProgress): string {
  const base = STEP_LABELS[p.step];
  if ((p.step === 'files' || p.step === 'recording') && p.total > 0) {
    return `${base} (${p.done.toLocaleString('en-GB')} of ${p.total.toLocaleString('en-GB')})`;
  }
  return base;
}

/** The number of messages as words: "1 message", "2,400 messages". */
export function messageCount(n: number): string {
  return n === 1 ? '1 message' : `${n.toLocaleString('en-GB')} messages`;
}
