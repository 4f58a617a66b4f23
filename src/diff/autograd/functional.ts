// The engine's ops: elementwise forwards from the IR op table, the structural ops' forwards and their VJP rules (one table).
//
// Every op result is a Tensor that is also its own graph node: `_op` (an op id), `_a`/`_b` (tensor inputs, or null
// where the argument was a plain number, kept in `_k`), `_aux` (dims, shapes). No closure and no separate node
// object is made per op; the user-visible `gradFn` wrapper is built lazily (grad-fn.ts).
//
// Non-differentiable points follow PyTorch, and come from the op table's partials, not from code here:
//   abs at 0 → 0 (sign(0) = 0) · relu at 0 → 0 (step(0) = 0) · sqrt at 0 → inf (1 / (2·√0)) · log at 0 → inf
//   a**b: ∂/∂a = 0 where b = 0 (x**0 → 0 everywhere, also at x = 0), ∂/∂b = 0 where a = 0, b ≥ 0, as PyTorch's
//   where() masks: the table's partials state them (mul_no_nan) · max()/min() of a whole tensor: tied elements
//   share the gradient evenly (`tieMask`). NaN and inf propagate as in PyTorch (g·∂: 0·inf is NaN).
import { constant, type Expr, type VarExpr } from '../../ir/node.ts';
import { ops, opNames, type OpName } from '../../ir/ops.ts';
import { interpret, realAlgebra, type Algebra } from '../../ir/evaluate.ts';
import { partialKernels, partialTemplates, placeholder } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { RuntimeError, messages } from './errors.ts';
import { gradMode, noGrad } from './grad-mode.ts';
import { forwardLoop, gemm, gemmTransA, gemmTransB } from './kernels.ts';
import { broadcastIndex, broadcastShapes, checkSizes, numelOf, sameShape, scalarShape, stridesOf, wrapDim } from './shape.ts';
import { Tensor, type TensorLike } from './tensor.ts';
import { LEAF, arityById, elementwiseCount, opId } from './op-ids.ts';
import { SAVES_A, SAVES_B, SAVES_OUT, defineStructural, registeredBase, registeredRules } from './structural-registry.ts';
import { RESHAPE_COPY, gatheredView, refreshView, sharedView, viewIncompatibleMessage, viewableAs } from './views.ts';

export { LEAF, elementwiseCount, arityById, opId };

const evalById: readonly ((a: number, b: number) => number)[] = opNames.map((name) => ops[name].eval);

export { SAVES_A, SAVES_B, SAVES_OUT };

/** What the backward of an elementwise op needs, derived once from the op table's partial templates. */
export interface PartialInfo {
  /** ∂out/∂argᵢ as scalar kernels (a, b, out) ⇒ number. */
  readonly kernels: readonly ((a: number, b: number, out: number) => number)[];
  /** SAVES_* bits: the placeholders the templates read. An op whose partials are constants (add, sub, neg) saves nothing. */
  readonly saved: number;
}

const partialInfoById: (PartialInfo | undefined)[] = new Array(elementwiseCount);

/** The kernels and saved-value mask of elementwise op `op`, built on first use. */
export function partialInfo(op: number): PartialInfo {
  let info = partialInfoById[op];
  if (info === undefined) {
    const name = opNames[op];
    let saved = 0;
    for (const node of topologicalOrder([...partialTemplates(name)])) {
      if (node === placeholder.a) saved |= SAVES_A;
      else if (node === placeholder.b) saved |= SAVES_B;
      else if (node === placeholder.out) saved |= SAVES_OUT;
    }
    info = { kernels: partialKernels(name), saved };
    partialInfoById[op] = info;
  }
  return info;
}

/**
 * ∂out/∂arg`i` of elementwise op `op` at concrete values, re-derived from the op table with the values as constants.
 * Used where the placeholder kernel is not finite: the table's partials of constant arguments then apply (folded
 * and simplified as the table declares), so a special case stated only for constants still holds.
 */
export function partialAt(op: number, i: number, a: number, b: number, out: number): number {
  const key = `${op},${i},${a},${b},${out}`;
  let value = partialAtCache.get(key);
  if (value === undefined) {
    const name = opNames[op];
    const args = arityById[op] === 1 ? [constant(a)] : [constant(a), constant(b)];
    value = interpret(ops[name].partials(args, constant(out))[i], () => NaN, realAlgebra);
    if (partialAtCache.size >= 4096) partialAtCache.clear();
    partialAtCache.set(key, value);
  }
  return value;
}

// NaN-heavy tensors meet the same few argument triples again and again; deriving each once keeps them fast.
const partialAtCache = new Map<string, number>();

