// Ops: grad_fn names, broadcasting (§10), matmul, reductions, shape errors, and the non-differentiable points (§9).
import { describe, expect, it } from 'vitest';
import { IndexError, RuntimeError, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';

const leaf = (v: Parameters<typeof tensor>[0]) => tensor(v, { requiresGrad: true });
const str = (t: Tensor | null) => (t === null ? 'None' : t.toString());

describe('grad_fn names (reference §1 table)', () => {
  it('names each op as PyTorch 1.13 does', () => {
    const a = leaf(2), b = leaf(3);
    const A = leaf([[1, 2], [3, 4]]);
    const v = leaf([1, 2]);
    const cases: [Tensor, string][] = [
      [a.add(b), 'AddBackward0'], [a.add(1), 'AddBackward0'], [torch.add(1, a), 'AddBackward0'],
      [a.sub(b), 'SubBackward0'], [a.sub(1), 'SubBackward0'], [torch.sub(1, a), 'RsubBackward1'], [a.rsub(1), 'RsubBackward1'],
      [a.mul(b), 'MulBackward0'], [a.mul(2), 'MulBackward0'], [torch.mul(2, a), 'MulBackward0'], [a.mul(a), 'MulBackward0'],
      [a.div(b), 'DivBackward0'], [a.div(2), 'DivBackward0'], [torch.div(2, a), 'MulBackward0'],
      [a.pow(2), 'PowBackward0'], [a.pow(0.5), 'PowBackward0'], [a.pow(b), 'PowBackward1'], [torch.pow(2, a), 'PowBackward1'],
      [a.neg(), 'NegBackward0'], [a.exp(), 'ExpBackward0'], [a.log(), 'LogBackward0'], [a.sin(), 'SinBackward0'],
      [a.cos(), 'CosBackward0'], [a.tan(), 'TanBackward0'], [a.tanh(), 'TanhBackward0'], [a.sigmoid(), 'SigmoidBackward0'],
      [a.relu(), 'ReluBackward0'], [a.sqrt(), 'SqrtBackward0'], [a.abs(), 'AbsBackward0'],
      [v.sum(), 'SumBackward0'], [A.sum(0), 'SumBackward1'], [v.mean(), 'MeanBackward0'], [A.mean(0), 'MeanBackward1'],
      [A.matmul(A), 'MmBackward0'], [v.matmul(v), 'DotBackward0'], [A.matmul(v), 'MvBackward0'], [v.matmul(A), 'SqueezeBackward3'],
      [v.max(), 'MaxBackward1'], [v.min(), 'MinBackward1'], [v.clone(), 'CloneBackward0'],
      [A.view(4), 'ViewBackward0'], [A.reshape(4), 'ReshapeAliasBackward0'], [A.t(), 'TBackward0'], [A.T, 'PermuteBackward0'],
      [A.transpose(0, 1), 'TransposeBackward0'], [v.expand(3, 2), 'ExpandBackward0'], [v.unsqueeze(0), 'UnsqueezeBackward0'],
    ];
    for (const [t, name] of cases) expect(t.gradFn?.name).toBe(name);
  });

  it('records nothing when no input requires grad', () => {
    const y = tensor(2).mul(3);
    expect([y.requiresGrad, y.gradFn, y.isLeaf]).toEqual([false, null, true]);
  });
});

describe('broadcasting (reference §10)', () => {
  it('sums each input’s gradient back to its own shape', () => {
    const a = leaf([[1, 2, 3], [4, 5, 6]]), b = leaf([10, 20, 30]), c = leaf(2), d = leaf([[1], [2]]);
    a.mul(b).add(c).add(d).sum().backward();
    expect(str(a.grad)).toBe('tensor([[10., 20., 30.],\n        [10., 20., 30.]])');
    expect(str(b.grad)).toBe('tensor([5., 7., 9.])');
    expect(str(c.grad)).toBe('tensor(6.)');
    expect(c.grad!.shape).toEqual([]);
    expect(str(d.grad)).toBe('tensor([[3.],\n        [3.]])');
  });

  it('(1,3)·(2,1), expand and mean', () => {
    const p = tensor([[1, 1, 1]], { requiresGrad: true }), q = tensor([[1], [1]], { requiresGrad: true });
    p.mul(q).sum().backward();
    expect([str(p.grad), str(q.grad)]).toEqual(['tensor([[2., 2., 2.]])', 'tensor([[3.],\n        [3.]])']);
    const e = leaf([1, 1]);
    e.expand(3, 2).sum().backward();
    expect(str(e.grad)).toBe('tensor([3., 3.])');
    const m = leaf([[1, 1, 1], [1, 1, 1]]), n = leaf([1, 1, 1]);
    m.add(n).mean().backward();
    expect(str(m.grad)).toBe('tensor([[0.1667, 0.1667, 0.1667],\n        [0.1667, 0.1667, 0.1667]])');
    expect(str(n.grad)).toBe('tensor([0.3333, 0.3333, 0.3333])');
  });

  it('names both sizes and the dimension when shapes do not broadcast', () => {
    expect(() => tensor([[1, 2, 3], [4, 5, 6]]).mul(tensor([1, 2]))).toThrow(
      new RuntimeError('The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1'),
    );
    expect(() => tensor([1, 2]).expand(3, 3)).toThrow(
      'The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 1.  Target sizes: [3, 3].  Tensor sizes: [2]',
    );
  });
});

describe('matmul', () => {
  it('C = A@B gives A.grad = G Bᵀ and B.grad = Aᵀ G', () => {
    const A = leaf([[1, 2], [3, 4]]), B = leaf([[5, 6], [7, 8]]);
    A.matmul(B).sum().backward();
    expect(str(A.grad)).toBe('tensor([[11., 15.],\n        [11., 15.]])');
    expect(str(B.grad)).toBe('tensor([[4., 4.],\n        [6., 6.]])');
  });

  it('matrix·vector, vector·vector and vector·matrix', () => {
    const W = leaf([[1, 2], [3, 4]]), v = leaf([1, 1]);
    W.matmul(v).sum().backward();
    expect([str(W.grad), str(v.grad)]).toEqual(['tensor([[1., 1.],\n        [1., 1.]])', 'tensor([4., 6.])']);
    const u = leaf([1, 2, 3]), w = leaf([4, 5, 6]);
    const r = u.matmul(w);
    expect(str(r)).toBe('tensor(32., grad_fn=<DotBackward0>)');
    r.backward();
    expect([str(u.grad), str(w.grad)]).toEqual(['tensor([4., 5., 6.])', 'tensor([1., 2., 3.])']);
    const v2 = leaf([1, 2]), M = leaf([[1, 2, 3], [4, 5, 6]]);
    const s = v2.matmul(M);
    expect(str(s)).toBe('tensor([ 9., 12., 15.], grad_fn=<SqueezeBackward3>)');
    expect(s.gradFn!.nextFunctions[0][0]!.name).toBe('MmBackward0');
    s.sum().backward();
    expect([str(v2.grad), str(M.grad)]).toEqual(['tensor([ 6., 15.])', 'tensor([[1., 1., 1.],\n        [2., 2., 2.]])']);
  });

  it('refuses mismatched shapes with PyTorch’s messages', () => {
    const m23 = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(() => m23.matmul(m23)).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)');
    expect(() => tensor([1, 2, 3]).matmul(tensor([1, 2]))).toThrow(
      'inconsistent tensor size, expected tensor [3] and src [2] to have the same number of elements, but got 3 and 2 elements respectively',
    );
    expect(() => m23.matmul(tensor([1, 2]))).toThrow('size mismatch, got 2, 2x3,2');
    expect(() => tensor([1, 2, 3]).matmul(m23)).toThrow('mat1 and mat2 shapes cannot be multiplied (1x3 and 2x3)');
  });
});

