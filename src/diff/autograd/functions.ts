// Free-function forms of the Tensor ops (`add(2, x)` as torch.add), accepting numbers wherever a tensor is accepted.
import {
  gatheredViews, dot as dotOp, elementwise, matmul as matmulOp, max as maxOp, mean as meanOp, min as minOp, mm as mmOp, mv as mvOp, reshape as reshapeOp, sum as sumOp, unsqueeze as unsqueezeOp,
} from './functional.ts';
import { opId } from './op-ids.ts';
import type { Tensor, TensorLike } from './tensor.ts';

const id = {
  add: opId('add'), sub: opId('sub'), mul: opId('mul'), div: opId('div'), pow: opId('pow'), neg: opId('neg'),
  exp: opId('exp'), log: opId('log'), sqrt: opId('sqrt'), sin: opId('sin'), cos: opId('cos'), tan: opId('tan'),
  tanh: opId('tanh'), sigmoid: opId('sigmoid'), relu: opId('relu'), abs: opId('abs'),
};

/** `a + b` (AddBackward0), broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => elementwise(id.add, a, b);
/** `a - b` (SubBackward0; RsubBackward1 when `a` is a number). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => elementwise(id.sub, a, b);
/** `a * b` (MulBackward0). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => elementwise(id.mul, a, b);
/** `a / b` (DivBackward0; MulBackward0 when `a` is a number, as PyTorch computes `2 / x` as `x.reciprocal() * 2`). */
export const div = (a: TensorLike, b: TensorLike): Tensor => elementwise(id.div, a, b);
/** `a ** b` (PowBackward0 for a number exponent, PowBackward1 otherwise). */
export const pow = (a: TensorLike, b: TensorLike): Tensor => elementwise(id.pow, a, b);
/** `-a` (NegBackward0). */
export const neg = (a: TensorLike): Tensor => elementwise(id.neg, a);
/** `exp(a)` (ExpBackward0). */
export const exp = (a: TensorLike): Tensor => elementwise(id.exp, a);
/** `log(a)` (LogBackward0). */
export const log = (a: TensorLike): Tensor => elementwise(id.log, a);
/** `sqrt(a)` (SqrtBackward0). */
export const sqrt = (a: TensorLike): Tensor => elementwise(id.sqrt, a);
/** `sin(a)` (SinBackward0). */
export const sin = (a: TensorLike): Tensor => elementwise(id.sin, a);
/** `cos(a)` (CosBackward0). */
export const cos = (a: TensorLike): Tensor => elementwise(id.cos, a);
/** `tan(a)` (TanBackward0). */
export const tan = (a: TensorLike): Tensor => elementwise(id.tan, a);
/** `tanh(a)` (TanhBackward0). */
export const tanh = (a: TensorLike): Tensor => elementwise(id.tanh, a);
/** `sigmoid(a)` (SigmoidBackward0). */
export const sigmoid = (a: TensorLike): Tensor => elementwise(id.sigmoid, a);
/** `relu(a)` (ReluBackward0). */
export const relu = (a: TensorLike): Tensor => elementwise(id.relu, a);
/** `abs(a)` (AbsBackward0). */
export const abs = (a: TensorLike): Tensor => elementwise(id.abs, a);
/** Sum of all elements, or along `dim`. */
export const sum = (a: TensorLike, dim?: number, keepdim = false): Tensor => sumOp(a, dim, keepdim);
/** Mean of all elements, or along `dim`. */
export const mean = (a: TensorLike, dim?: number, keepdim = false): Tensor => meanOp(a, dim, keepdim);
/** Largest element (ties share the gradient evenly). */
export const max = (a: TensorLike): Tensor => maxOp(a);
/** Smallest element (ties share the gradient evenly). */
export const min = (a: TensorLike): Tensor => minOp(a);
/** `a @ b` for 1-D and 2-D operands. */
export const matmul = (a: TensorLike, b: TensorLike): Tensor => matmulOp(a, b);
/** Dot product of 1-D tensors. */
export const dot = (a: TensorLike, b: TensorLike): Tensor => dotOp(a, b);
/** Matrix product of 2-D tensors. */
export const mm = (a: TensorLike, b: TensorLike): Tensor => mmOp(a, b);
/** Matrix-vector product. */
export const mv = (a: TensorLike, b: TensorLike): Tensor => mvOp(a, b);
/** The values of `a` in `shape` (one size may be -1). */
export const reshape = (a: TensorLike, shape: readonly number[]): Tensor => reshapeOp(a, shape);
/** `a` with dimensions `dim0` and `dim1` swapped. */
export const transpose = (a: TensorLike, dim0: number, dim1: number): Tensor => gatheredViews.transpose(a, dim0, dim1);
/** `a` broadcast to `sizes`. */
export const expand = (a: TensorLike, sizes: readonly number[]): Tensor => gatheredViews.expand(a, sizes);

// ---- the training ops (tensor-ops.ts, nn-functional.ts) -------------------------------------------------------
export {
  cat, stack, unbind, select, narrow, index, indexSelect, flatten, squeeze, where, maskedFill, clamp, maximum, minimum,
  maxDim, minDim, medianDim, median, argmax, argmin, norm, gt, lt, ge, le, eq, ne, type ValuesIndices,
} from './tensor-ops.ts';
export { softmax, logSoftmax } from './nn-functional.ts';
export { manualSeed } from './random.ts';
/** A size-1 dimension inserted at `dim` (UnsqueezeBackward0). */
export const unsqueeze = (a: TensorLike, dim: number): Tensor => unsqueezeOp(a, dim);
