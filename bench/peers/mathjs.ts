// Runs the mathjs peer for one case in a worker thread (mathjs-worker.mjs), stopped at a time limit.
import { Worker } from 'node:worker_threads';
import type { BenchCase } from '../cases.ts';
import type { Budget } from '../measure.ts';

/** What the mathjs worker measured, or why it could not. */
export type MathjsOutcome =
  | { status: 'ok'; value: number; gradient: number[]; medianUs: number; samples: number; fMedianUs: number; prepareMs: number }
  | { status: 'failed'; reason: string };

/** derivative() per variable, compile, evaluate: timed inside a worker; a case over `timeoutMs` is stopped. */
export function runMathjs(benchCase: BenchCase, budget: Budget, timeoutMs: number): Promise<MathjsOutcome> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./mathjs-worker.mjs', import.meta.url), {
      workerData: { kind: benchCase.kind, size: benchCase.size, point: Array.from(benchCase.point), budget },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ status: 'failed', reason: `timeout (> ${timeoutMs / 1000} s)` });
    }, timeoutMs);
    worker.once('message', (message: MathjsOutcome) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 'failed', reason: /call stack/i.test(error.message) ? 'stack overflow' : error.message.slice(0, 160) });
    });
  });
}
