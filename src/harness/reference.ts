// The high-precision reference: value and gradient by reverse accumulation over the DAG in mathjs BigNumber arithmetic.
//
// Reverse accumulation interprets the op table's local partials (`localPartials`, IR expressions) exactly as a
// symbolic differentiator on the DAG would, but evaluates every value, partial and adjoint in 64-digit decimal
// arithmetic through each op's `mathjs` form (operators, native functions, lowerings). The result is the
// derivative of the program the doubles describe (its inputs and constants taken as the exact doubles they
// are), correct to far more digits than float64 holds: accuracy is measured against it, not against
// another float64 method.
import { all, create, type BigNumber, type MathJsInstance } from 'mathjs';
import type { Expr, OpExpr } from '../ir/node.ts';
import { ops, type OpName } from '../ir/ops.ts';
import { localPartials } from '../ir/partials.ts';
import { topologicalOrder } from '../ir/traverse.ts';
import { interpretNodes, realAlgebra } from '../ir/evaluate.ts';

/** Digits of the reference arithmetic unless a caller asks for others. */
export const defaultPrecision = 64;

const instances = new Map<number, MathJsInstance>();

/** A mathjs instance computing in BigNumbers of `precision` digits, with gradlab's non-native functions added. */
export function bigMath(precision: number = defaultPrecision): MathJsInstance {
  let math = instances.get(precision);
  if (math === undefined) {
    math = create(all, { number: 'BigNumber', precision });
    const m = math;
    const zero = m.bignumber(0);
    const one = m.bignumber(1);
    // The op table's functions that mathjs lacks (relu, step), and xlogy, mulNoNan and powPrime, whose lowerings would
    // turn the op's conventions (xlogy(0, v) = 0, mul_no_nan(u, 0) = 0, pow_prime(u, 0) = 0) into 0·(−∞) = NaN.
    m.import(
      {
        relu: m.typed('relu', { BigNumber: (u: BigNumber) => (u.isNaN() ? u : u.gt(0) ? u : zero) }),
        step: m.typed('step', { BigNumber: (u: BigNumber) => (u.isNaN() ? u : u.gt(0) ? one : zero) }),
        xlogy: m.typed('xlogy', {
          'BigNumber, BigNumber': (u: BigNumber, v: BigNumber) => (u.isZero() && !v.isNaN() ? zero : u.times(v.ln())),
        }),
        // mul_no_nan's lowering u·v would turn its 0 where v = 0 into 0·∞ = NaN when u is infinite (pow's masks).
        mulNoNan: m.typed('mulNoNan', {
          'BigNumber, BigNumber': (u: BigNumber, v: BigNumber) => (v.isZero() ? zero : u.times(v)),
        }),
        // pow_prime's lowering v·u^(v−1) is 0·∞ = NaN at v = 0, u = 0, where pow_prime is 0.
        powPrime: m.typed('powPrime', {
          'BigNumber, BigNumber': (u: BigNumber, v: BigNumber) => (v.isZero() ? zero : v.times(u.pow(v.minus(1)))),
        }),
        // decimal.js's sinh, cosh and tanh run for minutes at |u| ≳ 1e15 (series in u); from e^|u| they take
        // microseconds, and lose no digits for |u| ≥ 1 (below that the native ones are fast and exact).
        sinh: m.typed('sinh', {
          BigNumber: (u: BigNumber) => {
            if (u.isNaN() || u.abs().lt(1)) return u.sinh();
            const e = u.abs().exp();
            const value = e.minus(one.div(e)).div(2);
            return u.isNeg() ? value.neg() : value;
          },
        }),
        cosh: m.typed('cosh', {
          BigNumber: (u: BigNumber) => {
            if (u.isNaN() || u.abs().lt(1)) return u.cosh();
            const e = u.abs().exp();
            return e.plus(one.div(e)).div(2);
          },
        }),
        tanh: m.typed('tanh', {
          BigNumber: (u: BigNumber) => {
            if (u.isNaN() || u.abs().lt(1)) return u.tanh();
            const t = u.abs().times(-2).exp(); // e^(−2|u|) ≤ e^−2: (1 − t)/(1 + t) has no cancellation
            const value = one.minus(t).div(one.plus(t));
            return u.isNeg() ? value.neg() : value;
          },
        }),
        // softplus's lowering log(1 + e^u) rounds 1 + e^u to 1 for u < −148 at 64 digits and returns 0 where the
        // value is e^u: compute max(u, 0) + log1p(e^−|u|), with log1p by its series for small arguments.
        softplus: m.typed('softplus', {
          BigNumber: (u: BigNumber) => (u.isNaN() ? u : (u.gt(0) ? u : zero).plus(log1p(u.abs().neg().exp()))),
        }),
      },
      { override: true },
    );
    instances.set(precision, m);
  }
  return math;
}

