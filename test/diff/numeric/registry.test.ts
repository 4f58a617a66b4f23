// The numeric methods through the one entry point, `gradient(expr, point, { method })`.
import { describe, expect, it } from 'vitest';
import { gradient, getMethod } from '../../../src/diff/registry.ts';
import { numericMethods } from '../../../src/diff/numeric/index.ts';

describe('gradient(expr, point, { method }) with the numeric methods', () => {
  it.each(numericMethods.map((m) => [m.name]))('%s is registered and differentiates (w·x + b)² at (2, 3, 4)', (method) => {
    expect(getMethod(method).name).toBe(method);
    const result = gradient('(w*x + b)^2', { w: 2, x: 3, b: 4 }, { method });
    expect(result.value).toBe(100);
    for (const [name, exact] of [['w', 60], ['x', 40], ['b', 20]] as const) {
      expect(Math.abs(result.gradient[name] - exact)).toBeLessThanOrEqual(result.errorEstimate![name]);
    }
  });

  it('passes options through (a step for forward differences)', () => {
    const result = gradient('x^2', { x: 1 }, { method: 'numeric-forward', h: 2 ** -10 });
    expect(result.gradient.x).toBe(2 + 2 ** -10);
  });
});
