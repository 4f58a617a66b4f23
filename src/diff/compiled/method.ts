// The `autograd-compiled` method: compileGradient's generated adjoint code, compiled once per expression and variables.
import type { Expr } from '../../ir/node.ts';
import type { GradientMethod, GradientRequest, GradientResult } from '../method.ts';
import { compileGradient, type CompiledAdjoint } from './gradient.ts';
import { checkSize } from '../size-limit.ts';
import { memoize } from './cache.ts';

/**
 * The compiled adjoint of `expr` for `variables`, from the cache or compiled now (`cached` tells which).
 * Compile once, then every call measures evaluation only.
 * @throws Error when `expr` uses a variable missing from `variables`.
 */
export function cachedGradient(expr: Expr, variables: readonly string[]): { adjoint: CompiledAdjoint; cached: boolean } {
  // Held weakly by the expression; variable lists compared entry by entry (no key string per call).
  let cached = true;
  const adjoint = memoize([expr], 'adjoint', variables, () => {
    cached = false;
    return compileGradient(expr, variables);
  });
  return { adjoint, cached };
}

/**
 * `autograd-compiled`: reverse mode by source transformation. The op table's partials are lowered with f into one
 * straight-line program (forward sweep, then reverse sweep, sharing every forward value), compiled to JavaScript
 * once per expression and variable list, and cached. `extra.compileMs` is the compile time (spent on the first
 * call only; `extra.cached` says whether this call reused it), `extra.instructions` the operation counts of f and
 * of the gradient program, `extra.rolledInstructions` and `extra.loops` how much of it runs as loops.
 */
export const autogradCompiledMethod: GradientMethod = {
  name: 'autograd-compiled',
  summary: 'Reverse mode by source transformation: f and its adjoint compiled to JavaScript (one forward, one reverse sweep), cached per expression.',
  compute(request: GradientRequest): GradientResult {
    checkSize('autograd-compiled', request);
    const { expr, variables, point } = request;
    const { adjoint, cached } = cachedGradient(expr, variables);
    const gradient = new Float64Array(variables.length);
    const value = adjoint(point, gradient);
    return {
      value,
      gradient,
      extra: {
        compileMs: adjoint.compileMs,
        cached,
        instructions: adjoint.counts,
        rolledInstructions: adjoint.plan.rolled,
        loops: adjoint.plan.loops.length,
      },
    };
  },
};
