// Scaled terms `c · e` (a number times an expression): the algebra adjoint and tangent expressions are built in.
//
// Derivative expressions are mostly products of constants and a few shared nodes (`100 · 2 · u` in Rosenbrock's
// adjoint). Keeping the constant factor apart and folding it with the next constant turns `(100 · (2 · u)) · 1`
// into `200 · u`: no instruction at all until the term meets another node. Signs fold the same way, so `−1`
// partials (subtraction, negation) cost nothing.
import { applySimplified, constant, type Expr } from '../../ir/node.ts';

/** `coefficient · expr`, or the plain number `coefficient` when `expr` is null. */
export interface Scaled {
  readonly coefficient: number;
  readonly expr: Expr | null;
}

/** The scaled term `1` (the seed of a reverse sweep). */
export const one: Scaled = Object.freeze({ coefficient: 1, expr: null });

/** True when the term is exactly the number 0 (a structural zero: the contribution is dropped). */
export function isZero(term: Scaled): boolean {
  return term.expr === null && term.coefficient === 0;
}

// Products are built as adjoint · partial (tangent · partial), sums as earlier term + later term: an order fixed
// by the graph's shape alone. (Ordering by node id would let hash-consing history, say a smaller Rosenbrock built
// earlier, reorder some blocks and break the repetition the loop roller looks for.)
function commutative(op: 'add' | 'mul', a: Expr, b: Expr): Expr {
  return applySimplified(op, a, b);
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
      if (!Number.isFinite(c) || (c === 0 && k.value !== 0) || Math.abs(c) < 2.2250738585072014e-308) break;
      coefficient = c;
      rest = k === a ? b : a;
      continue;
    }
    break;
  }
  return { coefficient, expr: rest };
}

/** The term as one expression: `c · e` with `1 · e` → `e`, `−1 · e` → `−e`, and a plain number → a constant. */
export function materialize(term: Scaled): Expr {
  const { coefficient: c, expr: e } = term;
  if (e === null) return constant(c);
  if (c === 1) return e;
  if (c === -1) return applySimplified('neg', e);
  return applySimplified('mul', constant(c), e);
}

/** `a · b`, folding the constants; `null` when either is a structural zero. */
export function times(a: Scaled, b: Scaled): Scaled | null {
  if (isZero(a) || isZero(b)) return null;
  const c = a.coefficient * b.coefficient;
  if (!Number.isFinite(c) || c === 0 || Math.abs(c) < 2.2250738585072014e-308) {
    // Keep the constants apart rather than overflow or underflow their product.
    return { coefficient: 1, expr: productOf(materialize(a), materialize(b)) };
  }
  if (a.expr === null) return { coefficient: c, expr: b.expr };
  if (b.expr === null) return { coefficient: c, expr: a.expr };
  return { coefficient: c, expr: productOf(a.expr, b.expr) };
}

/** `a + b`: terms with equal or opposite coefficients share theirs (`c·e + c·f = c·(e + f)`). */
export function plus(a: Scaled, b: Scaled): Scaled {
  if (a.expr === null && b.expr === null) return { coefficient: a.coefficient + b.coefficient, expr: null };
  if (a.expr !== null && b.expr !== null) {
    if (a.coefficient === b.coefficient) return { coefficient: a.coefficient, expr: commutative('add', a.expr, b.expr) };
    if (a.coefficient === -b.coefficient) return { coefficient: a.coefficient, expr: applySimplified('sub', a.expr, b.expr) };
  }
  if (b.coefficient === -1 && b.expr !== null) return { coefficient: 1, expr: applySimplified('sub', materialize(a), b.expr) };
  if (a.coefficient === -1 && a.expr !== null) return { coefficient: 1, expr: applySimplified('sub', materialize(b), a.expr) };
  return { coefficient: 1, expr: commutative('add', materialize(a), materialize(b)) };
}

/** The sum of a list of terms, left to right; `null` for an empty list. */
export function sum(terms: readonly Scaled[]): Scaled | null {
  if (terms.length === 0) return null;
  let total = terms[0];
  for (let i = 1; i < terms.length; i++) total = plus(total, terms[i]);
  return total;
}

/** The product of two expressions, in the order given. */
export function productOf(a: Expr, b: Expr): Expr {
  return commutative('mul', a, b);
}
