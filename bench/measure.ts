// Timing by hand-rolled batches: warm-up, a calibrated batch size, and the median over many batches.
//
// Batches (not single calls) because the fastest engines take ~10 ns a call, below performance.now()'s own
// cost; medians because other processes share the machine. The benchmark interleaves the timers of one case
// round by round, so a burst of load hits every engine alike.

import { readFileSync } from 'node:fs';

let schedstat = process.platform === 'linux';

/**
 * CPU µs of the calling thread (the main thread: not V8's background compiler, not the GC helpers, not other
 * processes): Linux's /proc/thread-self/schedstat, in ns. Elsewhere the whole process's CPU time (process.cpuUsage).
 * On a shared machine the wall clock of a loaded core runs 2–4× slower than the work; this does not. Linux updates it
 * for a running thread every few ms (the scheduler tick): good for windows of a quarter second and more.
 */
export function threadCpuUs(): number {
  if (schedstat) {
    try {
      return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1000;
    } catch {
      schedstat = false;
    }
  }
  const used = process.cpuUsage();
  return used.user + used.system;
}

/** A function under measurement: batches of calls, one sample (µs per call) per batch. */
export class Timer {
  /** µs per call, one entry per batch. */
  readonly samples: number[] = [];
  /**
   * CPU µs per call of the whole process, one entry per batch: what other processes' load does not add. (Not
   * {@link threadCpuUs}: Linux updates a running thread's schedstat only every few ms, too coarse for a 5 ms batch;
   * getrusage is exact. Once the code is optimized the other threads are nearly idle, so the two agree.)
   */
  readonly cpuSamples: number[] = [];
  /** Calls per batch (1 for slow functions). */
  batch = 1;
  /** Milliseconds spent measuring so far (warm-up excluded). */
  spentMs = 0;
  /** Microseconds of the first call (which includes V8's compile of the code). */
  firstCallUs = NaN;

  constructor(
    readonly label: string,
    private readonly fn: () => unknown,
  ) {}

  /**
   * Runs the function for about `warmupMs` (at least 3 calls, unless one call takes longer than `slowMs`),
   * then picks the batch size that makes a batch last about `batchMs`.
   */
  warmUp(warmupMs: number, batchMs: number, slowMs: number): void {
    const first = performance.now();
    this.fn();
    const firstMs = performance.now() - first;
    this.firstCallUs = firstMs * 1000;
    if (firstMs > slowMs) return;
    let calls = 1;
    const start = performance.now();
    while (calls < 3 || performance.now() - start < warmupMs) {
      this.fn();
      calls++;
    }
    const perCallMs = (performance.now() - start) / (calls - 1);
    this.batch = Math.max(1, Math.round(batchMs / Math.max(perCallMs, 1e-6)));
  }

  /** One batch: appends µs per call. */
  runBatch(): void {
    const n = this.batch;
    const fn = this.fn;
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let i = 0; i < n; i++) fn();
    const ms = performance.now() - start;
    const usage = process.cpuUsage(cpu);
    const used = usage.user + usage.system;
    this.spentMs += ms;
    this.samples.push((ms * 1000) / n);
    this.cpuSamples.push(used / n);
  }

  /** Median µs per call over the batches (NaN before any). */
  median(): number {
    return quantile(this.samples, 0.5);
  }
}

/** How {@link settle} went: how long the calls ran, and whether the per-call time stopped falling before the cap. */
export interface Settled {
  readonly ms: number;
  readonly settled: boolean;
  /** CPU µs per call of this thread ({@link threadCpuUs}) in the last window. */
  readonly lastCpuUs: number;
}

/**
 * Calls `fn` until V8 has optimized it: in windows of `windowMs`, until for the last `windows` windows (a) the best
 * per-call time is no faster than 0.97× the best before them (it stopped falling) and (b) the process's other
 * threads were nearly idle (under a tenth of this thread's CPU time: V8's background compiler has no job left), after
 * at least `minMs`, or until `maxMs`. A large generated program is optimized chunk by chunk on that background thread
 * (seconds of TurboFan for a 200,000-instruction program); timing it before that measures the interpreter, and on a
 * loaded machine the per-call time can stay flat for seconds before the first chunk is optimized, so (a) alone stops
 * too early. Windows are compared by this thread's CPU time per call ({@link threadCpuUs}), not wall time: other
 * processes' load slows the wall clock by whole factors on a shared machine.
 */
export function settle(fn: () => unknown, options: { windowMs?: number; windows?: number; minMs?: number; maxMs?: number } = {}): Settled {
  const windowMs = options.windowMs ?? 250;
  const windows = options.windows ?? 4;
  const minMs = options.minMs ?? 1000;
  const maxMs = options.maxMs ?? 60_000;
  const perCall: number[] = [];
  const busyElsewhere: boolean[] = [];
  const start = performance.now();
  for (;;) {
    const windowStart = performance.now();
    const cpu = threadCpuUs();
    const processCpu = process.cpuUsage();
    let calls = 0;
    do {
      fn();
      calls++;
    } while (performance.now() - windowStart < windowMs);
    const used = threadCpuUs() - cpu;
    const processUsed = process.cpuUsage(processCpu);
    perCall.push(used / calls);
    busyElsewhere.push(processUsed.user + processUsed.system - used > 0.1 * used);
    const elapsed = performance.now() - start;
    if (elapsed >= maxMs) return { ms: elapsed, settled: false, lastCpuUs: perCall[perCall.length - 1] };
    if (elapsed < minMs || perCall.length <= windows) continue;
    const recent = Math.min(...perCall.slice(-windows));
    const before = Math.min(...perCall.slice(0, -windows));
    if (recent >= 0.97 * before && !busyElsewhere.slice(-windows).some(Boolean)) {
      return { ms: elapsed, settled: true, lastCpuUs: perCall[perCall.length - 1] };
    }
  }
}

/** The q-quantile of the values (linear interpolation); NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** How long to measure. */
export interface Budget {
  /** Warm-up per timer, ms. */
  readonly warmupMs: number;
  /** Target duration of one batch, ms. */
  readonly batchMs: number;
  /** Measuring time per timer, ms (slow functions still get `minSamples`). */
  readonly timerMs: number;
  /** Fewest batches per timer. */
  readonly minSamples: number;
  /** Most batches per timer. */
  readonly maxSamples: number;
  /** A call slower than this (ms) gets no warm-up loop and only `slowSamples` samples. */
  readonly slowMs: number;
  readonly slowSamples: number;
}

/** Runs the timers round-robin until each has its samples and its time. */
export function measureInterleaved(timers: readonly Timer[], budget: Budget): void {
  for (const t of timers) t.warmUp(budget.warmupMs, budget.batchMs, budget.slowMs);
  const wanted = (t: Timer) => {
    const slow = t.firstCallUs / 1000 > budget.slowMs;
    if (slow) return t.samples.length < budget.slowSamples;
    if (t.samples.length < budget.minSamples) return true;
    return t.samples.length < budget.maxSamples && t.spentMs < budget.timerMs;
  };
  for (;;) {
    const active = timers.filter(wanted);
    if (active.length === 0) break;
    for (const t of active) t.runBatch();
  }
}
