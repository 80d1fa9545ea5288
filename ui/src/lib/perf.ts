/**
 * User-timing marks for `make bench` (read over WebDriver): standard Performance API
 * entries that live only in this page's memory. `markPainted` records the moment after
 * the next frame has been painted.
 */
export function markPainted(name: string): void {
  if (typeof performance === 'undefined' || typeof requestAnimationFrame === 'undefined') return;
  requestAnimationFrame(() => {
    setTimeout(() => performance.mark(name), 0);
  });
}

/** Records a moment now. */
export function mark(name: string): void {
  if (typeof performance !== 'undefined') performance.mark(name);
}
