// The vitest matcher `expect(exprOrFn).toHaveGradient(expected, { at })` for users' own tests.
//
// Register it with `import 'gradlab/harness/setup'` in a test file (or list that module in vitest's `setupFiles`),
// which also declares the matcher's type on vitest's `expect`. This file names no vitest type, so importing
// gradlab/harness type-checks in a project without vitest (vitest is an optional peer dependency).
import type { Expr } from '../ir/node.ts';
import { toInfix } from '../ir/print.ts';
import { variablesOf } from '../ir/traverse.ts';
import { gradient, toExpression } from '../diff/registry.ts';
import { Tensor, tensor } from '../diff/autograd/index.ts';
import { referenceGradient } from './reference.ts';
import { exactText } from './format.ts';
import type { Program } from '../diff/program/run.ts';
import { traceProgram } from '../diff/program/trace.ts';

/** The gradient a test expects: one number (a single variable), numbers in the variables' order, or by name. */
export type ExpectedGradient = number | readonly number[] | Readonly<Record<string, number>>;

/**
 * What `toHaveGradient` differentiates: an expression (or its text), a function of autograd tensors (with `at`
 * positional), or a program `(v, m) => value` (with `at` by name).
 */
export type GradientSubject = Expr | string | ((...inputs: Tensor[]) => Tensor) | Program;

/** Options of `toHaveGradient`. */
export interface ToHaveGradientOptions {
  /**
   * The point: by name for an expression (`{ x: 2, y: 3 }`), or positional values for a function of tensors
   * (`[2, 3]`, one per parameter). For an expression, positional values follow its variables' order.
   */
  readonly at: Readonly<Record<string, number>> | readonly number[];
  /** Each partial must satisfy |actual − expected| ≤ tolerance · max(1, |expected|). Default 1e-10. */
  readonly tolerance?: number;
  /** For an expression or a program: the registered method to ask (default `autograd`). Functions of tensors always use autograd. */
  readonly method?: string;
}

/** What a matcher reads of its `this` (vitest's and Jest's matcher state have it). */
interface MatcherContext {
  readonly isNot?: boolean;
}

