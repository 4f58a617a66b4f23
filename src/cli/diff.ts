// `gradlab diff`: the gradient of one expression at a point by every method, side by side, with errors against a high-precision reference.
//
// The methods (mathjs, autograd, …) and the BigNumber reference load when the command runs, not when the CLI
// starts, so other commands do not pay for them.
import { toCliTable, wrapProse } from '../report/tables.ts';
import type { Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { evaluateExpr, explainNonFinite, interpretNodes, lookupPointValue, realAlgebra } from '../ir/evaluate.ts';
import { ops } from '../ir/ops.ts';
import { formatNumber, toInfix } from '../ir/print.ts';
import { variablesOf } from '../ir/traverse.ts';
import { MethodUnavailableError } from '../diff/method.ts';
import { NonFiniteError } from '../diff/numeric/stencil.ts';
import type { Gradient } from '../diff/registry.ts';
import { parseCommandArgs, parsePoint, proseWidthWhenPiped, UsageError, type Command } from './common.ts';
import { inputHelp, inputOptions, readUserInput, type UserInput } from './input.ts';
import type { Program } from '../diff/program/run.ts';
import type { ProgramTrace } from '../diff/program/trace.ts';

type Registry = typeof import('../diff/registry.ts');
type Reference = typeof import('../harness/reference.ts');
type Tracing = typeof import('../diff/program/trace.ts');

/** The registry, the reference and the tracer, loaded on first use. */
async function load(): Promise<{ registry: Registry; reference: Reference; tracing: Tracing }> {
  const [registry, reference, tracing] = await Promise.all([
    import('../diff/registry.ts'), import('../harness/reference.ts'), import('../diff/program/trace.ts'),
  ]);
  return { registry, reference, tracing };
}

const help = `usage: gradlab diff "<expression>" --at x=2,y=3 [--method a,b,...] [--time-budget MS] [--h STEP] [--json]
       gradlab diff --file prog.ts --at x=1,y=2 [--export NAME] [...]

Differentiates the expression at the point by each method (default: every registered method but its
aliases) and prints one row per method: the value, each partial, the error against the best available
reference, the number
of function evaluations, and the time. Symbolic methods also print their derivative expressions.

The reference is reverse accumulation in 64-digit arithmetic (src/harness/reference.ts); the output says
which reference was used. Errors are over the partials the reference defines: abs = max |gᵢ − refᵢ|,
rel = abs / max |refᵢ|. Where a reference partial is NaN (no derivative there) no method's error is
measured against it, and the output says so. A method that cannot differentiate the expression (an
unsupported op, an exhausted budget, a point where f is not finite) is "unavailable", not a failure;
the exit code is 1 only when a method fails unexpectedly.

A program (--file prog.ts) is a function (v, m) => value; the output shows the path it took at the point
(its trace) and the guards under which the symbolic answers hold; the reference is that of the path.

options:
  --at x=2,y=3        the point (repeatable)
  --method a,b        methods to run (repeatable; default all but aliases;
                      numeric is numeric-central)
  --time-budget MS    time budget of each symbolic step, milliseconds (default 5000)
  --h STEP            the step of the finite-difference methods (default: each scheme's textbook step)
${inputHelp}
  --json              print { expression, point, value, reference, results: [...] } as JSON
                      (non-finite numbers as the strings "NaN", "Infinity", "-Infinity")`;

/** The reference the errors are measured against. */
export interface DiffReference {
  readonly method: string;
  readonly value: number;
  readonly gradient: Float64Array;
}

/** One method's outcome at the point. */
export interface DiffRow {
  readonly method: string;
  readonly value: number | null;
  /** Partials by variable, or null when the method was unavailable or failed. */
  readonly gradient: Readonly<Record<string, number>> | null;
  readonly error: { readonly abs: number; readonly rel: number } | null;
  readonly evaluations: number | null;
  readonly timeMs: number;
  /** Why the method could not differentiate this expression. */
  readonly unavailable?: string;
  /** True when the unavailability is a budget cut-off rather than an inability. */
  readonly cutOff?: boolean;
  /** An unexpected error (a bug): the command exits non-zero. */
  readonly failed?: string;
  readonly derivatives?: readonly { readonly variable: string; readonly infix: string; readonly treeSize?: number; readonly dagSize?: number }[];
  readonly notes?: readonly string[];
}

/** Everything `gradlab diff` reports (its --json output). */
export interface DiffReport {
  readonly expression: string;
  readonly point: Readonly<Record<string, number>>;
  readonly variables: readonly string[];
  /** f at the point in float64. */
  readonly value: number;
  readonly reference: (DiffReference & { readonly gradient: Readonly<Record<string, number>> }) | null;
  /** Why f is not finite at the point (an overflow, a point outside an op's domain), when it is not. */
  readonly notFinite?: string;
  /** Ops outside their smooth domain at the point: the derivative may not exist there, and methods may differ by convention. */
  readonly nonSmooth: readonly string[];
  /** The partials whose reference is NaN (no derivative there): no error is measured for them. */
  readonly unmeasured: readonly string[];
  /**
   * The partials whose reference is a convention (f has no derivative in that variable at the point, and the op
   * table's partials give the convention the exact methods follow), by variable, with why: no error is measured
   * for them either, since an answer that differs from a convention is not wrong.
   */
  readonly conventional: Readonly<Record<string, string>>;
  readonly results: readonly DiffRow[];
  /** For a program: its trace at the point (infix) and the guards under which the trace is f. */
  readonly program?: { readonly source: string; readonly trace: string; readonly guards: readonly string[] };
}

/**
 * Error of one partial against the reference, or null when the reference partial is NaN: there is no derivative
 * to compare with, so neither a NaN answer (which would "match") nor a finite one (a method's estimate) is scored.
 * Against an infinite reference an answer is exact (0) or infinitely off.
 */
function partialError(got: number, want: number): number | null {
  if (Number.isNaN(want)) return null;
  if (Object.is(got, want) || got === want) return 0;
  return Math.abs(got - want);
}

/**
 * ∞-norm errors over the partials the reference defines: abs = max |gᵢ − refᵢ|, rel = abs / max |refᵢ| (abs itself
 * when the reference is 0). Null when the reference defines none (every reference partial is NaN).
 */
export function gradientError(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  /** Indices of partials not to measure (their reference is a convention, see {@link conventionalPartials}). */
  skip: ReadonlySet<number> = new Set(),
): { abs: number; rel: number } | null {
  let abs = 0;
  let scale = 0;
  let measured = 0;
  for (let i = 0; i < want.length; i++) {
    const e = skip.has(i) ? null : partialError(got[i], want[i]);
    if (e === null) continue;
    measured++;
    abs = Number.isNaN(e) || e > abs ? e : abs;
    if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
    if (Number.isNaN(abs)) break;
  }
  if (measured === 0 && want.length > 0) return null;
  return { abs, rel: scale > 0 ? abs / scale : abs };
}

/**
 * The ops applied outside their smooth domain at the point (arguments finite), e.g. "pow(u, v) at u = 0, v = 0 is
 * outside its smooth domain (…)", with the op table's convention there. At such a point the derivative may not
 * exist, and the exact methods can differ by which formula or convention each applies.
 */
export function nonSmoothOps(expr: Expr, point: Readonly<Record<string, number>>): string[] {
  const { order, values } = interpretNodes(expr, (v) => lookupPointValue(point, v.name), realAlgebra);
  const position = new Map(order.map((node, i) => [node.id, i]));
  const dependent = new Set<number>();
  const found: string[] = [];
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    if (node.kind === 'var') dependent.add(node.id);
    if (node.kind !== 'op') continue;
    if (node.args.some((arg) => dependent.has(arg.id))) dependent.add(node.id);
    const args = node.args.map((arg) => values[position.get(arg.id)!]);
    if (!args.every(Number.isFinite)) continue;
    const spec = ops[node.op];
    if (spec.domain.contains(args[0], args[1] ?? NaN, node.args.map((arg) => !dependent.has(arg.id)))) continue;
    const names = ['u', 'v'].slice(0, spec.arity);
    const at = names.map((name, k) => `${name} = ${args[k]}`).join(', ');
    const text = `${node.op}(${names.join(', ')}) at ${at} is outside its smooth domain (${spec.domain.description})${spec.kinks ? `; the op table's convention there: ${spec.kinks}` : ''}`;
    if (!found.includes(text)) found.push(text);
  }
  return found;
}

