import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startLoop } from '../../src/loops/loop.js';
import { KeyedLock, SharedFlight } from '../../src/sandboxes/locks.js';

const log = pino({ level: 'silent' });

describe('startLoop', () => {
  afterEach(() => vi.useRealTimers());

  it('ticks at once, never overlaps, survives failures, and stop() waits for the tick in flight', async () => {
    vi.useFakeTimers();
    let running = 0;
    let maxRunning = 0;
    let ticks = 0;
    let release!: () => void;
    const loop = startLoop({
      name: 't',
      intervalMs: 1000,
      log,
      tick: async () => {
        ticks++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (ticks === 2) throw new Error('boom');
        if (ticks === 3) await new Promise<void>((r) => (release = r));
        running--;
      },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(ticks).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks).toBe(2);
    running = 0; // the failing tick threw before decrementing
    await vi.advanceTimersByTimeAsync(1000);
    expect(ticks).toBe(3);
    const extra = loop.trigger();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    release();
    await stopping;
    await extra;
    expect(stopped).toBe(true);
    expect(maxRunning).toBe(1);
    expect(ticks).toBe(3);
  });
});

describe('KeyedLock', () => {
  it('serialises work on one key and lets other keys run', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    let releaseA!: () => void;
    const a1 = lock.run('a', async () => {
      order.push('a1 start');
      await new Promise<void>((r) => (releaseA = r));
      order.push('a1 end');
    });
    const a2 = lock.run('a', async () => void order.push('a2'));
    const b = lock.run('b', async () => void order.push('b'));
    await b;
    expect(order).toEqual(['a1 start', 'b']);
    releaseA();
    await Promise.all([a1, a2]);
    expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('keeps going after a failed holder', async () => {
    const lock = new KeyedLock();
    await expect(lock.run('a', async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(lock.run('a', async () => 42)).resolves.toBe(42);
  });
});

describe('SharedFlight', () => {
  it('gives concurrent callers one promise', async () => {
    const flight = new SharedFlight();
    let calls = 0;
    const fn = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return calls;
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => flight.run('x', fn)));
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set([1]));
  });
});
