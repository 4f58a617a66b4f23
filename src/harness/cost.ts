// Cost versus the number of inputs: time(∇f)/time(f) for every method on Rosenbrock, and the machine-independent counts.
import type { GradientMethod } from '../diff/method.ts';
import { compileGradient, operationCounts } from '../diff/compiled/gradient.ts';
import { compile } from '../ir/compile.ts';
import { metrics } from '../ir/traverse.ts';
import { askMethod, type AnswerStatus, type MethodOptions } from './answers.ts';
import { numberedVariables, rosenbrock, rosenbrockPoint } from './suite.ts';

/** Median wall time of `run`, repeated until `minTimeMs` has passed (at least once, at most `maxRuns`). */
export function timeIt(run: () => void, minTimeMs: number, maxRuns = 10_000): number {
  const times: number[] = [];
  const start = performance.now();
  do {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  } while (performance.now() - start < minTimeMs && times.length < maxRuns);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** f at one n: its size and its time. */
export interface CostBaseline {
  readonly n: number;
  /** Op nodes of f's DAG. */
  readonly fOps: number;
  /** Median time of one compiled evaluation of f, milliseconds. */
  readonly fTimeMs: number;
  /** Instructions of the compiled reverse-mode gradient program and of f alone, and their ratio (machine independent). */
  readonly reverseOps: { readonly f: number; readonly gradient: number; readonly ratio: number };
  /**
   * Steady-state costs, with everything compiled once beforehand (what a training loop pays per step):
   * the compiled reverse-mode gradient (`compileGradient`), and the 2n evaluations of compiled f that central
   * differences make. Milliseconds per gradient, and the same divided by f's time.
   */
  readonly steady: { readonly reverseMs: number; readonly reverseRatio: number; readonly centralMs: number; readonly centralRatio: number };
}

/** One method at one n. */
export interface CostPoint {
  readonly n: number;
  readonly method: string;
  readonly status: AnswerStatus | 'skipped';
  /** Median time of one gradient (value included), milliseconds. */
  readonly timeMs?: number;
  /** timeMs / f's time: DiffSharp's normalised cost. */
  readonly ratio?: number;
  /** Evaluations of f (finite differences, complex step). */
  readonly evaluations?: number;
  /** Recorded nodes (autograd). */
  readonly tapeLength?: number;
  /** Distinct nodes of the derivative expressions (symbolic methods). */
  readonly derivativeSize?: number;
  readonly reason?: string;
}

/** The cost sweep's results. */
export interface CostSweep {
  readonly function: string;
  readonly ns: readonly number[];
  readonly baselines: readonly CostBaseline[];
  readonly points: readonly CostPoint[];
}

/** Options for {@link measureCost}. */
export interface CostOptions {
  /** Repeat each measurement for at least this long, milliseconds (default 20). */
  readonly minTimeMs?: number;
  /**
   * A method is not tried at an n where one call would take longer than this, predicted from its time at the
   * previous n growing like n² (default 3,000 ms), nor after a single call took longer.
   */
  readonly slowCallMs?: number;
  readonly methodOptions?: MethodOptions;
  /** Called before each measurement, for progress bars. */
  readonly onStep?: (label: string) => void;
}

function countOf(extra: Readonly<Record<string, unknown>> | undefined, key: string): number | undefined {
  const v = extra?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Measures every method on Rosenbrock's function for each n: the median time of one gradient divided by
 * the median time of f (compiled), and the counts that do not depend on the machine. A method cut off
 * by a budget, or slower than `slowCallMs` for one call, is not tried at larger n.
 */
export function measureCost(ns: readonly number[], methods: readonly GradientMethod[], options: CostOptions = {}): CostSweep {
  const minTimeMs = options.minTimeMs ?? 20;
  const slow = options.slowCallMs ?? 3000;
  const baselines: CostBaseline[] = [];
  const points: CostPoint[] = [];
  const stoppedAt = new Map<string, string>();
  const lastCall = new Map<string, { n: number; ms: number }>();
  for (const n of ns) {
    const expr = rosenbrock(n);
    const variables = numberedVariables(n);
    const point = rosenbrockPoint(n);
    const f = compile(expr, variables);
    let sink = 0;
    const fTimeMs = timeIt(() => void (sink += f(point)), minTimeMs);
    const reverseOps = operationCounts(expr, variables);
    options.onStep?.(`cost: compiled baselines at n = ${n}`);
    const gradient = compileGradient(expr, variables);
    const out = new Float64Array(n);
    const reverseMs = timeIt(() => void (sink += gradient(point, out)), minTimeMs);
    const x = Float64Array.from(point);
    const h = 1e-6;
    const centralMs = timeIt(() => {
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        x[i] = xi + h;
        const up = f(x);
        x[i] = xi - h;
        const down = f(x);
        x[i] = xi;
        sink += (up - down) / (2 * h);
      }
    }, minTimeMs);
    baselines.push({
      n,
      fOps: Object.values(metrics(expr).opCounts).reduce((s, k) => s + (k ?? 0), 0),
      fTimeMs,
      reverseOps,
      steady: { reverseMs, reverseRatio: reverseMs / fTimeMs, centralMs, centralRatio: centralMs / fTimeMs },
    });
    for (const method of methods) {
      const stopped = stoppedAt.get(method.name);
      if (stopped !== undefined) {
        points.push({ n, method: method.name, status: 'skipped', reason: stopped });
        continue;
      }
      const previous = lastCall.get(method.name);
      const predicted = previous === undefined ? 0 : previous.ms * (n / previous.n) ** 2;
      if (predicted > slow) {
        const reason = `not tried at n = ${n}: one call would take about ${(predicted / 1000).toFixed(0)} s (${(previous!.ms / 1000).toFixed(2)} s at n = ${previous!.n}, growing like n²)`;
        points.push({ n, method: method.name, status: 'skipped', reason });
        stoppedAt.set(method.name, reason);
        continue;
      }
      options.onStep?.(`cost: ${method.name} at n = ${n}`);
      const c = { expr, variables, point };
      const methodOptions = options.methodOptions?.[method.name] ?? {};
      const first = askMethod(method, c, methodOptions);
      if (first.status !== 'ok' || first.result === undefined) {
        points.push({ n, method: method.name, status: first.status, reason: first.reason });
        if (first.status === 'budget' || first.status === 'crash') stoppedAt.set(method.name, `not tried beyond n = ${n} (${first.status} there)`);
        continue;
      }
      const timeMs = first.timeMs > slow ? first.timeMs : timeIt(() => void askMethod(method, c, methodOptions), minTimeMs, 200);
      lastCall.set(method.name, { n, ms: first.timeMs });
      if (first.timeMs > slow) stoppedAt.set(method.name, `not tried beyond n = ${n} (one gradient took ${(first.timeMs / 1000).toFixed(1)} s)`);
      const extra = first.result.extra;
      points.push({
        n,
        method: method.name,
        status: 'ok',
        timeMs,
        ratio: timeMs / fTimeMs,
        evaluations: first.result.evaluations,
        tapeLength: countOf(extra, 'tapeLength'),
        derivativeSize: countOf(extra, 'gradientDagSize'),
      });
    }
    if (sink === 0.5) console.log(''); // keeps `sink` alive so V8 cannot drop the timed calls
  }
  return { function: 'Rosenbrock: Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²', ns, baselines, points };
}
