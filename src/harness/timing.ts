// Honest timings: batched, warmed-up, interleaved samples with their spread, ratios with intervals, and a check against counts.
//
// Why each step: a single fast call (a compiled f takes well under a microsecond) is below the timer's
// resolution, so calls are batched until one sample lasts at least `sampleMs`; V8 compiles a function in tiers
// (interpreter, baseline, optimised) after enough calls, and optimises a large generated function concurrently,
// some milliseconds later, so every candidate is warmed up until its batch time stops improving, not for a fixed
// time; GC pauses and frequency changes drift over seconds, so the candidates being compared are sampled in
// interleaved rounds, in a shuffled order each round, and every one sees the same drift. Garbage collection is
// left to V8: forcing a full GC before each round was tried and made the next samples of the taping autograd 3–6×
// slower (a full GC may drop optimised code and type feedback), the opposite of a settled state. The clock is this process's CPU time (user + system, `process.cpuUsage`) by
// default: on a machine shared with other jobs, wall time includes the time the process waited for a core, which
// comes and goes with the neighbours' load and would make the median of a 2-core machine under load 10 meaningless.
// A sample is the batch's time divided by its calls; the median of the samples is the time, the quartiles its spread.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

/** A timing: the median time of one call and the spread of the samples, milliseconds. */
export interface Timing {
  readonly median: number;
  /** Lower and upper quartiles of the per-call sample times. */
  readonly q1: number;
  readonly q3: number;
  readonly samples: number;
  /** Calls per sample (the batch). */
  readonly batch: number;
}

/** Options for {@link measureTimes}. */
export interface TimingOptions {
  /** Each sample lasts at least this long, milliseconds (default 2). */
  readonly sampleMs?: number;
  /** Samples per candidate (default 9). */
  readonly samples?: number;
  /** Warm-up per candidate before sampling, milliseconds (default 3 × sampleMs, and at least 3 calls). */
  readonly warmupMs?: number;
  /** Seed of the shuffled sampling order (default 1). */
  readonly seed?: number;
  /**
   * `cpu` (default): this process's CPU time, immune to waiting for a core on a shared machine; `wall`: elapsed
   * time (for code that waits, which CPU time would not count).
   */
  readonly clock?: 'cpu' | 'wall';
}

/** Milliseconds on the chosen clock. CPU time counts every thread of this process (V8's compiler and GC helpers included). */
function clockOf(kind: 'cpu' | 'wall'): () => number {
  if (kind === 'wall') return () => performance.now();
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

let collector: (() => void) | null | undefined;
/**
 * V8's full garbage collection, or null where it cannot be reached. Node hides `gc` unless started with
 * --expose-gc; setting the flag at run time exposes it to contexts created afterwards, so a fresh context hands
 * it over. Used only to start a memory measurement from a settled heap (never between timing samples: see above).
 */
export function garbageCollector(): (() => void) | null {
  if (collector !== undefined) return collector;
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return (collector = global);
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    collector = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    collector = null;
  }
  return collector;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median and quartiles of per-call times. */
export function summarise(perCall: readonly number[], batch: number): Timing {
  const sorted = [...perCall].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75), samples: sorted.length, batch };
}

/**
 * Times several candidates the same way: each is warmed up and batched to at least `sampleMs` per sample,
 * then all are sampled in interleaved rounds, in a shuffled order per round.
 * @returns the timing of each candidate, by name.
 */
