// jvp, vjp, jacobian and hessian that accept programs as well as expressions: a program is traced at the point and the trace differentiated, with its guards attached.
import type { Expr } from '../../ir/node.ts';
import * as forward from '../forward/api.ts';
import { isProgram, type Program } from './run.ts';
import { traceAt, type Guard } from './trace.ts';

/** Where a result computed on a program's trace holds: every guard of the trace (empty for an expression). */
export interface Guarded {
  /** The guards of each program's trace (an expression has none): the derivatives hold where they all hold. */
  readonly guards: readonly Guard[];
}

/** An expression, or a program `(v, m) => value` whose inputs are the variables. */
export type Differentiable = Expr | Program;

/** The expression to differentiate: `subject` itself, or a program's trace at the point, with its guards. */
function resolveSubject(subject: Differentiable, variables: readonly string[], point: ArrayLike<number>): { expr: Expr; guards: readonly Guard[] } {
  if (!isProgram(subject)) return { expr: subject, guards: [] };
  if (point.length !== variables.length) throw new RangeError(`the point has ${point.length} entries but there are ${variables.length} variables`);
  const trace = traceAt(subject, variables, Float64Array.from(point));
  return { expr: trace.expr, guards: trace.guards };
}

/** Jacobian-vector product of an expression or a program (see the forward-mode `jvp`); a program is traced at the point. */
export function jvp(subject: Differentiable, variables: readonly string[], point: ArrayLike<number>, tangent: ArrayLike<number>): forward.JvpResult & Guarded {
  const { expr, guards } = resolveSubject(subject, variables, point);
  return { ...forward.jvp(expr, variables, point, tangent), guards };
}

/** Vector-Jacobian product of an expression or a program (see the reverse-mode `vjp`); a program is traced at the point. */
export function vjp(subject: Differentiable, variables: readonly string[], point: ArrayLike<number>, cotangent = 1): forward.VjpResult & Guarded {
  const { expr, guards } = resolveSubject(subject, variables, point);
  return { ...forward.vjp(expr, variables, point, cotangent), guards };
}

/** The Jacobian of expressions and/or programs (one row each); programs are traced at the point. */
export function jacobian(
  subjects: readonly Differentiable[],
  variables: readonly string[],
  point: ArrayLike<number>,
  options: forward.JacobianOptions = {},
): forward.JacobianResult & Guarded {
  const resolved = subjects.map((s) => resolveSubject(s, variables, point));
  return { ...forward.jacobian(resolved.map((r) => r.expr), variables, point, options), guards: resolved.flatMap((r) => r.guards) };
}

/** The Hessian of an expression or a program (forward over reverse); a program is traced at the point, so it is the Hessian of the path taken there. */
export function hessian(subject: Differentiable, variables: readonly string[], point: ArrayLike<number>): forward.HessianResult & Guarded {
  const { expr, guards } = resolveSubject(subject, variables, point);
  return { ...forward.hessian(expr, variables, point), guards };
}
