// Development only: `npm run dev`, then open /dev/mock.html in a browser to see the
// interface against a pretend vault held in memory. Never part of the build.

import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppStatus, Handover, HistoryView, Incident, ItemView, Person, ReportRow, TimelineItem } from '../src/lib/bindings';

const params = new URLSearchParams(location.search);
const state = {
  exists: params.get('state') !== 'new',
  unlocked: params.get('state') === 'open',
  minutes: 5,
  seq: 10,
};
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const records = new Map<string, { kind: 'incident' | 'person' | 'file' | 'report'; data: Incident | Person | Handover | Record<string, unknown>; recorded: string; version: number }>();
const links: { id: string; a: string; b: string }[] = [];

function add(kind: 'incident' | 'person' | 'report', data: Incident | Person | Handover, recorded: string): string {
  const id = `${kind.slice(0, 3)}-${records.size + 1}`;
  records.set(id, { kind, data, recorded, version: 1 });
  return id;
}

const harm = add('person', { name: 'Mark', role: 'officer', collar_number: '4821', force: 'Kent Police', relationship: 'Ex-partner' }, '2026-10-01T09:00:00Z');
add('person', { name: 'Jo (neighbour)', role: 'witness' }, '2026-10-02T09:00:00Z');
add('report', { title: 'Report to Police', agency: 'Police', organisation: 'Kent Police', person: 'PC Patel', collar_number: '3310', reference: '12/3456/26', outcome: 'Gave me a crime reference; an officer will call.', occurred: { start: '2026-11-03' } }, '2026-11-04T09:00:00Z');
add('report', { title: 'Bundle for Solicitor', agency: 'Solicitor', person: 'A. Khan', occurred: { start: '2026-11-18' }, exhibits: [{ reference: 'SM/1', item: 'fil-1', sha256: 'a1'.repeat(32) }, { reference: 'SM/2', item: 'fil-2', sha256: 'b2'.repeat(32), original_sha256: 'c3'.repeat(32) }], bundle_sha256: 'd4'.repeat(32), evidence_sha256: 'e5'.repeat(32), notes: 'Exported by Cairn: 12 items, 2 exhibits, sealed with a passphrase.' }, '2026-11-18T15:00:00Z');
const n = Number(params.get('n') ?? '60');
for (let i = 0; i < n; i++) {
  const day = new Date(Date.UTC(2026, 10, 20) - i * 36e5 * 17);
  const d = day.toISOString().slice(0, 10);
  const id = add(
    'incident',
    {
      title: ['Shouted at me in the car', 'Took my phone', 'Waited outside work', 'Messages all night'][i % 4] ?? '',
      occurred: { start: i % 3 ? `${d}T${String(8 + (i % 12)).padStart(2, '0')}:30:00+00:00` : d, approximate: i % 5 === 0 },
      categories: (i % 2 ? ['threats', 'coercive-control'] : ['stalking']) as Incident['categories'],
      body: 'He said no one would believe me because he is a police officer.',
      location: i % 2 ? 'Kitchen' : 'Outside work',
      tags: i % 3 ? ['car'] : ['phone'],
    },
    `${d}T23:00:00Z`,
  );
  if (i % 4 === 0) links.push({ id: `lnk-${links.length}`, a: id, b: harm });
}

function status(): AppStatus {
  return {
    vaultDir: '/home/sam/.local/share/cairn/vault',
    defaultDir: '/home/sam/.local/share/cairn/vault',
    vaultExists: state.exists,
    unlocked: state.unlocked,
    retryAfterMs: 0,
    settings: { auto_lock_minutes: state.minutes },
    version: '0.1.0',
    failedAttempts: null,
    hasDecoy: false,
    weakKdf: false,
    keysAltered: false,
  };
}

function linked(id: string): string[] {
  return links.flatMap((l) => (l.a === id ? [l.b] : l.b === id ? [l.a] : []));
}

function timeline(): TimelineItem[] {
  return [...records.entries()].map(([id, r]) => {
    const inc = r.kind === 'incident' ? (r.data as Incident) : null;
    const rep = r.kind === 'report' ? (r.data as Handover) : null;
    const start = (inc ?? rep)?.occurred?.start ?? null;
    return {
      id,
      kind: r.kind,
      title: inc ? inc.title : rep ? rep.title || `Report to ${rep.agency}` : String((r.data as { name: string }).name),
      occurred: start,
      occurred_end: inc?.occurred?.end ?? null,
      approximate: inc?.occurred?.approximate ?? false,
      day: (start ?? r.recorded).slice(0, 10),
      sort_key: start && start.length > 10 ? start : `${(start ?? r.recorded).slice(0, 10)}T00:00:00Z`,
      recorded_at: r.recorded,
      updated_at: r.recorded,
      version: r.version,
      redacted: false,
      redacted_at: null,
      categories: inc?.categories ?? [],
      tags: inc?.tags ?? [],
      location: inc?.location ?? '',
      role: r.kind === 'person' ? (r.data as Person).role : null,
      media_type: null,
      has_thumbnail: false,
      linked: linked(id),
      excerpt: '',
    };
  });
}

