// The training ops: values, gradients (gradcheck, and PyTorch's values at the kinks), grad_fn names and printing.
import { describe, expect, it } from 'vitest';
import { IndexError, RuntimeError, gradcheck, grad, nn, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';

const F = nn.functional;
const leaf = (v: Parameters<typeof tensor>[0]) => tensor(v, { requiresGrad: true });
const gradOf = (x: Tensor, f: (x: Tensor) => Tensor): number[][] | number[] | number => {
  const [g] = grad([f(x)], [x]);
  return g!.tolist() as number[];
};
// Values chosen without ties or kinks, so central differences are valid.
const M = () => leaf([[0.3, -1.2, 2.5], [1.7, 0.4, -0.9]]);

describe('grad_fn names (PyTorch)', () => {
  it('names each training op as PyTorch does', () => {
    const A = M(), v = leaf([1, 2, 3]);
    const target = tensor([2, 0], { dtype: 'int64' });
    const cases: [Tensor, string][] = [
      [A.logSoftmax(1), 'LogSoftmaxBackward0'], [A.softmax(1), 'SoftmaxBackward0'],
      [F.crossEntropy(A, target), 'NllLossBackward0'], [F.nllLoss(A, target), 'NllLossBackward0'],
      [F.mseLoss(A, tensor([[1, 1, 1], [1, 1, 1]])), 'MseLossBackward0'],
      [A.clamp(0, 1), 'ClampBackward1'], [torch.where(A.gt(0), A, 0), 'WhereBackward0'],
      [A.maximum(v), 'MaximumBackward0'], [A.minimum(v), 'MinimumBackward0'],
      [A.max(1).values, 'MaxBackward0'], [A.min(0).values, 'MinBackward0'], [A.max(), 'MaxBackward1'],
      [A.norm(), 'NormBackward1'], [A.norm(1, 0), 'NormBackward1'], [A.median(), 'MedianBackward0'], [A.median(1).values, 'MedianBackward1'],
      [A.unbind(0)[1], 'UnbindBackward0'], [torch.cat([A, A]), 'CatBackward0'], [torch.stack([A, A]), 'StackBackward0'],
      [A.select(0, 1), 'SelectBackward0'], [A.narrow(1, 0, 2), 'SliceBackward0'], [A.index([1, 0]), 'IndexBackward0'],
      [A.indexSelect(1, [2, 0]), 'IndexSelectBackward0'], [A.flatten(), 'ReshapeAliasBackward0'],
      [A.unsqueeze(0).squeeze(), 'SqueezeBackward0'], [A.unsqueeze(0).squeeze(0), 'SqueezeBackward1'],
      [new nn.Linear(3, 2).forward(A), 'AddmmBackward0'],
    ];
    for (const [t, name] of cases) expect(t.gradFn?.name).toBe(name);
  });

  it('cross-entropy is NLL of log-softmax, and cat has one edge per input', () => {
    const A = M();
    const loss = F.crossEntropy(A, [2, 0]);
    expect(loss.gradFn!.nextFunctions.map(([n]) => n?.name)).toEqual(['LogSoftmaxBackward0']);
    const c = torch.cat([A, tensor([[1, 2, 3]]), A]);
    expect(c.gradFn!.nextFunctions.map(([n]) => n?.name ?? null)).toEqual(['AccumulateGrad', null, 'AccumulateGrad']);
  });

  it('index and mask results print as int64 and bool and do not require grad', () => {
    const A = M();
    const { values, indices } = A.max(1);
    expect(String(values)).toBe('tensor([2.5000, 1.7000], grad_fn=<MaxBackward0>)');
    expect(String(indices)).toBe('tensor([2, 0])');
    expect(indices.requiresGrad).toBe(false);
    expect(String(A.argmax())).toBe('tensor(2)');
    expect(String(tensor([3, 10, 1]).gt(2))).toBe('tensor([ True,  True, False])');
    expect(String(tensor([[1, 12], [5, 4]]).argmax(1))).toBe('tensor([1, 0])');
    expect(tensor([1, 2], { dtype: 'int64' }).dtype).toBe('int64');
    expect(() => tensor([1.5], { dtype: 'int64' })).toThrow(TypeError);
    expect(() => tensor([1], { dtype: 'int64', requiresGrad: true })).toThrow('Only Tensors of floating point and complex dtype can require gradients');
  });
});

describe('gradients pass gradcheck (central differences)', () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ['logSoftmax', (x) => x.logSoftmax(1).mul(tensor([[1, 2, 3], [-1, 0.5, 2]])).sum()],
    ['softmax dim 0', (x) => x.softmax(0).mul(tensor([[1, 2, 3], [-1, 0.5, 2]])).sum()],
    ['crossEntropy mean', (x) => F.crossEntropy(x, [2, 1])],
    ['crossEntropy sum', (x) => F.crossEntropy(x, [0, 1], { reduction: 'sum' })],
    ['crossEntropy none', (x) => F.crossEntropy(x, [0, 2], { reduction: 'none' })],
    ['nllLoss', (x) => F.nllLoss(x, [1, 2])],
    ['mseLoss', (x) => F.mseLoss(x, tensor([[1, 0, 1], [0, 1, 0]]))],
    ['clamp (away from the bounds)', (x) => x.clamp(-1, 1).mul(x).sum()],
    ['where', (x) => torch.where(x.gt(0), x.mul(x), x.mul(3))],
    ['maximum', (x) => x.maximum(tensor([0, 0, 0])).sum()],
    ['minimum (broadcast)', (x) => x.minimum(tensor([[0.5], [0]])).sum()],
    ['max along dim', (x) => x.max(1).values.mul(tensor([2, 3])).sum()],
    ['min along dim keepdim', (x) => x.min(0, true).values.sum()],
    ['median', (x) => x.median().mul(x.sum())],
    ['median along dim', (x) => x.median(1).values.sum()],
    ['norm 2', (x) => x.norm()],
    ['norm 1 along dim', (x) => x.norm(1, 1).sum()],
    ['norm 3', (x) => x.norm(3)],
    ['norm inf', (x) => x.norm(Infinity)],
    ['norm 0.5', (x) => x.norm(0.5)],
    ['unbind', (x) => x.unbind(1)[2].mul(x.unbind(1)[0]).sum()],
    ['cat dim 1', (x) => torch.cat([x, x.mul(2)], 1).mul(torch.cat([x, x], 1)).sum()],
    ['stack dim 2', (x) => torch.stack([x, x.exp()], 2).sum()],
    ['select', (x) => x.select(1, -1).exp().sum()],
    ['narrow', (x) => x.narrow(1, 1, 2).pow(2).sum()],
    ['index with repeats', (x) => x.index([1, 1, 0]).pow(2).sum()],
    ['indexSelect', (x) => x.indexSelect(1, [2, 2]).sin().sum()],
    ['flatten, squeeze', (x) => x.unsqueeze(0).squeeze().flatten().pow(3).sum()],
    ['linear', (x) => nn.functional.linear(x, tensor([[1, 2, 3]]), tensor([0.5])).tanh().sum()],
  ];
  it.each(cases)('%s', (_name, f) => {
    expect(gradcheck(f, [M()])).toBe(true);
  });

  it('second derivatives through softmax, cross-entropy and select (createGraph)', () => {
    for (const f of [(x: Tensor) => x.softmax(1).pow(2).sum(), (x: Tensor) => F.crossEntropy(x, [2, 1]), (x: Tensor) => x.select(0, 1).pow(3).sum()]) {
      const x = M();
      const [g] = grad([f(x)], [x], { createGraph: true });
      // Hessian-vector product against central differences of the gradient.
      const v = tensor([[1, 0, 0], [0, 1, 0]]);
      const [hv] = grad([g!.mul(v).sum()], [x]);
      const h = 1e-5;
      const gradAt = (delta: number) => {
        const y = tensor(x.add(v.mul(delta)).tolist() as number[][], { requiresGrad: true });
        return grad([f(y)], [y])[0]!.toFloat64Array();
      };
      const plus = gradAt(h), minus = gradAt(-h);
      const fd = plus.map((p, i) => (p - minus[i]) / (2 * h));
      hv!.toFloat64Array().forEach((a, i) => expect(a).toBeCloseTo(fd[i], 5));
    }
  });
});