/**
 * The partial templates of `node`'s op for building a differentiable backward (createGraph): the shared templates
 * over placeholders, or, when an argument is a plain number, the op table's partials with that number in place
 * (so `x**0` gets the table's constant 0).
 */
export function templatesFor(node: Tensor): readonly Expr[] {
  const name = opNames[node._op];
  if (arityById[node._op] === 1 || (node._a !== null && node._b !== null)) return partialTemplates(name);
  const a: Expr = node._a === null ? constant(node._k) : placeholder.a;
  const b: Expr = node._b === null ? constant(node._k) : placeholder.b;
  return ops[name].partials([a, b], placeholder.out);
}

// ---------------------------------------------------------------------------------------------------------------
// Making results.

/** @internal The tensor the user's tensor currently stands for (an in-place op on a recorded tensor moves it). */
export function resolve(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`expected a Tensor or a number, got ${x === null ? 'null' : typeof x}`);
  const e = x._x;
  if (e === null) return x;
  // A view handle follows its base (views.ts); a node an in-place op replaced stands for its successor.
  if (e.view !== null) return refreshView(x);
  return e.head === null ? x : e.head;
}

/** @internal A number as a 0-d tensor; a tensor resolved to what it stands for. */
export function asTensor(x: TensorLike): Tensor {
  return typeof x === 'number' ? new Tensor(scalarShape, null, x) : resolve(x);
}

/** @internal Records the graph edge on `t` (grad mode is on and an input requires grad). */
export function link(t: Tensor, op: number, a: Tensor | null, b: Tensor | null, k: number, aux: readonly number[] | null): void {
  t._rg = true;
  t._op = op;
  t._a = a;
  t._b = b;
  t._k = k;
  t._aux = aux;
  // `_ver` directly when there are no extras (so no shared counter): the common case stays one load.
  if (a !== null) t._va = a._x === null ? a._ver : a._version;
  if (b !== null) t._vb = b._x === null ? b._ver : b._version;
}

/** @internal A result of op `op` on tensors `a` (and `b`): recorded when grad mode is on and an input requires grad. */
export function result(
  shape: readonly number[], data: Float64Array, op: number, a: Tensor, b: Tensor | null = null, k = 0,
  aux: readonly number[] | null = null,
): Tensor {
  // A 0-d result keeps its value in a field, so the scalar fast paths apply to it.
  const t = shape.length === 0 ? new Tensor(scalarShape, null, data[0]) : new Tensor(shape, data, 0);
  if (gradMode.enabled && (a._rg || (b !== null && b._rg))) link(t, op, a, b, k, aux);
  return t;
}

/**
 * @internal A result of an op with any number of tensor inputs (cat, stack): the inputs are kept in the tensor's
 * extras, `_a`/`_b` stay null. Recorded when grad mode is on and an input requires grad.
 */
export function resultN(shape: readonly number[], data: Float64Array, op: number, inputs: readonly Tensor[], aux: readonly number[] | null = null): Tensor {
  const t = shape.length === 0 ? new Tensor(scalarShape, null, data[0]) : new Tensor(shape, data, 0);
  if (gradMode.enabled && inputs.some((x) => x._rg)) {
    link(t, op, null, null, 0, aux);
    t._inputs = inputs;
  }
  return t;
}

/** @internal The data of a tensor, materialising the storage of a 0-d scalar held in a field. */
export function dataOf(t: Tensor): Float64Array {
  if (t._d === null) t._d = Float64Array.of(t._s);
  return t._d;
}

