// The Tensor: float64 data and shape, and, when recorded, its own backward-graph node (PyTorch's autograd semantics).
//
// Dtype: every tensor is float64, yet prints like PyTorch's default dtype (no `dtype=torch.float64` suffix), so a
// lesson written for `torch.tensor(2.0)` prints the same here. Values that are not exact in float32 therefore print
// and `item()` the float64 way (`tensor(0.1).item()` is 0.1, where float32 PyTorch gives 0.10000000149011612).
import { RuntimeError, ValueError, messages, warn } from './errors.ts';
import { pyFloatRepr, tensorRepr } from './format.ts';
import {
  SAVES_A, gatheredViews, copyOf, dataOf, dot, elementwise, firstValue, gradFnName, matmul, max, mean, min, mm, mv, reshape, resolve, savedMask, sum, unsqueeze, zerosLike,
} from './functional.ts';
import { LEAF, opId } from './op-ids.ts';
import { nodeOf, type GradFn } from './grad-fn.ts';
import { gradMode, noGrad } from './grad-mode.ts';
import { broadcastShapes, numelOf, sameShape, scalarShape } from './shape.ts';
import { backward as runBackward, type BackwardOptions } from './engine.ts';
import * as ops from './tensor-ops.ts';
import type { ValuesIndices } from './tensor-ops.ts';
import * as nnf from './nn-functional.ts';
import {
  checkNoOverlap, checkViewInplace, counterOf, markCreated, noteWritten, privatize, recordedViewInplace, detachedOf, storageWritten, viewInfoOf, writeThrough,
  type ViewInfo,
} from './views.ts';

/** A tensor or a plain number (a number behaves as a Python number does in PyTorch arithmetic). */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers: the data `tensor()` accepts (and `tolist()` returns). */
export type NestedNumbers = number | readonly NestedNumbers[];

/** A gradient hook: observes the summed gradient, or returns a tensor that replaces it. */
export type Hook = (grad: Tensor) => Tensor | void | null | undefined;

/** What {@link Tensor.registerHook} returns: `remove()` unregisters the hook. */
export interface RemovableHandle {
  remove(): void;
}

/** A registered hook; `null` marks where `retainGrad()` was called (hooks and retain_grad run in registration order, as in PyTorch 1.13). */
interface HookEntry {
  readonly fn: Hook | null;
}

/**
 * State few tensors need, kept out of the Tensor object so that the object every recorded op allocates stays small
 * (V8 in Node 20 stores each field in 8 bytes: every field saved is 8 bytes per node of a million-op tape).
 */
class TensorExtras {
  grad: Tensor | null = null;
  hooks: HookEntry[] | null = null;
  head: Tensor | null = null;
  fn: GradFn | null = null;
  aux: readonly number[] | null = null;
  /** Inputs of an op with more than two (cat, stack); `_a`/`_b` are null then. */
  inputs: readonly Tensor[] | null = null;
  /** Element type when not float64: integer indices (argmax, max(dim).indices) and masks (comparisons) print as PyTorch's int64 and bool. */
  dtype: 'int64' | 'bool' | null = null;
  /** The version counter shared with views, detach() results and later nodes of the same storage; null: the tensor's own `_ver`. */
  counter: VersionCounter | null = null;
  /** For a view handle: its base and where it reads (views.ts). */
  view: ViewInfo | null = null;
  /** For a node an in-place op or a view rebuild made: the user's tensor it stands for. */
  owner: Tensor | null = null;
  /** The version this node was made at (nodes made by an in-place op start above 0); the engine checks saved outputs against it. */
  createdVersion = 0;
}

/** @internal A version counter shared by the tensors of one storage (PyTorch's `VariableVersion`). */
export class VersionCounter {
  constructor(public value: number) {}
}

/** @internal The extras of `t`, made on first use. */
export function extrasOf(t: Tensor): TensorExtras {
  return t._x ?? (t._x = new TensorExtras());
}
const extras = extrasOf;

/** `_flags` bit: the node's saved values were released by a backward without retainGraph. */
export const FREED = 1;
/** `_flags` bit: `retainGrad()` was called on this non-leaf. */
export const RETAINS = 2;

const [ADD, SUB, MUL, DIV, POW, NEG, EXP, LOG, SQRT, SIN, COS, TAN, TANH, SIGMOID, RELU, ABS] = (
  ['add', 'sub', 'mul', 'div', 'pow', 'neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu', 'abs'] as const
).map(opId);

