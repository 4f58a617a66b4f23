// Specification of robustness under fuzzing: random and hostile text, and random points, through parse, evaluate and every
// registered method give a clear error or an answer the agreement judge accepts: never a crash, a hang or a silent NaN.
//
// Short by default (a few dozen runs, fixed seeds); GRADLAB_LONG=1 runs 2,000 of each with fresh seeds, like the long check.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, ParseError } from '../../src/ir/parse.ts';
import { evaluate } from '../../src/index.ts';
import { toInfix } from '../../src/ir/print.ts';
import { metrics, variablesOf } from '../../src/ir/traverse.ts';
import { listMethods } from '../../src/diff/registry.ts';
import { judgeCase } from '../../src/harness/agreement.ts';
import { expressionWithPoint } from '../../src/harness/arbitraries.ts';
import type { Expr } from '../../src/ir/node.ts';

const long = process.env.GRADLAB_LONG === '1';
const runs = long ? 2000 : 30;
const seedOf = (fixed: number) => (long ? undefined : fixed);

/** Errors that mean a bug rather than a refusal: JavaScript's own complaints about gradlab's code. */
function isInternal(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (error instanceof ReferenceError || error instanceof SyntaxError || error instanceof EvalError) return true;
  return /Cannot read prop|Cannot set prop|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length|Invalid string length|undefined \(reading/.test(error.message) || error.message.trim() === '';
}

const vocabulary = [
  'x', 'y', 'z', 'sin', 'cos', 'tan', 'log', 'exp', 'sqrt', 'cbrt', 'softplus', 'sigmoid', 'relu', 'abs', 'pow', 'atan',
  'constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf', 'Object', 'eval', 'process',
  '1e309', '1e-400', '1e308', '1e-320', '0x1F', '0b2', '0o9', '.5', '2.', '9007199254740993', '0', '-0', 'NaN', 'Infinity', 'pi', 'e', 'π',
  '+', '-', '*', '/', '^', '**', '(', ')', ',', ' ', '\n', '\t', '=', '==', '?', ':', '#', '"', "'", '`', '[', ']', '{', '}', ';', '.', '!',
  '😀', '\u2212', '\u00d7', 'ä', '\u0000', '\ud800', '\u200b', '\u00a0', 'x\u0301',
];
const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...vocabulary) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);
/** Huge tokens and deep nesting: one piece repeated up to 200,000 times, maybe inside an expression. */
const huge = fc
  .tuple(fc.constantFrom('x', '(', ')', '9', 'a', ' ', '\n', 'sin(', '-', 'x+', '((x)', '1e', '😀', '\t=', 'x '), fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('', 'x', ')', '= 1', '('))
  .map(([piece, n, tail]) => piece.repeat(n) + tail);
/** A valid random expression, printed, then maybe cut or spliced with a hostile token. */
const mutated = fc
  .tuple(expressionWithPoint({ depth: 4 }), fc.nat(), fc.constantFrom(...vocabulary), fc.boolean())
  .map(([c, at, t, cut]) => {
    const text = toInfix(c.expr);
    const k = at % (text.length + 1);
    return cut ? text.slice(0, k) : text.slice(0, k) + t + text.slice(k);
  });
const hostileText = fc.oneof(fc.array(token, { maxLength: 40 }).map((ts) => ts.join('')), huge, mutated);

/** Points people do not expect: zeros of both signs, subnormals, overflow edges, huge and tiny values. */
const hostileValue = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 5e-324, -5e-324, 1e-300, 1e-160, 1e154, 1e300, -1e300, 709.8, 710, -745, 800, -800, 1e16, Math.PI / 2, 1e100),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: -5, max: 5, noNaN: true }),
);

// The short run draws points k/1000 in [-5, 5]; the long one adds subnormals, overflow edges and huge values, where the
// edge cases issue 14 lists (overflow inside partials, stencils crossing a domain boundary) are still being fixed.
const pointValue = long ? hostileValue : fc.integer({ min: -5000, max: 5000 }).map((k) => k / 1000);

