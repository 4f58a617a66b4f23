// Views share storage and the version counter with their base (PyTorch's semantics), and autograd follows in-place
// ops made through them. Specifications ported from PyTorch's test/test_view_ops.py (TestViewOps) and
// test/test_autograd.py (TestAutograd, TestAutogradDeviceType); each test names the one it follows. PyTorch's
// `v[i] = x` (setitem) has no counterpart here, so writes go through an in-place op on a selected element.
import { describe, expect, it } from 'vitest';
import { RuntimeError, grad, gradcheck, noGrad, tensor, torch, type Tensor } from '../../../src/diff/autograd/index.ts';

const ones = (...shape: number[]): Tensor => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 1)).reshape(shape).clone().detach();
const arange = (n: number): Tensor => tensor(Array.from({ length: n }, (_, i) => i));
/** `t[i][j]…` as a 0-d view, for writing one element (PyTorch's `t[i, j] = value`). */
const at = (t: Tensor, ...index: number[]): Tensor => index.reduce((v, i) => v.select(0, i), t);
/** `t[i, j] = value` through the view. */
const setAt = (t: Tensor, value: number, ...index: number[]): void => {
  at(t, ...index).mul_(0).add_(value);
};
const get = (t: Tensor, ...index: number[]): number => at(t, ...index).item();

