// Every op of the table, differentiated by each numeric scheme and checked against the op's own declared partials.
import { describe, expect, it } from 'vitest';
import { apply, variable } from '../../../src/ir/node.ts';
import { ops, opNames, type OpName } from '../../../src/ir/ops.ts';
import { interpret, realAlgebra } from '../../../src/ir/evaluate.ts';
import { partialTemplates, placeholder } from '../../../src/ir/partials.ts';
import { MethodUnavailableError } from '../../../src/diff/method.ts';
import { evaluationNoise, evaluationNoiseBound, numericGradient, type SchemeName } from '../../../src/diff/numeric/index.ts';

const candidates = [-2.3, -1.3, -0.6, 0.4, 0.9, 1.7, 3.1];

/** Points (a, b) inside the op's smooth domain, with a margin of 0.2 so the largest Richardson steps stay inside. */
function pointsInside(op: OpName): [number, number][] {
  const spec = ops[op];
  const inside = (a: number, b: number) =>
    [-0.2, -0.1, 0, 0.1, 0.2].every((d) => spec.domain.contains(a + d, b) && spec.domain.contains(a, b + d) && Number.isFinite(spec.eval(a + d, b + d)));
  const bs = spec.arity === 2 ? candidates : [NaN];
  const points: [number, number][] = [];
  for (const a of candidates) for (const b of bs) if (inside(a, b)) points.push([a, b]);
  return points;
}

/**
 * ∂op/∂argᵢ at (a, b), from the op table's partial templates evaluated by the interpreter, with the reference's own
 * rounding (a bound: 1 − tanh²u loses digits as |u| grows, and the complex step is more accurate than that).
 */
function declaredPartials(op: OpName, a: number, b: number): { exact: number; uncertainty: number }[] {
  const out = ops[op].eval(a, b);
  const names = [placeholder.a.name, placeholder.b.name, placeholder.out.name];
  const values = new Map([[names[0], a], [names[1], b], [names[2], out]]);
  return partialTemplates(op).map((template) => ({
    exact: interpret(template, (v) => values.get(v.name)!, realAlgebra),
    uncertainty: evaluationNoiseBound(template, names, [a, b, out], [0, 0, evaluationNoise(out)]),
  }));
}

const x = variable('x'), y = variable('y');

/**
 * Schemes and the accuracy each reaches on a single op (relative to max(1, |∂|)) at its default step: the five-point
 * stencil's h = ε^⅕ ≈ 7e-4 is coarse for pow(0.4, −2.3), whose fifth derivative is ~1e6, so it gets 1e-9 there.
 */
const schemes: [SchemeName, number][] = [['central', 1e-8], ['five-point', 1e-9], ['richardson', 1e-11], ['complex-step', 1e-15]];

describe.each(opNames.map((op) => [op]))('%s', (op) => {
  const points = pointsInside(op);
  const expr = ops[op].arity === 1 ? apply(op, x) : apply(op, x, y);
  const variables = ops[op].arity === 1 ? ['x'] : ['x', 'y'];
  const analytic = typeof ops[op].complex === 'function';

  it('has points inside its domain to test at', () => expect(points.length).toBeGreaterThan(0));

  it.each(schemes)('%s matches the declared partials, within its own error estimate', (scheme, accuracy) => {
    if (scheme === 'complex-step' && !analytic) {
      const reason = (ops[op].complex as { nonAnalytic: string }).nonAnalytic;
      expect(() => numericGradient(expr, variables, Float64Array.of(1), scheme, {}, 'complex-step')).toThrow(
        new MethodUnavailableError('complex-step', `cannot differentiate ${op}: ${reason}`),
      );
      return;
    }
    for (const [a, b] of points) {
      const point = ops[op].arity === 1 ? Float64Array.of(a) : Float64Array.of(a, b);
      const result = numericGradient(expr, variables, point, scheme);
      declaredPartials(op, a, b).forEach(({ exact, uncertainty }, i) => {
        const error = Math.abs(result.gradient[i] - exact);
        expect(error, `${scheme} ∂${op}/∂arg${i} at (${a}, ${b})`).toBeLessThanOrEqual(result.errorEstimate![i] + uncertainty);
        // Accuracy where the op is tame (|∂| ≤ 10); near tan's poles every scheme's estimate rightly grows.
        if (Math.abs(exact) <= 10) expect(error / Math.max(1, Math.abs(exact)), `${scheme} ∂${op}/∂arg${i} at (${a}, ${b})`).toBeLessThan(accuracy);
      });
    }
  });
});
