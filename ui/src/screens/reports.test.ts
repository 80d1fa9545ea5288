// The reports screens against a pretend vault: the list, and an edit that keeps what
// the form does not show.
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { Handover, ItemView, ReportRow } from '../lib/bindings';
import { router } from '../lib/stores/router.svelte';
import { timeline } from '../lib/stores/timeline.svelte';
import ItemDetail from './ItemDetail.svelte';
import ReportForm from './ReportForm.svelte';
import Reports from './Reports.svelte';

const exported: Handover = {
  title: 'Bundle for Solicitor',
  occurred: { start: '2026-11-05', end: null, approximate: false },
  agency: 'Solicitor',
  person: 'A. Khan',
  exhibits: [
    { reference: 'AB/1', item: 'file-1', sha256: 'aa'.repeat(32) },
    { reference: 'AB/2', item: 'file-2', sha256: 'bb'.repeat(32), original_sha256: 'cc'.repeat(32) },
  ],
  bundle_sha256: 'dd'.repeat(32),
  evidence_sha256: 'ee'.repeat(32),
  notes: 'Exported by Cairn.',
};

const own: Handover = {
  title: 'Report to Police',
  occurred: { start: '2026-11-03' },
  agency: 'Police',
  organisation: 'Kent Police',
  person: 'PC Smith',
  collar_number: '1234',
  reference: '12/3456/26',
  outcome: 'Gave me a crime reference.',
};

const rows: ReportRow[] = [
  { id: 'rep-own', version: 1, recordedAt: '2026-11-04T10:00:00.000Z', report: own },
  { id: 'rep-gone', version: 2, recordedAt: '2026-10-01T10:00:00.000Z', report: null },
  { id: 'rep-export', version: 1, recordedAt: '2026-11-05T10:00:00.000Z', report: exported },
];

function view(id: string, report: Handover): ItemView {
  return {
    id,
    kind: 'report',
    version: 1,
    record: { kind: 'report', data: report },
    contentSha256: '11'.repeat(32),
    recordSha256: '22'.repeat(32),
    recordedAt: '2026-11-05T10:00:00.000Z',
    updatedAt: '2026-11-05T10:00:00.000Z',
    createdSeq: 7,
    currentSeq: 7,
    redaction: null,
    links: [],
    signature: null,
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  flushSync();
};

let target: HTMLElement = document.body;
let app: ReturnType<typeof mount> | null = null;

function host(): HTMLElement {
  target = document.createElement('div');
  document.body.append(target);
  return target;
}

afterEach(() => {
  if (app) void unmount(app);
  app = null;
  target.remove();
  clearMocks();
  router.reset();
  timeline.clear();
});

describe('Reports', () => {
  it('lists every report newest first, marks handovers made by Cairn, and shows removed ones', async () => {
    mockIPC((cmd) => (cmd === 'reports' ? rows : null));
    app = mount(Reports, { target: host(), props: {} });
    await settle();
    expect(target.querySelector('h1')?.textContent).toBe('Reports and handovers');
    const shown = [...target.querySelectorAll<HTMLElement>('[data-testid="report-row"]')];
    expect(shown.map((r) => r.dataset.id)).toEqual(['rep-export', 'rep-own', 'rep-gone']);
    expect(shown[0]?.textContent).toContain('2 exhibits handed over');
    expect(shown[0]?.textContent).toContain('Shared from Cairn');
    expect(shown[1]?.textContent).toContain('Police — Kent Police');
    expect(shown[1]?.textContent).toContain('PC Smith, collar number 1234');
    expect(shown[1]?.textContent).toContain('12/3456/26');
    expect(shown[1]?.textContent).toContain('Gave me a crime reference.');
    expect(shown[1]?.textContent).not.toContain('Shared from Cairn');
    expect(shown[2]?.textContent).toContain('Removed');
    shown[1]?.click();
    expect(router.current).toEqual({ name: 'detail', id: 'rep-own' });
  });

  it('says so when there is nothing yet', async () => {
    mockIPC((cmd) => (cmd === 'reports' ? [] : null));
    app = mount(Reports, { target: host(), props: {} });
    await settle();
    expect(target.querySelector('[data-testid="reports-empty"]')).not.toBeNull();
    (target.querySelector('[data-testid="add-report"]') as HTMLButtonElement).click();
    expect(router.current).toEqual({ name: 'report-new' });
  });
});

describe('ReportForm', () => {
  it('asks for the agency, announces it and moves focus there', async () => {
    const saved: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'save_report') saved.push(args);
      return null;
    });
    app = mount(ReportForm, { target: host(), props: { id: null } });
    await settle();
    (target.querySelector('[data-testid="report-save"]') as HTMLButtonElement).click();
    await settle();
    expect(target.querySelector('[role="alert"]')?.textContent).toContain('needs a look');
    expect(document.activeElement?.id).toBe('r-agency');
    expect(target.querySelector('#r-agency')?.getAttribute('aria-invalid')).toBe('true');
    expect(target.querySelector('#r-agency')?.getAttribute('list')).toBe('r-agency-list');
    expect(target.querySelectorAll('#r-agency-list option').length).toBe(8);
    expect(saved).toEqual([]);
  });

  it('saves a new report and goes back to the list', async () => {
    const saved: { id: string | null; report: Handover }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'save_report') {
        saved.push(args as { id: string | null; report: Handover });
        return { id: 'rep-new', version: 1, seq: 9, recorded_at: '2026-11-06T10:00:00.000Z', content_sha256: '33'.repeat(32) };
      }
      if (cmd === 'timeline' || cmd === 'timeline_head') return cmd === 'timeline' ? [] : { total: 0, items: [] };
      return null;
    });
    app = mount(ReportForm, { target: host(), props: { id: null } });
    await settle();
    const agency = target.querySelector<HTMLInputElement>('#r-agency');
    const reference = target.querySelector<HTMLInputElement>('#r-reference');
    const date = target.querySelector<HTMLInputElement>('#r-date');
    if (!agency || !reference || !date) throw new Error('fields missing');
    agency.value = 'Police';
    agency.dispatchEvent(new Event('input'));
    reference.value = '12/3456/26';
    reference.dispatchEvent(new Event('input'));
    date.value = '2026-11-03';
    date.dispatchEvent(new Event('input'));
    (target.querySelector('[data-testid="report-save"]') as HTMLButtonElement).click();
    await settle();
    expect(saved).toHaveLength(1);
    expect(saved[0]?.id).toBeNull();
    expect(saved[0]?.report).toMatchObject({ agency: 'Police', reference: '12/3456/26', title: 'Report to Police' });
    expect(saved[0]?.report.occurred).toEqual({ start: '2026-11-03', end: null, approximate: false });
    expect(router.current).toEqual({ name: 'reports' });
  });

  it('keeps the exhibits and SHA-256s of a handover when it is edited', async () => {
    const saved: { id: string | null; report: Handover }[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'item') return view('rep-export', exported);
      if (cmd === 'save_report') {
        saved.push(args as { id: string | null; report: Handover });
        return { id: 'rep-export', version: 2, seq: 9, recorded_at: '2026-11-06T10:00:00.000Z', content_sha256: '33'.repeat(32) };
      }
      if (cmd === 'timeline' || cmd === 'timeline_head') return cmd === 'timeline' ? [] : { total: 0, items: [] };
      return null;
    });
    router.go({ name: 'detail', id: 'rep-export' });
    router.go({ name: 'report-edit', id: 'rep-export' });
    app = mount(ReportForm, { target: host(), props: { id: 'rep-export' } });
    await settle();
    expect(target.querySelector('[data-testid="report-kept"]')?.textContent).toContain('2 exhibits handed over');
    const outcome = target.querySelector<HTMLTextAreaElement>('#r-outcome');
    if (!outcome) throw new Error('no outcome field');
    outcome.value = 'Solicitor confirmed she has it.';
    outcome.dispatchEvent(new Event('input'));
    (target.querySelector('[data-testid="report-save"]') as HTMLButtonElement).click();
    await settle();
    expect(saved).toHaveLength(1);
    expect(saved[0]?.id).toBe('rep-export');
    const r = saved[0]?.report;
    expect(r?.exhibits).toEqual(exported.exhibits);
    expect(r?.bundle_sha256).toBe(exported.bundle_sha256);
    expect(r?.evidence_sha256).toBe(exported.evidence_sha256);
    expect(r?.outcome).toBe('Solicitor confirmed she has it.');
    expect(router.current).toEqual({ name: 'detail', id: 'rep-export' });
  });
});

