// The mathjs symbolic differentiators: `symbolic` (derivative as mathjs writes it) and `symbolic-simplified` (and mathjs's simplify), under budgets.
import { constant, type Expr } from '../../ir/node.ts';
import { variablesOf } from '../../ir/traverse.ts';
import type { GradientMethod, GradientRequest } from '../method.ts';
import { interpretNodes, realAlgebra } from '../../ir/evaluate.ts';
import { ops } from '../../ir/ops.ts';
import { fromMathjsFlat, toMathjsFlat, unsupportedByMathjs } from './mathjs-bridge.ts';
import { flatMetrics } from './mathjs-flat.mjs';
import { runMathjs, type MathjsFailure } from './mathjs-runner.ts';
import { compileGradient, symbolicResult } from './gradient-program.ts';
import type { FlatMathjs } from './mathjs-flat.d.mts';
import {
  formatCount,
  formatDuration,
  partialName,
  symbolicDerivative,
  SymbolicUnavailableError,
  type SymbolicDerivative,
} from './derivative.ts';

/** Limits on each symbolic step (one derivative, or one simplification, of one partial). */
export interface SymbolicBudgets {
  /** Wall time one step may take, milliseconds (default 5,000). */
  readonly timeBudgetMs?: number;
  /** Largest expression, in tree nodes, a step may take or produce (default 200,000). */
  readonly sizeBudget?: number;
}

/** The budgets used when none are given. */
export const defaultSymbolicBudgets: Required<SymbolicBudgets> = Object.freeze({ timeBudgetMs: 5000, sizeBudget: 200_000 });

/** Options for {@link symbolicDerivatives}. */
export interface SymbolicDerivativesOptions {
  /** Run mathjs's `simplify` on each derivative (mathjs's own default); false gives `derivative(…, { simplify: false })`. */
  readonly simplify?: boolean;
  readonly budgets?: SymbolicBudgets;
  /** Where mathjs runs: a worker thread (default; budgets enforced) or this thread (no time budget: small inputs only). */
  readonly thread?: 'worker' | 'main';
  /** Largest tree the derivatives' `infix` and `latex` are written for. */
  readonly printLimit?: number;
}

/** The method name for the flavour of mathjs differentiation. */
function methodName(simplify: boolean): string {
  return simplify ? 'symbolic-simplified' : 'symbolic';
}

/** The sentence a failure of the mathjs job becomes. */
function describeFailure(failure: MathjsFailure, budgets: Required<SymbolicBudgets>): string {
  const partial = partialName(failure.variable);
  const doing = failure.step === 'derive' ? 'differentiating' : 'simplifying';
  switch (failure.reason) {
    case 'time':
      return `time budget of ${formatDuration(budgets.timeBudgetMs)} exhausted while ${doing} ${partial}`;
    case 'size':
      return `size budget of ${formatCount(budgets.sizeBudget)} nodes exceeded while ${doing} ${partial} (the result has ${formatCount(failure.treeSize ?? NaN)} tree nodes)`;
    case 'overflow':
      return `mathjs overflowed its stack on an expression of depth ${formatCount(failure.depth ?? NaN)} / ${formatCount(failure.treeSize ?? NaN)} nodes (while ${doing} ${partial})`;
    case 'startup':
      return `could not run mathjs: ${failure.message}`;
    case 'error':
      return `mathjs failed while ${doing} ${partial}: ${failure.message}`;
  }
}

/**
 * The partial derivatives of `expr` by mathjs: `derivative(node, v, { simplify: false })` per variable, then
 * (with `simplify`) `simplify`, each step under the time and size budgets, in a worker thread; the results are
 * converted back into gradlab's IR (hash-consed). Variables the expression does not use get the constant 0.
 * @throws SymbolicUnavailableError for an op mathjs cannot differentiate, an exhausted budget, or a mathjs stack overflow.
 */
export function symbolicDerivatives(
  expr: Expr,
  variables: readonly string[],
  options: SymbolicDerivativesOptions = {},
): SymbolicDerivative[] {
  return mathjsDerivatives(expr, variables, options).derivatives;
}

