// The IR interpreter: one iterative bottom-up walk, parameterised by an algebra (numbers, complex numbers, tensors, …).
import type { Expr, VarExpr } from './node.ts';
import { ops, type OpName } from './ops.ts';
import { topologicalOrder } from './traverse.ts';
import type { Complex } from './complex.ts';

/** What an interpretation of the IR supplies: how to make a constant and how to apply a primitive. */
export interface Algebra<T> {
  constant(value: number): T;
  apply(op: OpName, args: readonly T[]): T;
}

/**
 * Evaluates `expr` bottom-up in the given algebra, each DAG node once, without recursion
 * ("transform means interpret differently": every differentiator is one of these).
 */
export function interpret<T>(expr: Expr, lookup: (v: VarExpr) => T, algebra: Algebra<T>): T {
  const { values } = interpretNodes(expr, lookup, algebra);
  return values[values.length - 1];
}

/** Like {@link interpret}, but returns every node's value: `values[i]` belongs to `order[i]` (children first, root last). */
export function interpretNodes<T>(expr: Expr, lookup: (v: VarExpr) => T, algebra: Algebra<T>): { order: readonly Expr[]; values: T[] } {
  const { order, argSlots } = evaluationPlan(expr);
  const values: T[] = new Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    if (node.kind === 'const') values[i] = algebra.constant(node.value);
    else if (node.kind === 'var') values[i] = lookup(node);
    else {
      const slots = argSlots[i];
      values[i] = algebra.apply(node.op, slots.length === 1 ? [values[slots[0]]] : [values[slots[0]], values[slots[1]]]);
    }
  }
  return { order, values };
}

/** A DAG's evaluation order and, per node, the positions of its arguments in that order. */
interface EvaluationPlan {
  readonly order: readonly Expr[];
  readonly argSlots: readonly (readonly number[])[];
}

// Nodes are immutable, so a plan can be kept for as long as its expression lives: repeated evaluations
// (an autograd step, a benchmark loop) then skip the topological sort.
const plans = new WeakMap<Expr, EvaluationPlan>();

function evaluationPlan(expr: Expr): EvaluationPlan {
  let plan = plans.get(expr);
  if (plan === undefined) {
    const order = topologicalOrder(expr);
    const slot = new Map<number, number>(order.map((node, i) => [node.id, i]));
    plan = { order, argSlots: order.map((node) => node.args.map((arg) => slot.get(arg.id)!)) };
    plans.set(expr, plan);
  }
  return plan;
}

/** Real arithmetic, from the op table's `eval`. */
export const realAlgebra: Algebra<number> = {
  constant: (value) => value,
  apply: (op, [a, b]) => ops[op].eval(a, b ?? NaN),
};

/** Thrown when the complex-step method meets an op that is not analytic. */
export class NonAnalyticError extends Error {
  constructor(readonly op: OpName, reason: string) {
    super(`the complex step cannot differentiate ${op}: ${reason}`);
    this.name = 'NonAnalyticError';
  }
}

/** Complex arithmetic, from the op table's `complex`; refuses non-analytic ops with their declared reason. */
export const complexAlgebra: Algebra<Complex> = {
  constant: (value) => ({ re: value, im: 0 }),
  apply: (op, [a, b]) => {
    const f = ops[op].complex;
    if (typeof f !== 'function') throw new NonAnalyticError(op, f.nonAnalytic);
    return f(a, b ?? { re: NaN, im: 0 });
  },
};

/** A point: a value for each variable. */
export type Point = Readonly<Record<string, number>>;

/**
 * Evaluates `expr` at `point` with the interpreter.
 * @throws Error naming the variables missing from `point` or holding a non-finite or non-number value.
 */
export function evaluateExpr(expr: Expr, point: Point): number {
  return interpret(expr, (v) => lookupPointValue(point, v.name), realAlgebra);
}

/** A variable's value from a point, with the errors users need when it is missing or not a finite number. */
export function lookupPointValue(point: Point, name: string): number {
  if (!Object.prototype.hasOwnProperty.call(point, name)) {
    throw new Error(`no value for variable '${name}': pass it in the point, e.g. ${name}=1`);
  }
  const value = point[name];
  if (typeof value !== 'number') throw new Error(`the value for '${name}' must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new Error(`the value for '${name}' must be finite, got ${value}`);
  return value;
}

/**
 * Why `expr` is not finite at `point`: the first operation (children first) whose arguments are finite but whose
 * value is not. Inside the op's domain that is an overflow ("exp(u) overflows to Infinity at u = 1000 …"), else the
 * op's domain is named, e.g. "log(u) is NaN at u = -1 (its domain: u > 0)". Undefined when f is finite.
 */
export function explainNonFinite(expr: Expr, point: Point): string | undefined {
  const { order, values } = interpretNodes(expr, (v) => lookupPointValue(point, v.name), realAlgebra);
  const position = new Map(order.map((node, i) => [node.id, i]));
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    if (node.kind !== 'op' || Number.isFinite(values[i])) continue;
    const args = node.args.map((arg) => values[position.get(arg.id)!]);
    if (!args.every(Number.isFinite)) continue;
    const spec = ops[node.op];
    const names = ['u', 'v'].slice(0, spec.arity);
    const at = names.map((name, k) => `${name} = ${args[k]}`).join(', ');
    const call = `${node.op}(${names.join(', ')})`;
    if (spec.domain.contains(args[0], args[1] ?? NaN) && !Number.isNaN(values[i])) {
      return `${call} overflows to ${values[i]} at ${at}: the value is beyond the largest double (≈ 1.8e308), not at a singularity`;
    }
    return `${call} is ${values[i]} at ${at} (its domain: ${spec.domain.description})`;
  }
  return undefined;
}
