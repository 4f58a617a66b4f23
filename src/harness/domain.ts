// Where an expression is smooth at a point: every node's arguments inside its op's declared domain, also on a probe stencil.
import type { Expr, OpExpr } from '../ir/node.ts';
import { ops } from '../ir/ops.ts';
import { topologicalOrder } from '../ir/traverse.ts';
import { interpretNodes, realAlgebra } from '../ir/evaluate.ts';

/** Float64 values of every node of `expr` at `point` (values in `variables`' order), keyed by node id. */
export function nodeValues(expr: Expr, variables: readonly string[], point: ArrayLike<number>): Map<number, number> {
  const index = new Map(variables.map((name, i) => [name, i]));
  const { order, values } = interpretNodes(expr, (v) => {
    const i = index.get(v.name);
    if (i === undefined) throw new Error(`the point has no value for '${v.name}' (variables: ${variables.join(', ')})`);
    return point[i];
  }, realAlgebra);
  return new Map(order.map((node, i) => [node.id, values[i]]));
}

/** One op node whose arguments lie outside the op's declared domain. */
export interface DomainViolation {
  readonly node: OpExpr;
  readonly args: readonly number[];
  /** The op's domain in words (`u > 0`). */
  readonly domain: string;
}

/** The op nodes of `expr` whose arguments are outside `ops[op].domain` at the point (empty: smooth there). */
export function domainViolations(expr: Expr, variables: readonly string[], point: ArrayLike<number>): DomainViolation[] {
  const values = nodeValues(expr, variables, point);
  const found: DomainViolation[] = [];
  for (const node of topologicalOrder(expr)) {
    if (node.kind !== 'op') continue;
    const args = node.args.map((a) => values.get(a.id)!);
    if (!ops[node.op].domain.contains(args[0], args[1] ?? NaN)) found.push({ node, args, domain: ops[node.op].domain.description });
  }
  return found;
}

/**
 * Whether argument `index` of `op` has its domain boundary (or kink) at zero: `log`, `sqrt`, `abs`, `relu`,
 * the divisor of `div`, the base of `pow`, … Such an argument must not change sign near a point where we
 * ask finite differences for a derivative, even when both signs are inside the domain (`abs`, `relu`).
 */
export function zeroIsBoundary(op: OpExpr['op'], index: number): boolean {
  const contains = ops[op].domain.contains;
  // Probe with a harmless partner value (2 is inside every domain's other argument).
  return index === 0 ? !contains(0, 2) : !contains(2, 0);
}

/** Options for {@link isSmoothAround}. */
export interface SmoothnessOptions {
  /** Stencil radius, relative to max(1, |xᵢ|); probes sit at this radius and 1/10 and 1/100 of it. Default 1e-2. */
  readonly radius?: number;
}

/**
 * True when `expr` is smooth on a probe stencil around `point`: at the point and at xᵢ ± r·max(1, |xᵢ|)
 * (r = radius, radius/10, radius/100) for every variable, every op's arguments are inside its domain and
 * no argument whose domain boundary is at zero changes sign. Finite differences with steps up to the
 * radius then see a smooth function, so their error models apply.
 */
export function isSmoothAround(
  expr: Expr,
  variables: readonly string[],
  point: ArrayLike<number>,
  options: SmoothnessOptions = {},
): boolean {
  const radius = options.radius ?? 1e-2;
  const order = topologicalOrder(expr).filter((n): n is OpExpr => n.kind === 'op');
  const centre = nodeValues(expr, variables, point);
  const inside = (values: Map<number, number>, checkSigns: boolean): boolean => {
    for (const node of order) {
      const a = values.get(node.args[0].id)!;
      const b = node.args.length > 1 ? values.get(node.args[1].id)! : NaN;
      if (!ops[node.op].domain.contains(a, b)) return false;
      if (!Number.isFinite(values.get(node.id)!)) return false;
      if (checkSigns) {
        for (let k = 0; k < node.args.length; k++) {
          if (!zeroIsBoundary(node.op, k)) continue;
          const before = centre.get(node.args[k].id)!;
          const after = values.get(node.args[k].id)!;
          if (Math.sign(before) !== Math.sign(after)) return false;
        }
      }
    }
    return true;
  };
  if (!inside(centre, false)) return false;
  const probe = Float64Array.from(point as ArrayLike<number>);
  for (let i = 0; i < variables.length; i++) {
    const x = probe[i];
    for (const scale of [1, 0.1, 0.01]) {
      for (const side of [-1, 1]) {
        probe[i] = x + side * scale * radius * Math.max(1, Math.abs(x));
        if (!inside(nodeValues(expr, variables, probe), true)) return false;
      }
    }
    probe[i] = x;
  }
  return true;
}
