// The suite every report section runs on: functions at points, families parameterised by n, and optional experiments.
//
// A suite is data. The built-in default (suites/builtin.ts) and a user's suite (user-suite.ts turns a JSON or
// module file into one) have this same shape, so the report has no special path for either: a section that
// needs something a suite lacks (a family for the cost sweep, pitfalls) is simply not shown.
import type { Expr } from '../ir/node.ts';
import type { GradientCase } from './arbitraries.ts';

/** A variable's range for drawing points: [low, high], both finite, low < high. */
export type Interval = readonly [number, number];

/** One function of a suite at its point: the report shows every method on it side by side. */
export interface SuiteFunction extends GradientCase {
  readonly id: string;
  /** Short name, as the reader sees it in headings and tables. */
  readonly name: string;
  /** The expression as its author wrote it. */
  readonly text: string;
  /** Where points for the agreement run are drawn: an interval per variable. */
  readonly domain: Readonly<Record<string, Interval>>;
  /** The gradient a source states (a lesson), in `variables`' order; checked against the reference. */
  readonly expected?: readonly number[];
  /** For a program: the comparisons its trace at `point` took (the derivative of `expr` is the program's only where they hold). */
  readonly guards?: readonly string[];
}

/** A family of functions parameterised by a size n: the cost and swell sections grow it. */
export interface SuiteFamily {
  readonly name: string;
  /** A formula for the reader (`Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²`). */
  readonly text: string;
  readonly build: (n: number) => Expr;
  /** The variables of the nth member in order (default: those of `build(n)`, sorted as the IR lists them). */
  readonly variables: (n: number) => readonly string[];
  readonly point: (n: number) => Float64Array;
  /** Sizes for the cost sweep (default: the profile's) and for the swell table (default 1 … the profile's maximum). */
  readonly costNs?: readonly number[];
  readonly swellNs?: readonly number[];
  /** Which sections grow this family. */
  readonly roles: readonly ('cost' | 'swell')[];
}

/** A pitfall: a case where some method returns something surprising, and why. */
export interface PitfallCase extends GradientCase {
  readonly id: string;
  readonly title: string;
  /** The mechanism, independent of the numbers (the numbers come from the run). */
  readonly why: string;
  /** What the 64-digit reference differentiates here, in one line (the mathematical function, or the float64 program). */
  readonly referenceNote?: string;
}

/** A suite: what the report measures. */
export interface Suite {
  /** A short name for the report's title (`built-in`, `my-suite.json`). */
  readonly name: string;
  /** Heading of the functions section (`The seeds' lessons`, `Your functions`). */
  readonly functionsTitle: string;
  /** One line on where the functions come from. */
  readonly functionsNote: string;
  readonly functions: readonly SuiteFunction[];
  /** Further fixed cases for the accuracy section (beyond the functions). */
  readonly accuracyCases: readonly { readonly id: string; readonly case: GradientCase }[];
  /** Whether accuracy and agreement also run on random expressions from the harness's arbitraries. */
  readonly randomExpressions: boolean;
  /** The function, variable and label of the error-versus-step V curve (default: the first function, its first variable). */
  readonly vCurve?: { readonly function: SuiteFunction; readonly variable: string; readonly label: string };
  /** The function whose computational graph is drawn (default: the first). */
  readonly graph?: SuiteFunction;
  readonly families: readonly SuiteFamily[];
  readonly pitfalls: readonly PitfallCase[];
  /** Teaching experiments that need no input from the suite; the built-in suite turns them on. */
  readonly experiments: {
    readonly traces?: boolean;
    readonly higherOrder?: boolean;
    readonly tallWide?: boolean;
    readonly controlFlow?: boolean;
    /** Train one small network with AD gradients and with central-difference gradients (the training section). */
    readonly training?: boolean;
  };
}

// The built-in suite's functions, for code and tests that use them directly.
export {
  accuracyCases, baydinExample, lessons, logisticMap, numberedVariables, pitfalls, rosenbrock, rosenbrockPoint, sineChain, type LessonCase,
} from './suites/builtin.ts';

/**
 * The default domain for drawing points around a function's point: each variable in [a − w, a + w] with
 * w = max(1, |a|/2), so points stay near where the author looks, at a scale that does not depend on units.
 */
export function defaultDomain(variables: readonly string[], point: ArrayLike<number>): Record<string, Interval> {
  return Object.fromEntries(variables.map((v, i) => {
    const a = point[i];
    const w = Math.max(1, Math.abs(a) / 2);
    return [v, [a - w, a + w] as Interval];
  }));
}
