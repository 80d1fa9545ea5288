// Media reach the window only through Cairn's own scheme, decrypted as they are
// read; they are never fetched into script or turned into data URLs.

export type MediaKind = 'thumb' | 'original';

/** The address of an item's thumbnail or original file. Windows' webview reaches
 * custom schemes as http://<scheme>.localhost/. */
export function mediaUrl(
  kind: MediaKind,
  id: string,
  userAgent: string = typeof navigator === 'undefined' ? '' : navigator.userAgent,
): string {
  const path = `${kind}/${encodeURIComponent(id)}`;
  return userAgent.includes('Windows')
    ? `http://cairn-media.localhost/${path}`
    : `cairn-media://localhost/${path}`;
}

/** How a file of this media type is shown. */
export function mediaClass(mediaType: string | null | undefined): 'image' | 'audio' | 'video' | 'other' {
  const t = (mediaType ?? '').toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t.startsWith('video/')) return 'video';
  return 'other';
}

/** Photo types the window can draw. Others (an iPhone's HEIC, RAW, TIFF) are kept
 * exactly, details and all, but shown as a placeholder. */
const SHOWABLE_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp']);

/** Whether the window can show a photo of this type. */
export function canShow(mediaType: string | null | undefined): boolean {
  return SHOWABLE_IMAGES.has((mediaType ?? '').toLowerCase());
}

/** The placeholder's words for a photo Cairn keeps but cannot show, or '' when it can
 * be shown or is not a photo. */
export function placeholderNote(mediaType: string | null | undefined): string {
  const t = (mediaType ?? '').toLowerCase();
  if (!t.startsWith('image/') || canShow(t)) return '';
  const kept =
    'Cairn keeps it exactly as it was, with its details. A bundle takes it unchanged, or, if it records where it was taken, only when you choose to include locations.';
  if (t === 'image/heif' || t === 'image/heic') return `An iPhone photo (HEIC): Cairn cannot show these yet. ${kept}`;
  return `A photo Cairn cannot show (${t}). ${kept}`;
}