/** @internal The first element (the value of a one-element tensor). */
export function firstValue(t: Tensor): number {
  return t._d === null ? t._s : t._d[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise forwards, from the op table's `eval`.

/**
 * Applies elementwise op `op` to `x` (and `y`), broadcasting. Plain numbers stand for constants, as Python
 * numbers do in PyTorch (`2 - x` records RsubBackward1 with one tensor input). The scalar path (0-d operands)
 * allocates one object and nothing else.
 */
export function elementwise(op: number, x: TensorLike, y?: TensorLike): Tensor {
  if (arityById[op] === 1) {
    const a = typeof x === 'number' ? new Tensor(scalarShape, null, x) : resolve(x);
    if (a._d === null) {
      const t = new Tensor(scalarShape, null, evalById[op](a._s, NaN));
      if (gradMode.enabled && a._rg) link(t, op, a, null, 0, null);
      return t;
    }
    return elementwiseND(op, a, null, 0, 0);
  }
  if (y === undefined) throw new TypeError(`${opNames[op]} takes 2 arguments`);
  const a = typeof x === 'number' ? null : resolve(x);
  const b = typeof y === 'number' ? null : resolve(y);
  if ((a === null || a._d === null) && (b === null || b._d === null)) {
    const av = a === null ? (x as number) : a._s;
    const bv = b === null ? (y as number) : b._s;
    const t = new Tensor(scalarShape, null, evalById[op](av, bv));
    if (gradMode.enabled && ((a !== null && a._rg) || (b !== null && b._rg))) {
      link(t, op, a, b, a === null ? av : bv, null);
    }
    return t;
  }
  return elementwiseND(op, a, b, a === null ? (x as number) : 0, b === null ? (y as number) : 0);
}

function elementwiseND(op: number, a: Tensor | null, b: Tensor | null, ka: number, kb: number): Tensor {
  const f = evalById[op];
  const unary = arityById[op] === 1;
  const sa = a === null ? scalarShape : a._shape;
  const sb = unary || b === null ? scalarShape : b._shape;
  const shape = unary ? sa : broadcastShapes(sa, sb);
  const n = numelOf(shape);
  const out = new Float64Array(n);
  const da = a === null ? null : dataOf(a);
  const db = unary || b === null ? null : dataOf(b);
  const ia = da === null ? null : broadcastIndex(shape, sa);
  const ib = db === null ? null : broadcastIndex(shape, sb);
  if (ia === null && ib === null) forwardLoop(op, da !== null, db !== null, da === null ? ka : kb)(out, da, db, n, ka, kb);
  else for (let j = 0; j < n; j++) {
    const av = da === null ? ka : da[ia === null ? j : ia[j]];
    const bv = db === null ? kb : db[ib === null ? j : ib[j]];
    out[j] = f(av, bv);
  }
  const t = new Tensor(shape, out, 0);
  if (gradMode.enabled && ((a !== null && a._rg) || (!unary && b !== null && b._rg))) {
    link(t, op, a, unary ? null : b, a === null ? ka : kb, null);
  }
  return t;
}

/** An IR op applied to tensors and numbers; two numbers give a number (as Python arithmetic does before a tensor is involved). */
export function applyOp(name: OpName, args: readonly (Tensor | number)[]): Tensor | number {
  const [x, y] = args;
  if (typeof x === 'number' && (y === undefined || typeof y === 'number')) return ops[name].eval(x, y ?? NaN);
  return elementwise(opId(name), x, y);
}

/** The IR evaluated on tensors: constants stay plain numbers, so grad_fn names match PyTorch's for the same Python. */
export const tensorAlgebra: Algebra<Tensor | number> = {
  constant: (value) => value,
  apply: applyOp,
};

// ---------------------------------------------------------------------------------------------------------------
// Structural ops (reductions, matmul, shape changes): forwards below, and their VJP rules in one table.

const structuralNames = [
  'sum', 'sumDim', 'mean', 'meanDim', 'max', 'min', 'dot', 'mm', 'mv', 'reshape', 'view', 'unsqueeze', 'squeezeMatmul',
  't', 'transpose', 'permute', 'expand', 'sumTo', 'copy', 'clone', 'zero',
] as const;
/** Names of the ops whose backward is a rule of their own rather than elementwise partials. */
export type StructuralName = (typeof structuralNames)[number];

/** A structural op's backward: PyTorch's node name, what it saves, and its vector-Jacobian product. */
export interface StructuralRule {
  readonly gradFn: string;
  /** SAVES_* bits (PyTorch's saved tensors: a second backward after release raises only for nodes that save). */
  readonly saved: number;
  /**
   * Gradients for the inputs `[a, b]` given `g`, the gradient of the output. Written with Tensor ops, so under
   * createGraph the backward is itself recorded; `null` for an absent input.
   */
  readonly vjp: (g: Tensor, node: Tensor) => readonly (Tensor | null)[];
}

/** Engine op id of a structural op. */
export const structuralId = Object.fromEntries(structuralNames.map((name, i) => [name, elementwiseCount + i])) as {
  readonly [K in StructuralName]: number;
};

const input = (node: Tensor): Tensor => node._a!;
const other = (node: Tensor): Tensor => node._b!;

/** The VJP table. Each rule's forward is the function of the same name below. */
export const structuralRules: { readonly [K in StructuralName]: StructuralRule } = {
  // d Σx = Σ dx: every element gets g
  sum: { gradFn: 'SumBackward0', saved: 0, vjp: (g, n) => [expandTo(g, input(n)._shape), null] },
  // d Σ_dim x: g, unsqueezed at dim unless kept, spread along dim
  sumDim: { gradFn: 'SumBackward1', saved: 0, vjp: (g, n) => [expandTo(unreduced(g, n), input(n)._shape), null] },
  // d mean x = Σ dx / N
  mean: { gradFn: 'MeanBackward0', saved: 0, vjp: (g, n) => [div(expandTo(g, input(n)._shape), numelOf(input(n)._shape)), null] },
  // d mean_dim x = Σ_dim dx / size(dim)
  meanDim: {
    gradFn: 'MeanBackward1', saved: 0,
    vjp: (g, n) => [div(expandTo(unreduced(g, n), input(n)._shape), input(n)._shape[n._k] ?? 1), null],
  },
  // d max x = dx at the maximum; ties share g evenly (PyTorch's evenly_distribute_backward)
  max: { gradFn: 'MaxBackward1', saved: SAVES_A | SAVES_OUT, vjp: (g, n) => [elementwise(MUL, g, tieMask(n)), null] },
  // d min x = dx at the minimum; ties share g evenly
  min: { gradFn: 'MinBackward1', saved: SAVES_A | SAVES_OUT, vjp: (g, n) => [elementwise(MUL, g, tieMask(n)), null] },
  // d(a·b) = b·da + a·db
  dot: {
    gradFn: 'DotBackward0', saved: SAVES_A | SAVES_B,
    vjp: (g, n) => [elementwise(MUL, g, other(n)), elementwise(MUL, g, input(n))],
  },
  // d(AB) = dA B + A dB  ⇒  Ā = G Bᵀ, B̄ = Aᵀ G
  mm: {
    gradFn: 'MmBackward0', saved: SAVES_A | SAVES_B,
    // An input that needs no gradient (a data batch) gets none computed: half the work of a layer's backward.
    // Unrecorded, the products run on the arrays directly (no transposed copies).
    vjp: (g, n) => {
      const a = input(n), b = other(n);
      if (gradMode.enabled) return [a._rg ? mm(g, transpose2d(b)) : null, b._rg ? mm(transpose2d(a), g) : null];
      const [rows, k] = a._shape, cols = b._shape[1];
      const G = dataOf(g);
      let ga: Tensor | null = null, gb: Tensor | null = null;
      if (a._rg) {
        const out = new Float64Array(rows * k);
        gemmTransB(G, dataOf(b), rows, cols, k, out);
        ga = new Tensor(a._shape, out, 0);
      }
      if (b._rg) {
        const out = new Float64Array(k * cols);
        gemmTransA(dataOf(a), G, k, rows, cols, out);
        gb = new Tensor(b._shape, out, 0);
      }
      return [ga, gb];
    },
  },
  // d(Av) = dA v + A dv  ⇒  Ā = g vᵀ (outer product), v̄ = Aᵀ g
  mv: {
    gradFn: 'MvBackward0', saved: SAVES_A | SAVES_B,
    vjp: (g, n) => [
      input(n)._rg ? elementwise(MUL, reshape(g, [g._shape[0], 1], 'reshape'), other(n)) : null,
      other(n)._rg ? mv(transpose2d(input(n)), g) : null,
    ],
  },
  // reshaping moves no value: the gradient is reshaped back
  reshape: { gradFn: 'ReshapeAliasBackward0', saved: 0, vjp: (g, n) => [reshape(g, input(n)._shape, 'reshape'), null] },
  view: { gradFn: 'ViewBackward0', saved: 0, vjp: (g, n) => [reshape(g, input(n)._shape, 'view'), null] },
  unsqueeze: { gradFn: 'UnsqueezeBackward0', saved: 0, vjp: (g, n) => [reshape(g, input(n)._shape, 'reshape'), null] },
  squeezeMatmul: { gradFn: 'SqueezeBackward3', saved: 0, vjp: (g, n) => [reshape(g, input(n)._shape, 'reshape'), null] },
  // d xᵀ = (dx)ᵀ
  t: { gradFn: 'TBackward0', saved: 0, vjp: (g) => [transpose2d(g), null] },
  transpose: { gradFn: 'TransposeBackward0', saved: 0, vjp: (g, n) => [transpose(g, n._aux![0], n._aux![1]), null] },
  permute: { gradFn: 'PermuteBackward0', saved: 0, vjp: (g) => [reverseDims(g), null] },
  // broadcasting copies x, so its gradient sums the copies back to x's shape
  expand: { gradFn: 'ExpandBackward0', saved: 0, vjp: (g, n) => [sumTo(g, input(n)._shape), null] },
  // summing to a shape is undone by broadcasting back
  sumTo: { gradFn: 'SumBackward1', saved: 0, vjp: (g, n) => [expandTo(g, input(n)._shape), null] },
  // a copy passes the gradient through (PyTorch's name for a leaf's .grad made under createGraph)
  copy: { gradFn: 'CopyBackwards', saved: 0, vjp: (g) => [g, null] },
  clone: { gradFn: 'CloneBackward0', saved: 0, vjp: (g) => [g, null] },
  // zero_() overwrites x: nothing flows back
  zero: { gradFn: 'ZeroBackward0', saved: 0, vjp: (g) => [new Tensor(g._shape, new Float64Array(numelOf(g._shape)), 0), null] },
};

const structuralById: readonly StructuralRule[] = structuralNames.map((name) => structuralRules[name]);

export { defineStructural };

/** The rule of structural op id `op`. */
export function structuralRule(op: number): StructuralRule {
  return op >= registeredBase ? registeredRules[op - registeredBase] : structuralById[op - elementwiseCount];
}

/** PyTorch's grad_fn class name for a recorded tensor. */
export function gradFnName(t: Tensor): string {
  const op = t._op;
  if (op < elementwiseCount) {
    const consts = arityById[op] === 1 ? [false] : [t._a === null, t._b === null];
    return ops[opNames[op]].gradFn(consts);
  }
  return structuralRule(op).gradFn;
}

/** SAVES_* bits of any recorded op. */
export function savedMask(op: number): number {
  return op < elementwiseCount ? partialInfo(op).saved : structuralRule(op).saved;
}

const MUL = opId('mul');
const DIV = opId('div');
const div = (x: TensorLike, y: TensorLike): Tensor => elementwise(DIV, x, y);

/** `g` with the reduced dimension put back (size 1) when the reduction dropped it. */
function unreduced(g: Tensor, node: Tensor): Tensor {
  const inShape = input(node)._shape;
  if (g._shape.length === inShape.length) return g;
  const shape = [...g._shape];
  shape.splice(node._k, 0, 1);
  return reshape(g, shape, 'reshape');
}

/** 1/count at the elements equal to the max (min), 0 elsewhere: a constant tensor. */
function tieMask(node: Tensor): Tensor {
  const x = dataOf(input(node));
  const m = firstValue(node);
  let count = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === m || (m !== m && x[i] !== x[i])) count++;
  const mask = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) if (x[i] === m || (m !== m && x[i] !== x[i])) mask[i] = 1 / count;
  return new Tensor(input(node)._shape, mask, 0);
}

