// Views: tensors that share their base's storage and version counter, and how a view follows its base (PyTorch's view semantics).
//
// A view's data is a `subarray` of its base's Float64Array, so it reads as contiguous row-major data and every
// kernel's contiguous fast path applies unchanged; writing through either writes the other. Only views whose
// elements form one contiguous block can be held that way (view, reshape, flatten, squeeze, unsqueeze, and
// select / narrow / unbind when every dimension before `dim` has size 1). PyTorch's other views (t, transpose,
// permute, expand, select / narrow / unbind on an inner dimension) are *copied views* here: they hold a copy that
// is re-made from the base whenever the base changed (so reading one is never stale), share the base's version
// counter, and refuse in-place ops (which could not write through). docs/tensor-training.md lists this.
//
// A view is a user-facing handle whose node (`resolve`) may be rebuilt: after a recorded in-place op on the base
// (or on another view of it) the base stands for a new node, and the view's next use makes a new node on top of
// it (AsStridedBackward0, as PyTorch 1.13 names a regenerated view), so gradients flow through the in-place op.
// A recorded in-place op on a view rebases the base on a CopySlices node (PyTorch's name): the base's new value
// is the old one with the view's region replaced, whose backward sends the region's gradient through the op.
import { RuntimeError, messages } from './errors.ts';
import { dataOf, elementwise, link } from './functional.ts';
import { gradMode } from './grad-mode.ts';
import { LEAF, opId } from './op-ids.ts';
import { numelOf } from './shape.ts';
import { defineStructural } from './structural-registry.ts';
import { Tensor, VersionCounter, extrasOf } from './tensor.ts';

/** How a view handle relates to the storage it reads (kept in the handle's extras). */
export class ViewInfo {
  constructor(
    /** The handle that owns the storage this view reads: a tensor that is not a view, or a copied view. */
    public readonly root: Tensor,
    /** Where this view's block starts in the root's storage (shared views). */
    public readonly offset: number,
    /** The root's node when this view's node was made: a different node means the base was modified in place (recorded). */
    public seenRoot: Tensor,
    /** The version counter's value when a copied view was made: a different value means its copy is stale. */
    public seenVersion: number,
    /** For a copied view: the op that made it, applied again to the root's current node. Null for a shared view. */
    public readonly recompute: ((base: Tensor) => Tensor) | null,
    /** PyTorch's `_base`: the tensor at the bottom of the view chain (through copied views too). */
    public readonly torchBase: Tensor,
    /** For an output of a function returning several views (unbind): its position; -1 otherwise. */
    public readonly outputNr: number,
    /** The op that made the view, for messages (`t()`, `transpose()`). */
    public readonly opName: string,
  ) {}
}

/** The handle a node stands for: the user's tensor an in-place op or a view rebuild moved to this node, else the node itself. */
export function handleOf(node: Tensor): Tensor {
  const x = node._x;
  return x === null || x.owner === null ? node : x.owner;
}

/** The node a handle currently stands for, without refreshing views. */
export function headOf(handle: Tensor): Tensor {
  const x = handle._x;
  return x === null || x.head === null ? handle : x.head;
}

/** The view information of a handle, or null for a tensor that is not a view. */
export function viewInfoOf(handle: Tensor): ViewInfo | null {
  const x = handle._x;
  return x === null ? null : x.view;
}

/** `t`'s version counter as an object that other tensors can share, made on first use. */
export function counterOf(t: Tensor): VersionCounter {
  const x = extrasOf(t);
  if (x.counter === null) x.counter = new VersionCounter(t._ver);
  return x.counter;
}

/** Makes `to` share `from`'s version counter (PyTorch: views and detach() share their base's counter). */
export function shareCounter(from: Tensor, to: Tensor): void {
  extrasOf(to).counter = counterOf(from);
}

/**
 * Gives an old node its own copy of its values and its own version counter, frozen at the current value: the node
 * stays in recorded graphs as the value before an in-place op (PyTorch saves `original_self` the same way), while
 * the storage and the counter pass to the node that replaces it.
 */
export function privatize(node: Tensor): void {
  const version = node._version;
  if (node._d !== null) node._d = node._d.slice();
  const x = node._x;
  if (x !== null) x.counter = null;
  node._ver = version;
}

/** Records `t` as made by `op` from `a` when grad mode is on, or `force`, and `a` requires grad. */
function maybeLink(t: Tensor, op: number, a: Tensor, k: number, aux: readonly number[] | null, force: boolean): void {
  if (a._rg && (gradMode.enabled || force)) link(t, op, a, null, k, aux);
}

