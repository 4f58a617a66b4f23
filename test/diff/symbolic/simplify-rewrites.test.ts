// mathjs's simplify can rewrite a derivative into a form that is not valid at a real point: detected by evaluating
// the unsimplified derivative there too, and classified by the agreement check as `simplify-invalid`, not a bug.
import { describe, expect, it } from 'vitest';
import { getMethod } from '../../../src/diff/registry.ts';
import { simplifyPitfallExamples, simplifyRewrites, type SimplifyRewrite } from '../../../src/diff/symbolic/mathjs-methods.ts';
import { judgeCase } from '../../../src/harness/agreement.ts';
import { parse } from '../../../src/ir/parse.ts';
import { variablesOf } from '../../../src/ir/traverse.ts';
import { askMethod } from '../../../src/harness/answers.ts';
import type { GradientCase } from '../../../src/harness/arbitraries.ts';

const caseAt = (text: string, at: Readonly<Record<string, number>>): GradientCase => {
  const expr = parse(text);
  const variables = variablesOf(expr);
  return { expr, variables, point: Float64Array.from(variables, (v) => at[v]) };
};
const methods = ['autograd', 'symbolic', 'symbolic-simplified'].map(getMethod);
const opts = { methodOptions: { symbolic: { thread: 'main' }, 'symbolic-simplified': { thread: 'main' } } };

describe('simplifyRewrites', () => {
  it('lists a partial whose simplified value differs beyond rounding, NaN against a number included', () => {
    const changed = simplifyRewrites(['x', 'y', 'z', 'w'], [1, -1, 2, NaN], [1 + 1e-15, 1, NaN, NaN]);
    expect(changed.map((r: SimplifyRewrite) => r.variable)).toEqual(['y', 'z']);
  });

  it('lists an infinite value against a finite one (simplify folding 1e308·3 to Infinity), but not equal infinities', () => {
    const changed = simplifyRewrites(['x', 'y', 'z'], [1.5e308, Infinity, -1e300], [Infinity, Infinity, -Infinity]);
    expect(changed.map((r: SimplifyRewrite) => r.variable)).toEqual(['x', 'z']);
  });
});

describe('symbolic-simplified where simplify rewrites over the complex plane or assumes positivity', () => {
  const cases: [string, Record<string, number>][] = [
    ...simplifyPitfallExamples.map((e) => [e.expr, e.at] as [string, Record<string, number>]),
    // our own: the same mechanisms in other clothes
    ['(y^2)^0.5 * 3', { y: -2 }],
    ['cbrt(x*x) + x', { x: -0.25 }],
    ['(x^4)^0.25', { x: -1.5 }],
    // simplify folds 1e308·3 into Infinity (long fuzz)
    ['atan(exp(x * 3)) * 1e308', { x: 1e-300 }],
  ];
  for (const [text, at] of cases) {
    it(`reports the rewrite of ${text} at ${JSON.stringify(at)} and is classified simplify-invalid, not a bug`, () => {
      const c = caseAt(text, at);
      const answer = askMethod(getMethod('symbolic-simplified'), c, { thread: 'main' });
      const rewrites = answer.result?.extra?.simplifyRewrites as SimplifyRewrite[];
      expect(rewrites.length).toBeGreaterThan(0);
      expect(answer.result!.notes!.join(' ')).toMatch(/mathjs simplify changed .* not valid here/);
      const report = judgeCase(c, methods, opts);
      expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'agree', 'simplify-invalid']);
      expect(report.failed).toBe(false);
      expect(report.answers[2].explanation).toMatch(/simplify's rewrite is not valid here/);
    });
  }

  it('leaves symbolic-simplified unflagged where its rewrite is valid (the same expressions at positive points)', () => {
    for (const [text, at] of [['(x^2)^0.5', { x: 3 }], ['cbrt(z*z)', { z: 1.5 }]] as const) {
      const c = caseAt(text, at);
      const answer = askMethod(getMethod('symbolic-simplified'), c, { thread: 'main' });
      expect(answer.result?.extra?.simplifyRewrites).toBeUndefined();
      expect(judgeCase(c, methods, opts).answers[2].verdict).toBe('agree');
    }
  });

  it('still calls a wrong simplified answer a bug when the unsimplified derivative is wrong too', () => {
    // A fake method whose "unsimplified" gradient is as wrong as its answer: simplify is not to blame.
    const c = caseAt('sin(x)', { x: 1 });
    const wrong = {
      name: 'wrong-both',
      summary: '',
      compute: () => ({ value: Math.sin(1), gradient: Float64Array.of(2), extra: { unsimplifiedGradient: Float64Array.of(2) } }),
    };
    const report = judgeCase(c, [wrong]);
    expect(report.answers[0].verdict).toBe('disagree');
  });
});

