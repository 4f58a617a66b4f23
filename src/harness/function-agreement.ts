// The agreement property on a user's functions: every method against the reference at points drawn from each function's domain.
import fc from 'fast-check';
import type { GradientMethod } from '../diff/method.ts';
import { AgreementTally, judgeCase, type AgreementRow, type CaseReport, type JudgeOptions } from './agreement.ts';
import type { SuiteFunction } from './suite.ts';

/** 2^53: a uniform integer below it, divided by it, is a uniform float64 in [0, 1) on a grid of 2^-53. */
const UNIT_GRID = 2 ** 53;

/**
 * One coordinate in [lo, hi]: four draws in five spread uniformly over the interval's length, one in five from
 * fast-check's double generator, which spreads over the float64 values in the interval (so most of its draws are
 * tiny or subnormal magnitudes) and favours the bounds and 0: the edges where methods break first. fast-check's
 * generator alone would put about nine draws in ten below 1e-10 on [-2, 2] and leave the interval's body untested.
 */
function coordinate(lo: number, hi: number): fc.Arbitrary<number> {
  const acrossLength = fc
    .integer({ min: 0, max: UNIT_GRID - 1 })
    .map((k) => Math.min(hi, lo + (hi - lo) * (k / UNIT_GRID)));
  const atEdges = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  return fc.oneof({ arbitrary: acrossLength, weight: 4 }, { arbitrary: atEdges, weight: 1 });
}

/**
 * Points for one function: each variable drawn from its domain interval (see {@link coordinate}; seeded), the
 * function's own point first. Deterministic for a seed.
 */
export function drawPoints(fn: SuiteFunction, count: number, seed: number): Float64Array[] {
  const coordinates = fn.variables.map((v) => {
    const [lo, hi] = fn.domain[v];
    return coordinate(lo, hi);
  });
  const drawn = count > 1 ? fc.sample(fc.tuple(...coordinates), { seed, numRuns: count - 1 }) : [];
  return [Float64Array.from(fn.point), ...drawn.map((p) => Float64Array.from(p))];
}

/** Options for {@link runFunctionAgreement}. */
export interface FunctionAgreementOptions extends JudgeOptions {
  readonly functions: readonly SuiteFunction[];
  readonly methods: readonly GradientMethod[];
  /** Points per function, its own point included (default 50). */
  readonly pointsPerFunction?: number;
  readonly seed: number;
  /** Called after each judged case. */
  readonly onCase?: (index: number, total: number, report: CaseReport, fn: SuiteFunction) => void;
}

/** The outcome: the agreement matrix, the cases by point class, and the first real disagreement (with its function). */
export interface FunctionAgreementRun {
  readonly seed: number;
  readonly runsCompleted: number;
  readonly methods: readonly string[];
  readonly rows: readonly AgreementRow[];
  readonly pointClasses: Readonly<Record<CaseReport['pointClass'], number>>;
  readonly failure?: { readonly function: string; readonly report: CaseReport };
  readonly timeMs: number;
}

/**
 * "Every method agrees with the high-precision reference within its error model" on the user's functions, at
 * points drawn from their domains (not shrunk: the function is fixed, only the point varies, and the failing
 * point is reported as drawn).
 */
export function runFunctionAgreement(options: FunctionAgreementOptions): FunctionAgreementRun {
  const start = performance.now();
  const count = options.pointsPerFunction ?? 50;
  const tally = new AgreementTally();
  const pointClasses = { smooth: 0, 'non-finite': 0, 'non-differentiable': 0 };
  let failure: FunctionAgreementRun['failure'];
  let completed = 0;
  const total = count * options.functions.length;
  options.functions.forEach((fn, k) => {
    for (const point of drawPoints(fn, count, options.seed + k)) {
      const report = judgeCase({ expr: fn.expr, variables: fn.variables, point }, options.methods, options);
      tally.add(report);
      pointClasses[report.pointClass]++;
      if (report.failed && failure === undefined) failure = { function: fn.name, report };
      options.onCase?.(completed, total, report, fn);
      completed++;
    }
  });
  return {
    seed: options.seed,
    runsCompleted: completed,
    methods: options.methods.map((m) => m.name),
    rows: tally.table(),
    pointClasses,
    failure,
    timeMs: performance.now() - start,
  };
}
