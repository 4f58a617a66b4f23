// torch.nn.functional's training pieces: stable softmax and log-softmax along a dim, and the losses (cross-entropy, NLL, MSE).
import { SAVES_A, SAVES_B, SAVES_OUT, defineStructural } from './structural-registry.ts';
import { IndexError, RuntimeError, ValueError } from './errors.ts';
import { asTensor, dataOf, elementwise, expandTo, result, sum } from './functional.ts';
import { opId } from './op-ids.ts';
import { numelOf, sameShape, scalarShape, sizeText, wrapDim } from './shape.ts';
import { Tensor, type TensorLike } from './tensor.ts';
import { around, plain } from './tensor-ops.ts';

const MUL = opId('mul');
const SUB = opId('sub');
const EXP = opId('exp');
const NEG = opId('neg');

/** How a loss reduces its per-element values: PyTorch's `reduction` argument. */
export type Reduction = 'mean' | 'sum' | 'none';

/** The default dim PyTorch's deprecated implicit choice gives: 0 for 0-, 1- and 3-d input, else 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

/** Shared forward of softmax and log-softmax: per slice, subtract the max before exp (no overflow). */
function softmaxData(a: Tensor, d: number, log: boolean): Float64Array {
  const src = dataOf(a);
  const out = new Float64Array(src.length);
  if (a._shape.length === 0) {
    out[0] = log ? src[0] - src[0] : 1;
    if (src[0] !== src[0]) out[0] = NaN;
    return out;
  }
  const { outer, size, inner } = around(a._shape, d);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let m = -Infinity;
      for (let j = 0; j < size; j++) m = Math.max(m, src[base + j * inner]);
      // An all -inf slice: PyTorch gives NaN (exp(-inf - -inf)); m = 0 keeps that, as inf - inf is NaN anyway.
      let s = 0;
      for (let j = 0; j < size; j++) s += Math.exp(src[base + j * inner] - m);
      const logS = Math.log(s);
      for (let j = 0; j < size; j++) {
        const z = src[base + j * inner] - m;
        out[base + j * inner] = log ? z - logS : Math.exp(z) / s;
      }
    }
  }
  return out;
}

const LOG_SOFTMAX = defineStructural({
  gradFn: 'LogSoftmaxBackward0', saved: SAVES_OUT,
  // d log softmax: ḡ − softmax · Σ_dim ḡ
  vjp: (g, n) => {
    const d = n._k;
    const total = n._shape.length === 0 ? g : sum(g, d, true);
    return [elementwise(SUB, g, elementwise(MUL, elementwise(EXP, n), expandTo(total, n._shape))), null];
  },
});

const SOFTMAX = defineStructural({
  gradFn: 'SoftmaxBackward0', saved: SAVES_OUT,
  // d softmax: y · (ḡ − Σ_dim ḡ·y)
  vjp: (g, n) => {
    const d = n._k;
    const gy = elementwise(MUL, g, n);
    const total = n._shape.length === 0 ? gy : sum(gy, d, true);
    return [elementwise(MUL, n, elementwise(SUB, g, expandTo(total, n._shape))), null];
  },
});

function dimArg(a: Tensor, dim: number | undefined): number {
  return wrapDim(dim ?? implicitDim(a._shape.length), a._shape.length);
}

/** `F.log_softmax(input, dim)` (LogSoftmaxBackward0): x − max − log Σ exp(x − max) along `dim`, stable for any finite input. */
export function logSoftmax(input: TensorLike, dim?: number): Tensor {
  const a = asTensor(input);
  const d = dimArg(a, dim);
  return result(a._shape, softmaxData(a, d, true), LOG_SOFTMAX, a, null, d);
}

/** `F.softmax(input, dim)` (SoftmaxBackward0): exp(x − max) / Σ exp(x − max) along `dim`. */
export function softmax(input: TensorLike, dim?: number): Tensor {
  const a = asTensor(input);
  const d = dimArg(a, dim);
  return result(a._shape, softmaxData(a, d, false), SOFTMAX, a, null, d);
}

