// The agreement property: methods judged against the reference with error-model tolerances, known cases classified, bugs shrunk.
import { describe, expect, it } from 'vitest';
import { MethodUnavailableError, type GradientMethod } from '../../src/diff/method.ts';
import { getMethod } from '../../src/diff/registry.ts';
import { parse } from '../../src/ir/parse.ts';
import { judgeCase, runAgreement } from '../../src/harness/agreement.ts';
import { formatCounterexample } from '../../src/harness/format.ts';
import { referenceGradient } from '../../src/harness/reference.ts';
import { lessons } from '../../src/harness/suite.ts';
import type { GradientCase } from '../../src/harness/arbitraries.ts';
import { topologicalOrder } from '../../src/ir/traverse.ts';

const caseOf = (text: string, variables: string[], ...point: number[]): GradientCase => ({ expr: parse(text), variables, point: Float64Array.from(point) });

/** A method answering the reference gradient scaled by (1 + relative), or with a fixed answer. */
function scaled(name: string, relative: number): GradientMethod {
  return {
    name,
    summary: `the reference, off by a relative ${relative}`,
    compute: ({ expr, variables, point }) => {
      const r = referenceGradient(expr, variables, point);
      return { value: r.value, gradient: r.gradient.map((g) => g * (1 + relative)) };
    },
  };
}

describe('judgeCase', () => {
  it('passes every registered method on the lessons', () => {
    const methods = ['autograd', 'symbolic-dag', 'numeric-central', 'complex-step'].map(getMethod);
    for (const lesson of lessons()) {
      const report = judgeCase(lesson, methods);
      expect(report.failed).toBe(false);
      expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'agree', 'within-model', 'within-model']);
    }
  });

  it('judges a case whose tolerance is infinite without crashing (z + z + sin(z + z) at z = −1.28e22, found by the long fuzz run)', () => {
    const c = caseOf('z + z + sin(z + z)', ['z'], -1.28e22);
    const methods = ['autograd', 'forward-mode', 'symbolic-dag', 'numeric-central', 'numeric-five-point', 'complex-step'].map(getMethod);
    const report = judgeCase(c, methods);
    expect(report.answers.map((a) => a.verdict)).not.toContain('crash');
    for (const a of report.answers) expect(a.explanation.length).toBeGreaterThan(0);
  });

  it('names a worst partial even when a tolerance is NaN or ∞ (the explanation never reads an undefined partial)', () => {
    const c = caseOf('sin(x) * exp(y)', ['x', 'y'], 0.7, 0.3);
    const nan: GradientMethod = {
      name: 'no-estimate',
      summary: 'a wrong answer whose error estimate is NaN',
      compute: ({ expr, variables, point }) => {
        const r = referenceGradient(expr, variables, point);
        return { value: r.value, gradient: r.gradient.map((g) => g * 1.5), errorEstimate: Float64Array.of(NaN, NaN) };
      },
    };
    const report = judgeCase(c, [nan]);
    expect(report.answers[0].verdict).not.toBe('agree');
    expect(report.answers[0].explanation).toMatch(/∂f\/∂[xy]/);
  });

  it('lets an exact method be off by an ulp but not by 1e-9', () => {
    const c = caseOf('sin(x) * exp(y)', ['x', 'y'], 0.7, 0.3);
    const report = judgeCase(c, [scaled('one-ulp', Number.EPSILON), scaled('off', 1e-9)]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['agree', 'disagree']);
    expect(report.answers[1].explanation).toMatch(/∂f\/∂x is off by/);
    expect(report.pairs).toEqual([expect.objectContaining({ a: 'one-ulp', b: 'off', verdict: 'disagree' })]);
  });

  it('scales the exact tolerance with conditioning: cancellation earns a wider band', () => {
    // ∂/∂x of (x + 1e8)² − x² − 2e8·x is 2 exactly, computed as the difference of numbers near 2e8.
    const illConditioned = judgeCase(caseOf('(x + 100000000)^2 - x^2 - 200000000*x', ['x'], 1.5), [scaled('off', 1e-9)]);
    const wellConditioned = judgeCase(caseOf('2*x', ['x'], 1.5), [scaled('off', 1e-9)]);
    expect(illConditioned.answers[0].verdict).toBe('agree');
    expect(wellConditioned.answers[0].verdict).toBe('disagree');
  });

  it('classifies a method that declares it cannot run as unavailable, and a budget as budget', () => {
    const refuses: GradientMethod = { name: 'refuses', summary: '', compute: () => { throw new MethodUnavailableError('refuses', 'no rule for sin'); } };
    const outOfTime: GradientMethod = { name: 'slow', summary: '', compute: () => { throw new MethodUnavailableError('slow', 'time budget of 1 s exhausted'); } };
    const crashes: GradientMethod = { name: 'crashes', summary: '', compute: () => { throw new TypeError('oops'); } };
    const report = judgeCase(caseOf('sin(x)', ['x'], 1), [refuses, outOfTime, crashes]);
    expect(report.answers.map((a) => a.verdict)).toEqual(['unavailable', 'budget', 'crash']);
    expect(report.failed).toBe(true);
  });

  it('classifies overflow and kinks as known cases, not bugs', () => {
    const autograd = getMethod('autograd');
    const overflow = judgeCase(caseOf('log(1 + exp(x))', ['x'], 1000), [autograd]);
    expect(overflow.pointClass).toBe('non-finite');
    expect(overflow.answers[0].verdict).toBe('non-finite');
    const kink = judgeCase(caseOf('abs(x)', ['x'], 0), [autograd, getMethod('numeric-forward')]);
    expect(kink.pointClass).toBe('non-differentiable');
    expect(kink.answers.map((a) => a.verdict)).toEqual(['non-differentiable', 'non-differentiable']);
    expect(kink.failed).toBe(false);
  });

  it("blames a numeric method's miss on a kink inside its stencil, not on the method", () => {
    // |x − 1e-9| at x = 0: smooth at the point, but a forward step of ~1.5e-8 crosses the kink.
    const report = judgeCase(caseOf('abs(x - 0.000000001)', ['x'], 0), [getMethod('numeric-forward')]);
    expect(report.pointClass).toBe('smooth');
    // Its own error estimate there is as large as the slope, so it is no pass: the kink is named instead.
    expect(report.answers[0].verdict).toBe('non-differentiable');
  });
});

