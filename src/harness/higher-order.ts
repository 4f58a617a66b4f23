// Higher-order derivatives of tanh three ways (AD-of-AD, symbolic-of-symbolic, FD-of-FD) against a closed-form BigNumber reference.
import type { BigNumber } from 'mathjs';
import { compile } from '../ir/compile.ts';
import { evaluateExpr } from '../ir/evaluate.ts';
import { apply, variable, type Expr } from '../ir/node.ts';
import { metrics } from '../ir/traverse.ts';
import { grad, tensor, type Tensor } from '../diff/autograd/index.ts';
import { dagGradient } from '../diff/symbolic/index.ts';
import { bigMath, exactBig } from './reference.ts';

/**
 * dⁿ/dxⁿ tanh(x) = Pₙ(t) with t = tanh(x): P₀ = t and Pₙ₊₁(t) = Pₙ′(t)·(1 − t²) (since dt/dx = 1 − t²).
 * Returns the integer coefficients of P₀…P_maxOrder, lowest power first.
 */
export function tanhDerivativePolynomials(maxOrder: number): number[][] {
  const polys: number[][] = [[0, 1]];
  for (let n = 1; n <= maxOrder; n++) {
    const p = polys[n - 1];
    const dp = p.slice(1).map((c, i) => c * (i + 1));
    // dp · (1 − t²)
    const next = new Array<number>(dp.length + 2).fill(0);
    dp.forEach((c, i) => {
      next[i] += c;
      next[i + 2] -= c;
    });
    while (next.length > 1 && next[next.length - 1] === 0) next.pop();
    polys.push(next);
  }
  return polys;
}

/**
 * The nth derivatives of tanh at `x` for n = 1…maxOrder, from the closed form {@link tanhDerivativePolynomials}
 * evaluated in `precision`-digit BigNumber arithmetic (x taken as its exact double), rounded once to doubles.
 */
export function tanhDerivativeReference(x: number, maxOrder: number, precision = 64): number[] {
  const math = bigMath(precision);
  const t = math.tanh(exactBig(math, x)) as unknown as BigNumber;
  return tanhDerivativePolynomials(maxOrder)
    .slice(1)
    .map((coefficients) => coefficients.reduceRight<BigNumber>((acc, c) => acc.times(t).plus(c), math.bignumber(0)).toNumber());
}

/** One method's nth derivative: the value, its relative error against the reference, and what it cost. */
export interface OrderAnswer {
  readonly value: number;
  /** |value − reference| / |reference|. */
  readonly error: number;
  readonly ms: number;
}

/** One order of the comparison. */
export interface HigherOrderRow {
  readonly order: number;
  readonly reference: number;
  /** AD-of-AD: `grad(…, { createGraph: true })` applied n times on the Tensor engine. */
  readonly ad?: OrderAnswer;
  /** symbolic-dag applied n times, with the nth derivative's sizes. */
  readonly symbolic?: OrderAnswer & { readonly dagSize: number; readonly treeSize: number };
  /** Nested central differences with one fixed step h: 2ⁿ evaluations of f. */
  readonly fd: OrderAnswer & { readonly evaluations: number };
  /** Nested central differences with the step retuned per order, hₙ = ε^(1/(n+2)). */
  readonly fdTuned: OrderAnswer & { readonly h: number };
}

/** The whole comparison: where, with which step, and each order's answers. */
export interface HigherOrder {
  readonly x: number;
  readonly maxOrder: number;
  /** The fixed step of the nested central differences (the first-order optimum ε^(1/3)). */
  readonly h: number;
  readonly rows: readonly HigherOrderRow[];
  /** Orders a method did not reach because the previous order took longer than the budget. */
  readonly cutOff: { readonly ad?: number; readonly symbolic?: number };
}

/** Options for {@link measureHigherOrder}. */
export interface HigherOrderOptions {
  readonly x?: number;
  readonly maxOrder?: number;
  /** Longest one order may take before the exact methods stop going higher, milliseconds. */
  readonly budgetMs?: number;
}

const relative = (value: number, reference: number) => Math.abs(value - reference) / Math.abs(reference);

/** Nested central differences: Dⁿf(x) = (Dⁿ⁻¹f(x + h) − Dⁿ⁻¹f(x − h)) / 2h, with D⁰f = f. */
export function nestedCentral(f: (x: number) => number, x: number, order: number, h: number): number {
  if (order === 0) return f(x);
  return (nestedCentral(f, x + h, order - 1, h) - nestedCentral(f, x - h, order - 1, h)) / (2 * h);
}

/**
 * dⁿ tanh/dxⁿ at `x` (default 0.5) for n = 1…maxOrder (default 6) by AD-of-AD, symbolic-of-symbolic and
 * FD-of-FD, each against {@link tanhDerivativeReference}.
 */
export function measureHigherOrder(options: HigherOrderOptions = {}): HigherOrder {
  const x0 = options.x ?? 0.5;
  const maxOrder = options.maxOrder ?? 6;
  const budgetMs = options.budgetMs ?? 5000;
  const reference = tanhDerivativeReference(x0, maxOrder);
  const f: Expr = apply('tanh', variable('x'));
  const fn = compile(f, ['x']);
  const scalar = (x: number) => fn([x]);
  const h = Math.cbrt(Number.EPSILON);

  // AD-of-AD: each grad call builds the graph of the next derivative.
  const x = tensor(x0, { requiresGrad: true });
  let adOut: Tensor | undefined = x.tanh();
  let derivative: Expr | undefined = f;
  const cutOff: { ad?: number; symbolic?: number } = {};
  const rows: HigherOrderRow[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const ref = reference[n - 1];
    let ad: OrderAnswer | undefined;
    if (adOut !== undefined) {
      const start = performance.now();
      const g: Tensor = grad(adOut, x, { createGraph: true })[0]!;
      const ms = performance.now() - start;
      ad = { value: g.item(), error: relative(g.item(), ref), ms };
      adOut = g;
      if (ms > budgetMs && n < maxOrder) {
        cutOff.ad = n + 1;
        adOut = undefined;
      }
    }
    let symbolic: HigherOrderRow['symbolic'];
    if (derivative !== undefined) {
      const start = performance.now();
      const d: Expr = dagGradient(derivative, ['x'])[0];
      const value = evaluateExpr(d, { x: x0 });
      const ms = performance.now() - start;
      const m = metrics(d);
      symbolic = { value, error: relative(value, ref), ms, dagSize: m.dagSize, treeSize: m.treeSize };
      derivative = d;
      if (ms > budgetMs && n < maxOrder) {
        cutOff.symbolic = n + 1;
        derivative = undefined;
      }
    }
    let start = performance.now();
    const fdValue = nestedCentral(scalar, x0, n, h);
    const fd = { value: fdValue, error: relative(fdValue, ref), ms: performance.now() - start, evaluations: 2 ** n };
    const hn = Number.EPSILON ** (1 / (n + 2));
    start = performance.now();
    const tunedValue = nestedCentral(scalar, x0, n, hn);
    const fdTuned = { value: tunedValue, error: relative(tunedValue, ref), ms: performance.now() - start, h: hn };
    rows.push({ order: n, reference: ref, ad, symbolic, fd, fdTuned });
  }
  return { x: x0, maxOrder, h, rows, cutOff };
}