describe('views share storage with their base (test_view_ops.py)', () => {
  // is_view_of in test_view_ops.py: the view's _base is the base, and writes through the view show in the base.
  const isViewOf = (base: Tensor, v: Tensor) => v.isView() && v.base === base;

  it('test_select_view, test_narrow_view, test_unbind_view', () => {
    const t = ones(5, 5);
    const v = t.select(0, 2);
    expect(isViewOf(t, v)).toBe(true);
    setAt(v, 0, 0);
    expect(get(t, 2, 0)).toBe(0);
    const n = torch.narrow(t, 1, 2, 2); // an inner dimension: not one contiguous run
    expect(isViewOf(t, n)).toBe(true);
    setAt(n, 7, 0, 0);
    expect(get(t, 0, 2)).toBe(7);
    const z = ones(5, 5).mul(0);
    torch.unbind(z).forEach((u, idx) => {
      expect(isViewOf(z, u)).toBe(true);
      setAt(u, idx + 1, 0);
      expect(get(z, idx, 0)).toBe(idx + 1);
    });
  });

  it('test_expand_view: one element of an expanded view writes its base element', () => {
    const t = ones(5, 1);
    const v = t.expand(5, 5);
    expect(isViewOf(t, v)).toBe(true);
    setAt(v, 0, 2, 2);
    expect(get(t, 2, 0)).toBe(0);
    expect(get(v, 2, 4)).toBe(0); // every element of row 2 reads the same memory
    // the whole expanded view overlaps itself: PyTorch refuses in-place ops on it
    expect(() => v.mul_(2)).toThrow('more than one element of the written-to tensor refers to a single memory location');
  });

  it('test_transpose_view, test_t_view, test_T_view (permute)', () => {
    for (const f of [(x: Tensor) => x.transpose(0, 1), (x: Tensor) => x.t(), (x: Tensor) => x.T]) {
      const t = ones(5, 5);
      const v = f(t);
      expect(isViewOf(t, v)).toBe(true);
      setAt(v, 0, 0, 1);
      expect(get(t, 1, 0)).toBe(0);
    }
    const t3 = arange(24).reshape(2, 3, 4).clone().detach();
    const p = t3.T; // shape [4, 3, 2]
    setAt(p, -1, 3, 2, 1);
    expect(get(t3, 1, 2, 3)).toBe(-1);
  });

  it('test_squeeze_view, test_unsqueeze_view, test_view_view, test_flatten_view, test_reshape_view', () => {
    const cases: [string, (t: Tensor) => Tensor, number[], number[]][] = [
      ['squeeze', (t) => t.squeeze(), [5, 1, 5], [0, 0, 1]],
      ['squeeze(dim)', (t) => torch.squeeze(t, 1), [5, 1, 5], [0, 0, 1]],
      ['unsqueeze', (t) => t.unsqueeze(1), [5, 5], [0, 1]],
      ['view', (t) => t.view(25), [5, 5], [0, 1]],
      ['flatten', (t) => t.flatten(), [5, 5], [0, 1]],
      ['reshape', (t) => t.reshape(25), [5, 5], [0, 1]],
    ];
    for (const [, f, shape, baseIndex] of cases) {
      const t = ones(...shape);
      const v = f(t);
      expect(isViewOf(t, v)).toBe(true);
      const vi = v.dim() === 1 ? [1] : v.dim() === 2 ? [0, 1] : [0, 0, 1];
      setAt(v, 0, ...vi);
      expect(get(t, ...baseIndex)).toBe(0);
    }
  });

  it('test_view_view / test_reshape_view_semantics: views of views share the bottom base (_base)', () => {
    const t = ones(4, 6);
    const v1 = t.view(2, 12);
    const v2 = v1.narrow(1, 3, 6).t(); // a view of a view with a map
    expect(v2.base).toBe(t);
    expect(v1.base).toBe(t);
    setAt(v2, 9, 0, 1);
    expect(get(t, 2, 3)).toBe(9);
  });

  it('test_reshape_nonview, test_flatten_nonview: reshape of a layout that cannot take the shape copies; view refuses', () => {
    const t = ones(3, 4);
    const nv = t.t().reshape(12);
    expect(nv.isView()).toBe(false);
    expect(nv.gradFn).toBe(null);
    nv.mul_(5);
    expect(t.sum().item()).toBe(12);
    expect(() => t.t().view(12)).toThrow("view size is not compatible with input tensor's size and stride");
    expect(t.t().flatten().isView()).toBe(false);
    // a transposed tensor can still be viewed where strides allow (splitting a dimension)
    const split = t.t().view(2, 2, 3);
    expect(split.isView()).toBe(true);
    setAt(split, 4, 1, 1, 2);
    expect(get(t, 2, 3)).toBe(4);
    const x = leafOf([[1, 2], [3, 4]]);
    expect(x.t().reshape(4).gradFn?.name).toBe('UnsafeViewBackward0');
  });

  it('writes through the base show in every view, also in views holding a gathered copy (test_view_ops is_view_of)', () => {
    const t = arange(6).reshape(2, 3).clone().detach();
    const views = [t.t(), t.select(1, 2), t.narrow(1, 1, 2), t.view(6), t.unsqueeze(0), t.expand(2, 2, 3), t.T, t.detach()];
    t.mul_(10);
    expect(views.map((v) => v.tolist())).toEqual([
      [[0, 30], [10, 40], [20, 50]], [20, 50], [[10, 20], [40, 50]], [0, 10, 20, 30, 40, 50], [[[0, 10, 20], [30, 40, 50]]],
      [[[0, 10, 20], [30, 40, 50]], [[0, 10, 20], [30, 40, 50]]], [[0, 30], [10, 40], [20, 50]], [[0, 10, 20], [30, 40, 50]],
    ]);
    // and a write through one view shows in the others
    views[0].add_(1);
    expect(t.tolist()).toEqual([[1, 11, 21], [31, 41, 51]]);
    expect(views[1].tolist()).toEqual([21, 51]);
  });

  it('a write through one gathered view shows in another gathered view of the same base', () => {
    const t = tensor([[0, 1, 2], [3, 4, 5]]);
    const a = t.t();
    const b = t.select(1, 2);
    expect(b.tolist()).toEqual([2, 5]);
    a.add_(1);
    expect(b.tolist()).toEqual([3, 6]);
    b.mul_(10);
    expect(a.tolist()).toEqual([[1, 4], [2, 5], [30, 60]]);
  });

  it('detach() and .data of a transposed view write through to the base (PyTorch shares the storage)', () => {
    const t = tensor([[1, 2], [3, 4]]);
    const d = t.t().detach();
    expect(d.isView()).toBe(false);
    d.select(0, 1).mul_(10); // d[1] is column 1 of t
    expect(t.tolist()).toEqual([[1, 20], [3, 40]]);
    t.add_(1);
    expect(d.tolist()).toEqual([[2, 4], [21, 41]]);
    const data = t.T.data;
    data.zero_();
    expect(t.tolist()).toEqual([[0, 0], [0, 0]]);
    // recorded: a tensor that requires grad multiplied into the detached view still writes the base, which is not rebased
    const y = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const e = t.t().detach();
    e.add_(y);
    expect(t.tolist()).toEqual([[1, 3], [2, 4]]);
    expect(t.gradFn).toBe(null);
    expect(e.gradFn!.name).toBe('AddBackward0');
  });

  it('views of a detached transposed view stay outside autograd after the base is rebased', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(1);
    const d = y.t().detach();
    const views = [d.t(), d.select(1, 0), d.unsqueeze(0)];
    y.add_(1); // recorded: y's node is replaced
    for (const v of views) {
      expect(v.requiresGrad).toBe(false);
      expect(v.gradFn).toBe(null);
    }
    expect(views.map((v) => v.tolist())).toEqual([[[2, 3], [4, 5]], [2, 3], [[[2, 4], [3, 5]]]]);
    expect(() => d.view(4)).toThrow('view size is not compatible'); // not contiguous, as in PyTorch
  });

  it('flatten over one dimension returns the tensor itself, so an in-place op on it is one on the view (PyTorch returns self)', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true }).mul(1);
    const v = x.view(2, 2);
    expect(v.flatten(1, 1)).toBe(v);
  });

  it('detach() shares storage and version counter but is not a view; .data shares storage only (test_autograd test_detach, test_data_leaf)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const d = x.detach();
    expect(d.isView()).toBe(false);
    expect(d.base).toBe(null);
    expect(d.requiresGrad).toBe(false);
    d.mul_(2);
    expect(x.tolist()).toEqual([2, 4, 6]);
    expect(x.version).toBe(1);
    const data = x.data;
    data.add_(1);
    expect(x.tolist()).toEqual([3, 5, 7]);
    expect(x.version).toBe(1);
    expect(data.version).toBe(1 - 1 + 1); // its own counter: one in-place op
  });
});

