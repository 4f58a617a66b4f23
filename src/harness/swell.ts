// Expression swell on a family of functions: function size, mathjs derivative with and without simplify, the DAG derivative, the AD tape.
import type { GradientMethod } from '../diff/method.ts';
import { dagDerivatives } from '../diff/symbolic/dag.ts';
import { symbolicDerivatives } from '../diff/symbolic/mathjs-methods.ts';
import { SymbolicUnavailableError } from '../diff/symbolic/derivative.ts';
import { metrics, topologicalOrder } from '../ir/traverse.ts';
import { askMethod } from './answers.ts';
import type { SuiteFamily } from './suite.ts';

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
 * The family's members at each n differentiated every way: sizes of f (tree and DAG), mathjs's derivative
 * without and with `simplify` (under budgets; after a cut-off larger n are skipped, as they would only take
 * longer), gradlab's DAG derivative, and the autograd tape. Sizes of a gradient sum over its partials.
 */
export function measureSwell(family: SuiteFamily, ns: readonly number[], autograd: GradientMethod | undefined, options: SwellOptions = {}): SwellRow[] {
  const budgets = { timeBudgetMs: options.timeBudgetMs ?? 5000, sizeBudget: options.sizeBudget ?? 200_000 };
  const rows: SwellRow[] = [];
  let simplifyStopped: string | undefined;
  let mathjsStopped: string | undefined;
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  for (const n of ns) {
    const expr = family.build(n);
    const variables = family.variables(n);
    const size = metrics(expr);
    options.onStep?.(`swell: ${family.name} at n = ${n}`);
    const mathjs: SizedStep = mathjsStopped
      ? { status: 'skipped', reason: mathjsStopped }
      : symbolicStep(() => {
          const ds = symbolicDerivatives(expr, variables, { simplify: false, budgets });
          return { size: total(ds.map((d) => d.mathjsDerivedTreeSize ?? d.treeSize)), ms: total(ds.map((d) => d.deriveMs)) };
        });
    if (mathjs.status === 'budget') mathjsStopped = `not tried beyond n = ${n}`;
    const simplified: SizedStep = simplifyStopped
      ? { status: 'skipped', reason: simplifyStopped }
      : symbolicStep(() => {
          const ds = symbolicDerivatives(expr, variables, { simplify: true, budgets });
          return { size: total(ds.map((d) => d.mathjsSimplifiedTreeSize ?? d.treeSize)), ms: total(ds.map((d) => d.deriveMs + (d.simplifyMs ?? 0))) };
        });
    if (simplified.status === 'budget') simplifyStopped = `not tried beyond n = ${n} (cut off at n = ${n})`;
    const dags = dagDerivatives(expr, variables);
    const dagSize = variables.length === 1 ? dags[0].dagSize : topologicalOrder(dags.map((d) => d.derivative)).length;
    const answer = autograd ? askMethod(autograd, { expr, variables, point: family.point(n) }) : undefined;
    const tape = answer?.result?.extra?.tapeLength;
    rows.push({
      n,
      fTree: size.treeSize,
      fDag: size.dagSize,
      mathjs,
      simplified,
      dag: { status: 'ok', size: dagSize, tree: total(dags.map((d) => d.treeSize)), ms: total(dags.map((d) => d.deriveMs)) },
      tapeLength: typeof tape === 'number' ? tape : undefined,
      autogradMs: answer?.timeMs,
    });
  }
  return rows;
}
