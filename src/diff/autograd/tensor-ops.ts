// The shape, indexing, selection and comparison ops a training loop needs (PyTorch's meaning and grad_fn names), with their VJPs.
//
// Every op here registers its backward rule in the structural table (functional.ts `defineStructural`), so the
// engine runs them like sum or mm; each VJP is written with Tensor ops, so createGraph records it. Index and mask
// results carry PyTorch's dtype for printing (`tensor([0, 2])`, `tensor([True, False])`) but hold float64 values.
import { SAVES_A, SAVES_B, SAVES_OUT, defineStructural } from './structural-registry.ts';
import { IndexError, RuntimeError } from './errors.ts';
import {
  asTensor, dataOf, elementwise, structuralId, expandTo, firstValue, reshape, result, resultN, sumTo, unsqueeze,
} from './functional.ts';
import { opId } from './op-ids.ts';
import { broadcastIndex, broadcastShapes, numelOf, sameShape, scalarShape, wrapDim } from './shape.ts';
import { Tensor, type TensorLike } from './tensor.ts';
import { gatheredView, sharedView } from './views.ts';

const MUL = opId('mul');
const DIV = opId('div');
const SIGN = opId('sign');
const ABS = opId('abs');
const POW = opId('pow');

/** A tensor that records nothing, shaped `shape`, with element type `dtype` (index and mask results). */
export function plain(shape: readonly number[], data: Float64Array, dtype: 'int64' | 'bool' | null = null): Tensor {
  const t = shape.length === 0 ? new Tensor(scalarShape, null, data[0]) : new Tensor(Object.freeze([...shape]), data, 0);
  if (dtype !== null) t._dtype = dtype;
  return t;
}

/** Outer count, size and inner count of `shape` around dimension `d` (row-major blocks). */
function around(shape: readonly number[], d: number): { outer: number; size: number; inner: number } {
  let outer = 1, inner = 1;
  for (let i = 0; i < d; i++) outer *= shape[i];
  for (let i = d + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, size: shape[d] ?? 1, inner };
}

/** `shape` with dimension `d` removed (`keep` false) or set to 1. */
function reducedShape(shape: readonly number[], d: number, keep: boolean): readonly number[] {
  const out = [...shape];
  if (shape.length === 0) return scalarShape;
  if (keep) out[d] = 1;
  else out.splice(d, 1);
  return Object.freeze(out);
}

/** `g` (a reduction's gradient) with the reduced dimension `d` put back as size 1 when it was dropped. */
function keepDim(g: Tensor, inShape: readonly number[], d: number): Tensor {
  if (g._shape.length === inShape.length) return g;
  return unsqueeze(g, d);
}

// ---------------------------------------------------------------------------------------------------------------
// Gathering along a dimension (select, narrow, index, unbind) and its adjoint, scattering back into zeros.
//
// `_aux` = [dim, drop, ...indices]: the output takes slices `indices` of dimension `dim` of the input, and drops
// that dimension when `drop` is 1 (select). The adjoint adds each slice of g back at its index (duplicates sum).

function gatherData(src: Float64Array, shape: readonly number[], d: number, indices: readonly number[]): Float64Array {
  const { outer, size, inner } = around(shape, d);
  const out = new Float64Array(outer * indices.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const j of indices) {
      const base = (o * size + j) * inner;
      for (let i = 0; i < inner; i++) out[k++] = src[base + i];
    }
  }
  return out;
}

function scatterData(g: Float64Array, shape: readonly number[], d: number, indices: readonly number[]): Float64Array {
  const { outer, size, inner } = around(shape, d);
  const out = new Float64Array(numelOf(shape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const j of indices) {
      const base = (o * size + j) * inner;
      for (let i = 0; i < inner; i++) out[base + i] += g[k++];
    }
  }
  return out;
}

interface GatherPair {
  gather: number;
  scatter: number;
}

/** Registers a gather op named `forward` and its adjoint named `backward` (each the other's VJP). */
function gatherPair(forward: string, backward: string): GatherPair {
  const pair: GatherPair = { gather: -1, scatter: -1 };
  pair.gather = defineStructural({
    gradFn: forward, saved: 0,
    vjp: (g, n) => [scatter(pair, g, n._a!._shape, n._aux!), null],
  });
  pair.scatter = defineStructural({
    gradFn: backward, saved: 0,
    vjp: (g, n) => [gather(pair, g, n._aux!), null],
  });
  return pair;
}