// --- forwards ---------------------------------------------------------------------------------------------------

/** Σ of all elements (`x.sum()`, SumBackward0), or along `dim` (`x.sum(dim, keepdim)`, SumBackward1). */
export function sum(x: TensorLike, dim?: number, keepdim = false): Tensor {
  const a = asTensor(x);
  if (dim === undefined) {
    const d = dataOf(a);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return result(scalarShape, Float64Array.of(s), structuralId.sum, a);
  }
  const { shape, data, d } = reduceDim(a, dim, keepdim);
  return result(shape, data, structuralId.sumDim, a, null, d);
}

/** Mean of all elements (MeanBackward0), or along `dim` (MeanBackward1). */
export function mean(x: TensorLike, dim?: number, keepdim = false): Tensor {
  const a = asTensor(x);
  if (dim === undefined) {
    const d = dataOf(a);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[i];
    return result(scalarShape, Float64Array.of(s / d.length), structuralId.mean, a);
  }
  const { shape, data, d } = reduceDim(a, dim, keepdim);
  const size = a._shape[d] ?? 1;
  for (let i = 0; i < data.length; i++) data[i] /= size;
  return result(shape, data, structuralId.meanDim, a, null, d);
}

function reduceDim(a: Tensor, dim: number, keepdim: boolean): { shape: readonly number[]; data: Float64Array; d: number } {
  const d = wrapDim(dim, a._shape.length);
  const src = dataOf(a);
  if (a._shape.length === 0) return { shape: scalarShape, data: Float64Array.of(src[0]), d };
  const outer = numelOf(a._shape.slice(0, d));
  const size = a._shape[d];
  const inner = numelOf(a._shape.slice(d + 1));
  const data = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < size; j++) {
      const base = (o * size + j) * inner;
      for (let i = 0; i < inner; i++) data[o * inner + i] += src[base + i];
    }
  }
  const shape = [...a._shape];
  if (keepdim) shape[d] = 1;
  else shape.splice(d, 1);
  return { shape: Object.freeze(shape), data, d };
}