/** {@link symbolicDerivatives} with, when simplifying, mathjs's unsimplified derivatives beside the simplified ones. */
function mathjsDerivatives(
  expr: Expr,
  variables: readonly string[],
  options: SymbolicDerivativesOptions,
): { derivatives: SymbolicDerivative[]; unsimplified?: Expr[] } {
  const simplify = options.simplify ?? false;
  const method = methodName(simplify);
  const budgets = { ...defaultSymbolicBudgets, ...definedOnly(options.budgets ?? {}) };

  const unsupported = unsupportedByMathjs(expr);
  if (unsupported.length > 0) {
    const reason = `not supported symbolically: ${unsupported.map((u) => u.op).join(', ')} (${unsupported.map((u) => u.reason).join('; ')})`;
    throw new SymbolicUnavailableError(method, reason, 'unsupported');
  }

  const used = variablesOf(expr);
  const usedSet = new Set(used);
  const flat = toMathjsFlat(expr);

  const input = flatMetrics(flat);
  if (input.treeSize > budgets.sizeBudget) {
    const reason = `size budget of ${formatCount(budgets.sizeBudget)} nodes exceeded before differentiating: mathjs works on trees, and the expression written out as a tree has ${formatCount(input.treeSize)} nodes (${formatCount(input.dagSize)} distinct)`;
    throw new SymbolicUnavailableError(method, reason, 'size', variables.find((v) => usedSet.has(v)), 'derive');
  }

  const wanted = variables.filter((v) => usedSet.has(v));
  const outcome = runMathjs(
    { flat, freeVariables: used, variables: wanted, simplify },
    { timeBudgetMs: budgets.timeBudgetMs, sizeBudget: budgets.sizeBudget, thread: options.thread },
  );
  if (outcome.failure !== undefined) {
    const { failure } = outcome;
    const kind = failure.reason === 'startup' ? 'error' : failure.reason;
    throw new SymbolicUnavailableError(method, describeFailure(failure, budgets), kind, failure.variable, failure.step);
  }

  const readBack = (name: string, step: { flat?: FlatMathjs; step: 'derive' | 'simplify' }): Expr => {
    try {
      return fromMathjsFlat(step.flat!, { variableOf: (s) => (usedSet.has(s) ? s : undefined) });
    } catch (error) {
      const reason = `mathjs's result for ${partialName(name)} cannot be read back: ${(error as Error).message}`;
      throw new SymbolicUnavailableError(method, reason, 'error', name, step.step);
    }
  };
  const unsimplified = simplify
    ? variables.map((name) => {
        const derived = outcome.steps.find((s) => s.variable === name && s.step === 'derive');
        return derived === undefined ? constant(0) : readBack(name, derived);
      })
    : undefined;
  const derivatives = variables.map((name) => {
    if (!usedSet.has(name)) {
      // ∂f/∂v = 0 for a variable f does not use.
      return symbolicDerivative({ variable: name, derivative: constant(0), treeSize: 1, dagSize: 1, deriveMs: 0, simplifyMs: simplify ? 0 : null }, options.printLimit);
    }
    const derived = outcome.steps.find((s) => s.variable === name && s.step === 'derive')!;
    const simplified = outcome.steps.find((s) => s.variable === name && s.step === 'simplify');
    const derivative = readBack(name, simplified ?? derived);
    return symbolicDerivative(
      {
        variable: name,
        derivative,
        deriveMs: derived.ms,
        simplifyMs: simplified?.ms ?? null,
        mathjsDerivedTreeSize: derived.treeSize,
        ...(simplified ? { mathjsSimplifiedTreeSize: simplified.treeSize } : {}),
        ...(outcome.workerStartupMs !== undefined && name === wanted[0] ? { workerStartupMs: outcome.workerStartupMs } : {}),
      },
      options.printLimit,
    );
  });
  return { derivatives, unsimplified };
}

function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Reads the budget options a method is given (`timeBudgetMs`, `sizeBudget`, `thread`), rejecting nonsense. */
export function readSymbolicOptions(options: Readonly<Record<string, unknown>>): { budgets: SymbolicBudgets; thread?: 'worker' | 'main' } {
  const positive = (key: string): number | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value > 0)) throw new TypeError(`option ${key} must be a positive number, got ${String(value)}`);
    return value;
  };
  const thread = options.thread;
  if (thread !== undefined && thread !== 'worker' && thread !== 'main') throw new TypeError(`option thread must be 'worker' or 'main', got ${String(thread)}`);
  return { budgets: { timeBudgetMs: positive('timeBudgetMs'), sizeBudget: positive('sizeBudget') }, thread };
}

/**
 * Whether one of `node`'s partials (as the op table builds them) reads the value of its argument `arg`. The walk
 * stops at the node's arguments, so it visits only the partial's own template (a few nodes), never `arg`'s subtree.
 */
