// Engine op ids for the IR's elementwise ops (their index in the op table), kept apart so any module may use them at load time.
import { ops, opNames, type OpName } from '../../ir/ops.ts';

/** `_op` of a leaf (a tensor no recorded op produced). */
export const LEAF = -1;

/** Number of elementwise ops; op ids below it index {@link opNames}. */
export const elementwiseCount = opNames.length;

const idOfOp = new Map<OpName, number>(opNames.map((name, i) => [name, i]));

/** Arity of each elementwise op id. */
export const arityById: readonly number[] = opNames.map((name) => ops[name].arity);

/** The engine's id of an IR op. */
export function opId(name: OpName): number {
  const id = idOfOp.get(name);
  if (id === undefined) throw new RangeError(`unknown op '${String(name)}'`);
  return id;
}
