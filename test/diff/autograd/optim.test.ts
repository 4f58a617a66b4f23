// optim.SGD and optim.Adam against torch.optim's update formulas, written out here step by step; nn.Linear's init; a training run.
import { describe, expect, it } from 'vitest';
import { Generator, manualSeed, nn, optim, tensor, type Tensor } from '../../../src/diff/autograd/index.ts';

/** A parameter p with loss Σ c·p² + Σ d·p, so its gradient at each step is 2c·p + d, known in closed form. */
function problem() {
  const p = tensor([1.5, -0.5, 2], { requiresGrad: true });
  const c = [1, 3, 0.5], d = [0.2, -1, 0];
  const gradAt = (x: readonly number[]) => x.map((v, i) => 2 * c[i] * v + d[i]);
  const loss = () => p.pow(2).mul(tensor(c)).add(p.mul(tensor(d))).sum();
  return { p, gradAt, loss };
}

function run(opt: optim.Optimizer, p: Tensor, loss: () => Tensor, steps: number): number[][] {
  const trace: number[][] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
    trace.push(p.tolist() as number[]);
  }
  return trace;
}

describe('optim.SGD follows torch.optim.sgd', () => {
  const cases = [
    { lr: 0.1 },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.3 },
    { lr: 0.05, momentum: 0.8, nesterov: true },
    { lr: 0.1, momentum: 0.5, weightDecay: 0.01 },
    { lr: 0.1, maximize: true },
  ];
  it.each(cases)('%o', (options) => {
    const { p, gradAt, loss } = problem();
    const trace = run(new optim.SGD([p], options), p, loss, 4);
    // The reference: the formulas of torch/optim/sgd.py (_single_tensor_sgd), on plain numbers.
    let x = [1.5, -0.5, 2];
    let buf: number[] | null = null;
    const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = options as Record<string, never> & typeof options;
    for (let s = 0; s < 4; s++) {
      let dp = gradAt(x).map((g) => (maximize ? -g : g));
      if (weightDecay !== 0) dp = dp.map((g, i) => g + weightDecay * x[i]);
      if (momentum !== 0) {
        // The first step copies d_p into the buffer: no dampening on step 1.
        buf = buf === null ? [...dp] : buf.map((b, i) => b * momentum + (1 - dampening) * dp[i]);
        dp = nesterov ? dp.map((g, i) => g + momentum * buf![i]) : buf;
      }
      x = x.map((v, i) => v + -lr * dp[i]);
      expect(trace[s]).toEqual(x);
    }
  });

  it('rejects invalid options with PyTorch’s messages', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([p], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.SGD([p], { momentum: -1 })).toThrow('Invalid momentum value: -1');
    expect(() => new optim.SGD([p], { nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.SGD([], {})).toThrow('empty parameter list');
    expect(() => new optim.SGD([p.mul(2)])).toThrow("can't optimize a non-leaf Tensor");
  });
});

