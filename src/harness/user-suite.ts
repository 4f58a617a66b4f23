// The user's suite format (JSON or a JS/TS module), its validation with errors that name the problem and where, and --expr/--at suites.
//
// A suite file describes the functions a user wants the full report on:
//
//   JSON (my-suite.json):
//     { "name": "my functions",
//       "functions": [
//         { "name": "bump", "expr": "exp(-x^2) * sin(3*y)", "at": { "x": 0.5, "y": 1 }, "domain": { "x": [-2, 2] } } ] }
//
//   Module (my-suite.ts or .js): the same fields as the default export (or as named exports `functions`,
//   `families`, `name`), plus families parameterised by n for the cost and swell sections:
//     export default {
//       functions: [{ name: 'bump', expr: 'exp(-x^2) * sin(3*y)', at: { x: 0.5, y: 1 } }],
//       families: [{ name: 'chain', family: (n) => Array.from({ length: n }, (_, i) => `sin(x${i + 1})`).join(' + ') }],
//     };
//
// Programs as entries (`program: (v, m) => …`, modules only) are traced at their point in `toSuiteFunction`, the
// single place an entry becomes an expression: the report then takes the traced path like any expression, and
// lists the guards (the comparisons the program made) under which that path is the program.
import type { Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { toInfix } from '../ir/print.ts';
import { traceProgram } from '../diff/program/trace.ts';
import type { Program } from '../diff/program/run.ts';
import { variablesOf } from '../ir/traverse.ts';
import { defaultDomain, type Interval, type Suite, type SuiteFamily, type SuiteFunction } from './suite.ts';

/** One function of a user suite. */
export interface UserFunction {
  /** The name the report shows (default: the expression). */
  readonly name?: string;
  /** The expression, in gradlab's syntax (`x^2 + sin(x*y)`), or an IR expression built in a module. */
  readonly expr?: string | Expr;
  /**
   * Instead of `expr` (modules only): a program `(v, m) => value` over the inputs named in `at`. It is traced at
   * `at`; the report differentiates the path it took there and lists the comparisons (guards) that chose it.
   */
  readonly program?: Program;
  /** The point: a value for every variable of `expr` (`{ x: 1, y: 2 }`). */
  readonly at: Readonly<Record<string, number>>;
  /**
   * Where the agreement run draws points: `{ x: [lo, hi] }` for any of the variables. Variables without an
   * interval get [a − w, a + w] around their value a, with w = max(1, |a|/2).
   */
  readonly domain?: Readonly<Record<string, readonly [number, number]>>;
}

/** A family of functions parameterised by a size n (modules only: a function cannot be written in JSON). */
export interface UserFamily {
  readonly name: string;
  /** The nth member, as an expression string or an IR expression; n runs over `ns`. */
  readonly family: (n: number) => string | Expr;
  /** The point of the nth member (default: every variable at 0.5). */
  readonly at?: (n: number) => Readonly<Record<string, number>>;
  /** Sizes to grow it over (default: the profile's sizes for the cost sweep, 1 … 10 for expression swell). */
  readonly ns?: readonly number[];
}

/** A user suite, as written in a JSON file or exported by a module. */
export interface UserSuite {
  /** Shown in the report's title (default: the file name). */
  readonly name?: string;
  readonly functions?: readonly UserFunction[];
  readonly families?: readonly UserFamily[];
}

/** A suite file that does not follow the format: the message says what is wrong and where. */
export class SuiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteError';
  }
}

