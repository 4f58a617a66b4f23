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
  const order = topologicalOrder(expr);
  const slot = new Map<number, number>();
  const values: T[] = new Array(order.length);
  const args: T[] = [];
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    slot.set(node.id, i);
    if (node.kind === 'const') values[i] = algebra.constant(node.value);
    else if (node.kind === 'var') values[i] = lookup(node);
    else {
      args.length = node.args.length;
      for (let k = 0; k < node.args.length; k++) args[k] = values[slot.get(node.args[k].id)!];
      values[i] = algebra.apply(node.op, args.slice());
    }
  }
  return values[order.length - 1];
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