/**
 * `gather` as a user-facing view op (select, narrow, unbind): a view sharing `x`'s storage when the slices form one
 * contiguous run (every dimension before `dim` has size 1), else a view holding its values gathered with an index
 * map (views.ts). `outputNr` ≥ 0 marks an output of unbind.
 */
function gatherView(pair: GatherPair, x: Tensor, aux: readonly number[], outputNr = -1): Tensor {
  const [d, drop] = aux;
  const { outer, inner } = around(x._shape, d);
  if (outer === 1) {
    const shape = [...x._shape];
    if (drop === 1) shape.splice(d, 1);
    else shape[d] = aux.length - 2;
    const first = aux.length > 2 ? aux[2] : 0;
    return sharedView(x, Object.freeze(shape), first * inner, pair.gather, 0, aux, outputNr);
  }
  return gatheredView(x, gather(pair, x, aux), (base) => gather(pair, base, aux), outputNr);
}

function gather(pair: GatherPair, x: Tensor, aux: readonly number[]): Tensor {
  const [d, drop] = aux;
  const indices = aux.slice(2);
  const shape = [...x._shape];
  if (drop === 1) shape.splice(d, 1);
  else shape[d] = indices.length;
  return result(Object.freeze(shape), gatherData(dataOf(x), x._shape, d, indices), pair.gather, x, null, 0, aux);
}

function scatter(pair: GatherPair, g: Tensor, inShape: readonly number[], aux: readonly number[]): Tensor {
  const [d] = aux;
  return result(inShape, scatterData(dataOf(g), inShape, d, aux.slice(2)), pair.scatter, g, null, 0, aux);
}

const selectPair = gatherPair('SelectBackward0', 'SelectBackwardBackward0');
const slicePair = gatherPair('SliceBackward0', 'SliceBackwardBackward0');
const indexPair = gatherPair('IndexBackward0', 'IndexPutBackward0');
const indexSelectPair = gatherPair('IndexSelectBackward0', 'IndexAddBackward0');
const unbindPair = gatherPair('UnbindBackward0', 'StackBackward0');

/** An integer argument checked as PyTorch's argument parser does. */
function intArg(fn: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${fn}(): argument '${name}' must be int, but got ${typeof v === 'number' ? (Number.isNaN(v) ? 'nan' : String(v)) : typeof v}`);
  }
  return v;
}

/** `x.select(dim, index)` (SelectBackward0): the slice at `index` of dimension `dim`, which is removed. Negative indices count from the end. */
export function select(x: TensorLike, dim: number, index: number): Tensor {
  const a = asTensor(x);
  if (a._shape.length === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, a._shape.length);
  const size = a._shape[d];
  intArg('select', 'index', index);
  if (index < -size || index >= size) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size [${a._shape.join(', ')}] at dimension ${d}`);
  }
  return gatherView(selectPair, a, Object.freeze([d, 1, index < 0 ? index + size : index]));
}

/** `x.narrow(dim, start, length)` (SliceBackward0): `length` consecutive slices of `dim` from `start` (negative counts from the end). */
export function narrow(x: TensorLike, dim: number, start: number, length: number): Tensor {
  const a = asTensor(x);
  if (a._shape.length === 0) throw new RuntimeError('narrow() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, a._shape.length);
  const size = a._shape[d];
  intArg('narrow', 'start', start);
  intArg('narrow', 'length', length);
  if (start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (length < 0) throw new RuntimeError('narrow(): length must be non-negative.');
  if (s + length > size) throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  const indices = Array.from({ length }, (_, i) => s + i);
  return gatherView(slicePair, a, Object.freeze([d, 0, ...indices]));
}

/** Integer index values from a list or an int64 tensor, checked against `size`, negatives wrapped. */
function indexList(fn: string, index: TensorLike | readonly number[], size: number, d: number): number[] {
  let values: ArrayLike<number>;
  if (index instanceof Tensor) {
    const t = asTensor(index);
    if (t._shape.length > 1) throw new IndexError(`${fn}(): index must be a 0-d or 1-d tensor, got ${t._shape.length}-d`);
    values = dataOf(t);
  } else if (Array.isArray(index)) values = index as readonly number[];
  else if (typeof index === 'number') values = [index];
  else throw new TypeError(`${fn}(): index must be a list of integers or a tensor of indices`);
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v)) throw new IndexError(`${fn}(): tensors used as indices must be long, int, byte or bool tensors (got ${v} at position ${i})`);
    if (v < -size || v >= size) throw new IndexError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
    out.push(v < 0 ? v + size : v);
  }
  return out;
}