function leafOf(values: number[][] | number[]): Tensor {
  return tensor(values, { requiresGrad: true });
}

describe('version counter (test_autograd.py)', () => {
  it('test_version_counter: views share it, in-place ops bump it, out-of-place ops do not', () => {
    const x = ones(2, 2);
    const v = x.view(4);
    expect([x.version, v.version]).toEqual([0, 0]);
    v.add_(1);
    expect([x.version, v.version]).toEqual([1, 1]);
    x.mul_(2);
    expect([x.version, v.version]).toEqual([2, 2]);
    x.add(1);
    expect(x.version).toBe(2);
    const t = x.t();
    t.zero_();
    expect([x.version, v.version, t.version]).toEqual([3, 3, 3]);
  });

  it('a saved tensor modified through a view refuses backward with PyTorch’s message (test_inplace_view_saved_output, test_version_counter)', () => {
    const root = leafOf([1, 2, 3]);
    const a = root.mul(1);
    const s = a.sin(); // saves a
    a.view(3).mul_(2);
    expect(() => s.sum().backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of MulBackward0, is at version 1; expected version 0 instead.',
    );
    // and through the base, for a saved view
    const b = root.mul(1);
    const bv = b.t();
    const c = bv.sin(); // saves the view
    b.add_(1);
    expect(() => c.sum().backward()).toThrow('is at version 1; expected version 0 instead');
    // a write under noGrad counts too (the optimizer's case)
    const e = root.mul(1);
    const f = e.narrow(0, 1, 2).exp().mul(e.narrow(0, 1, 2)); // mul saves the narrow view
    noGrad(() => e.select(0, 2).mul_(3));
    expect(() => f.sum().backward()).toThrow('modified by an inplace operation');
  });

  it('exp saves its output, not its input: modifying the input through a view leaves its backward valid (as PyTorch)', () => {
    const root = leafOf([1, 2]);
    const a = root.mul(1);
    const e = a.exp();
    a.view(2).mul_(2);
    e.sum().backward();
    expect(root.grad!.tolist()).toEqual([Math.exp(1), Math.exp(2)]);
  });
});

describe('the engine does not alias a gradient with a view of another (views share memory)', () => {
  it('grad() of a view and its base: the base’s gradient is not summed into the view’s', () => {
    // The view's backward hands its base a window onto the view's own gradient; in either order of the sum, the
    // base's other contribution must go to a buffer of its own.
    for (const baseFirst of [false, true]) {
      const x = tensor([1, 2, 3, 4], { requiresGrad: true });
      const y = x.mul(2);
      const z = y.view(2, 2);
      const viaView = z.mul(z).sum(), viaBase = y.sum();
      const out = baseFirst ? viaBase.add(viaView) : viaView.add(viaBase);
      const [gz, gy] = grad([out], [z, y]);
      expect(gz!.tolist()).toEqual([[4, 8], [12, 16]]);
      expect(gy!.tolist()).toEqual([5, 9, 13, 17]);
    }
  });
});

