// Cost versus the number of inputs: time(∇f)/time(f) for every method on a family of functions, and the machine-independent counts.
import type { GradientMethod } from '../diff/method.ts';
import { compileGradient, compileValue, operationCounts } from '../diff/compiled/gradient.ts';
import { autogradValue, tapeLength } from '../diff/autograd/method.ts';
import { tensorAlgebra } from '../diff/autograd/functional.ts';
import { tensor, type Tensor } from '../diff/autograd/tensor.ts';
import { evaluateExpr, interpret } from '../ir/evaluate.ts';
import type { Expr } from '../ir/node.ts';
import { getHeapStatistics } from 'node:v8';
import { metrics } from '../ir/traverse.ts';
import { askMethod, type AnswerStatus, type MethodOptions } from './answers.ts';
import type { SuiteFamily } from './suite.ts';
import { assertTimingsMatchCounts, contradiction, garbageCollector, measureTimes, timingRatio, type Timing, type TimingContradiction, type TimingRatio } from './timing.ts';

/** f at one n: its size, its times and the steady-state gradients, with the counts that predict them. */
export interface CostBaseline {
  readonly n: number;
  /** Op nodes of f's DAG. */
  readonly fOps: number;
  /** One evaluation of f compiled exactly as the compiled gradient's forward sweep (the steady-state denominator). */
  readonly fCompiled: Timing;
  /** One evaluation of f by the IR interpreter (the per-call denominator: methods called per call interpret or rebuild f). */
  readonly fInterpreted: Timing;
  /** Instructions of the compiled reverse-mode gradient program and of f alone, and their ratio (machine independent). */
  readonly reverseOps: { readonly f: number; readonly gradient: number; readonly ratio: number };
  /** Bytes of forward values the compiled reverse sweep keeps (one float64 slot per instruction). */
  readonly reverseBytes: number;
  /**
   * Steady-state costs, with everything compiled once beforehand (what a training loop pays per step): the
   * compiled reverse-mode gradient, and central differences as 2n calls of compiled f; their times and
   * their ratios to compiled f, sampled in the same interleaved rounds as f itself.
   */
  readonly steady: { readonly reverse: Timing; readonly reverseRatio: TimingRatio; readonly central: Timing; readonly centralRatio: TimingRatio };
  /** Times the measurement was repeated because a ratio contradicted its count (0 when the first was consistent). */
  readonly remeasured: number;
  /** The taping autograd's memory at this n: its tape length (a count) and the heap its taped forward keeps alive (measured). */
  readonly tape?: TapeMemory;
}

/** What a taped forward pass keeps alive until its backward. */
export interface TapeMemory {
  /** Recorded nodes (machine independent). */
  readonly tapeLength: number;
  /**
   * Heap retained by one taped forward (its output held, so its tape is alive), bytes: used heap after a full GC
   * with the outputs held, minus used heap after a full GC before the forwards, per forward. Median and quartiles
   * over trials; undefined where the garbage collector cannot be called (the difference would include garbage).
   */
  readonly retained?: { readonly median: number; readonly q1: number; readonly q3: number; readonly trials: number };
}

/**
 * Measures the heap a taped forward pass keeps alive: for each trial a full GC, the used heap, a few forwards on
 * fresh leaf tensors that require grad (their outputs held), a full GC again, the used heap again, divided by the
 * number of forwards. The collections before each reading make the difference what the tapes keep, not garbage.
 */
export function measureTapeMemory(build: () => Expr, variables: readonly string[], point: ArrayLike<number>, trials = 5): TapeMemory {
  const taped = (expr = build()): Tensor | number => {
    const leaves = new Map(variables.map((name, i) => [name, tensor(point[i], { requiresGrad: true })]));
    return interpret(expr, (v) => leaves.get(v.name)!, tensorAlgebra);
  };
  const first = taped();
  const length = typeof first === 'number' ? 0 : tapeLength(first);
  const gc = garbageCollector();
  if (gc === null) return { tapeLength: length };
  // The outputs are held in an array that is emptied before each first reading (a variable of the loop could keep
  // the previous trial's tape alive in a stack slot, and the new tape would then only replace it); each trial holds
  // `copies` tapes at once and divides, so the reading is well above the heap's own noise of a few KB.
  const held: unknown[] = [];
  const copies = 4;
  const growth: number[] = [];
  for (let t = 0; t < trials; t++) {
    held.length = 0;
    gc();
    const before = getHeapStatistics().used_heap_size;
    for (let k = 0; k < copies; k++) held.push(taped());
    gc();
    growth.push((getHeapStatistics().used_heap_size - before) / copies);
  }
  held.length = 0;
  const sorted = growth.sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    return sorted[lo] + (sorted[Math.ceil(pos)] - sorted[lo]) * (pos - lo);
  };
  return { tapeLength: length, retained: { median: at(0.5), q1: at(0.25), q3: at(0.75), trials } };
}