function extreme(x: TensorLike, which: 'max' | 'min'): Tensor {
  const a = asTensor(x);
  const d = dataOf(a);
  if (d.length === 0) throw new RuntimeError(messages.emptyReduction(which));
  let m = d[0];
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v) {
      m = v;
      break;
    }
    if (which === 'max' ? v > m : v < m) m = v;
  }
  return result(scalarShape, Float64Array.of(m), structuralId[which], a);
}

/** The largest element (MaxBackward1); NaN if any element is NaN. Tied maxima share the gradient evenly. */
export function max(x: TensorLike): Tensor {
  return extreme(x, 'max');
}

/** The smallest element (MinBackward1); tied minima share the gradient evenly. */
export function min(x: TensorLike): Tensor {
  return extreme(x, 'min');
}

/** Dot product of two 1-D tensors (DotBackward0). */
export function dot(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x), b = asTensor(y);
  if (a._shape.length !== 1 || b._shape.length !== 1) throw new RuntimeError(messages.matmul1d(a._shape.length, b._shape.length));
  const n = a._shape[0], m = b._shape[0];
  if (n !== m) throw new RuntimeError(messages.dot(n, m));
  const da = dataOf(a), db = dataOf(b);
  let s = 0;
  for (let i = 0; i < n; i++) s += da[i] * db[i];
  return result(scalarShape, Float64Array.of(s), structuralId.dot, a, b);
}

