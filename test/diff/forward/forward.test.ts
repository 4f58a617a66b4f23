// Forward mode and the derivative API: jvp, vjp, jacobian (either mode), hessian (forward over reverse).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, variable, type Expr } from '../../../src/ir/node.ts';
import { forwardModeMethod, hessian, jacobian, jvp, vjp } from '../../../src/diff/forward/index.ts';
import { compileGradient, operationCounts } from '../../../src/diff/compiled/index.ts';
import { forwardJacobianProgram, reverseJacobianProgram } from '../../../src/diff/forward/api.ts';
import { rosenbrockCase } from '../../../bench/cases.ts';
import { buildCase, caseArbitrary, isFinite, recipeArbitrary, referenceGradient } from '../compiled/support.ts';
import { isSmoothAround } from '../../../src/harness/domain.ts';
import { referenceTrace } from '../../../src/harness/reference.ts';
import { defaultFactors, roundingBound } from '../../../src/harness/tolerance.ts';
import { parse } from '../../../src/ir/parse.ts';
import { getMethod } from '../../../src/diff/registry.ts';

const x = variable('x');
const y = variable('y');
/** x²y: ∇ = (2xy, x²), H = [[2y, 2x], [2x, 0]]; at (2, 3): 12, (12, 4), [[6, 4], [4, 0]]. */
const x2y = apply('mul', apply('pow', x, 2), y);

