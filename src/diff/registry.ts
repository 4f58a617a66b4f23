// The registry of differentiation methods, and `gradient()`, the one entry point every method shares.
import { requireExpr, type Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { lookupPointValue, type Point } from '../ir/evaluate.ts';
import { variablesOf } from '../ir/traverse.ts';
import type { GradientMethod, GradientResult } from './method.ts';
import { autogradMethod } from './autograd/method.ts';
import { symbolicMethods } from './symbolic/index.ts';
import { numericMethods } from './numeric/index.ts';
import { autogradCompiledMethod } from './compiled/method.ts';
import { forwardModeMethod } from './forward/method.ts';
import { isProgram, type Program } from './program/run.ts';
import { programGradient } from './program/gradient.ts';

const methods = new Map<string, GradientMethod>();

/** Adds a method to the registry (the built-in ones register below; users may add their own). */
export function registerMethod(method: GradientMethod): void {
  if (methods.has(method.name)) throw new Error(`a method named '${method.name}' is already registered`);
  methods.set(method.name, method);
}

for (const method of [autogradMethod, autogradCompiledMethod, forwardModeMethod, ...symbolicMethods, ...numericMethods]) registerMethod(method);

/** The methods every fresh registry has (a worker thread has these, not ones registered later in another thread). */
export const builtinMethodNames: ReadonlySet<string> = new Set(methods.keys());

/** The registered methods, in registration order. */
export function listMethods(): GradientMethod[] {
  return [...methods.values()];
}

/**
 * `methods` with one name each: a method whose summary a method with a longer name shares is an alias (`numeric` for
 * `numeric-central`) and is left out, so a table or page shows each computation once, under its descriptive name.
 */
export function withoutAliases(methods: readonly GradientMethod[]): GradientMethod[] {
  return methods.filter((m) => !methods.some((o) => o !== m && o.summary === m.summary && o.name.length > m.name.length));
}

/**
 * The method called `name`.
 * @throws Error listing the known methods when there is none by that name.
 */
export function getMethod(name: string): GradientMethod {
  const method = methods.get(name);
  if (method === undefined) {
    throw new Error(`unknown method '${name}'; known methods: ${[...methods.keys()].join(', ')}`);
  }
  return method;
}

/** Options for {@link gradient}: the method's name, plus options passed on to it. */
export interface GradientOptions {
  /** A registered method name; `autograd` by default. */
  method?: string;
  [option: string]: unknown;
}

/** A gradient with its value, keyed by variable name. */
export interface Gradient extends Omit<GradientResult, 'gradient' | 'errorEstimate'> {
  readonly method: string;
  readonly variables: readonly string[];
  readonly gradient: Readonly<Record<string, number>>;
  readonly errorEstimate?: Readonly<Record<string, number>>;
  /** Wall time of the method's `compute`, milliseconds. */
  readonly timeMs: number;
}

/** Coerces a string to an expression by parsing it; passes expressions through. */
export function toExpression(expr: Expr | string): Expr {
  return typeof expr === 'string' ? parse(expr) : requireExpr(expr, 'gradient');
}

/**
 * The value and gradient of `expr` at `point` by the chosen method.
 * Variables are the expression's, in order of appearance, followed by any extra ones in `point` (whose partials are 0).
 *
 * `expr` may also be a program, a function `(v, m) => value` (see {@link Program}); its variables are the point's
 * keys. Define-by-run methods (autograd, forward-mode, complex-step, the numeric family) run it in their own
 * arithmetic; the symbolic methods and autograd-compiled differentiate its trace at the point, and their notes
 * and `extra.guards` say where that derivative holds.
 * @throws Error for an unknown method, a variable missing from the point, or a non-finite value.
 */
export function gradient(expr: Expr | string | Program, point: Point, options: GradientOptions = {}): Gradient {
  if (typeof options !== 'object' || options === null) throw new TypeError(`gradient: options must be an object such as { method: 'autograd' }, got ${options === null ? 'null' : typeof options}`);
  const { method: methodName = 'autograd', ...methodOptions } = options;
  if (typeof methodName !== 'string') throw new TypeError(`gradient: the method option must be a method name, got ${typeof methodName}`);
  const method = getMethod(methodName);
  const program = isProgram(expr) ? expr : null;
  const expression = program === null ? toExpression(expr as Expr | string) : null;
  if (typeof point !== 'object' || point === null || Array.isArray(point)) {
    throw new TypeError(`gradient: the point must be an object of variable values such as { x: 2 }, got ${point === null ? 'null' : Array.isArray(point) ? 'an array' : typeof point}`);
  }
  const variables = expression === null ? Object.keys(point) : [...new Set([...variablesOf(expression), ...Object.keys(point)])];
  const values = Float64Array.from(variables, (name) => lookupPointValue(point, name));
  const start = performance.now();
  const result = program !== null
    ? programGradient(method, { program, variables, point: values, options: methodOptions })
    : method.compute({ expr: expression!, variables, point: values, options: methodOptions });
  const timeMs = performance.now() - start;
  const byName = (array: Float64Array) => Object.fromEntries(variables.map((name, i) => [name, array[i]]));
  return {
    ...result,
    method: method.name,
    variables,
    gradient: byName(result.gradient),
    errorEstimate: result.errorEstimate && byName(result.errorEstimate),
    timeMs,
  };
}