/** Options of {@link nllLoss} and {@link crossEntropy}. */
export interface ClassLossOptions {
  /** 'mean' (default: the mean over non-ignored targets), 'sum' or 'none' (one loss per sample). */
  reduction?: Reduction;
  /** A target equal to this contributes nothing and is not counted in the mean (default -100, PyTorch's). */
  ignoreIndex?: number;
  /**
   * PyTorch's `weight`: a 1-D tensor (or array) of C class weights. Sample i's loss is scaled by `weight[target[i]]`,
   * and 'mean' divides by the sum of the weights of the non-ignored targets (not by their count). Gradients do not
   * flow to it (PyTorch: "the derivative for 'weight' is not implemented").
   */
  weight?: Tensor | readonly number[] | null;
}

/** The class weights checked against `classes` (PyTorch's message for a wrong size), or null for none. */
function classWeights(weight: Tensor | readonly number[] | null | undefined, classes: number): Float64Array | null {
  if (weight === undefined || weight === null) return null;
  let w: Tensor;
  if (Array.isArray(weight)) {
    for (let i = 0; i < weight.length; i++) {
      if (typeof weight[i] !== 'number') throw new TypeError(`weight must hold numbers, got ${typeof weight[i]} at position ${i}`);
    }
    w = plain([weight.length], Float64Array.from(weight as readonly number[]));
  } else if (weight instanceof Tensor) w = asTensor(weight);
  else throw new TypeError(`weight must be a Tensor, an array of numbers or null, got ${typeof weight}`);
  if (w._rg) throw new RuntimeError("the derivative for 'weight' is not implemented");
  if (w._shape.length !== 1 || w._shape[0] !== classes) {
    throw new RuntimeError(`weight tensor should be defined either for all ${classes} classes or no classes but got weight tensor of shape: [${w._shape.join(', ')}]`);
  }
  return dataOf(w);
}

/** Class indices of `target` checked against `input` (N×C with N targets, or C with a 0-d target). */
function classTargets(input: Tensor, target: TensorLike | readonly number[], ignoreIndex: number): { rows: number; classes: number; t: Float64Array; tshape: readonly number[] } {
  const t = Array.isArray(target) ? plain([target.length], Float64Array.from(target as readonly number[]), 'int64') : asTensor(target as TensorLike);
  if (t._rg) throw new RuntimeError('the derivative for \'target\' is not implemented');
  const nd = input._shape.length;
  if (nd !== 1 && nd !== 2) throw new ValueError(`Expected 1 or 2 dimensions for the input (got ${nd}); gradlab supports (N, C) and (C) inputs`);
  const rows = nd === 2 ? input._shape[0] : 1;
  const classes = input._shape[nd - 1];
  const expected = nd === 2 ? [rows] : [];
  if (!sameShape(t._shape, expected)) {
    throw new ValueError(`Expected target of shape ${sizeText(expected)} for input of shape ${sizeText(input._shape)}, got ${sizeText(t._shape)}`);
  }
  const values = dataOf(t);
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (c === ignoreIndex) continue;
    if (!Number.isInteger(c)) throw new RuntimeError(`expected a target of integer class indices, got ${c} at position ${i}`);
    if (c < 0 || c >= classes) throw new IndexError(`Target ${c} is out of bounds.`);
  }
  return { rows, classes, t: values, tshape: t._shape };
}

const NLL = defineStructural({
  gradFn: 'NllLossBackward0', saved: 0,
  // d loss_i / d input[i, t_i] = −scale_i
  vjp: (g, n) => {
    const input = n._a!;
    const aux = n._aux!;
    const [reductionCode, rows, classes] = aux;
    const grad = new Float64Array(numelOf(input._shape));
    const gv = dataOf(g);
    for (let i = 0; i < rows; i++) {
      const c = aux[3 + 2 * i], w = aux[4 + 2 * i];
      if (w === 0) continue; // ignored target, or a class of weight 0
      grad[i * classes + c] = -w * (reductionCode === 2 ? gv[i] : gv[0]);
    }
    return [plain(input._shape, grad), null];
  },
});

/**
 * `F.nll_loss(input, target)` (NllLossBackward0): −weight[target[i]]·input[i, target[i]] (weight 1 without
 * `options.weight`), averaged ('mean': divided by the summed weights of the targets not equal to `ignoreIndex`),
 * summed or kept per sample. `input` is N×C log-probabilities (or C with a 0-d target);
 * `target` holds integer class indices (an int64 tensor, a float tensor of integers, or an array).
 */