describe('jvp and vjp', () => {
  it('jvp of x²y at (2, 3) is ∇f·v', () => {
    expect(jvp(x2y, ['x', 'y'], [2, 3], [1, 0])).toEqual({ value: 12, tangent: 12 });
    expect(jvp(x2y, ['x', 'y'], [2, 3], [0, 1])).toEqual({ value: 12, tangent: 4 });
    expect(jvp(x2y, ['x', 'y'], [2, 3], [0.5, -2]).tangent).toBe(12 * 0.5 + 4 * -2);
  });

  it('vjp of x²y at (2, 3) is cotangent·∇f', () => {
    const { value, gradient } = vjp(x2y, ['x', 'y'], [2, 3], 2);
    expect(value).toBe(12);
    expect(Array.from(gradient)).toEqual([24, 8]);
  });

  it('jvp along v equals ∇f·v from the compiled reverse sweep, on random expressions', () => {
    fc.assert(
      fc.property(caseArbitrary.chain((c) => fc.tuple(fc.constant(c), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: c.variables.length, maxLength: c.variables.length }))), ([c, v]) => {
        const reference = referenceGradient(c);
        fc.pre(isFinite(reference));
        const forward = jvp(c.expr, c.variables, c.point, v).tangent;
        const reverse = vjp(c.expr, c.variables, c.point).gradient.reduce((sum, g, i) => sum + g * v[i], 0);
        const scale = reference.magnitude.reduce((sum, m, i) => sum + m * Math.abs(v[i]), 0);
        expect(Math.abs(forward - reverse)).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a point or direction of the wrong length', () => {
    expect(() => jvp(x2y, ['x', 'y'], [2], [1, 0])).toThrow(/the point has 1 entries but there are 2 variables/);
    expect(() => jvp(x2y, ['x', 'y'], [2, 3], [1])).toThrow(/the tangent has 1 entries/);
  });
});

describe('jacobian', () => {
  // F(x, y) = (x²y, sin(x)·y, x + y): J = [[2xy, x²], [cos(x)·y, sin(x)], [1, 1]]
  const F: Expr[] = [x2y, apply('mul', apply('sin', x), y), apply('add', x, y)];
  const expected = [
    [12, 4],
    [Math.cos(2) * 3, Math.sin(2)],
    [1, 1],
  ];

  it('forward and reverse mode give the closed form, and auto picks forward for a tall Jacobian', () => {
    for (const mode of ['forward', 'reverse', 'auto'] as const) {
      const result = jacobian(F, ['x', 'y'], [2, 3], { mode });
      expect(result.mode).toBe(mode === 'auto' ? 'forward' : mode);
      expect(Array.from(result.values)).toEqual([12, Math.sin(2) * 3, 5]);
      result.jacobian.forEach((row, k) => row.forEach((entry, j) => expect(entry).toBeCloseTo(expected[k][j], 14)));
    }
  });

  it('auto picks reverse mode for a wide Jacobian (more inputs than outputs)', () => {
    const z = variable('z');
    const result = jacobian([apply('mul', apply('mul', x, y), z)], ['x', 'y', 'z'], [2, 3, 5]);
    expect(result.mode).toBe('reverse');
    expect(Array.from(result.jacobian[0])).toEqual([15, 10, 6]);
  });

  it('a variable an output does not use has partial +0, not -0', () => {
    const result = jacobian([apply('sin', x), y], ['x', 'y'], [2, 3], { mode: 'forward' });
    expect(Object.is(result.jacobian[0][1], 0)).toBe(true);
  });
});

describe('hessian (forward over reverse)', () => {
  it('of x²y at (2, 3) is [[6, 4], [4, 0]]', () => {
    const { value, gradient, hessian: h } = hessian(x2y, ['x', 'y'], [2, 3]);
    expect(value).toBe(12);
    expect(Array.from(gradient)).toEqual([12, 4]);
    expect(h.map((row) => Array.from(row))).toEqual([
      [6, 4],
      [4, 0],
    ]);
  });

  it('of Rosenbrock is the closed form: tridiagonal, 1200xᵢ² − 400xᵢ₊₁ + 2 (+200), −400xᵢ off the diagonal', () => {
    const n = 6;
    const c = rosenbrockCase(n);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }), (point) => {
        const { hessian: h } = hessian(c.expr, c.variables, point);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            let expected = 0;
            if (i === j) expected = (i > 0 ? 200 : 0) + (i < n - 1 ? 1200 * point[i] ** 2 - 400 * point[i + 1] + 2 : 0);
            else if (j === i + 1) expected = -400 * point[i];
            else if (i === j + 1) expected = -400 * point[j];
            const scale = 1200 * 4 + 800 + 202;
            expect(Math.abs(h[i][j] - expected)).toBeLessThanOrEqual(1e-13 * scale);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('matches central differences of the compiled gradient on random expressions', () => {
    fc.assert(
      // The previous generator (see support.ts): on the public arbitrary this fails at a point where f's first-order
      // rounding scale is 0 (f = e^u/e^u + e^u/e^u, u = cosh z + cosh z, at z = 0: Hessian 8.2e-16 against a bound 8.2e-25).
      fc.property(recipeArbitrary, (recipe) => {
        const c = buildCase(recipe);
        const reference = referenceGradient(c);
        fc.pre(isFinite(reference));
        // Central differences need a stencil that stays off kinks and singularities (steps up to 1e-4 here).
        fc.pre(isSmoothAround(c.expr, c.variables, c.point, { radius: 1e-3 }));
        const { hessian: hess } = hessian(c.expr, c.variables, c.point);
        fc.pre(hess.every((row) => row.every(Number.isFinite)));
        const gradient = compileGradient(c.expr, c.variables);
        const n = c.variables.length;
        // Column j by central differences of the gradient at step h: ∂gᵢ/∂xⱼ + O(h²) + O(ε·|g|/h).
        const column = (j: number, h: number): Float64Array | null => {
          const up = Float64Array.from(c.point);
          const down = Float64Array.from(c.point);
          up[j] += h;
          down[j] -= h;
          const gUp = new Float64Array(n);
          const gDown = new Float64Array(n);
          gradient(up, gUp);
          gradient(down, gDown);
          if (![...gUp, ...gDown].every(Number.isFinite)) return null;
          return gUp.map((g, i) => (g - gDown[i]) / (up[j] - down[j]));
        };
        // The gradient's own rounding error, conditioning included (acos near 1 turns ε into 1e-11 relative): the
        // first-order bound of harness/tolerance.ts, times the factor exact methods are allowed.
        const gradientError = roundingBound(referenceTrace(c.expr, c.variables, c.point), c.variables).gradient;
        for (let j = 0; j < n; j++) {
          const h = 1e-4 * Math.max(1, Math.abs(c.point[j]));
          const columns = [column(j, h), column(j, h / 2), column(j, h / 4)];
          if (columns.some((col) => col === null)) continue;
          const [coarse, middle, fine] = columns as Float64Array[];
          for (let i = 0; i < n; i++) {
            // Differences of gradients that are each off by up to that much: (eᵤₚ + e_down) / 2h.
            const roundOff = Math.max(8 * Number.EPSILON * reference.magnitude[i], defaultFactors.exact * gradientError[i]) / h;
            const e1 = Math.abs(coarse[i] - middle[i]);
            const e2 = Math.abs(middle[i] - fine[i]);
            // Only where the differences are in their asymptotic regime (the error falls 4× per halving) do they
            // estimate their own error; near a singularity (tan near π/2) they do not, and say nothing.
            if (e1 > 100 * roundOff && (e1 / e2 < 3 || e1 / e2 > 5)) continue;
            expect(Math.abs(hess[i][j] - fine[i])).toBeLessThanOrEqual(e2 + roundOff + 1e-9 * Math.abs(hess[i][j]));
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('forward-mode (the method)', () => {
  it('runs one pass per input and reports it', () => {
    const c = rosenbrockCase(10);
    const result = forwardModeMethod.compute({ expr: c.expr, variables: c.variables, point: c.point, options: {} });
    expect(result.extra?.passes).toBe(10);
    const reverse = new Float64Array(10);
    compileGradient(c.expr, c.variables)(c.point, reverse);
    result.gradient.forEach((g, i) => expect(Math.abs(g - reverse[i])).toBeLessThanOrEqual(1e-12 * 1e4));
  });
});

describe('jacobian programs share the primal sweep between passes', () => {
  // Four outputs of one shared core: 30 layers of tanh over x and y.
  const x = variable('x'), y = variable('y');
  let core: Expr = apply('add', x, y);
  for (let i = 0; i < 30; i++) core = apply('tanh', apply('add', apply('mul', core, 0.9), x));
  const outputs = [1, 2, 3, 4].map((k) => apply('mul', core, apply('pow', y, k)));

  it('reverse: one program is smaller than a gradient program per output, and gives the same rows', () => {
    // Separate gradient programs each recompute the core; one program saves at least the m − 1 repeated primal sweeps.
    const counts = outputs.map((e) => operationCounts(e, ['x', 'y']));
    const separate = counts.reduce((sum, c) => sum + c.gradient, 0);
    const repeatedPrimal = counts.slice(1).reduce((sum, c) => sum + c.f, 0);
    expect(reverseJacobianProgram(outputs, ['x', 'y']).instructions).toBeLessThanOrEqual(separate - repeatedPrimal);
    const point = [0.3, 0.7];
    const { jacobian: rows } = jacobian(outputs, ['x', 'y'], point, { mode: 'reverse' });
    outputs.forEach((e, k) => {
      const out = new Float64Array(2);
      compileGradient(e, ['x', 'y'])(point, out);
      expect([...rows[k]]).toEqual([...out]);
    });
  });

  it('forward: one program holds every column, and agrees with reverse', () => {
    const point = [0.3, 0.7];
    const fwd = jacobian(outputs, ['x', 'y'], point, { mode: 'forward' });
    const rev = jacobian(outputs, ['x', 'y'], point, { mode: 'reverse' });
    expect(forwardJacobianProgram(outputs, ['x', 'y']).instructions).toBeGreaterThan(0);
    fwd.jacobian.forEach((row, k) => row.forEach((v, j) => expect(Math.abs(v - rev.jacobian[k][j])).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(v)))));
    expect([...fwd.values]).toEqual([...rev.values]);
  });
});

describe('forward mode: a zero tangent is a strong zero (0 · ∞ and 0 · NaN along other variables stay out)', () => {
  const cases: [string, string[], number[]][] = [
    ['x/y', ['x', 'y'], [1, 1e-200]], // ∂/∂y = −∞ must not spoil ∂/∂x
    ['x^y', ['x', 'y'], [-2, 3]], // ∂/∂y = NaN (log of a negative base) must not spoil ∂/∂x = 12
    ['x^y * z', ['x', 'y', 'z'], [-1.5, 2, 4]],
    ['sin(x) + y/z', ['x', 'y', 'z'], [0.5, 1, 1e-170]],
    ['exp(x) * sqrt(y)', ['x', 'y'], [1, 0]], // ∂/∂y = ∞
  ];
  for (const [text, variables, at] of cases) {
    it(`${text} at (${at.join(', ')}) matches reverse mode in every finite partial`, () => {
      const request = { expr: parse(text), variables, point: Float64Array.from(at), options: {} };
      const forward = getMethod('forward-mode').compute(request).gradient;
      const reverse = getMethod('autograd-compiled').compute(request).gradient;
      for (let i = 0; i < variables.length; i++) {
        if (Number.isFinite(reverse[i])) expect(forward[i], `∂/∂${variables[i]}`).toBe(reverse[i]);
        else expect(forward[i]).toBe(reverse[i]);
      }
      const unit = variables.map((_, i) => variables.map((__, j) => (i === j ? 1 : 0)));
      unit.forEach((direction, i) => expect(jvp(parse(text), variables, at, direction).tangent).toBe(forward[i]));
    });
  }
});