/**
 * The variables whose partial at the point is a convention rather than a derivative: those that reach an argument
 * an op declares conventional there (`conventionalPartials`, e.g. the exponent of pow at u = v = 0), each with the
 * op and why. One traversal per distinct reason, so linear in the expression for all practical purposes.
 */
export function conventionalPartials(expr: Expr, point: Readonly<Record<string, number>>): Record<string, string> {
  const { order, values } = interpretNodes(expr, (v) => lookupPointValue(point, v.name), realAlgebra);
  const position = new Map(order.map((node, i) => [node.id, i]));
  const rootsByReason = new Map<string, Expr[]>();
  for (const node of order) {
    if (node.kind !== 'op') continue;
    const spec = ops[node.op];
    if (spec.conventionalPartials === undefined) continue;
    const args = node.args.map((arg) => values[position.get(arg.id)!]);
    if (!args.every(Number.isFinite)) continue;
    for (const { argument, why } of spec.conventionalPartials(args[0], args[1] ?? NaN)) {
      const names = ['u', 'v'].slice(0, spec.arity);
      const reason = `${node.op}(${names.join(', ')}) at ${names.map((name, k) => `${name} = ${args[k]}`).join(', ')}: ${why}`;
      const roots = rootsByReason.get(reason) ?? [];
      roots.push(node.args[argument]);
      rootsByReason.set(reason, roots);
    }
  }
  const found: Record<string, string> = {};
  for (const [reason, roots] of rootsByReason) for (const name of variablesOf(roots)) found[name] ??= reason;
  return found;
}

