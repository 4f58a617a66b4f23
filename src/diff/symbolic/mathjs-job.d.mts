// Types of one symbolic job on mathjs (implemented in mathjs-job.mjs).
import type { FlatMathjs } from './mathjs-flat.d.mts';

/** The two symbolic steps mathjs performs per variable. */
export type MathjsStep = 'derive' | 'simplify';

/** What the job is asked: derivatives of `flat` with respect to `variables`. */
export interface MathjsJobRequest {
  readonly flat: FlatMathjs;
  /** Every variable of the expression (its other symbols are mathjs constants: `pi`, `e`). */
  readonly freeVariables: readonly string[];
  /** The variables to differentiate by, in order. */
  readonly variables: readonly string[];
  /** Run mathjs `simplify` on each derivative as well. */
  readonly simplify: boolean;
  /** Largest output, in tree nodes, a step may produce. */
  readonly sizeBudget: number;
}

/** Sizes of a step's output (or, for a failure, of the expression the step worked on). */
export interface MathjsSizes {
  readonly treeSize: number;
  readonly dagSize: number;
  readonly depth: number;
}

/** A finished step; `flat` is the step's result (the derivative, or the simplified derivative). */
export interface MathjsStepMessage extends MathjsSizes {
  readonly kind: 'step';
  readonly variable: string;
  readonly step: MathjsStep;
  /** Time mathjs spent on the step, in the thread that ran it. */
  readonly ms: number;
  readonly flat?: FlatMathjs;
}

/** A step that could not finish; the job stops after it. */
export interface MathjsFailedMessage extends MathjsSizes {
  readonly kind: 'failed';
  readonly variable: string;
  readonly step: MathjsStep;
  readonly reason: 'overflow' | 'size' | 'error';
  readonly message: string;
  readonly ms?: number;
}

export type MathjsJobMessage = MathjsStepMessage | MathjsFailedMessage;

/** True for the RangeError V8 throws when a recursion runs out of stack. */
export function isStackOverflow(error: unknown): boolean;

/** Runs the job one step at a time, yielding a message after each step. */
export function runMathjsJob(math: unknown, request: MathjsJobRequest): Generator<MathjsJobMessage, void, undefined>;
