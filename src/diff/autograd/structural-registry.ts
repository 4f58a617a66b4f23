// The registry of structural ops defined outside functional.ts (training ops), importable before any Tensor module has loaded.
//
// tensor.ts imports the modules that define these ops, and they are evaluated while functional.ts may still be
// loading (the modules import each other); this module imports nothing that imports them, so registering an op at
// module load always works. Their ids start at a fixed offset above the built-in structural ops.
import type { StructuralRule } from './functional.ts';
import { elementwiseCount } from './op-ids.ts';

/** Bits of `savedMask`: which values an op keeps for its backward (input a, input b, its own output). */
export const SAVES_A = 1, SAVES_B = 2, SAVES_OUT = 4;

/** First engine op id of a registered op (well above the built-in structural ops). */
export const registeredBase = elementwiseCount + 256;

/** Registered rules, indexed by `op - registeredBase`. */
export const registeredRules: StructuralRule[] = [];

/**
 * Adds a structural op's backward rule (PyTorch's grad_fn name, saved values, VJP) and returns its engine op id.
 * Called once per op at module load.
 */
export function defineStructural(rule: StructuralRule): number {
  registeredRules.push(rule);
  return registeredBase + registeredRules.length - 1;
}
