// Printing: tensors print exactly as PyTorch 1.13 prints them (reference §0), checked against torch's own output.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tensor, type Tensor } from '../../../src/diff/autograd/index.ts';
import { pyExponential, pyFixed, pyFloatRepr } from '../../../src/diff/autograd/format.ts';

interface PrintCase { values: (number | string)[]; shape: number[]; requiresGrad: boolean; repr: string }

/** Printed by torch 1.13 with `torch.set_default_dtype(torch.float64)`: float64 values, printed without a dtype suffix, as gradlab prints. */
const cases: PrintCase[] = JSON.parse(readFileSync(new URL('./fixtures/torch-print.json', import.meta.url), 'utf8'));

const build = (c: PrintCase): Tensor => {
  const values = c.values.map((v) => (typeof v === 'number' ? v : Number(v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity)));
  const flat = tensor(values.length === 1 && c.shape.length === 0 ? values[0] : values.length === 0 ? [] : values);
  return (c.shape.length === 0 ? flat : flat.reshape(c.shape)).detach().requiresGrad_(c.requiresGrad);
};

describe('tensor printing matches torch 1.13', () => {
  it.each(cases.map((c, i) => [i, c.repr.length > 60 ? c.repr.slice(0, 60) + '…' : c.repr, c] as const))('case %i: %s', (_i, _label, c) => {
    expect(build(c).toString()).toBe(c.repr);
  });
});

describe('the reference §0 rules', () => {
  it('prints leaves, non-leaves and plain tensors with the right suffix', () => {
    const x = tensor(2, { requiresGrad: true });
    expect(x.toString()).toBe('tensor(2., requires_grad=True)');
    expect(x.mul(1).add(9).toString()).toBe('tensor(11., grad_fn=<AddBackward0>)');
    expect(tensor(3).toString()).toBe('tensor(3.)');
    expect(tensor([2.0, 0.4, 0.06]).toString()).toBe('tensor([2.0000, 0.4000, 0.0600])');
  });

  it('uses integer, fixed and scientific formats over the nonzero finite values', () => {
    expect(tensor(7).toString()).toBe('tensor(7.)');
    expect(tensor(-2).toString()).toBe('tensor(-2.)');
    expect(tensor(10001).toString()).toBe('tensor(10001.)');
    expect(tensor(1.0995e12).toString()).toBe('tensor(1.0995e+12)');
    expect(tensor(0.5).toString()).toBe('tensor(0.5000)');
    expect(tensor(5000.5).toString()).toBe('tensor(5000.5000)');
    // The reference's `tensor(1.0000e-04)` is float32 (1e-4 rounds below 1e-4 there); in float64 it stays fixed, as torch prints it.
    expect(tensor(1e-4).toString()).toBe('tensor(0.0001)');
    expect(tensor(5e-5).toString()).toBe('tensor(5.0000e-05)');
    expect(tensor([1, 1000.5]).toString()).toBe('tensor([1.0000e+00, 1.0005e+03])');
  });

  it('prints nan, inf, zero and negative zero as PyTorch does', () => {
    expect(tensor(NaN).toString()).toBe('tensor(nan)');
    expect(tensor(Infinity).toString()).toBe('tensor(inf)');
    expect(tensor(-Infinity).toString()).toBe('tensor(-inf)');
    expect(tensor(0).toString()).toBe('tensor(0.)');
    expect(tensor(-0).toString()).toBe('tensor(-0.)');
  });

  it('aligns 2-d rows under the first, 8 spaces in', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1., 2.],\n        [3., 4.]])');
  });

  it('moves a suffix that would pass 80 columns to its own line, and separates 3-d blocks by a blank line', () => {
    const x = tensor(Array.from({ length: 25 }, (_, i) => 1.5 * i), { requiresGrad: true });
    expect(x.mul(2).toString()).toBe(
      'tensor([ 0.,  3.,  6.,  9., 12., 15., 18., 21., 24., 27., 30., 33., 36., 39.,\n' +
        '        42., 45., 48., 51., 54., 57., 60., 63., 66., 69., 72.],\n' +
        '       grad_fn=<MulBackward0>)',
    );
    expect(tensor([[1, 2], [3, 4]], { requiresGrad: true }).mul(2).toString()).toBe('tensor([[2., 4.],\n        [6., 8.]], grad_fn=<MulBackward0>)');
    expect(tensor([1, 2, 3, 4, 5, 6, 7, 8]).reshape(2, 2, 2).mul(0.5).toString()).toBe(
      'tensor([[[0.5000, 1.0000],\n         [1.5000, 2.0000]],\n\n        [[2.5000, 3.0000],\n         [3.5000, 4.0000]]])',
    );
  });

  it('formats numbers as Python does, ties to even', () => {
    expect(pyFixed(0.03125, 4)).toBe('0.0312');
    expect(pyFixed(0.09375, 4)).toBe('0.0938');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(-0.0, 0)).toBe('-0');
    expect(pyExponential(1.03125, 4)).toBe('1.0312e+00');
    expect(pyExponential(123456, 4)).toBe('1.2346e+05');
    expect(pyExponential(9.99995e-5, 4)).toBe('9.9999e-05'); // the double just below the tie
    expect(pyFloatRepr(2)).toBe('2.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(1e-5)).toBe('1e-05');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(123.456)).toBe('123.456');
    expect(pyFloatRepr(1.5e300)).toBe('1.5e+300');
  });

  it('format() shows a 0-d tensor as a Python float, as an f-string does', () => {
    const x = tensor(2, { requiresGrad: true });
    expect(`x = ${x.format()}`).toBe('x = 2.0');
    expect(tensor([1, 2]).format()).toBe('tensor([1., 2.])');
  });

  it('prints grad_fn nodes and leaves in next_functions as PyTorch names them', () => {
    const x = tensor(2, { requiresGrad: true });
    const y = x.mul(2);
    expect(y.gradFn!.name).toBe('MulBackward0');
    expect(String(y.gradFn)).toBe('<MulBackward0 object>');
    const next = y.gradFn!.nextFunctions;
    expect(next.map(([f, i]) => [f?.name ?? null, i])).toEqual([['AccumulateGrad', 0], [null, 0]]);
    expect(next[0][0]!.variable).toBe(x);
    expect(x.gradFn).toBeNull();
    expect(y.gradFn).toBe(y.gradFn);
  });
});