/** Shape arguments as PyTorch takes them: `reshape(2, 3)` or `reshape([2, 3])`. */
function shapeArgs(args: readonly (number | readonly number[])[]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as readonly number[]);
}

/**
 * A float64 n-d tensor with PyTorch's autograd semantics. Create one with {@link tensor}; every op returns a new
 * Tensor that, when grad mode is on and an input requires grad, records how it was made (`gradFn`).
 *
 * Fields starting with `_` are the engine's: value (`_s` for a 0-d scalar, else `_d`), and for a recorded tensor the
 * op id, its inputs and the versions they had. A tensor is its own graph node, so recording costs one object.
 */
export class Tensor {
  /** @internal Value of a 0-d tensor whose storage was never materialised (`_d` null). */
  _s: number;
  /** @internal Row-major data, or null for a 0-d tensor held in `_s`. */
  _d: Float64Array | null;
  /** @internal */
  _shape: readonly number[];
  /** @internal requires_grad. */
  _rg = false;
  /** @internal The op that made this tensor (engine op id), or LEAF. */
  _op = LEAF;
  /** @internal First tensor input, or null when that argument was a plain number (`_k`). */
  _a: Tensor | null = null;
  /** @internal Second tensor input, or null. */
  _b: Tensor | null = null;
  /** @internal The plain-number argument of an elementwise op, or the dimension of a reduction. */
  _k = 0;
  /** @internal Versions of `_a` and `_b` when this op saved them. */
  _va = 0;
  /** @internal */
  _vb = 0;
  /** @internal The version counter when not shared (`_x.counter` null); read `_version`. */
  _ver = 0;
  /** @internal FREED | RETAINS. */
  _flags = 0;
  /** @internal Rarely used state (grad, hooks, in-place head, grad_fn wrapper, op parameters), allocated on first use. */
  _x: TensorExtras | null = null;
  /** @internal Backward scratch: the id of the last pass that included this node, and its slot in that pass's arrays. */
  _mark = 0;
  /** @internal */
  _slot = 0;

  /** @internal Use {@link tensor}. */
  constructor(shape: readonly number[], data: Float64Array | null, scalar: number) {
    this._shape = shape;
    this._d = data;
    this._s = scalar;
  }

  /** @internal In-place modification counter (PyTorch's `_version`), shared with views of the same storage. */
  get _version(): number {
    const x = this._x;
    return x === null || x.counter === null ? this._ver : x.counter.value;
  }
  set _version(value: number) {
    const x = this._x;
    if (x === null || x.counter === null) this._ver = value;
    else x.counter.value = value;
    storageWritten(this._d);
  }

  /** @internal `.grad`. */
  get _grad(): Tensor | null {
    return this._x === null ? null : this._x.grad;
  }
  set _grad(value: Tensor | null) {
    extras(this).grad = value;
  }
  /** @internal Hooks, in registration order. */
  get _hooks(): HookEntry[] | null {
    return this._x === null ? null : this._x.hooks;
  }
  set _hooks(value: HookEntry[] | null) {
    extras(this).hooks = value;
  }
  /** @internal After a recorded in-place op: the node this tensor now stands for. */
  get _head(): Tensor | null {
    return this._x === null ? null : this._x.head;
  }
  set _head(value: Tensor | null) {
    extras(this).head = value;
  }
  /** @internal The lazily built grad_fn / AccumulateGrad wrapper. */
  get _fn(): GradFn | null {
    return this._x === null ? null : this._x.fn;
  }
  set _fn(value: GradFn | null) {
    extras(this).fn = value;
  }
  /** @internal Other op parameters (transpose's dims). */
  get _aux(): readonly number[] | null {
    return this._x === null ? null : this._x.aux;
  }
  set _aux(value: readonly number[] | null) {
    if (value !== null || this._x !== null) extras(this).aux = value;
  }

  /** @internal Inputs of an n-ary op, or null. */
  get _inputs(): readonly Tensor[] | null {
    return this._x === null ? null : this._x.inputs;
  }
  set _inputs(value: readonly Tensor[] | null) {
    extras(this).inputs = value;
  }
  /** @internal 'int64' or 'bool' for index and mask tensors, null for float64. */
  get _dtype(): 'int64' | 'bool' | null {
    return this._x === null ? null : this._x.dtype;
  }
  set _dtype(value: 'int64' | 'bool' | null) {
    if (value !== null || this._x !== null) extras(this).dtype = value;
  }

  // ---- attributes -------------------------------------------------------------------------------------------

  /** The dimensions (`[]` for a 0-d tensor). */
  get shape(): readonly number[] {
    return resolve(this)._shape;
  }

