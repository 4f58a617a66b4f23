// Types of the flat exchange format for mathjs expressions (implemented in mathjs-flat.mjs).

/** Node kinds in {@link FlatMathjs.type}. */
export const SYMBOL: 0, CONSTANT: 1, OPERATOR: 2, FUNCTION: 3;

/**
 * A mathjs expression as a post-order list of nodes (children before parents) in typed-array columns:
 * structured-clonable and fast to copy, so it crosses to and from the mathjs worker thread; a DAG
 * (structurally equal nodes merged), so it stays small.
 */
export interface FlatMathjs {
  readonly root: number;
  /** {@link SYMBOL}, {@link CONSTANT}, {@link OPERATOR} or {@link FUNCTION} per node. */
  readonly type: Uint8Array;
  /** Index into `strings`: the symbol's name, the operator's function (`add`), or the function's name. */
  readonly label: Int32Array;
  /** Index into `strings` of an operator's symbol (`+`); -1 for other kinds. */
  readonly symbol: Int32Array;
  /** A constant's value (0 for other kinds). */
  readonly value: Float64Array;
  /** Node i's arguments are `args[argStart[i]] … args[argStart[i + 1] - 1]` (indices of earlier nodes). */
  readonly argStart: Int32Array;
  readonly args: Int32Array;
  readonly strings: readonly string[];
}

/** Appends nodes children first, interning strings and (with `merge`, the default) merging structurally equal nodes. */
export class FlatBuilder {
  constructor(merge?: boolean);
  addSymbol(name: string): number;
  addConstant(value: number): number;
  addOperator(op: string, fn: string, args: readonly number[]): number;
  addFunction(name: string, args: readonly number[]): number;
  finish(root: number): FlatMathjs;
}

/** The argument indices of flat node `i`. */
export function flatArgs(flat: FlatMathjs, i: number): Int32Array;

/** Builds mathjs nodes (a tree, or with `share` one object per flat node) from a flat expression, iteratively. */
export function buildMathjs(math: unknown, flat: FlatMathjs, options?: { share?: boolean; rename?: ReadonlyMap<string, string> }): any;

/** Flattens a mathjs node iteratively: parentheses dropped, structurally equal subtrees merged. */
export function flattenMathjs(root: unknown, options?: { rename?: ReadonlyMap<string, string> }): FlatMathjs;

/** Tree size (as mathjs holds it), DAG size and depth of a flat expression. */
export function flatMetrics(flat: FlatMathjs): { treeSize: number; dagSize: number; depth: number };
