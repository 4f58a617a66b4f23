// Every op's partials at extreme arguments: no intermediate overflow or underflow where the partial itself is a
// normal double. Table-driven over the op table, so a new op is covered as soon as it is declared.
import { describe, expect, it } from 'vitest';
import { ops, opNames, type OpName } from '../../src/ir/ops.ts';
import { apply, variable } from '../../src/ir/node.ts';
import { partialKernels } from '../../src/ir/partials.ts';
import { referenceTrace } from '../../src/harness/reference.ts';

const magnitudes = [1e-300, 1e-160, 1e-20, 0.5, 3, 40, 400, 800, 1e20, 1e160, 1e300];
const extremes = magnitudes.flatMap((m) => [m, -m]);
/** Smallest positive normal double: below it a result is subnormal and loses relative precision legitimately. */
const minNormal = 2.2250738585072014e-308;

/** Points (a, b) inside the op's smooth domain where the op's value is finite. */
function extremePoints(op: OpName): [number, number][] {
  const spec = ops[op];
  const bs = spec.arity === 2 ? extremes : [NaN];
  const points: [number, number][] = [];
  for (const a of extremes) for (const b of bs) if (spec.domain.contains(a, b) && Number.isFinite(spec.eval(a, b))) points.push([a, b]);
  return points;
}

describe('partials at extreme arguments (every op in the table)', () => {
  for (const op of opNames) {
    it(`${op}: each float64 partial is within a few ulps of its 200-digit value, or overflows exactly where that does`, () => {
      const x = variable('a'), y = variable('b');
      const expr = ops[op].arity === 1 ? apply(op, x) : apply(op, x, y);
      const variables = ops[op].arity === 1 ? ['a'] : ['a', 'b'];
      const kernels = partialKernels(op);
      const failures: string[] = [];
      const points = extremePoints(op);
      expect(points.length).toBeGreaterThan(0);
      for (const [a, b] of points) {
        const trace = referenceTrace(expr, variables, ops[op].arity === 1 ? [a] : [a, b], { precision: 200 });
        const out = ops[op].eval(a, b);
        kernels.forEach((kernel, i) => {
          const truth = trace.gradient[i];
          if (truth.isNaN()) return; // undefined there (pow's exponent partial at a negative base)
          const got = kernel(a, b, out);
          const t = truth.toNumber();
          const ok = !Number.isFinite(t)
            ? got === t
            : got === t || Math.abs(got - t) <= 8 * Number.EPSILON * Math.abs(t) + 2 * minNormal;
          if (!ok) failures.push(`∂/∂${variables[i]} at (${a}, ${b}): ${got}, truth ${truth.toSignificantDigits(6).toString()}`);
        });
      }
      expect(failures).toEqual([]);
    });
  }
});
