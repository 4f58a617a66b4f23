// What the symbolic differentiators report per variable, the error that says why one could not, and their shared formatting.
import type { Expr } from '../../ir/node.ts';
import { toInfix, toLatex } from '../../ir/print.ts';
import { metrics } from '../../ir/traverse.ts';
import { MethodUnavailableError } from '../method.ts';

/** One partial derivative as an expression, with the sizes and times reports quote. */
export interface SymbolicDerivative {
  readonly variable: string;
  /** ∂f/∂variable in gradlab's IR (hash-consed, so a DAG). */
  readonly derivative: Expr;
  /** Infix text (computed on first read), or null when the tree is larger than the print limit. */
  readonly infix: string | null;
  /** LaTeX (computed on first read), or null when the tree is larger than the print limit. */
  readonly latex: string | null;
  /** Nodes of the derivative written out as a tree (what a printed formula holds; a float, may exceed 2^53). */
  readonly treeSize: number;
  /** Distinct nodes of the derivative (its hash-consed DAG). */
  readonly dagSize: number;
  /** Time to differentiate, milliseconds (for symbolic-dag: the one reverse sweep that yields every partial). */
  readonly deriveMs: number;
  /** Time to simplify, milliseconds, or null when the method does not simplify. */
  readonly simplifyMs: number | null;
  /** Tree nodes of mathjs's own result before any simplification (mathjs methods only). */
  readonly mathjsDerivedTreeSize?: number;
  /** Tree nodes of mathjs's simplified result (symbolic-simplified only). */
  readonly mathjsSimplifiedTreeSize?: number;
  /** Set on the first derivative of a job that had to start mathjs's worker thread: how long that took, milliseconds. */
  readonly workerStartupMs?: number;
}

/** Default largest tree the lazily computed `infix` and `latex` strings are written for. */
export const defaultPrintLimit = 1_000_000;

/** What a differentiator knows when it builds a {@link SymbolicDerivative}; sizes are measured on first read when left out. */
export type SymbolicDerivativeFields = Omit<SymbolicDerivative, 'infix' | 'latex' | 'treeSize' | 'dagSize'> &
  Partial<Pick<SymbolicDerivative, 'treeSize' | 'dagSize'>>;

/**
 * Builds a {@link SymbolicDerivative} whose sizes (unless given), `infix` and `latex` are computed on first read
 * and then kept, so a method's timed work does not include measuring or printing its output.
 */
export function symbolicDerivative(fields: SymbolicDerivativeFields, printLimit: number = defaultPrintLimit): SymbolicDerivative {
  let sizes: { treeSize: number; dagSize: number } | undefined =
    fields.treeSize !== undefined && fields.dagSize !== undefined ? { treeSize: fields.treeSize, dagSize: fields.dagSize } : undefined;
  const measured = () => (sizes ??= metrics(fields.derivative));
  let infix: string | null | undefined;
  let latex: string | null | undefined;
  const printable = () => measured().treeSize <= printLimit;
  const { treeSize: _t, dagSize: _d, ...rest } = fields;
  const result = { ...rest } as Record<string, unknown>;
  const lazy = (key: string, get: () => unknown) => Object.defineProperty(result, key, { enumerable: true, get });
  lazy('infix', () => (infix ??= printable() ? toInfix(fields.derivative, { maxTreeSize: printLimit }) : null));
  lazy('latex', () => (latex ??= printable() ? toLatex(fields.derivative, { maxTreeSize: printLimit }) : null));
  lazy('treeSize', () => measured().treeSize);
  lazy('dagSize', () => measured().dagSize);
  return result as unknown as SymbolicDerivative;
}

/** What stopped a symbolic method. `time` and `size` are budgets (reports show them as cut-offs). */
export type SymbolicFailure = 'unsupported' | 'time' | 'size' | 'overflow' | 'error';

/** A symbolic method could not differentiate this expression: an unsupported op, a budget, a stack overflow. */
export class SymbolicUnavailableError extends MethodUnavailableError {
  constructor(
    method: string,
    reason: string,
    readonly failure: SymbolicFailure,
    /** The variable and step that were running, when the failure belongs to one. */
    readonly variable?: string,
    readonly step?: 'derive' | 'simplify',
  ) {
    super(method, reason);
    this.name = 'SymbolicUnavailableError';
  }

  /** True when a budget cut the method off (reports show a cut-off rather than an inability). */
  get cutOff(): boolean {
    return this.failure === 'time' || this.failure === 'size';
  }
}

/** `∂f/∂x`, as messages and reports name a partial. */
export function partialName(variable: string): string {
  return `∂f/∂${variable}`;
}

/** A duration for messages: `5 s`, `1.5 s`, `200 ms`. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toPrecision(3))} s` : `${Number(ms.toPrecision(3))} ms`;
}

/** A count with thousands separators: `200,000`. */
export function formatCount(n: number): string {
  return Number.isSafeInteger(n) ? n.toLocaleString('en-US') : n.toExponential(2);
}

/** `text`, or its first `max` characters and a note of the full length. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${formatCount(text.length)} characters)`;
}

/** A derivative as plain, JSON-friendly facts for `GradientResult.extra`: infix truncated to `maxChars`, computed on first read. */
export type DerivativeSummary = Pick<
  SymbolicDerivative,
  'variable' | 'treeSize' | 'dagSize' | 'deriveMs' | 'simplifyMs' | 'mathjsDerivedTreeSize' | 'mathjsSimplifiedTreeSize'
> & { readonly infix: string };

/** Summaries of derivatives for `extra`; the infix text is only written when someone reads it. */
export function summarizeDerivatives(derivatives: readonly SymbolicDerivative[], maxChars = 500): DerivativeSummary[] {
  return derivatives.map((d) => {
    const summary: Record<string, unknown> = { variable: d.variable };
    let text: string | undefined;
    Object.defineProperty(summary, 'infix', {
      enumerable: true,
      get: () => (text ??= d.infix === null ? `⟨not printed: ${formatCount(d.treeSize)} tree nodes⟩` : truncate(d.infix, maxChars)),
    });
    Object.defineProperty(summary, 'treeSize', { enumerable: true, get: () => d.treeSize });
    Object.defineProperty(summary, 'dagSize', { enumerable: true, get: () => d.dagSize });
    Object.assign(summary, { deriveMs: d.deriveMs, simplifyMs: d.simplifyMs });
    if (d.mathjsDerivedTreeSize !== undefined) summary.mathjsDerivedTreeSize = d.mathjsDerivedTreeSize;
    if (d.mathjsSimplifiedTreeSize !== undefined) summary.mathjsSimplifiedTreeSize = d.mathjsSimplifiedTreeSize;
    return summary as unknown as DerivativeSummary;
  });
}
