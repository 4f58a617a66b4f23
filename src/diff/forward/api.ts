// jvp, vjp, jacobian and hessian on compiled forward and reverse programs, with their costs.
import type { Expr } from '../../ir/node.ts';
import { cachedGradient } from '../compiled/method.ts';
import { adjointExpressions } from '../compiled/adjoint.ts';
import { lowerExpressions } from '../compiled/gradient.ts';
import { buildProgram, defaultChunkSize } from '../../ir/codegen.ts';
import { compileJvp } from './jvp-program.ts';
import { unitTangentExpressions } from './tangent.ts';
import { variableIndex } from '../../ir/compile.ts';
import { memoize } from '../compiled/cache.ts';
import { cachedJvp, unitTangentProgram } from './method.ts';

/** A value and a directional derivative. */
export interface JvpResult {
  /** f(point). */
  readonly value: number;
  /** ∇f(point) · tangent. */
  readonly tangent: number;
}

function checkLength(what: string, array: ArrayLike<number>, n: number): void {
  if (array.length !== n) throw new RangeError(`${what} has ${array.length} entries but there are ${n} variables`);
}

/**
 * Jacobian-vector product (forward mode): f and its directional derivative ∇f·tangent at `point`, in one pass
 * of compiled dual-number code. Cost: one pass, a small constant times f, whatever the number of variables.
 * Compiled once per expression and variable list.
 * @throws RangeError when `point` or `tangent` does not have one entry per variable.
 */
export function jvp(expr: Expr, variables: readonly string[], point: ArrayLike<number>, tangent: ArrayLike<number>): JvpResult {
  checkLength('the point', point, variables.length);
  checkLength('the tangent', tangent, variables.length);
  const { jvp: program } = cachedJvp(expr, variables);
  const out = new Float64Array(2);
  const value = program(point, tangent, out);
  if (!Number.isNaN(out[1])) return { value, tangent: out[1] };
  // Zero tangent components are strong zeros (see forwardGradient): recompute Σ tᵢ·∂f/∂xᵢ over the nonzero tᵢ alone.
  let sum = 0;
  for (let i = 0; i < variables.length; i++) {
    if (tangent[i] !== 0) sum += tangent[i] * unitTangentProgram(expr, variables, variables[i])(point);
  }
  return { value, tangent: sum };
}

/** A value and a vector-Jacobian product. */
export interface VjpResult {
  readonly value: number;
  /** cotangent · ∇f(point), in the variables' order. */
  readonly gradient: Float64Array;
}

/**
 * Vector-Jacobian product (reverse mode) of a scalar f: cotangent·∇f at `point`, by the compiled reverse sweep
 * (`autograd-compiled`'s code, cached). Cost: one forward and one reverse sweep, a small constant times f,
 * whatever the number of variables, plus n multiplications by the cotangent.
 * @throws RangeError when `point` does not have one entry per variable.
 */
export function vjp(expr: Expr, variables: readonly string[], point: ArrayLike<number>, cotangent = 1): VjpResult {
  checkLength('the point', point, variables.length);
  const { adjoint } = cachedGradient(expr, variables);
  const gradient = new Float64Array(variables.length);
  const value = adjoint(point, gradient);
  if (cotangent !== 1) for (let i = 0; i < gradient.length; i++) gradient[i] *= cotangent;
  return { value, gradient };
}

/** Options for {@link jacobian}. */
export interface JacobianOptions {
  /**
   * `forward`: n JVP passes (one per input); `reverse`: m reverse sweeps (one per output); `auto` (default)
   * picks forward when n ≤ m and reverse otherwise.
   */
  readonly mode?: 'auto' | 'forward' | 'reverse';
}

/** Values and Jacobian of a vector function. */
export interface JacobianResult {
  /** fₖ(point), k over the expressions. */
  readonly values: Float64Array;
  /** Row k holds ∂fₖ/∂xⱼ over the variables. */
  readonly jacobian: Float64Array[];
  /** The mode used. */
  readonly mode: 'forward' | 'reverse';
}

/**
 * The m × n Jacobian of `exprs` with respect to `variables` at `point`.
 *
 * Cost: forward mode runs n passes of one compiled program for all m outputs (about c·n·cost(f) with c a small
 * constant); reverse mode runs m compiled reverse sweeps (about c·m·cost(f)). So `auto` takes forward mode for
 * tall or square Jacobians (n ≤ m) and reverse mode for wide ones (a gradient is the extreme case, m = 1).
 * @throws RangeError when `point` does not have one entry per variable, or `exprs` is empty.
 */