/**
 * `x[indices]` with a list (or int64 tensor) of indices along dimension 0 (IndexBackward0); a repeated index
 * repeats the row, and its gradient sums. A single number is `x[i]`, that is `select(0, i)`.
 */
export function index(x: TensorLike, indices: number | readonly number[] | Tensor): Tensor {
  const a = asTensor(x);
  if (typeof indices === 'number') return select(a, 0, indices);
  if (a._shape.length === 0) throw new IndexError('too many indices for tensor of dimension 0');
  return gather(indexPair, a, Object.freeze([0, 0, ...indexList('index', indices, a._shape[0], 0)]));
}

/** `x.index_select(dim, index)` (IndexSelectBackward0). */
export function indexSelect(x: TensorLike, dim: number, indices: readonly number[] | Tensor): Tensor {
  const a = asTensor(x);
  const d = wrapDim(dim, a._shape.length);
  return gather(indexSelectPair, a, Object.freeze([d, 0, ...indexList('index_select', indices, a._shape[d] ?? 1, d)]));
}

/** `x.unbind(dim)`: the slices of `dim` as separate tensors (each UnbindBackward0). */
export function unbind(x: TensorLike, dim = 0): Tensor[] {
  const a = asTensor(x);
  if (a._shape.length === 0) throw new RuntimeError('Dimension specified as 0 but tensor has no dimensions');
  const d = wrapDim(dim, a._shape.length);
  return Array.from({ length: a._shape[d] }, (_, i) => gatherView(unbindPair, a, Object.freeze([d, 1, i]), i));
}

// ---------------------------------------------------------------------------------------------------------------
// cat, stack (any number of inputs).

const CAT = defineStructural({
  gradFn: 'CatBackward0', saved: 0,
  vjp: (g, n) => {
    const d = n._aux![0];
    let start = 0;
    return n._inputs!.map((x) => {
      const size = x._shape[d];
      const part = narrow(g, d, start, size);
      start += size;
      return part;
    });
  },
});

const STACK = defineStructural({
  gradFn: 'StackBackward0', saved: 0,
  vjp: (g, n) => n._inputs!.map((_, i) => select(g, n._aux![0], i)),
});

function tensorList(fn: string, tensors: readonly TensorLike[]): Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${fn}(): argument 'tensors' must be a list of Tensors`);
  if (tensors.length === 0) throw new RuntimeError(`${fn}(): expected a non-empty list of Tensors`);
  return tensors.map((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${fn}(): argument 'tensors' must be a list of Tensors, but element ${i} is ${typeof t}`);
    return asTensor(t);
  });
}

/** Joins tensors along `dim` (CatBackward0). All sizes must match except along `dim`. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = tensorList('cat', tensors);
  const first = list[0];
  if (first._shape.length === 0) throw new RuntimeError('zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = wrapDim(dim, first._shape.length);
  let total = 0;
  list.forEach((t, i) => {
    if (t._shape.length !== first._shape.length) {
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${first._shape.length} and ${t._shape.length}`);
    }
    for (let k = 0; k < t._shape.length; k++) {
      if (k !== d && t._shape[k] !== first._shape[k]) {
        throw new RuntimeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${first._shape[k]} but got size ${t._shape[k]} for tensor number ${i} in the list.`);
      }
    }
    total += t._shape[d];
  });
  const shape = [...first._shape];
  shape[d] = total;
  const { outer, inner } = around(shape, d);
  const out = new Float64Array(numelOf(shape));
  let offset = 0;
  for (const t of list) {
    const src = dataOf(t);
    const block = t._shape[d] * inner;
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * block, (o + 1) * block), o * total * inner + offset);
    offset += block;
  }
  return resultN(Object.freeze(shape), out, CAT, list, Object.freeze([d]));
}

/** Stacks equal-shaped tensors along a new dimension `dim` (StackBackward0). */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const list = tensorList('stack', tensors);
  const first = list[0];
  const d = wrapDim(dim, first._shape.length + 1);
  list.forEach((t, i) => {
    if (!sameShape(t._shape, first._shape)) {
      throw new RuntimeError(`stack expects each tensor to be equal size, but got [${first._shape.join(', ')}] at entry 0 and [${t._shape.join(', ')}] at entry ${i}`);
    }
  });
  const shape = [...first._shape];
  shape.splice(d, 0, list.length);
  const { outer, inner } = around(shape, d);
  const out = new Float64Array(numelOf(shape));
  list.forEach((t, i) => {
    const src = dataOf(t);
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * inner, (o + 1) * inner), (o * list.length + i) * inner);
  });
  return resultN(Object.freeze(shape), out, STACK, list, Object.freeze([d]));
}

