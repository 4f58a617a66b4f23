// The browser stand-in for src/diff/symbolic/mathjs-runner.ts (swapped in by vite.config.ts): mathjs jobs run in the calling thread.
//
// Node's runner blocks the main thread on Atomics.wait while a worker thread runs mathjs; a browser's main thread may
// not block. So here a job always runs where it is called, and the playground calls the mathjs methods only inside
// its symbolic Web Worker (symbolic.worker.ts), which the page terminates when the time budget runs out. Called on
// the page's main thread, a job is refused (reason `startup`) instead of freezing typing.
import * as mathjs from 'mathjs';
import type { MathjsJobRequest, MathjsStep, MathjsStepMessage } from '../../src/diff/symbolic/mathjs-job.d.mts';
import { runMathjsJob } from '../../src/diff/symbolic/mathjs-job.mjs';

/** Budgets for one job (the same shape as the Node runner's). */
export interface MathjsRunOptions {
  readonly timeBudgetMs: number;
  readonly sizeBudget: number;
  readonly thread?: 'worker' | 'main';
}

/** Why a job stopped early (the same shape as the Node runner's). */
export interface MathjsFailure {
  readonly reason: 'time' | 'size' | 'overflow' | 'error' | 'startup';
  readonly variable: string;
  readonly step: MathjsStep;
  readonly message: string;
  readonly treeSize?: number;
  readonly depth?: number;
  readonly elapsedMs?: number;
}

/** What a job produced (the same shape as the Node runner's). */
export interface MathjsRunOutcome {
  readonly steps: readonly MathjsStepMessage[];
  readonly failure?: MathjsFailure;
  readonly workerStartupMs?: number;
}

/** Counts for tests: jobs run in this thread, and jobs refused because this is a page's main thread. */
export const mathjsWorkerStats = { starts: 0, terminations: 0, lastStartupMs: NaN, jobsInThisThread: 0, refusedOnMainThread: 0 };

/** Nothing to stop: the playground terminates its Web Worker itself. */
export function stopMathjsWorker(): void {}

/** True on a page's main thread (where blocking would freeze the page), false in a Web Worker. */
function onPageMainThread(): boolean {
  return typeof (globalThis as { document?: unknown }).document !== 'undefined';
}

/** Runs the job in this thread; refused on a page's main thread. The caller's thread owns the time budget. */
export function runMathjs(request: Omit<MathjsJobRequest, 'sizeBudget'>, options: MathjsRunOptions): MathjsRunOutcome {
  const steps: MathjsStepMessage[] = [];
  if (onPageMainThread()) {
    mathjsWorkerStats.refusedOnMainThread++;
    const message = "in the browser, mathjs runs in the playground's worker, never on the page's thread";
    return { steps, failure: { reason: 'startup', variable: request.variables[0] ?? '', step: 'derive', message } };
  }
  mathjsWorkerStats.jobsInThisThread++;
  for (const message of runMathjsJob(mathjs, { ...request, sizeBudget: options.sizeBudget })) {
    if (message.kind === 'failed') {
      const { reason, variable, step, treeSize, depth, ms } = message;
      return { steps, failure: { reason, variable, step, message: message.message, treeSize, depth, elapsedMs: ms } };
    }
    steps.push(message);
  }
  return { steps };
}

/** mathjs, bundled into the page (the Node runner loads its single-file build with require). */
export function mainThreadMathjs(): typeof import('mathjs') {
  return mathjs as unknown as typeof import('mathjs');
}