export function jacobian(exprs: readonly Expr[], variables: readonly string[], point: ArrayLike<number>, options: JacobianOptions = {}): JacobianResult {
  checkLength('the point', point, variables.length);
  if (exprs.length === 0) throw new RangeError('jacobian needs at least one expression');
  const m = exprs.length;
  const n = variables.length;
  const requested = options.mode ?? 'auto';
  const mode = requested === 'auto' ? (n <= m ? 'forward' : 'reverse') : requested;
  const values = new Float64Array(m);
  const rows = Array.from({ length: m }, () => new Float64Array(n));
  if (mode === 'reverse') {
    const { run } = reverseJacobianProgram(exprs, variables);
    const out = new Float64Array(m * n + m);
    run(point, out);
    for (let k = 0; k < m; k++) rows[k].set(out.subarray(k * n, (k + 1) * n));
    values.set(out.subarray(m * n));
    return { values, jacobian: rows, mode };
  }
  const { run } = forwardJacobianProgram(exprs, variables);
  const out = new Float64Array(m * n + m);
  run(point, out);
  for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) rows[k][j] = out[j * m + k] + 0; // −0 (no dependence) reads as 0
  values.set(out.subarray(m * n));
  return { values, jacobian: rows, mode };
}

/** A compiled program for a whole Jacobian, and its size. */
export interface JacobianProgram {
  /** Writes the m·n partials (reverse: row by row; forward: column by column), then the m values, into `out`. */
  readonly run: (point: ArrayLike<number>, out: Float64Array) => number;
  /** Instructions one call executes. */
  readonly instructions: number;
}

/**
 * The reverse-mode Jacobian of `exprs` as one compiled program: the forward sweep the outputs share runs once
 * (hash-consing makes their common nodes one), then one reverse sweep per output. Compiling the rows as separate
 * gradient programs would repeat the shared forward work m times and make V8 rotate through m large functions.
 * Built once per expression list and variable list.
 */
export function reverseJacobianProgram(exprs: readonly Expr[], variables: readonly string[]): JacobianProgram {
  return memoize(exprs, 'jacobian-reverse', variables, () => {
    const rows = exprs.map((expr) => adjointExpressions(expr, variables));
    const program = lowerExpressions([...rows.flat(), ...exprs], variables);
    const { program: run } = buildProgram(program.instructions, program.roots, defaultChunkSize);
    return { run, instructions: program.instructions.length };
  });
}

/**
 * The forward-mode Jacobian of `exprs` as one compiled program: the primal sweep once, then one tangent sweep per
 * input (the unit direction of each variable, its structural zeros dropped), as JAX's jacfwd shares the primal.
 * Built once per expression list and variable list.
 */
export function forwardJacobianProgram(exprs: readonly Expr[], variables: readonly string[]): JacobianProgram {
  return memoize(exprs, 'jacobian-forward', variables, () => {
    variableIndex(exprs, variables);
    const columns = variables.map((name) => unitTangentExpressions(exprs, name));
    const program = lowerExpressions([...columns.flat(), ...exprs], variables);
    const { program: run } = buildProgram(program.instructions, program.roots, defaultChunkSize);
    return { run, instructions: program.instructions.length };
  });
}

/** Value, gradient and Hessian of a scalar function. */
export interface HessianResult {
  readonly value: number;
  readonly gradient: Float64Array;
  /** Row i holds ∂²f/∂xⱼ∂xᵢ over j (symmetric up to rounding; not symmetrized). */
  readonly hessian: Float64Array[];
}

/**
 * The Hessian of `expr` at `point`, forward over reverse: the gradient is built as IR expressions by reverse
 * accumulation on the DAG (the adjoints `autograd-compiled` lowers), and those expressions are differentiated
 * again by compiled dual numbers, one pass per variable (direction eⱼ gives column j, H·eⱼ).
 *
 * Cost: n passes of a program a small constant times the gradient's, so about c·n·cost(f): a Hessian-vector
 * product costs one pass. Compiled once per expression and variable list.
 * @throws RangeError when `point` does not have one entry per variable.
 */
export function hessian(expr: Expr, variables: readonly string[], point: ArrayLike<number>): HessianResult {
  checkLength('the point', point, variables.length);
  const n = variables.length;
  const program = memoize([expr], 'hessian', variables, () =>
    compileJvp([expr, ...adjointExpressions(expr, variables)], variables),
  );
  const m = n + 1;
  const direction = new Float64Array(n);
  const out = new Float64Array(2 * m);
  const value = program(point, direction, out);
  const gradient = out.slice(1, m);
  const rows = Array.from({ length: n }, () => new Float64Array(n));
  for (let j = 0; j < n; j++) {
    direction[j] = 1;
    program(point, direction, out);
    for (let i = 0; i < n; i++) rows[i][j] = out[m + 1 + i] + 0;
    direction[j] = 0;
  }
  return { value, gradient, hessian: rows };
}
