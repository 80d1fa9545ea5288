// Locks after a stretch without use. Any key, pointer press or wheel counts as use.
// Use is also reported to Cairn (at most every 15 s), which keeps the same deadline on
// its side, so a page that hangs cannot keep the vault open.

export const ACTIVITY_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

/** How often use is reported to Cairn, at most (cairn_core::idle::TOUCH_EVERY). */
export const TOUCH_EVERY_MS = 15_000;

export class AutoLock {
  private minutes = 5;
  private last = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private target: EventTarget | null = null;
  private readonly onIdle: () => void;
  private readonly onUse: () => void;
  private reported = 0;
  private readonly listener = (): void => this.activity();
  running = $state(false);

  constructor(onIdle: () => void, onUse: () => void = () => {}) {
    this.onIdle = onIdle;
    this.onUse = onUse;
  }

  private get limitMs(): number {
    return this.minutes * 60_000;
  }

  /** Starts watching `target` for use; locks after `minutes` without any. */
  start(minutes: number, target: EventTarget): void {
    this.stop();
    this.minutes = clampMinutes(minutes);
    this.target = target;
    for (const ev of ACTIVITY_EVENTS) target.addEventListener(ev, this.listener, { capture: true, passive: true });
    this.last = Date.now();
    this.running = true;
    this.schedule(this.limitMs);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.target) for (const ev of ACTIVITY_EVENTS) this.target.removeEventListener(ev, this.listener, { capture: true });
    this.target = null;
    this.running = false;
  }

  /** New limit; the time already idle counts towards it. */
  setMinutes(minutes: number): void {
    this.minutes = clampMinutes(minutes);
    if (this.running) this.check();
  }

  /** Something was used just now. */
  activity(): void {
    if (!this.running) return;
    this.last = Date.now();
    if (this.last - this.reported >= TOUCH_EVERY_MS) {
      this.reported = this.last;
      this.onUse();
    }
  }

  private schedule(ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), Math.max(0, ms));
  }

  private check(): void {
    const idle = Date.now() - this.last;
    if (idle >= this.limitMs) {
      this.stop();
      this.onIdle();
    } else {
      this.schedule(this.limitMs - idle);
    }
  }
}

export function clampMinutes(m: number): number {
  if (!Number.isFinite(m)) return 5;
  return Math.min(240, Math.max(1, Math.round(m)));
}
