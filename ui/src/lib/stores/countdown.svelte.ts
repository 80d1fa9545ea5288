// A wait before the next unlock attempt, counted down in whole seconds.

export class Countdown {
  remainingMs = $state(0);
  private until = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  seconds: number = $derived(Math.ceil(this.remainingMs / 1000));
  active: boolean = $derived(this.remainingMs > 0);

  start(ms: number): void {
    this.stop();
    if (!(ms > 0)) return;
    this.until = Date.now() + ms;
    this.remainingMs = ms;
    this.timer = setInterval(() => this.tick(), 250);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.remainingMs = 0;
  }

  private tick(): void {
    const left = this.until - Date.now();
    if (left <= 0) this.stop();
    else this.remainingMs = left;
  }
}
