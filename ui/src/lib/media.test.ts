import { describe, expect, it } from 'vitest';
import { mediaClass, mediaUrl } from './media';

describe('mediaUrl', () => {
  it('uses the custom scheme on Linux and macOS', () => {
    expect(mediaUrl('thumb', 'fil-abc', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15')).toBe('cairn-media://localhost/thumb/fil-abc');
    expect(mediaUrl('original', 'fil-abc', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)')).toBe('cairn-media://localhost/original/fil-abc');
  });

  it('uses the http form on Windows', () => {
    expect(mediaUrl('original', 'fil-abc', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120')).toBe('http://cairn-media.localhost/original/fil-abc');
  });

  it('escapes the id', () => {
    expect(mediaUrl('thumb', 'a/../b', 'Linux')).toBe('cairn-media://localhost/thumb/a%2F..%2Fb');
  });
});

describe('mediaClass', () => {
  it('sorts media types', () => {
    expect(mediaClass('image/jpeg')).toBe('image');
    expect(mediaClass('AUDIO/ogg')).toBe('audio');
    expect(mediaClass('video/mp4')).toBe('video');
    expect(mediaClass('application/pdf')).toBe('other');
    expect(mediaClass(null)).toBe('other');
  });
});