/**
 * A shared view of node `a`: `numel(shape)` elements of `a`'s storage from `offset`, recorded as `op` (with `k`,
 * `aux` as the op's parameters), sharing `a`'s version counter, attached to the storage's root handle.
 * `outputNr` ≥ 0 marks an output of unbind.
 */
export function sharedView(
  a: Tensor, shape: readonly number[], offset: number, op: number, k: number, aux: readonly number[] | null,
  opName: string, outputNr = -1,
): Tensor {
  const storage = dataOf(a);
  const t = new Tensor(shape, storage.subarray(offset, offset + numelOf(shape)), 0);
  maybeLink(t, op, a, k, aux, false);
  shareCounter(a, t);
  const parent = handleOf(a);
  const parentInfo = viewInfoOf(parent);
  let root: Tensor, torchBase: Tensor;
  if (parentInfo !== null && parentInfo.recompute === null) {
    root = parentInfo.root;
    torchBase = parentInfo.torchBase;
  } else {
    root = parent;
    torchBase = parentInfo === null ? parent : parentInfo.torchBase;
  }
  const rootHead = headOf(root);
  const rootOffset = (t._d!.byteOffset - dataOf(rootHead).byteOffset) / Float64Array.BYTES_PER_ELEMENT;
  extrasOf(t).view = new ViewInfo(root, rootOffset, rootHead, 0, null, torchBase, outputNr, opName);
  return t;
}

/**
 * Marks `copy` (just made from node `a` by a copying op) as a copied view of `a`'s handle: it shares the version
 * counter and is re-made by `recompute` whenever the base changes.
 */
export function copiedView(a: Tensor, copy: Tensor, recompute: (base: Tensor) => Tensor, opName: string, outputNr = -1): Tensor {
  const parent = handleOf(a);
  const parentInfo = viewInfoOf(parent);
  shareCounter(a, copy);
  const torchBase = parentInfo === null ? parent : parentInfo.torchBase;
  extrasOf(copy).view = new ViewInfo(parent, 0, a, a._version, recompute, torchBase, outputNr, opName);
  return copy;
}

const MUL = opId('mul');

// Region ops: the rebuilt view (AsStridedBackward0) and its adjoint, embedding a gradient into zeros.
// `_k` is the region's offset in the input's storage.

const AS_STRIDED: number = defineStructural({
  gradFn: 'AsStridedBackward0', saved: 0,
  vjp: (g, n) => [regionScatter(g, n._a!._shape, n._k), null],
});

const REGION_SCATTER: number = defineStructural({
  gradFn: 'AsStridedBackwardBackward0', saved: 0,
  vjp: (g, n) => [regionOf(g, n._a!._shape, n._k, false), null],
});

/** `numel(shape)` elements of node `x`'s storage from `offset`, shaped `shape` (AsStridedBackward0), sharing storage. */
function regionOf(x: Tensor, shape: readonly number[], offset: number, force: boolean): Tensor {
  const t = new Tensor(shape, dataOf(x).subarray(offset, offset + numelOf(shape)), 0);
  maybeLink(t, AS_STRIDED, x, offset, null, force);
  return t;
}

/** `g` placed at `offset` in zeros shaped `shape`: the adjoint of {@link regionOf}. */
function regionScatter(g: Tensor, shape: readonly number[], offset: number): Tensor {
  const out = new Float64Array(numelOf(shape));
  out.set(dataOf(g), offset);
  const t = new Tensor(shape, out, 0);
  maybeLink(t, REGION_SCATTER, g, offset, null, false);
  return t;
}

/** CopySlices: the base with a view's region replaced. Inputs: the old base (`_a`) and the view's new value (`_b`); `_k` the offset. */
const COPY_SLICES: number = defineStructural({
  gradFn: 'CopySlices', saved: 0,
  vjp: (g, n) => {
    const offset = n._k;
    const region = n._b!;
    // The old base gets the gradient outside the region; the new region value gets the region's gradient.
    const mask = new Float64Array(numelOf(n._shape)).fill(1);
    mask.fill(0, offset, offset + numelOf(region._shape));
    const outside = elementwise(MUL, g, new Tensor(n._shape, mask, 0));
    return [n._a!._rg ? outside : null, region._rg ? regionOf(g, region._shape, offset, false) : null];
  },
});


