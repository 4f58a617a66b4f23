// The program run in each define-by-run method's own arithmetic: autograd on Tensors, forward mode on dual numbers, the complex step on complex numbers, finite differences on numbers.
import { constant } from '../../ir/node.ts';
import { ops, type OpName } from '../../ir/ops.ts';
import { complexAlgebra, interpret, NonAnalyticError, realAlgebra, type Algebra } from '../../ir/evaluate.ts';
import type { Complex } from '../../ir/complex.ts';
import { partialKernels } from '../../ir/partials.ts';
import { MethodUnavailableError, type GradientResult } from '../method.ts';
import { tensor, type Tensor } from '../autograd/tensor.ts';
import { firstValue, resolve, tensorAlgebra } from '../autograd/functional.ts';
import { complexStepModel, textbookStep, type SchemeName } from '../numeric/error-model.ts';
import { evaluationNoiseBound } from '../numeric/noise.ts';
import { CoordinateLine, NonFiniteError } from '../numeric/stencil.ts';
import type { PartialEstimate, PartialOptions } from '../numeric/schemes.ts';
import { complexStepRefusal, linePartial, type NumericOptions } from '../numeric/gradient.ts';
import { ProgramRun, type Program } from './run.ts';
import { sameTape, type ProgramTrace } from './trace.ts';

/**
 * Reverse mode on the program itself (define-by-run, as PyTorch): each input a leaf tensor that requires grad,
 * the program run on tensors, one backward.
 */
export function tensorGradient(program: Program, variables: readonly string[], point: Float64Array): GradientResult {
  const real = (t: Tensor | number) => (typeof t === 'number' ? t : firstValue(resolve(t)));
  const run = new ProgramRun<Tensor | number>(tensorAlgebra, { real });
  const leaves = variables.map((_, i) => tensor(point[i], { requiresGrad: true }));
  const { output } = run.execute(program, variables, leaves);
  const gradient = new Float64Array(variables.length);
  if (typeof output === 'number' || !output.requiresGrad) {
    return { value: real(output), gradient, notes: ['the program\'s output does not depend on its inputs: every partial is 0'] };
  }
  output.backward();
  leaves.forEach((leaf, i) => (gradient[i] = leaf.grad?.item() ?? 0));
  return { value: output.item(), gradient };
}

/** A dual number carrying the whole gradient (vector forward mode): its value and ∂/∂xᵢ for every input, or null for a constant. */
interface Dual {
  readonly value: number;
  readonly tangent: Float64Array | null;
}

/** ∂out/∂argᵢ at concrete values: the op table's compiled partial, or, where it is NaN, the table's formula at those values (its special cases, e.g. u⁰). */
function partialValue(op: OpName, i: number, a: number, b: number, out: number): number {
  const p = partialKernels(op)[i](a, b, out);
  if (!Number.isNaN(p)) return p;
  const args = ops[op].arity === 1 ? [constant(a)] : [constant(a), constant(b)];
  return interpret(ops[op].partials(args, constant(out))[i], () => NaN, realAlgebra);
}

function dualAlgebra(n: number): Algebra<Dual> {
  return {
    constant: (value) => ({ value, tangent: null }),
    apply(op, args) {
      const a = args[0].value, b = args.length > 1 ? args[1].value : NaN;
      const value = ops[op].eval(a, b);
      let tangent: Float64Array | null = null;
      args.forEach((arg, i) => {
        // A constant argument contributes nothing (not 0·∂, which is NaN where ∂ is infinite), as forward-mode drops structural zeros.
        if (arg.tangent === null) return;
        const p = partialValue(op, i, a, b, value);
        tangent ??= new Float64Array(n);
        for (let k = 0; k < n; k++) if (arg.tangent[k] !== 0) tangent[k] += p * arg.tangent[k];
      });
      return { value, tangent };
    },
  };
}

/** Forward mode on the program: one run on dual numbers whose tangents carry every direction at once. */
export function dualGradient(program: Program, variables: readonly string[], point: Float64Array): GradientResult {
  const n = variables.length;
  const run = new ProgramRun<Dual>(dualAlgebra(n), { real: (d) => d.value });
  const inputs = variables.map((_, i) => {
    const tangent = new Float64Array(n);
    tangent[i] = 1;
    return { value: point[i], tangent };
  });
  const { output } = run.execute(program, variables, inputs);
  const dual = typeof output === 'number' ? { value: output, tangent: null } : output;
  const gradient = dual.tangent === null ? new Float64Array(n) : Float64Array.from(dual.tangent, (d) => d + 0);
  return { value: dual.value, gradient, extra: { passes: 1 } };
}

