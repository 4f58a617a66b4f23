// The `autograd` differentiation method: the IR interpreted on leaf tensors, then one backward; and the lesson-style trace.
import type { Expr } from '../../ir/node.ts';
import { ops } from '../../ir/ops.ts';
import { variablesOf } from '../../ir/traverse.ts';
import { interpret, type Algebra } from '../../ir/evaluate.ts';
import type { GradientMethod, GradientRequest, GradientResult } from '../method.ts';
import { firstValue, resolve, tensorAlgebra } from './functional.ts';
import { LEAF } from './op-ids.ts';
import { Tensor, tensor } from './tensor.ts';
import { checkSize } from '../size-limit.ts';

/** The number of recorded op nodes reachable from `t` (its tape length), counted without recursion. */
export function tapeLength(t: Tensor): number {
  const seen = new Set<Tensor>();
  const stack: Tensor[] = [resolve(t)];
  let count = 0;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n) || n._op === LEAF || !n._rg) continue;
    seen.add(n);
    count++;
    if (n._a !== null) stack.push(n._a);
    if (n._b !== null) stack.push(n._b);
  }
  return count;
}

const scalarOf = (x: Tensor | number): number => (typeof x === 'number' ? x : firstValue(resolve(x)));

/**
 * Evaluates `expr` on the leaves by interpreting the IR with the tensor algebra (constants stay plain numbers; an op
 * on numbers only gives a number), noting each op applied outside its smooth domain, where PyTorch's convention
 * decides the derivative. Returns the output and the number of recorded nodes (the tape length).
 */
function forward(expr: Expr, leaves: ReadonlyMap<string, Tensor>, notes: Set<string>): { out: Tensor | number; recorded: number } {
  let recorded = 0;
  const algebra: Algebra<Tensor | number> = {
    constant: tensorAlgebra.constant,
    apply(op, args) {
      const spec = ops[op];
      const a = scalarOf(args[0]);
      const b = args.length > 1 ? scalarOf(args[1]) : NaN;
      if (!spec.domain.contains(a, b, args.map((x) => typeof x === 'number'))) {
        const at = spec.arity === 1 ? `${a}` : `(${a}, ${b})`;
        notes.add(`${op} at ${at} is outside its smooth domain (${spec.domain.description})${spec.kinks ? `; convention: ${spec.kinks}` : ''}`);
      }
      const result = tensorAlgebra.apply(op, args);
      if (typeof result !== 'number' && result._rg) recorded++;
      return result;
    },
  };
  const out = interpret(expr, (v) => {
    const leaf = leaves.get(v.name);
    if (leaf === undefined) throw new Error(`no value for variable '${v.name}'`);
    return leaf;
  }, algebra);
  return { out, recorded };
}

/**
 * Reverse-mode autograd with PyTorch's semantics: each variable becomes a leaf tensor that requires grad, the IR is
 * interpreted on tensors (constants stay plain numbers, so grad_fn names are PyTorch's), and one `backward()`
 * fills the leaves' `.grad`. Variables the output does not reach get 0. `extra.tapeLength` is the number of
 * recorded nodes.
 */
export const autogradMethod: GradientMethod = {
  name: 'autograd',
  summary: 'Reverse-mode automatic differentiation on a recorded tape, with PyTorch autograd semantics (one forward, one backward).',
  compute(request: GradientRequest): GradientResult {
    checkSize('autograd', request);
    const { expr, variables, point } = request;
    const leaves = new Map<string, Tensor>();
    variables.forEach((name, i) => leaves.set(name, tensor(point[i], { requiresGrad: true })));
    const notes = new Set<string>();
    const { out, recorded } = forward(expr, leaves, notes);
    const gradient = new Float64Array(variables.length);
    if (typeof out === 'number') {
      notes.add('the expression is constant: every partial is 0');
      return { value: out, gradient, notes: [...notes], extra: { tapeLength: 0 } };
    }
    out.backward();
    variables.forEach((name, i) => {
      gradient[i] = leaves.get(name)!.grad?.item() ?? 0;
    });
    return { value: out.item(), gradient, notes: notes.size > 0 ? [...notes] : undefined, extra: { tapeLength: recorded } };
  },
};

/**
 * f alone, evaluated the way {@link autogradMethod} evaluates it (the same cached plan) on tensors that do not
 * require grad, so nothing is recorded: the baseline for ω = time(value + gradient) / time(f).
 */
export function autogradValue(request: GradientRequest): number {
  const leaves = new Map<string, Tensor>();
  request.variables.forEach((name, i) => leaves.set(name, tensor(request.point[i])));
  const { out } = forward(request.expr, leaves, new Set());
  return typeof out === 'number' ? out : out.item();
}

/**
 * The lesson-style trace of `expr` at `point`, as `gradlab autograd "<expr>" --at x=2` prints it: the output tensor
 * as PyTorch prints it (with its grad_fn), then each variable's `.grad` after `backward()`:
 * ```
 * y = tensor(11., grad_fn=<AddBackward0>)
 * x.grad = tensor(7.)
 * ```
 * The output is called `y`, or the first of `z`, `f`, `out` that is not a variable. A variable the output does
 * not reach prints `None`; a constant expression prints PyTorch's error for its backward.
 */
export function autogradTrace(expr: Expr, point: Readonly<Record<string, number>>, variables?: readonly string[]): string {
  const names = variables ?? [...new Set([...variablesOf(expr), ...Object.keys(point)])];
  const leaves = new Map<string, Tensor>();
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(point, name)) throw new Error(`no value for variable '${name}': pass it in the point, e.g. ${name}=1`);
    leaves.set(name, tensor(point[name], { requiresGrad: true }));
  }
  const output = ['y', 'z', 'f', 'out'].find((n) => !leaves.has(n)) ?? 'result';
  const { out } = forward(expr, leaves, new Set());
  const y = typeof out === 'number' ? tensor(out) : out;
  const lines = [`${output} = ${y.toString()}`];
  try {
    y.backward();
  } catch (error) {
    lines.push(`${(error as Error).name}: ${(error as Error).message}`);
    return lines.join('\n');
  }
  for (const name of names) lines.push(`${name}.grad = ${leaves.get(name)!.grad?.toString() ?? 'None'}`);
  return lines.join('\n');
}