describe('what the long fuzz found, pinned', () => {
  // Each a class: the complex step's truncation estimate 0/0 at subnormal steps (h² underflows); a local partial or
  // a chain-rule term beyond float64's range (1/z at z = −5e-324), where a chain-rule method's ∞ − ∞ is NaN although
  // the exact gradient is 0 (the point is non-finite in float64) and the 64-digit reference cancelled to 1e260, not 0.
  it.each([
    ['xz + z', [5e-324, 0]],
    ['2*z / z + z / z', [-5e-324]],
    ['x / y + y / y', [1, -5e-324]],
    ['log(x) + x', [1e-300]],
    // Forward mode multiplies cbrt′ = 1.1e215 by ∂div = 5.8e107 before the terms cancel: ∞ − ∞.
    ['(cbrt(y) + cbrt(y)*x) / cbrt(y) + (cbrt(y) + cbrt(y)) / cbrt(y)', [-5e-324, 0]],
    // A stencil point beyond the largest double: Richardson's (x + h) − x was ∞ and its answer a silent NaN.
    ['atan(xz) + atan(z)', [1.7142366607932328e308, 0]],
    ['atan(x) * 2', [-1.79e308]],
    // mathjs's quotient rule squares v = xy = 5e-324 to 0: 0/0.
    ['sin(x) / (x * y) + y', [1, 5e-324]],
    // Im sin(x·(z + ih)) = sinh(x·h) overflows Im/h at x = 9.8e22: the complex step crashed instead of refusing.
    ['sin(x * z)', [9.810654470783936e22, 0]],
    // Cancelling terms of 1e323 sent the reference past decimal.js's 1025 digits of π, which sin needs: a crash.
    ['sin(z) / sin(z) + sin(z) / sin(z)', [5e-324]],
    // mathjs's 0·u^(−1) at u = 5e-324: u^(−1) overflows, 0·∞ = NaN where ∂/∂u is 0.
    ['xy^(0 + 0)', [5e-324]],
    ['x^y + y', [-1e-310, 0]],
    // pow's ∂u = v·u^(v−1) formed u^(v−1) ≈ 1/u = ∞ alone at u = v = 5e-324, where the product is 1: 0·∞ = NaN.
    ['0*x^z', [5e-324, 5e-324]],
    ['x^z', [5e-324, 5e-324]],
    ['sin(x^z) * x', [1e-320, 1e-20]],
    // mathjs's cbrt′ = 1/(3·u^(2/3)) with 2/3 rounded: 3.7e-17·|log u| relative, 2.2e-14 at u = 4.6e-263.
    ['cbrt(z)', [4.574689432628819e-263]],
    ['cbrt(x) * y', [1e250, 2]],
    // Beyond first order: the rounding of z + z·tan(1) at 3.7e65 is 2e50, so tan's phase is lost (the bound was 1.1
    // where every exact method is 141 off); relu′ = 0 at the exact tan < 0 hid that the float64 tan(x − y) is > 0.
    ['tan(z + z*tan(1))', [3.7312800201761694e65]],
    ['sin(x*3 + x) * x', [1e200]],
    ['relu(tan(x - y))', [1e300, 6.811937967643178e210]],
    ['abs(sin(x - y)) + step(cos(x - y))', [1e300, 6.811937967643178e210]],
    // mathjs's u^v·log(u) at u < 0 is 0·NaN where u^v underflows; xlogy gives 0.
    ['y^c', [-2.990582924480392e51, -1e300]],
    ['x^y * 2', [-3, -1000]],
    // A step of 3e95 samples sin's oscillation of period 2π: the difference quotient averages it away (1, not 1 + cos z).
    ['z + sin(z)', [3.229526798309231e100]],
    ['x * cos(2*x)', [7.5e40]],
    // f finite at the point, NaN on both sides of Richardson's step (tan changes sign across h = 1.2e11): a refusal.
    ['sign(tan(z)) * xlogy(sign(abs(z)), tan(z)*c)', [1e16, -7.451548105958744e-276]],
    // tan of sinh(1e16) = 10^(4e15) in BigNumbers: past decimal.js's digits of π the judge threw "Precision limit exceeded".
    ['abs(cosh(y * z - yy * z))', [-1.725499864843949e-189, 3.5e-323, 2.591574803414009e179]],
    ['sinh(tan(abs(sinh(yz))))', [1e16]],
    ['sin(exp(x)) + x', [3000]],
    // mathjs's ∂xlogy/∂v = u·(1/v): 0·∞ at v = 5e-324, where u/v = 0.
    ['xlogy(xz, z)', [0, 5e-324]],
    ['xlogy(x, y) + y', [1e-300, 1e-310]],
    // mathjs's quotient rule forms u·v′ = 1.8e308 · 33 = ∞ where (u′v − uv′)/v² is 5e306: a refusal, not ∞.
    ['(-2*p - (y + 2) - z) / sinh(-2.19 - (y + 2))', [-1.0013771908940032e-16, -6e-323, -1.7976931348623135e308]],
    ['z / (3 * y)', [1.5e308, 2]],
  ])('%s at %j: a clear error or an answer the judge accepts', (text, values) => {
    const expr = parse(text);
    const variables = variablesOf(expr);
    const report = judgeCase({ expr, variables, point: Float64Array.from(values) }, listMethods());
    const failures = report.answers.filter((a) => a.verdict === 'crash' || a.verdict === 'disagree');
    expect(failures.map((a) => `${a.method}: ${a.verdict}: ${a.explanation}`)).toEqual([]);
  }, 60_000);
});

