// WCAG contrast of the palette in app.css, in both themes: text at least 4.5:1,
// borders, focus rings and other UI parts at least 3:1.
import { describe, expect, it } from 'vitest';
import css from '../app.css?raw';

function block(source: string, start: number): string {
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error('unbalanced css');
}

function vars(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) out.set(m[1] ?? '', m[2] ?? '');
  return out;
}

const light = vars(block(css, css.indexOf(':root')));
const darkMedia = block(css, css.indexOf('@media (prefers-color-scheme: dark)'));
const dark = vars(block(darkMedia, darkMedia.indexOf(':root')));

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return ((x ?? 0) + 0.05) / ((y ?? 0) + 0.05);
}

const TEXT: [string, string][] = [
  ['text', 'bg'],
  ['text', 'surface'],
  ['text', 'surface-2'],
  ['text', 'danger-soft'],
  ['text', 'ok-soft'],
  ['text', 'accent-soft'],
  ['muted', 'bg'],
  ['muted', 'surface'],
  ['muted', 'surface-2'],
  ['muted', 'ok-soft'],
  ['muted', 'danger-soft'],
  ['accent', 'bg'],
  ['accent', 'surface'],
  ['accent-hover', 'surface'],
  ['on-accent', 'accent'],
  ['on-accent', 'accent-hover'],
  ['on-accent-soft', 'accent-soft'],
  ['danger', 'bg'],
  ['danger', 'surface'],
  ['on-danger', 'danger'],
];

const UI: [string, string][] = [
  ['border', 'bg'],
  ['border', 'surface'],
  ['focus', 'bg'],
  ['focus', 'surface'],
  ['focus', 'surface-2'],
  ['accent', 'surface-2'],
  ['ok', 'ok-soft'],
  ['danger', 'danger-soft'],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('%s theme', (_name, palette) => {
  it('defines every colour used', () => {
    for (const [a, b] of [...TEXT, ...UI]) {
      expect(palette.get(a), a).toMatch(/^#/);
      expect(palette.get(b), b).toMatch(/^#/);
    }
  });

  it.each(TEXT)('text %s on %s is at least 4.5:1', (fg, bg) => {
    expect(contrast(palette.get(fg) ?? '', palette.get(bg) ?? '')).toBeGreaterThanOrEqual(4.5);
  });

  it.each(UI)('%s against %s is at least 3:1', (fg, bg) => {
    expect(contrast(palette.get(fg) ?? '', palette.get(bg) ?? '')).toBeGreaterThanOrEqual(3);
  });
});

describe('contrast formula', () => {
  it('matches known values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