/** Matrix product of two 2-D tensors (MmBackward0). */
export function mm(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x), b = asTensor(y);
  if (a._shape.length !== 2) throw new RuntimeError(`self must be a matrix`);
  if (b._shape.length !== 2) throw new RuntimeError(`mat2 must be a matrix`);
  const [n, k] = a._shape;
  const [k2, m] = b._shape;
  if (k !== k2) throw new RuntimeError(messages.mm(a._shape, b._shape));
  const out = new Float64Array(n * m);
  gemm(dataOf(a), dataOf(b), n, k, m, out);
  return result(Object.freeze([n, m]), out, structuralId.mm, a, b);
}

/** Matrix-vector product (MvBackward0). */
export function mv(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x), b = asTensor(y);
  if (a._shape.length !== 2 || b._shape.length !== 1) throw new RuntimeError('vector + matrix @ vector expected');
  const [n, k] = a._shape;
  if (b._shape[0] !== k) throw new RuntimeError(messages.mv(a._shape, b._shape[0]));
  const da = dataOf(a), db = dataOf(b);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += da[i * k + p] * db[p];
    out[i] = s;
  }
  return result(Object.freeze([n]), out, structuralId.mv, a, b);
}

/**
 * `x @ y` as torch.matmul for 1-D and 2-D operands: 1-D·1-D is a dot product (DotBackward0), 2-D·2-D a matrix
 * product (MmBackward0), 2-D·1-D a matrix-vector product (MvBackward0), 1-D·2-D is `x.unsqueeze(0).mm(y)` squeezed
 * (SqueezeBackward3). Batched (3-D and up) operands are not supported.
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  const a = asTensor(x), b = asTensor(y);
  const ra = a._shape.length, rb = b._shape.length;
  if (ra === 0 || rb === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${ra}D and ${rb}D`);
  }
  if (ra === 1 && rb === 1) return dot(a, b);
  if (ra === 2 && rb === 2) return mm(a, b);
  if (ra === 2 && rb === 1) return mv(a, b);
  if (ra === 1 && rb === 2) {
    const row = mm(unsqueeze(a, 0), b);
    return result(Object.freeze([row._shape[1]]), dataOf(row), structuralId.squeezeMatmul, row);
  }
  throw new RuntimeError(`gradlab's matmul supports 1-D and 2-D operands, got ${ra}D and ${rb}D`);
}

/** The shape with one `-1` inferred. @throws RuntimeError with PyTorch's message when the sizes do not fit. */
function inferShape(shape: readonly number[], numel: number): readonly number[] {
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i];
    if (s === -1) {
      if (inferred >= 0) throw new RuntimeError('only one dimension can be inferred');
      inferred = i;
    } else if (!Number.isInteger(s) || s < 0) throw new RuntimeError(`invalid shape dimension ${s}`);
    else known *= s;
  }
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) throw new RuntimeError(messages.reshape(shape, numel));
    const out = [...shape];
    out[inferred] = numel / known;
    return Object.freeze(out);
  }
  if (known !== numel) throw new RuntimeError(messages.reshape(shape, numel));
  return Object.freeze([...shape]);
}

