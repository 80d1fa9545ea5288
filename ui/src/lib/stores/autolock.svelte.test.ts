import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AutoLock, clampMinutes } from './autolock.svelte';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const MIN = 60_000;

describe('auto-lock', () => {
  it('reports use to Cairn at most every 15 s', () => {
    const onUse = vi.fn();
    const a = new AutoLock(vi.fn(), onUse);
    const target = new EventTarget();
    a.start(5, target);
    target.dispatchEvent(new Event('keydown'));
    target.dispatchEvent(new Event('keydown'));
    expect(onUse).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(14_000);
    target.dispatchEvent(new Event('pointerdown'));
    expect(onUse).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    target.dispatchEvent(new Event('wheel'));
    expect(onUse).toHaveBeenCalledTimes(2);
  });

  it('locks after the set minutes without use', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    const target = new EventTarget();
    a.start(2, target);
    vi.advanceTimersByTime(2 * MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
    expect(a.running).toBe(false);
    vi.advanceTimersByTime(10 * MIN);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('counts keys, pointer presses and the wheel as use', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    const target = new EventTarget();
    a.start(1, target);
    for (const ev of ['keydown', 'pointerdown', 'wheel']) {
      vi.advanceTimersByTime(50_000);
      target.dispatchEvent(new Event(ev));
    }
    // 150 s have passed but the last use was just now.
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MIN - 1);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('does not count other events', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    const target = new EventTarget();
    a.start(1, target);
    vi.advanceTimersByTime(30_000);
    target.dispatchEvent(new Event('mousemove'));
    vi.advanceTimersByTime(30_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('stops watching when stopped', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    const target = new EventTarget();
    a.start(1, target);
    a.stop();
    vi.advanceTimersByTime(5 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    target.dispatchEvent(new Event('keydown'));
    expect(a.running).toBe(false);
  });

  it('applies a shorter limit to time already idle', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    a.start(10, new EventTarget());
    vi.advanceTimersByTime(3 * MIN);
    a.setMinutes(2);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('applies a longer limit from the last use', () => {
    const onIdle = vi.fn();
    const a = new AutoLock(onIdle);
    a.start(1, new EventTarget());
    vi.advanceTimersByTime(30_000);
    a.setMinutes(3);
    vi.advanceTimersByTime(2 * MIN);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(30_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('keeps minutes within 1 to 240', () => {
    expect(clampMinutes(0)).toBe(1);
    expect(clampMinutes(999)).toBe(240);
    expect(clampMinutes(Number.NaN)).toBe(5);
    expect(clampMinutes(7.4)).toBe(7);
  });
});