/** The result shape vitest expects from a matcher. */
interface MatcherResult {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

interface Computed {
  /** How the subject reads in a message. */
  readonly label: string;
  readonly names: readonly string[];
  readonly actual: Float64Array;
  readonly reference?: Float64Array;
  readonly method: string;
  readonly point: string;
}

function computeForExpression(subject: Expr | string, options: ToHaveGradientOptions): Computed {
  const expr = toExpression(subject);
  const exprVariables = variablesOf(expr);
  const point: Record<string, number> = Array.isArray(options.at)
    ? Object.fromEntries(exprVariables.map((name, i) => [name, (options.at as readonly number[])[i]]))
    : { ...(options.at as Readonly<Record<string, number>>) };
  const result = gradient(expr, point, { method: options.method ?? 'autograd' });
  const names = result.variables;
  const values = Float64Array.from(names, (n) => point[n]);
  const reference = referenceGradient(expr, names, values).gradient;
  return {
    label: toInfix(expr),
    names,
    actual: Float64Array.from(names, (n) => result.gradient[n]),
    reference,
    method: result.method,
    point: names.map((n) => `${n} = ${exactText(point[n])}`).join(', '),
  };
}

function computeForProgram(program: Program, options: ToHaveGradientOptions): Computed {
  const point = options.at as Readonly<Record<string, number>>;
  let result;
  try {
    result = gradient(program, point, { method: options.method ?? 'autograd' });
  } catch (error) {
    // A function of tensors given `at` by name lands here: say both readings.
    if (error instanceof TypeError && /must return one number/.test(error.message)) {
      throw new TypeError(`toHaveGradient: with \`at\` by name the function runs as a program (v, m) => value, and ${error.message}; for a function of tensors, give \`at\` as an array with one value per parameter`);
    }
    throw error;
  }
  const names = result.variables;
  // The reference differentiates the path the program took at the point, in 64 digits.
  const trace = traceProgram(program, point);
  const reference = referenceGradient(trace.expr, names, Float64Array.from(names, (n) => point[n])).gradient;
  return {
    label: `the program${program.name ? ` ${program.name}()` : ''} (traced at the point: ${toInfix(trace.expr).slice(0, 80)})`,
    names,
    actual: Float64Array.from(names, (n) => result.gradient[n]),
    reference,
    method: result.method,
    point: names.map((n) => `${n} = ${exactText(point[n])}`).join(', '),
  };
}

function computeForFunction(fn: (...inputs: Tensor[]) => Tensor, options: ToHaveGradientOptions): Computed {
  if (!Array.isArray(options.at)) throw new TypeError('toHaveGradient: for a function, give `at` as an array with one value per parameter');
  const at = options.at as readonly number[];
  const leaves = at.map((v) => tensor(v, { requiresGrad: true }));
  const out = fn(...leaves);
  if (!(out instanceof Tensor)) throw new TypeError('toHaveGradient: the function must return a Tensor (build it from its tensor arguments)');
  out.backward();
  const names = at.map((_, i) => `arg${i}`);
  return {
    label: fn.name ? `${fn.name}()` : 'the function',
    names,
    actual: Float64Array.from(leaves, (l) => l.grad?.item() ?? 0),
    method: 'autograd',
    point: at.map((v, i) => `${names[i]} = ${exactText(v)}`).join(', '),
  };
}

function expectedArray(expected: ExpectedGradient, names: readonly string[]): Float64Array {
  if (typeof expected === 'number') {
    if (names.length !== 1) throw new TypeError(`toHaveGradient: expected one number, but the gradient has ${names.length} partials (${names.join(', ')}): pass an array or an object`);
    return Float64Array.of(expected);
  }
  if (Array.isArray(expected)) {
    if (expected.length !== names.length) {
      throw new TypeError(`toHaveGradient: expected ${expected.length} partials, but the gradient has ${names.length} (${names.join(', ')})`);
    }
    return Float64Array.from(expected as readonly number[]);
  }
  const byName = expected as Readonly<Record<string, number>>;
  const unknown = Object.keys(byName).filter((k) => !names.includes(k));
  if (unknown.length > 0) throw new TypeError(`toHaveGradient: no variable ${unknown.join(', ')} in the gradient (variables: ${names.join(', ')})`);
  return Float64Array.from(names, (n) => byName[n] ?? 0);
}

/**
 * `expect(subject).toHaveGradient(expected, { at, tolerance?, method? })`: the gradient of an expression
 * (IR or text, by the `autograd` method unless `method` says otherwise), of a function of autograd
 * tensors (`at` an array), or of a program `(v, m) => value` (`at` by name), at a point, equals `expected` to within `tolerance` relative to max(1, |expected|) per partial.
 * A failure lists every partial (got, expected, difference) and, for expressions, the high-precision
 * reference, so it is clear whether the method or the expectation is wrong.
 *
 * @example
 * expect('x^2 + 3*x + 1').toHaveGradient(7, { at: { x: 2 } });
 * expect((w, x, b) => w.mul(x).add(b).pow(2)).toHaveGradient([60, 40, 20], { at: [2, 3, 4] });
 * expect((v, m) => (v.x > 0 ? m.mul(v.x, v.x) : v.x)).toHaveGradient(4, { at: { x: 2 }, method: 'symbolic' });
 */
function toHaveGradient(this: MatcherContext, subject: unknown, expected: ExpectedGradient, options: ToHaveGradientOptions): MatcherResult {
  if (options === undefined || options.at === undefined) throw new TypeError('toHaveGradient(expected, { at }) needs the point `at`');
  const tolerance = options.tolerance ?? 1e-10;
  const computed =
    typeof subject === 'function'
      ? Array.isArray(options.at)
        ? computeForFunction(subject as (...inputs: Tensor[]) => Tensor, options)
        : computeForProgram(subject as Program, options)
      : computeForExpression(subject as Expr | string, options);
  const want = expectedArray(expected, computed.names);
  const lines = computed.names.map((name, i) => {
    const got = computed.actual[i];
    const diff = Math.abs(got - want[i]);
    const ok = diff <= tolerance * Math.max(1, Math.abs(want[i])) || got === want[i];
    const ref = computed.reference ? `, reference ${exactText(computed.reference[i])}` : '';
    return { ok, text: `  ∂/∂${name}: got ${exactText(got)}, expected ${exactText(want[i])} (difference ${diff.toExponential(2)}${ref})${ok ? '' : '  ✗'}` };
  });
  const pass = lines.every((l) => l.ok);
  const not = this.isNot ? ' not' : '';
  return {
    pass,
    message: () =>
      [
        `expected ${computed.label}${not} to have gradient [${Array.from(want, exactText).join(', ')}] at ${computed.point}` +
          ` (method ${computed.method}, tolerance ${tolerance} relative to max(1, |expected|))`,
        ...lines.map((l) => l.text),
      ].join('\n'),
    actual: Object.fromEntries(computed.names.map((n, i) => [n, computed.actual[i]])),
    expected: Object.fromEntries(computed.names.map((n, i) => [n, want[i]])),
  };
}

/** gradlab's vitest matchers: `expect.extend(gradlabMatchers)` registers them; the setup module `gradlab/harness/setup` does that and declares their types. */
export const gradlabMatchers = { toHaveGradient };
