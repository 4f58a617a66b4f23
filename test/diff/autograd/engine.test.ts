// The engine's semantics (reference §1–§6, §8): accumulation, release of saved values, createGraph, inputs, grad(), hooks, modes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RuntimeError, ValueError, backward, enableGrad, grad, isGradEnabled, noGrad, setGradEnabled, setWarningListener, tensor, torch,
  type Tensor,
} from '../../../src/diff/autograd/index.ts';

const leaf = (v: number | number[]) => tensor(v, { requiresGrad: true });
const str = (t: Tensor | null) => (t === null ? 'None' : t.toString());

let warnings: string[] = [];
beforeEach(() => {
  warnings = [];
  setWarningListener((m) => warnings.push(m));
});
afterEach(() => {
  setWarningListener(null);
});

describe('backward', () => {
  it('seeds ones only for one-element outputs (shapes (), (1,), (1,1))', () => {
    const t = tensor([[1]], { requiresGrad: true });
    t.mul(2).backward();
    expect(str(t.grad)).toBe('tensor([[2.]])');
    const v = leaf([1, 2, 3]);
    expect(() => v.mul(2).backward()).toThrow(new RuntimeError('grad can be implicitly created only for scalar outputs'));
  });

  it('takes a gradient of the output’s shape (the vector of the VJP) and names both shapes otherwise', () => {
    const v = leaf([1, 2, 3]);
    v.mul(v).backward(tensor([1, 0, 2]));
    expect(str(v.grad)).toBe('tensor([ 2.,  0., 12.])');
    expect(() => v.mul(2).backward(tensor([1, 1]))).toThrow(
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).',
    );
    const x = leaf(2);
    expect(() => x.mul(2).backward(2 as never)).toThrow(new TypeError("'float' object is not iterable"));
  });

  it('refuses a tensor that does not require grad', () => {
    const message = 'element 0 of tensors does not require grad and does not have a grad_fn';
    expect(() => tensor(3).backward()).toThrow(message);
    expect(() => tensor(3).mul(2).backward()).toThrow(message);
    const x = leaf(2);
    expect(() => noGrad(() => x.mul(2)).backward()).toThrow(message);
  });

  it('accumulates into leaves across calls and across the paths of one call', () => {
    const x = leaf(3);
    const a = x.mul(2), b = x.exp();
    a.mul(b).backward(); // diamond: d(2x·eˣ) = 2eˣ + 2x·eˣ
    expect(x.grad!.item()).toBeCloseTo(2 * Math.exp(3) + 6 * Math.exp(3), 10);
    expect(str(x.grad)).toBe('tensor(160.6843)');
    const y = leaf(5);
    y.mul(y).backward(); // x * x: both edges lead to the same leaf
    expect(str(y.grad)).toBe('tensor(10.)');
    y.mul(y).backward();
    expect(str(y.grad)).toBe('tensor(20.)');
  });

  it('y = y + y forty times gives 2⁴⁰ (each node runs once, after its contributions are summed)', () => {
    const x = leaf(2);
    let y: Tensor = x;
    for (let i = 0; i < 40; i++) y = y.add(y);
    y.backward();
    expect(str(x.grad)).toBe('tensor(1.0995e+12)');
    expect(x.grad!.item()).toBe(2 ** 40);
  });

  it('runs a 1,000,000-op chain with the default stack', () => {
    const x = leaf(1);
    let y: Tensor = x;
    for (let i = 0; i < 1_000_000; i++) y = y.mul(1.000001);
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(Math.pow(1.000001, 1_000_000), 9);
  });

  it('releases saved values: a second pass through a node that saves raises; add/sub/neg/sum/mean save nothing', () => {
    const x = leaf(2);
    const y = x.add(1);
    y.backward();
    y.backward();
    expect(str(x.grad)).toBe('tensor(2.)');
    const s = leaf([1, 2]);
    const t = s.sub(1).neg().sum().add(s.mean());
    t.backward();
    t.backward();
    expect(str(s.grad)).toBe('tensor([-1., -1.])');
    const m = x.mul(2);
    m.backward();
    expect(() => m.backward()).toThrow(/^Trying to backward through the graph a second time/);
  });

  it('retainGraph keeps the values and the next backward accumulates', () => {
    const x = leaf(2);
    const y = x.pow(2);
    y.backward({ retainGraph: true });
    y.backward({ retainGraph: true });
    y.backward();
    expect(str(x.grad)).toBe('tensor(12.)');
    expect(() => y.backward()).toThrow(RuntimeError);
  });

  it('createGraph makes gradients differentiable: x³ gives 12 with CopyBackwards, then 12 again', () => {
    const x = leaf(2);
    x.pow(3).backward({ createGraph: true });
    expect(str(x.grad)).toBe('tensor(12., grad_fn=<CopyBackwards>)');
    expect(warnings.some((w) => w.startsWith('Using backward() with create_graph=True will create a reference cycle'))).toBe(true);
    const g = x.grad!;
    x.grad = null;
    g.backward();
    expect(str(x.grad)).toBe('tensor(12.)');
  });

  it('createGraph accumulates out of place, recorded (AddBackward0)', () => {
    const x = leaf(2);
    x.pow(2).backward({ createGraph: true });
    x.pow(2).backward({ createGraph: true });
    expect(str(x.grad)).toBe('tensor(8., grad_fn=<AddBackward0>)');
    const z = leaf(2);
    z.mul(3).backward({ createGraph: true });
    expect(str(z.grad)).toBe('tensor(3.)'); // a constant gradient needs no graph
  });

  it('inputs= accumulates only into the listed tensors, leaves or not', () => {
    const a = leaf(1), b = leaf(2);
    a.mul(b).backward({ inputs: [a] });
    expect([str(a.grad), str(b.grad)]).toEqual(['tensor(2.)', 'None']);
    const x = leaf(2);
    const y = x.mul(3);
    y.mul(y).backward({ inputs: [y] });
    expect([str(y.grad), str(x.grad)]).toEqual(['tensor(12.)', 'None']);
    expect(() => a.mul(2).backward({ inputs: [] })).toThrow("'inputs' argument to backward() cannot be empty.");
  });

  it('backward([...]) sums several outputs', () => {
    const a = leaf(1);
    backward([a.mul(2), a.mul(3)]);
    expect(str(a.grad)).toBe('tensor(5.)');
  });

  it('works inside noGrad (grad mode only controls recording)', () => {
    const x = leaf(2);
    const y = x.pow(2);
    noGrad(() => y.backward());
    expect(str(x.grad)).toBe('tensor(4.)');
  });
});