describe('reductions and shape ops', () => {
  const X = () => leaf([[1, 2, 3], [4, 5, 6]]);

  it('sum and mean along a dim', () => {
    const x = X();
    const s = x.sum(0);
    expect(str(s)).toBe('tensor([5., 7., 9.], grad_fn=<SumBackward1>)');
    s.backward(tensor([1, 2, 3]));
    expect(str(x.grad)).toBe('tensor([[1., 2., 3.],\n        [1., 2., 3.]])');
    const y = X();
    const m = y.mean(1, true);
    expect(str(m)).toBe('tensor([[2.],\n        [5.]], grad_fn=<MeanBackward1>)');
    m.sum().backward();
    expect(str(y.grad)).toBe('tensor([[0.3333, 0.3333, 0.3333],\n        [0.3333, 0.3333, 0.3333]])');
    expect(str(X().sum(-1))).toBe('tensor([ 6., 15.], grad_fn=<SumBackward1>)');
    expect(() => X().sum(2)).toThrow(new IndexError('Dimension out of range (expected to be in range of [-2, 1], but got 2)'));
  });

  it('max and min split ties evenly', () => {
    const x = leaf([1, 3, 3]);
    x.max().backward();
    expect(str(x.grad)).toBe('tensor([0.0000, 0.5000, 0.5000])');
    const y = leaf([2, 1, 1, 1]);
    y.min().backward();
    expect(str(y.grad)).toBe('tensor([0.0000, 0.3333, 0.3333, 0.3333])');
    expect(() => tensor([]).max()).toThrow(
      "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
    );
  });

  it('transpose and reshape route gradients back', () => {
    const weights = tensor([[1, 2], [3, 4], [5, 6]]);
    const x = X();
    const t = x.t();
    expect(str(t)).toBe('tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]], grad_fn=<TBackward0>)');
    t.mul(weights).sum().backward();
    expect(str(x.grad)).toBe('tensor([[1., 3., 5.],\n        [2., 4., 6.]])');
    const y = X();
    y.reshape(3, 2).mul(weights).sum().backward();
    expect(str(y.grad)).toBe('tensor([[1., 2., 3.],\n        [4., 5., 6.]])');
    expect(str(X().reshape(-1))).toBe('tensor([1., 2., 3., 4., 5., 6.], grad_fn=<ReshapeAliasBackward0>)');
    expect(() => X().reshape(4, 2)).toThrow("shape '[4, 2]' is invalid for input of size 6");
    expect(() => tensor([[[1]]]).t()).toThrow('t() expects a tensor with <= 2 dimensions, but self is 3D');
    const z = X();
    z.T.matmul(z).sum().backward();
    expect(str(z.grad)).toBe('tensor([[12., 12., 12.],\n        [30., 30., 30.]])');
  });

  it('tensor() refuses ragged data with PyTorch’s messages', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('expected sequence of length 2 at dim 1 (got 1)');
    expect(() => tensor([[1, 2], 3] as never)).toThrow(new TypeError('not a sequence'));
    expect(tensor([[1, 2], [3, 4]]).shape).toEqual([2, 2]);
    expect(str(tensor([]))).toBe('tensor([])');
    expect(str(tensor([[], []]))).toBe('tensor([], size=(2, 0))');
  });
});

