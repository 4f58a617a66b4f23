// `symbolic-dag`: symbolic differentiation on gradlab's own op table over the shared DAG (reverse accumulation of adjoint expressions).
//
// Every node's adjoint ∂f/∂node is an IR expression, built once per node and summed over its uses with
// `applySimplified` (so constants fold), from the root down in reverse topological order. The gradient comes out
// as one hash-consed DAG that shares subexpressions with f and with itself: its size grows with f's DAG, not
// with f's tree. No mathjs and no recursion; every op is supported, kinks included (relu → step, abs → sign).
import { applySimplified, constant, isConstant, type Expr } from '../../ir/node.ts';
import { localPartials } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import type { GradientMethod } from '../method.ts';
import { symbolicDerivative, type SymbolicDerivative } from './derivative.ts';
import { symbolicResult } from './gradient-program.ts';
import { checkSize } from '../size-limit.ts';

/**
 * ∂f/∂v for each of `variables`, as IR expressions sharing one DAG: reverse accumulation over f's DAG,
 * one adjoint expression per node. Variables f does not use get the constant 0.
 */
export function dagGradient(expr: Expr, variables: readonly string[]): Expr[] {
  const order = topologicalOrder(expr);
  const adjoint = new Map<number, Expr>();
  // ∂f/∂f = 1
  adjoint.set(expr.id, constant(1));
  const byName = new Map<string, Expr>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (node.kind === 'var') byName.set(node.name, node);
    const bar = adjoint.get(node.id);
    if (node.kind !== 'op' || bar === undefined) continue;
    const partials = localPartials(node);
    for (let k = 0; k < node.args.length; k++) {
      const arg = node.args[k];
      const partial = partials[k];
      // Constants need no adjoint; a zero local partial contributes nothing.
      if (arg.kind === 'const' || isConstant(partial, 0)) continue;
      // Chain rule: ∂f/∂arg += ∂f/∂node · ∂node/∂arg   (a partial of −1 contributes −∂f/∂node)
      const term = isConstant(partial, -1) ? applySimplified('neg', bar) : applySimplified('mul', bar, partial);
      const previous = adjoint.get(arg.id);
      adjoint.set(arg.id, previous === undefined ? term : applySimplified('add', previous, term));
    }
  }
  return variables.map((name) => {
    const node = byName.get(name);
    return (node && adjoint.get(node.id)) ?? constant(0);
  });
}

/** Options for {@link dagDerivatives}. */
export interface DagDerivativesOptions {
  /** Largest tree the derivatives' `infix` and `latex` are written for. */
  readonly printLimit?: number;
}

/**
 * {@link dagGradient} with the facts reports quote per partial: infix and LaTeX, tree size versus DAG size,
 * and the time of the reverse sweep (one sweep yields every partial, so each entry carries the sweep's time).
 */
export function dagDerivatives(expr: Expr, variables: readonly string[], options: DagDerivativesOptions = {}): SymbolicDerivative[] {
  const start = performance.now();
  const partials = dagGradient(expr, variables);
  const deriveMs = performance.now() - start;
  return partials.map((derivative, i) => symbolicDerivative({ variable: variables[i], derivative, deriveMs, simplifyMs: null }, options.printLimit));
}

/** `symbolic-dag`: symbolic reverse accumulation on gradlab's op table over the shared DAG. */
export const symbolicDagMethod: GradientMethod = {
  name: 'symbolic-dag',
  summary: "symbolic differentiation on gradlab's op table over the shared DAG (adjoint expressions, memoised per node), evaluated through gradlab's compiler",
  compute(request) {
    checkSize('symbolic-dag', request);
    const start = performance.now();
    const partials = dagGradient(request.expr, request.variables);
    const deriveMs = performance.now() - start;
    // Sizes and text are measured when a report reads them, outside the timed work.
    const derivatives = partials.map((derivative, i) => symbolicDerivative({ variable: request.variables[i], derivative, deriveMs, simplifyMs: null }));
    return symbolicResult(request, derivatives, { deriveMs });
  },
};