/**
 * The same values in a new shape (`reshape`: ReshapeAliasBackward0; `view`: ViewBackward0), one size may be -1: a
 * view of `x`, except reshape of a view whose layout cannot take the shape, which copies (UnsafeViewBackward0).
 */
export function reshape(x: TensorLike, shape: readonly number[], kind: 'reshape' | 'view' = 'reshape'): Tensor {
  const a = asTensor(x);
  checkSizes(kind, shape, true);
  const target = inferShape(shape, numelOf(a._shape));
  // PyTorch's rule: a view when the elements can take the new shape with strides (always, unless `a` is a view
  // holding an index map, views.ts); otherwise reshape copies and view refuses.
  if (!viewableAs(a, target)) {
    if (kind === 'view') throw new RuntimeError(viewIncompatibleMessage);
    return result(target, dataOf(a).slice(), RESHAPE_COPY, a);
  }
  return sharedView(a, target, 0, structuralId[kind], 0, null);
}

/** A size-1 dimension inserted at `dim` (UnsqueezeBackward0), a view sharing storage. */
export function unsqueeze(x: TensorLike, dim: number): Tensor {
  const a = asTensor(x);
  const d = wrapDim(dim, a._shape.length + 1);
  const shape = [...a._shape];
  shape.splice(d, 0, 1);
  return sharedView(a, Object.freeze(shape), 0, structuralId.unsqueeze, 0, null);
}

/**
 * t, transpose, permute and expand as the user calls them: views of `x` (views.ts) that hold their values gathered,
 * with an index map into the storage (shared outright when the layout allows). The plain functions
 * (`transpose2d`, `transpose`, …) make unmarked copies for the engine's own use.
 */
export const gatheredViews = {
  t: (x: TensorLike): Tensor => {
    const a = asTensor(x);
    // 0-d and 1-d: the same layout, a view sharing storage
    if (a._shape.length < 2) return sharedView(a, a._shape, 0, structuralId.t, 0, null);
    return gatheredView(a, transpose2d(a), (base) => transpose2d(base));
  },
  transpose: (x: TensorLike, dim0: number, dim1: number): Tensor => {
    const a = asTensor(x);
    const d0 = wrapDim(dim0, a._shape.length), d1 = wrapDim(dim1, a._shape.length);
    if (d0 === d1 || a._shape.length === 0) return sharedView(a, a._shape, 0, structuralId.transpose, 0, Object.freeze([d0, d1]));
    return gatheredView(a, transpose(a, d0, d1), (base) => transpose(base, d0, d1));
  },
  permute: (x: TensorLike): Tensor => {
    const a = asTensor(x);
    if (a._shape.length < 2) return sharedView(a, a._shape, 0, structuralId.permute, 0, null);
    return gatheredView(a, reverseDims(a), (base) => reverseDims(base));
  },
  expand: (x: TensorLike, sizes: readonly number[]): Tensor => {
    const a = asTensor(x);
    const made = expand(a, sizes);
    if (made === a) return sharedView(a, a._shape, 0, structuralId.expand, 0, null);
    return gatheredView(a, made, (base) => expand(base, sizes));
  },
};