/** An IR node built by a module (gradlab's `apply`, `variable`, `constant`, `parse`). */
function isExpr(x: unknown): x is Expr {
  if (typeof x !== 'object' || x === null) return false;
  const k = (x as { kind?: unknown }).kind;
  return (k === 'const' || k === 'var' || k === 'op') && typeof (x as { id?: unknown }).id === 'number' && Array.isArray((x as { args?: unknown }).args);
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseAt(where: string, text: string): Expr {
  try {
    return parse(text);
  } catch (error) {
    throw new SuiteError(`${where}: cannot parse the expression '${text}': ${error instanceof Error ? error.message : String(error)}`);
  }
}

function toExpr(where: string, value: unknown): Expr {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new SuiteError(`${where}: the expression is empty`);
    return parseAt(where, value);
  }
  if (isExpr(value)) return value;
  throw new SuiteError(`${where}: expected an expression string (or an IR expression from a module), got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function (program entries are not supported yet: write the expression as a string)';
  return typeof value === 'string' ? `the string '${value}'` : `${typeof value} ${String(value)}`;
}

function finiteNumber(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new SuiteError(`${where}: expected a finite number, got ${describe(value)}`);
  return value;
}

/**
 * Turns one entry into a suite function: the single place an entry becomes an expression (a program entry
 * would be traced here).
 */
function toSuiteFunction(raw: unknown, index: number, source: string, seen: Set<string>): SuiteFunction {
  const where = `${source}: functions[${index}]`;
  if (!isRecord(raw)) throw new SuiteError(`${where}: expected an object with name, expr and at, got ${describe(raw)}`);
  const known = new Set(['name', 'expr', 'program', 'at', 'domain']);
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new SuiteError(`${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a function has name, expr or program, at and domain)`);
  if (raw.expr !== undefined && raw.program !== undefined) throw new SuiteError(`${where}: give 'expr' or 'program', not both`);
  if (raw.expr === undefined && raw.program === undefined) throw new SuiteError(`${where}: missing 'expr' (the expression to differentiate) or 'program' (a function (v, m) => value)`);
  if (raw.program !== undefined && typeof raw.program !== 'function') throw new SuiteError(`${where}.program: expected a function (v, m) => value, got ${describe(raw.program)}`);
  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name.trim() === '')) throw new SuiteError(`${where}.name: expected a non-empty string, got ${describe(raw.name)}`);
  let expr: Expr;
  let variables: readonly string[];
  let point: Float64Array;
  let text: string | undefined;
  let guards: readonly string[] | undefined;
  if (raw.program !== undefined) {
    if (!isRecord(raw.at) || Object.keys(raw.at).length === 0) throw new SuiteError(`${where}: missing 'at' (a program is traced at its point, e.g. { x: 1 })`);
    const at = raw.at;
    const values: Record<string, number> = {};
    for (const v of Object.keys(at)) values[v] = finiteNumber(`${where}.at.${v}`, at[v]);
    let trace;
    try {
      trace = traceProgram(raw.program as Program, values);
    } catch (error) {
      throw new SuiteError(`${where}.program: tracing it at its point failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    expr = trace.expr;
    variables = trace.variables;
    point = trace.point;
    text = toInfix(expr);
    guards = trace.guards.map((g) => g.text);
  } else {
    expr = toExpr(`${where}.expr`, raw.expr);
    text = typeof raw.expr === 'string' ? raw.expr : undefined;
    variables = variablesOf(expr);
    if (variables.length === 0) throw new SuiteError(`${where}.expr: the expression has no variables, so there is no gradient to take`);
    if (!isRecord(raw.at)) throw new SuiteError(`${where}: missing 'at' (the point, e.g. { "${variables[0]}": 1 })`);
    const at = raw.at;
    const missing = variables.filter((v) => !(v in at));
    if (missing.length > 0) throw new SuiteError(`${where}.at: no value for ${missing.join(', ')} (the expression's variables are ${variables.join(', ')})`);
    const extra = Object.keys(at).filter((v) => !variables.includes(v));
    if (extra.length > 0) throw new SuiteError(`${where}.at: ${extra.join(', ')} ${extra.length > 1 ? 'are not variables' : 'is not a variable'} of the expression (its variables are ${variables.join(', ')})`);
    point = Float64Array.from(variables, (v) => finiteNumber(`${where}.at.${v}`, at[v]));
  }
  const domain: Record<string, Interval> = defaultDomain(variables, point);
  if (raw.domain !== undefined) {
    if (!isRecord(raw.domain)) throw new SuiteError(`${where}.domain: expected an object { variable: [low, high] }, got ${describe(raw.domain)}`);
    for (const [v, interval] of Object.entries(raw.domain)) {
      const w = `${where}.domain.${v}`;
      if (!variables.includes(v)) throw new SuiteError(`${w}: ${v} is not a variable of the expression (its variables are ${variables.join(', ')})`);
      if (!Array.isArray(interval) || interval.length !== 2) throw new SuiteError(`${w}: expected [low, high], got ${describe(interval)}`);
      const lo = finiteNumber(`${w}[0]`, interval[0]);
      const hi = finiteNumber(`${w}[1]`, interval[1]);
      if (!(lo < hi)) throw new SuiteError(`${w}: low (${lo}) must be below high (${hi})`);
      domain[v] = [lo, hi];
    }
  }
  const name = typeof raw.name === 'string' ? raw.name.trim() : text ?? `function ${index + 1}`;
  let id = name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase() || `function-${index + 1}`;
  while (seen.has(id)) id = `${id}-${index + 1}`;
  seen.add(id);
  return { id, name, text: text ?? name, expr, variables, point, domain, ...(guards !== undefined ? { guards } : {}) };
}

