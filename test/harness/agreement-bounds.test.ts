// Every tolerance the agreement property uses can fail: wrong answers at zero partials and at ill-conditioned points fail, and a bound that could not fail is not a pass.
import { describe, expect, it } from 'vitest';
import type { GradientMethod } from '../../src/diff/method.ts';
import { getMethod } from '../../src/diff/registry.ts';
import { parse } from '../../src/ir/parse.ts';
import { isPass, judgeCase, verdictMeaning } from '../../src/harness/agreement.ts';
import { referenceGradient, referenceTrace } from '../../src/harness/reference.ts';
import { partialMeasure, roundingBound, vacuousTolerance } from '../../src/harness/tolerance.ts';
import type { GradientCase } from '../../src/harness/arbitraries.ts';

const eps = Number.EPSILON;
const caseOf = (text: string, variables: string[], ...point: number[]): GradientCase => ({ expr: parse(text), variables, point: Float64Array.from(point) });

/** A method answering the reference gradient plus `offset(i, g)` per partial, with an optional error estimate (a numeric method). */
function offBy(name: string, offset: (i: number, g: number) => number, errorEstimate?: (g: Float64Array) => Float64Array): GradientMethod {
  return {
    name,
    summary: `the reference, moved by a chosen offset`,
    compute: ({ expr, variables, point }) => {
      const r = referenceGradient(expr, variables, point);
      const gradient = r.gradient.map((g, i) => g + offset(i, g));
      return errorEstimate === undefined ? { value: r.value, gradient } : { value: r.value, gradient, errorEstimate: errorEstimate(r.gradient) };
    },
  };
}

describe('tolerance helpers', () => {
  it('a partial is measured relatively only when it is larger than its own tolerance', () => {
    expect(partialMeasure(2, 1e-15)).toBe('relative');
    expect(partialMeasure(0, 1e-15)).toBe('absolute');
    expect(partialMeasure(1e-17, 1e-15)).toBe('absolute');
    expect(partialMeasure(-3, 1e-15)).toBe('relative');
  });

  it('a tolerance is vacuous when infinite, NaN, or as large as the gradient (but not where the scale is degenerate)', () => {
    expect(vacuousTolerance(Infinity, 1)).toBe('not finite');
    expect(vacuousTolerance(NaN, 1)).toBe('not finite');
    expect(vacuousTolerance(1, 1)).toBe('as large as the gradient');
    expect(vacuousTolerance(0.5, 1)).toBeUndefined();
    // f and ∇f both vanish (y·y at y = 0): the scale is the ε safeguard; an absolute bound of 1e-7 can still fail.
    expect(vacuousTolerance(1e-7, eps)).toBeUndefined();
  });
});

describe('bounds that can fail', () => {
  it('an exact method off by 1e-3 at a partial that is exactly 0 fails; off by rounding noise it passes, judged on absolute error', () => {
    // ∂/∂x of x·x − x·x + y is 0 exactly, ∂/∂y is 1.
    const c = caseOf('x*x - x*x + y', ['x', 'y'], 0.7, 2);
    const report = judgeCase(c, [offBy('noise', (i) => (i === 0 ? 3e-17 : 0)), offBy('wrong', (i) => (i === 0 ? 1e-3 : 0))]);
    expect(report.reference.gradient[0]).toBe(0);
    expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'disagree']);
    expect(report.answers[0].worst).toMatchObject({ variable: 'x', measure: 'absolute', exact: 0 });
    expect(report.answers[1].explanation).toMatch(/∂f\/∂x is off by 1\.00e-3/);
  });

  it('a numeric method off by 1e-3 at a zero partial fails unless its own estimate admits it', () => {
    const c = caseOf('x*x - x*x + y', ['x', 'y'], 0.7, 2);
    const small = () => Float64Array.of(1e-9, 1e-9);
    const report = judgeCase(c, [offBy('wrong', (i) => (i === 0 ? 1e-3 : 0), small), offBy('right', (i) => (i === 0 ? 5e-10 : 0), small)]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['disagree', 'within-model']);
  });

  it('an exact method off by 40 ulps × (condition + 1) fails at an ill-conditioned point; by one ulp it passes', () => {
    // ∂/∂x of (x + 1e8)² − x² − 2e8·x is 2, computed as the difference of numbers near 2e8: condition ~1e8.
    const c = caseOf('(x + 100000000)^2 - x^2 - 200000000*x', ['x'], 1.5);
    const condition = roundingBound(referenceTrace(c.expr, c.variables, c.point), c.variables).condition[0];
    expect(condition).toBeGreaterThan(1e6);
    const report = judgeCase(c, [offBy('ulp', (_, g) => eps * g), offBy('few-ulps-times-condition', (_, g) => 40 * (condition + 1) * eps * g)]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'disagree']);
  });

  it('a numeric method whose own error estimate is ∞ or NaN is "no-bound", never a pass, even with the right answer', () => {
    const c = caseOf('sin(x) * exp(y)', ['x', 'y'], 0.7, 0.3);
    const report = judgeCase(c, [
      offBy('infinite', () => 0, () => Float64Array.of(Infinity, 1e-12)),
      offBy('nan', () => 0, () => Float64Array.of(1e-12, NaN)),
    ]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['no-bound', 'no-bound']);
    expect(report.answers.some((a) => isPass(a.verdict))).toBe(false);
    expect(report.failed).toBe(false);
    expect(report.answers[0].explanation).toMatch(/error estimate for ∂f\/∂x is Infinity.*not finite.*counted, not passed/);
    expect(report.answers[1].explanation).toMatch(/∂f\/∂y is NaN/);
    expect(verdictMeaning['no-bound']).toMatch(/counted, not passed/);
  });

  it('an error estimate as large as the gradient promises no digit: "no-bound"; a wrong partial beside it still fails', () => {
    const c = caseOf('sin(x) * exp(y)', ['x', 'y'], 0.7, 0.3);
    const huge = (g: Float64Array) => Float64Array.from(g, (v) => Math.abs(v));
    const report = judgeCase(c, [
      offBy('vague', () => 0, huge),
      // ∂f/∂x held to a bound as large as the gradient, but ∂f/∂y 10% off under a small estimate: a disagreement.
      offBy('vague-and-wrong', (i, g) => (i === 1 ? 0.1 * g : 0), (g) => Float64Array.of(Math.abs(g[0]), 1e-12)),
    ]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['no-bound', 'disagree']);
    expect(report.answers[0].explanation).toMatch(/as large as the gradient/);
  });

  it('the registered methods pass the lessons with bounds that could fail (no "no-bound")', () => {
    const methods = ['autograd', 'symbolic-dag', 'numeric-central', 'numeric-forward', 'complex-step'].map(getMethod);
    const report = judgeCase(caseOf('y * y', ['y'], 0), methods);
    // f and ∇f vanish at y = 0: no relative error is defined, and the forward difference's truncation (about h) is
    // judged on absolute error against its own estimate, a bound an answer of 1e-3 would fail.
    expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'agree', 'within-model', 'within-model', 'within-model']);
    const forward = report.answers[3];
    expect(forward.error).toBeUndefined();
    expect(forward.absoluteError).toBeGreaterThan(0);
    expect(forward.worst).toMatchObject({ measure: 'absolute', exact: 0 });
    expect(forward.worst!.tolerance).toBeLessThan(1e-3);
  });
});