/**
 * Brings a view handle's node up to date and returns it: a shared view gets a new node on its root's current node
 * after a recorded in-place op there; a copied view is re-made after any change of its base. Chains of views are
 * walked from the bottom up, without recursion.
 */
export function refreshView(v: Tensor): Tensor {
  const info = v._x!.view!;
  const root = info.root;
  if (root._x === null || root._x.view === null) refreshOne(v, info);
  else {
    const chain: Tensor[] = [v];
    for (let r = root; r._x !== null && r._x.view !== null; r = r._x.view.root) chain.push(r);
    for (let i = chain.length - 1; i >= 0; i--) refreshOne(chain[i], chain[i]._x!.view!);
  }
  return headOf(v);
}

function refreshOne(v: Tensor, info: ViewInfo): void {
  const rootHead = headOf(info.root);
  let node: Tensor;
  if (info.recompute === null) {
    if (info.seenRoot === rootHead) return;
    node = regionOf(rootHead, headOf(v)._shape, info.offset, true);
  } else {
    const version = rootHead._version;
    if (info.seenRoot === rootHead && info.seenVersion === version) return;
    // Recorded whatever the grad mode at this use: the view stands for the same op on the base as when it was made.
    const previous = gradMode.enabled;
    gradMode.enabled = true;
    try {
      node = info.recompute(rootHead);
    } finally {
      gradMode.enabled = previous;
    }
    info.seenVersion = version;
  }
  shareCounter(rootHead, node);
  extrasOf(node).owner = v;
  extrasOf(v).head = node;
  info.seenRoot = rootHead;
}

/** The message for an in-place op on a copied view, which cannot write through to its base here. */
export function copiedViewInplace(opName: string): string {
  return `${opName}() returns a copy in gradlab, where PyTorch returns a view sharing its base's storage, so an in-place ` +
    'operation on it (or on a view of it) cannot write through to the base; modify the base, or clone() the result ' +
    'to modify a copy (docs/tensor-training.md lists the views gradlab copies)';
}

/**
 * PyTorch's checks before an in-place op on view handle `v` (`recorded`: grad mode is on and a tensor involved
 * requires grad): an output of unbind, and a view of a leaf that requires grad, are refused when recorded; a
 * copied view (or a view of one) always, as the write could not reach the base.
 */
export function checkViewInplace(v: Tensor, info: ViewInfo, recorded: boolean): void {
  if (recorded && info.outputNr >= 0 && info.recompute === null) {
    throw new RuntimeError(messages.multiViewInplace(headOf(v).gradFn?.name ?? 'UnbindBackward0').replace('Output 0', `Output ${info.outputNr}`));
  }
  const base = headOf(info.torchBase);
  if (recorded && base._op === LEAF && base._rg) throw new RuntimeError(messages.viewOfLeafInplace);
  if (info.recompute !== null) throw new RuntimeError(copiedViewInplace(info.opName));
  const rootInfo = viewInfoOf(info.root);
  if (rootInfo !== null) throw new RuntimeError(copiedViewInplace(rootInfo.opName));
}

/**
 * A recorded in-place op on shared view `v` (already refreshed; `apply` computes the view's new value from its
 * current node): the new value is written into the storage, the root is rebased on CopySlices(old root, new
 * value), and the view stands for the region of the new root (AsStridedBackward0).
 */
export function recordedViewInplace(v: Tensor, info: ViewInfo, apply: (current: Tensor) => Tensor): Tensor {
  const root = info.root;
  const oldRoot = headOf(root);
  const current = headOf(v);
  const storage = dataOf(oldRoot);
  const counter = counterOf(oldRoot);
  counter.value++;
  privatize(oldRoot);
  privatize(current);
  const value = apply(current);
  storage.set(dataOf(value), info.offset);
  const newRoot = new Tensor(oldRoot._shape, storage, 0);
  link(newRoot, COPY_SLICES, oldRoot, value, info.offset, null);
  extrasOf(newRoot).counter = counter;
  markCreated(newRoot);
  extrasOf(newRoot).owner = root;
  extrasOf(root).head = newRoot;
  const node = regionOf(newRoot, current._shape, info.offset, true);
  shareCounter(newRoot, node);
  extrasOf(node).owner = v;
  extrasOf(v).head = node;
  info.seenRoot = newRoot;
  return node;
}

/** Notes the version a new node was made at, for the check of nodes that save their own output (engine). */
export function markCreated(node: Tensor): void {
  extrasOf(node).createdVersion = node._version;
}