describe('values and PyTorch’s choices at kinks and ties', () => {
  it('softmax and logSoftmax are stable for huge logits', () => {
    const x = tensor([[1000, 1001], [-1000, -1001]]);
    expect(x.softmax(1).tolist()).toEqual([[1 / (1 + Math.E), Math.E / (1 + Math.E)].map((v) => expect.closeTo(v, 15)), [expect.closeTo(Math.E / (1 + Math.E), 15), expect.closeTo(1 / (1 + Math.E), 15)]]);
    expect(x.logSoftmax(1).toFloat64Array().every(Number.isFinite)).toBe(true);
    expect(F.crossEntropy(tensor([[1000, 0]]), [1]).item()).toBe(1000);
  });

  it('cross-entropy: mean over non-ignored targets, sum, none, and clear errors', () => {
    const x = tensor([[0, Math.log(3)], [Math.log(2), 0]]);
    expect(F.crossEntropy(x, [1, 1], { reduction: 'none' }).toFloat64Array()[0]).toBeCloseTo(Math.log(4 / 3), 15);
    const none = F.crossEntropy(x, [0, 1], { reduction: 'none' }).toFloat64Array();
    expect(F.crossEntropy(x, [0, 1]).item()).toBeCloseTo((none[0] + none[1]) / 2, 15);
    expect(F.crossEntropy(x, [0, 1], { reduction: 'sum' }).item()).toBeCloseTo(none[0] + none[1], 15);
    expect(F.crossEntropy(x, [0, -100]).item()).toBeCloseTo(none[0], 15);
    expect(F.crossEntropy(tensor([0, Math.log(3)]), tensor(1, { dtype: 'int64' })).item()).toBeCloseTo(Math.log(4 / 3), 15);
    expect(() => F.crossEntropy(x, [0, 2])).toThrow(IndexError);
    expect(() => F.crossEntropy(x, [0, 2])).toThrow('Target 2 is out of bounds.');
    expect(() => F.crossEntropy(x, [0.5, 1])).toThrow('integer class indices');
    expect(() => F.crossEntropy(x, [0])).toThrow('Expected target of shape torch.Size([2])');
  });

  it('norm has gradient 0 at 0 (PyTorch masks it), where sqrt of the sum of squares gives NaN', () => {
    for (const p of [2, 1, 3, 0.5, Infinity]) {
      const x = leaf([0, 0]);
      x.norm(p).backward();
      expect(x.grad!.tolist()).toEqual([0, 0]);
    }
    const x = leaf([0, 0]);
    x.mul(x).sum().sqrt().backward();
    expect(x.grad!.toFloat64Array().every(Number.isNaN)).toBe(true);
    expect(tensor([1e200, 1e200]).norm().item()).toBeCloseTo(Math.SQRT2 * 1e200, -185);
  });

  it('ties: max(dim) gives all to the first index; median() and max() split; maximum splits 0.5', () => {
    expect(gradOf(leaf([1, 3, 3]), (x) => x.max(0).values)).toEqual([0, 1, 0]);
    expect(gradOf(leaf([1, 3, 3]), (x) => x.max())).toEqual([0, 0.5, 0.5]);
    expect(gradOf(leaf([2, 1, 1, 1]), (x) => x.median())).toEqual([0, 1 / 3, 1 / 3, 1 / 3]);
    expect(gradOf(leaf([1, 2]), (x) => x.maximum(tensor([1, 3])).sum())).toEqual([0.5, 0]);
    expect(gradOf(leaf([1, 2]), (x) => x.maximum(x).sum())).toEqual([1, 1]);
    expect(tensor([4, 1, 3, 2]).median().item()).toBe(2); // the lower of the two middle values
    expect(tensor([1, NaN, 3]).median().item()).toBeNaN();
    expect(tensor([[1, NaN, 3]]).max(1).indices.item()).toBe(1);
  });

  it('clamp: the bounds count as inside; where sends 0 to the unchosen side (and NaN leaks, as in PyTorch)', () => {
    expect(gradOf(leaf([-1, 0, 0.5, 1, 2]), (x) => x.clamp(0, 1).sum())).toEqual([0, 1, 1, 1, 0]);
    expect(() => tensor(1).clamp()).toThrow("At least one of 'min' or 'max' must not be None");
    expect(gradOf(leaf([-1]), (x) => torch.where(x.gt(0), x.log(), x).sum())).toEqual([1]);
    expect((gradOf(leaf([0]), (x) => torch.where(x.gt(0), x.sqrt(), 0).sum()) as number[])[0]).toBeNaN();
  });

  it('shape ops: values, and PyTorch’s errors', () => {
    const A = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(torch.cat([A, A], 1).tolist()).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect(torch.stack([A, A], 2).shape).toEqual([2, 3, 2]);
    expect(torch.stack([A, A], 1).select(1, 1).tolist()).toEqual(A.tolist());
    expect(A.unbind(1).map((t) => t.tolist())).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(A.narrow(1, -2, 2).tolist()).toEqual([[2, 3], [5, 6]]);
    expect(A.index(tensor([1, 0], { dtype: 'int64' })).tolist()).toEqual([[4, 5, 6], [1, 2, 3]]);
    expect(A.index(-1).tolist()).toEqual([4, 5, 6]);
    expect(A.flatten().shape).toEqual([6]);
    expect(tensor(5).flatten().shape).toEqual([1]);
    expect(tensor([[[1]], [[2]]]).squeeze().shape).toEqual([2]);
    expect(tensor([[[1]], [[2]]]).squeeze(0).shape).toEqual([2, 1, 1]);
    expect(() => A.select(0, 2)).toThrow('select(): index 2 out of range for tensor of size [2, 3] at dimension 0');
    expect(() => A.select(2, 0)).toThrow(IndexError);
    expect(() => A.narrow(1, 2, 2)).toThrow('start (2) + length (2) exceeds dimension size (3).');
    expect(() => A.index([2])).toThrow('index 2 is out of bounds for dimension 0 with size 2');
    expect(() => torch.cat([A, tensor([1, 2])])).toThrow('Tensors must have same number of dimensions: got 2 and 1');
    expect(() => torch.cat([A, tensor([[1, 2]])])).toThrow(RuntimeError);
    expect(() => torch.stack([A, A.t()])).toThrow('stack expects each tensor to be equal size');
    expect(() => torch.cat([])).toThrow('expected a non-empty list');
  });

  it('mseLoss refuses mismatched shapes instead of broadcasting', () => {
    expect(F.mseLoss(tensor([1, 2]), tensor([0, 0])).item()).toBe(2.5);
    expect(F.mseLoss(tensor([1, 2]), tensor([0, 0]), { reduction: 'sum' }).item()).toBe(5);
    expect(() => F.mseLoss(tensor([1, 2]), tensor([[0, 0]]))).toThrow('is different to the input size');
    const y = leaf([0, 1]);
    F.mseLoss(tensor([1, 2]), y).backward();
    expect(y.grad!.tolist()).toEqual([-1, -1]);
  });

  it('linear skips the gradient of an input that does not require grad', () => {
    const w = leaf([[1, 2]]), b = leaf([0]);
    const x = tensor([[3, 4]]);
    nn.functional.linear(x, w, b).sum().backward();
    expect([w.grad!.tolist(), b.grad!.tolist(), x.grad]).toEqual([[[3, 4]], [1], null]);
  });
});

describe('int64 and bool tensors cannot require grad (PyTorch’s messages)', () => {
  it('refuses requiresGrad on index and mask tensors', () => {
    const i = tensor([1, 2], { dtype: 'int64' });
    expect(() => i.requiresGrad_()).toThrow('only Tensors of floating point dtype can require gradients');
    expect(() => {
      tensor([1, 2]).gt(1).requiresGrad = true;
    }).toThrow('only Tensors of floating point and complex dtype can require gradients');
  });
});