describe('grad()', () => {
  it('returns a tuple-like list in input order without touching .grad', () => {
    const x = leaf(2), y = leaf(2);
    const z = x.pow(3).add(y.pow(2));
    const [gx, gy] = grad(z, [x, y]);
    expect([str(gx), str(gy)]).toEqual(['tensor(12.)', 'tensor(4.)']);
    expect([x.grad, y.grad]).toEqual([null, null]);
    const w = leaf(2);
    expect(grad(w, w).map(str)).toEqual(['tensor(1.)']);
    expect(grad([w.mul(2), w.mul(3)], [w]).map(str)).toEqual(['tensor(5.)']);
  });

  it('orders shared nodes reached at different depths (x + (x + x), diamonds) before their users', () => {
    const x = leaf(0.5);
    expect(grad(x.add(x.add(x)), x).map(str)).toEqual(['tensor(3.)']);
    const a = x.mul(2);
    const d = a.mul(a.exp()).add(a);
    expect(grad(d, [x, a]).map((t) => t!.item())).toEqual([
      2 * (Math.exp(1) + Math.exp(1)) + 2,
      Math.exp(1) + Math.exp(1) + 1,
    ]);
    const y = leaf(0.5);
    y.add(y.add(y)).backward({ inputs: [y] });
    expect(str(y.grad)).toBe('tensor(3.)');
  });

  it('differentiates with respect to non-leaves', () => {
    const x = leaf(2);
    const h = x.mul(3);
    expect(grad(h.pow(2), h).map(str)).toEqual(['tensor(12.)']);
  });

  it('refuses unused inputs unless allowUnused, after checking that inputs require grad', () => {
    const x = leaf(2), y = leaf(3);
    expect(() => grad(x.pow(2), [x, y])).toThrow(
      'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
    );
    expect(grad(x.pow(2), [x, y], { allowUnused: true }).map(str)).toEqual(['tensor(4.)', 'None']);
    expect(() => grad(x.pow(2), [tensor(1), y])).toThrow('One of the differentiated Tensors does not require grad');
    expect(() => grad(x.pow(2), [])).toThrow(new ValueError('grad requires non-empty inputs.'));
  });

  it('createGraph gives a differentiable result: x³ → 12 (MulBackward0) → 12', () => {
    const x = leaf(2);
    const [g] = grad(x.pow(3), x, { createGraph: true });
    expect(str(g)).toBe('tensor(12., grad_fn=<MulBackward0>)');
    expect(grad(g!, x).map(str)).toEqual(['tensor(12.)']);
    const v = leaf([1, 2]);
    const [gv] = grad(v.mul(v).sum(), v, { createGraph: true });
    expect(str(gv)).toBe('tensor([2., 4.], grad_fn=<AddBackward0>)');
    gv!.sum().backward();
    expect(str(v.grad)).toBe('tensor([2., 2.])');
  });

  it('third derivatives come for free: d³/dx³ sin x = −cos x', () => {
    const x = leaf(0.7);
    const [g1] = grad(x.sin(), x, { createGraph: true });
    const [g2] = grad(g1!, x, { createGraph: true });
    const [g3] = grad(g2!, x);
    expect(g3!.item()).toBeCloseTo(-Math.cos(0.7), 14);
  });

  it('frees the graph unless retainGraph', () => {
    const x = leaf(2);
    const y = x.pow(2);
    grad(y, x);
    expect(() => grad(y, x)).toThrow(/^Trying to backward through the graph a second time/);
  });
});

