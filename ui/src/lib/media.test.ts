import { describe, expect, it } from 'vitest';
import { canShow, mediaClass, mediaUrl, placeholderNote } from './media';

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

describe('photos the window cannot show', () => {
  it('shows the common types and a placeholder for HEIC and the rest', () => {
    expect(canShow('image/jpeg')).toBe(true);
    expect(canShow('IMAGE/PNG')).toBe(true);
    expect(canShow('image/heif')).toBe(false);
    expect(placeholderNote('image/jpeg')).toBe('');
    expect(placeholderNote('audio/mpeg')).toBe('');
    expect(placeholderNote(null)).toBe('');
    expect(placeholderNote('image/heif')).toContain('iPhone photo (HEIC)');
    expect(placeholderNote('image/tiff')).toContain('(image/tiff)');
  });
});