describe('ItemDetail for a report', () => {
  it('shows every field, the exhibits with their SHA-256, and an Edit button', async () => {
    mockIPC((cmd) => {
      if (cmd === 'item') return view('rep-export', exported);
      if (cmd === 'history') {
        return {
          id: 'rep-export',
          versions: [
            {
              version: 1,
              seq: 7,
              entryKind: 'report.create',
              recordedAt: '2026-11-05T10:00:00.000Z',
              record: { kind: 'report', data: exported },
              contentSha256: '11'.repeat(32),
              changed: [],
            },
          ],
          redaction: null,
        };
      }
      if (cmd === 'timeline_head') return { total: 1, items: [] };
      if (cmd === 'timeline') {
        return [
          {
            id: 'file-1', kind: 'file', title: 'bruise.jpg', occurred: null, occurred_end: null, approximate: false,
            day: '2026-11-01', sort_key: '2026-11-01T00:00:00Z', recorded_at: '2026-11-01T10:00:00Z',
            updated_at: '2026-11-01T10:00:00Z', version: 1, redacted: false, redacted_at: null, categories: [],
            tags: [], location: '', role: null, media_type: 'image/jpeg', has_thumbnail: true, linked: [],
          },
        ];
      }
      return null;
    });
    app = mount(ItemDetail, { target: host(), props: { id: 'rep-export' } });
    await settle();
    expect(target.querySelector('[data-testid="detail-title"]')?.textContent).toBe('Bundle for Solicitor');
    const table = target.querySelector('[data-testid="exhibits-table"]');
    expect(table?.textContent).toContain('AB/1');
    expect(table?.textContent).toContain('aa'.repeat(32));
    expect(table?.textContent).toContain('A copy without location data; original SHA-256');
    expect(table?.textContent).toContain('cc'.repeat(32));
    expect(target.querySelector('[data-testid="bundle-sha256"]')?.textContent).toBe('dd'.repeat(32));
    expect(target.querySelector('[data-testid="integrity-panel"]')).not.toBeNull();
    const open = [...(table?.querySelectorAll('button') ?? [])].find((b) => b.textContent === 'bruise.jpg');
    open?.click();
    expect(router.current).toEqual({ name: 'detail', id: 'file-1' });
    router.back();
    (target.querySelector('[data-testid="edit-item"]') as HTMLButtonElement).click();
    expect(router.current).toEqual({ name: 'report-edit', id: 'rep-export' });
  });
});