function partialsUse(node: Expr, arg: Expr): boolean {
  const args = node.args;
  const stack: Expr[] = [...ops[node.op!].partials(args, node)];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.id === arg.id) return true;
    if (args.some((a) => a.id === e.id)) continue;
    stack.push(...e.args);
  }
  return false;
}

/**
 * What the op table says about mathjs's rules at this point: `caveats`, the reasons they give no real derivative
 * here (`mathjsDerivativeHolds`, e.g. cbrt of a negative number), so the method says so instead of returning NaN;
 * and `notes`, where they give other values than the table's masked partials (`mathjsRuleDiffers`, pow at u = 0),
 * so the method answers with mathjs's values and says why they differ; and `smooth`, whether every op is inside its
 * smooth domain here.
 */
function mathjsRuleFacts(request: GradientRequest): { caveats: string[]; notes: string[]; smooth: boolean } {
  const index = new Map(request.variables.map((name, i) => [name, i]));
  const { order, values } = interpretNodes(request.expr, (v) => request.point[index.get(v.name)!], realAlgebra);
  const position = new Map(order.map((node, i) => [node.id, i]));
  const dependent = new Set<number>();
  const reasons = new Set<string>();
  const notes = new Set<string>();
  let smooth = true;
  for (const node of order) {
    if (node.kind === 'var') dependent.add(node.id);
    if (node.op === null) continue;
    if (node.args.some((arg) => dependent.has(arg.id))) dependent.add(node.id);
    const spec = ops[node.op];
    const [a, b] = node.args.map((arg) => values[position.get(arg.id)!]);
    const holds = spec.mathjsDerivativeHolds;
    const constant = node.args.map((arg) => !dependent.has(arg.id));
    if (!spec.domain.contains(a, b ?? NaN, constant)) smooth = false;
    if (holds !== undefined && !holds.where(a, b ?? NaN, constant)) reasons.add(`${holds.reason} (here u = ${a}${b === undefined ? '' : `, v = ${b}`})`);
    if (dependent.has(node.id)) {
      // An argument whose lowered value is inaccurate matters only where this op's partials use that value.
      node.args.forEach((arg, i) => {
        const loses = arg.op === null ? undefined : ops[arg.op].mathjsValueLoses;
        const u = values[position.get(arg.args[0]?.id ?? -1)!];
        if (loses !== undefined && loses.where(u) && partialsUse(node, arg)) reasons.add(`${loses.reason} (here u = ${u}, argument ${i + 1} of ${node.op})`);
      });
    }
    const differs = spec.mathjsRuleDiffers;
    if (differs !== undefined && differs.where(a, b ?? NaN, constant)) {
      notes.add(`${differs.note} (here u = ${a}${b === undefined ? '' : `, v = ${b}`})`);
    }
  }
  return { caveats: [...reasons], notes: [...notes], smooth };
}

/**
 * A partial whose value mathjs's `simplify` changed at the point: the simplified derivative evaluates to
 * something else than mathjs's own unsimplified derivative there. `simplify` rewrites over the complex plane
 * and assumes positivity (`cbrt(z·z)` → `z^(2/3)`, `(x²)^0.5` → `x`, `(−z)^c` → `(−1)^c·z^c`), drops terms it
 * deems negligible (`x² + 1e-300` → `x²`) and folds constants past float64's range (`1e308·3` → `Infinity`), so its rewrite can be invalid at a real point where the unsimplified
 * derivative is fine. `symbolic-simplified` reports these in `extra.simplifyRewrites` (and
 * `extra.unsimplifiedGradient`), and the agreement check counts them as `simplify-invalid`, not as bugs.
 */
export interface SimplifyRewrite {
  readonly variable: string;
  /** mathjs's derivative before `simplify`, evaluated at the point. */
  readonly unsimplified: number;
  /** The same derivative after `simplify`, evaluated at the point (what `symbolic-simplified` answers). */
  readonly simplified: number;
}

/** Relative change beyond which a simplified partial counts as changed (rounding differences stay far below). */
const rewriteThreshold = 1e-8;

/** The partials whose simplified value differs from the unsimplified one (NaN against a number included). */
export function simplifyRewrites(
  variables: readonly string[],
  unsimplified: ArrayLike<number>,
  simplified: ArrayLike<number>,
): SimplifyRewrite[] {
  const changed: SimplifyRewrite[] = [];
  for (let i = 0; i < variables.length; i++) {
    const [u, s] = [unsimplified[i], simplified[i]];
    if (u === s || (Number.isNaN(u) && Number.isNaN(s))) continue;
    // Both finite and close: rounding. (With an infinite one, |u − s| ≤ 1e-8·∞ would hold for every finite other.)
    if (Number.isFinite(u) && Number.isFinite(s) && Math.abs(u - s) <= rewriteThreshold * Math.max(Math.abs(u), Math.abs(s))) continue;
    changed.push({ variable: variables[i], unsimplified: u, simplified: s });
  }
  return changed;
}

