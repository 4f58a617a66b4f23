// Views: tensors that share their base's storage and version counter, and how a view follows its base (PyTorch's view semantics).
//
// Every view knows which elements of its root's storage it reads (the root is the tensor at the bottom of the
// view chain, never itself a view). A view whose elements form one contiguous run (view, reshape, flatten,
// squeeze, unsqueeze, detach, and select / narrow / unbind when every dimension before `dim` has size 1) holds a
// `subarray` of the root's Float64Array: kernels read it as contiguous row-major data with their fast paths
// unchanged, and writing through either changes the other. Any other view (t, transpose, permute, expand,
// select / narrow / unbind on an inner dimension, and views of those) holds a gathered copy plus an index map into
// the root's storage: the copy is gathered again before use whenever the storage changed (the shared version
// counter moved), and an in-place op on the view scatters its new values back through the map. To the user both
// behave as PyTorch's strided views; only the cost differs (a gather after the base changes).
//
// A view is a user-facing handle whose node (`resolve`) can be rebuilt: after a recorded in-place op on the base
// (or on another view of it) the base stands for a new node, and the view's next use makes a new node on top of it
// (AsStridedBackward0, as PyTorch 1.13 names a regenerated view), so gradients flow through the in-place op. A
// recorded in-place op on a view rebases the root on a CopySlices node (PyTorch's name): the root's new value is the
// old one with the view's elements replaced, and its backward sends those elements' gradient through the op.
import { RuntimeError, messages } from './errors.ts';
import { dataOf, elementwise, link, reshape } from './functional.ts';
import { gradMode, noGrad } from './grad-mode.ts';
import { LEAF, opId } from './op-ids.ts';
import { numelOf } from './shape.ts';
import { defineStructural } from './structural-registry.ts';
import { Tensor, VersionCounter, extrasOf } from './tensor.ts';

