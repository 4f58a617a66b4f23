// Specification: the points the agreement run draws for a user's function cover the whole domain and its edges.
import { describe, expect, it } from 'vitest';
import { drawPoints } from '../../src/harness/function-agreement.ts';
import { parse } from '../../src/ir/parse.ts';
import type { SuiteFunction } from '../../src/harness/suite.ts';

function fn(domain: Record<string, readonly [number, number]>): SuiteFunction {
  const variables = Object.keys(domain);
  return {
    id: 'f',
    name: 'f',
    text: variables.join(' + '),
    expr: parse(variables.join(' + ')),
    variables,
    point: Float64Array.from(variables.map(() => 0.5)),
    domain: domain as SuiteFunction['domain'],
  };
}

describe('drawPoints', () => {
  it("starts with the function's own point and stays inside every interval", () => {
    const points = drawPoints(fn({ x: [-2, 2], y: [0, 3] }), 400, 7);
    expect(points).toHaveLength(400);
    expect(Array.from(points[0])).toEqual([0.5, 0.5]);
    for (const p of points) {
      expect(p[0]).toBeGreaterThanOrEqual(-2);
      expect(p[0]).toBeLessThanOrEqual(2);
      expect(p[1]).toBeGreaterThanOrEqual(0);
      expect(p[1]).toBeLessThanOrEqual(3);
    }
  });

  it("spreads most points over the interval's length, not only over tiny magnitudes", () => {
    const xs = drawPoints(fn({ x: [-2, 2] }), 1000, 11).map((p) => p[0]);
    // Uniform over [-2, 2], |x| > 0.1 has probability 0.95; four draws in five are uniform, so expect about 76%.
    const body = xs.filter((x) => Math.abs(x) > 0.1).length / xs.length;
    expect(body).toBeGreaterThan(0.6);
    // Both halves and every quarter of the interval are visited.
    for (const [lo, hi] of [[-2, -1], [-1, 0], [0, 1], [1, 2]]) expect(xs.some((x) => x > lo && x < hi)).toBe(true);
  });

  it('still visits the edges: tiny magnitudes and the bounds', () => {
    const xs = drawPoints(fn({ x: [-2, 2] }), 1000, 11).map((p) => p[0]);
    expect(xs.some((x) => x !== 0 && Math.abs(x) < 1e-100)).toBe(true);
    expect(xs.filter((x) => Math.abs(x) < 1e-10).length / xs.length).toBeLessThan(0.4);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = drawPoints(fn({ x: [-2, 2] }), 50, 3).map((p) => p[0]);
    expect(drawPoints(fn({ x: [-2, 2] }), 50, 3).map((p) => p[0])).toEqual(a);
    expect(drawPoints(fn({ x: [-2, 2] }), 50, 4).map((p) => p[0])).not.toEqual(a);
  });
});