// ---------------------------------------------------------------------------------------------------------------
// squeeze, flatten.

const SQUEEZE_ALL = defineStructural({ gradFn: 'SqueezeBackward0', saved: 0, vjp: (g, n) => [reshape(g, n._a!._shape), null] });
const SQUEEZE_DIM = defineStructural({ gradFn: 'SqueezeBackward1', saved: 0, vjp: (g, n) => [reshape(g, n._a!._shape), null] });

/** Size-1 dimensions removed: all of them (SqueezeBackward0), or `dim` only when it has size 1 (SqueezeBackward1). */
export function squeeze(x: TensorLike, dim?: number): Tensor {
  const a = asTensor(x);
  let shape: number[];
  if (dim === undefined) shape = a._shape.filter((s) => s !== 1);
  else {
    const d = wrapDim(dim, a._shape.length);
    shape = [...a._shape];
    if (shape[d] === 1) shape.splice(d, 1);
  }
  return sharedView(a, Object.freeze(shape), 0, dim === undefined ? SQUEEZE_ALL : SQUEEZE_DIM, 0, null);
}

/** Dimensions `startDim`…`endDim` merged into one (as reshape: ReshapeAliasBackward0). A 0-d tensor becomes shape [1]. */
export function flatten(x: TensorLike, startDim = 0, endDim = -1): Tensor {
  const a = asTensor(x);
  if (a._shape.length === 0) return reshape(a, [1]);
  const s = wrapDim(startDim, a._shape.length), e = wrapDim(endDim, a._shape.length);
  if (s > e) throw new RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x instanceof Tensor ? x : a; // the tensor itself, as PyTorch returns self
  const shape = [...a._shape.slice(0, s), numelOf(a._shape.slice(s, e + 1)), ...a._shape.slice(e + 1)];
  return reshape(a, shape);
}

// ---------------------------------------------------------------------------------------------------------------
// Comparisons and masks, where, clamp, maximum / minimum.

/** A comparison as a bool tensor (no gradient): `x > y` is `gt(x, y)`. */
function compare(x: TensorLike, y: TensorLike, test: (a: number, b: number) => boolean): Tensor {
  const a = asTensor(x), b = asTensor(y);
  const shape = broadcastShapes(a._shape, b._shape);
  const n = numelOf(shape);
  const ia = broadcastIndex(shape, a._shape), ib = broadcastIndex(shape, b._shape);
  const da = dataOf(a), db = dataOf(b);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) out[j] = test(da[ia === null ? j : ia[j]], db[ib === null ? j : ib[j]]) ? 1 : 0;
  return plain(shape, out, 'bool');
}

/** `x > y` as a bool tensor. */
export const gt = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a > b);
/** `x < y` as a bool tensor. */
export const lt = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a < b);
/** `x >= y` as a bool tensor. */
export const ge = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a >= b);
/** `x <= y` as a bool tensor. */
export const le = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a <= b);
/** `x == y` as a bool tensor. */
export const eq = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a === b);
/** `x != y` as a bool tensor. */
export const ne = (x: TensorLike, y: TensorLike): Tensor => compare(x, y, (a, b) => a !== b);

const WHERE = defineStructural({
  gradFn: 'WhereBackward0', saved: 0,
  vjp: (g, n) => {
    const [x, y, c] = n._inputs!;
    return [sumTo(where(c, g, 0), x._shape), sumTo(where(c, 0, g), y._shape), null];
  },
});

