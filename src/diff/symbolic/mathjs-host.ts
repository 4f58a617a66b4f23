// Where mathjs runs for the symbolic methods: one small interface, chosen at run time without importing any node: module.
//
// The interface (all a host, such as a playground page, has to provide):
//
//   interface MathjsHost {
//     readonly name: string;                  // shown in notes: 'node-worker', 'this-thread', yours
//     readonly enforcesTimeBudget: boolean;   // false: a runaway simplify cannot be stopped, only the size budget holds
//     mathjs(): MathJsInstance;               // mathjs in this thread, synchronously (throws when it is not loaded)
//     run(job, timeBudgetMs): MathjsRunOutcome;   // one job under the budgets, synchronously; never throws for a budget
//     stop(): void;                           // ends whatever run() started (a worker); run() starts it again on demand
//   }
//
// Implementations: `nodeWorkerHost` (mathjs-host-node.ts: a worker_threads worker the main thread waits on with
// Atomics.wait, terminated when a step overruns) and `thisThreadHost` (mathjs-host-thread.ts: mathjs in the calling
// thread, for browsers, where the main thread may not block on a worker; load it first with `await preloadMathjs()`).
// `mathjsHost()` picks the Node one when `process.getBuiltinModule` exists (Node ≥ 20.16), else the in-thread one;
// `setMathjsHost` installs another (a page that runs gradlab inside a Web Worker can terminate that worker itself).
import type { MathJsInstance } from 'mathjs';
import type { MathjsJobRequest, MathjsStep, MathjsStepMessage } from './mathjs-job.d.mts';
import { nodeWorkerHost } from './mathjs-host-node.ts';
import { thisThreadHost } from './mathjs-host-thread.ts';

/** Why a job stopped early. `time` is the one the host detects itself; the others come from the job. */
export interface MathjsFailure {
  readonly reason: 'time' | 'size' | 'overflow' | 'error' | 'startup';
  readonly variable: string;
  readonly step: MathjsStep;
  readonly message: string;
  /** Sizes of the step's output (size) or input (overflow), when known. */
  readonly treeSize?: number | undefined;
  readonly depth?: number | undefined;
  /** How long the step ran before it was stopped or failed, milliseconds. */
  readonly elapsedMs?: number | undefined;
}

/** What a job produced: the steps that finished, and the failure that stopped it, if one did. */
export interface MathjsRunOutcome {
  readonly steps: readonly MathjsStepMessage[];
  readonly failure?: MathjsFailure;
  /** Set when this job had to start the host's worker first: how long that took (not charged to any budget). */
  readonly workerStartupMs?: number;
}

/** Where mathjs runs: see the header comment. */
export interface MathjsHost {
  readonly name: string;
  readonly enforcesTimeBudget: boolean;
  mathjs(): MathJsInstance;
  run(job: MathjsJobRequest, timeBudgetMs: number): MathjsRunOutcome;
  stop(): void;
}

let installed: MathjsHost | undefined;

/** The host in use: the one installed with `setMathjsHost`, else the Node worker under Node, else this thread. */
export function mathjsHost(): MathjsHost {
  installed ??= nodeWorkerHost() ?? thisThreadHost;
  return installed;
}

/** Installs `host` for every later symbolic job (stopping the previous host's worker); returns the previous host. */
export function setMathjsHost(host: MathjsHost): MathjsHost | undefined {
  const previous = installed;
  previous?.stop();
  installed = host;
  return previous;
}
