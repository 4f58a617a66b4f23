// The in-thread mathjs host (browsers, or any runtime without worker_threads): jobs run in the calling thread, where no time budget can stop them.
import type { MathJsInstance } from 'mathjs';
import type { MathjsFailedMessage, MathjsJobRequest, MathjsStep, MathjsStepMessage } from './mathjs-job.d.mts';
import { runMathjsJob } from './mathjs-job.mjs';
import type { MathjsFailure, MathjsHost, MathjsRunOutcome } from './mathjs-host.ts';

/** The order in which a job's steps run, so a timeout can be attributed to the step that was running. */
export function plannedSteps(request: MathjsJobRequest): { variable: string; step: MathjsStep }[] {
  return request.variables.flatMap((variable) =>
    request.simplify ? [{ variable, step: 'derive' as const }, { variable, step: 'simplify' as const }] : [{ variable, step: 'derive' as const }],
  );
}

export function failureOf(message: MathjsFailedMessage): MathjsFailure {
  return {
    reason: message.reason,
    variable: message.variable,
    step: message.step,
    message: message.message,
    treeSize: message.treeSize,
    depth: message.depth,
    elapsedMs: message.ms,
  };
}

/** Runs a job with `math` in this thread (the size budget holds; nothing can stop a long step). */
export function runInThisThread(math: MathJsInstance, job: MathjsJobRequest): MathjsRunOutcome {
  const steps: MathjsStepMessage[] = [];
  for (const message of runMathjsJob(math, job)) {
    if (message.kind === 'failed') return { steps, failure: failureOf(message) };
    steps.push(message);
  }
  return { steps };
}

let loaded: MathJsInstance | undefined;

/**
 * Loads mathjs into this thread for the symbolic methods (`symbolic`, `symbolic-simplified`) where it cannot be
 * loaded synchronously (a browser). Under Node it is not needed: mathjs is loaded on first use.
 */
export async function preloadMathjs(): Promise<void> {
  if (loaded !== undefined) return;
  const module = await import('mathjs');
  loaded = module.create(module.all);
}

/** The in-thread host: `enforcesTimeBudget` is false (a step that runs for minutes blocks the page for minutes). */
export const thisThreadHost: MathjsHost = {
  name: 'this-thread',
  enforcesTimeBudget: false,
  mathjs() {
    if (loaded === undefined) throw new Error('mathjs is not loaded in this thread: call `await preloadMathjs()` (from gradlab) first');
    return loaded;
  },
  run(job) {
    let math: MathJsInstance;
    try {
      math = this.mathjs();
    } catch (error) {
      return { steps: [], failure: { reason: 'startup', ...plannedSteps(job)[0]!, message: (error as Error).message } };
    }
    return runInThisThread(math, job);
  },
  stop() {},
};