  /** Number of elements. */
  numel(): number {
    return numelOf(resolve(this)._shape);
  }

  /** Number of dimensions. */
  dim(): number {
    return resolve(this)._shape.length;
  }

  /** The shape, or the size of dimension `dim`. */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    const shape = resolve(this)._shape;
    if (dim === undefined) return shape;
    const n = shape.length;
    if (!Number.isInteger(dim) || dim < -n || dim >= n) throw new RuntimeError(messages.dimRange(dim, n));
    return shape[dim < 0 ? dim + n : dim];
  }

  /**
   * Whether ops on this tensor are recorded. Settable on leaves only; on a non-leaf it throws PyTorch's
   * "you can only change requires_grad flags of leaf variables." error.
   */
  get requiresGrad(): boolean {
    return resolve(this)._rg;
  }

  set requiresGrad(flag: boolean) {
    const h = resolve(this);
    if (h._op !== LEAF) throw new RuntimeError(messages.requiresGradLeaf(flag));
    if (flag && h._dtype !== null) throw new RuntimeError('only Tensors of floating point and complex dtype can require gradients');
    h._rg = flag;
  }

  /** Sets `requiresGrad` in place and returns this tensor (`requires_grad_()`); a no-op `true` on a non-leaf. */
  requiresGrad_(flag = true): this {
    const h = resolve(this);
    if (h._op !== LEAF) {
      if (!flag) throw new RuntimeError(messages.requiresGradLeaf(false));
      return this;
    }
    if (flag && h._dtype !== null) throw new RuntimeError('only Tensors of floating point dtype can require gradients');
    h._rg = flag;
    return this;
  }

  /** True for tensors not made by a recorded op: user-created, detached, made under noGrad, or not requiring grad. */
  get isLeaf(): boolean {
    return resolve(this)._op === LEAF;
  }

  /** The backward node that made this tensor (`grad_fn`), or null for a leaf. See {@link GradFn}. */
  get gradFn(): GradFn | null {
    const h = resolve(this);
    return h._op === LEAF ? null : nodeOf(h);
  }

  /**
   * The accumulated gradient: null until a backward reaches this leaf. On a non-leaf it is null (with PyTorch's
   * UserWarning) unless `retainGrad()` was called. Assigning checks the shape (`assigned grad has data of a
   * different size`); assign null to reset.
   */
  get grad(): Tensor | null {
    const h = resolve(this);
    if (h._op !== LEAF && (h._flags & RETAINS) === 0) warn(messages.nonLeafGrad);
    return h._grad;
  }

  set grad(value: Tensor | null) {
    const h = resolve(this);
    if (value === null || value === undefined) {
      h._grad = null;
      return;
    }
    if (!(value instanceof Tensor)) {
      throw new TypeError(messages.assignedGradType(typeof value === 'number' ? 'float' : typeof value));
    }
    if (!sameShape(value.shape, h._shape)) throw new RuntimeError(messages.assignedGradSize);
    h._grad = value;
  }

  /** True when `retainGrad()` made this non-leaf keep its `.grad`. */
  get retainsGrad(): boolean {
    const h = resolve(this);
    return h._op !== LEAF && (h._flags & RETAINS) !== 0;
  }

  /** Makes backward fill this non-leaf's `.grad` (a no-op on a leaf). */
  retainGrad(): void {
    const h = resolve(this);
    if (!h._rg) throw new RuntimeError(messages.retainGradNoGrad);
    if (h._op === LEAF || (h._flags & RETAINS) !== 0) return;
    h._flags |= RETAINS;
    (h._hooks ??= []).push({ fn: null });
  }

  /**
   * Registers `fn` to run once per backward with this tensor's gradient, summed over all paths. A returned tensor
   * replaces the gradient (hooks chain in registration order); on a leaf the hooks run before accumulation.
   */
  registerHook(fn: Hook): RemovableHandle {
    const h = resolve(this);
    if (!h._rg) throw new RuntimeError(messages.hookNoGrad);
    const entry: HookEntry = { fn };
    (h._hooks ??= []).push(entry);
    return {
      remove: () => {
        const i = h._hooks?.indexOf(entry) ?? -1;
        if (i >= 0) h._hooks!.splice(i, 1);
      },
    };
  }

  // ---- values -----------------------------------------------------------------------------------------------

  /** The value of a one-element tensor. @throws ValueError otherwise. */
  item(): number {
    const h = resolve(this);
    if (h._d === null) return h._s;
    if (h._d.length !== 1) throw new ValueError(messages.itemMany);
    return h._d[0];
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  tolist(): NestedNumbers {
    const h = resolve(this);
    const data = dataOf(h);
    const shape = h._shape;
    if (shape.length === 0) return data[0];
    // Build level by level (no recursion over the data).
    let level: NestedNumbers[] = Array.from(data);
    for (let d = shape.length - 1; d >= 1; d--) {
      const size = shape[d];
      const next: NestedNumbers[] = [];
      for (let i = 0; i < level.length; i += size) next.push(level.slice(i, i + size));
      level = next;
    }
    return level;
  }

  /** A copy of the values, row-major. */
  toFloat64Array(): Float64Array {
    return dataOf(resolve(this)).slice();
  }

  /**
   * A new leaf sharing this tensor's storage and version counter, with requiresGrad false: gradients do not flow
   * through it, writes through either show in the other, and an in-place op on it is seen by a backward that
   * saved this tensor (PyTorch's version error). Not a view (`isView()` false), as in PyTorch.
   */
  detach(): Tensor {
    return detachedOf(resolve(this), true);
  }

  /**
   * Detaches this tensor in place: it becomes a leaf that does not require grad (graphs recorded earlier keep their
   * node). Refused on a view, with PyTorch's message.
   */
  detach_(): this {
    if (this.isView()) throw new RuntimeError("Can't detach views in-place. Use detach() instead.");
    const head = this.detach();
    extrasOf(head).owner = this;
    this._head = head;
    return this;
  }

  /**
   * PyTorch's `.data`: a tensor sharing storage, with requiresGrad false and its own version counter, so in-place
   * changes through it are invisible to autograd (the classic hazard `.data` is known for, kept as in PyTorch).
   */
  get data(): Tensor {
    return detachedOf(resolve(this), false);
  }

  /** PyTorch's `_version`: how many in-place ops have changed this tensor's storage (shared by its views and detach()). */
  get version(): number {
    return resolve(this)._version;
  }

  /** PyTorch's `_is_view()`: true when this tensor is a view of another (`base`). */
  isView(): boolean {
    const info = viewInfoOf(this);
    return info !== null && !info.detached;
  }

  /** PyTorch's `_base`: the tensor this one is a view of (the bottom of a chain of views), or null. */
  get base(): Tensor | null {
    const info = viewInfoOf(this);
    return info === null || info.detached ? null : info.root;
  }

  /** A copy, recorded as CloneBackward0. */
  clone(): Tensor {
    return copyOf(resolve(this), 'clone');
  }

  // ---- backward ---------------------------------------------------------------------------------------------

  /**
   * Computes the gradient of this tensor with respect to the graph's leaves and accumulates it into their `.grad`.
   * `gradient` (same shape as this tensor) is the vector of the vector-Jacobian product; it may be omitted only for
   * a one-element tensor. Options: `retainGraph` (keep saved values for another backward; defaults to
   * `createGraph`), `createGraph` (record the backward, for higher derivatives), `inputs` (accumulate only into
   * these). Can also be called as `backward({ retainGraph: true })`.
   */
  backward(gradient?: Tensor | null | BackwardOptions, options: BackwardOptions = {}): void {
    if (gradient !== null && gradient !== undefined && !(gradient instanceof Tensor)) {
      if (typeof gradient === 'object' && !Array.isArray(gradient)) return this.backward(null, gradient as BackwardOptions);
      if (typeof gradient === 'number') throw new TypeError(messages.floatNotIterable);
      throw new TypeError(`gradients can be either Tensors or None, but got ${typeof gradient}`);
    }
    runBackward([this], [gradient ?? null], options);
  }

  // ---- in-place ops -----------------------------------------------------------------------------------------

  private inplace(op: number | 'zero', other?: TensorLike): this {
    const h = resolve(this);
    const o = other === undefined || typeof other === 'number' ? null : resolve(other);
    const record = gradMode.enabled && (h._rg || (o !== null && o._rg));
    if (record && h._op === LEAF && h._rg) throw new RuntimeError(messages.leafInplace);
    const view = viewInfoOf(this);
    // detach() / .data of a view with a map keeps the map to reach the storage, but is not a view for autograd.
    const tracked = view !== null && !view.detached;
    if (tracked) checkViewInplace(this, view, record);
    else if (view !== null) checkNoOverlap(view);
    if (op !== 'zero') {
      const shape = broadcastShapes(h._shape, o === null ? scalarShape : o._shape);
      if (!sameShape(shape, h._shape)) throw new RuntimeError(messages.inplaceShape(h._shape, shape));
    }
    const apply = (current: Tensor): Tensor => (op === 'zero' ? zerosLike(current) : elementwise(op, current, other!));
    // Whether the op's backward reads the old value (mul_ by a tensor): then the old node keeps a copy of it.
    const savesInput = op !== 'zero' && (savedMask(op) & SAVES_A) !== 0;
    if (record) {
      // A recorded in-place op: the tensor stands for a new node from now on; nodes recorded earlier keep the old
      // one (with its old value, as PyTorch's saved original_self). The version moves on, so a backward through a
      // node that saved the old value refuses, as PyTorch's version counter does. The storage (shared with views,
      // detach() and .data) receives the new value.
      let head: Tensor;
      if (tracked) head = recordedViewInplace(this, view, apply, savesInput);
      else if (h._d === null) {
        // A 0-d value held in a field has no storage to share: nothing else can see it.
        h._version++;
        head = apply(h);
        head._ver = h._ver;
        markCreated(head);
      } else {
        const storage = h._d;
        const counter = counterOf(h);
        counter.value++;
        storageWritten(storage);
        privatize(h, savesInput);
        head = apply(h);
        storage.set(dataOf(head));
        head._d = storage;
        extrasOf(head).counter = counter;
        markCreated(head);
      }
      extrasOf(head).owner = this;
      this._head = head;
      if (view !== null && !tracked) {
        writeThrough(this, view);
        noteWritten(view);
      }
      // retain_grad follows the tensor, not the node: the new node is what `this.grad` now reports (PyTorch moves
      // the retains_grad hook to the new grad_fn). Other hooks stay on the value they were registered on.
      if ((h._flags & RETAINS) !== 0) {
        h._flags &= ~RETAINS;
        const i = h._hooks!.findIndex((e) => e.fn === null);
        if (i >= 0) h._hooks!.splice(i, 1);
        head._flags |= RETAINS;
        (head._hooks ??= []).push({ fn: null });
        if (h._grad !== null) head._grad = h._grad;
      }
      return this;
    }
    // Not recorded: overwrite the storage (a contiguous view's data is its root's storage; a view with an index map
    // writes its values through the map).
    const values = op === 'zero' ? null : noGrad(() => elementwise(op, h, other!));
    if (h._d === null) h._s = values === null ? 0 : firstValue(values);
    else if (values === null) h._d.fill(0);
    else h._d.set(dataOf(values));
    if (view !== null) writeThrough(this, view);
    h._version++;
    if (view !== null) noteWritten(view);
    return this;
  }

  /** Fills with zeros in place (`zero_()`); on a leaf that requires grad only under noGrad. */
  zero_(): this {
    return this.inplace('zero');
  }

  /** `this += other` in place (broadcasting `other` to this shape). */
  add_(other: TensorLike): this {
    return this.inplace(ADD, other);
  }

  /** `this -= other` in place. */
  sub_(other: TensorLike): this {
    return this.inplace(SUB, other);
  }

  /** `this *= other` in place. */
  mul_(other: TensorLike): this {
    return this.inplace(MUL, other);
  }

  /** `this /= other` in place. */
  div_(other: TensorLike): this {
    return this.inplace(DIV, other);
  }

  // ---- ops --------------------------------------------------------------------------------------------------

  /** `this + other` (AddBackward0). */
  add(other: TensorLike): Tensor {
    return elementwise(ADD, this, other);
  }
  /** `this - other` (SubBackward0). */
  sub(other: TensorLike): Tensor {
    return elementwise(SUB, this, other);
  }
  /** `other - this`, as Python's `2 - x` (RsubBackward1). */
  rsub(other: TensorLike): Tensor {
    return elementwise(SUB, other, this);
  }
  /** `this * other` (MulBackward0). */
  mul(other: TensorLike): Tensor {
    return elementwise(MUL, this, other);
  }
  /** `this / other` (DivBackward0). */
  div(other: TensorLike): Tensor {
    return elementwise(DIV, this, other);
  }
  /**
   * `this ** exponent` (PowBackward0 for a number exponent, PowBackward1 for a tensor one). The gradient of `x**0`
   * is 0 everywhere, also at x = 0 (PyTorch special-cases exponent 0); `x**0.5` at 0 has gradient inf.
   */
  pow(exponent: TensorLike): Tensor {
    return elementwise(POW, this, exponent);
  }
  /** `-this` (NegBackward0). */
  neg(): Tensor {
    return elementwise(NEG, this);
  }
  /** eˣ (ExpBackward0). */
  exp(): Tensor {
    return elementwise(EXP, this);
  }
  /** Natural log (LogBackward0); its gradient at 0 is inf, at negative x it is 1/x while the value is nan. */
  log(): Tensor {
    return elementwise(LOG, this);
  }
  /** √x (SqrtBackward0); the gradient at 0 is inf (grad / (2·result)), as in PyTorch. */
  sqrt(): Tensor {
    return elementwise(SQRT, this);
  }
  /** sin (SinBackward0). */
  sin(): Tensor {
    return elementwise(SIN, this);
  }
  /** cos (CosBackward0). */
  cos(): Tensor {
    return elementwise(COS, this);
  }
  /** tan (TanBackward0). */
  tan(): Tensor {
    return elementwise(TAN, this);
  }
  /** tanh (TanhBackward0). */
  tanh(): Tensor {
    return elementwise(TANH, this);
  }
  /** The logistic function (SigmoidBackward0). */
  sigmoid(): Tensor {
    return elementwise(SIGMOID, this);
  }
  /** max(x, 0) (ReluBackward0); the gradient at 0 is 0, as in PyTorch. */
  relu(): Tensor {
    return elementwise(RELU, this);
  }
  /** |x| (AbsBackward0); the gradient at 0 is sign(0) = 0, as in PyTorch. */
  abs(): Tensor {
    return elementwise(ABS, this);
  }
  /** Sum of all elements (SumBackward0), or along `dim` (SumBackward1), keeping it as size 1 with `keepdim`. */
  sum(dim?: number, keepdim = false): Tensor {
    return sum(this, dim, keepdim);
  }
  /** Mean of all elements (MeanBackward0), or along `dim` (MeanBackward1). */
  mean(dim?: number, keepdim = false): Tensor {
    return mean(this, dim, keepdim);
  }
  /**
   * `max()`: the largest element (MaxBackward1; tied maxima share the gradient evenly). `max(dim, keepdim)`:
   * `{ values, indices }` along `dim` (MaxBackward0; the gradient goes to the returned index, the first maximum).
   * `max(other)`: the elementwise `maximum`.
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dim === undefined) return max(this);
    if (dim instanceof Tensor) return ops.maximum(this, dim);
    return ops.maxDim(this, dim, keepdim);
  }
  /** `min()` (MinBackward1), `min(dim, keepdim)` → `{ values, indices }` (MinBackward0), `min(other)` = `minimum`. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    if (dim === undefined) return min(this);
    if (dim instanceof Tensor) return ops.minimum(this, dim);
    return ops.minDim(this, dim, keepdim);
  }
  /** `median()`: the lower median (MedianBackward0, ties share the gradient); `median(dim, keepdim)` → `{ values, indices }` (MedianBackward1). */
  median(): Tensor;
  median(dim: number, keepdim?: boolean): ValuesIndices;
  median(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? ops.median(this) : ops.medianDim(this, dim, keepdim);
  }
  /** Index of the largest element (flattened) or along `dim`: an int64 tensor without gradient. */
  argmax(dim?: number, keepdim = false): Tensor {
    return ops.argmax(this, dim, keepdim);
  }
  /** Index of the smallest element (flattened) or along `dim`. */
  argmin(dim?: number, keepdim = false): Tensor {
    return ops.argmin(this, dim, keepdim);
  }
  /** The p-norm (default 2) of all elements or along `dim` (NormBackward1); its gradient at 0 is 0 (PyTorch's subgradient). */
  norm(p = 2, dim?: number, keepdim = false): Tensor {
    return ops.norm(this, p, dim, keepdim);
  }
  /** Elementwise larger of this and `other` (MaximumBackward0; ties split the gradient). */
  maximum(other: TensorLike): Tensor {
    return ops.maximum(this, other);
  }
  /** Elementwise smaller of this and `other` (MinimumBackward0). */
  minimum(other: TensorLike): Tensor {
    return ops.minimum(this, other);
  }
  /** Values limited to [min, max] (ClampBackward1); either bound may be null. The gradient is 1 on the bounds. */
  clamp(min: number | null = null, max: number | null = null): Tensor {
    return ops.clamp(this, min, max);
  }
  /** `where(condition, this, other)` (WhereBackward0), as PyTorch's `x.where(condition, y)`. */
  where(condition: Tensor, other: TensorLike): Tensor {
    return ops.where(condition, this, other);
  }
  /** `value` where `mask` is true, else this (recorded as where). */
  maskedFill(mask: Tensor, value: number): Tensor {
    return ops.maskedFill(this, mask, value);
  }
  /** `this > other` as a bool tensor. */
  gt(other: TensorLike): Tensor {
    return ops.gt(this, other);
  }
  /** `this < other` as a bool tensor. */
  lt(other: TensorLike): Tensor {
    return ops.lt(this, other);
  }
  /** `this >= other` as a bool tensor. */
  ge(other: TensorLike): Tensor {
    return ops.ge(this, other);
  }
  /** `this <= other` as a bool tensor. */
  le(other: TensorLike): Tensor {
    return ops.le(this, other);
  }
  /** `this == other` as a bool tensor. */
  eq(other: TensorLike): Tensor {
    return ops.eq(this, other);
  }
  /** `this != other` as a bool tensor. */
  ne(other: TensorLike): Tensor {
    return ops.ne(this, other);
  }
  /** Softmax along `dim` (SoftmaxBackward0), computed stably. */
  softmax(dim: number): Tensor {
    return nnf.softmax(this, dim);
  }
  /** Log-softmax along `dim` (LogSoftmaxBackward0), computed stably. */
  logSoftmax(dim: number): Tensor {
    return nnf.logSoftmax(this, dim);
  }
  /** The slice `index` of dimension `dim`, which is removed (SelectBackward0). */
  select(dim: number, index: number): Tensor {
    return ops.select(this, dim, index);
  }
  /** `length` slices of `dim` from `start` (SliceBackward0). */
  narrow(dim: number, start: number, length: number): Tensor {
    return ops.narrow(this, dim, start, length);
  }
  /** `x[i]` for a number (SelectBackward0), `x[[i, j, …]]` for a list or int64 tensor of indices along dim 0 (IndexBackward0). */
  index(indices: number | readonly number[] | Tensor): Tensor {
    return ops.index(this, indices);
  }
  /** Slices `indices` of dimension `dim` (IndexSelectBackward0). */
  indexSelect(dim: number, indices: readonly number[] | Tensor): Tensor {
    return ops.indexSelect(this, dim, indices);
  }
  /** The slices of `dim` as separate tensors (UnbindBackward0). */
  unbind(dim = 0): Tensor[] {
    return ops.unbind(this, dim);
  }
  /** Dimensions `startDim`…`endDim` merged into one. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return ops.flatten(this, startDim, endDim);
  }
  /** Size-1 dimensions removed: all (SqueezeBackward0) or `dim` (SqueezeBackward1). */
  squeeze(dim?: number): Tensor {
    return ops.squeeze(this, dim);
  }
  /** 'float64', or 'int64' / 'bool' for index and mask tensors (whose values are still held as float64). */
  get dtype(): 'float64' | 'int64' | 'bool' {
    return resolve(this)._dtype ?? 'float64';
  }
  /** `this @ other`: dot (1-D·1-D), mm (2-D·2-D), mv (2-D·1-D), or 1-D·2-D. */
  matmul(other: TensorLike): Tensor {
    return matmul(this, other);
  }
  /** Dot product of 1-D tensors (DotBackward0). */
  dot(other: TensorLike): Tensor {
    return dot(this, other);
  }
  /** Matrix product of 2-D tensors (MmBackward0). */
  mm(other: TensorLike): Tensor {
    return mm(this, other);
  }
  /** Matrix-vector product (MvBackward0). */
  mv(other: TensorLike): Tensor {
    return mv(this, other);
  }
  /** The same values in another shape (ReshapeAliasBackward0); one size may be -1. A view sharing this tensor's storage. */
  reshape(...shape: (number | readonly number[])[]): Tensor {
    return reshape(this, shapeArgs(shape), 'reshape');
  }
  /** As `reshape`, recorded as ViewBackward0: a view sharing this tensor's storage. */
  view(...shape: (number | readonly number[])[]): Tensor {
    return reshape(this, shapeArgs(shape), 'view');
  }
  /** A size-1 dimension inserted at `dim` (UnsqueezeBackward0). */
  unsqueeze(dim: number): Tensor {
    return unsqueeze(this, dim);
  }
  /** Transpose of a tensor of at most 2 dimensions (TBackward0): a view (see docs/tensor-training.md). */
  t(): Tensor {
    return gatheredViews.t(this);
  }
  /** Dimensions `dim0` and `dim1` swapped (TransposeBackward0): a view. */
  transpose(dim0 = 0, dim1 = 1): Tensor {
    return gatheredViews.transpose(this, dim0, dim1);
  }
  /** All dimensions reversed (`x.T`, PermuteBackward0): a view. */
  get T(): Tensor {
    return gatheredViews.permute(this);
  }
  /** Broadcast to `sizes` (ExpandBackward0); -1 keeps a size. A view (in-place ops on the whole of it are refused). */
  expand(...sizes: (number | readonly number[])[]): Tensor {
    return gatheredViews.expand(this, shapeArgs(sizes));
  }

  // ---- printing ---------------------------------------------------------------------------------------------

  /** PyTorch's `repr`: `tensor(11., grad_fn=<AddBackward0>)`, `tensor(2., requires_grad=True)`, `tensor([1., 2.])`. */
  toString(): string {
    return reprOf(this, false);
  }

  /** Python's `format(t)` / f-string: a 0-d tensor shows its value as a Python float (`2.0`); others as `toString()`. */
  format(): string {
    const h = resolve(this);
    return h._shape.length === 0 ? pyFloatRepr(firstValue(h)) : this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** @internal `repr` with an optional `dtype=torch.float64` suffix (gradcheck prints its Jacobians that way). */
export function reprOf(t: Tensor, showDtype: boolean): string {
  const h = resolve(t);
  const suffixes: string[] = [];
  if (showDtype) suffixes.push('dtype=torch.float64');
  if (h._op !== LEAF) suffixes.push(`grad_fn=<${gradFnName(h)}>`);
  else if (h._rg) suffixes.push('requires_grad=True');
  return tensorRepr(dataOf(h), h._shape, suffixes, h._dtype);
}

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Record ops on this tensor so gradients can flow to it (a leaf). */
  requiresGrad?: boolean;
  /** 'int64' for class indices (cross-entropy targets): the values must be integers; they cannot require grad. Default 'float64'. */
  dtype?: 'float64' | 'int64';
}

/**
 * Makes a leaf tensor from a number (0-d), nested arrays (n-d, rectangular), a Float64Array (1-d) or a Tensor
 * (copied, detached), like `torch.tensor(data, requires_grad=...)`.
 * @throws ValueError for ragged arrays, TypeError for non-numbers.
 */
export function tensor(data: NestedNumbers | Float64Array | Tensor, options: TensorOptions = {}): Tensor {
  let t: Tensor;
  if (typeof data === 'number') t = new Tensor(scalarShape, null, data);
  else if (data instanceof Tensor) t = new Tensor(data.shape, dataOf(resolve(data)).slice(), 0);
  else if (data instanceof Float64Array) t = new Tensor(Object.freeze([data.length]), data.slice(), 0);
  else if (Array.isArray(data)) {
    const { shape, values } = flatten(data);
    t = shape.length === 0 ? new Tensor(scalarShape, null, values[0]) : new Tensor(shape, values, 0);
  } else throw new TypeError(messages.badElement(typeof data));
  if (options.dtype === 'int64') {
    if (options.requiresGrad) throw new RuntimeError('Only Tensors of floating point and complex dtype can require gradients');
    const values = dataOf(t);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isInteger(values[i])) throw new TypeError(`an int64 tensor needs integer values, got ${values[i]} at position ${i}`);
    }
    t._dtype = 'int64';
  } else if (options.dtype !== undefined && options.dtype !== 'float64') throw new TypeError(`unsupported dtype '${String(options.dtype)}'`);
  if (options.requiresGrad) t._rg = true;
  return t;
}

