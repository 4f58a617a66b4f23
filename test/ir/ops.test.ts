// Specification of the op table: every primitive evaluates like Math.*, and its declared partials match finite differences.
import { describe, expect, it } from 'vitest';
import { ops, opNames, randomExpressionOps, type OpName } from '../../src/ir/ops.ts';
import { apply, constant, variable } from '../../src/ir/node.ts';
import { compile } from '../../src/ir/compile.ts';
import { partialKernels, partialTemplates } from '../../src/ir/partials.ts';
import { interpret, realAlgebra } from '../../src/ir/evaluate.ts';
import { parse } from '../../src/ir/parse.ts';
import { toInfix, toLatex } from '../../src/ir/print.ts';
import * as C from '../../src/ir/complex.ts';

const candidates = [-2.5, -1.3, -0.7, -0.3, 0.4, 0.9, 1.7, 3.2];

/** Points (a, b) inside the op's declared smooth domain. */
function pointsInside(op: OpName): [number, number][] {
  const spec = ops[op];
  const bs = spec.arity === 2 ? candidates : [NaN];
  const points: [number, number][] = [];
  for (const a of candidates) for (const b of bs) if (spec.domain.contains(a, b) && Number.isFinite(spec.eval(a, b))) points.push([a, b]);
  return points;
}

