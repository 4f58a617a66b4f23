// Reverse accumulation on the DAG: the adjoint of every node as an IR expression, from the op table's partials.
//
// One walk over the nodes in reverse topological order (no recursion). Each node's adjoint is the sum of
// `adjoint(parent) · ∂parent/∂node` over its parents; the partials come from `localPartials`, so they are IR
// expressions over the forward nodes and hash-cons with them: `cos(x)` for `sin(x)`, `2·u` for `u²`, the node
// itself for `exp`. The result is the gradient as expressions, which the compiler lowers into one straight-line
// program with f (forward sweep, then reverse sweep) and the Hessian code differentiates again.
import type { Expr } from '../../ir/node.ts';
import { localPartials } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { variableIndex } from '../../ir/compile.ts';
import { isZero, materialize, one, peel, sum, times, type Scaled } from './scaled.ts';
import { constant } from '../../ir/node.ts';

/** Ids of the nodes that depend on at least one variable (only they carry derivatives). */
export function activeNodes(order: readonly Expr[]): Set<number> {
  const active = new Set<number>();
  for (const node of order) {
    if (node.kind === 'var' || (node.kind === 'op' && node.args.some((a) => active.has(a.id)))) active.add(node.id);
  }
  return active;
}

/**
 * The gradient of `expr` with respect to `variables`, as IR expressions built by reverse accumulation
 * on the DAG, in `variables`' order (a variable the expression does not use gets the constant 0).
 *
 * Structural zeros are dropped, as in symbolic differentiation: a partial that is the constant 0 (sign, step)
 * contributes nothing, even where the adjoint is infinite. Cost: one pass over the DAG; the result has
 * O(DAG size) new nodes (each node adds at most one product per argument and one sum per extra parent).
 * @param seed the adjoint of `expr` itself (the cotangent); 1 by default
 * @throws Error when `expr` uses a variable missing from `variables`, or a name is listed twice.
 */
export function adjointExpressions(expr: Expr, variables: readonly string[], seed: Scaled = one): Expr[] {
  const order = topologicalOrder(expr);
  const listed = new Set(variables);
  if (listed.size !== variables.length || order.some((node) => node.kind === 'var' && !listed.has(node.name))) {
    variableIndex(expr, variables); // throws the error that names the missing or repeated variables
  }
  const active = activeNodes(order);
  const pending = new Map<number, Scaled[]>();
  const contribute = (node: Expr, term: Scaled) => {
    const list = pending.get(node.id);
    if (list === undefined) pending.set(node.id, [term]);
    else list.push(term);
  };
  if (active.has(expr.id) && !isZero(seed)) contribute(expr, seed);

  const adjointOfVariable = new Map<string, Scaled>();
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k];
    const terms = pending.get(node.id);
    if (terms === undefined) continue;
    pending.delete(node.id);
    const adjoint = sum(terms)!;
    if (node.kind === 'var') {
      adjointOfVariable.set(node.name, adjoint);
      continue;
    }
    if (node.kind !== 'op' || isZero(adjoint)) continue;
    const partials = localPartials(node);
    node.args.forEach((arg, i) => {
      if (!active.has(arg.id)) return;
      const term = times(adjoint, peel(partials[i]));
      if (term !== null) contribute(arg, term);
    });
  }
  return variables.map((name) => {
    const adjoint = adjointOfVariable.get(name);
    return adjoint === undefined ? constant(0) : materialize(adjoint);
  });
}