/** One method at one n. */
export interface CostPoint {
  readonly n: number;
  readonly method: string;
  readonly status: AnswerStatus | 'skipped';
  /** Median time of one gradient (value included) with its spread. */
  readonly time?: Timing;
  /** time / the time of f evaluated the same way the method evaluates it (see `denominator`), with its spread. */
  readonly ratio?: TimingRatio;
  /**
   * What the ratio divides by, sampled in the same interleaved rounds as the method: `f on tensors` (the taping
   * autograd's own interpreter with nothing recorded), `f compiled` (the same code generator as autograd-compiled), or
   * `f interpreted` (the IR interpreter, for methods that interpret or rebuild f on every call).
   */
  readonly denominator?: PerCallDenominator;
  /** Its time, from the same rounds. */
  readonly denominatorTime?: Timing;
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
  /** Each timing sample lasts at least this long, milliseconds (default 2). */
  readonly sampleMs?: number;
  /** Samples per timing (default 9). */
  readonly samples?: number;
  /**
   * A method is not tried at an n where one call would take longer than this, predicted from its time at the
   * previous n growing like n² (default 3,000 ms), nor after a single call took longer.
   */
  readonly slowCallMs?: number;
  readonly methodOptions?: MethodOptions;
  /** Called before each measurement, for progress bars. */
  readonly onStep?: (label: string) => void;
}

/** What a per-call ratio divides by. */
export type PerCallDenominator = 'f on tensors' | 'f compiled' | 'f interpreted';

/** Methods that run code compiled once per expression and cached (the reverse adjoint, the dual-number passes). */
const compiledOnce: ReadonlySet<string> = new Set(['autograd-compiled', 'forward-mode']);

/** The like-with-like denominator of a method's per-call time: f evaluated the way the method evaluates it. */
export function perCallDenominator(method: string): PerCallDenominator {
  return method === 'autograd' ? 'f on tensors' : compiledOnce.has(method) ? 'f compiled' : 'f interpreted';
}

/**
 * The taping autograd's per-call ratio against the count that predicts it: its recorded forward evaluates f's ops
 * and its backward visits each of the `tapeLength` recorded nodes once, so time(∇f) / time(f on tensors) ≈
 * 1 + tapeLength / fOps, within ×3 (a recorded op also allocates its node; a backward step is a multiply-add).
 */
export function tapeContradiction(n: number, ratio: TimingRatio, tapeLength: number, fOps: number): TimingContradiction | undefined {
  return contradiction(`the taping autograd at n = ${n} (${tapeLength} recorded nodes for ${fOps} ops of f)`, ratio, 1 + tapeLength / fOps, countSlack.reverse);
}