/** log(1 + t) for 0 ≤ t ≤ 1 to the working precision: by its alternating series for small t, where 1 + t would round. */
function log1p(t: BigNumber): BigNumber {
  if (t.isZero() || t.gt(1e-3)) return t.plus(1).ln();
  // Σ (−1)^(k+1) t^k / k: each term is ≤ 1e-3 times the previous, so this stops after precision/3 terms.
  const digits = (t.constructor as unknown as { precision: number }).precision;
  const threshold = t.times(`1e-${digits + 2}`);
  let sum = t;
  let power = t;
  for (let k = 2; ; k++) {
    power = power.times(t);
    const term = power.div(k);
    if (term.lt(threshold)) return sum;
    sum = k % 2 === 0 ? sum.minus(term) : sum.plus(term);
  }
}

/** Ops evaluated by a registered BigNumber function instead of their `mathjs` form (see {@link bigMath}). */
const bigOverrides: Partial<Record<OpName, string>> = { xlogy: 'xlogy', mulNoNan: 'mulNoNan', powPrime: 'powPrime', softplus: 'softplus' };

/**
 * The exact decimal value of a finite double (every double is a binary rational m·2^k, so its decimal expansion
 * is finite): `1e100` is `10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104`.
 */
export function exactDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`exactDecimal needs a finite number, got ${value}`);
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  // v = m · 2^k with an integer m < 2^53: scale by powers of two (exact) until the value is an integer.
  let k = 0;
  while (!Number.isInteger(v)) {
    v *= 2;
    k--;
  }
  const m = BigInt(v);
  if (k === 0) return sign + m.toString();
  // m · 2^k = m · 5^−k / 10^−k
  const digits = (m * 5n ** BigInt(-k)).toString().padStart(-k + 1, '0');
  const point = digits.length + k;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`.replace(/\.?0+$/, '');
}

/** A double as a BigNumber: its exact binary value (not its shortest decimal: 0.1 is 0.1000000000000000055…), to the working precision. */
export function exactBig(math: MathJsInstance, value: number): BigNumber {
  if (!Number.isFinite(value)) return math.bignumber(value);
  const precision = (math.config as { precision?: number }).precision ?? defaultPrecision;
  // toPrecision(100) prints a double's exact binary value to 100 significant digits; rounding that to the
  // working precision keeps decimal.js fast (its cost grows with the operands' digits) and loses nothing a
  // double holds at up to 100 digits. Above that (large arguments of periodic ops), the exact expansion.
  const text = precision <= 100 ? value.toPrecision(100) : exactDecimal(value);
  return (math.bignumber(text) as BigNumber).toSignificantDigits(precision);
}

/**
 * Digits the reference needs beyond `base` for this expression at this point. A periodic op (sin, cos, tan) of an
 * argument near 10^e needs that argument to absolute precision 10^−base, so e more digits; and since the argument
 * may come from a cancellation of larger values (sin(x − y) with x, y near 1e300), the extra digits follow the
 * largest magnitude anywhere in the expression. Inputs are then taken exactly (see {@link exactBig}). Float64
 * values stay below 1.8e308, so at most 309 extra digits: decimal.js's π (1025 digits) always suffices.
 */
export function extraDigitsFor(expr: Expr, variables: readonly string[], point: ArrayLike<number>): number {
  const index = new Map(variables.map((name, i) => [name, i]));
  const { order, values } = interpretNodes(expr, (v) => point[index.get(v.name) ?? -1] ?? NaN, realAlgebra);
  if (!order.some((node) => node.kind === 'op' && ops[node.op].periodic === true)) return 0;
  let largest = 1;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > largest) largest = Math.abs(v);
  if (largest < 1e8) return 0;
  // Whole multiples of 64 digits: each precision is one mathjs instance, so keep their number small.
  return 64 * Math.ceil((Math.ceil(Math.log10(largest)) + 4) / 64);
}

function isBig(value: unknown): value is BigNumber {
  return typeof value === 'object' && value !== null && (value as { isBigNumber?: boolean }).isBigNumber === true;
}

/** Values of every node evaluated so far (shared by the function, its partials and their lowerings). */
type BigValues = Map<number, BigNumber>;

/**
 * Evaluates `root` in BigNumbers, reusing and extending `values`. Iterative (an explicit stack), and it
 * stops at nodes already evaluated, so evaluating each local partial costs only its new nodes.
 */
function evaluateBig(math: MathJsInstance, root: Expr, values: BigValues): BigNumber {
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (values.has(node.id)) {
      stack.pop();
      continue;
    }
    if (node.kind === 'const') {
      values.set(node.id, exactBig(math, node.value));
      stack.pop();
      continue;
    }
    if (node.kind === 'var') throw new Error(`internal error: no value for variable '${node.name}'`);
    let ready = true;
    for (const arg of node.args) {
      if (!values.has(arg.id)) {
        stack.push(arg);
        ready = false;
      }
    }
    if (!ready) continue;
    values.set(node.id, applyBig(math, node, values));
    stack.pop();
  }
  return values.get(root.id)!;
}

/** One op in BigNumbers through its mathjs form; results mathjs can only give as complex numbers become NaN. */
function applyBig(math: MathJsInstance, node: OpExpr, values: BigValues): BigNumber {
  const spec = ops[node.op];
  const args = node.args.map((a) => values.get(a.id)!);
  const fns = math as unknown as Record<string, (...xs: BigNumber[]) => unknown>;
  const override = bigOverrides[node.op];
  // A periodic op of an argument whose integer part takes nearly all the working digits has no known phase (sin of
  // sinh(2000) = 10^868 at 64 digits): NaN, as float64's ∞ there is, where decimal.js would return noise or throw
  // "Precision limit exceeded" past its 1025 digits of π.
  if (spec.periodic === true && args[0].isFinite() && !args[0].isZero() && phaseUnknown(args[0], math)) return math.bignumber(NaN);
  let result: unknown;
  if (override !== undefined) result = fns[override](...args);
  else if (spec.mathjs.kind === 'operator') result = fns[spec.mathjs.fn](...args);
  else if (spec.mathjs.kind === 'function') result = fns[spec.mathjs.name](...args);
  else result = evaluateBig(math, spec.mathjs.lower(node.args), values);
  return isBig(result) ? result : math.bignumber(NaN);
}

/** True when |u| ≥ 10^(P − 16) at working precision P: fewer than 16 digits of u's fraction, so of its phase, are known. */
function phaseUnknown(u: BigNumber, math: MathJsInstance): boolean {
  const precision = (math.config as { precision?: number }).precision ?? defaultPrecision;
  return u.abs().gte(math.bignumber(`1e${precision - 16}`) as BigNumber);
}

/** Everything the reference computed: each node's value, adjoint ∂f/∂node and local partials, in BigNumbers. */
export interface ReferenceTrace {
  /** The DAG's nodes, children before parents; the last is the expression itself. */
  readonly order: readonly Expr[];
  readonly values: ReadonlyMap<number, BigNumber>;
  /** ∂f/∂node for every node f depends on (0 for constants' subtrees that are never reached). */
  readonly adjoints: ReadonlyMap<number, BigNumber>;
  /** ∂node/∂argᵢ for op nodes (NaN-free only where the op is smooth). Constant arguments get none. */
  readonly partials: ReadonlyMap<number, readonly (BigNumber | null)[]>;
  readonly value: BigNumber;
  /** The variables, in the order of `gradient`. */
  readonly variables: readonly string[];
  /** ∂f/∂vᵢ in `variables`' order. */
  readonly gradient: readonly BigNumber[];
  readonly precision: number;
}

/**
 * The reference computation with every intermediate kept (for tolerances, graph drawings and traces).
 * @throws Error when `point` lacks a variable the expression uses.
 */
export function referenceTrace(
  expr: Expr,
  variables: readonly string[],
  point: ArrayLike<number>,
  options: { readonly precision?: number } = {},
): ReferenceTrace {
  const precision = (options.precision ?? defaultPrecision) + extraDigitsFor(expr, variables, point);
  const trace = traceAt(expr, variables, point, precision);
  const needed = cancellationDigits(trace);
  // decimal.js knows π to 1025 digits and its sin, cos and tan work internally at up to twice the working precision:
  // cap the re-run at 500 digits (the rounding of terms up to 1e170 still falls below half the smallest subnormal).
  return needed > 0 ? traceAt(expr, variables, point, Math.min(precision + needed, Math.max(precision, maxPrecision))) : trace;
}

/** The most digits a cancellation re-run works to: decimal.js's trig functions need π to about twice the working precision. */
const maxPrecision = 500;

/** Digits of the working precision a partial must keep to count as right: far more than float64's 17. */
const trustedDigits = 24;

/**
 * Extra digits the reverse sweep needs where a partial cancels: each adjoint is a sum of terms rounded to the
 * working precision P, so a partial is only known to within 10^−P times the largest term that went into it
 * (2z/z + z/z at z = −5e-324: terms of 4e323 cancel to 0, and 64 digits leave a "gradient" of 1e260). When fewer
 * than 24 of a partial's digits survive, the sweep runs again with enough digits (in whole multiples of 64) that the
 * rounding falls below float64's smallest subnormal: then the partial is right to its last bit as a double (0 where
 * it is 0). 0 when every partial keeps its digits.
 */
function cancellationDigits(trace: ReferenceTrace): number {
  const largest = termMagnitudes(trace);
  let needed = 0;
  trace.gradient.forEach((g, i) => {
    const terms = largest[i];
    if (terms.isZero() || !terms.isFinite()) return;
    const scale = log10(terms);
    const kept = g.isZero() ? -Infinity : log10(g) - scale + trace.precision;
    if (kept >= trustedDigits) return;
    // What is left of g may be all rounding, so its size says nothing: the rounding 10^(scale − P′) must fall below
    // 10^−330, under half the smallest subnormal. Then g is right to 10^−330 absolute: to its last digit as a double.
    needed = Math.max(needed, Math.ceil(scale + 330) - trace.precision);
  });
  return needed > 0 ? 64 * Math.ceil(needed / 64) : 0;
}

/** For each variable, the largest |adjoint · partial| term the reverse sweep added into any adjoint on its paths. */
function termMagnitudes(trace: ReferenceTrace): BigNumber[] {
  const zero = trace.value.mul(0);
  const largest = new Map<number, BigNumber>([[trace.order[trace.order.length - 1].id, trace.value.mul(0).plus(1)]]);
  for (let k = trace.order.length - 1; k >= 0; k--) {
    const node = trace.order[k];
    if (node.kind !== 'op') continue;
    const own = largest.get(node.id) ?? zero;
    const adjoint = (trace.adjoints.get(node.id) ?? zero).abs();
    const row = trace.partials.get(node.id) ?? [];
    node.args.forEach((arg, i) => {
      const p = row[i];
      if (p === null || p === undefined || !p.isFinite()) return;
      const term = adjoint.times(p.abs());
      const previous = largest.get(arg.id) ?? zero;
      largest.set(arg.id, BigNumberMax(BigNumberMax(previous, term), own.times(p.abs())));
    });
  }
  const byName = new Map<string, BigNumber>();
  for (const node of trace.order) if (node.kind === 'var') byName.set(node.name, largest.get(node.id) ?? zero);
  return trace.gradient.map((_, i) => byName.get(trace.variables[i]) ?? zero);
}

/** log₁₀|b| of a nonzero BigNumber as a double (its magnitude may lie far outside float64's range). */
function log10(b: BigNumber): number {
  return (b.abs() as unknown as { log(base: number): BigNumber }).log(10).toNumber();
}

function BigNumberMax(a: BigNumber, b: BigNumber): BigNumber {
  return a.gte(b) ? a : b;
}

function traceAt(expr: Expr, variables: readonly string[], point: ArrayLike<number>, precision: number): ReferenceTrace {
  const math = bigMath(precision);
  const order = topologicalOrder(expr);
  const values = seedVariables(math, order, variables, point);
  for (const node of order) evaluateBig(math, node, values);

  // Reverse sweep: adjoint(arg) += adjoint(node) · ∂node/∂arg, parents before children.
  const zero = math.bignumber(0);
  const adjoints = new Map<number, BigNumber>([[expr.id, math.bignumber(1)]]);
  const partials = new Map<number, (BigNumber | null)[]>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    if (node.kind !== 'op') continue;
    const adjoint = adjoints.get(node.id) ?? zero;
    const local = localPartials(node);
    const row = node.args.map((arg, i) => (arg.kind === 'const' ? null : evaluateBig(math, local[i], values)));
    partials.set(node.id, row);
    node.args.forEach((arg, i) => {
      const p = row[i];
      if (p === null) return;
      adjoints.set(arg.id, (adjoints.get(arg.id) ?? zero).plus(adjoint.times(p)));
    });
  }
  const byName = new Map<string, BigNumber>();
  for (const node of order) if (node.kind === 'var') byName.set(node.name, adjoints.get(node.id) ?? zero);
  return {
    order,
    values,
    adjoints,
    partials,
    value: values.get(expr.id)!,
    variables,
    gradient: variables.map((name) => byName.get(name) ?? zero),
    precision,
  };
}

/** A reference answer in doubles (each the correctly rounded value of the high-precision result). */
export interface ReferenceResult {
  readonly value: number;
  readonly gradient: Float64Array;
  /** How it was computed, for reports: `reference (reverse accumulation, 64-digit BigNumber)`. */
  readonly method: string;
}

/**
 * The value and gradient of `expr` at `point` (values in `variables`' order) to high precision:
 * reverse accumulation on the DAG through the op table's local partials, evaluated in mathjs BigNumber
 * arithmetic with 64 significant digits, then rounded once to doubles. Variables the expression does
 * not use get partial 0. Non-finite results (outside an op's domain, at a kink with an infinite partial)
 * come back as NaN or ±Infinity, as the arithmetic gives them.
 *
 * @example
 * referenceGradient(parse('x^2 + 3*x + 1'), ['x'], Float64Array.of(2)) // { value: 11, gradient: [7], … }
 * @throws Error when `point` lacks a variable the expression uses.
 */
export function referenceGradient(expr: Expr, variables: readonly string[], point: Float64Array): ReferenceResult {
  const trace = referenceTrace(expr, variables, point);
  return {
    value: trace.value.toNumber(),
    gradient: Float64Array.from(trace.gradient, (g) => g.toNumber()),
    method: `reference (reverse accumulation, ${trace.precision}-digit BigNumber)`,
  };
}

/** The value of `expr` at `point` in BigNumber arithmetic (as a decimal string with `precision` digits). */
export function referenceValue(expr: Expr, variables: readonly string[], point: ArrayLike<number>, precision = defaultPrecision): string {
  const math = bigMath(precision + extraDigitsFor(expr, variables, point));
  const values = seedVariables(math, topologicalOrder(expr), variables, point);
  return evaluateBig(math, expr, values).toString();
}

/** The variables' exact values, keyed by node id: the starting point of every BigNumber evaluation. */
function seedVariables(math: MathJsInstance, order: readonly Expr[], variables: readonly string[], point: ArrayLike<number>): BigValues {
  const index = new Map(variables.map((name, i) => [name, i]));
  const values: BigValues = new Map();
  for (const node of order) {
    if (node.kind !== 'var') continue;
    const i = index.get(node.name);
    if (i === undefined) throw new Error(`the point has no value for '${node.name}' (variables: ${variables.join(', ')})`);
    values.set(node.id, exactBig(math, point[i]));
  }
  return values;
}