export function nllLoss(input: TensorLike, target: TensorLike | readonly number[], options: ClassLossOptions = {}): Tensor {
  const a = asTensor(input);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  const ignore = options.ignoreIndex ?? -100;
  const { rows, classes, t, tshape } = classTargets(a, target, ignore);
  const weights = classWeights(options.weight, classes);
  const src = dataOf(a);
  // 'mean' divides by the total weight of the counted targets (their count when unweighted), as PyTorch does.
  let denominator = 0;
  for (let i = 0; i < rows; i++) if (t[i] !== ignore) denominator += weights === null ? 1 : weights[t[i]];
  const aux: number[] = [reduction === 'mean' ? 0 : reduction === 'sum' ? 1 : 2, rows, classes];
  const per = new Float64Array(rows);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const c = t[i];
    const classWeight = c === ignore ? 0 : weights === null ? 1 : weights[c];
    aux.push(c === ignore ? 0 : c, reduction === 'mean' ? classWeight / denominator : classWeight);
    if (c === ignore) continue;
    per[i] = -classWeight * src[i * classes + c];
    total += per[i];
  }
  if (reduction === 'none') return result(tshape, per, NLL, a, null, 0, Object.freeze(aux));
  // mean over zero counted targets (or zero total weight) is 0/0 = NaN, as in PyTorch
  const value = reduction === 'mean' ? total / denominator : total;
  return result(scalarShape, Float64Array.of(value), NLL, a, null, 0, Object.freeze(aux));
}

/**
 * `F.cross_entropy(logits, target)`: `nllLoss(logSoftmax(logits, 1), target)` for N×C logits and integer class
 * indices (C logits and a 0-d target also work). The result's grad_fn is NllLossBackward0, whose input is
 * LogSoftmaxBackward0, as in PyTorch.
 */
export function crossEntropy(logits: TensorLike, target: TensorLike | readonly number[], options: ClassLossOptions = {}): Tensor {
  const a = asTensor(logits);
  const d = a._shape.length === 1 ? 0 : 1;
  return nllLoss(logSoftmax(a, d), target, options);
}

/** Options of {@link mseLoss}. */
export interface MseLossOptions {
  /** 'mean' (default), 'sum' or 'none'. */
  reduction?: Reduction;
}

const MSE = defineStructural({
  gradFn: 'MseLossBackward0', saved: SAVES_A | SAVES_B,
  // d (x − y)² = 2(x − y)(dx − dy), scaled by 1/N for the mean
  vjp: (g, n) => {
    const x = n._a!, y = n._b!;
    const scale = n._k;
    const diff = elementwise(SUB, x, y);
    const gx = elementwise(MUL, elementwise(MUL, diff, 2 * scale), g);
    return [gx, y._rg ? elementwise(NEG, gx) : null];
  },
});

/**
 * `F.mse_loss(input, target)` (MseLossBackward0): the mean (or sum, or per element with 'none') of (input − target)².
 * The shapes must match (PyTorch broadcasts with a warning; gradlab refuses, since a broadcast here is almost always
 * a bug in the caller's shapes).
 */
export function mseLoss(input: TensorLike, target: TensorLike, options: MseLossOptions = {}): Tensor {
  const x = asTensor(input), y = asTensor(target);
  const reduction = options.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') throw new ValueError(`${String(reduction)} is not a valid value for reduction`);
  if (!sameShape(x._shape, y._shape)) {
    throw new RuntimeError(`mse_loss: target size (${sizeText(y._shape)}) is different to the input size (${sizeText(x._shape)}); gradlab does not broadcast here`);
  }
  const dx = dataOf(x), dy = dataOf(y);
  const per = new Float64Array(dx.length);
  let total = 0;
  for (let i = 0; i < dx.length; i++) {
    const e = dx[i] - dy[i];
    per[i] = e * e;
    total += per[i];
  }
  if (reduction === 'none') return result(x._shape, per, MSE, x, y, 1);
  const scale = reduction === 'mean' ? 1 / dx.length : 1;
  return result(scalarShape, Float64Array.of(total * scale), MSE, x, y, scale);
}

// The activations and the linear layer, where torch.nn.functional has them.
export { linear } from './nn.ts';
export { relu, tanh, sigmoid } from './functions.ts';
