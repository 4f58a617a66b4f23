// Iterative walks over expression DAGs (children before parents) and the size metrics reports quote.
import type { Expr } from './node.ts';
import type { OpName } from './ops.ts';

/**
 * Every node reachable from `roots`, each once, children before parents (a topological order).
 * Iterative, so a 1,000,000-deep nesting is fine.
 */
export function topologicalOrder(roots: Expr | readonly Expr[]): Expr[] {
  const starts = Array.isArray(roots) ? (roots as readonly Expr[]) : [roots as Expr];
  const seen = new Set<number>();
  const order: Expr[] = [];
  // Explicit stack of (node, next child index) pairs: a post-order DFS without recursion.
  const nodes: Expr[] = [];
  const childIndex: number[] = [];
  for (const start of starts) {
    if (seen.has(start.id)) continue;
    seen.add(start.id);
    nodes.push(start);
    childIndex.push(0);
    while (nodes.length > 0) {
      const top = nodes.length - 1;
      const node = nodes[top];
      const i = childIndex[top];
      if (i < node.args.length) {
        childIndex[top] = i + 1;
        const child = node.args[i];
        if (!seen.has(child.id)) {
          seen.add(child.id);
          nodes.push(child);
          childIndex.push(0);
        }
      } else {
        nodes.pop();
        childIndex.pop();
        order.push(node);
      }
    }
  }
  return order;
}

/** The free variables of an expression, in order of first appearance (left to right). */
export function variablesOf(expr: Expr | readonly Expr[]): string[] {
  const names: string[] = [];
  for (const node of topologicalOrder(expr)) if (node.kind === 'var') names.push(node.name);
  return names;
}

/** Size metrics of an expression. */
export interface ExprMetrics {
  /** Nodes when every shared subexpression is written out again (what a printed formula holds); may exceed 2^53 as a float. */
  treeSize: number;
  /** Distinct nodes (what the hash-consed DAG holds). */
  dagSize: number;
  /** Longest path from the root to a leaf, counting nodes (a constant has depth 1). */
  depth: number;
  /** Distinct op nodes per primitive. */
  opCounts: Partial<Record<OpName, number>>;
  /** Free variables, in order of first appearance. */
  variables: string[];
}

/** Tree size, DAG size, depth, op counts and variables, in one pass over the DAG. */
export function metrics(expr: Expr): ExprMetrics {
  const order = topologicalOrder(expr);
  const tree = new Map<number, number>();
  const depth = new Map<number, number>();
  const opCounts: Partial<Record<OpName, number>> = {};
  const variables: string[] = [];
  for (const node of order) {
    let size = 1;
    let d = 0;
    for (const child of node.args) {
      size += tree.get(child.id)!;
      d = Math.max(d, depth.get(child.id)!);
    }
    tree.set(node.id, size);
    depth.set(node.id, d + 1);
    if (node.kind === 'op') opCounts[node.op] = (opCounts[node.op] ?? 0) + 1;
    else if (node.kind === 'var') variables.push(node.name);
  }
  return { treeSize: tree.get(expr.id)!, dagSize: order.length, depth: depth.get(expr.id)!, opCounts, variables };
}