describe('runAgreement', () => {
  it('shrinks to a counterexample that blames the method the matrix counted as failing', () => {
    // `large` is wrong on expressions of 4 or more nodes, `small` on expressions of 2 or fewer: a shrinker free to
    // switch culprits would trade a large case blaming `large` for a small one blaming `small`.
    const nodes = (e: import('../../src/ir/node.ts').Expr) => topologicalOrder(e).length;
    const wrongWhen = (name: string, bad: (n: number) => boolean): GradientMethod => ({
      name,
      summary: '',
      compute: ({ expr, variables, point }) => {
        const r = referenceGradient(expr, variables, point);
        return { value: r.value, gradient: r.gradient.map((g) => (bad(nodes(expr)) ? g + 1 : g)) };
      },
    });
    const methods = [wrongWhen('large', (n) => n >= 4), wrongWhen('small', (n) => n <= 2)];
    for (const seed of [1, 2, 3, 4, 5]) {
      const run = runAgreement({ methods, runs: 50, seed });
      const counted = run.rows.filter((r) => r.b === 'reference' && r.counts.disagree > 0).map((r) => r.a);
      const blamed = run.counterexample!.report.answers.filter((a) => a.verdict === 'disagree').map((a) => a.method);
      expect(blamed.some((m) => counted.includes(m)), `seed ${seed}: matrix ${counted}, shrunk case ${blamed}`).toBe(true);
    }
  });

  it('"every registered method agrees with the reference" holds on random expressions', () => {
    const methods = ['autograd', 'symbolic-dag', 'numeric-central', 'numeric-five-point', 'complex-step'].map(getMethod);
    const run = runAgreement({ methods, runs: 60, seed: 3 });
    expect(run.counterexample).toBeUndefined();
    expect(run.runsCompleted).toBe(60);
    const autogradRow = run.rows.find((r) => r.label === 'autograd vs reference')!;
    expect(autogradRow.passed).toBe(60);
    expect(autogradRow.maxError).toBeLessThan(1e-13);
    expect(run.rows.some((r) => r.label === 'autograd ↔ symbolic-dag')).toBe(true);
  });

  it('shrinks a planted bug to a small counterexample with its seed and path', () => {
    // A method that is wrong by half whenever the expression contains a sine.
    const forgetful: GradientMethod = {
      name: 'forgetful',
      summary: 'autograd, but 50% off whenever a sine appears',
      compute: (request) => {
        const result = getMethod('autograd').compute(request);
        const hasSin = topologicalOrder(request.expr).some((n) => n.op === 'sin');
        return hasSin ? { ...result, gradient: result.gradient.map((g) => g * 1.5) } : result;
      },
    };
    const run = runAgreement({ methods: [getMethod('autograd'), forgetful], runs: 100, seed: 5, expression: { ops: ['add', 'mul', 'sin', 'exp'] } });
    const counterexample = run.counterexample!;
    expect(counterexample).toBeDefined();
    expect(counterexample.report.answers.find((a) => a.method === 'forgetful')!.verdict).toBe('disagree');
    const text = formatCounterexample(counterexample, `gradlab check --seed ${counterexample.seed} --path "${counterexample.path}"`);
    expect(text).toMatch(/expression \(infix\): .*sin\(/);
    expect(text).toMatch(/Wengert list:\n {2}v1 = /);
    expect(text).toContain(`seed ${counterexample.seed}, path "${counterexample.path}"`);
    // Replaying the path gives the same shrunk case.
    const replay = runAgreement({ methods: [getMethod('autograd'), forgetful], seed: counterexample.seed, path: counterexample.path, expression: { ops: ['add', 'mul', 'sin', 'exp'] } });
    expect(replay.counterexample!.report.case.expr).toBe(counterexample.report.case.expr);
  });
});
