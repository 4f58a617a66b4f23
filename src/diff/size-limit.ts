// Early refusal of expressions too large for a method's memory: a clear error that names the limit, instead of a V8 heap abort minutes later.
//
// Every method's memory is linear in the expression's DAG size, but the constants differ by an order of magnitude.
// Measured on the 10⁵-level tower x^x^…^x (peak heap growth per DAG node, Node 20, 2026-12-06): autograd ≈ 0.5 KB
// (one tensor per node); autograd-compiled ≈ 5.3 KB, forward-mode ≈ 6.5 KB and symbolic-dag ≈ 6.4 KB (each node's
// partials and adjoint or tangent become new IR nodes, then SSA instructions). A 10⁶-level tower therefore needs
// 5–7 GB in the compiled methods: more than V8's default heap, which aborts the whole process. Each method declares a
// per-node budget a little above what it was measured to use, and refuses, before any work, an expression whose
// DAG would not fit in half of this process's heap limit.
import type { Expr } from '../ir/node.ts';
import { topologicalOrder } from '../ir/traverse.ts';
import { MethodUnavailableError, type GradientRequest } from './method.ts';

/** Bytes of heap a method may spend per DAG node, by method name (see the measurements above). */
export const bytesPerNode: Readonly<Record<string, number>> = Object.freeze({
  autograd: 1024,
  'autograd-compiled': 8192,
  'forward-mode': 8192,
  'symbolic-dag': 8192,
});

/** The heap this process may grow to, bytes: V8's limit when readable (Node), else a conservative 2 GB. */
export function heapLimitBytes(): number {
  const v8 = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:v8') as
    | { getHeapStatistics(): { heap_size_limit: number } }
    | undefined;
  return v8?.getHeapStatistics().heap_size_limit ?? 2 ** 31;
}

/** The largest DAG `method` accepts by default in this process: half the heap limit over its per-node budget. */
export function defaultMaxNodes(method: string): number {
  return Math.floor((0.5 * heapLimitBytes()) / (bytesPerNode[method] ?? 8192));
}

const sizes = new WeakMap<Expr, number>();

/** Distinct nodes of `expr` (its DAG size), counted once per expression. */
export function dagNodeCount(expr: Expr): number {
  let n = sizes.get(expr);
  if (n === undefined) sizes.set(expr, (n = topologicalOrder(expr).length));
  return n;
}

/**
 * Refuses, before any work, an expression whose DAG is larger than the method's node limit: the request's
 * `maxNodes` option when given (a positive integer, or Infinity to lift the limit), else {@link defaultMaxNodes}.
 * @throws MethodUnavailableError naming the size, the limit and how to raise it.
 * @throws RangeError when `maxNodes` is not a positive integer or Infinity.
 */
export function checkSize(method: string, request: GradientRequest): void {
  const option = request.options.maxNodes;
  if (option !== undefined && !(option === Infinity || (typeof option === 'number' && Number.isInteger(option) && option > 0))) {
    throw new RangeError(`${method}: the maxNodes option must be a positive integer or Infinity, got ${String(option)}`);
  }
  const limit = (option as number | undefined) ?? defaultMaxNodes(method);
  const size = dagNodeCount(request.expr);
  if (size > limit) {
    const heap = `${Math.round(heapLimitBytes() / 2 ** 20)} MB`;
    throw new MethodUnavailableError(
      method,
      `the expression has ${size} distinct nodes, over this method's limit of ${limit} ` +
        `(${option !== undefined ? 'the maxNodes option' : `half of the ${heap} heap at about ${bytesPerNode[method] ?? 8192} bytes per node`}); ` +
        `raise it with the maxNodes option or node --max-old-space-size, or use autograd, which needs about a tenth of the memory`,
    );
  }
}