function toSuiteFamily(raw: unknown, index: number, source: string): SuiteFamily {
  const where = `${source}: families[${index}]`;
  if (!isRecord(raw)) throw new SuiteError(`${where}: expected an object with name and family, got ${describe(raw)}`);
  const known = new Set(['name', 'family', 'at', 'ns']);
  const unknown = Object.keys(raw).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new SuiteError(`${where}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a family has name, family, at and ns)`);
  if (typeof raw.name !== 'string' || raw.name.trim() === '') throw new SuiteError(`${where}.name: expected a non-empty string, got ${describe(raw.name)}`);
  const fn = raw.family;
  if (typeof fn !== 'function') throw new SuiteError(`${where}.family: expected a function (n) => expression, got ${describe(fn)}`);
  const at = raw.at;
  if (at !== undefined && typeof at !== 'function') throw new SuiteError(`${where}.at: expected a function (n) => point, got ${describe(at)}`);
  let ns: number[] | undefined;
  if (raw.ns !== undefined) {
    if (!Array.isArray(raw.ns) || raw.ns.length === 0) throw new SuiteError(`${where}.ns: expected a non-empty array of sizes, got ${describe(raw.ns)}`);
    ns = raw.ns.map((n, i) => {
      if (!Number.isInteger(n) || (n as number) < 1) throw new SuiteError(`${where}.ns[${i}]: expected an integer ≥ 1, got ${describe(n)}`);
      return n as number;
    });
  }
  const cache = new Map<number, Expr>();
  const build = (n: number): Expr => {
    let e = cache.get(n);
    if (e === undefined) {
      let value: unknown;
      try {
        value = (fn as (n: number) => unknown)(n);
      } catch (error) {
        throw new SuiteError(`${where}.family(${n}) threw: ${error instanceof Error ? error.message : String(error)}`);
      }
      e = toExpr(`${where}.family(${n})`, value);
      cache.set(n, e);
    }
    return e;
  };
  const variables = (n: number) => variablesOf(build(n));
  const point = (n: number): Float64Array => {
    const vars = variables(n);
    if (at === undefined) return new Float64Array(vars.length).fill(0.5);
    const p: unknown = (at as (n: number) => unknown)(n);
    if (!isRecord(p)) throw new SuiteError(`${where}.at(${n}): expected a point object, got ${describe(p)}`);
    return Float64Array.from(vars, (v) => {
      if (!(v in p)) throw new SuiteError(`${where}.at(${n}): no value for ${v}`);
      return finiteNumber(`${where}.at(${n}).${v}`, p[v]);
    });
  };
  // Build the first member now, so a broken family fails at load time rather than minutes into the report.
  const first = ns?.[0] ?? 2;
  if (variables(first).length === 0) throw new SuiteError(`${where}.family(${first}): the expression has no variables`);
  point(first);
  return { name: raw.name.trim(), text: `${raw.name.trim()} (user family)`, build, variables, point, costNs: ns, swellNs: ns, roles: ['cost', 'swell'] };
}

