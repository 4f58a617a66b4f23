// Shapes: element counts, broadcasting (with PyTorch's error), and the index maps elementwise kernels walk.
import { IndexError, RuntimeError, messages } from './errors.ts';

/** The shape of a 0-d tensor, shared by every scalar so a scalar op allocates no shape. */
export const scalarShape: readonly number[] = Object.freeze([]);

/** Number of elements of a tensor of this shape. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** True when both shapes have the same dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `torch.Size([2, 3])`, as PyTorch prints a shape in messages. */
export function sizeText(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/**
 * The broadcast shape of `a` and `b` (NumPy rules: align on the right, size 1 stretches).
 * @throws RuntimeError with PyTorch's message naming both sizes and the output dimension.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): readonly number[] {
  if (sameShape(a, b)) return a;
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let i = ndim - 1; i >= 0; i--) {
    const offset = ndim - 1 - i;
    const dimA = a.length - 1 - offset;
    const dimB = b.length - 1 - offset;
    const sizeA = dimA >= 0 ? a[dimA] : 1;
    const sizeB = dimB >= 0 ? b[dimB] : 1;
    if (sizeA !== sizeB && sizeA !== 1 && sizeB !== 1) throw new RuntimeError(messages.broadcast(sizeA, sizeB, i));
    out[i] = sizeA === 1 ? sizeB : sizeA;
  }
  return Object.freeze(out);
}

/**
 * For each element of a tensor of shape `out` (row-major), the index of the element of a tensor of shape `input`
 * that broadcasting reads. `null` when the shapes are equal (the identity map).
 */
export function broadcastIndex(out: readonly number[], input: readonly number[]): Int32Array | null {
  if (sameShape(out, input)) return null;
  const n = numelOf(out);
  const map = new Int32Array(n);
  if (numelOf(input) === 1) return map; // every element reads element 0
  const nd = out.length;
  const strides = new Array<number>(nd).fill(0);
  let stride = 1;
  for (let d = input.length - 1, o = nd - 1; d >= 0; d--, o--) {
    strides[o] = input[d] === 1 ? 0 : stride;
    stride *= input[d];
  }
  const counter = new Array<number>(nd).fill(0);
  let offset = 0;
  for (let j = 0; j < n; j++) {
    map[j] = offset;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      offset += strides[d];
      if (counter[d] < out[d]) break;
      offset -= strides[d] * out[d];
      counter[d] = 0;
    }
  }
  return map;
}

/**
 * A dimension index made non-negative, as PyTorch's `maybe_wrap_dim` (a 0-d tensor accepts 0 and -1).
 * @throws IndexError with PyTorch's message when it is out of range.
 */
export function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim > n - 1) throw new IndexError(messages.dimRange(dim, ndim));
  return dim < 0 ? dim + n : dim;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** The most elements one tensor may hold here: index maps are Int32Arrays (and 2³¹ doubles are 16 GiB anyway). */
export const maxNumel = 2 ** 31 - 1;

/**
 * Checks the sizes a shape-taking op (`expand`, `reshape`, `view`) was given, so a bad size gets a clear error
 * naming its position rather than a RangeError from an array constructor: each must be an integer ≥ 0, or -1 where
 * `allowInfer` (keep the size / infer it); the element count must fit in {@link maxNumel}.
 * @throws TypeError for a non-integer (fractional, NaN, infinite, not a number); RuntimeError for a negative size
 * or too many elements.
 */
export function checkSizes(fn: string, sizes: readonly number[], allowInfer: boolean): void {
  if (!Array.isArray(sizes)) throw new TypeError(`${fn}(): argument 'size' must be a list of ints, got ${typeof sizes}`);
  let numel = 1;
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i];
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      const what = typeof s !== 'number' ? typeof s : Number.isNaN(s) ? 'NaN' : String(s);
      throw new TypeError(`${fn}(): argument 'size' must be a list of ints, but found ${what} at position ${i}`);
    }
    if (s < 0 && !(allowInfer && s === -1)) {
      throw new RuntimeError(`${fn}(): invalid size ${s} at position ${i}: sizes must be non-negative${allowInfer ? ' (or -1)' : ''}`);
    }
    if (s >= 0) numel *= s;
  }
  if (numel > maxNumel) throw new RuntimeError(`${fn}(): the shape [${sizes.join(', ')}] has ${numel} elements, more than gradlab's limit of ${maxNumel}`);
}