/** How a view handle relates to the storage it reads (kept in the handle's extras). */
export class ViewInfo {
  constructor(
    /** The tensor whose storage this view reads: the bottom of the view chain, not a view itself. */
    public readonly root: Tensor,
    /** Contiguous views: where the view's run starts in the root's storage. */
    public readonly offset: number,
    /** Other views: for each element of the view (row-major), its index in the root's storage. Null when contiguous. */
    public readonly map: Int32Array | null,
    /** The root's node when this view's node was made: a different node means the root was modified in place (recorded). */
    public seenRoot: Tensor,
    /** The storage's write generation when the view's values were last gathered (views with a map). */
    public seenGeneration: number,
    /** For an output of a function returning several views (unbind): its position; -1 otherwise. */
    public readonly outputNr: number,
    /**
     * For `detach()` / `.data` of a view holding a map: a tensor sharing the storage that is not a view for autograd
     * (`isView()` false, never recorded), kept here so that it reads and writes the storage through the map.
     */
    public readonly detached = false,
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
 * Gives an old node its own version counter, frozen at the current value, and with `keepValues` its own copy of its
 * values: the node stays in recorded graphs as the value before an in-place op (PyTorch saves `original_self` the
 * same way), while the storage and the counter pass to the node that replaces it. The values are needed only when
 * the in-place op's own backward reads them; any other node that saved the old value fails the version check.
 */
export function privatize(node: Tensor, keepValues: boolean): void {
  const version = node._version;
  if (keepValues && node._d !== null) node._d = node._d.slice();
  const x = node._x;
  if (x !== null) x.counter = null;
  node._ver = version;
}

/**
 * Write generations per storage buffer: a view with a map compares them to know when to gather again. Counted only
 * once such a view exists, so code without one pays nothing. A generation, not the version counter, because
 * `.data` shares the storage but not the counter.
 */
let generations: WeakMap<ArrayBufferLike, number> | null = null;

/** Notes that `data`'s storage was written (every version bump, and the in-place ops that move the counter directly). */
export function storageWritten(data: Float64Array | null): void {
  if (generations !== null && data !== null) generations.set(data.buffer, (generations.get(data.buffer) ?? 0) + 1);
}

function generationOf(data: Float64Array): number {
  return generations === null ? 0 : generations.get(data.buffer) ?? 0;
}

/** Notes the version a new node was made at, for the engine's check of nodes that save their own output. */
export function markCreated(node: Tensor): void {
  extrasOf(node).createdVersion = node._version;
}

/** Records `t` as made by `op` from `a` when grad mode is on, or `force`, and `a` requires grad. */
function maybeLink(t: Tensor, op: number, a: Tensor, k: number, aux: readonly number[] | null, force: boolean): void {
  if (a._rg && (gradMode.enabled || force)) link(t, op, a, null, k, aux);
}

/** The root and PyTorch `_base` of a new view of node `a`. */
function rootOf(a: Tensor): { parentInfo: ViewInfo | null; root: Tensor } {
  const parent = handleOf(a);
  const parentInfo = viewInfoOf(parent);
  return { parentInfo, root: parentInfo === null ? parent : parentInfo.root };
}

/**
 * A view of node `a` reading `numel(shape)` consecutive elements of `a` from `offset`, recorded as `op` (with `k`,
 * `aux` as the op's parameters), sharing `a`'s version counter. It shares storage when `a` does (a root or a
 * contiguous view); a run of a view with a map gets the matching part of the map. `outputNr` ≥ 0 marks an output
 * of unbind.
 */
export function sharedView(
  a: Tensor, shape: readonly number[], offset: number, op: number, k: number, aux: readonly number[] | null,
  outputNr = -1,
): Tensor {
  const numel = numelOf(shape);
  const { parentInfo, root } = rootOf(a);
  const rootHead = headOf(root);
  const mapped = parentInfo !== null && parentInfo.map !== null;
  const data = mapped ? dataOf(a).slice(offset, offset + numel) : dataOf(a).subarray(offset, offset + numel);
  const t = new Tensor(shape, data, 0);
  maybeLink(t, op, a, k, aux, false);
  shareCounter(a, t);
  let info: ViewInfo;
  if (mapped) {
    info = new ViewInfo(root, 0, parentInfo.map!.slice(offset, offset + numel), rootHead, generationOf(dataOf(rootHead)), outputNr, parentInfo.detached);
  } else {
    const rootOffset = (data.byteOffset - dataOf(rootHead).byteOffset) / Float64Array.BYTES_PER_ELEMENT;
    info = new ViewInfo(root, rootOffset, null, rootHead, 0, outputNr);
  }
  extrasOf(t).view = info;
  return t;
}

/** For each element of node `a`, its index in its root's storage, as a float64 tensor shaped like `a`. */
function rootIndices(a: Tensor, parentInfo: ViewInfo | null): Tensor {
  const n = numelOf(a._shape);
  const values = new Float64Array(n);
  if (parentInfo !== null && parentInfo.map !== null) values.set(parentInfo.map);
  else {
    const offset = parentInfo === null ? 0 : parentInfo.offset;
    for (let j = 0; j < n; j++) values[j] = offset + j;
  }
  return new Tensor(a._shape, values, 0);
}

/**
 * Marks `copy`, just made from node `a` by `op` (a copying function), as a view of `a`: the index map is `op`
 * applied to `a`'s storage indices. A map that comes out contiguous gives a view sharing storage instead.
 */
export function gatheredView(a: Tensor, copy: Tensor, op: (base: Tensor) => Tensor, outputNr = -1): Tensor {
  const { parentInfo, root } = rootOf(a);
  const rootHead = headOf(root);
  const indices = dataOf(noGrad(() => op(rootIndices(a, parentInfo))));
  const map = Int32Array.from(indices);
  shareCounter(a, copy);
  let contiguous = true;
  for (let j = 1; j < map.length && contiguous; j++) contiguous = map[j] === map[0] + j;
  // A view of a detached tensor that reaches the storage through a map stays outside autograd, as its parent.
  const detached = parentInfo !== null && parentInfo.detached;
  let info: ViewInfo;
  if (contiguous) {
    const offset = map.length === 0 ? 0 : map[0];
    copy._d = dataOf(rootHead).subarray(offset, offset + map.length);
    info = new ViewInfo(root, offset, null, rootHead, 0, outputNr, detached);
  } else {
    if (copy._d === null) copy._d = dataOf(copy);
    generations ??= new WeakMap();
    info = new ViewInfo(root, 0, map, rootHead, generationOf(dataOf(rootHead)), outputNr, detached);
  }
  extrasOf(copy).view = info;
  return copy;
}

// ---------------------------------------------------------------------------------------------------------------
// The ops a rebased view records. `_k` is a contiguous region's offset; a map is kept beside the node.

/** Index maps of AsStrided / CopySlices nodes over mapped regions (absent: the region is contiguous from `_k`). */
const regionMaps = new WeakMap<Tensor, Int32Array>();

const AS_STRIDED: number = defineStructural({
  gradFn: 'AsStridedBackward0', saved: 0,
  vjp: (g, n) => [regionScatter(g, n._a!._shape, n._k, regionMaps.get(n) ?? null), null],
});

const REGION_SCATTER: number = defineStructural({
  gradFn: 'AsStridedBackwardBackward0', saved: 0,
  vjp: (g, n) => [regionOf(g, n._a!._shape, n._k, regionMaps.get(n) ?? null, false), null],
});

const MUL = opId('mul');

/** CopySlices: the root with a view's elements replaced. Inputs: the old root (`_a`) and the view's new value (`_b`). */
const COPY_SLICES: number = defineStructural({
  gradFn: 'CopySlices', saved: 0,
  vjp: (g, n) => {
    const region = n._b!;
    const map = regionMaps.get(n) ?? null;
    // The old root gets the gradient outside the region; the new value gets the region's gradient.
    const mask = new Float64Array(numelOf(n._shape)).fill(1);
    if (map === null) mask.fill(0, n._k, n._k + numelOf(region._shape));
    else for (let j = 0; j < map.length; j++) mask[map[j]] = 0;
    const outside = elementwise(MUL, g, new Tensor(n._shape, mask, 0));
    return [n._a!._rg ? outside : null, region._rg ? regionOf(g, region._shape, n._k, map, false) : null];
  },
});

/** The elements of node `x` a region reads (a run from `offset`, or `map`), shaped `shape` (AsStridedBackward0). */
function regionOf(x: Tensor, shape: readonly number[], offset: number, map: Int32Array | null, force: boolean): Tensor {
  const src = dataOf(x);
  let data: Float64Array;
  if (map === null) data = src.subarray(offset, offset + numelOf(shape));
  else {
    data = new Float64Array(map.length);
    for (let j = 0; j < map.length; j++) data[j] = src[map[j]];
  }
  const t = new Tensor(shape, data, 0);
  maybeLink(t, AS_STRIDED, x, offset, null, force);
  if (map !== null && t._op === AS_STRIDED) regionMaps.set(t, map);
  return t;
}

/** `g` added into zeros shaped `shape` at the region's elements: the adjoint of {@link regionOf}. */
function regionScatter(g: Tensor, shape: readonly number[], offset: number, map: Int32Array | null): Tensor {
  const out = new Float64Array(numelOf(shape));
  const src = dataOf(g);
  if (map === null) out.set(src, offset);
  else for (let j = 0; j < map.length; j++) out[map[j]] += src[j];
  const t = new Tensor(shape, out, 0);
  maybeLink(t, REGION_SCATTER, g, offset, null, false);
  if (map !== null && t._op === REGION_SCATTER) regionMaps.set(t, map);
  return t;
}

// ---------------------------------------------------------------------------------------------------------------
// Following the root, and in-place ops on views.

/**
 * Brings a view handle's node up to date and returns it: after a recorded in-place op on its root the view gets a
 * new node on the root's current node; a view with a map gathers its values again after any change of the storage.
 */
export function refreshView(v: Tensor): Tensor {
  const info = v._x!.view!;
  const rootHead = headOf(info.root);
  if (info.seenRoot !== rootHead) {
    const node = info.detached ? detachedNode(rootHead, headOf(v), info) : regionOf(rootHead, headOf(v)._shape, info.offset, info.map, true);
    shareCounter(rootHead, node);
    extrasOf(node).owner = v;
    extrasOf(v).head = node;
    info.seenRoot = rootHead;
    if (info.map !== null) info.seenGeneration = generationOf(dataOf(rootHead));
    return node;
  }
  const node = headOf(v);
  if (info.map !== null) {
    const src = dataOf(rootHead);
    const generation = generationOf(src);
    if (info.seenGeneration !== generation) {
      // The storage changed under the copy (an unrecorded write through the root or another view): gather again.
      const out = dataOf(node), map = info.map;
      for (let j = 0; j < map.length; j++) out[j] = src[map[j]];
      info.seenGeneration = generation;
    }
  }
  return node;
}

/** A detached tensor's new node after its root was rebased: the same elements, gathered, recording nothing. */
function detachedNode(rootHead: Tensor, current: Tensor, info: ViewInfo): Tensor {
  const node = regionOf(rootHead, current._shape, info.offset, info.map, false);
  node._rg = false;
  node._op = LEAF;
  node._a = null;
  if (current._dtype !== null) node._dtype = current._dtype;
  return node;
}

/**
 * `detach()` (`shareVersion`) or `.data` of node `h`: a tensor sharing `h`'s storage that does not require grad. Of a
 * view holding a map it keeps the map (so writes reach the storage), else it shares the data array outright.
 */
export function detachedOf(h: Tensor, shareVersion: boolean): Tensor {
  const t = new Tensor(h._shape, dataOf(h), 0);
  if (h._dtype !== null) t._dtype = h._dtype;
  if (shareVersion) shareCounter(h, t);
  const info = viewInfoOf(handleOf(h));
  if (info !== null && info.map !== null) {
    t._d = dataOf(h).slice();
    const rootHead = headOf(info.root);
    extrasOf(t).view = new ViewInfo(info.root, 0, info.map, rootHead, generationOf(dataOf(rootHead)), -1, true);
  }
  return t;
}

/** PyTorch's refusal to write through a view whose elements overlap (expand). */
const overlapMessage =
  'unsupported operation: more than one element of the written-to tensor refers to a single memory location. ' +
  'Please clone() the tensor before performing the operation.';

/** Refuses a write through a view whose elements overlap (expand), with PyTorch's message. */
export function checkNoOverlap(info: ViewInfo): void {
  const map = info.map;
  if (map === null) return;
  const seen = new Uint8Array(numelOf(headOf(info.root)._shape));
  for (let j = 0; j < map.length; j++) {
    if (seen[map[j]] !== 0) throw new RuntimeError(overlapMessage);
    seen[map[j]] = 1;
  }
}

/**
 * PyTorch's checks before an in-place op on view handle `v` (`recorded`: grad mode is on and a tensor involved
 * requires grad): an output of unbind, and a view of a leaf that requires grad, are refused when recorded; a view
 * whose elements overlap (expand) always.
 */
export function checkViewInplace(v: Tensor, info: ViewInfo, recorded: boolean): void {
  if (recorded && info.outputNr >= 0) {
    const name = headOf(v).gradFn?.name ?? 'UnbindBackward0';
    throw new RuntimeError(messages.multiViewInplace(name).replace('Output 0', `Output ${info.outputNr}`));
  }
  const root = headOf(info.root);
  if (recorded && root._op === LEAF && root._rg) throw new RuntimeError(messages.viewOfLeafInplace);
  checkNoOverlap(info);
}

/** Writes a view's new values (already in its node's data, for an unrecorded in-place op) into the root's storage. */
export function writeThrough(v: Tensor, info: ViewInfo): void {
  if (info.map === null) return; // the view's data is the storage
  const node = headOf(v);
  const storage = dataOf(headOf(info.root)), values = dataOf(node), map = info.map;
  for (let j = 0; j < map.length; j++) storage[map[j]] = values[j];
  storageWritten(storage); // other views with a map gather again
}

/** After an unrecorded in-place op on view `v`: its own values are current (no gather needed at the new version). */
export function noteWritten(info: ViewInfo): void {
  if (info.map !== null) info.seenGeneration = generationOf(dataOf(headOf(info.root)));
}

/**
 * A recorded in-place op on view `v` (already refreshed; `apply` computes the view's new value from its current
 * node, whose old values it reads in its backward when `savesInput`): the new value is written into the storage, the root is rebased on CopySlices(old root, new value), and
 * the view stands for its region of the new root (AsStridedBackward0).
 */
export function recordedViewInplace(v: Tensor, info: ViewInfo, apply: (current: Tensor) => Tensor, savesInput: boolean): Tensor {
  const root = info.root;
  const oldRoot = headOf(root);
  const current = headOf(v);
  const storage = dataOf(oldRoot);
  const counter = counterOf(oldRoot);
  counter.value++;
  storageWritten(storage);
  privatize(oldRoot, false); // CopySlices saves neither input
  privatize(current, savesInput);
  const value = apply(current);
  const values = dataOf(value);
  if (info.map === null) storage.set(values, info.offset);
  else for (let j = 0; j < info.map.length; j++) storage[info.map[j]] = values[j];
  const newRoot = new Tensor(oldRoot._shape, storage, 0);
  link(newRoot, COPY_SLICES, oldRoot, value, info.offset, null);
  if (info.map !== null) regionMaps.set(newRoot, info.map);
  extrasOf(newRoot).counter = counter;
  markCreated(newRoot);
  extrasOf(newRoot).owner = root;
  extrasOf(root).head = newRoot;
  const node = regionOf(newRoot, current._shape, info.offset, info.map, true);
  extrasOf(node).counter = counter;
  extrasOf(node).owner = v;
  extrasOf(v).head = node;
  info.seenRoot = newRoot;
  if (info.map !== null) info.seenGeneration = generationOf(storage);
  return node;
}

// ---------------------------------------------------------------------------------------------------------------
// reshape and view of a view with a map: PyTorch's rule is a view when the new shape can be laid over the same
// elements with strides, else reshape copies and view refuses.

/** The message of PyTorch's `view` on a tensor whose layout cannot take the new shape. */
export const viewIncompatibleMessage =
  'view size is not compatible with input tensor\'s size and stride (at least one dimension spans across two ' +
  'contiguous subspaces). Use .reshape(...) instead.';

/**
 * True when node `a`'s elements, in row-major order of `shape`, sit at storage indices offset + Σ iᵈ·strideᵈ for
 * some strides: the case where PyTorch's view (and reshape without a copy) works. Always true for a tensor that is
 * not a view with a map (its elements are one contiguous run).
 */
export function viewableAs(a: Tensor, shape: readonly number[]): boolean {
  const info = viewInfoOf(handleOf(a));
  if (info === null || info.map === null) return true;
  const map = info.map;
  if (map.length <= 1) return true;
  const nd = shape.length;
  const strides = new Array<number>(nd).fill(0);
  let step = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (shape[d] > 1) strides[d] = map[step] - map[0];
    step *= shape[d];
  }
  const counter = new Array<number>(nd).fill(0);
  let expected = map[0];
  for (let j = 0; j < map.length; j++) {
    if (map[j] !== expected) return false;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      expected += strides[d];
      if (counter[d] < shape[d]) break;
      expected -= strides[d] * shape[d];
      counter[d] = 0;
    }
  }
  return true;
}

/** reshape's copy when the layout cannot take the new shape (PyTorch records `_unsafe_view` of a clone). */
export const RESHAPE_COPY: number = defineStructural({
  gradFn: 'UnsafeViewBackward0', saved: 0,
  vjp: (g, n) => [reshape(g, n._a!._shape, 'reshape'), null],
});
