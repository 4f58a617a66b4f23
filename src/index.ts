// The public façade of gradlab: the IR, the methods registry and `gradient`, the autograd Tensor API.
import { requireExpr, type Expr } from './ir/node.ts';
import { parse } from './ir/parse.ts';
import { evaluateExpr, explainNonFinite, type Point } from './ir/evaluate.ts';
import { compile as compileExpr, type CompiledFunction, type CompileOptions } from './ir/compile.ts';
import { variablesOf } from './ir/traverse.ts';

export { parse, parseWengert, ParseError, supportedFunctions } from './ir/parse.ts';
export { constant, variable, apply, type Expr, type ExprLike, type ConstExpr, type VarExpr, type OpExpr } from './ir/node.ts';
export { ops, opNames, type OpName, type OpSpec } from './ir/ops.ts';
export { toInfix, toLatex, toWengert, wengertList, type WengertLine } from './ir/print.ts';
export { metrics, variablesOf, topologicalOrder, type ExprMetrics } from './ir/traverse.ts';
export { interpret, type Algebra, type Point } from './ir/evaluate.ts';
export type { CompiledFunction, CompileOptions } from './ir/compile.ts';
export { gradient, listMethods, getMethod, registerMethod, type Gradient, type GradientOptions } from './diff/registry.ts';
export { MethodUnavailableError, type GradientMethod, type GradientRequest, type GradientResult } from './diff/method.ts';
export * from './diff/autograd/index.ts';
export { compileGradient, operationCounts, type CompiledAdjoint, type OperationCounts } from './diff/compiled/index.ts';
export type { JvpResult, VjpResult, JacobianResult, HessianResult } from './diff/forward/index.ts';
// jvp, vjp, jacobian and hessian accept programs as well as expressions (a program is traced at the point).
export { jvp, vjp, jacobian, hessian, type Differentiable, type Guarded } from './diff/program/functional.ts';
export { type Program, type MathNamespace, type Comparisons, type Relation } from './diff/program/run.ts';
export { traceProgram, type ProgramTrace, type Guard } from './diff/program/trace.ts';
export type { ProgramRequest } from './diff/method.ts';
export { symbolicDerivatives, dagDerivatives, SymbolicUnavailableError, type SymbolicDerivative } from './diff/symbolic/index.ts';
/** Where the mathjs symbolic methods run (a worker thread under Node, this thread in a browser), and how to swap it. */
export { preloadMathjs, setMathjsHost, mathjsHost, type MathjsHost } from './diff/symbolic/index.ts';
export { numericGradient, errorModel, textbookStep, sweepStep, type NumericOptions, type StepSweep } from './diff/numeric/index.ts';

/**
 * The value of an expression (or expression text) at a point.
 * @throws ParseError for bad text; Error for a variable missing from the point or a non-finite value.
 */
export function evaluate(expr: Expr | string, point: Point): number {
  if (typeof point !== 'object' || point === null) throw new TypeError(`evaluate: the point must be an object of variable values such as { x: 2 }, got ${point === null ? 'null' : typeof point}`);
  const expression = typeof expr === 'string' ? parse(expr) : requireExpr(expr, 'evaluate');
  const value = evaluateExpr(expression, point);
  // Never a silent NaN: say which operation left its domain (±Infinity stays: it is IEEE's answer for log(0) and overflow).
  if (Number.isNaN(value)) throw new Error(`the value is undefined (NaN) at this point: ${explainNonFinite(expression, point) ?? 'an operation is undefined here'}`);
  return value;
}

/**
 * Compiles an expression (or text) to a plain JavaScript function of an array of values in the order of
 * `variables` (by default the expression's variables in order of appearance).
 */
export function compile(expr: Expr | string, variables?: readonly string[], options?: CompileOptions): CompiledFunction {
  const expression = typeof expr === 'string' ? parse(expr) : expr;
  return compileExpr(expression, variables ?? variablesOf(expression), options);
}
