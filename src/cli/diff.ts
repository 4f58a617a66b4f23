// `gradlab diff`: the gradient of one expression at a point by every method, side by side, with errors against a high-precision reference.
//
// The methods (mathjs, autograd, …) and the BigNumber reference load when the command runs, not when the CLI
// starts, so other commands do not pay for them.
import { toCliTable } from '../report/tables.ts';
import type { Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { evaluateExpr, lookupPointValue } from '../ir/evaluate.ts';
import { formatNumber } from '../ir/print.ts';
import { variablesOf } from '../ir/traverse.ts';
import { MethodUnavailableError } from '../diff/method.ts';
import type { Gradient } from '../diff/registry.ts';
import { expressionArgument, parseCommandArgs, parsePoint, UsageError, type Command } from './common.ts';

type Registry = typeof import('../diff/registry.ts');
type Reference = typeof import('../harness/reference.ts');

/** The registry and the reference, loaded on first use. */
async function load(): Promise<{ registry: Registry; reference: Reference }> {
  const [registry, reference] = await Promise.all([import('../diff/registry.ts'), import('../harness/reference.ts')]);
  return { registry, reference };
}

const help = `usage: gradlab diff "<expression>" --at x=2,y=3 [--method a,b,...] [--time-budget MS] [--h STEP] [--json]

Differentiates the expression at the point by each method (default: every registered method) and prints
one row per method: the value, each partial, the error against the best available reference, the number
of function evaluations, and the time. Symbolic methods also print their derivative expressions.

The reference is reverse accumulation in 64-digit arithmetic (src/harness/reference.ts); the output says
which reference was used. Errors are over all partials: abs = max |gᵢ − refᵢ|, rel = abs / max |refᵢ|.
A method that cannot differentiate the expression (an unsupported op, an exhausted budget) shows why.

options:
  --at x=2,y=3        the point (repeatable)
  --method a,b        methods to run (repeatable; default all)
  --time-budget MS    time budget of each symbolic step, milliseconds (default 5000)
  --h STEP            the step of the finite-difference methods (default: each scheme's textbook step)
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
  readonly results: readonly DiffRow[];
}

/** Error of one partial against the reference: 0 when both are the same non-finite value. */
function partialError(got: number, want: number): number {
  if (Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want))) return 0;
  return Math.abs(got - want);
}

/** ∞-norm errors over the partials: abs = max |gᵢ − refᵢ|, rel = abs / max |refᵢ| (abs itself when the reference is 0). */
export function gradientError(got: ArrayLike<number>, want: ArrayLike<number>): { abs: number; rel: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const e = partialError(got[i], want[i]);
    abs = Number.isNaN(e) || e > abs ? e : abs;
    if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
    if (Number.isNaN(abs)) break;
  }
  return { abs, rel: scale > 0 ? abs / scale : abs };
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
  expr: Expr,
  point: Record<string, number>,
  variables: readonly string[],
  reference: DiffReference | null,
  options: Readonly<Record<string, unknown>>,
): DiffRow {
  const start = performance.now();
  try {
    // Every method gets every option and reads the ones it knows (symbolic: timeBudgetMs; numeric: h).
    const result = registry.gradient(expr, point, { ...options, method: name });
    const partials = Float64Array.from(variables, (v) => result.gradient[v]);
    return {
      method: name,
      value: result.value,
      gradient: result.gradient,
      error: reference === null ? null : gradientError(partials, reference.gradient),
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
    return { ...base, failed: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Computes the whole report (the command prints it as a table or as JSON): every named method (default all
 * registered ones) at the point, with errors against the best available reference.
 * @throws UsageError for an unknown method name (listing the known ones); Error for a missing or bad value.
 */
export async function diffReport(
  expression: string,
  point: Record<string, number>,
  methodNames?: readonly string[],
  methodOptions: Readonly<Record<string, unknown>> = {},
): Promise<DiffReport> {
  const modules = await load();
  const { registry } = modules;
  const names = selectedMethods(registry, methodNames);
  const expr = parse(expression);
  const variables = [...new Set([...variablesOf(expr), ...Object.keys(point)])];
  const values = Float64Array.from(variables, (name) => lookupPointValue(point, name));
  const reference = bestReference(modules, expr, variables, values, point);
  const byName = (array: ArrayLike<number>) => Object.fromEntries(variables.map((v, i) => [v, array[i]]));
  return {
    expression,
    point,
    variables,
    value: evaluateExpr(expr, point),
    reference: reference && { method: reference.method, value: reference.value, gradient: byName(reference.gradient) } as DiffReport['reference'],
    results: names.map((name) => runMethod(registry, name, expr, point, variables, reference, methodOptions)),
  };
}

/** Method names from `--method` (comma-separated, repeatable), checked against the registry. */
function selectedMethods({ getMethod, listMethods }: Registry, specs: readonly string[] | undefined): string[] {
  if (specs === undefined || specs.length === 0) return listMethods().map((m) => m.name);
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

/** Wraps text at spaces to lines of at most `width` characters (for reasons shown inside a table cell). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length > 0 ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join('\n');
}

/** Longest derivative text printed per line under the table (the JSON has the method's own, longer, truncation). */
const derivativeWidth = 160;

/** The report as a cli-table3 table, followed by the reference used and the symbolic derivatives. */
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
      rows.push([row.method, width === undefined ? wrap(why, Math.max(40, 14 * (columns.length - 2))) : why, milliseconds(row.timeMs)]);
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
  const lines = [`f = ${report.expression} at ${variables.map((v) => `${v} = ${formatNumber(report.point[v])}`).join(', ') || 'no variables'}`];
  lines.push(table);
  if (report.reference === null) lines.push('errors: no reference was available');
  else {
    const partials = variables.map((v) => `∂f/∂${v} = ${formatNumber(report.reference!.gradient[v])}`).join(', ');
    lines.push(`errors against: ${report.reference.method}: f = ${formatNumber(report.reference.value)}${partials ? `, ${partials}` : ''}`);
  }
  for (const row of report.results) {
    if (row.derivatives === undefined || row.derivatives.length === 0) continue;
    lines.push('', `${row.method}:`);
    for (const d of row.derivatives) {
      const size = d.treeSize !== undefined && d.dagSize !== undefined ? `   [tree ${d.treeSize}, DAG ${d.dagSize} nodes]` : '';
      const text = d.infix.length > derivativeWidth ? `${d.infix.slice(0, derivativeWidth)}…` : d.infix;
      lines.push(`  ∂f/∂${d.variable} = ${text}${size}`);
    }
  }
  for (const row of report.results) for (const note of row.notes ?? []) lines.push(`note (${row.method}): ${note}`);
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
      },
      help,
    );
    const expression = expressionArgument(positionals, help);
    const options: Record<string, unknown> = {};
    if (values['time-budget'] !== undefined) options.timeBudgetMs = positiveNumber('--time-budget', values['time-budget']);
    if (values.h !== undefined) options.h = positiveNumber('--h', values.h);
    const report = await diffReport(expression, parsePoint(values.at ?? []), values.method, options);
    io.stdout(values.json ? `${diffReportJson(report)}\n` : formatDiffReport(report, io.columns));
    const failed = report.results.filter((r) => r.failed !== undefined);
    for (const row of failed) io.stderr(`gradlab diff: ${row.method} failed: ${row.failed}\n`);
    return failed.length > 0 ? 1 : 0;
  },
};
