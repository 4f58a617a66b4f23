// Scaled terms `c · e` (a number times an expression): the algebra adjoint and tangent expressions are built in.
//
// Derivative expressions are mostly products of constants and a few shared nodes (`100 · 2 · u` in Rosenbrock's
// adjoint). Keeping the constant factor apart and folding it with the next constant turns `(100 · (2 · u)) · 1`
// into `200 · u`: no instruction at all until the term meets another node. Signs fold the same way, so `−1`
// partials (subtraction, negation) cost nothing.
//
// The algebra is written once over any node representation ({@link scaledAlgebra}): IR expressions (the exports
// below, used by the tangent and adjoint expression builders), and the compiler's local adjoint DAG
// (adjoint-dag.ts), which builds the same terms without creating a global hash-consed node per product and sum.
import { applySimplified, constant, type Expr } from '../../ir/node.ts';

/** `coefficient · expr`, or the plain number `coefficient` when `expr` is null. */
export interface Scaled<E = Expr> {
  readonly coefficient: number;
  readonly expr: E | null;
}

/** The scaled term `1` (the seed of a reverse sweep). */
export const one: Scaled<never> = Object.freeze({ coefficient: 1, expr: null });

/** True when the term is exactly the number 0 (a structural zero: the contribution is dropped). */
export function isZero(term: Scaled<unknown>): boolean {
  return term.expr === null && term.coefficient === 0;
}

/** The ops the algebra builds with. */
export type ScaledOp = 'add' | 'sub' | 'mul' | 'neg';

/** How an algebra makes nodes: constants, and the simplifying builder (`applySimplified`'s semantics). */
export interface NodeBuilder<E> {
  constant(value: number): E;
  apply(op: ScaledOp, a: E, b?: E): E;
}

/** The scaled-term operations over one node representation. */
export interface ScaledAlgebra<E> {
  /** The term as one expression: `c · e` with `1 · e` → `e`, `−1 · e` → `−e`, and a plain number → a constant. */
  materialize(term: Scaled<E>): E;
  /** `a · b`, folding the constants; `null` when either is a structural zero. */
  times(a: Scaled<E>, b: Scaled<E>): Scaled<E> | null;
  /** `a + b`: terms with equal or opposite coefficients share theirs (`c·e + c·f = c·(e + f)`). */
  plus(a: Scaled<E>, b: Scaled<E>): Scaled<E>;
  /** The sum of a list of terms, left to right; `null` for an empty list. */
  sum(terms: readonly Scaled<E>[]): Scaled<E> | null;
}

const smallestNormal = 2.2250738585072014e-308;

/**
 * The scaled-term algebra over the nodes `builder` makes. Products are built as adjoint · partial (tangent ·
 * partial), sums as earlier term + later term: an order fixed by the graph's shape alone. (Ordering by node id
 * would let hash-consing history, say a smaller Rosenbrock built earlier, reorder some blocks and break the
 * repetition the loop roller looks for.)
 */
export function scaledAlgebra<E>(builder: NodeBuilder<E>): ScaledAlgebra<E> {
  const materialize = (term: Scaled<E>): E => {
    const { coefficient: c, expr: e } = term;
    if (e === null) return builder.constant(c);
    if (c === 1) return e;
    if (c === -1) return builder.apply('neg', e);
    return builder.apply('mul', builder.constant(c), e);
  };
  const times = (a: Scaled<E>, b: Scaled<E>): Scaled<E> | null => {
    if (isZero(a) || isZero(b)) return null;
    const c = a.coefficient * b.coefficient;
    if (!Number.isFinite(c) || c === 0 || Math.abs(c) < smallestNormal) {
      // Keep the constants apart rather than overflow or underflow their product.
      return { coefficient: 1, expr: builder.apply('mul', materialize(a), materialize(b)) };
    }
    if (a.expr === null) return { coefficient: c, expr: b.expr };
    if (b.expr === null) return { coefficient: c, expr: a.expr };
    return { coefficient: c, expr: builder.apply('mul', a.expr, b.expr) };
  };
  const plus = (a: Scaled<E>, b: Scaled<E>): Scaled<E> => {
    if (a.expr === null && b.expr === null) return { coefficient: a.coefficient + b.coefficient, expr: null };
    if (a.expr !== null && b.expr !== null) {
      if (a.coefficient === b.coefficient) return { coefficient: a.coefficient, expr: builder.apply('add', a.expr, b.expr) };
      if (a.coefficient === -b.coefficient) return { coefficient: a.coefficient, expr: builder.apply('sub', a.expr, b.expr) };
    }
    if (b.coefficient === -1 && b.expr !== null) return { coefficient: 1, expr: builder.apply('sub', materialize(a), b.expr) };
    if (a.coefficient === -1 && a.expr !== null) return { coefficient: 1, expr: builder.apply('sub', materialize(b), a.expr) };
    return { coefficient: 1, expr: builder.apply('add', materialize(a), materialize(b)) };
  };
  const sum = (terms: readonly Scaled<E>[]): Scaled<E> | null => {
    if (terms.length === 0) return null;
    let total = terms[0];
    for (let i = 1; i < terms.length; i++) total = plus(total, terms[i]);
    return total;
  };
  return { materialize, times, plus, sum };
}

/** Splits the constant factors and signs off an expression: `-(3 · u)` → `−3 · u`, a constant `k` → `k`. */
export function peel(expr: Expr): Scaled {
  let coefficient = 1;
  let rest: Expr = expr;
  for (;;) {
    if (rest.kind === 'const') {
      const c = coefficient * rest.value;
      return Number.isFinite(c) || !Number.isFinite(rest.value) ? { coefficient: c, expr: null } : { coefficient, expr: rest };
    }
    if (rest.kind !== 'op') break;
    if (rest.op === 'neg') {
      coefficient = -coefficient;
      rest = rest.args[0];
      continue;
    }
    if (rest.op === 'mul') {
      const [a, b] = rest.args;
      const k = a.kind === 'const' ? a : b.kind === 'const' ? b : null;
      if (k === null) break;
      const c = coefficient * k.value;
      // Fold only when the product of constants is exact enough to stay a normal, finite number.
      if (!Number.isFinite(c) || (c === 0 && k.value !== 0) || Math.abs(c) < smallestNormal) break;
      coefficient = c;
      rest = k === a ? b : a;
      continue;
    }
    break;
  }
  return { coefficient, expr: rest };
}

/** The algebra over IR expressions (hash-consed global nodes, simplified as `applySimplified` does). */
const exprAlgebra = scaledAlgebra<Expr>({
  constant: (value) => constant(value),
  apply: (op, a, b) => (b === undefined ? applySimplified(op, a) : applySimplified(op, a, b)),
});

/** The term as one expression: `c · e` with `1 · e` → `e`, `−1 · e` → `−e`, and a plain number → a constant. */
export const materialize: (term: Scaled) => Expr = exprAlgebra.materialize;
/** `a · b`, folding the constants; `null` when either is a structural zero. */
export const times: (a: Scaled, b: Scaled) => Scaled | null = exprAlgebra.times;
/** `a + b`: terms with equal or opposite coefficients share theirs (`c·e + c·f = c·(e + f)`). */
export const plus: (a: Scaled, b: Scaled) => Scaled = exprAlgebra.plus;
/** The sum of a list of terms, left to right; `null` for an empty list. */
export const sum: (terms: readonly Scaled[]) => Scaled | null = exprAlgebra.sum;

/** The product of two expressions, in the order given. */
export function productOf(a: Expr, b: Expr): Expr {
  return applySimplified('mul', a, b);
}