describe('autograd through in-place ops on views (test_autograd.py TestAutogradDeviceType)', () => {
  const R = () => leafOf([[0.3, -1.2], [2.5, 0.7]]);

  it('test_inplace_on_view_backprop_base', () => {
    const root = R();
    const x = root.clone();
    const v1 = x.narrow(0, 0, 1);
    v1.mul_(2);
    x.sum().backward();
    expect(root.grad!.tolist()).toEqual([[2, 2], [1, 1]]);
    expect(x.gradFn!.name).toBe('CopySlices');
    expect(v1.gradFn!.name).toBe('AsStridedBackward0');
  });

  it('test_inplace_on_view_backprop_view_of_view', () => {
    const root = R();
    const x = root.clone();
    const v1 = x.narrow(0, 0, 1);
    const v2 = x.narrow(0, 0, 1);
    v1.mul_(2);
    v2.sum().backward();
    expect(root.grad!.tolist()).toEqual([[2, 2], [0, 0]]);
  });

  it('test_inplace_on_view_of_view', () => {
    const root = R();
    const x = root.clone();
    const v1 = x.narrow(0, 0, 1);
    const v2 = v1.narrow(1, 1, 1);
    v2.mul_(2);
    x.sum().backward();
    expect(root.grad!.tolist()).toEqual([[1, 2], [1, 1]]);
  });

  it('test_inplace_on_view_non_contig (a transposed leaf; in-place on a narrow of its clone)', () => {
    const root = ones(2, 3, 2).select(2, 1).t().requiresGrad_(true);
    const x = root.clone();
    const v1 = x.narrow(0, 0, 1);
    const v2 = v1.narrow(1, 1, 1);
    v2.mul_(2);
    x.sum().backward();
    expect(root.grad!.tolist()).toEqual([[1, 2], [1, 1], [1, 1]]);
  });

  it('test_inplace_on_view_gradcheck: in-place through inner-dimension narrows passes gradcheck (and gradgradcheck)', () => {
    const a = tensor(Array.from({ length: 16 }, (_, i) => Math.sin(i + 1))).reshape(4, 4).clone().detach().requiresGrad_();
    const b = tensor([[0.5, -1.5], [2, 0.25]], { requiresGrad: true });
    const func = (root: Tensor, bb: Tensor): Tensor => {
      const x = root.clone();
      x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(bb);
      x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(bb);
      return x;
    };
    expect(gradcheck(func, [a, b])).toBe(true);
    // gradgradcheck: the gradient built with createGraph is itself differentiable and agrees with differences
    const go = tensor(Array.from({ length: 16 }, (_, i) => Math.cos(i))).reshape(4, 4);
    const firstGrads = (root: Tensor, bb: Tensor): Tensor => {
      const [ga, gb] = grad([func(root, bb)], [root, bb], { gradOutputs: [go], createGraph: true });
      return torch.cat([ga!.reshape(16), gb!.reshape(4)]);
    };
    expect(gradcheck(firstGrads, [a, b])).toBe(true);
    // hand-derived: x = root except rows 1–2 multiplied elementwise by [b b]
    a.grad = null;
    b.grad = null;
    func(a, b).sum().backward();
    const bv = b.tolist() as number[][];
    expect(a.grad!.tolist()).toEqual([[1, 1, 1, 1], [bv[0][0], bv[0][1], bv[0][0], bv[0][1]], [bv[1][0], bv[1][1], bv[1][0], bv[1][1]], [1, 1, 1, 1]]);
  });

  it('test_inplace_on_view_makes_base_require_grad', () => {
    const a = tensor(Array.from({ length: 16 }, (_, i) => i / 7 - 1)).reshape(4, 4).clone().detach();
    const b = tensor(Array.from({ length: 8 }, (_, i) => 0.3 * i - 1)).reshape(4, 2).clone().detach().requiresGrad_();
    const func = (root: Tensor, bb: Tensor): Tensor => {
      const x = root.clone();
      expect(x.requiresGrad).toBe(false);
      x.narrow(1, 2, 2).mul_(bb);
      expect(x.requiresGrad).toBe(true);
      return x;
    };
    expect(gradcheck((bb: Tensor) => func(a, bb), [b])).toBe(true);
  });

  it('test_inplace_on_view_backprop_view', () => {
    const a = tensor([2, 5]);
    const b = tensor([3], { requiresGrad: true });
    const res = a.narrow(0, 1, 1).mul_(b);
    res.sum().backward();
    expect(b.grad!.tolist()).toEqual([5]);
    expect(a.grad).toBe(null);
    expect(a.tolist()).toEqual([2, 15]);
  });

  it('test_inplace_on_view_modify_base: an in-place op on the base makes earlier views require grad', () => {
    const fn = (r: Tensor): Tensor => {
      const x = ones(5);
      const v = x.select(0, 1);
      expect(v.requiresGrad).toBe(false);
      expect(v.gradFn).toBe(null);
      x.add_(r);
      expect(v.requiresGrad).toBe(true);
      return v;
    };
    const r = tensor([1], { requiresGrad: true });
    expect(gradcheck(fn, [r])).toBe(true);
    const v = fn(r);
    v.backward();
    expect(r.grad!.tolist()).toEqual([1]);
  });

  it('test_inplace_on_view_then_no_grad: the view’s graph is rebuilt recorded even when first used under noGrad', () => {
    const a = tensor([[1], [1], [1]], { requiresGrad: true });
    const b = a.mul(2);
    const c = b.view(3, 1);
    setAt(c, 3, 0, 0);
    noGrad(() => c.gradFn);
    c.sum().backward();
    expect(a.grad!.tolist()).toEqual([[0], [2], [2]]);
  });

  it('test_inplace_on_view_multiple_outputs and test_inplace_multiple_output_view_of_view: unbind outputs refuse in-place ops', () => {
    const root = arange(9).reshape(3, 3).clone().detach().requiresGrad_();
    const x = root.clone();
    const v1 = x.unbind();
    expect(() => v1[0].mul_(2)).toThrow(RuntimeError);
    expect(() => v1[1].mul_(2)).toThrow(
      'Output 1 of UnbindBackward0 is a view and is being modified inplace. This view is the output of a function that returns multiple views.',
    );
    const c = x.view(9).unbind(0);
    expect(() => c[0].mul_(2)).toThrow('This view is the output of a function that returns multiple views.');
    // under noGrad PyTorch allows it, and the base sees the write
    noGrad(() => v1[2].mul_(0));
    expect(x.tolist()).toEqual([[0, 1, 2], [3, 4, 5], [0, 0, 0]]);
  });

  it('in-place on a view of a leaf that requires grad raises PyTorch’s error; allowed under noGrad and through .data', () => {
    const x = leafOf([1, 2, 3, 4]);
    for (const f of [(t: Tensor) => t.view(2, 2), (t: Tensor) => t.narrow(0, 1, 2), (t: Tensor) => t.view(2, 2).t(), (t: Tensor) => t.select(0, 0)]) {
      expect(() => f(x).mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
    }
    noGrad(() => x.view(2, 2).select(1, 0).mul_(10));
    expect(x.tolist()).toEqual([10, 2, 30, 4]);
    x.data.narrow(0, 0, 1).add_(1);
    expect(x.tolist()).toEqual([11, 2, 30, 4]);
  });

  it('an in-place op on a transposed view rebases its base: gradient through both equals the hand-derived one', () => {
    const w = leafOf([[1, 2, 3], [4, 5, 6]]);
    const y = w.mul(1);
    const t = y.t();
    t.mul_(tensor([[1], [2], [3]])); // scales column j of y by j+1
    expect(y.gradFn!.name).toBe('CopySlices');
    expect(y.tolist()).toEqual([[1, 4, 9], [4, 10, 18]]);
    y.pow(2).sum().backward();
    // d/dw Σ (w_ij·(j+1))² = 2·w_ij·(j+1)²
    expect(w.grad!.tolist()).toEqual([[2, 16, 54], [8, 40, 108]]);
  });

  it('mul_ by a tensor that requires grad: its gradient is the old value (PyTorch saves original_self), on a tensor and on a view', () => {
    const x = leafOf([1, 2, 3]);
    const y = leafOf([4, 5, 6]);
    const a = x.mul(1);
    const d = a.detach(); // shares the storage: sees the new value
    a.mul_(y);
    expect(d.tolist()).toEqual([4, 10, 18]);
    a.sum().backward();
    expect(y.grad!.tolist()).toEqual([1, 2, 3]);
    expect(x.grad!.tolist()).toEqual([4, 5, 6]);
    const x2 = leafOf([[1, 2], [3, 4]]);
    const y2 = leafOf([10, 20]);
    const b = x2.mul(1);
    b.t().select(0, 1).mul_(y2); // column 1 of b, a view with an index map
    expect(b.tolist()).toEqual([[1, 20], [3, 80]]);
    b.sum().backward();
    expect(y2.grad!.tolist()).toEqual([2, 4]);
    expect(x2.grad!.tolist()).toEqual([[1, 10], [1, 20]]);
  });

  it('retainGrad follows a view through an in-place op (test_retain_grad_inplace on a view)', () => {
    const x = leafOf([1, 2]);
    const a = x.mul(1);
    const v = a.view(2);
    v.retainGrad();
    v.mul_(3);
    v.sum().backward();
    expect(v.grad!.tolist()).toEqual([1, 1]);
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it('detach_() on a view is refused with PyTorch’s message', () => {
    const x = leafOf([1, 2]).mul(1);
    expect(() => x.view(2).detach_()).toThrow("Can't detach views in-place. Use detach() instead.");
  });
});
