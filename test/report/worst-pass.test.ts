// The agreement section's worst passing cases: a zero partial is quoted on absolute error against its absolute bound, the rest relative to the partial.
import { describe, expect, it } from 'vitest';
import type { GradientMethod } from '../../src/diff/method.ts';
import { parse } from '../../src/ir/parse.ts';
import { judgeCase } from '../../src/harness/agreement.ts';
import { referenceGradient } from '../../src/harness/reference.ts';
import { worstTracker } from '../../src/report/sections/agreement.ts';

/** The reference gradient, with ∂f/∂x moved by `dx` and ∂f/∂y scaled by (1 + ry). */
const moved = (name: string, dx: number, ry: number): GradientMethod => ({
  name,
  summary: 'the reference, moved',
  compute: ({ expr, variables, point }) => {
    const r = referenceGradient(expr, variables, point);
    return { value: r.value, gradient: Float64Array.of(r.gradient[0] + dx, r.gradient[1] * (1 + ry)) };
  },
});

describe("each method's worst passing case", () => {
  it('quotes a zero partial on absolute error against its absolute bound, and a nonzero one relative to itself', () => {
    // ∂/∂x of x·x − x·x + 3y is 0 exactly, ∂/∂y is 3.
    const c = { expr: parse('x*x - x*x + 3*y'), variables: ['x', 'y'], point: Float64Array.of(0.7, 2) };
    const report = judgeCase(c, [moved('m', 3e-17, 4 * Number.EPSILON)]);
    expect(report.answers[0].verdict).toBe('agree');
    const tracker = worstTracker();
    tracker.see(report);
    const rows = tracker.result();
    const absolute = rows.find((r) => r.measure === 'absolute')!;
    expect(absolute).toMatchObject({ method: 'm', variable: 'x', exact: 0, error: 3e-17 });
    expect(absolute.bound).toBe(report.answers[0].tolerance![0]);
    expect(absolute.bound).toBeGreaterThanOrEqual(absolute.error);
    expect(absolute.why).toMatch(/the exact ∂f\/∂x is 0 here.*judged on the absolute error against 16× the absolute rounding bound/);
    const relative = rows.find((r) => r.measure === 'relative')!;
    expect(relative).toMatchObject({ method: 'm', variable: 'y', exact: 3 });
    expect(relative.error).toBeCloseTo(4 * Number.EPSILON, 20);
    expect(relative.bound).toBeLessThan(1);
    expect(relative.bound).toBeCloseTo(report.answers[0].tolerance![1] / 3, 25);
  });

  it('does not count an answer without a bound that could fail', () => {
    const c = { expr: parse('sin(x) * exp(y)'), variables: ['x', 'y'], point: Float64Array.of(0.7, 0.3) };
    const vague: GradientMethod = {
      name: 'vague',
      summary: 'the reference with an infinite error estimate',
      compute: ({ expr, variables, point }) => ({ ...referenceGradient(expr, variables, point), errorEstimate: Float64Array.of(Infinity, Infinity) }),
    };
    const tracker = worstTracker();
    tracker.see(judgeCase(c, [vague]));
    expect(tracker.result()).toEqual([]);
  });
});