/**
 * `torch.where(condition, x, y)` (WhereBackward0): x where the condition holds (is nonzero), else y, broadcasting
 * all three. The gradient goes to the chosen side only; the other side gets 0 (which, times an infinite local
 * derivative upstream, still gives NaN, as in PyTorch).
 */
export function where(condition: Tensor, x: TensorLike, y: TensorLike): Tensor {
  if (!(condition instanceof Tensor)) throw new TypeError('where(): argument \'condition\' must be Tensor');
  const c = asTensor(condition), a = asTensor(x), b = asTensor(y);
  const shape = broadcastShapes(broadcastShapes(c._shape, a._shape), b._shape);
  const n = numelOf(shape);
  const ic = broadcastIndex(shape, c._shape), ia = broadcastIndex(shape, a._shape), ib = broadcastIndex(shape, b._shape);
  const dc = dataOf(c), da = dataOf(a), db = dataOf(b);
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    out[j] = dc[ic === null ? j : ic[j]] !== 0 ? da[ia === null ? j : ia[j]] : db[ib === null ? j : ib[j]];
  }
  return resultN(shape, out, WHERE, [a, b, c]);
}

/** `x.masked_fill(mask, value)` (as where(mask, value, x): WhereBackward0 here, MaskedFillBackward0 in PyTorch). */
export function maskedFill(x: TensorLike, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}

const CLAMP = defineStructural({
  gradFn: 'ClampBackward1', saved: SAVES_A,
  vjp: (g, n) => {
    const [lo, hi] = n._aux!;
    const src = dataOf(n._a!);
    const mask = new Float64Array(src.length);
    // The bounds count as inside (PyTorch: grad · (x ≥ min) · (x ≤ max)); NaN gets 0.
    for (let i = 0; i < src.length; i++) mask[i] = src[i] >= lo && src[i] <= hi ? 1 : 0;
    return [elementwise(MUL, g, plain(n._a!._shape, mask)), null];
  },
});

/** `x.clamp(min, max)` (ClampBackward1): values limited to [min, max]; either bound may be null. Gradient 1 inside and on the bounds, 0 outside. */
export function clamp(x: TensorLike, min: number | null = null, max: number | null = null): Tensor {
  const a = asTensor(x);
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  const lo = min ?? -Infinity, hi = max ?? Infinity;
  if (typeof lo !== 'number' || typeof hi !== 'number') throw new TypeError('clamp(): min and max must be numbers or null');
  const src = dataOf(a);
  const out = new Float64Array(src.length);
  // As PyTorch: min(max(x, lo), hi), so lo > hi gives hi everywhere; NaN stays NaN.
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = v !== v ? v : Math.min(Math.max(v, lo), hi);
  }
  return result(a._shape, out, CLAMP, a, null, 0, Object.freeze([lo, hi]));
}

function binaryExtremeRule(name: string, larger: boolean): number {
  // Ties share the gradient (0.5 each); NaN on either side sends the full gradient to both (PyTorch's masks).
  const weights = (n: Tensor, side: 0 | 1): Tensor => {
    const a = n._a!, b = n._b!;
    const shape = n._shape;
    const da = dataOf(a), db = dataOf(b);
    const ia = broadcastIndex(shape, a._shape), ib = broadcastIndex(shape, b._shape);
    const w = new Float64Array(numelOf(shape));
    for (let j = 0; j < w.length; j++) {
      const x = da[ia === null ? j : ia[j]], y = db[ib === null ? j : ib[j]];
      const mine = side === 0 ? x : y, theirs = side === 0 ? y : x;
      w[j] = x === y ? 0.5 : (larger ? mine < theirs : mine > theirs) ? 0 : 1;
    }
    return plain(shape, w);
  };
  return defineStructural({
    gradFn: name, saved: SAVES_A | SAVES_B,
    vjp: (g, n) => [sumTo(elementwise(MUL, g, weights(n, 0)), n._a!._shape), sumTo(elementwise(MUL, g, weights(n, 1)), n._b!._shape)],
  });
}

const MAXIMUM = binaryExtremeRule('MaximumBackward0', true);
const MINIMUM = binaryExtremeRule('MinimumBackward0', false);

