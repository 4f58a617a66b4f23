// The backward engine: iterative dependency counting over the recorded graph, each node run once with its summed gradient.
//
// One pass: (1) a DFS from the roots (explicit stack) marks the nodes of this pass with a pass id and counts, for
// each node, the edges that will bring it a gradient; (2) a ready stack starts at the roots, and a node is run when
// its count reaches zero, so every node sees the sum of all its contributions exactly once. Nothing per node is
// allocated for the scalar path: a node's mark and slot are two integer fields, its count and gradient sum live in
// the pass's arrays at that slot, and elementwise backward rules are the op table's partial kernels, dispatched by
// op id (no closure per node).
import { type VarExpr } from '../../ir/node.ts';
import { interpret } from '../../ir/evaluate.ts';
import { RuntimeError, ValueError, messages, warn } from './errors.ts';
import {
  SAVES_A, SAVES_B, SAVES_OUT, copyOf, dataOf, elementwise, firstValue, gradFnName, partialAt, partialInfo, placeholderIndex, resolve, runVjp, savedMask, structuralRule, sumTo, tensorAlgebra, templatesFor,
} from './functional.ts';
import { LEAF, arityById, elementwiseCount, opId } from './op-ids.ts';
import { gradMode } from './grad-mode.ts';
import { backwardLoop, constantPartial } from './kernels.ts';
import { broadcastIndex, numelOf, sameShape, scalarShape } from './shape.ts';
import { FREED, Tensor } from './tensor.ts';

