import { describe, expect, it } from 'vitest';
import type { BundleReport } from './bindings';
import { bundleDetails, problemWhere, receiptText } from './bundle';

function report(over: Partial<BundleReport> = {}): BundleReport {
  return {
    ok: true,
    sealed: true,
    format: 2,
    signed: true,
    disclosure: 'proofs',
    verdict: 'Intact.',
    bundle_sha256: 'a'.repeat(64),
    evidence_sha256: 'b'.repeat(64),
    vault_id: 'v1',
    exported_at: '2026-11-03T21:40:00Z',
    entries: 12,
    entries_carried: 5,
    files_checked: 9,
    exhibits: 2,
    versions_checked: 7,
    versions_withheld: 1,
    unverifiable: [],
    redactions: [],
    checkpoint_valid: true,
    receipt_extends: null,
    problems: [],
    notes: [],
    ...over,
  };
}

describe('bundle check in words', () => {
  it('says where a problem is', () => {
    expect(problemWhere({ code: 'fixity', message: 'x', path: 'data/exhibits/AB-1 a.jpg', seq: null })).toBe('data/exhibits/AB-1 a.jpg');
    expect(problemWhere({ code: 'chain_link', message: 'x', seq: 4 })).toBe('chain entry 4');
    expect(problemWhere({ code: 'x', message: 'x', path: 'p', seq: 0 })).toBe('p, chain entry 0');
    expect(problemWhere({ code: 'x', message: 'x' })).toBe('');
  });

  it('tells the three receipt outcomes apart', () => {
    expect(receiptText(report())).toMatch(/No receipt/);
    expect(receiptText(report({ receipt_extends: true }))).toMatch(/not rewritten/);
    expect(receiptText(report({ receipt_extends: false }))).toMatch(/does not extend/);
  });

  it('lists the figures, with the problem count when not intact', () => {
    const ok = new Map(bundleDetails(report()));
    expect(ok.get('Result')).toBe('Intact');
    expect(ok.get('Chain entries')).toMatch(/^5 of the 12 entries/);
    expect(ok.get('Signed by the vault')).toMatch(/^Yes/);
    expect(ok.get('Sealed')).toMatch(/Yes/);
    const full = new Map(bundleDetails(report({ disclosure: 'full-chain' })));
    expect(full.get('Chain entries')).toMatch(/^All 12 entries/);
    const older = new Map(bundleDetails(report({ format: 1, signed: false })));
    expect(older.get('Signed by the vault')).toMatch(/earlier version/);
    expect(older.get('Chain entries')).toMatch(/older bundle/);
    const forged = new Map(bundleDetails(report({ ok: false, signed: false })));
    expect(forged.get('Signed by the vault')).toMatch(/does not check/);
    const bad = new Map(
      bundleDetails(report({ ok: false, sealed: false, checkpoint_valid: false, problems: [{ code: 'fixity', message: 'm' }] })),
    );
    expect(bad.get('Result')).toBe('1 problem');
    expect(bad.get('Sealed')).toMatch(/No/);
    expect(bad.get('Checkpoint signature')).toMatch(/not/);
  });
});