function binaryExtreme(x: TensorLike, y: TensorLike, op: number, larger: boolean): Tensor {
  const a = asTensor(x), b = asTensor(y);
  const shape = broadcastShapes(a._shape, b._shape);
  const ia = broadcastIndex(shape, a._shape), ib = broadcastIndex(shape, b._shape);
  const da = dataOf(a), db = dataOf(b);
  const out = new Float64Array(numelOf(shape));
  for (let j = 0; j < out.length; j++) {
    const u = da[ia === null ? j : ia[j]], v = db[ib === null ? j : ib[j]];
    out[j] = u !== u || v !== v ? NaN : larger ? Math.max(u, v) : Math.min(u, v);
  }
  return result(shape, out, op, a, b);
}

/** Elementwise larger of two tensors (MaximumBackward0); NaN propagates; on a tie each side gets half the gradient. */
export const maximum = (x: TensorLike, y: TensorLike): Tensor => binaryExtreme(x, y, MAXIMUM, true);
/** Elementwise smaller of two tensors (MinimumBackward0). */
export const minimum = (x: TensorLike, y: TensorLike): Tensor => binaryExtreme(x, y, MINIMUM, false);

// ---------------------------------------------------------------------------------------------------------------
// Reductions along a dimension that pick an element: max/min/median(dim) with indices, argmax/argmin, median().

/** PyTorch's named tuple `(values, indices)`. */
export interface ValuesIndices {
  readonly values: Tensor;
  readonly indices: Tensor;
}

/** The gradient of a pick along `dim`: g (unsqueezed) at each picked index, 0 elsewhere (`_aux` = [dim, keepdim, ...picked flat positions]). */
function pickRule(name: string): number {
  return defineStructural({
    gradFn: name, saved: SAVES_A,
    vjp: (g, n) => {
      const a = n._a!;
      const [d] = n._aux!;
      const mask = new Float64Array(numelOf(a._shape));
      for (let i = 2; i < n._aux!.length; i++) mask[n._aux![i]] = 1;
      const spread = expandTo(keepDim(g, a._shape, d), a._shape);
      return [elementwise(MUL, spread, plain(a._shape, mask)), null];
    },
  });
}

const MAX_DIM = pickRule('MaxBackward0');
const MIN_DIM = pickRule('MinBackward0');
const MEDIAN_DIM = pickRule('MedianBackward1');

/** For each slice along `d`, the position (0…size-1) that `choose` picks from the slice's values. */
function pickAlong(a: Tensor, dim: number, keepdim: boolean, name: string, choose: (values: number[]) => number, op: number): ValuesIndices {
  const d = wrapDim(dim, a._shape.length);
  const { outer, size, inner } = around(a._shape, d);
  if (size === 0) throw new IndexError(`${name}(): Expected reduction dim ${d} to have non-zero size.`);
  const src = dataOf(a);
  const values = new Float64Array(outer * inner), indices = new Float64Array(outer * inner);
  const picked: number[] = [];
  const slice: number[] = new Array(size);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < size; j++) slice[j] = src[(o * size + j) * inner + i];
      const j = choose(slice);
      values[o * inner + i] = slice[j];
      indices[o * inner + i] = j;
      picked.push((o * size + j) * inner + i);
    }
  }
  const shape = reducedShape(a._shape, d, keepdim);
  return {
    values: result(shape, values, op, a, null, 0, Object.freeze([d, keepdim ? 1 : 0, ...picked])),
    indices: plain(shape, indices, 'int64'),
  };
}

/** Index of the largest (`larger`) or smallest value, first occurrence; the first NaN wins (NaN propagates, as in PyTorch). */
function argExtreme(values: ArrayLike<number>, larger: boolean): number {
  let best = 0;
  for (let j = 0; j < values.length; j++) {
    const v = values[j];
    if (v !== v) return j;
    if (larger ? v > values[best] : v < values[best]) best = j;
  }
  return best;
}

/** Index of the lower median (PyTorch's median of an even count is the lower of the two middle values); NaN if any. */
function argMedian(values: readonly number[]): number {
  for (let j = 0; j < values.length; j++) if (values[j] !== values[j]) return j;
  const order = values.map((_, j) => j).sort((i, j) => values[i] - values[j] || i - j);
  const m = values[order[(values.length - 1) >> 1]];
  return values.indexOf(m);
}

