import { describe, expect, it } from 'vitest';
import type { Report } from './bindings';
import { reportDetails, reportHeadline, signatureText } from './integrity';
import { categoryLabel, CATEGORY_LIST, changedSummary, entryKindLabel, fieldLabel, formatSize, kindLabel, sentAtLabel, valueText } from './labels';

describe('labels', () => {
  it('has every category with a plain label', () => {
    expect(CATEGORY_LIST.map((c) => c.id)).toContain('coercive-control');
    expect(CATEGORY_LIST).toHaveLength(11);
    expect(categoryLabel('property-damage')).toBe('Damage to property');
    expect(categoryLabel('unknown-thing')).toBe('unknown-thing');
  });

  it('names kinds of item', () => {
    expect(kindLabel('incident')).toBe('Written record');
    expect(kindLabel('file', 'image/png')).toBe('Photo');
    expect(kindLabel('file', 'audio/mpeg')).toBe('Recording');
    expect(kindLabel('file', 'application/zip')).toBe('File');
  });

  it('says what changed in words', () => {
    expect(fieldLabel('words_said')).toBe('Words said');
    expect(changedSummary(['body'])).toBe('what happened');
    expect(changedSummary(['body', 'injuries', 'tags'])).toBe('what happened, injuries and tags');
    expect(changedSummary([])).toBe('');
    expect(entryKindLabel('incident.create', 1)).toBe('First recorded');
    expect(entryKindLabel('incident.edit', 2)).toBe('Edited');
    expect(entryKindLabel('file.add', 1)).toBe('First recorded');
  });

  it('shows stored values plainly', () => {
    expect(valueText('occurred', { start: '2026-11-03', approximate: true })).toBe('about 3 Nov 2026');
    expect(valueText('categories', ['physical', 'threats'])).toBe('Physical, Threats');
    expect(valueText('children_present', true)).toBe('Yes');
    expect(valueText('body', undefined)).toBe('(empty)');
    expect(valueText('agencies', [{ agency: 'Police', reference: 'CAD 1' }])).toBe('Agency: Police\nReference number: CAD 1');
    expect(valueText('tags', ['a', 'b'])).toBe('a\nb');
  });

  it('formats sizes', () => {
    expect(formatSize(512)).toBe('512 bytes');
    expect(formatSize(2048)).toBe('2.0 KB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatSize(150 * 1024 * 1024)).toBe('150 MB');
  });
});

describe('integrity words', () => {
  it('describes the signature state', () => {
    expect(signatureText(null)).toMatch(/^Not yet covered/);
    expect(signatureText({ valid: false, covers: false, size: 0, time: '' })).toBe('Signature does not check.');
    const covered = signatureText({ valid: true, covers: true, size: 42, time: '2026-11-03T21:40:00Z' });
    expect(covered).toMatch(/^Covered by the vault's signed record of 42 entries, signed \d+ Nov 2026, \d\d:\d\d\.$/);
    expect(signatureText({ valid: true, covers: false, size: 5, time: '2026-11-03T21:40:00Z' })).toMatch(/^Not yet covered: /);
  });

  const base: Report = {
    ok: true,
    quick: false,
    entries: 12,
    head: 'ab'.repeat(32),
    versions: 9,
    blobs_checked: 3,
    bytes_checked: 2048,
    checkpoints: 1,
    latest_checkpoint: { origin: 'cairn/vault/x', size: 12, root: 'ef'.repeat(32), head: 'cd'.repeat(32), time: '2026-11-03T21:40:00Z' },
    first_bad_seq: null,
    problems: [],
    warnings: [],
  };

  it('says the verdict plainly', () => {
    expect(reportHeadline(base)).toBe(
      'Everything checks out. Nothing in this vault has changed since it was written, and every edit and removal is on record.',
    );
    const bad = { ...base, ok: false, problems: [{ code: 'chain_hash', message: 'Entry 3 does not match.' }] };
    expect(reportHeadline(bad)).toMatch(/^Cairn found problems/);
  });

  it('lists the figures a solicitor needs', () => {
    const d = new Map(reportDetails({ ...base, first_bad_seq: 3 }));
    expect(d.get('Chain entries checked')).toBe('12');
    expect(d.get('Latest entry (head hash)')).toBe('ab'.repeat(32));
    expect(d.get('Files re-read and re-hashed')).toBe('3');
    expect(d.get('Bytes re-hashed')).toBe('2048 (2.0 KB)');
    expect(d.get('Latest checkpoint')).toContain('12 entries');
    expect(d.get('First entry with a problem')).toBe('#3');
  });
});

describe('sentAtLabel', () => {
  it('says a wall-clock time has no zone', () => {
    expect(sentAtLabel('2023-12-31T21:41:00')).toEqual({
      when: '2023-12-31 21:41:00',
      note: "the phone's time; the export gives no time zone",
    });
  });
  it('names the offset of an instant, UTC by name', () => {
    expect(sentAtLabel('2024-01-05T11:50:00+01:00').note).toBe('UTC+01:00, as the export recorded it');
    expect(sentAtLabel('2024-01-05T11:43:20+00:00')).toEqual({
      when: '2024-01-05 11:43:20',
      note: 'UTC, as the export recorded it',
    });
  });
  it('shows anything else as it is', () => {
    expect(sentAtLabel('yesterday')).toEqual({ when: 'yesterday', note: '' });
  });
});
