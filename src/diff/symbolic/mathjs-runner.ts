// Runs mathjs symbolic jobs synchronously under a time budget, on the host chosen in mathjs-host.ts (a worker thread under Node).
import type { MathJsInstance } from 'mathjs';
import type { MathjsJobRequest } from './mathjs-job.d.mts';
import { mathjsHost, type MathjsRunOutcome } from './mathjs-host.ts';
import { runInThisThread } from './mathjs-host-thread.ts';

export type { MathjsFailure, MathjsRunOutcome, MathjsHost } from './mathjs-host.ts';
export { mathjsWorkerStats } from './mathjs-host-node.ts';

/** Budgets for one job. */
export interface MathjsRunOptions {
  /** Wall time each step (one derivative, or one simplification) may take, milliseconds. */
  readonly timeBudgetMs: number;
  /** Largest output, in tree nodes, a step may produce. */
  readonly sizeBudget: number;
  /**
   * `worker` (default): on the host (a worker thread under Node), where the time budget is enforced.
   * `main`: in this thread, without the worker's round trip; the time budget cannot stop a step there, so use it
   * only for steps that cannot blow up (derivatives of small expressions without simplify).
   */
  readonly thread?: 'worker' | 'main';
}

/** Terminates the host's worker if one is running (tests and long-lived hosts may call it; it is restarted on demand). */
export function stopMathjsWorker(): void {
  mathjsHost().stop();
}

/**
 * Runs a mathjs job (derivative, and simplify when asked, per variable) under the budgets, synchronously.
 * Never throws for a budget, an overflow or a mathjs error: the outcome's `failure` says what stopped it.
 */
export function runMathjs(request: Omit<MathjsJobRequest, 'sizeBudget'>, options: MathjsRunOptions): MathjsRunOutcome {
  const job: MathjsJobRequest = { ...request, sizeBudget: options.sizeBudget };
  if (options.thread === 'main') {
    try {
      return runInThisThread(mainThreadMathjs(), job);
    } catch (error) {
      return { steps: [], failure: { reason: 'startup', variable: job.variables[0] ?? '', step: 'derive', message: (error as Error).message } };
    }
  }
  return mathjsHost().run(job, options.timeBudgetMs);
}

/** mathjs loaded into this thread on first use (through the host: synchronously under Node, preloaded in a browser). */
export function mainThreadMathjs(): MathJsInstance {
  return mathjsHost().mathjs();
}