/** `x.max(dim, keepdim)`: `{ values, indices }` (values MaxBackward0; the gradient goes to the one returned index). */
export function maxDim(x: TensorLike, dim: number, keepdim = false): ValuesIndices {
  return pickAlong(asTensor(x), dim, keepdim, 'max', (v) => argExtreme(v, true), MAX_DIM);
}

/** `x.min(dim, keepdim)`: `{ values, indices }` (MinBackward0). */
export function minDim(x: TensorLike, dim: number, keepdim = false): ValuesIndices {
  return pickAlong(asTensor(x), dim, keepdim, 'min', (v) => argExtreme(v, false), MIN_DIM);
}

/** `x.median(dim, keepdim)`: `{ values, indices }` (MedianBackward1), the lower median of each slice. */
export function medianDim(x: TensorLike, dim: number, keepdim = false): ValuesIndices {
  return pickAlong(asTensor(x), dim, keepdim, 'median', argMedian, MEDIAN_DIM);
}

function argReduce(x: TensorLike, dim: number | undefined, keepdim: boolean, larger: boolean, name: string): Tensor {
  const a = asTensor(x);
  const src = dataOf(a);
  if (dim === undefined) {
    if (src.length === 0) throw new RuntimeError(`${name}(): Expected reduction dim to be specified for input.numel() == 0.`);
    const shape = keepdim ? a._shape.map(() => 1) : scalarShape;
    return plain(shape, Float64Array.of(argExtreme(src, larger)), 'int64');
  }
  return pickAlong(a, dim, keepdim, name, (v) => argExtreme(v, larger), MAX_DIM).indices;
}

/** Index of the largest element (flattened), or along `dim`: an int64 tensor that does not require grad. */
export const argmax = (x: TensorLike, dim?: number, keepdim = false): Tensor => argReduce(x, dim, keepdim, true, 'argmax');
/** Index of the smallest element, or along `dim`. */
export const argmin = (x: TensorLike, dim?: number, keepdim = false): Tensor => argReduce(x, dim, keepdim, false, 'argmin');

const MEDIAN = defineStructural({
  gradFn: 'MedianBackward0', saved: SAVES_A | SAVES_OUT,
  vjp: (g, n) => {
    // Ties share the gradient evenly (PyTorch's evenly_distribute_backward), as for max().
    const src = dataOf(n._a!);
    const m = firstValue(n);
    const hit = (v: number) => v === m || (m !== m && v !== v);
    let count = 0;
    for (let i = 0; i < src.length; i++) if (hit(src[i])) count++;
    const mask = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) if (hit(src[i])) mask[i] = 1 / count;
    return [elementwise(MUL, g, plain(n._a!._shape, mask)), null];
  },
});

/** The lower median of all elements (MedianBackward0); NaN if any element is NaN; tied elements share the gradient. */
export function median(x: TensorLike): Tensor {
  const a = asTensor(x);
  const src = dataOf(a);
  if (src.length === 0) return result(scalarShape, Float64Array.of(NaN), MEDIAN, a);
  const j = argMedian(Array.from(src));
  return result(scalarShape, Float64Array.of(src[j]), MEDIAN, a);
}

// ---------------------------------------------------------------------------------------------------------------
// norm(p).

const NORM = defineStructural({
  gradFn: 'NormBackward1', saved: SAVES_A | SAVES_OUT,
  vjp: (g, n) => {
    const a = n._a!;
    const [p, d, keep] = n._aux!;
    const all = d < 0;
    const normKept = all ? n : keep === 1 ? n : unsqueeze(n, d);
    const gKept = all ? g : keepDim(g, a._shape, d);
    const coef = normCoefficient(a, normKept, p);
    return [elementwise(MUL, expandTo(gKept, a._shape), coef), null];
  },
});

/**
 * ∂‖x‖ₚ/∂x, following PyTorch's norm_backward: x/‖x‖ for p = 2, sign(x) for p = 1, sign(x) at the tied largest |x|
 * (shared evenly) for p = inf, 0 for p = 0, else sign(x)·|x|^(p−1)/‖x‖^(p−1). Where the norm is 0 the subgradient
 * 0 is chosen (PyTorch masks it), so `x.norm()` at 0 has gradient 0, not NaN.
 */
