// The compiled methods' program cache: one compile per expression and variable list, whatever array the list comes in,
// and answers the caller owns.
import { describe, expect, it } from 'vitest';
import { apply, variable } from '../../../src/ir/node.ts';
import { autogradCompiledMethod } from '../../../src/diff/compiled/index.ts';
import { memoize } from '../../../src/diff/compiled/cache.ts';
import { forwardModeMethod } from '../../../src/diff/forward/index.ts';

const x = variable('x');
const y = variable('y');
// x·y² + sin(x): ∂/∂x = y² + cos(x), ∂/∂y = 2xy.
const f = apply('add', apply('mul', x, apply('mul', y, y)), apply('sin', x));
const request = (variables: readonly string[], point: readonly number[]) => ({ expr: f, variables, point: Float64Array.from(point), options: {} });

describe('the compiled methods compile once per expression and variable list', () => {
  for (const method of [autogradCompiledMethod, forwardModeMethod]) {
    it(`${method.name}: an equal list in a new array reuses the program; another order is another program, with the gradient in its order`, () => {
      const first = method.compute(request(['x', 'y'], [0.5, 3]));
      const again = method.compute(request(['x', 'y'], [0.5, 3]));
      expect(again.extra?.cached).toBe(true);
      expect(again.gradient).toEqual(first.gradient);
      const swapped = method.compute(request(['y', 'x'], [3, 0.5]));
      expect(swapped.extra?.cached).toBe(false);
      expect(Array.from(swapped.gradient)).toEqual([first.gradient[1], first.gradient[0]]);
      expect(first.gradient[0]).toBeCloseTo(9 + Math.cos(0.5), 14);
      expect(first.gradient[1]).toBeCloseTo(2 * 0.5 * 3, 14);
    });

    it(`${method.name}: a caller that changes its list after a call gets the program of the new list`, () => {
      const names = ['x', 'y'];
      const before = method.compute(request(names, [0.5, 3]));
      names.reverse(); // same array, other order
      const after = method.compute(request(names, [3, 0.5]));
      expect(Array.from(after.gradient)).toEqual([before.gradient[1], before.gradient[0]]);
    });

    it(`${method.name}: each answer is a fresh array, never overwritten by a later call`, () => {
      const first = method.compute(request(['x', 'y'], [0.5, 3]));
      const kept = Array.from(first.gradient);
      const second = method.compute(request(['x', 'y'], [-1, 2]));
      expect(second.gradient).not.toBe(first.gradient);
      expect(Array.from(first.gradient)).toEqual(kept);
    });
  }
});

describe('memoize', () => {
  it('keys by the expressions (identity), the kind and the variable names, not by the arrays holding them', () => {
    let builds = 0;
    const make = () => ++builds;
    expect(memoize([f], 'test-kind', ['x', 'y'], make)).toBe(1);
    expect(memoize([f], 'test-kind', ['x', 'y'], make)).toBe(1);
    expect(memoize([f], 'test-kind', ['y', 'x'], make)).toBe(2);
    expect(memoize([f], 'other-kind', ['x', 'y'], make)).toBe(3);
    expect(memoize([f, x], 'test-kind', ['x', 'y'], make)).toBe(4);
    expect(memoize([f, y], 'test-kind', ['x', 'y'], make)).toBe(5);
    expect(memoize([f, x], 'test-kind', ['x', 'y'], make)).toBe(4);
  });
});

describe('memoize with a frozen variable list', () => {
  it('finds the entry by the array itself, and an equal unfrozen list still finds the same entry', () => {
    let builds = 0;
    const make = () => ++builds;
    const names = Object.freeze(['x', 'y']);
    const value = memoize([f], 'frozen-kind', names, make);
    expect(memoize([f], 'frozen-kind', names, make)).toBe(value);
    expect(memoize([f], 'frozen-kind', ['x', 'y'], make)).toBe(value);
    expect(memoize([f], 'frozen-kind', Object.freeze(['x', 'y']), make)).toBe(value);
    expect(memoize([f], 'frozen-kind', Object.freeze(['y', 'x']), make)).toBe(value + 1);
    expect(memoize([f, x], 'frozen-kind', names, make)).toBe(value + 2);
    expect(memoize([f], 'other-frozen-kind', names, make)).toBe(value + 3);
    expect(builds).toBe(value + 3);
  });
});
