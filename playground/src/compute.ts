// What the page computes on its own thread per keystroke: parse, the variables, every fast method, the traces; and a count of that work.
//
// The mathjs methods (symbolic, symbolic-simplified) and everything in 64-digit BigNumbers (the reference, the
// V curve, the graph drawing) run in the Web Workers instead, so a keystroke costs one pass of each fast method.
import { listMethods, withoutAliases } from '../../src/diff/registry.ts';
import type { GradientMethod, GradientResult } from '../../src/diff/method.ts';
import { askMethod, type AnswerStatus } from '../../src/harness/answers.ts';
import { evaluationTraces, type EvaluationTraces } from '../../src/harness/traces.ts';
import { autogradTrace } from '../../src/diff/autograd/method.ts';
import { parse, ParseError } from '../../src/ir/parse.ts';
import type { Expr } from '../../src/ir/node.ts';
import { metrics, variablesOf } from '../../src/ir/traverse.ts';

/** Methods that call mathjs (derivative, simplify): run in the symbolic worker under the time budget. */
export const workerMethodNames: ReadonlySet<string> = new Set(['symbolic', 'symbolic-simplified']);

/** Largest DAG drawn as a graph and traced step by step (a bigger drawing is unreadable). */
export const graphNodeLimit = 80;

/** One method's answer, as a row shows it. */
export interface MethodRow {
  readonly name: string;
  readonly summary: string;
  /** `pending` while the worker has not answered. */
  readonly status: AnswerStatus | 'pending';
  readonly value?: number;
  readonly gradient?: readonly number[];
  readonly errorEstimate?: readonly number[];
  /** The cost in the method's own unit (evaluations of f, tape length, instructions, derivative size). */
  readonly cost?: string;
  readonly reason?: string;
  readonly notes?: readonly string[];
  readonly timeMs?: number;
  readonly thread: 'page' | 'worker';
  /** The partial derivatives' sizes and times (symbolic methods), for the swell panel. */
  readonly derivatives?: readonly DerivativeFacts[];
}

/** One partial derivative's sizes and times, as a symbolic method reports them (plain data: it crosses from the worker). */
export interface DerivativeFacts {
  readonly variable: string;
  readonly treeSize: number;
  readonly dagSize: number;
  readonly deriveMs: number;
  readonly simplifyMs: number | null;
  readonly mathjsDerivedTreeSize?: number;
  readonly mathjsSimplifiedTreeSize?: number;
  readonly infix: string;
}

/** A parse error with its position, as the CLI prints it (message, then the line with a caret). */
export interface ParseProblem {
  readonly message: string;
  readonly excerpt: string;
  readonly position: number;
  readonly length: number;
}

/** The work one update did on the page's thread, for the responsiveness test. */
export interface WorkCount {
  /** Methods computed synchronously on the page's thread. */
  readonly pageMethods: readonly string[];
  /** Evaluations of f the page's methods spent in all (a method without its own count is charged one pass). */
  readonly evaluations: number;
  /** Σ evaluations × DAG size: node visits, the unit of work per keystroke. */
  readonly nodeVisits: number;
  readonly dagSize: number;
}

export interface Analysis {
  readonly expr: Expr;
  readonly variables: readonly string[];
  readonly point: Float64Array;
  readonly dagSize: number;
  readonly treeSize: number;
  readonly rows: readonly MethodRow[];
  /** The lesson-style PyTorch trace (or why it could not be printed). */
  readonly pytorch: string;
  /** Baydin's traces when the DAG is small enough to step through. */
  readonly traces?: EvaluationTraces;
  readonly work: WorkCount;
}

/** Parses the text, or returns the problem with its caret excerpt. */
export function parseExpression(text: string): { expr: Expr } | { problem: ParseProblem } {
  try {
    return { expr: parse(text) };
  } catch (error) {
    if (error instanceof ParseError) {
      return { problem: { message: error.message, excerpt: error.excerpt(), position: error.position, length: error.length } };
    }
    return { problem: { message: error instanceof Error ? error.message : String(error), excerpt: '', position: 0, length: 0 } };
  }
}

