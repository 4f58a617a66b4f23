// Accuracy measurements: every method's error against the reference over a suite, and the error-versus-step V curve.
import type { GradientMethod } from '../diff/method.ts';
import { dagGradient } from '../diff/symbolic/dag.ts';
import { errorModel, logSteps, type SchemeName } from '../diff/numeric/error-model.ts';
import { evaluationNoiseBound } from '../diff/numeric/noise.ts';
import type { Expr } from '../ir/node.ts';
import { toInfix } from '../ir/print.ts';
import type { GradientCase } from './arbitraries.ts';
import { askMethod } from './answers.ts';
import { referenceGradient, referenceValue } from './reference.ts';

/** The k-th derivative of a one-variable expression (k ≥ 1), by repeated reverse accumulation on the DAG. */
export function nthDerivative(expr: Expr, variable: string, k: number): Expr {
  let d = expr;
  for (let i = 0; i < k; i++) d = dagGradient(d, [variable])[0];
  return d;
}

/** One measured point of a V curve. */
export interface StepError {
  readonly h: number;
  /** Relative error |f′ₕ − f′| / |f′|, or null when the method refused this step. */
  readonly error: number | null;
}

/** One finite-difference scheme on the V curve: measured errors, its error model, and the model's optimal step. */
export interface VSeries {
  readonly method: string;
  readonly scheme: SchemeName;
  readonly formula: string;
  readonly measured: readonly StepError[];
  /** The model's predicted relative error at each step (truncation + round-off). */
  readonly model: readonly { readonly h: number; readonly error: number }[];
  readonly optimalStep: number;
  /** The model's error at its optimal step. */
  readonly optimalError: number;
  /** The smallest measured error and where. */
  readonly best: { readonly h: number; readonly error: number };
}

/** The V curve of one function at one point: f′'s error against the step for each scheme, and exact methods as flat lines. */
export interface VCurve {
  /** A short name for titles (`l₄`), else the infix. */
  readonly label: string;
  readonly expression: string;
  readonly variable: string;
  readonly point: number;
  /** The exact derivative (64-digit reference). */
  readonly exact: number;
  readonly steps: readonly number[];
  readonly series: readonly VSeries[];
  /** Methods with no step (AD, symbolic): their relative error at the point. */
  readonly flat: readonly { readonly method: string; readonly error: number }[];
}

/** The schemes drawn on the V curve and the registered method that implements each. */
export const vCurveSchemes: readonly { readonly method: string; readonly scheme: SchemeName }[] = [
  { method: 'numeric-forward', scheme: 'forward' },
  { method: 'numeric-central', scheme: 'central' },
  { method: 'numeric-five-point', scheme: 'five-point' },
  { method: 'numeric-richardson', scheme: 'richardson' },
  { method: 'complex-step', scheme: 'complex-step' },
];

/**
 * Measures the V curve of a one-variable expression at x: each registered scheme at steps from `from` down
 * to `to` (option `h`, error estimate off), the models from `error-model.ts` fed with the true higher
 * derivatives (64-digit), and every method without a step as a flat line.
 */
export function measureVCurve(
  expr: Expr,
  variable: string,
  x: number,
  methods: readonly GradientMethod[],
  options: { readonly from?: number; readonly to?: number; readonly perDecade?: number; readonly label?: string } = {},
): VCurve {
  const variables = [variable];
  const point = Float64Array.of(x);
  const exact = referenceGradient(expr, variables, point).gradient[0];
  const steps = logSteps(options.from ?? 1e-1, options.to ?? 1e-16, options.perDecade ?? 4);
  const derivativeAt = new Map<number, number>();
  const derivative = (k: number) => {
    if (!derivativeAt.has(k)) derivativeAt.set(k, Math.abs(Number(referenceValue(nthDerivative(expr, variable, k), variables, point))));
    return derivativeAt.get(k)!;
  };
  const noise = evaluationNoiseBound(expr, variables, point);
  const relative = (g: number) => Math.abs(g - exact) / Math.abs(exact);
  const series: VSeries[] = [];
  for (const { method: name, scheme } of vCurveSchemes) {
    const method = methods.find((m) => m.name === name);
    if (method === undefined) continue;
    const measured = steps.map((h) => {
      const answer = askMethod(method, { expr, variables, point }, { h, estimate: false });
      return { h, error: answer.result ? relative(answer.result.gradient[0]) : null };
    });
    const model = errorModel(scheme);
    const inputs = { derivative: derivative(model.derivativeOrder), noise, slope: Math.abs(exact) };
    const optimalStep = model.optimalStep(inputs);
    const finite = measured.filter((m): m is { h: number; error: number } => m.error !== null && Number.isFinite(m.error));
    const best = finite.reduce((a, b) => (b.error < a.error ? b : a), finite[0] ?? { h: NaN, error: NaN });
    series.push({
      method: name,
      scheme,
      formula: model.formula,
      measured,
      model: steps.map((h) => ({ h, error: model.error(h, inputs) / Math.abs(exact) })),
      optimalStep,
      optimalError: model.error(optimalStep, inputs) / Math.abs(exact),
      best,
    });
  }
  const stepNames = new Set(vCurveSchemes.map((s) => s.method));
  const flat: { method: string; error: number }[] = [];
  for (const method of methods) {
    if (stepNames.has(method.name)) continue;
    const answer = askMethod(method, { expr, variables, point });
    if (answer.result === undefined || answer.result.errorEstimate !== undefined) continue;
    flat.push({ method: method.name, error: relative(answer.result.gradient[0]) });
  }
  return { label: options.label ?? toInfix(expr), expression: toInfix(expr), variable, point: x, exact, steps, series, flat };
}

/** A case of an accuracy suite, named. */
export interface NamedCase {
  readonly id: string;
  readonly case: GradientCase;
}
