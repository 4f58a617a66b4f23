// gradcheck (reference §7): central differences against autograd, PyTorch's message with both Jacobians.
import { describe, expect, it } from 'vitest';
import { GradcheckError, ValueError, grad, gradcheck, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';

const leaf = (v: Parameters<typeof tensor>[0]) => tensor(v, { requiresGrad: true });

/** x² whose backward wrongly gives 3x (value 3·x·x̄ − 2·x̄², x̄ detached): the reference's broken custom Function. */
const wrongSquare = (x: Tensor) => x.mul(x.detach()).mul(3).sub(x.detach().pow(2).mul(2));

describe('gradcheck', () => {
  it('passes for correct gradients, including several inputs', () => {
    expect(gradcheck((x) => x.sin().mul(x.exp()), leaf([0.3, -1.2, 2]))).toBe(true);
    expect(gradcheck((a, b) => a.matmul(b).tanh().sum(), [leaf([[1, 2], [3, 4]]).mul(0.1).detach().requiresGrad_(), leaf([0.5, -0.25])])).toBe(true);
    expect(gradcheck((x) => x.pow(3), leaf(1.5))).toBe(true);
  });

  it('fails with PyTorch’s message, Jacobians laid out [input numel × output numel]', () => {
    let message = '';
    try {
      gradcheck(wrongSquare, leaf([1, 2, 3]));
    } catch (error) {
      expect(error).toBeInstanceOf(GradcheckError);
      message = (error as Error).message;
    }
    expect(message).toBe(
      'Jacobian mismatch for output 0 with respect to input 0,\n' +
        'numerical:tensor([[2.0000, 0.0000, 0.0000],\n' +
        '        [0.0000, 4.0000, 0.0000],\n' +
        '        [0.0000, 0.0000, 6.0000]], dtype=torch.float64)\n' +
        'analytical:tensor([[3., 0., 0.],\n' +
        '        [0., 6., 0.],\n' +
        '        [0., 0., 9.]], dtype=torch.float64)\n',
    );
    expect(gradcheck(wrongSquare, leaf([1, 2, 3]), { raiseException: false })).toBe(false);
  });

  it('prints an R² → R³ Jacobian as 2×3', () => {
    const M = tensor([[1, 2], [3, 4], [5, 6]]);
    const broken = (x: Tensor) => M.matmul(x).add(x.detach().sum().mul(0)).add(x.sum().sub(x.detach().sum()));
    expect(() => gradcheck(broken, leaf([1, 1]))).toThrow(/numerical:tensor\(\[\[1\.0000, 3\.0000, 5\.0000\],\n {8}\[2\.0000, 4\.0000, 6\.0000\]\], dtype=torch\.float64\)\nanalytical:tensor\(\[\[2\., 4\., 6\.\],\n {8}\[3\., 5\., 7\.\]\], dtype=torch\.float64\)\n$/);
  });

  it('requires an input that requires grad', () => {
    expect(() => gradcheck((x) => x.mul(2), tensor([1, 2]))).toThrow(
      new ValueError('gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.'),
    );
  });

  it('detects a backward that is not reentrant', () => {
    let calls = 0;
    const flaky = (x: Tensor) => {
      const y = x.mul(2);
      y.registerHook((g) => g.mul(++calls > 2 ? 1.5 : 1));
      return y;
    };
    expect(() => gradcheck(flaky, leaf([1, 2]))).toThrow(/^Backward is not reentrant, i\.e\., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient\.The tolerance for nondeterminism was 0\.0\.\n\nNOTE:/);
  });

  it('honours eps, atol and rtol (|a − n| ≤ atol + rtol·|n|)', () => {
    // exp at 0 with eps 0.1: the central difference is sinh(0.1)/0.1 ≈ 1.001668, off by 1.7e-3.
    expect(gradcheck((x) => x.exp(), leaf([0]), { eps: 0.1, raiseException: false })).toBe(false);
    expect(gradcheck((x) => x.exp(), leaf([0]), { eps: 0.1, atol: 2e-3, raiseException: false })).toBe(true);
    expect(gradcheck((x) => x.exp(), leaf([0]), { eps: 0.1, atol: 0, rtol: 2e-3, raiseException: false })).toBe(true);
  });

  it('checks second derivatives too: a gradient built with createGraph is itself gradchecked (gradgradcheck)', () => {
    // f(A, v, c) mixes broadcasting, matmul, reductions and elementwise ops; its gradient, recorded with createGraph,
    // is contracted with fixed directions and checked again, so every backward rule is differentiated once more.
    const f = (A: Tensor, v: Tensor, c: Tensor) =>
      A.matmul(v).tanh().sum().add(A.mul(v).pow(2).mean()).add(A.sum(0).mul(c).sigmoid().sum()).add(v.max().mul(c.exp()));
    const R = tensor([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]), r = tensor([0.7, -0.1, 0.2]), rc = tensor(0.9);
    const contracted = (A: Tensor, v: Tensor, c: Tensor) => {
      const [gA, gv, gc] = grad(f(A, v, c), [A, v, c], { createGraph: true });
      return gA!.mul(R).sum().add(gv!.mul(r).sum()).add(gc!.mul(rc));
    };
    const inputs = [leaf([[0.5, -1, 0.25], [1.5, 0.75, -0.5]]), leaf([0.2, -0.4, 1.1]), leaf(0.3)];
    expect(gradcheck(f, inputs)).toBe(true);
    expect(gradcheck(contracted, inputs)).toBe(true);
    expect(gradcheck((x) => torch.div(1, x).mul(x.log()), leaf([0.5, 2]))).toBe(true);
  });
});
