// PyTorch parity defects (ported from test_autograd.py) and the robustness classes of issue 14 that the Tensor engine owns.
import { describe, expect, it } from 'vitest';
import { RuntimeError, grad, tensor, torch } from '../../../src/diff/autograd/index.ts';
import { engineStats } from '../../../src/diff/autograd/engine.ts';
import { Tensor } from '../../../src/diff/autograd/tensor.ts';

describe('retain_grad follows the tensor through in-place ops (test_retain_grad_inplace)', () => {
  it('a = x.clone(); a.retain_grad(); a.mul_(2); a.sum().backward() gives a.grad = [1]', () => {
    const x = tensor([1], { requiresGrad: true });
    const a = x.clone();
    a.retainGrad();
    a.mul_(2);
    a.sum().backward();
    expect(String(a.grad)).toBe('tensor([1.])');
    expect(String(x.grad)).toBe('tensor([2.])');
    expect(a.retainsGrad).toBe(true);
  });

  it('after several in-place ops, and across two backwards (accumulating)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const a = x.mul(1);
    a.retainGrad();
    a.add_(1);
    a.mul_(3);
    a.mul(a).sum().backward({ retainGraph: true });
    // a is now 3(x+1) = [6, 9]; d(a·a)/da = 2a.
    expect(a.grad!.tolist()).toEqual([12, 18]);
    a.sum().backward();
    expect(a.grad!.tolist()).toEqual([13, 19]);
  });
});

describe('∂(a**b)/∂b where a = 0 and b ≥ 0 is 0, as PyTorch masks it', () => {
  it.each([[0, 0], [0, 1], [0, 2.5]])('a = %d, b = %d, scalar and n-d', (a0, b0) => {
    const a = tensor(a0, { requiresGrad: true }), b = tensor(b0, { requiresGrad: true });
    a.pow(b).backward();
    expect(b.grad!.item()).toBe(0);
    const A = tensor([a0, 2], { requiresGrad: true }), B = tensor([b0, 3], { requiresGrad: true });
    A.pow(B).sum().backward();
    expect(B.grad!.toFloat64Array()[0]).toBe(0);
    expect(B.grad!.toFloat64Array()[1]).toBeCloseTo(8 * Math.log(2), 14);
  });

  it('a constant base 0 (torch.pow(0, b)) too', () => {
    const b = tensor([0, 1], { requiresGrad: true });
    torch.pow(0, b).sum().backward();
    expect(b.grad!.tolist()).toEqual([0, 0]);
  });
});

describe('grad(outputs, inputs) is linear in the number of inputs', () => {
  const steps = (n: number) => {
    const xs = Array.from({ length: n }, (_, i) => tensor(i, { requiresGrad: true }));
    let s: Tensor = xs[0];
    for (let i = 1; i < n; i++) s = s.add(xs[i]);
    engineStats.captureSteps = 0;
    const gs = grad([s], xs);
    expect(gs.every((g) => g!.item() === 1)).toBe(true);
    return engineStats.captureSteps;
  };

  it('hands out one gradient per listed input, whatever the count (was a scan over all inputs per node)', () => {
    expect(steps(1000)).toBe(1000);
    expect(steps(20000)).toBe(20000);
  });

  it('repeated inputs each get the gradient', () => {
    const x = tensor(2, { requiresGrad: true });
    const [a, b] = grad([x.mul(3)], [x, x]);
    expect([a!.item(), b!.item()]).toEqual([3, 3]);
  });
});

describe('printing tensors of very many dimensions', () => {
  it.each([5000, 100000])('%d dimensions print without recursion', (nd) => {
    const t = tensor(1).reshape(new Array(nd).fill(1));
    const text = String(t);
    expect(text).toBe(`tensor(${'['.repeat(nd)}1.${']'.repeat(nd)})`);
  });

  it('the loop prints like the nested form (2×2×3, summarized 3-d)', () => {
    const t = tensor([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]);
    expect(String(t)).toBe('tensor([[[ 1.,  2.,  3.],\n         [ 4.,  5.,  6.]],\n\n        [[ 7.,  8.,  9.],\n         [10., 11., 12.]]])');
  });
});

describe('shape arguments are validated with clear errors', () => {
  const x = tensor([1]);
  it.each([
    [[-2], RuntimeError, 'invalid size -2 at position 0'],
    [[2, 1.5], TypeError, 'found 1.5 at position 1'],
    [[NaN], TypeError, 'found NaN at position 0'],
    [[Infinity], TypeError, 'found Infinity at position 0'],
    [[1e6, 1e6], RuntimeError, 'more than gradlab'],
  ] as const)('expand(%o)', (sizes, type, message) => {
    expect(() => x.expand(sizes as unknown as number[])).toThrow(type as unknown as typeof Error);
    expect(() => x.expand(sizes as unknown as number[])).toThrow(message);
  });

  it('reshape and view too, and -1 still works where it means "keep" or "infer"', () => {
    expect(() => x.reshape([NaN])).toThrow(TypeError);
    expect(() => x.view([-3])).toThrow('invalid size -3');
    expect(x.expand(3, -1).shape).toEqual([3, 1]);
    expect(tensor([1, 2, 3, 4]).reshape(2, -1).shape).toEqual([2, 2]);
  });
});

describe('in-place ops on views: PyTorch’s checks', () => {
  it('refuses a view (or a view of a view) of a leaf that requires grad', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    for (const v of [x.view(4), x.select(0, 1), x.narrow(1, 0, 1), x.t(), x.unsqueeze(0).squeeze(0), x.view(4).view(2, 2)]) {
      expect(() => v.mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    }
    // Not a view (a copy), or under noGrad: allowed.
    const c = x.mul(1).select(0, 0);
    c.mul_(2);
    expect(c.tolist()).toEqual([2, 4]);
  });

  it('refuses the outputs of unbind (a function returning several views)', () => {
    const x = tensor([1, 2], { requiresGrad: true }).mul(1);
    expect(() => x.unbind(0)[0].add_(1)).toThrow('Output 0 of UnbindBackward0 is a view and is being modified inplace.');
  });
});

describe('gradient buffers are never shared between tensors', () => {
  it('a non-leaf target passed through an identity rule keeps its own gradient', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.clone();
    const z = y.mul(2).sum().add(x.mul(3).sum());
    const [gy, gx] = grad([z], [y, x]);
    expect([gy!.tolist(), gx!.tolist()]).toEqual([[2, 2], [5, 5]]);
  });

  it('a seed passed to backward is not modified, and two inputs of one node get separate buffers', () => {
    const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3, 4], { requiresGrad: true });
    const seed = tensor([1, 1]);
    const y = torch.cat([a, b]).reshape(2, 2).sum(0);
    y.backward(seed);
    a.mul(1).sum().backward();
    // Had a and b shared one buffer, the second backward would have changed b.grad too.
    expect([seed.tolist(), a.grad!.tolist(), b.grad!.tolist()]).toEqual([[1, 1], [2, 2], [1, 1]]);
  });
});
