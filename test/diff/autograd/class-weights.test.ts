// nllLoss / crossEntropy class weights (PyTorch's `weight`): values and gradients against the hand formulas, and gradcheck.
//
// With w the class weights, t the targets and x the log-probabilities (PyTorch's nll_loss documentation):
//   l_i = −w[t_i]·x[i, t_i]; 'sum' = Σ l_i; 'mean' = Σ l_i / Σ_{i not ignored} w[t_i]; 'none' = (l_i).
import { describe, expect, it } from 'vitest';
import { RuntimeError, gradcheck, nn, tensor, type Tensor } from '../../../src/diff/autograd/index.ts';

const F = nn.functional;
const X = [[-0.3, -1.2, -2.5], [-1.7, -0.4, -0.9], [-0.2, -2.2, -1.1], [-1.0, -0.6, -3.0]];
const leaf = () => tensor(X, { requiresGrad: true });
const w = [0.5, 2, 3];
const t = [2, 0, 2, 1];

describe('nllLoss with class weights', () => {
  it('matches the hand formulas for mean (divided by the summed target weights), sum and none', () => {
    const per = t.map((c, i) => -w[c] * X[i][c]);
    const sum = per.reduce((a, b) => a + b, 0);
    const weightSum = t.reduce((a, c) => a + w[c], 0); // 3 + 0.5 + 3 + 2 = 8.5, not the count 4
    expect(F.nllLoss(tensor(X), t, { weight: w, reduction: 'none' }).tolist()).toEqual(per.map((v) => expect.closeTo(v, 15)));
    expect(F.nllLoss(tensor(X), t, { weight: tensor(w), reduction: 'sum' }).item()).toBeCloseTo(sum, 14);
    expect(F.nllLoss(tensor(X), t, { weight: tensor(w) }).item()).toBeCloseTo(sum / weightSum, 14);
    expect(weightSum).toBe(8.5);
  });

  it('ignoreIndex drops a target from both the sum and the weight total', () => {
    const tt = [2, -100, 2, 1];
    const kept = [0, 2, 3];
    const sum = kept.reduce((a, i) => a - w[tt[i]] * X[i][tt[i]], 0);
    const weightSum = kept.reduce((a, i) => a + w[tt[i]], 0);
    expect(F.nllLoss(tensor(X), tt, { weight: w }).item()).toBeCloseTo(sum / weightSum, 14);
    const other = [2, 0, 2, 1];
    expect(F.nllLoss(tensor(X), other, { weight: w, ignoreIndex: 0 }).item()).toBeCloseTo(sum / weightSum, 14);
  });

  it('has gradient −w[t_i]/Σw at [i, t_i] for mean, −w[t_i]·g_i for none, and 0 elsewhere', () => {
    const x = leaf();
    F.nllLoss(x, t, { weight: w }).backward();
    const expected = X.map((row) => row.map(() => 0));
    t.forEach((c, i) => (expected[i][c] = -w[c] / 8.5));
    expect(x.grad!.tolist()).toEqual(expected.map((row) => row.map((v) => expect.closeTo(v, 15))));
    const y = leaf();
    const g = tensor([1, -2, 0.5, 3]);
    F.nllLoss(y, t, { weight: w, reduction: 'none' }).backward(g);
    const gv = [1, -2, 0.5, 3];
    const expectedNone = X.map((row) => row.map(() => 0));
    t.forEach((c, i) => (expectedNone[i][c] = -w[c] * gv[i]));
    expect(y.grad!.tolist()).toEqual(expectedNone.map((row) => row.map((v) => expect.closeTo(v, 15))));
  });

  it('crossEntropy with weights passes gradcheck for each reduction', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const f = (x: Tensor) => F.crossEntropy(x, t, { weight: w, reduction });
      expect(gradcheck(f, [tensor(X, { requiresGrad: true })])).toBe(true);
    }
  });

  it('crossEntropy with uniform weights equals the unweighted loss; weights scale it as the formula says', () => {
    const logits = tensor(X);
    expect(F.crossEntropy(logits, t, { weight: [2, 2, 2] }).item()).toBeCloseTo(F.crossEntropy(logits, t).item(), 15);
    const none = F.crossEntropy(logits, t, { reduction: 'none' }).toFloat64Array();
    const manual = t.reduce((a, c, i) => a + w[c] * none[i], 0) / 8.5;
    expect(F.crossEntropy(logits, t, { weight: w }).item()).toBeCloseTo(manual, 14);
  });

  it('refuses a weight of the wrong size, with PyTorch’s message, and a weight that requires grad', () => {
    expect(() => F.nllLoss(tensor(X), t, { weight: [1, 2] })).toThrow(RuntimeError);
    expect(() => F.nllLoss(tensor(X), t, { weight: [1, 2] })).toThrow(
      'weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [2]',
    );
    expect(() => F.nllLoss(tensor(X), t, { weight: tensor(w, { requiresGrad: true }) })).toThrow("the derivative for 'weight' is not implemented");
    expect(() => F.nllLoss(tensor(X), t, { weight: ['a'] as unknown as number[] })).toThrow('weight must hold numbers');
  });
});
