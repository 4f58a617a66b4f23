// The generated elementwise loops: specialising on a number operand changes the code, never the values.
import { describe, expect, it } from 'vitest';
import { backwardLoop, inlinableConstant } from '../../../src/diff/autograd/kernels.ts';
import { partialAt } from '../../../src/diff/autograd/functional.ts';
import { arityById, elementwiseCount } from '../../../src/diff/autograd/op-ids.ts';
import { ops, opNames } from '../../../src/ir/ops.ts';
import { opId } from '../../../src/diff/autograd/op-ids.ts';
import { partialTemplates, placeholder } from '../../../src/ir/partials.ts';
import { referenceValue } from '../../../src/harness/reference.ts';

// Ordinary values and the ones where partials have special cases (zeros of both signs, infinities, NaN, tiny).
const special = [0, -0, 1, -1, 2, 0.5, -0.5, 3, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e-300, 1e300, 0.1, -7.25];
const samples = Float64Array.from([...special, ...Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 10 ** ((i % 13) - 6))]);
const constants = [0, 1, -1, 2, -2, 0.5, -0.5, 3, 1.5, 16];

describe('backward loops specialised on a number operand', () => {
  const binary = Array.from({ length: elementwiseCount }, (_, op) => op).filter((op) => arityById[op] === 2);

  it('give, bit for bit, what the loop reading the number at run time gives (every binary op, both sides, both arguments)', () => {
    const n = samples.length;
    const G = Float64Array.from(samples, (_, j) => 1 + j / n);
    for (const op of binary) {
      for (const k of constants) {
        expect(inlinableConstant(k)).toBe(true);
        for (const numberSide of [0, 1]) {
          const aArray = numberSide === 1, bArray = numberSide === 0;
          const A = aArray ? samples : null, B = bArray ? samples : null;
          const O = Float64Array.from(samples, (v) => (aArray ? ops[opNames[op]].eval(v, k) : ops[opNames[op]].eval(k, v)));
          for (const i of [0, 1]) {
            const plain = new Float64Array(n), specialised = new Float64Array(n);
            backwardLoop(op, i, aArray, bArray, undefined, true)(G, A, B, O, plain, n, k, k, partialAt);
            backwardLoop(op, i, aArray, bArray, k, true)(G, A, B, O, specialised, n, k, k, partialAt);
            for (let j = 0; j < n; j++) {
              // Bit for bit, but for the sign of a zero: pow_prime's run-time partial selects its form with masks,
              // mask + (+0), which turns a −0 into +0 where the specialised form keeps it (a zero is a zero to a gradient).
              if (!Object.is(specialised[j], plain[j]) && !(specialised[j] === 0 && plain[j] === 0)) {
                throw new Error(`${opNames[op]} ∂/∂arg${i} with ${numberSide === 0 ? 'a' : 'b'} = ${k}, at ${samples[j]}: ${specialised[j]} specialised, ${plain[j]} read at run time`);
              }
            }
          }
        }
      }
    }
  });

  it('fold the number into the partial: x**2’s 2·x^(2−1) calls no pow per element', () => {
    const source = backwardLoop(opId('pow'), 0, true, false, 2, true).toString();
    expect(source).not.toContain('Math.pow');
    // Read at run time the exponent is not known when the loop is generated, so pow_prime (v·u^(v−1)) stays.
    expect(backwardLoop(opId('pow'), 0, true, false, undefined, true).toString()).toContain(`F[${opNames.indexOf('powPrime')}](`);
    // A constant the table does not turn into c·u^(c−1) (|c| < 1, c < 0.05: u^(c−1) could overflow alone) keeps it too.
    expect(backwardLoop(opId('pow'), 0, true, false, -0.5, true).toString()).toContain(`F[${opNames.indexOf('powPrime')}](`);
  });
});

describe('kernel forms of partials (the op table’s kernelPartialJs)', () => {
  const withKernelForm = opNames.filter((name) => ops[name].kernelPartialJs !== undefined);
  // Dense where the form switches (|tanh u| = 3/4 at u ≈ 0.973) and out to where cosh overflows (|u| ≈ 710).
  const sweep = Float64Array.from([
    ...special.filter((u) => Number.isFinite(u)),
    ...Array.from({ length: 400 }, (_, i) => (i - 200) / 100),
    ...Array.from({ length: 81 }, (_, i) => 0.97 + (i - 40) * 1e-4),
    ...Array.from({ length: 60 }, (_, i) => 2 ** (i / 6 - 3)),
    19, 22, 40, 300, 700, 709.7, 710,
  ].flatMap((u) => [u, -u]));

  it('exist (tanh), so the rest of this block tests something', () => {
    expect(withKernelForm).toContain('tanh');
  });

  it.each(withKernelForm)('%s: each kernel form is the table’s partial to within 4 roundings at every argument', (name) => {
    const op = opId(name);
    expect(ops[name].arity).toBe(1); // the sweep below covers unary ops; a binary kernel form needs its own
    const n = sweep.length;
    const G = new Float64Array(n).fill(1);
    const O = Float64Array.from(sweep, (u) => ops[name].eval(u, NaN));
    const got = new Float64Array(n);
    backwardLoop(op, 0, true, false, undefined, true)(G, sweep, null, O, got, n, 0, 0, partialAt);
    const template = partialTemplates(name)[0];
    for (let j = 0; j < n; j++) {
      const exact = Number(referenceValue(template, [placeholder.a.name], [sweep[j]]));
      const tiny = 2.2250738585072014e-308;
      const allowed = 4 * Number.EPSILON * Math.abs(exact) + (Math.abs(exact) < tiny ? 5e-324 : 0);
      if (!(Math.abs(got[j] - exact) <= allowed)) {
        throw new Error(`${name} at ${sweep[j]}: kernel form ${got[j]}, exact ${exact} (${Math.abs(got[j] - exact) / (Number.EPSILON * Math.abs(exact))} ε)`);
      }
    }
  });
});