export function measureTimes<K extends string>(candidates: Readonly<Record<K, () => void>>, options: TimingOptions = {}): Record<K, Timing> {
  const sampleMs = options.sampleMs ?? 2;
  const samples = options.samples ?? 9;
  const warmupMs = options.warmupMs ?? 3 * sampleMs;
  const now = clockOf(options.clock ?? 'cpu');
  const names = Object.keys(candidates) as K[];
  const batches = new Map<K, number>();
  for (const name of names) {
    const run = candidates[name];
    // A first warm-up: at least three calls and warmupMs, which sizes the batch.
    const start = now();
    let calls = 0;
    while (calls < 3 || now() - start < warmupMs) {
      run();
      calls++;
    }
    const perCall = (now() - start) / calls;
    // Batch so that a sample lasts sampleMs: grow the batch until one lasts that long twice in a row (the first
    // success may still include calls from before V8 optimised the function, which are slower than later ones).
    let batch = Math.max(1, Math.ceil(sampleMs / Math.max(perCall, 1e-6)));
    for (let confirmed = 0; confirmed < 2 && batch < 1e8; ) {
      const t = now();
      for (let i = 0; i < batch; i++) run();
      const took = now() - t;
      if (took >= sampleMs) confirmed++;
      else {
        confirmed = 0;
        batch = Math.ceil(batch * Math.min(16, Math.max(1.5, (1.2 * sampleMs) / Math.max(took, 1e-3))));
      }
    }
    // Then warm up until tiered: keep running batches until three in a row bring no new best (within 3%), so a
    // function V8 optimises late (a large generated one, compiled concurrently) is sampled at its final tier.
    // Bounded by 20 batches, so a candidate whose time keeps drifting still gets measured (its spread then shows it).
    let best = Infinity;
    for (let stale = 0, rounds = 0; stale < 3 && rounds < 20; rounds++) {
      const t = now();
      for (let i = 0; i < batch; i++) run();
      const took = now() - t;
      if (took < 0.97 * best) stale = 0;
      else stale++;
      best = Math.min(best, took);
    }
    batches.set(name, batch);
  }
  const times = new Map<K, number[]>(names.map((n) => [n, []]));
  let state = (options.seed ?? 1) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let s = 0; s < samples; s++) {
    const order = [...names];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const name of order) {
      const run = candidates[name];
      const batch = batches.get(name)!;
      const t = now();
      for (let i = 0; i < batch; i++) run();
      times.get(name)!.push((now() - t) / batch);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarise(times.get(n)!, batches.get(n)!)])) as Record<K, Timing>;
}

/** A ratio of two timings with an interval from their quartiles: [q1(a)/q3(b), q3(a)/q1(b)]. */
export interface TimingRatio {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** time(a) / time(b), with its spread. */
export function timingRatio(a: Timing, b: Timing): TimingRatio {
  return { median: a.median / b.median, low: a.q1 / b.q3, high: a.q3 / b.q1 };
}

/** A timing ratio that the machine-independent count says cannot be right. */
export interface TimingContradiction {
  readonly label: string;
  readonly ratio: TimingRatio;
  readonly count: number;
  readonly slack: number;
}

/**
 * Whether a measured time ratio contradicts the count that predicts it (evaluations of f, instructions):
 * it does when even its spread lies outside [count / slack, count × slack]. The slack allows for the
 * different cost of different instructions; anything beyond is a measurement problem (warm-up, GC,
 * timer resolution), not a property of the method.
 */
export function contradiction(label: string, ratio: TimingRatio, count: number, slack: number): TimingContradiction | undefined {
  if (!(count > 0) || !Number.isFinite(ratio.median)) return undefined;
  const low = count / slack;
  const high = count * slack;
  return ratio.high < low || ratio.low > high ? { label, ratio, count, slack } : undefined;
}

/** Thrown when timings contradict their counts even after re-measuring: the report refuses to publish them. */
export class TimingContradictionError extends Error {
  readonly contradictions: readonly TimingContradiction[];
  constructor(contradictions: readonly TimingContradiction[]) {
    super(
      `timings contradict their machine-independent counts beyond their spread: ${contradictions
        .map((c) => `${c.label}: measured ${c.ratio.median.toPrecision(3)}× (spread ${c.ratio.low.toPrecision(3)}–${c.ratio.high.toPrecision(3)}×), count predicts ${c.count.toPrecision(3)}× within ×${c.slack}`)
        .join('; ')}`,
    );
    this.name = 'TimingContradictionError';
    this.contradictions = contradictions;
  }
}

/** Throws a {@link TimingContradictionError} when any check contradicts its count. */
export function assertTimingsMatchCounts(checks: readonly (TimingContradiction | undefined)[]): void {
  const found = checks.filter((c): c is TimingContradiction => c !== undefined);
  if (found.length > 0) throw new TimingContradictionError(found);
}

/** A time for people: µs below 0.01 ms, with three significant digits. */
export function formatMs(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  if (x < 0.01) return `${Number((x * 1000).toPrecision(3))} µs`;
  if (x < 1000) return `${Number(x.toPrecision(3))} ms`;
  return `${Number((x / 1000).toPrecision(3))} s`;
}

/** A timing for tables: the median, with the quartiles as its spread (`12.3 µs (11.9–12.8)`). */
export function formatTiming(t: Timing | undefined): string {
  if (t === undefined) return '—';
  return `${formatMs(t.median)} (${formatMs(t.q1)}–${formatMs(t.q3)})`;
}

/** A ratio for tables: `3.1× (2.9–3.3)`. */
export function formatRatio(r: TimingRatio | undefined): string {
  if (r === undefined || !Number.isFinite(r.median)) return '—';
  const s = (x: number) => Number(x.toPrecision(x >= 100 ? 3 : 2)).toString();
  return `${s(r.median)}× (${s(r.low)}–${s(r.high)})`;
}
