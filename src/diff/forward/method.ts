// The `forward-mode` method: dual numbers compiled once, run once per input with the unit directions.
import type { Expr } from '../../ir/node.ts';
import type { GradientMethod, GradientRequest, GradientResult } from '../method.ts';
import { buildProgram, defaultChunkSize } from '../../ir/codegen.ts';
import { lowerExpressions } from '../compiled/gradient.ts';
import { compileJvp, type CompiledJvp } from './jvp-program.ts';
import { checkSize } from '../size-limit.ts';
import { memoize } from '../compiled/cache.ts';
import { unitTangentExpressions } from './tangent.ts';

/** The compiled JVP program of one expression, from the cache or compiled now. */
export function cachedJvp(expr: Expr, variables: readonly string[]): { jvp: CompiledJvp; cached: boolean } {
  let cached = true;
  const jvp = memoize([expr], 'jvp', variables, () => {
    cached = false;
    return compileJvp([expr], variables);
  });
  return { jvp, cached };
}

/**
 * ∂expr/∂variable alone, compiled with the other variables' tangents as structural zeros (see
 * `unitTangentExpressions`): a term whose tangent is zero is absent, not `0 · partial`. Cached per expression.
 */
export function unitTangentProgram(expr: Expr, variables: readonly string[], variable: string): (point: ArrayLike<number>) => number {
  return memoize([expr], `unit-tangent|${variable}`, variables, () => {
    const program = lowerExpressions([...unitTangentExpressions([expr], variable)], variables);
    const { program: run } = buildProgram(program.instructions, program.roots, defaultChunkSize);
    const out = new Float64Array(1);
    return (point: ArrayLike<number>) => {
      run(point, out);
      return out[0];
    };
  });
}

/**
 * The gradient by forward mode: n passes of a compiled JVP program of one expression, with the unit directions
 * e₀ … eₙ₋₁. Writes ∂f/∂xᵢ to `gradientOut[i]` and returns f. Cost: n passes, about c·n·cost(f).
 *
 * Zero tangents are strong zeros, as in reverse mode (and JAX's symbolic zeros): the JVP program multiplies every
 * partial by its argument's tangent, so a partial that is ±∞ or NaN along another variable (∂(x/y)/∂y at
 * y = 1e-200, ∂(xʸ)/∂y at x < 0) would turn 0 · ∞ into NaN. A NaN tangent is recomputed by `expr`'s program for
 * that variable alone (pass `expr` to enable this), where those terms are absent.
 */
export function forwardGradient(
  jvp: CompiledJvp,
  point: ArrayLike<number>,
  gradientOut: Float64Array,
  strongZeros?: { readonly expr: Expr; readonly variables: readonly string[] },
): number {
  const n = gradientOut.length;
  const direction = new Float64Array(n);
  const out = new Float64Array(2);
  let value = n === 0 ? jvp(point, direction, out) : NaN;
  for (let i = 0; i < n; i++) {
    direction[i] = 1;
    value = jvp(point, direction, out);
    let tangent = out[1];
    if (Number.isNaN(tangent) && strongZeros !== undefined) {
      tangent = unitTangentProgram(strongZeros.expr, strongZeros.variables, strongZeros.variables[i])(point);
    }
    gradientOut[i] = tangent + 0; // + 0 turns the −0 of a zero tangent times a negative partial into 0
    direction[i] = 0;
  }
  return value;
}

/**
 * `forward-mode`: the gradient column by column, one compiled dual-number pass per input (direction eᵢ gives
 * ∂f/∂xᵢ). Cost: n passes of a program a small constant times f, so O(n·cost(f)), against reverse mode's
 * O(cost(f)): the same as reverse for one input, n times slower for n. `extra.passes` is n, `extra.compileMs`
 * the compile time (cached per expression and variables), `extra.instructions` the JVP program's size against f's.
 */
export const forwardModeMethod: GradientMethod = {
  name: 'forward-mode',
  summary: 'Forward mode with dual numbers from the op table\'s partials, compiled to JavaScript: one pass per input (n passes).',
  compute(request: GradientRequest): GradientResult {
    checkSize('forward-mode', request); // refuse a DAG too large for the heap before building tangents
    const { expr, variables, point } = request;
    const { jvp, cached } = cachedJvp(expr, variables);
    const gradient = new Float64Array(variables.length);
    const value = forwardGradient(jvp, point, gradient, { expr, variables });
    return {
      value,
      gradient,
      extra: {
        passes: variables.length,
        compileMs: jvp.compileMs,
        cached,
        instructions: {
          f: jvp.valueInstructions,
          jvp: jvp.instructions,
          ratio: jvp.valueInstructions === 0 ? (jvp.instructions === 0 ? 1 : Infinity) : jvp.instructions / jvp.valueInstructions,
        },
      },
    };
  },
};