/** Options of `Tensor.backward` and {@link backward}. */
export interface BackwardOptions {
  /** Keep the saved values so the graph can be walked again (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. */
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad` (leaves or not); others are left alone. */
  inputs?: Tensor | readonly Tensor[];
}

/** Options of {@link grad}. */
export interface GradOptions {
  /** The vectors of the vector-Jacobian products, one per output (may be omitted for one-element outputs). */
  gradOutputs?: Tensor | null | readonly (Tensor | null)[];
  /** Keep the saved values (default: `createGraph`). */
  retainGraph?: boolean;
  /** Make the returned gradients differentiable. */
  createGraph?: boolean;
  /** Return null for an input the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

const ADD = opId('add');
const MUL = opId('mul');
const NEG = opId('neg');

let pass = 0;
let running = false;

/**
 * @internal Work counters for tests that pin complexity on counts rather than timings: `captureSteps` counts the
 * steps `grad()` takes to hand each input its gradient (one per listed input, whatever the number of inputs);
 * `freshBuffers` counts the gradient arrays the engine allocates (not recycled, not taken over from a VJP).
 */
export const engineStats = { captureSteps: 0, freshBuffers: 0 };

// The pass's per-node scratch, indexed by each node's `_slot`: pending contributions, and the gradient sum as a
// number (0-d nodes), an array (n-d) or a tensor (createGraph). Kept out of the tensors to keep them small; one
// pass runs at a time, so the arrays are shared; entries are overwritten rather than the arrays emptied, so a pass
// does not regrow them.
const deps: number[] = [];
const gs: number[] = [];
const gb: (Float64Array | null)[] = [];
const gt: (Tensor | null)[] = [];
/**
 * True when `gb` at that slot was made by the engine for this pass and never handed out (to a `.grad`, a hook, a
 * structural VJP or `grad()`'s result): only such a buffer may be overwritten in place, handed on to an input, or
 * recycled once its node has run.
 */
const owns: boolean[] = [];
let used = 0;

// Gradient buffers recycled between nodes and passes, by length. Only engine-owned buffers (`owns`) enter, so no
// tensor the user can reach shares one; a training loop's backward then reuses the same few arrays every step
// instead of allocating (and the GC reclaiming) fresh ones. Bounded, so it holds at most `poolMaxBytes`.
const pool = new Map<number, Float64Array[]>();
let pooledBytes = 0;
const poolMaxBytes = 32 * 2 ** 20;
const poolMinLength = 256;
const poolPerLength = 4;

/** A buffer of `n` elements with arbitrary contents (a recycled one when available). */
function takeBuffer(n: number): Float64Array {
  const list = pool.get(n);
  if (list !== undefined && list.length > 0) {
    pooledBytes -= 8 * n;
    return list.pop()!;
  }
  engineStats.freshBuffers++;
  return new Float64Array(n);
}

/** Gives an engine-owned buffer back to the pool (if it has room); a window onto a larger array is left alone. */
function recycle(buf: Float64Array): void {
  const n = buf.length;
  if (n < poolMinLength || pooledBytes + 8 * n > poolMaxBytes || buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) return;
  let list = pool.get(n);
  if (list === undefined) pool.set(n, (list = []));
  if (list.length >= poolPerLength) return;
  list.push(buf);
  pooledBytes += 8 * n;
}

/** Passes up to this many nodes keep their scratch arrays for the next pass. */
const scratchKeep = 1 << 20;

/** Forgets the pass's buffers (they may hold large arrays); very long passes give their memory back. */
function resetScratch(): void {
  for (let i = 0; i < used; i++) {
    gb[i] = null;
    gt[i] = null;
    owns[i] = false;
  }
  // Kept up to a million slots (about 32 MB): a training loop's passes of a few hundred thousand nodes reuse
  // them instead of regrowing them every step; only a rare huge pass gives its memory back.
  if (used > scratchKeep) deps.length = gs.length = gb.length = gt.length = owns.length = 0;
  used = 0;
}

const asList = <T>(x: T | readonly T[]): readonly T[] => (Array.isArray(x) ? (x as readonly T[]) : [x as T]);

/** `_make_grads`: the seed of each output, checked against its shape; ones for a one-element output. */
function makeSeeds(outputs: readonly Tensor[], given: readonly (Tensor | null | undefined)[]): (Tensor | null)[] {
  return outputs.map((out, i) => {
    const g = given[i];
    if (g instanceof Tensor) {
      if (!sameShape(g.shape, out._shape)) throw new RuntimeError(messages.gradShape(i, g.shape, out._shape));
      return resolve(g);
    }
    if (g !== null && g !== undefined) {
      throw new TypeError(`gradients can be either Tensors or None, but got ${typeof g === 'number' ? 'float' : typeof g}`);
    }
    if (!out._rg) return null;
    if (numelOf(out._shape) !== 1) throw new RuntimeError(messages.implicitScalar);
    return out._shape.length === 0 ? new Tensor(scalarShape, null, 1) : new Tensor(out._shape, Float64Array.of(1), 0);
  });
}

function checkRoots(roots: readonly Tensor[]): void {
  roots.forEach((r, i) => {
    if (!r._rg) throw new RuntimeError(messages.noGradFn(i));
  });
}

/**
 * `torch.autograd.backward`: accumulates into the leaves' `.grad` the gradient of `tensors` weighted by
 * `gradTensors` (omit for one-element tensors). Several outputs sum their contributions: `backward([a*2, a*3])`
 * gives `a.grad` 5.
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  gradTensors: Tensor | null | readonly (Tensor | null)[] = null,
  options: BackwardOptions = {},
): void {
  const outputs = asList(tensors).map(resolve);
  const given = gradTensors === null ? outputs.map(() => null) : asList(gradTensors);
  let inputs: Tensor[] | null = null;
  if (options.inputs !== undefined) {
    inputs = asList(options.inputs).map(resolve);
    if (inputs.length === 0) throw new RuntimeError(messages.backwardEmptyInputs);
  }
  const seeds = makeSeeds(outputs, given);
  checkRoots(outputs);
  if (inputs !== null) for (const t of inputs) if (!t._rg) throw new RuntimeError(messages.notRequiresGrad);
  const createGraph = options.createGraph ?? false;
  if (createGraph) warn(messages.createGraphCycle);
  run(outputs, seeds as Tensor[], options.retainGraph ?? createGraph, createGraph, inputs, true);
}

/**
 * `torch.autograd.grad`: the gradients of `outputs` with respect to `inputs` (leaves or not), returned in input
 * order without touching any `.grad`. An input the outputs do not depend on throws, or gives null with
 * `allowUnused`.
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = asList(outputs).map(resolve);
  const ins = asList(inputs).map(resolve);
  if (ins.length === 0) throw new ValueError(messages.gradEmptyInputs);
  const given = options.gradOutputs === undefined || options.gradOutputs === null ? outs.map(() => null) : asList(options.gradOutputs);
  const seeds = makeSeeds(outs, given);
  checkRoots(outs);
  for (const t of ins) if (!t._rg) throw new RuntimeError(messages.notRequiresGrad);
  const createGraph = options.createGraph ?? false;
  const captured = run(outs, seeds as Tensor[], options.retainGraph ?? createGraph, createGraph, ins, false);
  return captured.map((g) => {
    if (g === null && !options.allowUnused) throw new RuntimeError(messages.unused);
    return g;
  });
}

function run(
  roots: readonly Tensor[], seeds: readonly Tensor[], retainGraph: boolean, createGraph: boolean,
  targets: readonly Tensor[] | null, accumulate: boolean,
): (Tensor | null)[] {
  if (running) throw new Error('gradlab: backward() and grad() cannot be called from inside a backward pass (a hook); reentrant backward is not supported');
  running = true;
  const previousMode = gradMode.enabled;
  // As in PyTorch, the backward records exactly when createGraph is set, whatever the surrounding mode.
  gradMode.enabled = createGraph;
  try {
    return execute(roots, seeds, retainGraph, createGraph, targets, accumulate);
  } finally {
    running = false;
    gradMode.enabled = previousMode;
    resetScratch();
  }
}

/** Prepares `t` for pass `p`: marked, no pending contributions, empty gradient. */
function begin(t: Tensor, p: number): void {
  t._mark = p;
  const i = used++;
  t._slot = i;
  if (i < deps.length) {
    deps[i] = 0;
    gs[i] = 0;
  } else {
    deps.push(0);
    gs.push(0);
    gb.push(null);
    gt.push(null);
    owns.push(false);
  }
}

/** Marks every node reachable from the roots and counts the edges into each (all leaves are targets). */
function markAll(roots: readonly Tensor[], p: number): void {
  const stack: Tensor[] = [];
  for (const r of roots) {
    if (r._mark !== p) {
      begin(r, p);
      stack.push(r);
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n._op === LEAF) continue;
    const a = n._a;
    if (a !== null && a._rg) {
      if (a._mark !== p) {
        begin(a, p);
        stack.push(a);
      }
      deps[a._slot]++;
    }
    const b = n._b;
    if (b !== null && b._rg) {
      if (b._mark !== p) {
        begin(b, p);
        stack.push(b);
      }
      deps[b._slot]++;
    }
    const xs = n._x === null ? null : n._x.inputs;
    if (xs !== null) {
      for (const x of xs) {
        if (!x._rg) continue;
        if (x._mark !== p) {
          begin(x, p);
          stack.push(x);
        }
        deps[x._slot]++;
      }
    }
  }
}

/**
 * Marks only the nodes on a path from a root to a target (what `inputs=` and `grad()` need) and counts the edges
 * among them. A post-order DFS (children first) decides each node after its inputs.
 */
function markNeeded(roots: readonly Tensor[], targets: ReadonlySet<Tensor>, p: number, visit: number): void {
  const order: Tensor[] = [];
  const stack: Tensor[] = [];
  const expanded: boolean[] = [];
  // Marked when expanded, not when pushed: a node pushed twice (shared) is expanded once, from the entry that
  // sits highest on the stack, so it is emitted after all of its inputs even in a DAG.
  const push = (t: Tensor | null) => {
    if (t !== null && t._rg && t._mark !== visit) {
      stack.push(t);
      expanded.push(false);
    }
  };
  for (const r of roots) push(r);
  while (stack.length > 0) {
    const top = stack.length - 1;
    const n = stack[top];
    if (!expanded[top]) {
      if (n._mark === visit) {
        stack.pop();
        expanded.pop();
        continue;
      }
      n._mark = visit;
      expanded[top] = true;
      if (n._op !== LEAF) {
        push(n._a);
        push(n._b);
        const xs = n._inputs;
        if (xs !== null) for (const x of xs) push(x);
      }
    } else {
      stack.pop();
      expanded.pop();
      order.push(n);
    }
  }
  for (const n of order) {
    const a = n._op === LEAF ? null : n._a;
    const b = n._op === LEAF ? null : n._b;
    const aNeeded = a !== null && a._rg && a._mark === p;
    const bNeeded = b !== null && b._rg && b._mark === p;
    const xs = n._op === LEAF ? null : n._inputs;
    let xNeeded = false;
    if (xs !== null) for (const x of xs) if (x._rg && x._mark === p) xNeeded = true;
    if (!targets.has(n) && !aNeeded && !bNeeded && !xNeeded) continue;
    begin(n, p);
    if (aNeeded) deps[a._slot]++;
    if (bNeeded) deps[b._slot]++;
    if (xNeeded) for (const x of xs!) if (x._rg && x._mark === p) deps[x._slot]++;
  }
}

/** The summed gradient of `n` as a tensor (sharing the buffer). */
function gradientOf(n: Tensor, createGraph: boolean): Tensor {
  const i = n._slot;
  if (createGraph) return gt[i] ?? new Tensor(n._shape, n._shape.length === 0 ? null : new Float64Array(numelOf(n._shape)), 0);
  if (n._shape.length === 0) return new Tensor(scalarShape, null, gs[i]);
  owns[i] = false; // handed out: no longer the engine's to reuse
  return new Tensor(n._shape, gb[i] ?? (gb[i] = new Float64Array(numelOf(n._shape))), 0);
}

/** Replaces the gradient of `n` (after a hook). */
function setGradient(n: Tensor, g: Tensor, createGraph: boolean): void {
  if (createGraph) gt[n._slot] = g;
  else if (n._shape.length === 0) gs[n._slot] = firstValue(g);
  else {
    gb[n._slot] = dataOf(g).slice();
    owns[n._slot] = false;
  }
}

/** Runs the hooks of `n` in order on its summed gradient; `retainGrad()` sits among them where it was called. */
function runHooks(n: Tensor, createGraph: boolean): void {
  let g = gradientOf(n, createGraph);
  let replaced = false;
  for (const entry of [...n._hooks!]) {
    if (entry.fn === null) {
      // retain_grad: a copy the first time, then out-of-place sums (PyTorch 1.13).
      n._grad = n._grad === null ? copyOf(g, 'clone') : elementwise(ADD, n._grad, g);
      continue;
    }
    const r = entry.fn(g);
    if (r === undefined || r === null) continue;
    if (!(r instanceof Tensor)) throw new TypeError('a hook must return a Tensor or nothing');
    if (!sameShape(r.shape, n._shape)) {
      throw new RuntimeError(`hook 'hook' has changed the size of value`);
    }
    g = resolve(r);
    replaced = true;
  }
  if (replaced) setGradient(n, g, createGraph);
}

/** Adds `n`'s gradient into its `.grad` (AccumulateGrad): in place normally; out of place and recorded under createGraph. */
function accumulateInto(n: Tensor, createGraph: boolean): void {
  const existing = n._grad === null ? null : resolve(n._grad);
  if (createGraph) {
    const g = gradientOf(n, true);
    n._grad = existing === null ? copyOf(g, 'copy') : elementwise(ADD, existing, g);
    return;
  }
  if (existing === null) {
    n._grad = gradientOf(n, false);
    return;
  }
  if (existing._d === null) existing._s += gs[n._slot];
  else if (n._shape.length === 0) existing._d[0] += gs[n._slot];
  else {
    const src = gb[n._slot];
    if (src !== null) for (let i = 0; i < src.length; i++) existing._d[i] += src[i];
  }
  existing._version++;
}

/** Refuses to run a node whose saved values were released or modified in place since it was recorded. */
function checkSaved(n: Tensor, saved: number): void {
  if ((n._flags & FREED) !== 0) throw new RuntimeError(messages.secondBackward);
  const a = n._a, b = n._b;
  if ((saved & SAVES_A) !== 0 && a !== null && versionOf(a) !== n._va) throw versionError(a, n._va);
  if ((saved & SAVES_B) !== 0 && b !== null && versionOf(b) !== n._vb) throw versionError(b, n._vb);
  if ((saved & SAVES_OUT) !== 0) {
    // A node made by an in-place op starts at the version that op gave its storage (views.ts, tensor.ts).
    const made = n._x === null ? 0 : n._x.createdVersion;
    if (versionOf(n) !== made) throw versionError(n, made);
  }
}

/** `t._version`, reading the field directly for a tensor without extras (no shared counter): the per-node check stays a load. */
function versionOf(t: Tensor): number {
  return t._x === null ? t._ver : t._version;
}

function versionError(t: Tensor, expected: number): RuntimeError {
  return new RuntimeError(messages.versionMismatch(t._shape, t._op === LEAF ? null : gradFnName(t), t._version, expected));
}

function execute(
  roots: readonly Tensor[], seeds: readonly Tensor[], retainGraph: boolean, createGraph: boolean,
  targets: readonly Tensor[] | null, accumulate: boolean,
): (Tensor | null)[] {
  const p = ++pass;
  const targetSet = targets === null ? null : new Set(targets);
  if (targetSet === null) markAll(roots, p);
  else {
    const visit = p;
    const needed = ++pass;
    markNeeded(roots, targetSet, needed, visit);
    return process(roots, seeds, retainGraph, createGraph, targets, targetSet, accumulate, needed);
  }
  return process(roots, seeds, retainGraph, createGraph, targets, targetSet, accumulate, p);
}

function process(
  roots: readonly Tensor[], seeds: readonly Tensor[], retainGraph: boolean, createGraph: boolean,
  targets: readonly Tensor[] | null, targetSet: ReadonlySet<Tensor> | null, accumulate: boolean, p: number,
): (Tensor | null)[] {
  const captured: (Tensor | null)[] = targets === null ? [] : targets.map(() => null);
  // Where each target sits in the input list (a tensor may be listed twice): one lookup per node, not a scan.
  const positions = new Map<Tensor, number[]>();
  if (targets !== null) {
    targets.forEach((t, i) => {
      const list = positions.get(t);
      if (list === undefined) positions.set(t, [i]);
      else list.push(i);
    });
  }
  const ready: Tensor[] = [];
  // Seeds: several outputs may share nodes; each root's seed joins its node's sum.
  roots.forEach((r, i) => {
    if (r._mark === p) give(r, seeds[i], createGraph);
  });
  for (const r of new Set(roots)) if (r._mark === p && deps[r._slot] === 0) ready.push(r);

  while (ready.length > 0) {
    const n = ready.pop()!;
    if (n._hooks !== null && n._hooks.length > 0) runHooks(n, createGraph);
    const isTarget = targetSet === null ? n._op === LEAF : targetSet.has(n);
    if (isTarget) {
      if (accumulate) accumulateInto(n, createGraph);
      else {
        const g = gradientOf(n, createGraph);
        for (const i of positions.get(n)!) {
          captured[i] = g;
          engineStats.captureSteps++;
        }
      }
    }
    if (n._op === LEAF) {
      release(n);
      continue;
    }
    const op = n._op;
    const saved = savedMask(op);
    if (saved !== 0) checkSaved(n, saved);
    if (op < elementwiseCount) {
      if (createGraph) elementwiseGraph(n, p, ready);
      else if (n._shape.length === 0) {
        // The scalar path: partial kernels on numbers, sums in the pass's number array.
        const info = partialInfo(op);
        const g = gs[n._slot];
        const a = n._a, b = n._b;
        const av = a === null ? n._k : a._d === null ? a._s : a._d[0];
        const bv = arityById[op] === 1 ? NaN : b === null ? n._k : b._d === null ? b._s : b._d[0];
        const ov = n._d === null ? n._s : n._d[0];
        if (a !== null && a._mark === p) {
          let d = info.kernels[0](av, bv, ov);
          if (d - d !== 0) d = partialAt(op, 0, av, bv, ov);
          gs[a._slot] += g * d;
          if (--deps[a._slot] === 0) ready.push(a);
        }
        if (b !== null && b._mark === p) {
          let d = info.kernels[1](av, bv, ov);
          if (d - d !== 0) d = partialAt(op, 1, av, bv, ov);
          gs[b._slot] += g * d;
          if (--deps[b._slot] === 0) ready.push(b);
        }
      } else elementwiseND(n, p, ready);
    } else {
      const grads = runVjp(structuralRule(op), gradientOf(n, createGraph), n, createGraph);
      const xs = n._inputs;
      if (xs !== null) {
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i];
          if (!x._rg || x._mark !== p) continue;
          const gx = grads[i] ?? null;
          if (gx !== null) give(x, gx, createGraph);
          if (--deps[x._slot] === 0) ready.push(x);
        }
      }
      const ga = grads[0] ?? null, gB = grads[1] ?? null;
      const a = n._a, b = n._b;
      let handed: Float64Array | null = null;
      if (a !== null && a._mark === p) {
        if (ga !== null) {
          const owned = !createGraph && ownable(ga, n, null);
          give(a, ga, createGraph, owned);
          if (owned) handed = ga._d;
        }
        if (--deps[a._slot] === 0) ready.push(a);
      }
      if (b !== null && b._mark === p) {
        if (gB !== null) give(b, gB, createGraph, !createGraph && ownable(gB, n, handed));
        if (--deps[b._slot] === 0) ready.push(b);
      }
    }
    if (!retainGraph) n._flags |= FREED;
    release(n);
  }
  return captured;
}

/** Drops a node's gradient buffers once it has run (recycling the engine's own). */
function release(n: Tensor): void {
  const i = n._slot;
  const buf = gb[i];
  if (buf !== null && owns[i]) recycle(buf);
  gb[i] = null;
  gt[i] = null;
  owns[i] = false;
}

/** Adds a gradient contribution `g` (shaped like `t`) to `t`'s sum. */
function give(t: Tensor, g: Tensor, createGraph: boolean, owned = false): void {
  const i = t._slot;
  if (createGraph) {
    const sum = gt[i];
    gt[i] = sum === null ? g : elementwise(ADD, sum, g);
    return;
  }
  if (t._shape.length === 0) {
    gs[i] += firstValue(g);
    return;
  }
  const src = dataOf(resolve(g));
  const existing = gb[i];
  if (existing === null) {
    // The first contribution becomes the sum: taken over when nothing else holds it, else copied.
    if (owned) gb[i] = src;
    else {
      const copy = takeBuffer(src.length);
      copy.set(src);
      gb[i] = copy;
    }
    owns[i] = true;
    return;
  }
  for (let k = 0; k < existing.length; k++) existing[k] += src[k];
}

/**
 * True when a structural VJP's result `g` may become an input's gradient buffer: it is not the node's own
 * gradient passed through (identity rules return it) and was not already handed to another input.
 */
function ownable(g: Tensor, node: Tensor, given: Float64Array | null): boolean {
  const d = g._d;
  if (d === null) return false;
  // Compared by buffer: a view's data is a subarray of its base's (views.ts), a different object over the same memory.
  const own = gb[node._slot];
  return (own === null || d.buffer !== own.buffer) && (given === null || d.buffer !== given.buffer);
}

/**
 * Elementwise backward on arrays: g·∂out/∂arg per element, scattered back through the broadcast (which sums it to
 * the input's shape). Same-shaped operands run one generated loop with the partial inlined (kernels.ts); the
 * first contribution to an input is stored rather than added (no zeroed buffer), and when the node's own gradient
 * buffer is the engine's and no later input reads it, it is overwritten in place and handed on (a constant
 * partial of 1, as add's, hands it on untouched), so a chain of elementwise ops allocates no gradient buffer.
 */
function elementwiseND(n: Tensor, p: number, ready: Tensor[]): void {
  const op = n._op;
  const info = partialInfo(op);
  const unary = arityById[op] === 1;
  const slot = n._slot;
  let G = gb[slot];
  if (G === null) {
    engineStats.freshBuffers++;
    G = new Float64Array(numelOf(n._shape));
    gb[slot] = G;
    owns[slot] = true;
  }
  const O = dataOf(n);
  const a = n._a, b = unary ? null : n._b;
  const A = a === null ? null : dataOf(a);
  const B = b === null ? null : dataOf(b);
  const ia = a === null ? null : broadcastIndex(n._shape, a._shape);
  const ib = b === null ? null : broadcastIndex(n._shape, b._shape);
  // The number operand (x + 2, x ** 2): the loops are specialised on it.
  const k = a === null || b === null ? n._k : undefined;
  const inputs = [a, b];
  for (let i = 0; i < 2; i++) {
    const t = inputs[i];
    if (t === null || t._mark !== p) continue;
    const ts = t._slot;
    if (ia === null && ib === null && t._shape.length !== 0 && numelOf(t._shape) === G.length) {
      const existing = gb[ts];
      if (existing !== null) backwardLoop(op, i, A !== null, B !== null, k)(G, A, B, O, existing, G.length, n._k, n._k, partialAt);
      else {
        // G may be consumed when it is the engine's and the other input (if any) has already read it.
        const consumable = owns[slot] && (i === 1 || b === null || b._mark !== p);
        if (consumable) {
          if (constantPartial(op, i) !== 1) backwardLoop(op, i, A !== null, B !== null, k, true)(G, A, B, O, G, G.length, n._k, n._k, partialAt);
          gb[ts] = G;
          gb[slot] = null;
          owns[slot] = false;
        } else {
          const buf = takeBuffer(G.length);
          if (constantPartial(op, i) === 1) buf.set(G);
          else backwardLoop(op, i, A !== null, B !== null, k, true)(G, A, B, O, buf, G.length, n._k, n._k, partialAt);
          gb[ts] = buf;
        }
        owns[ts] = true;
      }
    } else {
      const kernel = info.kernels[i];
      const map = i === 0 ? ia : ib;
      let buf: Float64Array;
      if (t._shape.length === 0) buf = new Float64Array(1);
      else {
        let sum = gb[ts];
        if (sum === null) {
          engineStats.freshBuffers++;
          sum = new Float64Array(numelOf(t._shape));
          gb[ts] = sum;
          owns[ts] = true;
        }
        buf = sum;
      }
      for (let j = 0; j < G.length; j++) {
        const av = A === null ? n._k : A[ia === null ? j : ia[j]];
        const bv = unary ? NaN : B === null ? n._k : B[ib === null ? j : ib[j]];
        const ov = O[j];
        let d = kernel(av, bv, ov);
        if (d - d !== 0) d = partialAt(op, i, av, bv, ov);
        buf[map === null ? j : map[j]] += G[j] * d;
      }
      if (t._shape.length === 0) gs[ts] += buf[0];
    }
    if (--deps[ts] === 0) ready.push(t);
  }
}

/**
 * Elementwise backward that is itself recorded (createGraph): the op table's partial templates are evaluated on
 * the tensors with the Tensor algebra, so the backward graph can be differentiated again.
 */
function elementwiseGraph(n: Tensor, p: number, ready: Tensor[]): void {
  const g = gradientOf(n, true);
  const templates = templatesFor(n);
  const bound: (Tensor | number)[] = [n._a ?? n._k, n._b ?? n._k, n];
  const lookup = (v: VarExpr): Tensor | number => {
    const i = placeholderIndex(v);
    if (i < 0) throw new Error(`unexpected variable '${v.name}' in a partial template`);
    return bound[i];
  };
  const inputs = [n._a, arityById[n._op] === 1 ? null : n._b];
  for (let i = 0; i < 2; i++) {
    const t = inputs[i];
    if (t === null || t._mark !== p) continue;
    const local = interpret(templates[i], lookup, tensorAlgebra);
    let contribution: Tensor;
    if (local === 1) contribution = g;
    else if (local === -1) contribution = elementwise(NEG, g);
    else contribution = elementwise(MUL, g, local);
    give(t, sumTo(contribution, t._shape), true);
    if (--deps[t._slot] === 0) ready.push(t);
  }
}