describe('softplus and sigmoid lowered for mathjs', () => {
  it('refuse with the reason where the lowering overflows, instead of a silent NaN', () => {
    for (const [text, at] of [['softplus(x)', { x: 800 }], ['sigmoid(x)', { x: -800 }], ['softplus(cosh(z*-3))', { z: 2.5 }], ['sigmoid(x) * x', { x: -400 }]] as const) {
      for (const name of ['symbolic', 'symbolic-simplified']) {
        const answer = askMethod(getMethod(name), caseAt(text, at), { thread: 'main' });
        expect(answer.status, `${name} on ${text}`).toBe('unavailable');
        expect(answer.reason).toMatch(/lowered as .* overflow/);
      }
    }
  });

  it("refuse where a partial uses softplus's value and the lowering log(1 + exp(u)) has lost its digits", () => {
    // At u = -30, 1 + exp(u) keeps 3 of exp(u)'s 16 digits: mathjs's ∂/∂y of softplus(x)·softplus(y) was off by 1e-3.
    for (const [text, at] of [['softplus(x) * softplus(y)', { x: -30, y: 1 }], ['sin(softplus(x)) * y', { x: -9, y: 2 }], ['softplus(x)^y', { x: -8, y: 3 }]] as const) {
      for (const name of ['symbolic', 'symbolic-simplified']) {
        const answer = askMethod(getMethod(name), caseAt(text, at), { thread: 'main' });
        expect(answer.status, `${name} on ${text}`).toBe('unavailable');
        expect(answer.reason).toMatch(/log\(1 \+ exp\(u\)\).*drops the low digits/);
      }
    }
  });

  it("answer where softplus's value is only summed, or where exp(u) keeps its digits", () => {
    for (const [text, at] of [['softplus(x) + y', { x: -30, y: 1 }], ['softplus(x) * y', { x: -4, y: 3 }], ['softplus(x)', { x: -700 }]] as const) {
      const report = judgeCase(caseAt(text, at), methods, opts);
      expect(report.answers.map((a) => a.verdict), `${text} at ${JSON.stringify(at)}`).toEqual(['agree', 'agree', 'agree']);
    }
  });

  it("refuse where mathjs's quotient rule squares a v outside float64's normal range, and only where v varies", () => {
    // The long fuzz found 0/xy at xy = 5e-324: mathjs's (u′v − uv′)/v² is 0/0 there, a silent NaN.
    for (const [text, at] of [['x / y', { x: 1, y: 1e-160 }], ['x / y', { x: 1, y: 1e160 }], ['sin(x) / (x * y)', { x: 1, y: 5e-324 }]] as const) {
      for (const name of ['symbolic', 'symbolic-simplified']) {
        const answer = askMethod(getMethod(name), caseAt(text, at), { thread: 'main' });
        expect(answer.status, `${name} on ${text}`).toBe('unavailable');
        expect(answer.reason).toMatch(/quotient rule .* v² leaves float64's normal range/);
      }
    }
    for (const [text, at] of [['x / 1e-200', { x: 3 }], ['x / y', { x: 1, y: 1e-100 }]] as const) {
      const report = judgeCase(caseAt(text, at), methods, opts);
      expect(report.answers.map((a) => a.verdict), `${text} at ${JSON.stringify(at)}`).toEqual(['agree', 'agree', 'agree']);
    }
  });

  it('agree with autograd right up to the edge of where the lowering holds', () => {
    for (const [text, at] of [['softplus(x)', { x: 709 }], ['softplus(x)', { x: -700 }], ['sigmoid(x)', { x: -354 }], ['sigmoid(x)', { x: 700 }]] as const) {
      const report = judgeCase(caseAt(text, at), methods, opts);
      expect(report.answers.map((a) => a.verdict), `${text} at ${JSON.stringify(at)}`).toEqual(['agree', 'agree', 'agree']);
    }
  });
});
