// The recovery code shown once after set-up, and the check that she wrote it down.

/** The code's groups: "7KQ3M-X2PZA-…" → ["7KQ3M", "X2PZA", …]. */
export function codeGroups(code: string): string[] {
  return code
    .trim()
    .split(/[-\s]+/)
    .filter((g) => g.length > 0);
}

function normaliseGroup(s: string): string {
  return s.replace(/[\s-]+/g, '').toUpperCase();
}

/** True when `typed` is group number `n` (1-based; the third by default), ignoring
 * case, spaces and dashes. */
export function checkRecoveryGroup(code: string, typed: string, n = 3): boolean {
  const want = codeGroups(code)[n - 1];
  if (!want) return false;
  const got = normaliseGroup(typed);
  return got.length > 0 && got === normaliseGroup(want);
}