/** The variables of an expression in order of appearance. */
export function variablesIn(expr: Expr): string[] {
  return variablesOf(expr);
}

const count = (n: number) => n.toLocaleString('en-US');

/** The method's cost in its own unit, read from its result. */
export function costOf(result: GradientResult): string {
  const extra = (result.extra ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (result.evaluations !== undefined) parts.push(`${count(result.evaluations)} evaluation${result.evaluations === 1 ? '' : 's'} of f`);
  if (typeof extra.tapeLength === 'number') parts.push(`tape of ${count(extra.tapeLength)} nodes`);
  const instructions = extra.instructions as { f?: number; gradient?: number; jvp?: number } | undefined;
  if (instructions?.gradient !== undefined) parts.push(`${count(instructions.gradient)} instructions (f: ${count(instructions.f ?? 0)})`);
  if (instructions?.jvp !== undefined) parts.push(`${count(extra.passes as number)} pass${extra.passes === 1 ? '' : 'es'} of ${count(instructions.jvp)} instructions`);
  const derivatives = extra.derivatives as readonly { treeSize: number; dagSize: number }[] | undefined;
  if (derivatives !== undefined && derivatives.length > 0) {
    const tree = derivatives.reduce((s, d) => s + d.treeSize, 0);
    const dag = derivatives.reduce((s, d) => s + d.dagSize, 0);
    parts.push(`derivative: ${count(tree)} tree / ${count(dag)} DAG nodes`);
  }
  return parts.join('; ');
}

/** One method's row from its answer. */
export function rowOf(method: GradientMethod, answer: ReturnType<typeof askMethod>, thread: 'page' | 'worker'): MethodRow {
  const base = { name: method.name, summary: method.summary, status: answer.status, timeMs: answer.timeMs, thread };
  if (answer.result === undefined) return { ...base, reason: answer.reason };
  const r = answer.result;
  const summaries = (r.extra as { derivatives?: readonly DerivativeFacts[] } | undefined)?.derivatives;
  const derivatives = summaries?.map((d): DerivativeFacts => ({
    variable: d.variable,
    treeSize: d.treeSize,
    dagSize: d.dagSize,
    deriveMs: d.deriveMs,
    simplifyMs: d.simplifyMs,
    mathjsDerivedTreeSize: d.mathjsDerivedTreeSize,
    mathjsSimplifiedTreeSize: d.mathjsSimplifiedTreeSize,
    infix: d.infix,
  }));
  return {
    ...base,
    value: r.value,
    gradient: [...r.gradient],
    errorEstimate: r.errorEstimate && [...r.errorEstimate],
    cost: costOf(r),
    notes: r.notes && [...r.notes],
    derivatives,
  };
}

/**
 * Everything the page computes on its own thread for one expression at one point: every registered method except
 * the mathjs ones (left `pending` for the worker), the PyTorch trace, and the evaluation traces of a small DAG.
 */
export function analyse(expr: Expr, variables: readonly string[], point: Float64Array): Analysis {
  const { treeSize, dagSize } = metrics(expr);
  const pageMethods: string[] = [];
  let evaluations = 0;
  const rows = withoutAliases(listMethods()).map((method): MethodRow => {
    if (workerMethodNames.has(method.name)) return { name: method.name, summary: method.summary, status: 'pending', thread: 'worker' };
    pageMethods.push(method.name);
    const answer = askMethod(method, { expr, variables, point });
    evaluations += answer.result?.evaluations ?? 1;
    return rowOf(method, answer, 'page');
  });
  const at = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
  let pytorch: string;
  try {
    pytorch = autogradTrace(expr, at, variables);
  } catch (error) {
    pytorch = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  evaluations += 1;
  let traces: EvaluationTraces | undefined;
  if (dagSize <= graphNodeLimit) {
    traces = evaluationTraces(expr, variables, [...point]);
    evaluations += 1 + variables.length;
  }
  return {
    expr,
    variables,
    point,
    dagSize,
    treeSize,
    rows,
    pytorch,
    traces,
    work: { pageMethods, evaluations, nodeVisits: evaluations * dagSize, dagSize },
  };
}