function permuted(a: Tensor, perm: readonly number[]): { shape: readonly number[]; data: Float64Array } {
  const src = dataOf(a);
  const inStrides = stridesOf(a._shape);
  const shape = perm.map((p) => a._shape[p]);
  const strides = perm.map((p) => inStrides[p]);
  const n = src.length;
  const out = new Float64Array(n);
  const nd = shape.length;
  const counter = new Array<number>(nd).fill(0);
  let offset = 0;
  for (let j = 0; j < n; j++) {
    out[j] = src[offset];
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      offset += strides[d];
      if (counter[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return { shape: Object.freeze(shape), data: out };
}

/** `x.t()` (TBackward0) for tensors of at most 2 dimensions; 0-d and 1-d come back unchanged. */
export function transpose2d(x: TensorLike): Tensor {
  const a = asTensor(x);
  if (a._shape.length > 2) throw new RuntimeError(messages.tDims(a._shape.length));
  if (a._shape.length < 2) return result(a._shape, dataOf(a).slice(), structuralId.t, a);
  const { shape, data } = permuted(a, [1, 0]);
  return result(shape, data, structuralId.t, a);
}

/** Swaps dimensions `dim0` and `dim1` (TransposeBackward0). */
export function transpose(x: TensorLike, dim0: number, dim1: number): Tensor {
  const a = asTensor(x);
  const d0 = wrapDim(dim0, a._shape.length), d1 = wrapDim(dim1, a._shape.length);
  const perm = a._shape.map((_, i) => i);
  perm[d0] = d1;
  perm[d1] = d0;
  const { shape, data } = a._shape.length === 0 ? { shape: scalarShape, data: dataOf(a).slice() } : permuted(a, perm);
  return result(shape, data, structuralId.transpose, a, null, 0, Object.freeze([d0, d1]));
}

/** All dimensions reversed, as `x.T` (PermuteBackward0). */
export function reverseDims(x: TensorLike): Tensor {
  const a = asTensor(x);
  const perm = a._shape.map((_, i) => a._shape.length - 1 - i);
  const { shape, data } = a._shape.length === 0 ? { shape: scalarShape, data: dataOf(a).slice() } : permuted(a, perm);
  return result(shape, data, structuralId.permute, a);
}

/**
 * `x.expand(*sizes)` (ExpandBackward0): new leading dimensions, and size-1 dimensions stretched; -1 keeps a size.
 * @throws RuntimeError with PyTorch's message when a size cannot be stretched.
 */
export function expand(x: TensorLike, sizes: readonly number[]): Tensor {
  const a = asTensor(x);
  checkSizes('expand', sizes, true);
  const shape = [...sizes];
  const lead = sizes.length - a._shape.length;
  if (lead < 0) {
    throw new RuntimeError(
      `expand(torch.DoubleTensor{[${a._shape.join(', ')}]}, size=[${sizes.join(', ')}]): the number of sizes provided (${sizes.length}) ` +
        `must be greater or equal to the number of dimensions in the tensor (${a._shape.length})`,
    );
  }
  for (let i = sizes.length - 1; i >= 0; i--) {
    const existing = i >= lead ? a._shape[i - lead] : -1;
    if (sizes[i] === -1) {
      if (existing < 0) throw new RuntimeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      shape[i] = existing;
    } else if (existing >= 0 && existing !== 1 && existing !== sizes[i]) {
      throw new RuntimeError(messages.expand(sizes[i], existing, i, sizes, a._shape));
    }
  }
  checkSizes('expand', shape, false);
  return expandTo(a, Object.freeze(shape));
}

/** `a` broadcast to `shape` (recorded as ExpandBackward0 unless the shape already matches). */
export function expandTo(x: Tensor, shape: readonly number[]): Tensor {
  const a = resolve(x);
  if (sameShape(a._shape, shape)) return a;
  const src = dataOf(a);
  if (src.length === 1) {
    // One value spread (sum's and mean's backward): a fill, with no index map.
    return result(shape, new Float64Array(numelOf(shape)).fill(src[0]), structuralId.expand, a);
  }
  const map = broadcastIndex(shape, a._shape)!;
  const out = new Float64Array(map.length);
  for (let j = 0; j < map.length; j++) out[j] = src[map[j]];
  return result(shape, out, structuralId.expand, a);
}

/** `g` summed over the broadcast dimensions down to `shape` (the adjoint of broadcasting; SumBackward1). */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  const a = resolve(x);
  if (sameShape(a._shape, shape)) return a;
  const map = broadcastIndex(a._shape, shape)!;
  const src = dataOf(a);
  const out = new Float64Array(numelOf(shape));
  for (let j = 0; j < map.length; j++) out[map[j]] += src[j];
  return result(shape, out, structuralId.sumTo, a);
}

/** A copy recorded as `op` (copy: CopyBackwards, clone: CloneBackward0): same values, new storage. */
export function copyOf(x: Tensor, op: 'copy' | 'clone'): Tensor {
  const a = resolve(x);
  if (a._d === null) {
    const t = new Tensor(scalarShape, null, a._s);
    if (gradMode.enabled && a._rg) link(t, structuralId[op], a, null, 0, null);
    return t;
  }
  return result(a._shape, a._d.slice(), structuralId[op], a);
}

/** Zeros shaped like `x`, recorded as ZeroBackward0 (the out-of-place form of `zero_()`). */
export function zerosLike(x: Tensor): Tensor {
  const a = resolve(x);
  return result(a._shape, new Float64Array(numelOf(a._shape)), structuralId.zero, a);
}

/** Runs a structural VJP without recording (the plain backward) or recording (createGraph). */
export function runVjp(rule: StructuralRule, g: Tensor, node: Tensor, record: boolean): readonly (Tensor | null)[] {
  return record ? rule.vjp(g, node) : noGrad(() => rule.vjp(g, node));
}

/** The placeholder a template variable stands for: 0 = a, 1 = b, 2 = out. */
export function placeholderIndex(v: VarExpr): number {
  return v === placeholder.a ? 0 : v === placeholder.b ? 1 : v === placeholder.out ? 2 : -1;
}
