// The numeric gradient: one scheme applied along every variable, with fallbacks, evaluation counts and error estimates.
import type { Expr } from '../../ir/node.ts';
import { ops } from '../../ir/ops.ts';
import { compile, variableIndex } from '../../ir/compile.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { MethodUnavailableError, type GradientResult } from '../method.ts';
import { type SchemeName } from './error-model.ts';
import { evaluationNoiseBound } from './noise.ts';
import { CoordinateLine, NonFiniteError } from './stencil.ts';
import { differencePartial, richardsonPartial, type PartialEstimate, type PartialOptions, type RichardsonSide } from './schemes.ts';
import { ComplexStepInvalidError, complexStepPartials } from './complex-step.ts';

/** Options every numeric method accepts (passed through `gradient(expr, point, { method, ...options })`). */
export interface NumericOptions {
  /**
   * The step (for Richardson: the largest step). By default chosen per variable: the scheme's base step times
   * max(1, |xᵢ|) or times min(1, |xᵢ|) (one of them scaled to the point), whichever has the smaller modelled error,
   * then (for the difference quotients) moved to the model's optimum for the estimated higher derivative and rounding.
   */
  readonly h?: number;
  /** Richardson: how many central differences one extrapolation combines (4 by default: it eliminates h², h⁴, h⁶); 2 to 12. */
  readonly levels?: number;
  /** Richardson: how many central differences (at h, h/2, h/4, …) the tableau holds; 2·levels by default, levels to 40. */
  readonly steps?: number;
  /**
   * Richardson: extrapolate central differences (`'central'`, the default) or one-sided ones (`'forward'`,
   * `'backward'`: f only on that side of the point, for a point at the edge of f's domain). A central tableau that
   * meets a point where f is not finite falls back to the one-sided tableau by itself.
   */
  readonly side?: RichardsonSide;
  /** Spend extra evaluations on the error estimate and on choosing the step (default true; false for pure timing runs: the textbook step). */
  readonly estimate?: boolean;
}

const sides: readonly RichardsonSide[] = ['central', 'forward', 'backward'];

/**
 * Reads {@link NumericOptions} from a method's option bag, ignoring options meant for other methods.
 * @throws Error naming the option when a value is not acceptable.
 */
export function readNumericOptions(options: Readonly<Record<string, unknown>>): NumericOptions {
  const { h, levels, steps, estimate, side } = options;
  if (h !== undefined && !(typeof h === 'number' && h > 0 && Number.isFinite(h))) {
    throw new Error(`option h must be a positive finite number, got ${String(h)}`);
  }
  if (levels !== undefined && !(typeof levels === 'number' && Number.isInteger(levels) && levels >= 2 && levels <= 12)) {
    throw new Error(`option levels must be an integer from 2 to 12, got ${String(levels)}`);
  }
  if (steps !== undefined && !(typeof steps === 'number' && Number.isInteger(steps) && steps >= ((levels as number | undefined) ?? 4) && steps <= 40)) {
    throw new Error(`option steps must be an integer from levels (${(levels as number | undefined) ?? 4}) to 40, got ${String(steps)}`);
  }
  if (estimate !== undefined && typeof estimate !== 'boolean') throw new Error(`option estimate must be true or false, got ${String(estimate)}`);
  if (side !== undefined && !sides.includes(side as RichardsonSide)) throw new Error(`option side must be one of ${sides.join(', ')}, got ${String(side)}`);
  return {
    side: side as RichardsonSide | undefined,
    h: h as number | undefined,
    levels: levels as number | undefined,
    steps: steps as number | undefined,
    estimate: estimate as boolean | undefined,
  };
}

/**
 * Refuses expressions with an op that is not analytic, naming the op and its declared reason.
 * @throws MethodUnavailableError for abs, relu, sign, step, … (whatever the op table declares non-analytic).
 */
export function assertAnalytic(expr: Expr, method: string): void {
  for (const node of topologicalOrder(expr)) {
    if (node.kind !== 'op') continue;
    const complex = ops[node.op].complex;
    if (typeof complex !== 'function') throw new MethodUnavailableError(method, `cannot differentiate ${node.op}: ${complex.nonAnalytic}`);
  }
}

