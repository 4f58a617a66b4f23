// The toHaveGradient matcher passes and fails as a user expects, with messages that say what is wrong.
import { describe, expect, it } from 'vitest';
import { gradlabMatchers } from '../../src/harness/matchers.ts';
import { parse } from '../../src/ir/parse.ts';
import type { Tensor } from '../../src/diff/autograd/index.ts';

expect.extend(gradlabMatchers);

function failureOf(run: () => void): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('toHaveGradient', () => {
  it('passes on an expression text, an IR expression, and positional or named expectations', () => {
    expect('x^2 + 3*x + 1').toHaveGradient(7, { at: { x: 2 } });
    expect(parse('x^2 + y^3 + x*y')).toHaveGradient({ x: 4, y: 13 }, { at: { x: 1, y: 2 } });
    expect('x^2 + y^3').toHaveGradient([4, 27], { at: [2, 3] });
  });

  it('passes on a function of autograd tensors', () => {
    const loss = (w: Tensor, x: Tensor, b: Tensor) => w.mul(x).add(b).pow(2);
    expect(loss).toHaveGradient([60, 40, 20], { at: [2, 3, 4] });
  });

  it('fails with every partial listed, the reference, and the method', () => {
    const message = failureOf(() => expect('x^2 + y^3').toHaveGradient({ x: 4, y: 26 }, { at: { x: 2, y: 3 } }));
    expect(message).toBe(
      [
        'expected x^2 + y^3 to have gradient [4, 26] at x = 2, y = 3 (method autograd, tolerance 1e-10 relative to max(1, |expected|))',
        '  ∂/∂x: got 4, expected 4 (difference 0.00e+0, reference 4)',
        '  ∂/∂y: got 27, expected 26 (difference 1.00e+0, reference 27)  ✗',
      ].join('\n'),
    );
  });

  it('supports .not, other methods and tolerances', () => {
    expect('x^3').not.toHaveGradient(3, { at: { x: 2 } });
    expect('sin(x)').toHaveGradient(Math.cos(1), { at: { x: 1 }, method: 'numeric-central', tolerance: 1e-8 });
    expect(failureOf(() => expect('sin(x)').toHaveGradient(Math.cos(1), { at: { x: 1 }, method: 'numeric-forward' }))).toMatch(/method numeric-forward/);
    expect(failureOf(() => expect('x^2').not.toHaveGradient(4, { at: { x: 2 } }))).toMatch(/^expected x\^2 not to have gradient \[4\]/);
  });

  it('explains misuse', () => {
    expect(() => expect('x + y').toHaveGradient(1, { at: { x: 1, y: 1 } })).toThrow(/expected one number, but the gradient has 2 partials/);
    expect(() => expect('x').toHaveGradient({ z: 1 }, { at: { x: 1 } })).toThrow(/no variable z/);
    expect(() => expect((a: Tensor) => a).toHaveGradient(1, { at: { a: 1 } })).toThrow(/give `at` as an array/);
  });
});

describe('toHaveGradient on programs', () => {
  const relu2 = (v: Readonly<Record<string, number>>, m: import('../../src/diff/program/run.ts').MathNamespace) =>
    v.x > 0 ? m.mul(v.x, v.y) : m.neg(v.y);

  it('passes on a program with `at` by name, by any method', () => {
    expect(relu2).toHaveGradient({ x: 3, y: 2 }, { at: { x: 2, y: 3 } });
    expect(relu2).toHaveGradient({ x: 0, y: -1 }, { at: { x: -2, y: 3 }, method: 'symbolic-dag' });
    expect(relu2).toHaveGradient([3, 2], { at: { x: 2, y: 3 }, method: 'numeric', tolerance: 1e-8 });
  });

  it('fails naming the program, its trace and the reference of the path', () => {
    const message = failureOf(() => expect(relu2).toHaveGradient({ x: 1, y: 2 }, { at: { x: 2, y: 3 } }));
    expect(message).toContain('the program relu2() (traced at the point: x * y)');
    expect(message).toContain('∂/∂x: got 3, expected 1');
    expect(message).toContain('reference 3');
  });
});
