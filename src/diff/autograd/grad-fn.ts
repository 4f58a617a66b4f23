// The user-visible backward nodes (`t.gradFn`, `nextFunctions`, AccumulateGrad), made lazily from the tensors themselves.
import {
  gradFnName,
} from './functional.ts';
import { LEAF, arityById, elementwiseCount } from './op-ids.ts';
import type { Tensor } from './tensor.ts';

/** One edge of the backward graph: the node a gradient flows on to (null: nothing to do) and PyTorch's input number (always 0 here). */
export type NextFunction = readonly [GradFn | null, number];

// PyTorch's scalar overloads take the number as an attribute rather than as an input, so their nodes have a single edge.
const scalarOverloads = new Set(['RsubBackward1', 'PowBackward0']);

/**
 * A node of the backward graph as PyTorch shows it: `name` is the class name (`'PowBackward0'`; PyTorch's
 * `grad_fn.name()` is a method, here it is a property), `nextFunctions` the edges towards the inputs, as
 * `[node, 0]` pairs with `null` where an input needs no gradient. A leaf that requires grad appears as an
 * `AccumulateGrad` node whose `variable` is the leaf. The objects are created on first access and then kept,
 * so `t.gradFn === t.gradFn`.
 */
export class GradFn {
  /** @internal */
  constructor(
    /** PyTorch's class name of this node (`AddBackward0`, `AccumulateGrad`, …). */
    readonly name: string,
    /** @internal The tensor that is this node (the leaf, for AccumulateGrad). */
    readonly _node: Tensor,
  ) {}

  /** The leaf whose gradient this node accumulates (AccumulateGrad only). */
  get variable(): Tensor | undefined {
    return this.name === 'AccumulateGrad' ? this._node : undefined;
  }

  /** Edges to the nodes that receive this node's input gradients, in input order. */
  get nextFunctions(): readonly NextFunction[] {
    const n = this._node;
    if (n._op === LEAF) return [];
    if (n._op < elementwiseCount && arityById[n._op] === 2) {
      if (scalarOverloads.has(this.name)) return [edge(n._a ?? n._b)];
      return [edge(n._a), edge(n._b)];
    }
    const xs = n._inputs;
    if (xs !== null) return xs.map(edge);
    return n._b === null ? [edge(n._a)] : [edge(n._a), edge(n._b)];
  }

  /** `<AddBackward0 object>` (PyTorch adds the memory address). */
  toString(): string {
    return `<${this.name} object>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function edge(t: Tensor | null): NextFunction {
  if (t === null || !t._rg) return [null, 0];
  return [nodeOf(t), 0];
}

/** @internal The node of a tensor that requires grad: its grad_fn, or its AccumulateGrad when it is a leaf. */
export function nodeOf(t: Tensor): GradFn {
  if (t._fn === null) t._fn = new GradFn(t._op === LEAF ? 'AccumulateGrad' : gradFnName(t), t);
  return t._fn;
}
