// Specification of the error-versus-step sweep: the measured V curve bottoms out where the model says it should.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/ir/parse.ts';
import { logSteps, sweepStep, type SchemeName } from '../../../src/diff/numeric/index.ts';

const sinExp = parse('sin(x) * exp(x)');
const exactSinExp = Math.exp(1.3) * (Math.sin(1.3) + Math.cos(1.3));
// The teaching notes' l₄ (l₁ = x, l_{k+1} = 4 l_k (1 − l_k)) at 0.2: f′ = 9.0660864 (R2).
const l4 = parse('4 * (4 * (4 * x * (1 - x)) * (1 - 4 * x * (1 - x))) * (1 - 4 * (4 * x * (1 - x)) * (1 - 4 * x * (1 - x)))');

/** Twenty steps per decade from 1e-1 to 1e-16, the axis of the report's V-curve plot. */
const hs = logSteps(1e-1, 1e-16, 20);

describe('the V curve of forward and central differences', () => {
  // Tolerance: the measured minimum lies within a factor 10 of the model's optimal h (and of the textbook rule).
  // Why 10: the round-off branch is the model's bound times a pseudo-random factor in [0, 1] (typically ~0.3), so
  // the measured minimum wanders along the flat bottom of the V; but the model's error one decade away from its
  // optimum is already 5× (forward) or 33× (central) its minimum, so a minimum outside a decade contradicts it.
  // The textbook rule (√ε, ∛ε times max(1, |x|)) ignores how fast f varies; it lands near the model's optimum for
  // sin(x)·eˣ, whose derivatives are all of the size of f, but 17× too large for central on l₄ (|f‴/f| ≈ 1.4e4).
  it.each([
    ['forward', 'sin(x)·eˣ at 1.3', sinExp, 1.3, exactSinExp, 1e-8, true],
    ['central', 'sin(x)·eˣ at 1.3', sinExp, 1.3, exactSinExp, 1e-11, true],
    ['forward', 'l₄ at 0.2', l4, 0.2, 9.0660864, 1e-8, false],
    ['central', 'l₄ at 0.2', l4, 0.2, 9.0660864, 1e-11, false],
  ] as const)('%s on %s: the measured minimum lies within 10× of the optimal h', (scheme, _name, expr, x, exact, bestError, textbookToo) => {
    const sweep = sweepStep(expr, ['x'], Float64Array.of(x), 0, scheme as SchemeName, hs);
    expect(sweep.reference).toBeCloseTo(exact, 13);
    expect(sweep.referenceSource).toBe('complex-step');
    expect(sweep.best.relativeError).toBeLessThan(bestError);
    for (const optimum of textbookToo ? [sweep.optimalStep, sweep.textbookStep] : [sweep.optimalStep]) {
      expect(sweep.best.h / optimum).toBeGreaterThan(1 / 10);
      expect(sweep.best.h / optimum).toBeLessThan(10);
    }
    // Both arms of the V: far too large and far too small steps are orders of magnitude worse.
    const measured = sweep.points.filter((p) => Number.isFinite(p.error));
    expect(measured[0].error).toBeGreaterThan(1e3 * sweep.best.error);
    expect(measured.at(-1)!.error).toBeGreaterThan(1e3 * sweep.best.error);
  });

  it('follows the model on the truncation arm (where the model is no bound but the leading term)', () => {
    const sweep = sweepStep(sinExp, ['x'], Float64Array.of(1.3), 0, 'central', [1e-2, 1e-3], { reference: exactSinExp });
    for (const point of sweep.points) expect(point.error / point.model.total).toBeCloseTo(1, 2);
  });

  it('reports each point\'s own error estimate, which covers the measured error', () => {
    const sweep = sweepStep(sinExp, ['x'], Float64Array.of(1.3), 0, 'central', hs);
    for (const point of sweep.points.filter((p) => p.h >= 1e-11)) expect(point.error).toBeLessThanOrEqual(point.errorEstimate);
  });
});

describe('sweeps of the other schemes', () => {
  it('five-point and Richardson reach far lower errors than central', () => {
    const fivePoint = sweepStep(sinExp, ['x'], Float64Array.of(1.3), 0, 'five-point', hs);
    const richardson = sweepStep(sinExp, ['x'], Float64Array.of(1.3), 0, 'richardson', logSteps(1, 1e-4, 10));
    expect(fivePoint.best.relativeError).toBeLessThan(1e-13);
    expect(richardson.best.relativeError).toBeLessThan(1e-13);
  });

  it('the complex step has no V: exact to rounding for every h ≤ 1e-8', () => {
    const sweep = sweepStep(sinExp, ['x'], Float64Array.of(1.3), 0, 'complex-step', [...hs, 1e-20, 1e-100, 1e-300], { reference: exactSinExp });
    for (const point of sweep.points.filter((p) => p.h <= 1e-8)) expect(point.relativeError).toBeLessThanOrEqual(2 * Number.EPSILON);
  });

  it('keeps steps where the scheme cannot run, with the reason', () => {
    const sweep = sweepStep(parse('log(x)'), ['x'], Float64Array.of(0.5), 0, 'central', [1, 1e-3, 1e-17]);
    expect(sweep.points[0].failure).toMatch(/^f is not finite at x = 0\.5 - 1 \(f = NaN\)/);
    expect(sweep.points[1].relativeError).toBeLessThan(1e-5); // truncation |f‴|h²/6 = 1.3e-6 relative at h = 1e-3
    expect(sweep.points[2].failure).toMatch(/^the step h = 1e-17 is below the spacing of doubles at x = 0\.5/);
    expect(sweep.best).toBe(sweep.points[1]);
  });

  it('needs a reference for non-analytic expressions', () => {
    expect(() => sweepStep(parse('abs(x)'), ['x'], Float64Array.of(2), 0, 'central', hs)).toThrow(/cannot differentiate abs/);
    const sweep = sweepStep(parse('abs(x)'), ['x'], Float64Array.of(2), 0, 'central', hs, { reference: 1 });
    expect(sweep.referenceSource).toBe('given');
    expect(sweep.best.error).toBeLessThan(1e-10);
  });
});