describe('.grad, retainGrad, requiresGrad, detach', () => {
  it('a leaf outside the graph keeps None; a zero path gives 0', () => {
    const x = leaf(-1), u = leaf(5);
    x.relu().backward();
    expect([str(x.grad), str(u.grad)]).toEqual(['tensor(0.)', 'None']);
  });

  it('a non-leaf’s .grad is None with PyTorch’s warning, unless retainGrad', () => {
    const x = leaf(2);
    const h = x.mul(3);
    const z = h.mul(h);
    expect(h.grad).toBeNull();
    expect(warnings[0]).toMatch(/^The \.grad attribute of a Tensor that is not a leaf Tensor is being accessed/);
    h.retainGrad();
    z.backward({ retainGraph: true });
    z.backward();
    expect([str(h.grad), h.retainsGrad, x.retainsGrad]).toEqual(['tensor(24.)', true, false]);
    expect(() => tensor(1).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
  });

  it('assigning .grad checks shape and type', () => {
    const x = leaf(2);
    expect(() => {
      x.grad = tensor([1, 2]);
    }).toThrow('assigned grad has data of a different size');
    expect(() => {
      x.grad = 2 as never;
    }).toThrow(new TypeError('assigned grad expected to be a Tensor or None but got grad of typefloat'));
    x.grad = tensor(5);
    x.mul(2).backward();
    expect(str(x.grad)).toBe('tensor(7.)');
  });

  it('requiresGrad flags change only on leaves, and a result keeps the flag it was made with', () => {
    const x = leaf(2);
    const y = x.mul(2);
    expect(() => {
      y.requiresGrad = false;
    }).toThrow(
      "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
    );
    expect(() => {
      y.requiresGrad = true;
    }).toThrow(/^you can only change requires_grad flags of leaf variables\.$/);
    expect(y.requiresGrad_(true)).toBe(y);
    expect(() => y.requiresGrad_(false)).toThrow(RuntimeError);
    const a = tensor(1);
    const b = a.mul(2);
    a.requiresGrad_();
    expect([b.requiresGrad, a.requiresGrad, a.isLeaf]).toEqual([false, true, true]);
  });

  it('detach() gives a leaf sharing storage through which no gradient flows', () => {
    const x = leaf(1);
    const d = x.detach();
    expect([d.requiresGrad, d.isLeaf, d.gradFn]).toEqual([false, true, null]);
    d.add_(1);
    expect(str(x)).toBe('tensor(2., requires_grad=True)');
    const y = x.mul(d);
    y.backward();
    expect(str(x.grad)).toBe('tensor(2.)');
  });

  it('item() and tolist()', () => {
    expect(tensor([[1, 2], [3, 4]]).tolist()).toEqual([[1, 2], [3, 4]]);
    expect(tensor(2.5).tolist()).toBe(2.5);
    expect(tensor([7]).item()).toBe(7);
    expect(() => tensor([1, 2]).item()).toThrow(new ValueError('only one element tensors can be converted to Python scalars'));
  });
});

describe('in-place ops', () => {
  it('refuse a leaf that requires grad, unless under noGrad', () => {
    const x = leaf(2);
    const message = 'a leaf Variable that requires grad is being used in an in-place operation.';
    expect(() => x.add_(1)).toThrow(message);
    expect(() => x.zero_()).toThrow(message);
    x.pow(2).backward();
    noGrad(() => x.sub_(x.grad!.mul(0.025)));
    expect(str(x)).toBe('tensor(1.9000, requires_grad=True)');
    expect(x.isLeaf).toBe(true);
  });

  it('on a non-leaf replace its grad_fn; the old node stays in the graph', () => {
    const x = leaf(2);
    const y = x.mul(2);
    y.add_(1);
    expect(str(y)).toBe('tensor(5., grad_fn=<AddBackward0>)');
    expect(y.gradFn!.nextFunctions.map(([f]) => f?.name ?? null)).toEqual(['MulBackward0', null]);
    y.backward();
    expect(str(x.grad)).toBe('tensor(2.)');
  });

  it('mul_ by a tensor that requires grad uses the value before the update', () => {
    const x = leaf(2), w = leaf(4);
    const a = x.mul(1);
    a.mul_(w);
    a.backward();
    expect([str(x.grad), str(w.grad)]).toEqual(['tensor(4.)', 'tensor(2.)']);
  });

  it('a saved value modified in place makes backward refuse, with PyTorch’s version message', () => {
    const x = leaf(2), w = leaf(3);
    const y = x.mul(w);
    noGrad(() => w.add_(1));
    expect(() => y.backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor []] is at version 1; ' +
        'expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
    );
    const e = x.exp();
    e.add_(1);
    expect(() => e.backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor []], which is output 0 of ExpBackward0, is at version 1; ' +
        'expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).',
    );
  });

  it('check the broadcast shape against their own', () => {
    expect(() => tensor([1, 1]).add_(tensor([[1, 1], [1, 1]]))).toThrow("output with shape [2] doesn't match the broadcast shape [2, 2]");
    expect(str(tensor([1, 2]).mul_(3))).toBe('tensor([3., 6.])');
  });

  it('zero_ on a recorded non-leaf records ZeroBackward0', () => {
    const x = leaf(2);
    expect(str(x.mul(2).zero_())).toBe('tensor(0., grad_fn=<ZeroBackward0>)');
  });
});

