// gradient.test.ts: checks gradients of your own functions with gradlab's matcher, gradcheck and arbitraries.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { expressionWithPoint, gradcheck, referenceGradient } from 'gradlab/harness';
import { getMethod, tensor, type Tensor } from 'gradlab';
// Registers toHaveGradient on expect, and declares it for TypeScript.
import 'gradlab/harness/setup';

// A function of autograd tensors, with positional inputs: loss = (wx + b)².
const loss = (w: Tensor, x: Tensor, b: Tensor): Tensor => w.mul(x).add(b).pow(2);

describe('gradients of my functions', () => {
  test('an expression, by its text: d/dx (x² + 3x + 1) = 2x + 3 = 7 at x = 2', () => {
    expect('x^2 + 3*x + 1').toHaveGradient({ x: 7 }, { at: { x: 2 } });
  });

  test('another method, with a tolerance that suits it (central differences are good to about 1e-10 here)', () => {
    expect('x^2 + y^3 + x*y').toHaveGradient([4, 13], { at: { x: 1, y: 2 }, method: 'numeric-central', tolerance: 1e-8 });
  });

  test('a function of autograd tensors: ∂loss/∂(w, x, b) = 2(wx + b)·(x, w, 1)', () => {
    expect(loss).toHaveGradient([60, 40, 20], { at: [2, 3, 4] });
  });

  test('a wrong expectation fails with every partial listed', () => {
    expect(() => expect('x^3 - 2*x^2 + x - 5').toHaveGradient(15, { at: { x: 3 } })).toThrow(
      '∂/∂x: got 16, expected 15 (difference 1.00e+0, reference 16)  ✗',
    );
  });

  test('gradcheck compares autograd with central differences, as torch.autograd.gradcheck does', () => {
    const inputs = [2, 3, 4].map((value) => tensor(value, { requiresGrad: true }));
    expect(gradcheck(loss, inputs)).toBe(true);
  });

  test('autograd agrees with the 64-digit reference on 50 random expressions', () => {
    const expressions = expressionWithPoint({ depth: 3, ops: ['add', 'mul', 'sin', 'exp', 'log'] });
    fc.assert(
      fc.property(expressions, ({ expr, variables, point }) => {
        const answer = getMethod('autograd').compute({ expr, variables, point, options: {} });
        const truth = referenceGradient(expr, variables, point).gradient;
        return answer.gradient.every((g, i) => {
          const t = truth[i] ?? Number.NaN;
          return Math.abs(g - t) <= 1e-12 * Math.max(1, Math.abs(t));
        });
      }),
      { seed: 1, numRuns: 50 },
    );
  });
});