/**
 * The complex step on the program: one run per input on complex numbers, x + i·h·eₖ, with comparisons reading the
 * real part (so every run takes the path of the point itself), ∂f/∂xₖ = Im f / h.
 * @throws MethodUnavailableError at an op that is not analytic; Error when f is not finite.
 */
export function complexGradient(program: Program, variables: readonly string[], point: Float64Array, options: NumericOptions, method: string): GradientResult {
  const n = variables.length;
  const gradient = new Float64Array(n);
  const steps = new Float64Array(n);
  let value = NaN;
  for (let k = 0; k < n; k++) {
    // A power of two, as the complex-step method uses, so dividing by it is exact.
    const h = options.h ?? 2 ** Math.floor(Math.log2(textbookStep(complexStepModel, point[k])));
    steps[k] = h;
    const run = new ProgramRun<Complex>(complexAlgebra, { real: (z) => z.re });
    let z: Complex;
    try {
      const { output } = run.execute(program, variables, variables.map((_, i) => ({ re: point[i], im: i === k ? h : 0 })));
      z = typeof output === 'number' ? { re: output, im: 0 } : output;
    } catch (error) {
      if (error instanceof NonAnalyticError) throw new MethodUnavailableError(method, error.message);
      throw error;
    }
    value = z.re;
    gradient[k] = z.im / h;
    if (!Number.isFinite(z.re) || !Number.isFinite(gradient[k])) {
      const failure = new NonFiniteError(variables[k], point[k], `${h}i`, `${z.re} + ${z.im}i`);
      // f itself finite at the point: the step, not the point, is the problem; say so as the expression path does.
      throw Number.isFinite(realRunValue(program, variables, point)) ? complexStepRefusal(method, failure) : failure;
    }
  }
  if (n === 0) value = realRunValue(program, variables, point);
  return { value, gradient, evaluations: n, extra: { scheme: 'complex-step', steps } };
}

function realRunValue(program: Program, variables: readonly string[], point: ArrayLike<number>): number {
  const run = new ProgramRun<number>(realAlgebra, { real: (x) => x });
  const { output } = run.execute(program, variables, Array.from(point));
  return output;
}

/**
 * A finite-difference scheme on the program: f(x ± h) are runs of the program on numbers, which may take another
 * path than x (a guard flips between stencil points); each partial says so when it happens, since the quotient
 * then measures a jump, not a slope. The rounding noise N comes from the trace at the point.
 */
export function numericProgramGradient(
  program: Program,
  trace: ProgramTrace,
  scheme: Exclude<SchemeName, 'complex-step'>,
  options: NumericOptions,
  method: string,
): GradientResult {
  const { variables, point } = trace;
  const offPath = new Set<number>();
  let current = -1;
  const f = (values: ArrayLike<number>) => {
    const work = Float64Array.from(values);
    if (current >= 0 && !offPath.has(current) && !sameTape(program, trace, work)) offPath.add(current);
    return realRunValue(program, variables, work);
  };
  const work = Float64Array.from(point);
  const fx = f(work);
  if (!Number.isFinite(fx)) throw new Error(`f is not finite at the point (f = ${fx})`);
  const partialOptions: PartialOptions = { ...options, fx, noise: evaluationNoiseBound(trace.expr, variables, point) };
  const partials: PartialEstimate[] = [];
  let evaluations = 0;
  for (let i = 0; i < variables.length; i++) {
    current = i;
    const line = new CoordinateLine(f, work, i, variables[i]);
    partials.push(linePartial(line, scheme, partialOptions, method));
    evaluations += line.evaluations - partials[i].estimateEvaluations;
  }
  const notes = partials.flatMap((p) => (p.note === undefined ? [] : [p.note]));
  for (const i of offPath) {
    notes.push(`∂f/∂${variables[i]}: a stencil point took another path through the program than the point itself (a guard flipped), so the difference quotient spans a branch or loop-count change`);
  }
  return {
    value: fx,
    gradient: Float64Array.from(partials, (p) => p.derivative),
    evaluations,
    errorEstimate: options.estimate === false ? undefined : Float64Array.from(partials, (p) => p.errorEstimate),
    notes: notes.length > 0 ? notes : undefined,
    extra: { scheme, schemes: partials.map((p) => p.scheme), steps: Float64Array.from(partials, (p) => p.step), offPath: [...offPath].map((i) => variables[i]) },
  };
}