/** Shape and row-major values of rectangular nested arrays, level by level (no recursion). */
function flatten(data: readonly NestedNumbers[]): { shape: readonly number[]; values: Float64Array } {
  const shape: number[] = [];
  let level: readonly NestedNumbers[] = data;
  for (let dim = 0; ; dim++) {
    const size = Array.isArray(level[0]) ? (level[0] as readonly NestedNumbers[]).length : -1;
    if (dim === 0) shape.push(level.length);
    const nested = level.length > 0 && Array.isArray(level[0]);
    if (!nested) {
      const values = new Float64Array(level.length);
      for (let i = 0; i < level.length; i++) {
        const v = level[i];
        if (Array.isArray(v)) throw new TypeError(messages.notASequence);
        if (typeof v !== 'number') throw new TypeError(messages.badElement(v === null ? 'NoneType' : typeof v));
        values[i] = v;
      }
      return { shape: Object.freeze(shape), values };
    }
    const next: NestedNumbers[] = [];
    for (const item of level) {
      if (!Array.isArray(item)) throw new TypeError(messages.notASequence);
      if (item.length !== size) throw new ValueError(messages.raggedSequence(size, dim + 1, item.length));
      for (const x of item) next.push(x);
    }
    shape.push(size);
    level = next;
  }
}
