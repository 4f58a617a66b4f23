// Specification of the error models as code: each constant is checked against a polynomial where the model is exact.
import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/ir/parse.ts';
import {
  backwardModel, centralModel, complexStepModel, errorModel, estimateSafetyFactor, evaluationNoise, extrapolationWeights,
  fivePointModel, forwardModel, logSteps, machineEpsilon, modelCurve, numericGradient, richardsonModel, textbookStep,
  type SchemeName,
} from '../../../src/diff/numeric/index.ts';
import { differenceWeights } from '../../../src/diff/numeric/stencil.ts';

const eps = machineEpsilon;

describe('truncation constants, on polynomials where the leading term is the whole error', () => {
  // Steps are powers of two and x = 1, so every stencil value is exact and the error is pure truncation.
  const h = 2 ** -4;
  const cases: [SchemeName, string, number, number, Record<string, unknown>][] = [
    // (f(1+h) − f(1))/h for x² is 2 + h: error h = |f″|h/2 with f″ = 2
    ['forward', 'x^2', 2, 2, {}],
    ['backward', 'x^2', 2, 2, {}],
    // central on x³: 3 + h² = f′ + |f‴|h²/6 with f‴ = 6
    ['central', 'x^3', 3, 6, {}],
    // five-point on x⁵: 5 − 4h⁴ = f′ − |f⁽⁵⁾|h⁴/30 with f⁽⁵⁾ = 120
    ['five-point', 'x^5', 5, 120, {}],
    // complex step on x³: Im (1 + ih)³/h = 3 − h² = f′ − |f‴|h²/6
    ['complex-step', 'x^3', 3, 6, {}],
    // Richardson of D(h), D(h/2) on x⁵: f⁽⁵⁾/5!·h²·(h/2)² = h⁴/4
    ['richardson', 'x^5', 5, 120, { levels: 2, steps: 2 }],
  ];
  it.each(cases)('%s on %s', (scheme, text, exact, derivative, options) => {
    const result = numericGradient(parse(text), ['x'], Float64Array.of(1), scheme, { h, ...options });
    const model = errorModel(scheme, (options.levels as number | undefined) ?? 4);
    const error = Math.abs(result.gradient[0] - exact);
    expect(error).toBeGreaterThan(0);
    // To 1e-9: the weighted sum of values ~f/h rounds at ~1e-15 next to errors as small as 4h⁴ = 6e-5.
    expect(error / model.truncation(h, { derivative, noise: 0 })).toBeCloseTo(1, 9);
  });
});

describe('round-off constants: the absolute sum of the stencil weights times h', () => {
  it.each([
    [forwardModel, [0, 1]],
    [backwardModel, [-1, 0]],
    [centralModel, [-1, 1]],
    [fivePointModel, [-2, -1, 1, 2]],
  ] as const)('%s', (model, nodes) => {
    const weights = differenceWeights(nodes as readonly number[]);
    expect(weights.reduce((s, w) => s + Math.abs(w), 0)).toBeCloseTo(model.roundOffConstant, 14);
    expect(model.roundOff(1e-5, { derivative: 0, noise: 1e-16 })).toBeCloseTo((model.roundOffConstant * 1e-16) / 1e-5, 25);
  });

  it('Richardson: Σ|ℓₖ(0)|·2ᵏ over its extrapolation weights', () => {
    const weights = extrapolationWeights([1, 1 / 4, 1 / 16]);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 14); // it reproduces constants
    expect(richardsonModel(3).roundOffConstant).toBeCloseTo(weights.reduce((s, w, k) => s + Math.abs(w) * 2 ** k, 0), 14);
  });

  it('the complex step rounds relative to f′, whatever h', () => {
    for (const h of [1e-3, 1e-20, 1e-200]) expect(complexStepModel.roundOff(h, { derivative: 1, noise: 1, slope: 4 })).toBe(4 * eps);
  });
});

describe('optimal steps', () => {
  const inputs = { derivative: 3, noise: 2 * eps };
  it.each([forwardModel, centralModel, fivePointModel, richardsonModel(4)])('$scheme: the model is smallest at optimalStep', (model) => {
    const h = model.optimalStep(inputs);
    expect(model.error(h, inputs)).toBeLessThan(model.error(h * 1.05, inputs));
    expect(model.error(h, inputs)).toBeLessThan(model.error(h / 1.05, inputs));
  });

  it('have the textbook closed forms', () => {
    const { derivative: D, noise: N } = inputs;
    expect(forwardModel.optimalStep(inputs)).toBeCloseTo(2 * Math.sqrt(N / D), 20);
    expect(centralModel.optimalStep(inputs)).toBeCloseTo(Math.cbrt((3 * N) / D), 18);
    expect(fivePointModel.optimalStep(inputs)).toBeCloseTo(((45 * N) / (4 * D)) ** (1 / 5), 16);
    expect(complexStepModel.optimalStep({ ...inputs, slope: 2 })).toBeCloseTo(Math.sqrt((6 * eps * 2) / D), 20);
  });

  it('textbook steps are √ε, ∛ε, ε^⅕ times max(1, |x|)', () => {
    expect(textbookStep(forwardModel, 0.5)).toBe(Math.sqrt(eps));
    expect(textbookStep(centralModel, -8)).toBe(8 * Math.cbrt(eps));
    expect(textbookStep(fivePointModel, 3)).toBe(3 * eps ** 0.2);
    expect(textbookStep(complexStepModel, 0)).toBe(1e-20);
  });
});

describe('model curves for plots', () => {
  it('form a V: truncation falls and round-off rises as h shrinks, crossing near the optimum', () => {
    const inputs = { derivative: 5.1, noise: evaluationNoise(3.5) };
    const hs = logSteps(1e-1, 1e-16, 4);
    expect(hs).toHaveLength(61);
    expect(hs[0]).toBe(1e-1);
    expect(hs[60]).toBeCloseTo(1e-16, 30);
    const curve = modelCurve(centralModel, inputs, hs);
    const best = curve.reduce((a, b) => (b.total < a.total ? b : a));
    expect(best.h / centralModel.optimalStep(inputs)).toBeGreaterThan(0.5);
    expect(best.h / centralModel.optimalStep(inputs)).toBeLessThan(2);
    for (let k = 1; k < curve.length; k++) {
      expect(curve[k].truncation).toBeLessThan(curve[k - 1].truncation);
      expect(curve[k].roundOff).toBeGreaterThan(curve[k - 1].roundOff);
    }
  });

  it('evaluationNoise is ε|f|, but never below the spacing of subnormals', () => {
    expect(evaluationNoise(-4)).toBe(4 * eps);
    expect(evaluationNoise(0)).toBe(Number.MIN_VALUE);
  });

  it('recommend a safety factor for tolerances built on the estimates', () => expect(estimateSafetyFactor).toBe(10));
});