describe('hooks (reference §8)', () => {
  it('fire once per backward with the summed gradient', () => {
    const x = leaf(2);
    const a = x.mul(3);
    const seen: string[] = [];
    a.registerHook((g) => {
      seen.push(str(g));
    });
    a.mul(a).add(a).backward();
    expect(seen).toEqual(['tensor(13.)']);
    expect(str(x.grad)).toBe('tensor(39.)');
  });

  it('replace the gradient with what they return, on leaves before accumulation', () => {
    const x = leaf(2);
    x.registerHook((g) => g.mul(0));
    x.mul(5).backward();
    expect(str(x.grad)).toBe('tensor(0.)');
    const u = leaf(2);
    const y = u.mul(3);
    y.registerHook((g) => g.mul(10));
    y.pow(2).backward();
    expect(str(u.grad)).toBe('tensor(360.)');
  });

  it('chain in registration order and can be removed', () => {
    const x = leaf(2);
    const h1 = x.registerHook((g) => g.mul(2));
    x.registerHook((g) => g.add(1));
    x.mul(3).backward();
    expect(str(x.grad)).toBe('tensor(7.)');
    h1.remove();
    x.grad = null;
    x.mul(3).backward();
    expect(str(x.grad)).toBe('tensor(4.)');
  });

  it('retainGrad runs in registration order among the hooks (PyTorch 1.13)', () => {
    const x = leaf(2);
    const a = x.mul(3);
    a.retainGrad();
    a.registerHook((g) => g.mul(10));
    a.mul(a).backward();
    expect([str(a.grad), str(x.grad)]).toEqual(['tensor(12.)', 'tensor(360.)']);
  });

  it('cannot be registered on a tensor that does not require grad', () => {
    expect(() => tensor(1).registerHook(() => undefined)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
  });
});

describe('grad modes', () => {
  it('noGrad results are plain leaves; leaves made inside keep requiresGrad', () => {
    const x = leaf(2);
    noGrad(() => {
      const y = x.mul(2);
      expect([y.requiresGrad, y.gradFn, y.isLeaf, str(y)]).toEqual([false, null, true, 'tensor(4.)']);
      expect(tensor(1, { requiresGrad: true }).requiresGrad).toBe(true);
      expect(isGradEnabled()).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('nest as a stack and restore the mode when the function throws', () => {
    const x = leaf(2);
    expect(() =>
      noGrad(() => {
        expect(str(enableGrad(() => x.mul(2)))).toBe('tensor(4., grad_fn=<MulBackward0>)');
        expect(isGradEnabled()).toBe(false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('setGradEnabled switches until switched back, or scopes a function', () => {
    const x = leaf(2);
    setGradEnabled(false);
    try {
      expect(x.mul(2).requiresGrad).toBe(false);
    } finally {
      setGradEnabled(true);
    }
    expect(setGradEnabled(false, () => x.mul(2).requiresGrad)).toBe(false);
    expect(isGradEnabled()).toBe(true);
  });
});

describe('gradFn graph', () => {
  it('x*x lists the same AccumulateGrad twice; unary ops and scalar overloads list one edge', () => {
    const x = leaf(2);
    const names = (t: Tensor) => t.gradFn!.nextFunctions.map(([f, i]) => `${f?.name ?? 'None'}:${i}`);
    expect(names(x.mul(x))).toEqual(['AccumulateGrad:0', 'AccumulateGrad:0']);
    expect(x.mul(x).gradFn!.nextFunctions[0][0]).toBe(x.mul(2).gradFn!.nextFunctions[0][0]);
    expect(names(x.exp())).toEqual(['AccumulateGrad:0']);
    expect(names(torch.sub(2, x))).toEqual(['AccumulateGrad:0']);
    expect(names(x.pow(2))).toEqual(['AccumulateGrad:0']);
    expect(names(x.sub(2))).toEqual(['AccumulateGrad:0', 'None:0']);
    expect(names(torch.pow(2, x))).toEqual(['None:0', 'AccumulateGrad:0']);
    expect(names(x.pow(2).exp())).toEqual(['PowBackward0:0']);
  });
});