function describePoint(variables: readonly string[], point: Float64Array): string {
  const shown = variables.slice(0, 6).map((name, i) => `${name} = ${point[i]}`);
  return shown.join(', ') + (variables.length > 6 ? `, … (${variables.length} variables)` : '');
}

/**
 * Symmetric schemes fall back to a one-sided scheme on the side where f is finite, and say so: the difference
 * quotients to the forward or backward difference, Richardson to the one-sided Richardson tableau.
 */
function oneSided(line: CoordinateLine, options: PartialOptions, failure: NonFiniteError, method: string, richardson = false): PartialEstimate {
  for (const side of ['forward', 'backward'] as const) {
    try {
      const estimate = richardson ? richardsonPartial(line, { ...options, side }) : differencePartial(line, side, options);
      const note = `∂f/∂${line.variable}: ${failure.message.split(':')[0]}; used the ${side} ${richardson ? 'Richardson tableau' : 'difference'} instead`;
      return { ...estimate, note: estimate.note === undefined ? note : `${note}; ${estimate.note}` };
    } catch (error) {
      if (!(error instanceof NonFiniteError)) throw error;
    }
  }
  // f is finite at the point but on neither side within the step (a pole, a domain edge, or an oscillation that
  // crosses one, as log(tan(z)·c) at z = 1e16 with h = 1.2e11): no difference quotient exists at this step.
  throw new MethodUnavailableError(
    method,
    `${failure.message.split(':')[0]}, and f is not finite on the other side either: a singularity or the edge of f's domain lies within the step on both sides`,
  );
}

/**
 * The refusal for a complex step whose Im f(x + ih)/h is not finite although f(x) is: the imaginary part overflows
 * (sinh(x·h) for a huge x) or meets a singularity within h. Shared by expressions and programs.
 */
export function complexStepRefusal(method: string, error: NonFiniteError): MethodUnavailableError {
  return new MethodUnavailableError(
    method,
    `Im f(${error.variable} = ${error.x} + ${error.offset})/h is not finite (f there = ${error.value}): f grows too fast, or has a singularity, within the complex step's h`,
  );
}

/**
 * One partial on its coordinate line by a finite-difference `scheme` (`options.side` for Richardson), with the
 * fallbacks every numeric gradient applies: a symmetric scheme that meets a non-finite value turns one-sided
 * (and says so); a one-sided scheme whose side leaves f's domain refuses, naming the method that looks the other way.
 * Shared by expressions ({@link numericGradient}) and programs (define-by-run).
 * @throws MethodUnavailableError for a one-sided scheme at the edge of f's domain, and for a symmetric one when
 *   neither side of its stencil is finite.
 */
export function linePartial(line: CoordinateLine, scheme: Exclude<SchemeName, 'complex-step'>, options: PartialOptions, method: string): PartialEstimate {
  try {
    return scheme === 'richardson' ? richardsonPartial(line, options) : differencePartial(line, scheme, options);
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    if (scheme === 'forward' || scheme === 'backward' || (scheme === 'richardson' && (options.side ?? 'central') !== 'central')) {
      // f is finite at the point but not on the stencil's side of it: a point at the edge of f's domain, where a
      // one-sided method asked for the other side has no answer. A refusal that says which method has one.
      const other = (scheme === 'richardson' ? options.side : scheme) === 'forward' ? 'backward' : 'forward';
      throw new MethodUnavailableError(
        method,
        `${error.message.split(':')[0]}: the point is at the edge of f's domain on this side; ` +
          `numeric-${other}, or numeric-richardson with side '${other}', looks the other way`,
      );
    }
    return oneSided(line, options, error, method, scheme === 'richardson');
  }
}