/** A suite from validated user functions and families. */
function userSuite(name: string, functions: SuiteFunction[], families: SuiteFamily[]): Suite {
  return {
    name,
    functionsTitle: 'Your functions',
    functionsNote: `The functions of ${name}, each at its point.`,
    functions,
    accuracyCases: [],
    randomExpressions: false,
    families,
    pitfalls: [],
    experiments: {},
  };
}

/**
 * Validates a user suite (parsed JSON, or a module's exports) and turns it into a {@link Suite}.
 * @param raw the parsed JSON value, or a module namespace (its `default` export, else its named exports).
 * @param source the file name, used in error messages and as the default suite name.
 * @throws SuiteError naming the field and what is wrong with it.
 */
export function validateUserSuite(raw: unknown, source: string): Suite {
  let value = raw;
  if (isRecord(value) && 'default' in value && isRecord(value.default)) value = value.default;
  if (!isRecord(value)) throw new SuiteError(`${source}: expected an object with 'functions' (and, in a module, 'families'), got ${describe(value)}`);
  const known = new Set(['name', 'functions', 'families', 'default']);
  const unknown = Object.keys(value).filter((k) => !known.has(k) && !k.startsWith('__'));
  if (unknown.length > 0) throw new SuiteError(`${source}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (a suite has name, functions and families)`);
  if (value.name !== undefined && typeof value.name !== 'string') throw new SuiteError(`${source}: name: expected a string, got ${describe(value.name)}`);
  const rawFunctions = value.functions ?? [];
  const rawFamilies = value.families ?? [];
  if (!Array.isArray(rawFunctions)) throw new SuiteError(`${source}: functions: expected an array, got ${describe(rawFunctions)}`);
  if (!Array.isArray(rawFamilies)) throw new SuiteError(`${source}: families: expected an array, got ${describe(rawFamilies)}`);
  if (rawFunctions.length === 0 && rawFamilies.length === 0) throw new SuiteError(`${source}: the suite has no functions and no families: nothing to report on`);
  const seen = new Set<string>();
  const functions = rawFunctions.map((f, i) => toSuiteFunction(f, i, source, seen));
  const families = rawFamilies.map((f, i) => toSuiteFamily(f, i, source));
  return userSuite(typeof value.name === 'string' && value.name.trim() !== '' ? value.name.trim() : source, functions, families);
}

/**
 * Parses `--at` text: `x=1,y=2` (commas or spaces between assignments).
 * @throws SuiteError naming the assignment that is malformed.
 */
export function parsePointText(text: string, where = '--at'): Record<string, number> {
  const point: Record<string, number> = {};
  for (const part of text.split(/[,\s]+/).filter((p) => p.length > 0)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SuiteError(`${where}: expected name=value, got '${part}'`);
    const name = part.slice(0, eq).trim();
    const value = Number(part.slice(eq + 1));
    if (part.slice(eq + 1).trim() === '' || !Number.isFinite(value)) throw new SuiteError(`${where}: '${part.slice(eq + 1)}' is not a finite number (in '${part}')`);
    if (name in point) throw new SuiteError(`${where}: ${name} is given twice`);
    point[name] = value;
  }
  return point;
}

/**
 * A suite from `--expr` and `--at` options: the ith `--at` is the point of the ith `--expr` (a single `--at`
 * serves every expression).
 * @throws SuiteError when the counts do not pair up or an expression or point is invalid.
 */
export function suiteFromExpressions(exprs: readonly string[], ats: readonly string[]): Suite {
  if (exprs.length === 0) throw new SuiteError('give at least one --expr');
  if (ats.length === 0) throw new SuiteError('give --at name=value,... with the point of each --expr');
  if (ats.length !== 1 && ats.length !== exprs.length) {
    throw new SuiteError(`${exprs.length} --expr but ${ats.length} --at: give one --at for every --expr (paired in order), or a single --at for all`);
  }
  const functions = exprs.map((e, i) => ({ name: e, expr: e, at: parsePointText(ats.length === 1 ? ats[0] : ats[i], `--at #${ats.length === 1 ? 1 : i + 1}`) }));
  return validateUserSuite({ name: 'your expressions', functions }, '--expr');
}