describe('the op table', () => {
  it('declares at least the primitives the IR promises', () => {
    const required: OpName[] = [
      'add', 'sub', 'mul', 'div', 'neg', 'pow', 'exp', 'log', 'logBase', 'sqrt', 'cbrt', 'sin', 'cos', 'tan',
      'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'abs', 'sigmoid', 'relu', 'softplus',
    ];
    for (const name of required) expect(opNames).toContain(name);
  });

  it.each([
    ['add', 1.5, 2.25, 3.75], ['sub', 1.5, 2.25, -0.75], ['mul', 1.5, 2.25, 3.375], ['div', 3, 4, 0.75],
    ['pow', 2, 10, 1024], ['pow', 9, 0.5, 3], ['logBase', 8, 2, 3], ['xlogy', 2, Math.E, 2], ['xlogy', 0, 0, 0],
    ['mulNoNan', 1.5, 2.25, 3.375], ['mulNoNan', Infinity, 0, 0], ['mulNoNan', NaN, 0, 0], ['mulNoNan', Infinity, -0, 0],
  ] as const)('%s(%d, %d) = %d', (op, a, b, expected) => {
    expect(ops[op].eval(a, b)).toBeCloseTo(expected, 14);
  });

  it.each([
    ['exp', Math.exp], ['log', Math.log], ['sqrt', Math.sqrt], ['cbrt', Math.cbrt], ['sin', Math.sin], ['cos', Math.cos],
    ['tan', Math.tan], ['asin', Math.asin], ['acos', Math.acos], ['atan', Math.atan], ['sinh', Math.sinh],
    ['cosh', Math.cosh], ['tanh', Math.tanh], ['abs', Math.abs], ['sign', Math.sign],
  ] as const)('%s evaluates exactly like Math.%s', (op, reference) => {
    for (const x of [...candidates, 0, 0.5, -0.5]) expect(Object.is(ops[op].eval(x, NaN), reference(x))).toBe(true);
  });

  it('evaluates the ML ops stably at extreme arguments', () => {
    expect(ops.sigmoid.eval(0, NaN)).toBe(0.5);
    expect(ops.sigmoid.eval(-800, NaN)).toBe(0);
    expect(ops.sigmoid.eval(800, NaN)).toBe(1);
    expect(ops.sigmoid.eval(-30, NaN)).toBeCloseTo(Math.exp(-30) / (1 + Math.exp(-30)), 25);
    expect(ops.softplus.eval(1000, NaN)).toBe(1000);
    expect(ops.softplus.eval(-1000, NaN)).toBe(0);
    expect(ops.softplus.eval(0, NaN)).toBe(Math.LN2);
    expect(ops.relu.eval(-2, NaN)).toBe(0);
    expect(ops.relu.eval(2, NaN)).toBe(2);
    expect(ops.relu.eval(NaN, NaN)).toBeNaN();
    expect(ops.step.eval(0, NaN)).toBe(0);
    expect(ops.step.eval(NaN, NaN)).toBeNaN();
  });

  describe.each(opNames.map((op) => [op]))('%s', (op) => {
    const points = pointsInside(op);

    it('has sample points inside its declared domain', () => {
      expect(points.length).toBeGreaterThan(0);
    });

    it('compiles to the same values as its eval', () => {
      const a = variable('a'), b = variable('b');
      const node = ops[op].arity === 1 ? apply(op, a) : apply(op, a, b);
      const f = compile(node, ['a', 'b']);
      for (const [x, y] of points) expect(f([x, y])).toBe(ops[op].eval(x, y));
    });

    it('declares partials that agree with central differences (error ≤ |f‴|h²/6 + ε|f|/h, bounded generously)', () => {
      const spec = ops[op];
      const kernels = partialKernels(op);
      expect(kernels).toHaveLength(spec.arity);
      for (const [x, y] of points) {
        const out = spec.eval(x, y);
        for (let i = 0; i < spec.arity; i++) {
          const at = [x, y];
          const h = 1e-5 * Math.max(1, Math.abs(at[i]));
          const shifted = (delta: number) => {
            const p = [...at];
            p[i] += delta;
            return spec.eval(p[0], p[1]);
          };
          const numeric = (shifted(h) - shifted(-h)) / (2 * h);
          const analytic = kernels[i](x, y, out);
          // With h = 1e-5 the truncation term is ~1e-10·|f‴| and the round-off ~1e-11·|f|: 1e-6 relative is ample.
          expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(numeric), Math.abs(out)));
        }
      }
    });

    it('gives the same partials interpreted as IR as compiled to kernels', () => {
      const templates = partialTemplates(op);
      for (const [x, y] of points) {
        const out = ops[op].eval(x, y);
        const values: Record<string, number> = { '⟨a⟩': x, '⟨b⟩': y, '⟨out⟩': out };
        templates.forEach((t, i) => {
          expect(interpret(t, (v) => values[v.name], realAlgebra)).toBe(partialKernels(op)[i](x, y, out));
        });
      }
    });

    it("names PyTorch's grad_fn class", () => {
      expect(ops[op].gradFn(new Array(ops[op].arity).fill(false))).toMatch(/^[A-Z][A-Za-z0-9]*Backward[0-9]$/);
    });
  });

  it('follows PyTorch at the non-differentiable points', () => {
    const d = (op: OpName, a: number, b = NaN) => partialKernels(op).map((k) => k(a, b, ops[op].eval(a, b)));
    expect(d('abs', 0)).toEqual([0]);
    expect(d('relu', 0)).toEqual([0]);
    expect(d('sqrt', 0)).toEqual([Infinity]);
    expect(d('log', 0)).toEqual([Infinity]);
    expect(d('pow', 0, 2)).toEqual([0, 0]);
    expect(d('pow', 0, 1)[0]).toBe(1);
    expect(d('pow', -2, 2)[1]).toBeNaN();
    // u^0 with a constant exponent 0: PyTorch's special case gives 0 even at u = 0.
    const x = variable('x');
    const [dx] = ops.pow.partials([x, constant(0)], apply('pow', x, 0));
    expect(interpret(dx, () => 0, realAlgebra)).toBe(0);
  });

  describe("pow's masked partials (PyTorch's pow backward: where(v == 0, 0, v·u^(v−1)), where(u == 0 & v ≥ 0, 0, u^v·log u))", () => {
    // [u, v, ∂/∂u, ∂/∂v] as torch.pow(u, v).backward() gives them for tensors u and v (both requiring grad).
    const torchValues: [number, number, number, number][] = [
      [0, 0, 0, 0], // u⁰ ≡ 1: ∂u is truly 0; ∂v is PyTorch's mask (0ᵛ jumps at v = 0)
      [0, 2, 0, 0], // 0ᵛ = 0 near v = 2: ∂v truly 0 (the formula's 1·(0·−∞) is NaN without the mask)
      [0, 1, 1, 0],
      [0, 0.5, Infinity, 0],
      [0, -1, -Infinity, -Infinity], // no mask for v < 0: 0^-1 = ∞, ∞·log 0 = −∞
      [-0, 0, 0, 0], // −0 == 0 for the masks, as in PyTorch
      [2, 0, 0, Math.LN2], // v = 0 masks ∂u only: 0·2⁻¹ would be 0 anyway; ∂v is log 2
      [-2, 3, 12, NaN], // log of a negative base: NaN, as PyTorch
      [-2, 0, 0, NaN],
      [0, NaN, NaN, NaN], // a NaN exponent is masked by neither where
      [NaN, 0, 0, NaN],
      [Infinity, 0, 0, Infinity], // ∞⁰ = 1: ∂v = 1·log ∞, unmasked
    ];

    it.each(torchValues)('at u = %d, v = %d the kernels give ∂u = %d, ∂v = %d', (u, v, du, dv) => {
      const [ku, kv] = partialKernels('pow');
      const out = ops.pow.eval(u, v);
      expect(ku(u, v, out)).toBe(du);
      expect(kv(u, v, out)).toBe(dv);
    });

    it.each(torchValues)('at u = %d, v = %d the templates interpreted as IR give what the kernels give', (u, v) => {
      const out = ops.pow.eval(u, v);
      const values: Record<string, number> = { '⟨a⟩': u, '⟨b⟩': v, '⟨out⟩': out };
      partialTemplates('pow').forEach((t, i) => {
        expect(interpret(t, (node) => values[node.name], realAlgebra)).toBe(partialKernels('pow')[i](u, v, out));
      });
    });

    it('states each mask with mul_no_nan only where it can apply: constant bases and exponents keep their plain formulas', () => {
      const x = variable('x'), y = variable('y');
      const partials = (u: ReturnType<typeof variable> | ReturnType<typeof constant>, v: ReturnType<typeof variable> | ReturnType<typeof constant>) =>
        ops.pow.partials([u, v], apply('pow', u, v)).map((p) => toInfix(p));
      expect(partials(x, y)).toEqual(['pow_prime(x, y)', 'mul_no_nan(xlogy(x^y, x), step(abs(x) + abs(y)))']);
      expect(partials(x, constant(2))[0]).toBe('2 * x');
      expect(partials(x, constant(0.5))[0]).toBe('0.5 * x^(-0.5)');
      // An exponent whose u^(c−1) can overflow alone (c < 0.05, |c| < 1) keeps the overflow-free op.
      expect(partials(x, constant(1e-20))[0]).toBe('pow_prime(x, 1e-20)');
      expect(partials(x, constant(0))[0]).toBe('0');
      expect(partials(x, constant(-1))[1]).toBe('xlogy(x^(-1), x)');
      expect(partials(constant(2), y)[1]).toBe('xlogy(2^y, 2)');
      // A constant base 0: only the exponent remains in the mask.
      expect(partials(constant(0), y)[1]).toBe('mul_no_nan(xlogy(0^y, 0), step(abs(y)))');
      // Both constant and inside a mask: folded to the masked value.
      expect(ops.pow.partials([constant(0), constant(0)], constant(1))).toEqual([constant(0), constant(0)]);
    });

    it('declares the exponent partial at u = v = 0 a convention, and nothing else', () => {
      expect(ops.pow.conventionalPartials!(0, 0).map((c) => c.argument)).toEqual([1]);
      expect(ops.pow.conventionalPartials!(0, 0)[0]!.why).toMatch(/jumps at v = 0.*PyTorch's convention/);
      for (const [u, v] of [[0, 2], [0, -1], [2, 0], [-2, 3], [0, 0.5]]) expect(ops.pow.conventionalPartials!(u!, v!)).toEqual([]);
    });

    it("says where mathjs's own pow formulas differ from the masks (not for a constant exponent > 0)", () => {
      const where = ops.pow.mathjsRuleDiffers!.where;
      expect(where(0, 0, [false, false])).toBe(true);
      expect(where(0, 2, [false, false])).toBe(true);
      expect(where(0, 2, [false, true])).toBe(false);
      expect(where(0, -1, [false, false])).toBe(false);
      expect(where(1, 0, [false, false])).toBe(false);
    });
  });

  describe('mulNoNan (TensorFlow\'s multiply_no_nan, the masks\' op)', () => {
    it('is 0 wherever v = 0, even for an infinite or NaN u, and the product elsewhere', () => {
      expect(ops.mulNoNan.eval(Infinity, 0)).toBe(0);
      expect(ops.mulNoNan.eval(NaN, 0)).toBe(0);
      expect(ops.mulNoNan.eval(-3, 2)).toBe(-6);
      expect(ops.mulNoNan.eval(0, NaN)).toBeNaN();
      expect(ops.mulNoNan.eval(Infinity, 2)).toBe(Infinity);
    });

    it('compiles to the same values as its eval at the mask too', () => {
      const f = compile(apply('mulNoNan', variable('a'), variable('b')), ['a', 'b']);
      for (const [u, v] of [[Infinity, 0], [NaN, 0], [NaN, -0], [2, 3], [0, NaN], [-Infinity, 1e-300]] as const) {
        expect(Object.is(f([u, v]), ops.mulNoNan.eval(u, v))).toBe(true);
      }
    });

    it('parses and prints as mul_no_nan (infix and LaTeX), and folds a constant mask', () => {
      const expr = parse('mul_no_nan(x^2, y)');
      expect(expr.kind === 'op' && expr.op).toBe('mulNoNan');
      expect(toInfix(expr)).toBe('mul_no_nan(x^2, y)');
      expect(toLatex(expr)).toBe('\\operatorname{mul\\_no\\_nan}\\left(x^{2}, y\\right)');
      const x = variable('x');
      expect(ops.mulNoNan.simplify!([x, constant(0)])).toEqual(constant(0));
      expect(ops.mulNoNan.simplify!([x, constant(3)])).toEqual(apply('mul', x, 3));
      expect(ops.mulNoNan.simplify!([x, variable('y')])).toBeUndefined();
    });

    it('is left out of random expressions by default (the campaigns of every seed stay as they were), as pow_prime is', () => {
      expect(randomExpressionOps).toEqual(opNames.filter((op) => op !== 'mulNoNan' && op !== 'powPrime'));
      // Appended after every op the generators draw from, so the indices they draw keep their meaning.
      expect(opNames.slice(-2)).toEqual(['mulNoNan', 'powPrime']);
    });

    it('is 0 + 0i in complex arithmetic where v = 0 + 0i, and keeps the derivative u along v = ih', () => {
      expect(C.mulNoNan(C.complex(Infinity, 0), C.complex(0, 0))).toEqual(C.complex(0, 0));
      expect(C.mulNoNan(C.complex(3, 0), C.complex(0, 1e-20))).toEqual(C.complex(0, 3 * 1e-20));
      expect(C.mulNoNan(C.complex(3, 1e-20), C.complex(2, 0))).toEqual(C.complex(6, 2e-20));
    });
  });

  describe("powPrime (pow's partial along its base, v·u^(v−1), without the overflow of u^(v−1) alone)", () => {
    it.each([
      // [u, v, v·u^(v−1) to 15 digits]: where u^(v−1) alone is beyond float64's range, the product is not
      [5e-324, 5e-324, 1], // (v/u)·u^v = 1·(5e-324)^(5e-324)
      [1e-320, 1e-20, 1e-20 / 1e-320], // ≈ 1e300 (u^1e-20 = 1 − 7e-18): u^(v−1) ≈ 1/u ≈ 1e320
      [1e-300, 1e-300, 1], // u^(v−1) ≈ 1e300 is in range: the plain product
      [2, 3, 12],
      [9, 0.5, 1 / 6],
      [-2, 3, 12],
      [-2, -1, -0.25],
    ])('pow_prime(%d, %d) = %d', (u, v, expected) => {
      expect(ops.powPrime.eval(u, v)).toBeCloseTo(expected, 13 - Math.max(0, Math.round(Math.log10(Math.abs(expected)))));
      expect(Math.abs(ops.powPrime.eval(u, v) - expected)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(expected));
    });

    it('is 0 where v = 0, even at u = 0 or a u whose reciprocal overflows (u⁰ ≡ 1), and overflows where the product does', () => {
      for (const u of [0, 5e-324, -3, 1e300]) expect(ops.powPrime.eval(u, 0)).toBe(0);
      expect(ops.powPrime.eval(0, -1)).toBe(-Infinity);
      expect(ops.powPrime.eval(5e-324, 0.5)).toBe(0.5 * Math.pow(5e-324, -0.5));
      expect(ops.powPrime.eval(1e-320, 0.01)).toBe(Infinity); // 0.01·1e-320^−0.99 ≈ 1e315
      expect(ops.powPrime.eval(1e200, 3)).toBe(Infinity);
    });

    it('compiles to the same values as its eval, overflow fallback included', () => {
      const f = compile(apply('powPrime', variable('a'), variable('b')), ['a', 'b']);
      for (const [u, v] of [[5e-324, 5e-324], [1e-320, 1e-20], [2, 3], [0, 0], [-2, 3], [NaN, 1]] as const) {
        expect(Object.is(f([u, v]), ops.powPrime.eval(u, v))).toBe(true);
      }
    });

    it('parses and prints as pow_prime, and a constant exponent that cannot overflow alone folds to c·u^(c−1)', () => {
      const expr = parse('pow_prime(x, y)');
      expect(expr.kind === 'op' && expr.op).toBe('powPrime');
      expect(toInfix(expr)).toBe('pow_prime(x, y)');
      expect(toLatex(expr)).toBe('\\operatorname{pow\\_prime}\\left(x, y\\right)');
      expect(toInfix(parse('pow_prime(x, 3)'))).toBe('pow_prime(x, 3)'); // the user's text is kept as written
      const x = variable('x');
      expect(toInfix(ops.powPrime.simplify!([x, constant(3)])!)).toBe('3 * x^2');
      expect(ops.powPrime.simplify!([x, constant(0)])).toEqual(constant(0));
      expect(ops.powPrime.simplify!([x, constant(1e-20)])).toBeUndefined();
    });

    it('differentiates u^v at u = v = 5e-324 along u to 1 in every exact engine, where v·u^(v−1) formed the ∞ of u^(v−1)', () => {
      const [du] = partialKernels('pow');
      expect(du(5e-324, 5e-324, ops.pow.eval(5e-324, 5e-324))).toBe(1);
      expect(du(1e-320, 1e-20, ops.pow.eval(1e-320, 1e-20)) / (1e-20 / 1e-320)).toBeCloseTo(1, 14);
    });
  });

  it("chooses PyTorch's grad_fn names by which operands are plain numbers", () => {
    expect(ops.sub.gradFn([true, false])).toBe('RsubBackward1');
    expect(ops.sub.gradFn([false, true])).toBe('SubBackward0');
    expect(ops.pow.gradFn([false, true])).toBe('PowBackward0');
    expect(ops.pow.gradFn([true, false])).toBe('PowBackward1');
    expect(ops.pow.gradFn([false, false])).toBe('PowBackward1');
    expect(ops.div.gradFn([true, false])).toBe('MulBackward0');
    expect(ops.div.gradFn([false, true])).toBe('DivBackward0');
  });

  it('declares complex evaluation for analytic ops and a reason for the others', () => {
    for (const op of opNames) {
      const c = ops[op].complex;
      if (typeof c !== 'function') expect(c.nonAnalytic.length).toBeGreaterThan(10);
    }
    expect(typeof ops.abs.complex).toBe('object');
    expect(typeof ops.relu.complex).toBe('object');
    expect(typeof ops.sin.complex).toBe('function');
  });
});