describe('optim.Adam follows torch.optim.adam', () => {
  const cases = [{ lr: 0.1 }, { lr: 0.01, betas: [0.8, 0.99] as const }, { lr: 0.1, weightDecay: 0.1 }, { lr: 0.3, amsgrad: true }, { lr: 0.1, eps: 1e-3 }];
  it.each(cases)('%o', (options) => {
    const { p, gradAt, loss } = problem();
    const trace = run(new optim.Adam([p], options), p, loss, 5);
    const { lr, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false } = options as { lr: number; betas?: readonly [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean };
    const [b1, b2] = betas;
    let x = [1.5, -0.5, 2];
    let m = [0, 0, 0], v = [0, 0, 0], vmax = [0, 0, 0];
    for (let t = 1; t <= 5; t++) {
      let g = gradAt(x);
      if (weightDecay !== 0) g = g.map((gi, i) => gi + weightDecay * x[i]);
      // exp_avg.lerp_(grad, 1 - beta1): weight 1 − β₁ < 0.5 takes lerp's first branch.
      m = m.map((mi, i) => mi + (1 - b1) * (g[i] - mi));
      v = v.map((vi, i) => vi * b2 + (1 - b2) * g[i] * g[i]);
      vmax = vmax.map((vm, i) => Math.max(vm, v[i]));
      // Bias correction: step_size = lr / (1 − β₁ᵗ), denom = √v / √(1 − β₂ᵗ) + eps.
      const stepSize = lr / (1 - b1 ** t);
      const c2 = Math.sqrt(1 - b2 ** t);
      x = x.map((xi, i) => xi + (-stepSize * m[i]) / (Math.sqrt(amsgrad ? vmax[i] : v[i]) / c2 + eps));
      expect(trace[t - 1]).toEqual(x);
    }
  });

  it('the first step moves each coordinate by about lr (bias correction undoes the zero start)', () => {
    const { p, loss } = problem();
    const before = p.tolist() as number[];
    run(new optim.Adam([p], { lr: 0.01 }), p, loss, 1);
    (p.tolist() as number[]).forEach((x, i) => expect(Math.abs(x - before[i])).toBeCloseTo(0.01, 8));
  });

  it('rejects invalid options', () => {
    const p = tensor([1], { requiresGrad: true });
    expect(() => new optim.Adam([p], { betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new optim.Adam([p], { eps: -1 })).toThrow('Invalid epsilon value: -1');
  });
});

describe('zeroGrad and the step’s side effects', () => {
  it('setToNone defaults to true (PyTorch ≥ 2.0); false zeroes in place', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.mul(3).sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect([p.grad, g.tolist()]).toEqual([g, [0, 0]]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  it('a parameter without a gradient is skipped; a graph saved before the step refuses to backward after it', () => {
    const a = tensor([1], { requiresGrad: true }), b = tensor([1], { requiresGrad: true });
    const y = a.mul(b).sum();
    a.mul(2).sum().backward();
    new optim.SGD([a, b], { lr: 1 }).step();
    expect([a.tolist(), b.tolist()]).toEqual([[-1], [1]]);
    expect(() => y.backward()).toThrow('modified by an inplace operation');
  });
});

describe('nn', () => {
  it('Linear: PyTorch’s default init bounds, seeded, weight before bias', () => {
    const layer = new nn.Linear(16, 4, { generator: new Generator(7) });
    const again = new nn.Linear(16, 4, { generator: new Generator(7) });
    expect(layer.weight.tolist()).toEqual(again.weight.tolist());
    expect(layer.weight.shape).toEqual([4, 16]);
    for (const t of [layer.weight, layer.bias!]) {
      const v = t.toFloat64Array();
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.15);
    }
    const g = new Generator(7);
    expect(layer.weight.toFloat64Array()[0]).toBe(g.uniform(-0.25, 0.25));
    manualSeed(3);
    const a = new nn.Linear(2, 2).weight.tolist();
    manualSeed(3);
    expect(new nn.Linear(2, 2).weight.tolist()).toEqual(a);
  });

  it('Sequential: parameters in order, named, each once; prints like PyTorch', () => {
    const shared = new nn.Linear(2, 2);
    const model = new nn.Sequential(shared, new nn.ReLU(), new nn.Linear(2, 1, { bias: false }), shared);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(model.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
    expect(String(new nn.Sequential(new nn.Linear(3, 2), new nn.Tanh()))).toBe(
      'Sequential(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): Tanh()\n)',
    );
  });

  it('a training run on XOR reaches a cross-entropy below 0.01', () => {
    const model = new nn.Sequential(new nn.Linear(2, 8, { generator: new Generator(1) }), new nn.Tanh(), new nn.Linear(8, 2, { generator: new Generator(2) }));
    const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
    const X = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const Y = tensor([0, 1, 1, 0], { dtype: 'int64' });
    let first = 0, last = 0;
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      const loss = nn.functional.crossEntropy(model.forward(X), Y);
      loss.backward();
      opt.step();
      if (i === 0) first = loss.item();
      last = loss.item();
    }
    expect(first).toBeGreaterThan(0.5);
    expect(last).toBeLessThan(0.01);
    expect(model.forward(X).argmax(1).tolist()).toEqual([0, 1, 1, 0]);
  });
});
