// Forward accumulation on the DAG: the tangent (directional derivative) of every node as an IR expression.
//
// Dual numbers as a source transformation: each node's tangent is Σᵢ ∂node/∂argᵢ · tangent(argᵢ), with the
// partials from the op table (`localPartials`), so they hash-cons with the forward nodes exactly as the adjoints
// of the reverse sweep do. The tangent of each variable is a fresh input variable (the direction), so one
// compiled program serves every direction: a pass with direction eⱼ yields ∂/∂xⱼ.
import { variable, type Expr, type VarExpr } from '../../ir/node.ts';
import { localPartials } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { activeNodes } from '../compiled/adjoint.ts';
import { materialize, one, peel, sum, times, type Scaled } from '../compiled/scaled.ts';
import { constant } from '../../ir/node.ts';

/**
 * Names for the direction inputs, one per variable, that collide with no name in `taken`
 * (`⟨dx0⟩`, `⟨dx1⟩`, …, primed until free). They only label IR nodes: names never enter generated code.
 */
export function directionNames(count: number, taken: Iterable<string>): string[] {
  const used = new Set(taken);
  return Array.from({ length: count }, (_, i) => {
    let name = `⟨dx${i}⟩`;
    while (used.has(name)) name += '′';
    used.add(name);
    return name;
  });
}

/**
 * The tangents of `exprs` along the direction whose components are the variables `direction[i]`
 * (the tangent of `variables[i]`), as IR expressions, in `exprs`' order. One pass over the DAG, no recursion;
 * structural zeros are dropped (a constant's tangent is 0, so is a `sign` node's).
 */
export function tangentExpressions(exprs: readonly Expr[], variables: readonly string[], direction: readonly VarExpr[]): Expr[] {
  const directionOf = new Map<string, Scaled>();
  variables.forEach((name, i) => directionOf.set(name, { coefficient: 1, expr: direction[i] }));
  return tangentsFrom(exprs, directionOf);
}

/**
 * The tangents of `exprs` along the unit direction of `variable` (∂exprs/∂variable) as IR expressions of the
 * primal values alone: one column of the Jacobian, with every structural zero dropped.
 */
export function unitTangentExpressions(exprs: readonly Expr[], variable: string): Expr[] {
  return tangentsFrom(exprs, new Map([[variable, one]]));
}

/** Forward accumulation of tangents over the DAG, from the tangents of the variables in `directionOf`. */
function tangentsFrom(exprs: readonly Expr[], directionOf: ReadonlyMap<string, Scaled>): Expr[] {
  const order = topologicalOrder(exprs);
  const active = activeNodes(order);
  const tangent = new Map<number, Scaled>();
  for (const node of order) {
    if (!active.has(node.id)) continue;
    if (node.kind === 'var') {
      const d = directionOf.get(node.name);
      if (d !== undefined) tangent.set(node.id, d);
      continue;
    }
    if (node.kind !== 'op') continue;
    const partials = localPartials(node);
    const terms: Scaled[] = [];
    node.args.forEach((arg, i) => {
      const d = tangent.get(arg.id);
      if (d === undefined) return;
      const term = times(d, peel(partials[i]));
      if (term !== null) terms.push(term);
    });
    const total = sum(terms);
    if (total !== null) tangent.set(node.id, total);
  }
  return exprs.map((e) => {
    const t = tangent.get(e.id);
    return t === undefined ? constant(0) : materialize(t);
  });
}

/** Fresh direction variables for `variables`, avoiding every name in `variables` and in `exprs`. */
export function directionVariables(exprs: readonly Expr[], variables: readonly string[]): VarExpr[] {
  const taken = new Set(variables);
  for (const node of topologicalOrder(exprs)) if (node.kind === 'var') taken.add(node.name);
  return directionNames(variables.length, taken).map((name) => variable(name));
}