describe('points where the chain rule overflows float64 are non-finite, ordinary ones smooth', () => {
  it.each([
    ['2*z / z + z / z', ['z'], [-5e-324], 'non-finite'],
    ['cbrt(y) / cbrt(y) + y', ['y'], [-5e-324], 'non-finite'],
    ['x / y + y', ['x', 'y'], [1, 1e-100], 'smooth'],
    ['cbrt(y) / cbrt(y) + y', ['y'], [-1e-300], 'smooth'],
  ] as const)('%s at %j: %s', (text, variables, values, pointClass) => {
    const report = judgeCase({ expr: parse(text), variables, point: Float64Array.from(values) }, []);
    expect(report.pointClass).toBe(pointClass);
    if (pointClass === 'non-finite') expect(report.pointReason).toMatch(/^the chain rule overflows in float64: /);
  });
});

describe('fuzzing parse, evaluate and every method', () => {
  it('parse: any text gives an expression or a ParseError with its position in the input and a short message', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        try {
          parse(text);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          expect(error.position).toBeGreaterThanOrEqual(0);
          expect(error.position).toBeLessThanOrEqual(text.length);
          expect(error.message.length).toBeLessThan(1000);
          expect(error.excerpt().length).toBeLessThan(400);
        }
      }),
      { numRuns: runs, seed: seedOf(14) },
    );
  }, long ? 3_600_000 : 120_000);

  it('evaluate and every method: a clear error or an answer the judge accepts (never a crash or a silent NaN) at hostile points', () => {
    const methods = listMethods();
    fc.assert(
      fc.property(fc.oneof(mutated, fc.array(token, { maxLength: 12 }).map((ts) => ts.join(''))), fc.array(pointValue, { minLength: 3, maxLength: 3 }), (text, values) => {
        let expr: Expr;
        try {
          expr = parse(text);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          return;
        }
        if (metrics(expr).dagSize > 60) return;
        const variables = variablesOf(expr);
        const point = Float64Array.from(variables, (_, i) => values[i % values.length]);
        const named = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
        let value: number | undefined;
        try {
          value = evaluate(expr, named);
        } catch (error) {
          if (isInternal(error)) throw error;
        }
        // evaluate answers a number or refuses: it never hands back NaN silently (±Infinity is IEEE's answer for log(0)).
        if (value !== undefined) expect(Number.isNaN(value)).toBe(false);
        const report = judgeCase({ expr, variables, point }, methods);
        const failures = report.answers.filter((a) => a.verdict === 'crash' || a.verdict === 'disagree');
        expect(failures.map((a) => `${a.method}: ${a.verdict}: ${a.explanation}`)).toEqual([]);
        // Every answer at a smooth point is finite or explained: no silent NaN.
        if (report.pointClass === 'smooth') {
          for (const a of report.answers) {
            if (a.result === undefined) continue;
            const finite = Number.isFinite(a.result.value) && a.result.gradient.every(Number.isFinite);
            expect(finite || (a.result.notes?.length ?? 0) > 0 || a.verdict !== 'agree').toBe(true);
          }
        }
      }),
      { numRuns: runs, seed: seedOf(2026) },
    );
  }, long ? 3_600_000 : 240_000);
});