function normCoefficient(x: Tensor, norm: Tensor, p: number): Tensor {
  const shape = x._shape;
  const zero = eq(expandTo(norm, shape), 0);
  if (p === 0) return plain(shape, new Float64Array(numelOf(shape)));
  if (p === 1) return elementwise(SIGN, x);
  if (p === Infinity || p === -Infinity) {
    const ax = dataOf(x), nm = dataOf(expandTo(norm, shape));
    const hit = new Float64Array(ax.length);
    for (let i = 0; i < ax.length; i++) hit[i] = Math.abs(ax[i]) === nm[i] ? 1 : 0;
    const counts = dataOf(expandTo(sumKept(plain(shape, hit), norm._shape), shape));
    for (let i = 0; i < hit.length; i++) if (hit[i] !== 0) hit[i] /= counts[i];
    return elementwise(MUL, elementwise(SIGN, x), plain(shape, hit));
  }
  const normB = expandTo(norm, shape);
  let scaled: Tensor;
  if (p === 2) scaled = x;
  else if (p < 2) {
    scaled = elementwise(MUL, elementwise(SIGN, x), elementwise(POW, elementwise(ABS, x), p - 1));
    if (p < 1) scaled = where(eq(x, 0), 0, scaled);
  } else scaled = elementwise(MUL, x, elementwise(POW, elementwise(ABS, x), p - 2));
  const denominator = p === 2 ? normB : elementwise(POW, normB, p - 1);
  return where(zero, 0, elementwise(DIV, scaled, denominator));
}

/** Sum of `x` down to `shape` (same rank, size-1 dims summed), unrecorded: the count of tied maxima per slice. */
function sumKept(x: Tensor, shape: readonly number[]): Tensor {
  if (shape.length === 0) {
    let s = 0;
    for (const v of dataOf(x)) s += v;
    return plain(scalarShape, Float64Array.of(s));
  }
  return plain(shape, dataOf(sumTo(plain(x._shape, dataOf(x)), shape)));
}

/**
 * `x.norm(p, dim, keepdim)` (NormBackward1): the p-norm (Σ|x|ᵖ)^(1/p) of all elements or along `dim`; p = inf is
 * max|x|, p = 0 counts nonzeros. Default p = 2.
 */
export function norm(x: TensorLike, p = 2, dim?: number, keepdim = false): Tensor {
  const a = asTensor(x);
  if (typeof p !== 'number' || Number.isNaN(p)) throw new RuntimeError(`norm(): p must be a number, got ${String(p)}`);
  const src = dataOf(a);
  const reduce = (get: (j: number) => number, count: number): number => {
    if (p === Infinity) {
      let m = 0;
      for (let j = 0; j < count; j++) m = Math.max(m, Math.abs(get(j)));
      return count === 0 ? 0 : m;
    }
    if (p === -Infinity) {
      let m = Infinity;
      for (let j = 0; j < count; j++) m = Math.min(m, Math.abs(get(j)));
      return m;
    }
    if (p === 0) {
      let c = 0;
      for (let j = 0; j < count; j++) if (get(j) !== 0) c++;
      return c;
    }
    if (p === 2) {
      // Scaled, so huge or tiny elements neither overflow nor underflow (as hypot does).
      let scale = 0;
      for (let j = 0; j < count; j++) scale = Math.max(scale, Math.abs(get(j)));
      if (scale === 0 || !Number.isFinite(scale)) {
        let s = 0;
        for (let j = 0; j < count; j++) s += get(j) * get(j);
        return Math.sqrt(s);
      }
      let s = 0;
      for (let j = 0; j < count; j++) {
        const v = get(j) / scale;
        s += v * v;
      }
      return scale * Math.sqrt(s);
    }
    let s = 0;
    for (let j = 0; j < count; j++) s += Math.abs(get(j)) ** p;
    return s ** (1 / p);
  };
  if (dim === undefined) {
    const value = reduce((j) => src[j], src.length);
    const shape = keepdim ? a._shape.map(() => 1) : scalarShape;
    return result(shape, Float64Array.of(value), NORM, a, null, 0, Object.freeze([p, -1, keepdim ? 1 : 0]));
  }
  const d = wrapDim(dim, a._shape.length);
  const { outer, size, inner } = around(a._shape, d);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = reduce((j) => src[(o * size + j) * inner + i], size);
  }
  return result(reducedShape(a._shape, d, keepdim), out, NORM, a, null, 0, Object.freeze([p, d, keepdim ? 1 : 0]));
}

export { around };
