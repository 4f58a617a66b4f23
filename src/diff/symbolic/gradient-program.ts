// The shared evaluation backend of the symbolic methods: f and all its partials compiled into ONE straight-line program, and the result they return.
import type { Expr } from '../../ir/node.ts';
import { lowerToProgram } from '../../ir/compile.ts';
import { compileProgram, defaultChunkSize } from '../../ir/codegen.ts';
import type { GradientRequest, GradientResult } from '../method.ts';
import { formatDuration, summarizeDerivatives, type SymbolicDerivative } from './derivative.ts';

/** A compiled value-and-gradient: output 0 is f, output 1 + i is ∂f/∂variables[i]. */
export interface CompiledGradient {
  (point: ArrayLike<number>): { value: number; gradient: Float64Array };
  /** Op nodes of the compiled DAG (f and every partial, shared subexpressions once): the program's length. */
  readonly instructions: number;
  /** Distinct nodes of f and its partials together (op nodes, variables and constants). */
  readonly dagSize: number;
}

/**
 * Compiles f and its partials together with the IR compiler every method uses, so shared subexpressions are
 * computed once and speed comparisons measure the differentiation method, not the evaluator.
 */
export function compileGradient(value: Expr, partials: readonly Expr[], variables: readonly string[]): CompiledGradient {
  const roots = [value, ...partials];
  const { instructions, operandOf, order } = lowerToProgram(roots, variables);
  const program = compileProgram(instructions, roots.map((r) => operandOf.get(r.id)!), defaultChunkSize);
  const evaluate = (point: ArrayLike<number>) => {
    const out = new Float64Array(roots.length);
    program(point, out);
    return { value: out[0], gradient: out.slice(1) };
  };
  return Object.assign(evaluate, { instructions: instructions.length, dagSize: order.length });
}

/**
 * Evaluates f and the given partials through one compiled program and assembles the method's result,
 * with the derivatives' sizes, times and (truncated) infix in `extra`.
 */
export function symbolicResult(request: GradientRequest, derivatives: readonly SymbolicDerivative[], extra: Record<string, unknown> = {}): GradientResult {
  const compileStart = performance.now();
  const program = compileGradient(request.expr, derivatives.map((d) => d.derivative), request.variables);
  const evaluateStart = performance.now();
  const { value, gradient } = program(request.point);
  const end = performance.now();
  const sum = (pick: (d: SymbolicDerivative) => number | null) => derivatives.reduce((s, d) => s + (pick(d) ?? 0), 0);
  const startup = derivatives.find((d) => d.workerStartupMs !== undefined)?.workerStartupMs;
  return {
    value,
    gradient,
    ...(startup !== undefined
      ? { notes: [`this call started mathjs's worker thread first (${formatDuration(startup)} of its time; later calls reuse it)`] }
      : {}),
    extra: {
      derivatives: summarizeDerivatives(derivatives),
      deriveMs: sum((d) => d.deriveMs),
      simplifyMs: derivatives.some((d) => d.simplifyMs !== null) ? sum((d) => d.simplifyMs) : null,
      ...extra,
      ...(startup !== undefined ? { workerStartupMs: startup } : {}),
      compileMs: evaluateStart - compileStart,
      evaluateMs: end - evaluateStart,
      programLength: program.instructions,
      gradientDagSize: program.dagSize,
    },
  };
}
