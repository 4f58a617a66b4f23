// Central finite differences on gradlab's compiled f: 2n evaluations at h = ∛ε·max(1, |xᵢ|).
import type { Expr } from '../../src/ir/node.ts';
import { compile } from '../../src/ir/compile.ts';

const cubeRootEpsilon = Math.cbrt(Number.EPSILON);

/** A central-difference gradient function over the project's compiled f (what `numeric` does, minus its error estimates). */
export function centralDifferences(expr: Expr, variables: readonly string[]): { gradient: (x: Float64Array, g: Float64Array) => number; f: (x: Float64Array) => number } {
  const f = compile(expr, variables);
  const shifted = new Float64Array(variables.length);
  return {
    f,
    gradient: (x, g) => {
      shifted.set(x);
      for (let i = 0; i < x.length; i++) {
        const h = cubeRootEpsilon * Math.max(1, Math.abs(x[i]));
        const up = x[i] + h;
        const down = x[i] - h;
        shifted[i] = up;
        const fUp = f(shifted);
        shifted[i] = down;
        const fDown = f(shifted);
        shifted[i] = x[i];
        g[i] = (fUp - fDown) / (up - down);
      }
      return f(x);
    },
  };
}
