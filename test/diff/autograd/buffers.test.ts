// The backward's gradient buffers: overwritten in place, handed on and recycled only while no tensor the user can reach holds them.
import { describe, expect, it } from 'vitest';
import { grad, tensor, type Tensor } from '../../../src/diff/autograd/index.ts';
import { engineStats } from '../../../src/diff/autograd/engine.ts';

// Above the pool's minimum length, so recycling is exercised.
const n = 1000;
const values = (seed: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * seed + 1));
const leaf = (seed: number) => tensor(values(seed), { requiresGrad: true });
const arr = (t: Tensor | null) => t!.toFloat64Array();

/** d/dx Σ tanh(x·w + b)² at each element (the reference). */
function chainGrads(x: Float64Array, w: Float64Array, b: Float64Array) {
  const gw = new Float64Array(n), gb = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = x[i] * w[i] + b[i];
    const t = Math.tanh(u);
    const d = 2 * t / Math.cosh(u) ** 2;
    gw[i] = d * x[i];
    gb[i] = d;
  }
  return { gw, gb };
}

function expectClose(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(1e-14);
}

describe('gradient buffers of the elementwise backward', () => {
  it('a chain of unary ops allocates no gradient array: each node’s is overwritten in place and handed on', () => {
    const x = leaf(1);
    const run = () => x.tanh().exp().sin().mul(3).sub(1).pow(2).sum().backward();
    run();
    x.grad = null;
    engineStats.freshBuffers = 0;
    run();
    // sum's VJP makes the first array; six elementwise nodes pass it down to the leaf, which keeps it as .grad.
    expect(engineStats.freshBuffers).toBe(0);
    const xs = values(1);
    const expected = xs.map((v) => {
      const t = Math.tanh(v), e = Math.exp(t), s = Math.sin(e);
      return 2 * (3 * s - 1) * 3 * Math.cos(e) * e / Math.cosh(v) ** 2;
    });
    expectClose(arr(x.grad), expected);
  });

  it('the chain of the benchmark gives the reference gradients, and .grad from one pass survives the next passes', () => {
    const X = tensor(values(1)), W = leaf(2), B = leaf(3);
    const { gw, gb } = chainGrads(values(1), values(2), values(3));
    const kept: Float64Array[][] = [];
    for (let pass = 0; pass < 4; pass++) {
      W.grad = null;
      B.grad = null;
      X.mul(W).add(B).tanh().pow(2).sum().backward();
      kept.push([arr(W.grad), arr(B.grad)]);
      // The tensors themselves (not copies) must keep their values while later passes recycle buffers.
      kept[pass].push(W.grad!.toFloat64Array());
    }
    const grads = [W.grad!, B.grad!];
    X.mul(W).add(B).tanh().pow(2).sum().backward(); // accumulates into the same .grad tensors
    for (const [w, b] of kept) {
      expectClose(w, gw);
      expectClose(b, gb);
    }
    expectClose(arr(grads[0]), gw.map((v) => 2 * v));
    expectClose(arr(grads[1]), gb.map((v) => 2 * v));
  });

  it('keeps .grad tensors of earlier passes unchanged when their buffers could be reused', () => {
    const x = leaf(1);
    const olds: Tensor[] = [];
    for (let pass = 0; pass < 5; pass++) {
      x.grad = null;
      x.mul(2).tanh().sum().backward();
      olds.push(x.grad!);
    }
    const expected = values(1).map((v) => 2 / Math.cosh(2 * v) ** 2);
    for (const g of olds) expectClose(arr(g), expected);
    // Each pass's .grad is its own array.
    expect(new Set(olds.map((g) => g.toFloat64Array().buffer)).size).toBe(olds.length);
  });

  it('a shared operand (x·x, x + x) gets both contributions: the node’s gradient is not overwritten before the second input reads it', () => {
    const x = leaf(1);
    x.mul(x).tanh().sum().backward();
    const xs = values(1);
    expectClose(arr(x.grad), xs.map((v) => 2 * v / Math.cosh(v * v) ** 2));
    const y = leaf(2);
    y.add(y).exp().sum().backward();
    expectClose(arr(y.grad), values(2).map((v) => 2 * Math.exp(2 * v)));
    const z = leaf(3);
    z.sin().add(z.cos()).mul(z).sum().backward(); // (sin z + cos z)·z: z reached along three paths
    expectClose(arr(z.grad), values(3).map((v) => (Math.cos(v) - Math.sin(v)) * v + Math.sin(v) + Math.cos(v)));
  });

  it('a hook and retainGrad see the node’s gradient, and what they kept is not overwritten by the rest of the pass or the next one', () => {
    const x = leaf(1);
    const seen: Float64Array[] = [];
    const seenTensors: Tensor[] = [];
    const h = x.mul(3);
    h.registerHook((g) => {
      seenTensors.push(g);
      seen.push(g.toFloat64Array());
    });
    const t = h.tanh();
    t.retainGrad();
    t.pow(2).sum().backward({ retainGraph: true });
    const xs = values(1);
    const tGrad = xs.map((v) => 2 * Math.tanh(3 * v));
    const hGrad = xs.map((v) => 2 * Math.tanh(3 * v) / Math.cosh(3 * v) ** 2);
    expectClose(arr(t.grad), tGrad);
    expectClose(seen[0], hGrad);
    expectClose(arr(x.grad), hGrad.map((v) => 3 * v));
    t.pow(2).sum().backward();
    expectClose(arr(seenTensors[0]), hGrad); // the hook's tensor from the first pass is untouched
    expectClose(arr(t.grad), tGrad.map((v) => 2 * v));
  });

  it('grad() of an intermediate hands out a gradient that later passes do not overwrite', () => {
    const x = leaf(1);
    const u = x.mul(2);
    const [gu] = grad(u.sin().sum(), u, { retainGraph: true });
    const expected = values(1).map((v) => Math.cos(2 * v));
    expectClose(arr(gu), expected);
    for (let i = 0; i < 3; i++) x.mul(5).exp().sum().backward();
    expectClose(arr(gu), expected);
  });

  it('a number operand is specialised on in the loops, with the same values as at run time (x**2, x**0.5, 2 - x, x**0 at 0)', () => {
    const x = tensor(values(1).map(Math.abs), { requiresGrad: true });
    x.pow(2).add(x.pow(0.5)).add(x.rsub(2)).sum().backward();
    expectClose(arr(x.grad), values(1).map((v) => 2 * Math.abs(v) + 0.5 * Math.pow(Math.abs(v), -0.5) - 1));
    const z = tensor(new Float64Array(n), { requiresGrad: true });
    z.pow(0).sum().backward();
    expect(Array.from(arr(z.grad)).every((v) => v === 0)).toBe(true); // the table's x**0 rule, not 0·∞
    const w = tensor(values(2), { requiresGrad: true });
    w.pow(2.7).sum().backward(); // a constant outside the specialised set goes through the run-time loop
    expect(arr(w.grad)[3]).toBe(2.7 * Math.pow(values(2)[3], 1.7));
  });
});