/**
 * The gradient of `expr` at `point` (values in `variables`' order) by one numeric scheme.
 *
 * f is compiled once ({@link compile}); each partial moves one coordinate and reuses f(x). `evaluations` counts the
 * evaluations the difference formulas use: forward and backward n + 1, central 2n, five-point 4n, Richardson 2Sn
 * (S = steps, 2·levels by default: 16n; one-sided Sn + 1), complex step n (complex evaluations, all in one
 * interpretation); f(x) itself is counted only where the formula uses it. The error estimate's and the step
 * choice's own evaluations are in `extra.estimateEvaluations`: at |xᵢ| = 1 or xᵢ = 0 (one candidate step) 2 per
 * variable for forward, backward and central, 4 for five-point, 0 for Richardson (its tableau is its own estimate);
 * elsewhere also those of the second candidate step, and of any move towards the optimal step (see
 * `differencePartial`). Works for any number of variables.
 *
 * `extra` holds, for reports: `scheme`; `schemes`, the scheme of each partial (one-sided after a fallback);
 * `sides` (Richardson), the side of each partial's tableau;
 * `steps`, the realised h per variable; `higherDerivatives`, the estimated |f⁽ᵏ⁾| of each truncation term; `noise`,
 * the N each round-off term assumed; and `estimateEvaluations`.
 * @throws Error when f is not finite at the point, or (naming the variable and step) at a stencil point where no
 *   fallback applies; MethodUnavailableError when the complex step meets a non-analytic op.
 */
export function numericGradient(
  expr: Expr,
  variables: readonly string[],
  point: Float64Array,
  scheme: SchemeName,
  options: NumericOptions = {},
  method: string = scheme,
): GradientResult {
  if (scheme === 'complex-step') assertAnalytic(expr, method);
  const f = compile(expr, variables);
  const work = Float64Array.from(point);
  const fx = f(work);
  if (!Number.isFinite(fx)) {
    throw new Error(`f is not finite at the point (${describePoint(variables, point)}; f = ${fx}): the point is at a singularity or outside the domain`);
  }
  const noise = evaluationNoiseBound(expr, variables, point);
  const partialOptions: PartialOptions = { ...options, fx, noise };
  const n = variables.length;
  const partials: PartialEstimate[] = [];
  let lineEvaluations = 0;
  if (scheme === 'complex-step') {
    // All variables in one interpretation (complex-step.ts).
    const index = variableIndex(expr, variables);
    try {
      partials.push(...complexStepPartials({ expr, index, point, variables }, variables.map((_, i) => i), partialOptions));
    } catch (error) {
      // Not a failure of the method's arithmetic: a point where the complex step has no honest answer. Say why.
      if (error instanceof ComplexStepInvalidError) throw new MethodUnavailableError('complex-step', error.reason);
      // f is finite at the point (checked above), so a non-finite Im f(x + ih)/h means the step meets f's growth:
      // the imaginary part overflows (sinh(x·h) for a huge x), and no step of this size gives f′.
      if (error instanceof NonFiniteError) throw complexStepRefusal(method, error);
      throw error;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const line = new CoordinateLine(f, work, i, variables[i]);
      partials.push(linePartial(line, scheme, partialOptions, method));
      lineEvaluations += line.evaluations;
    }
  }
  const estimateEvaluations = partials.reduce((s, p) => s + p.estimateEvaluations, 0);
  const usesFx = partials.some((p) => p.scheme === 'forward' || p.scheme === 'backward' || p.side === 'forward' || p.side === 'backward');
  const evaluations =
    scheme === 'complex-step' ? n : lineEvaluations - estimateEvaluations + (usesFx ? 1 : 0);
  const notes = partials.flatMap((p) => (p.note === undefined ? [] : [p.note]));
  const schemes = partials.map((p) => p.scheme);
  return {
    value: fx,
    gradient: Float64Array.from(partials, (p) => p.derivative),
    evaluations,
    errorEstimate: options.estimate === false ? undefined : Float64Array.from(partials, (p) => p.errorEstimate),
    notes: notes.length > 0 ? notes : undefined,
    extra: {
      scheme,
      schemes,
      ...(scheme === 'richardson' ? { sides: partials.map((p) => p.side ?? 'central') } : {}),
      steps: Float64Array.from(partials, (p) => p.step),
      higherDerivatives: Float64Array.from(partials, (p) => p.higherDerivative),
      noise: Float64Array.from(partials, (p) => p.noise),
      estimateEvaluations,
    },
  };
}
