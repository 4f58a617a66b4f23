// Early refusal of expressions too large for a method's memory: a clear error that names the limit, instead of a V8 heap abort minutes later.
//
// Every method's memory is linear in the expression's DAG size, but the constant depends on the method and on the ops.
// Measured as peak heap growth per level on 10⁴- and 10⁵-level expressions (Node 20, 2026-12-06): autograd ≈ 0.5 KB per
// node whatever the op (one tensor per node). autograd-compiled, forward-mode and symbolic-dag build IR nodes for each
// node's partials, then SSA instructions, so their cost follows the op table: about 1.1–2.5 KB per "unit", counting one
// unit per node plus one per op node in its partials' templates (pow: 5 units, 5.3–5.6 KB per level of x^x^…^x; sin:
// 2 units, 1.7–2.6 KB per level of a chain; a term c·vᵢ of a sum: 2–3 units, 1.9–5.1 KB). A 10⁶-level tower therefore
// needs 5–7 GB in the compiled methods: more than V8's default heap, which aborts the whole process after minutes. Each
// method refuses, before any work, an expression whose estimate exceeds half of this process's heap limit.
import type { Expr } from '../ir/node.ts';
import { partialTemplates } from '../ir/partials.ts';
import { topologicalOrder } from '../ir/traverse.ts';
import type { OpName } from '../ir/ops.ts';
import { MethodUnavailableError, type GradientRequest } from './method.ts';

/** Bytes per unit a method may spend, and whether it builds IR for partials (then an op's partials count as units). */
export const memoryModel: Readonly<Record<string, { readonly unitBytes: number; readonly partials: boolean }>> = Object.freeze({
  autograd: { unitBytes: 1024, partials: false },
  'autograd-compiled': { unitBytes: 3072, partials: true },
  'forward-mode': { unitBytes: 3072, partials: true },
  'symbolic-dag': { unitBytes: 3072, partials: true },
});

let heapLimit: number | undefined;

/**
 * The heap this process may grow to, bytes: V8's limit when readable (Node), else a conservative 2 GB. Read once:
 * the limit is fixed when the process starts, and reading it costs about a µs (a C++ call building an object),
 * which every cached gradient call used to pay, many times the cost of a small compiled gradient.
 */
export function heapLimitBytes(): number {
  return (heapLimit ??= readHeapLimit());
}

function readHeapLimit(): number {
  const v8 = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:v8') as
    | { getHeapStatistics(): { heap_size_limit: number } }
    | undefined;
  return v8?.getHeapStatistics().heap_size_limit ?? 2 ** 31;
}

const partialUnits = new Map<OpName, number>();
function unitsOf(op: OpName): number {
  let n = partialUnits.get(op);
  if (n === undefined) partialUnits.set(op, (n = topologicalOrder([...partialTemplates(op)]).filter((t) => t.kind === 'op').length));
  return n;
}

const sizes = new WeakMap<Expr, { nodes: number; units: number }>();

/** Distinct nodes of `expr` (its DAG size), and its units (nodes plus the op nodes of their partials), counted once per expression. */
export function dagCost(expr: Expr): { nodes: number; units: number } {
  let cost = sizes.get(expr);
  if (cost === undefined) {
    const order = topologicalOrder(expr);
    let units = order.length;
    for (const node of order) if (node.kind === 'op') units += unitsOf(node.op);
    sizes.set(expr, (cost = { nodes: order.length, units }));
  }
  return cost;
}

/** Distinct nodes of `expr` (its DAG size). */
export function dagNodeCount(expr: Expr): number {
  return dagCost(expr).nodes;
}

/** The heap `method` is estimated to need for `expr`, bytes (see the measurements above). */
export function estimatedBytes(method: string, expr: Expr): number {
  const model = memoryModel[method] ?? { unitBytes: 3072, partials: true };
  const { nodes, units } = dagCost(expr);
  return (model.partials ? units : nodes) * model.unitBytes;
}

/**
 * Refuses, before any work, an expression too large for the method: over the request's `maxNodes` option when given
 * (distinct nodes; a positive integer, or Infinity to lift the limit), else when its estimated memory
 * ({@link estimatedBytes}) exceeds half of this process's heap limit.
 * @throws MethodUnavailableError naming the size, the limit and how to raise it.
 * @throws RangeError when `maxNodes` is not a positive integer or Infinity.
 */
export function checkSize(method: string, request: GradientRequest): void {
  const option = request.options.maxNodes;
  if (option !== undefined && !(option === Infinity || (typeof option === 'number' && Number.isInteger(option) && option > 0))) {
    throw new RangeError(`${method}: the maxNodes option must be a positive integer or Infinity, got ${String(option)}`);
  }
  const { nodes } = dagCost(request.expr);
  const advice = 'or use autograd, which needs a fraction of the memory';
  if (option !== undefined) {
    if (nodes > (option as number)) {
      throw new MethodUnavailableError(method, `the expression has ${nodes} distinct nodes, over this method's limit of ${option} (the maxNodes option); raise it, ${advice}`);
    }
    return;
  }
  const need = estimatedBytes(method, request.expr);
  const heap = heapLimitBytes();
  if (need > heap / 2) {
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
    throw new MethodUnavailableError(
      method,
      `the expression has ${nodes} distinct nodes and would need about ${mb(need)}, over this method's limit of half the ${mb(heap)} heap; ` +
        `raise the heap with node --max-old-space-size (or pass the maxNodes option to try anyway), ${advice}`,
    );
  }
}