/** The best available reference: the high-precision one, or symbolic-dag in float64 if that fails. */
function bestReference(
  { registry, reference }: { registry: Registry; reference: Reference },
  expr: Expr,
  variables: readonly string[],
  point: Float64Array,
  byName: Record<string, number>,
): DiffReference | null {
  try {
    return reference.referenceGradient(expr, variables, point);
  } catch (error) {
    try {
      const fallback = registry.gradient(expr, byName, { method: 'symbolic-dag' });
      return {
        method: `symbolic-dag in float64 (the high-precision reference failed: ${(error as Error).message})`,
        value: fallback.value,
        gradient: Float64Array.from(variables, (v) => fallback.gradient[v]),
      };
    } catch {
      return null;
    }
  }
}

function derivativesOf(result: Gradient): DiffRow['derivatives'] {
  const list = result.extra?.derivatives;
  if (!Array.isArray(list)) return undefined;
  return list.map((d: { variable: string; infix: string; treeSize?: number; dagSize?: number }) => ({
    variable: d.variable,
    infix: d.infix,
    treeSize: d.treeSize,
    dagSize: d.dagSize,
  }));
}

/** Runs one method and turns what happened (a result, an unavailability, a failure) into a row. */
function runMethod(
  registry: Registry,
  name: string,
  subject: Expr | Program,
  point: Record<string, number>,
  variables: readonly string[],
  reference: DiffReference | null,
  options: Readonly<Record<string, unknown>>,
  notFinite: string | undefined,
  unscored: ReadonlySet<number>,
): DiffRow {
  const start = performance.now();
  try {
    // Every method gets every option and reads the ones it knows (symbolic: timeBudgetMs; numeric: h).
    const result = registry.gradient(subject, point, { ...options, method: name });
    const partials = Float64Array.from(variables, (v) => result.gradient[v]);
    return {
      method: name,
      value: result.value,
      gradient: result.gradient,
      error: reference === null ? null : gradientError(partials, reference.gradient, unscored),
      evaluations: result.evaluations ?? null,
      timeMs: result.timeMs,
      ...(derivativesOf(result) ? { derivatives: derivativesOf(result) } : {}),
      ...(result.notes?.length ? { notes: result.notes } : {}),
    };
  } catch (error) {
    const base = { method: name, value: null, gradient: null, error: null, evaluations: null, timeMs: performance.now() - start };
    if (error instanceof MethodUnavailableError) {
      const cutOff = (error as { cutOff?: unknown }).cutOff === true;
      return { ...base, unavailable: error.reason, ...(cutOff ? { cutOff } : {}) };
    }
    // f not finite at the point: outside the method's domain, not a failure of the method.
    if (notFinite !== undefined) return { ...base, unavailable: `f is not finite at the point: ${notFinite}` };
    if (error instanceof NonFiniteError) return { ...base, unavailable: `${error.message} (a stencil point is outside f's domain)` };
    return { ...base, failed: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Computes the whole report (the command prints it as a table or as JSON): every named method (default all
 * registered ones) at the point, with errors against the best available reference.
 * @throws UsageError for an unknown method name (listing the known ones); Error for a missing or bad value.
 */
export async function diffReport(
  input: string | UserInput,
  point: Record<string, number>,
  methodNames?: readonly string[],
  methodOptions: Readonly<Record<string, unknown>> = {},
): Promise<DiffReport> {
  const modules = await load();
  const { registry } = modules;
  const names = selectedMethods(registry, methodNames);
  const given: UserInput = typeof input === 'string' ? { kind: 'expression', text: input, source: 'argument' } : input;
  let expr: Expr;
  let subject: Expr | Program;
  let trace: ProgramTrace | undefined;
  let variables: string[];
  if (given.kind === 'program') {
    variables = Object.keys(point);
    trace = modules.tracing.traceProgram(given.program, point);
    expr = trace.expr;
    subject = given.program;
  } else {
    expr = parse(given.text);
    subject = expr;
    variables = [...new Set([...variablesOf(expr), ...Object.keys(point)])];
  }
  const values = Float64Array.from(variables, (name) => lookupPointValue(point, name));
  const found = bestReference(modules, expr, variables, values, point);
  const reference = found && trace !== undefined && trace.guards.length > 0
    ? { ...found, method: `${found.method}, of the path the program took at the point (it is f's where the guards hold)` }
    : found;
  const byName = (array: ArrayLike<number>) => Object.fromEntries(variables.map((v, i) => [v, array[i]]));
  const value = evaluateExpr(expr, point);
  const notFinite = Number.isFinite(value) ? undefined : explainNonFinite(expr, point) ?? `f = ${value}`;
  // A NaN reference partial is already unmeasured; a convention is only where the reference gives a number.
  const conventional = Object.fromEntries(
    Object.entries(conventionalPartials(expr, point)).filter(([name]) => reference !== null && !Number.isNaN(reference.gradient[variables.indexOf(name)])),
  );
  const unscored = new Set(variables.flatMap((name, i) => (name in conventional ? [i] : [])));
  return {
    expression: given.kind === 'program' ? `program ${given.source}` : given.text,
    point,
    variables,
    value,
    ...(notFinite !== undefined ? { notFinite } : {}),
    reference: reference && { method: reference.method, value: reference.value, gradient: byName(reference.gradient) } as DiffReport['reference'],
    nonSmooth: nonSmoothOps(expr, point),
    unmeasured: reference === null ? [] : variables.filter((_, i) => Number.isNaN(reference.gradient[i])),
    conventional,
    results: names.map((name) => runMethod(registry, name, subject, point, variables, reference, methodOptions, notFinite, unscored)),
    ...(trace !== undefined ? { program: { source: given.source, trace: toInfix(trace.expr), guards: trace.guards.map((g) => g.text) } } : {}),
  };
}

/** Method names from `--method` (comma-separated, repeatable), checked against the registry. */
function selectedMethods({ getMethod, listMethods, withoutAliases }: Registry, specs: readonly string[] | undefined): string[] {
  // By default each computation once: an alias (numeric, numeric-central's short name) runs only when named.
  if (specs === undefined || specs.length === 0) return withoutAliases(listMethods()).map((m) => m.name);
  const names = specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError('--method needs at least one method name');
  for (const name of names) {
    try {
      getMethod(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return [...new Set(names)];
}

const number = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : formatNumber(x));
const short = (x: number | null | undefined): string =>
  x === null || x === undefined ? '—' : x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : String(x);
const milliseconds = (ms: number): string => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`);

/** Longest derivative text printed per line under the table (the JSON has the method's own, longer, truncation). */
const derivativeWidth = 160;

/**
 * The report as a cli-table3 table, followed by the reference used and the symbolic derivatives. `width` is the
 * terminal's: the table fits it, and the prose under the table (the reference line, errors not measured, notes)
 * wraps to it; without one the table keeps its natural width and the prose wraps at 80 columns.
 */
export function formatDiffReport(report: DiffReport, width?: number): string {
  const { variables } = report;
  const columns = ['method', 'value', ...variables.map((v) => `∂f/∂${v}`), 'abs error', 'rel error', 'evals', 'time'];
  const rows: string[][] = [];
  const spanRows = new Set<number>();
  for (const row of report.results) {
    if (row.gradient === null) {
      const why = row.unavailable !== undefined ? `${row.cutOff ? 'cut off' : 'unavailable'}: ${row.unavailable}` : `failed: ${row.failed}`;
      spanRows.add(rows.length);
      // Unlimited width: the historical pre-wrapped reason; a fitted table wraps it to the columns it spans.
      rows.push([row.method, width === undefined ? wrapProse(why, Math.max(40, 14 * (columns.length - 2))) : why, milliseconds(row.timeMs)]);
    } else {
      rows.push([
        row.method,
        number(row.value),
        ...variables.map((v) => number(row.gradient![v])),
        short(row.error?.abs),
        short(row.error?.rel),
        row.evaluations === null ? '—' : String(row.evaluations),
        milliseconds(row.timeMs),
      ]);
    }
  }
  const align = columns.map((_, k) => (k === 0 ? 'left' : 'right') as 'left' | 'right');
  const table = toCliTable({ columns, rows, align, spanRows }, { width, droppable: ['evals', 'abs error', 'value', 'time'] });
  const lines: string[] = [];
  const proseWidth = width ?? proseWidthWhenPiped;
  const prose = (text: string) => lines.push(wrapProse(text, proseWidth, '  '));
  // Lines that hold expressions wrap only on a terminal (which would break them at its edge anyway): piped, they
  // stay whole for copying.
  const expression = (text: string, indent: string) => lines.push(width === undefined ? text : wrapProse(text, width, indent));
  expression(`f = ${report.expression} at ${variables.map((v) => `${v} = ${formatNumber(report.point[v])}`).join(', ') || 'no variables'}`, '  ');
  if (report.program !== undefined) {
    const trace = report.program.trace.length > derivativeWidth ? `${report.program.trace.slice(0, derivativeWidth)}…` : report.program.trace;
    expression(`trace at the point: ${trace}`, '  ');
    if (report.program.guards.length === 0) lines.push('guards: none (no comparison read a traced value)');
    else for (const [i, guard] of report.program.guards.entries()) expression(`guard ${i + 1}: ${guard}`, '  ');
  }
  lines.push(table);
  if (!Number.isFinite(report.value) && report.notFinite !== undefined) prose(`f is not finite at the point: ${report.notFinite}`);
  if (report.reference === null) prose('errors: no reference was available');
  else {
    const partials = variables.map((v) => `∂f/∂${v} = ${formatNumber(report.reference!.gradient[v])}`).join(', ');
    prose(`errors against: ${report.reference.method}: f = ${formatNumber(report.reference.value)}${partials ? `, ${partials}` : ''}`);
    if (report.unmeasured.length > 0) {
      prose(
        `errors not measured for ${report.unmeasured.map((v) => `∂f/∂${v}`).join(', ')}: the reference is NaN there (f has no derivative ` +
          'at this point, or its formula is 0/0), so a NaN answer is not "right" and a finite one is an estimate, not a checked value',
      );
    }
    for (const [v, why] of Object.entries(report.conventional ?? {})) {
      prose(
        `errors not measured for ∂f/∂${v}: f has no derivative in ${v} at this point (${why}); the reference's ` +
          `${formatNumber(report.reference.gradient[v])} is that convention, so an answer that differs from it is not an error`,
      );
    }
  }
  for (const row of report.results) {
    if (row.derivatives === undefined || row.derivatives.length === 0) continue;
    lines.push('', `${row.method}:`);
    for (const d of row.derivatives) {
      const size = d.treeSize !== undefined && d.dagSize !== undefined ? `   [tree ${d.treeSize}, DAG ${d.dagSize} nodes]` : '';
      const text = d.infix.length > derivativeWidth ? `${d.infix.slice(0, derivativeWidth)}…` : d.infix;
      expression(`  ∂f/∂${d.variable} = ${text}${size}`, '      ');
    }
  }
  for (const text of report.nonSmooth) {
    prose(`f is not smooth at this point: ${text}. A derivative may not exist here; where the methods differ, each applies its own formula or convention.`);
  }
  // A note several methods share (a program's guards) is printed once, naming them all.
  const notes = new Map<string, string[]>();
  for (const row of report.results) for (const note of row.notes ?? []) notes.set(note, [...(notes.get(note) ?? []), row.method]);
  for (const [note, methods] of notes) prose(`note (${methods.join(', ')}): ${note}`);
  return `${lines.join('\n')}\n`;
}

/** JSON with non-finite numbers as strings ("NaN", "Infinity", "-Infinity") rather than JSON's null. */
export function diffReportJson(report: DiffReport): string {
  return JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`${flag} expects a positive number, got '${text}'`);
  return value;
}

/** `gradlab diff`: one row per method, errors against the reference, the symbolic derivatives below the table. */
export const diffCommand: Command = {
  name: 'diff',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        at: { type: 'string', multiple: true },
        method: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        'time-budget': { type: 'string' },
        h: { type: 'string' },
        ...inputOptions,
      },
      help,
    );
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const options: Record<string, unknown> = {};
    if (values['time-budget'] !== undefined) options.timeBudgetMs = positiveNumber('--time-budget', values['time-budget']);
    if (values.h !== undefined) options.h = positiveNumber('--h', values.h);
    const report = await diffReport(input, parsePoint(values.at ?? []), values.method, options);
    io.stdout(values.json ? `${diffReportJson(report)}\n` : formatDiffReport(report, io.columns));
    const failed = report.results.filter((r) => r.failed !== undefined);
    for (const row of failed) io.stderr(`gradlab diff: ${row.method} failed: ${row.failed}\n`);
    return failed.length > 0 ? 1 : 0;
  },
};
