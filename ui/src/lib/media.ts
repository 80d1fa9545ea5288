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