function countOf(extra: Readonly<Record<string, unknown>> | undefined, key: string): number | undefined {
  const v = extra?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * How far a steady-state time ratio may sit from its count: central differences make exactly 2n calls of the
 * same compiled f (slack ×2 for the loop around them), the reverse sweep runs `reverseOps.ratio` times f's
 * instructions of a different mix (slack ×3).
 */
export const countSlack = { central: 2, reverse: 3 } as const;

/** The checks of one baseline: each steady-state ratio against the count that predicts it. */
export function baselineContradictions(b: Pick<CostBaseline, 'n' | 'steady' | 'reverseOps'>): (TimingContradiction | undefined)[] {
  return [
    contradiction(`central differences at n = ${b.n} (2n = ${2 * b.n} evaluations of f)`, b.steady.centralRatio, 2 * b.n, countSlack.central),
    contradiction(`compiled reverse mode at n = ${b.n} (${b.reverseOps.ratio.toPrecision(3)}× f's instructions)`, b.steady.reverseRatio, b.reverseOps.ratio, countSlack.reverse),
  ];
}

function measureBaseline(family: SuiteFamily, n: number, options: CostOptions, attempt: number): Omit<CostBaseline, 'remeasured'> {
  const expr = family.build(n);
  const variables = family.variables(n);
  const point = family.point(n);
  const values = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
  const f = compileValue(expr, variables);
  const gradient = compileGradient(expr, variables);
  const out = new Float64Array(variables.length);
  const x = Float64Array.from(point);
  const h = 1e-6;
  let sink = 0;
  const times = measureTimes(
    {
      fCompiled: () => void (sink += f(point)),
      fInterpreted: () => void (sink += evaluateExpr(expr, values)),
      reverse: () => void (sink += gradient(point, out)),
      central: () => {
        for (let i = 0; i < x.length; i++) {
          const xi = x[i];
          x[i] = xi + h;
          const up = f(x);
          x[i] = xi - h;
          const down = f(x);
          x[i] = xi;
          sink += (up - down) / (2 * h);
        }
      },
    },
    // A repeated measurement takes more, longer samples: the spread then reflects the machine, not a short window.
    { sampleMs: (options.sampleMs ?? 2) * (attempt + 1), samples: (options.samples ?? 9) + 4 * attempt, seed: n + attempt },
  );
  if (sink === 0.5) console.log(''); // keeps `sink` alive so V8 cannot drop the timed calls
  const reverseOps = operationCounts(expr, variables);
  return {
    n,
    fOps: Object.values(metrics(expr).opCounts).reduce((s, k) => s + (k ?? 0), 0),
    fCompiled: times.fCompiled,
    fInterpreted: times.fInterpreted,
    reverseOps,
    reverseBytes: 8 * reverseOps.gradient,
    steady: {
      reverse: times.reverse,
      reverseRatio: timingRatio(times.reverse, times.fCompiled),
      central: times.central,
      centralRatio: timingRatio(times.central, times.fCompiled),
    },
  };
}

/**
 * Measures every method on a family of functions for each n: the median time of one gradient with its
 * spread, divided by f's time measured the same way, and the counts that do not depend on the machine. The
 * steady-state ratios are checked against their counts; a contradiction is re-measured twice with longer
 * samples, and if it persists the sweep throws a TimingContradictionError rather than publish it. A method cut
 * off by a budget, or slower than `slowCallMs` for one call, is not tried at larger n.
 */
export function measureCost(family: SuiteFamily, ns: readonly number[], methods: readonly GradientMethod[], options: CostOptions = {}): CostSweep {
  const slow = options.slowCallMs ?? 3000;
  const baselines: CostBaseline[] = [];
  const points: CostPoint[] = [];
  const stoppedAt = new Map<string, string>();
  const lastCall = new Map<string, { n: number; ms: number }>();
  let sink = 0;
  for (const n of ns) {
    const expr = family.build(n);
    // Frozen: the compiled methods then find their cached program by this array alone (O(1), not n name comparisons per call).
    const variables = Object.freeze([...family.variables(n)]);
    const point = family.point(n);
    options.onStep?.(`cost: compiled baselines at n = ${n}`);
    let attempt = 0;
    let baseline = measureBaseline(family, n, options, attempt);
    while (baselineContradictions(baseline).some((c) => c !== undefined) && attempt < 2) baseline = measureBaseline(family, n, options, ++attempt);
    assertTimingsMatchCounts(baselineContradictions(baseline));
    options.onStep?.(`cost: the taping autograd's memory at n = ${n}`);
    baselines.push({ ...baseline, remeasured: attempt, tape: measureTapeMemory(() => family.build(n), variables, point) });
    // The per-call denominators: f evaluated as each kind of method evaluates it.
    const compiledF = compileValue(expr, variables);
    const values = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
    const request = { expr, variables, point, options: {} };
    const fOf = (d: PerCallDenominator): (() => void) =>
      d === 'f on tensors' ? () => void (sink += autogradValue(request)) : d === 'f compiled' ? () => void (sink += compiledF(point)) : () => void (sink += evaluateExpr(expr, values));
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
      let time: Timing;
      let denominatorTime: Timing | undefined;
      const denominator = perCallDenominator(method.name);
      if (first.timeMs > slow) {
        time = { median: first.timeMs, q1: first.timeMs, q3: first.timeMs, samples: 1, batch: 1 };
        stoppedAt.set(method.name, `not tried beyond n = ${n} (one gradient took ${(first.timeMs / 1000).toFixed(1)} s)`);
      } else {
        // Slow calls get fewer samples; every call still goes through the method's public interface. The
        // denominator is sampled in the same interleaved rounds, so both see the same machine.
        const heavy = first.timeMs > 50;
        const measure = (attempt: number) =>
          measureTimes({ call: () => void askMethod(method, c, methodOptions), f: fOf(denominator) }, {
            sampleMs: (options.sampleMs ?? 2) * (attempt + 1),
            samples: (heavy ? 3 : options.samples ?? 9) + 4 * attempt,
            warmupMs: heavy ? 0 : undefined,
            seed: n + attempt,
          });
        // The taping autograd's ratio is checked against its tape, like the steady-state ratios against their counts.
        const tape = countOf(first.result.extra, 'tapeLength');
        const check = (m: ReturnType<typeof measure>) =>
          method.name === 'autograd' && tape !== undefined && tape > 0 ? tapeContradiction(n, timingRatio(m.call, m.f), tape, baselines[baselines.length - 1].fOps) : undefined;
        let attempt = 0;
        let measured = measure(attempt);
        while (check(measured) !== undefined && attempt < 2) measured = measure(++attempt);
        assertTimingsMatchCounts([check(measured)]);
        time = measured.call;
        denominatorTime = measured.f;
      }
      // Predict the next n from the measured median, not from the first call (which includes V8's compilation).
      lastCall.set(method.name, { n, ms: time.median });
      const extra = first.result.extra;
      points.push({
        n,
        method: method.name,
        status: 'ok',
        time,
        ratio: timingRatio(time, denominatorTime ?? baselines[baselines.length - 1].fInterpreted),
        denominator: denominatorTime === undefined ? 'f interpreted' : denominator,
        denominatorTime: denominatorTime ?? baselines[baselines.length - 1].fInterpreted,
        evaluations: first.result.evaluations,
        tapeLength: countOf(extra, 'tapeLength'),
        derivativeSize: countOf(extra, 'gradientDagSize'),
      });
    }
  }
  if (sink === 0.5) console.log(''); // keeps `sink` alive so V8 cannot drop the timed calls
  return { function: family.text, ns, baselines, points };
}
