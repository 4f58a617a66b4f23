// Compiled Jacobian-vector products: values and tangents of several expressions in one generated function.
import type { Expr } from '../../ir/node.ts';
import { variableIndex } from '../../ir/compile.ts';
import { buildProgram, defaultChunkSize } from '../../ir/codegen.ts';
import { lowerExpressions } from '../compiled/gradient.ts';
import { directionVariables, tangentExpressions } from './tangent.ts';

/** A compiled JVP: for a point and a direction, every expression's value and directional derivative. */
export interface CompiledJvp {
  /**
   * Writes fₖ(point) to `out[k]` and ∇fₖ(point)·direction to `out[m + k]` (m expressions) and returns f₀.
   * `point` and `direction` are in the variables' order.
   */
  (point: ArrayLike<number>, direction: ArrayLike<number>, out: Float64Array): number;
  /** Instructions in the program (values and tangents). */
  readonly instructions: number;
  /** Instructions of the values alone, lowered the same way. */
  readonly valueInstructions: number;
  /** Milliseconds spent building and generating code. */
  readonly compileMs: number;
}

/**
 * Compiles the values and tangents of `exprs` (dual numbers as source transformation, see `tangentExpressions`).
 * Cost of a call: a small constant times the expressions' own cost (each op adds its partials and one
 * multiply-add per argument); n calls with the unit directions give a full Jacobian.
 * @throws Error when the expressions use a variable missing from `variables`.
 */
export function compileJvp(exprs: readonly Expr[], variables: readonly string[]): CompiledJvp {
  const start = performance.now();
  variableIndex(exprs, variables); // the user's variables must cover the expressions (before direction inputs join them)
  const direction = directionVariables(exprs, variables);
  const tangents = tangentExpressions(exprs, variables, direction);
  const inputs = [...variables, ...direction.map((d) => d.name)];
  // Tangents first, so each term's forward values are lowered next to its tangent (see gradientProgram).
  const program = lowerExpressions([...tangents, ...exprs], inputs);
  const m = exprs.length;
  const outputs = [...program.roots.slice(m), ...program.roots.slice(0, m)];
  const { program: run } = buildProgram(program.instructions, outputs, defaultChunkSize, { result: outputs[0] });
  const n = variables.length;
  const scratch = new Float64Array(2 * n);
  const jvp = (point: ArrayLike<number>, dir: ArrayLike<number>, out: Float64Array): number => {
    for (let i = 0; i < n; i++) {
      scratch[i] = point[i];
      scratch[n + i] = dir[i];
    }
    return run(scratch, out);
  };
  return Object.assign(jvp, {
    instructions: program.instructions.length,
    valueInstructions: lowerExpressions(exprs, variables).instructions.length,
    compileMs: performance.now() - start,
  });
}