function added(id: string): { id: string; version: number; seq: number; recorded_at: string; content_sha256: string } {
  return { id, version: 1, seq: ++state.seq, recorded_at: now(), content_sha256: 'ab'.repeat(32) };
}

function fail(code: string, message: string, retryAfterMs: number | null = null): never {
  throw { code, message, retryAfterMs };
}

mockIPC(async (cmd, raw) => {
  const a = (raw ?? {}) as Record<string, unknown>;
  await new Promise((r) => setTimeout(r, 80));
  switch (cmd) {
    case 'app_status':
    case 'choose_vault_dir':
      return status();
    case 'passphrase_strength': {
      const p = String(a.passphrase ?? '');
      const score = Math.min(4, Math.floor(p.length / 6));
      return { score, acceptable: p.length >= 12 && score >= 2, advice: p.length < 12 ? 'Use at least 12 characters; four or more words are best.' : score < 4 ? 'Good. Another word or two would make it stronger.' : '' };
    }
    case 'create_vault':
      state.exists = true;
      state.unlocked = true;
      return { recoveryCode: '7KQ3M-X2PZA-H4JN8-QW2ER-T5YB1-9MCDF', status: status() };
    case 'unlock':
      if (a.passphrase !== 'granite lantern orbits seven') fail('wrong_passphrase', 'That passphrase is not right.', 4000);
      state.unlocked = true;
      return status();
    case 'recover':
      state.unlocked = true;
      return status();
    case 'lock':
      state.unlocked = false;
      return status();
    case 'timeline':
      if (!state.unlocked) fail('locked', 'Cairn is locked. Unlock it to continue.');
      return timeline();
    case 'timeline_head': {
      if (!state.unlocked) fail('locked', 'Cairn is locked. Unlock it to continue.');
      const all = timeline();
      return { total: all.length, items: all.slice(-Number(a.limit)) };
    }
    case 'search': {
      const words = String(a.query).toLowerCase().split(/\s+/).filter(Boolean);
      return [...records.entries()].filter(([, r]) => words.every((w) => JSON.stringify(r.data).toLowerCase().includes(w))).map(([id]) => id);
    }
    case 'item': {
      const id = String(a.id);
      const r = records.get(id) ?? fail('not_found', 'That item is not in this vault.');
      const view: ItemView = {
        id,
        kind: r.kind,
        version: r.version,
        record: { kind: r.kind, data: r.data } as ItemView['record'],
        contentSha256: 'ab'.repeat(32),
        recordSha256: 'cd'.repeat(32),
        recordedAt: r.recorded,
        updatedAt: r.recorded,
        createdSeq: 3,
        currentSeq: 3,
        redaction: null,
        links: links
          .filter((l) => l.a === id || l.b === id)
          .map((l) => {
            const other = l.a === id ? l.b : l.a;
            const o = records.get(other);
            const title = o ? String((o.data as { title?: string; name?: string }).title ?? (o.data as { name?: string }).name) : '';
            return { link: l.id, other, other_kind: o?.kind ?? 'incident', other_title: title, other_media_type: null, other_has_thumbnail: false };
          }),
        signature: { valid: true, covers: true, size: 42, time: '2026-11-03T21:40:00Z' },
      };
      return view;
    }
    case 'history': {
      const id = String(a.id);
      const r = records.get(id) ?? fail('not_found', 'That item is not in this vault.');
      const h: HistoryView = {
        id,
        versions: [{ version: 1, seq: 3, entryKind: `${r.kind}.create`, recordedAt: r.recorded, record: { kind: r.kind, data: r.data } as HistoryView['versions'][number]['record'], contentSha256: 'ab'.repeat(32), changed: [] }],
        redaction: null,
      };
      return h;
    }
    case 'reports':
      return [...records.entries()]
        .filter(([, r]) => r.kind === 'report')
        .map(([id, r]): ReportRow => ({ id, version: r.version, recordedAt: r.recorded, report: r.data as Handover }));
    case 'save_incident':
    case 'save_person':
    case 'save_report': {
      const kind = cmd === 'save_incident' ? 'incident' : cmd === 'save_person' ? 'person' : 'report';
      const data = (kind === 'incident' ? a.incident : kind === 'person' ? a.person : a.report) as Incident | Person | Handover;
      if (a.id) {
        const r = records.get(String(a.id));
        if (r) {
          r.data = data;
          r.version++;
        }
        return added(String(a.id));
      }
      return added(add(kind, data, now()));
    }
    case 'link_items':
      links.push({ id: `lnk-${links.length}`, a: String(a.a), b: String(a.b) });
      return added(`lnk-${links.length - 1}`);
    case 'unlink_items':
      return added(String(a.link));
    case 'verify':
      return { ok: true, quick: false, entries: state.seq, head: 'ef'.repeat(32), versions: records.size, blobs_checked: 0, bytes_checked: 0, checkpoints: 1, latest_checkpoint: null, first_bad_seq: null, problems: [], warnings: [] };
    case 'save_settings':
      state.minutes = Number((a.settings as { auto_lock_minutes: number }).auto_lock_minutes);
      return status();
    default:
      return null;
  }
});

await import('../src/main');
