// The contract every differentiation method implements, so the harness and reports can treat them alike.
import type { Expr } from '../ir/node.ts';
import type { Program } from './program/run.ts';

/** What a method is asked: the gradient of `expr` at `point` (values in `variables`' order). */
export interface GradientRequest {
  readonly expr: Expr;
  readonly variables: readonly string[];
  readonly point: Float64Array;
  /** Method-specific options (a step size, a budget, …), passed through from {@link gradient}. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** What a method is asked for a program (a function `(v, m) => value`): its gradient at `point` (values in `variables`' order, the point's keys). */
export interface ProgramRequest {
  readonly program: Program;
  readonly variables: readonly string[];
  readonly point: Float64Array;
  readonly options: Readonly<Record<string, unknown>>;
}

/** What a method answers. */
export interface GradientResult {
  /** f at the point. */
  readonly value: number;
  /** ∂f/∂vᵢ in `variables`' order. */
  readonly gradient: Float64Array;
  /** Evaluations of f the method spent (finite differences), when that is its cost measure. */
  readonly evaluations?: number;
  /** The method's own error estimate for each partial, in `variables`' order (finite differences). */
  readonly errorEstimate?: Float64Array;
  /** Remarks a user should see (a budget ran out, a convention was applied at a kink, …). */
  readonly notes?: readonly string[];
  /** Method-specific facts for reports (tape length, derivative sizes, times of phases). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A differentiation method. */
export interface GradientMethod {
  readonly name: string;
  /** One sentence on what the method does, shown by `gradlab diff --help` and in reports. */
  readonly summary: string;
  compute(request: GradientRequest): GradientResult;
  /**
   * Optional: differentiate a program directly. Without it, the built-in define-by-run methods run the program in
   * their own arithmetic and any other method differentiates the program's trace (see `traceProgram`).
   */
  computeProgram?(request: ProgramRequest): GradientResult;
}

/**
 * Thrown by a method that cannot differentiate this expression at all (an op it does not support,
 * a budget exhausted). Reports show it as such instead of as a failure.
 */
export class MethodUnavailableError extends Error {
  constructor(readonly method: string, readonly reason: string) {
    super(`${method}: ${reason}`);
    this.name = 'MethodUnavailableError';
  }
}