describe('non-differentiable points and NaN/inf (reference §9)', () => {
  const at = (f: (t: Tensor) => Tensor, x: number): [number, number] => {
    const t = leaf(x);
    const y = f(t);
    y.backward();
    return [y.item(), t.grad!.item()];
  };

  it.each([
    ['abs at 0 (grad·sign(x))', (t: Tensor) => t.abs(), 0, 0, 0],
    ['abs at -0', (t: Tensor) => t.abs(), -0, 0, 0],
    ['relu at 0 (grad where result > 0)', (t: Tensor) => t.relu(), 0, 0, 0],
    ['sqrt at 0 (grad / (2·result))', (t: Tensor) => t.sqrt(), 0, 0, Infinity],
    ['x**0.5 at 0', (t: Tensor) => t.pow(0.5), 0, 0, Infinity],
    ['x**2 at 0', (t: Tensor) => t.pow(2), 0, 0, 0],
    ['x**1 at 0', (t: Tensor) => t.pow(1), 0, 0, 1],
    ['x**0 at 0 (exponent 0 special-cased)', (t: Tensor) => t.pow(0), 0, 1, 0],
    ['x**0 at 3', (t: Tensor) => t.pow(0), 3, 1, 0],
    ['x**-1 at 0', (t: Tensor) => t.pow(-1), 0, Infinity, -Infinity],
    ['1/x at 0', (t: Tensor) => torch.div(1, t), 0, Infinity, -Infinity],
    ['sqrt at -1', (t: Tensor) => t.sqrt(), -1, NaN, NaN],
    ['x**0.5 at -1', (t: Tensor) => t.pow(0.5), -1, NaN, NaN],
    ['log at 0', (t: Tensor) => t.log(), 0, -Infinity, Infinity],
    ['log at -1', (t: Tensor) => t.log(), -1, NaN, -1],
    ['x/x at 0', (t: Tensor) => t.div(t), 0, NaN, NaN],
    ['sigmoid at 0', (t: Tensor) => t.sigmoid(), 0, 0.5, 0.25],
    ['tanh at 0', (t: Tensor) => t.tanh(), 0, 0, 1],
    ['x·inf at 0', (t: Tensor) => t.mul(Infinity), 0, NaN, Infinity],
    ['x·0 at inf', (t: Tensor) => t.mul(0), Infinity, NaN, 0],
    ['sqrt(x)·0 + x at 0 (NaN leaks through the zeroed branch)', (t: Tensor) => t.sqrt().mul(0).add(t), 0, 0, NaN],
  ])('%s', (_name, f, x, value, gradient) => {
    const [v, g] = at(f, x);
    expect(v).toBe(value);
    expect(g).toBe(gradient);
  });

  it('a**b with tensor exponents', () => {
    const grads = (x: number, y: number) => {
      const a = leaf(x), b = leaf(y);
      a.pow(b).backward();
      return [a.grad!.item(), b.grad!.item()];
    };
    expect(grads(0, 2)).toEqual([0, 0]);
    expect(grads(2, 3)[0]).toBe(12);
    expect(grads(2, 3)[1]).toBeCloseTo(8 * Math.log(2), 12);
    expect(grads(-2, 2)[0]).toBe(-4);
    expect(grads(-2, 2)[1]).toBeNaN();
    // At a = 0, b ≥ 0 PyTorch masks the exponent's gradient (b·log a) to 0, also at b = 0 where a**b = 1.
    expect(grads(0, 0)).toEqual([0, 0]);
    expect(grads(0, 0.5)).toEqual([Infinity, 0]);
    // b < 0 is not masked: a**b = inf and inf·log(0) = -inf.
    expect(grads(0, -1)[1]).toBe(-Infinity);
  });

  it('(x·x).sum().sqrt() at [0, 0] gives [nan, nan]', () => {
    const x = leaf([0, 0]);
    x.mul(x).sum().sqrt().backward();
    expect(str(x.grad)).toBe('tensor([nan, nan])');
  });
});