/**
 * Examples where mathjs's `simplify` gives a wrong derivative at a real point while its unsimplified derivative is
 * right: data for the report's pitfalls (expression text, point, and the mechanism). Each is pinned by a test.
 */
export const simplifyPitfallExamples: readonly { readonly expr: string; readonly at: Readonly<Record<string, number>>; readonly why: string }[] = [
  { expr: '(x^2)^0.5', at: { x: -3 }, why: 'simplify rewrites (x²)^0.5 as x, valid only for x ≥ 0: the derivative becomes 1 where it is −1' },
  { expr: 'cbrt(z*z)', at: { z: -1.5 }, why: 'simplify rewrites cbrt(z·z) with z^(2/3) (a complex power for z < 0): the derivative becomes NaN' },
  { expr: '(-z)^cos(-z)', at: { z: -0.5 }, why: 'simplify pulls (−1)^cos(−z) out of (−z)^cos(−z): a complex power, NaN in real arithmetic' },
];

function mathjsMethod(simplify: boolean): GradientMethod {
  return {
    name: methodName(simplify),
    summary: simplify
      ? "mathjs's derivative and simplify per variable (under time and size budgets), evaluated through gradlab's compiler"
      : "mathjs's derivative per variable without simplification, evaluated through gradlab's compiler",
    compute(request) {
      const { budgets, thread } = readSymbolicOptions(request.options);
      const { caveats, notes: ruleNotes, smooth } = mathjsRuleFacts(request);
      if (caveats.length > 0) throw new SymbolicUnavailableError(methodName(simplify), caveats.join('; '), 'unsupported');
      const { derivatives, unsimplified } = mathjsDerivatives(request.expr, request.variables, { simplify, budgets, thread });
      const plain = symbolicResult(request, derivatives);
      // mathjs's own (unsimplified) derivative at this point: what simplify started from.
      const before = unsimplified === undefined ? plain.gradient : compileGradient(request.expr, unsimplified, request.variables)(request.point).gradient;
      if (smooth && ruleNotes.length === 0 && Number.isFinite(plain.value)) {
        // Inside every op's smooth domain a non-finite partial is no derivative mathjs can stand behind: its formula
        // overflowed (the quotient rule's u·v′ at u = 1.8e308, where (u′v − uv′)/v² is 5e306) or the derivative
        // itself is beyond float64's range. Either way, refuse with the reason instead of answering ∞ or NaN.
        const k = Array.from(before).findIndex((g) => !Number.isFinite(g));
        if (k >= 0) {
          throw new SymbolicUnavailableError(
            methodName(simplify),
            `mathjs's derivative ${partialName(request.variables[k])} evaluates to ${before[k]} here although f = ${plain.value} and every op is smooth: either the derivative is beyond float64's range or mathjs's formula forms an intermediate that is (as the quotient rule's u·v′ can for a huge u)`,
            'overflow',
          );
        }
      }
      const result = ruleNotes.length === 0 ? plain : { ...plain, notes: [...(plain.notes ?? []), ...ruleNotes] };
      if (unsimplified === undefined) return result;
      // simplify may rewrite into a form that is not valid at this point: compare with mathjs's unsimplified
      // derivative, and say where the two differ (the answer stays the simplified one: that is what mathjs gives).
      const rewrites = simplifyRewrites(request.variables, before, result.gradient);
      if (rewrites.length === 0) return result;
      const notes = rewrites.map(
        (r) => `mathjs simplify changed ${partialName(r.variable)} at this point: ${r.simplified} simplified, ${r.unsimplified} unsimplified (its rewrite is not valid here)`,
      );
      return {
        ...result,
        notes: [...(result.notes ?? []), ...notes],
        extra: { ...result.extra, simplifyRewrites: rewrites, unsimplifiedGradient: before },
      };
    },
  };
}

/** `symbolic`: mathjs's `derivative(…, { simplify: false })` per variable. */
export const symbolicMethod: GradientMethod = mathjsMethod(false);

/** `symbolic-simplified`: mathjs's `derivative` followed by `simplify` (mathjs's default), per variable. */
export const symbolicSimplifiedMethod: GradientMethod = mathjsMethod(true);
