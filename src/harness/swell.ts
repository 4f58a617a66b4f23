// Expression swell on the logistic map: function size, mathjs derivative with and without simplify, the DAG derivative, the AD tape.
import type { GradientMethod } from '../diff/method.ts';
import { dagDerivatives } from '../diff/symbolic/dag.ts';
import { symbolicDerivatives } from '../diff/symbolic/mathjs-methods.ts';
import { SymbolicUnavailableError } from '../diff/symbolic/derivative.ts';
import { metrics } from '../ir/traverse.ts';
import { askMethod } from './answers.ts';
import { logisticMap } from './suite.ts';

/** One symbolic measurement: a size and a time, or why there is none. */
export interface SizedStep {
  readonly status: 'ok' | 'budget' | 'unavailable' | 'skipped';
  /** Nodes of the result written as a tree (mathjs) or distinct nodes (DAG). */
  readonly size?: number;
  readonly ms?: number;
  readonly reason?: string;
}

/** One row of the swell table (teaching.md R1). */
export interface SwellRow {
  readonly n: number;
  readonly fTree: number;
  readonly fDag: number;
  /** mathjs `derivative(…, { simplify: false })`: tree nodes of its result. */
  readonly mathjs: SizedStep;
  /** mathjs `derivative` then `simplify`: tree nodes after simplification. */
  readonly simplified: SizedStep;
  /** gradlab's reverse accumulation on the DAG: distinct nodes of dlₙ/dx. */
  readonly dag: SizedStep & { readonly tree?: number };
  /** Autograd: recorded nodes, and the time of one value-and-gradient. */
  readonly tapeLength?: number;
  readonly autogradMs?: number;
}

/** Options for {@link measureSwell}. */
export interface SwellOptions {
  /** Time budget of each mathjs step, milliseconds (default 5,000). */
  readonly timeBudgetMs?: number;
  /** Size budget of each mathjs step, tree nodes (default 200,000). */
  readonly sizeBudget?: number;
  readonly onStep?: (label: string) => void;
}

function symbolicStep(run: () => { size: number; ms: number }): SizedStep {
  try {
    return { status: 'ok', ...run() };
  } catch (error) {
    if (error instanceof SymbolicUnavailableError) return { status: error.cutOff ? 'budget' : 'unavailable', reason: error.reason };
    throw error;
  }
}

/**
 * The logistic map's iterates l₁ … l_max differentiated every way: sizes of f (tree and DAG), mathjs's
 * derivative without and with `simplify` (under budgets; after a cut-off larger n are skipped, as they
 * would only take longer), gradlab's DAG derivative, and the autograd tape.
 */
export function measureSwell(max: number, autograd: GradientMethod | undefined, options: SwellOptions = {}): SwellRow[] {
  const budgets = { timeBudgetMs: options.timeBudgetMs ?? 5000, sizeBudget: options.sizeBudget ?? 200_000 };
  const rows: SwellRow[] = [];
  let simplifyStopped: string | undefined;
  let mathjsStopped: string | undefined;
  for (let n = 1; n <= max; n++) {
    const expr = logisticMap(n);
    const size = metrics(expr);
    options.onStep?.(`swell: l${n}`);
    const mathjs: SizedStep = mathjsStopped
      ? { status: 'skipped', reason: mathjsStopped }
      : symbolicStep(() => {
          const [d] = symbolicDerivatives(expr, ['x'], { simplify: false, budgets });
          return { size: d.mathjsDerivedTreeSize ?? d.treeSize, ms: d.deriveMs };
        });
    if (mathjs.status === 'budget') mathjsStopped = `not tried beyond n = ${n}`;
    const simplified: SizedStep = simplifyStopped
      ? { status: 'skipped', reason: simplifyStopped }
      : symbolicStep(() => {
          const [d] = symbolicDerivatives(expr, ['x'], { simplify: true, budgets });
          return { size: d.mathjsSimplifiedTreeSize ?? d.treeSize, ms: d.deriveMs + (d.simplifyMs ?? 0) };
        });
    if (simplified.status === 'budget') simplifyStopped = `not tried beyond n = ${n} (cut off at n = ${n})`;
    const [dag] = dagDerivatives(expr, ['x']);
    const answer = autograd ? askMethod(autograd, { expr, variables: ['x'], point: Float64Array.of(0.2) }) : undefined;
    const tape = answer?.result?.extra?.tapeLength;
    rows.push({
      n,
      fTree: size.treeSize,
      fDag: size.dagSize,
      mathjs,
      simplified,
      dag: { status: 'ok', size: dag.dagSize, tree: dag.treeSize, ms: dag.deriveMs },
      tapeLength: typeof tape === 'number' ? tape : undefined,
      autogradMs: answer?.timeMs,
    });
  }
  return rows;
}
