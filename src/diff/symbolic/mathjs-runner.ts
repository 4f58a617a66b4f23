// Runs mathjs symbolic jobs synchronously under a time budget: in a persistent worker thread that is terminated when a step overruns.
//
// `GradientMethod.compute` is synchronous, and mathjs's `simplify` can run for minutes, so the job runs in a
// worker and the main thread blocks on Atomics.wait (woken by the worker after each reply) with the time left
// in the current step, reading replies with receiveMessageOnPort. On a timeout the worker is terminated; the
// next job starts a fresh one (its start-up, mostly importing mathjs, is not charged to any budget).
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { MathjsFailedMessage, MathjsJobMessage, MathjsJobRequest, MathjsStep, MathjsStepMessage } from './mathjs-job.d.mts';
import { runMathjsJob } from './mathjs-job.mjs';

/** Budgets for one job. */
export interface MathjsRunOptions {
  /** Wall time each step (one derivative, or one simplification) may take, milliseconds. */
  readonly timeBudgetMs: number;
  /** Largest output, in tree nodes, a step may produce. */
  readonly sizeBudget: number;
  /**
   * `worker` (default): in the worker thread, where the time budget is enforced.
   * `main`: in this thread, without the worker's round trip; the time budget cannot stop a step there, so use it
   * only for steps that cannot blow up (derivatives of small expressions without simplify).
   */
  readonly thread?: 'worker' | 'main';
}

/** Why a job stopped early. `time` is the one the runner detects itself; the others come from the job. */
export interface MathjsFailure {
  readonly reason: 'time' | 'size' | 'overflow' | 'error' | 'startup';
  readonly variable: string;
  readonly step: MathjsStep;
  readonly message: string;
  /** Sizes of the step's output (size) or input (overflow), when known. */
  readonly treeSize?: number;
  readonly depth?: number;
  /** How long the step ran before it was stopped or failed, milliseconds. */
  readonly elapsedMs?: number;
}

/** What a job produced: the steps that finished, and the failure that stopped it, if one did. */
export interface MathjsRunOutcome {
  readonly steps: readonly MathjsStepMessage[];
  readonly failure?: MathjsFailure;
  /** Set when this job had to start the worker first: how long that took (not charged to any budget). */
  readonly workerStartupMs?: number;
}

type Reply = (MathjsJobMessage & { readonly id: number }) | { readonly kind: 'done'; readonly id: number };

/** How long a fresh worker may take to import mathjs before the job is declared impossible. */
const startupTimeoutMs = 60_000;

/** A started worker and its synchronous reply channel. */
class MathjsWorker {
  private exited = false;
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    private readonly counter: Int32Array,
    /** Time from spawning to mathjs loaded, milliseconds. */
    readonly startupMs: number,
  ) {
    worker.on('exit', () => (this.exited = true));
  }

  /** Spawns a worker and waits until it has loaded mathjs; throws when it cannot. */
  static start(): MathjsWorker {
    const started = performance.now();
    const signal = new SharedArrayBuffer(4);
    const counter = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./mathjs-worker.mjs', import.meta.url), {
      workerData: { port: port2, signal },
      transferList: [port2],
      // No TypeScript loader in the worker: it is plain JavaScript.
      execArgv: [],
      // A runaway simplification runs out of memory in the worker, not in the process.
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    // Errors surface as timeouts or failed replies; without a listener they would crash the process.
    worker.on('error', () => {});
    worker.unref();
    port1.unref();
    const pending = new MathjsWorker(worker, port1, counter, 0);
    const ready = pending.receive(started + startupTimeoutMs) as { kind: string; message?: string } | undefined;
    if (ready?.kind !== 'ready') {
      void worker.terminate();
      throw new Error(ready === undefined ? `the mathjs worker did not start within ${startupTimeoutMs / 1000} s` : `the mathjs worker failed to start: ${ready.message}`);
    }
    return new MathjsWorker(worker, port1, counter, performance.now() - started);
  }

  get alive(): boolean {
    return !this.exited;
  }

  send(request: MathjsJobRequest & { id: number }): void {
    this.port.postMessage(request);
  }

  /** The next reply, or undefined when none arrived before `deadline` (a performance.now() time). */
  receive(deadline: number): unknown {
    for (;;) {
      // Read the counter before looking at the port: a reply posted after the look bumps it, so the wait returns at once.
      const seen = Atomics.load(this.counter, 0);
      const received = receiveMessageOnPort(this.port);
      if (received !== undefined) return received.message;
      const remaining = deadline - performance.now();
      if (remaining <= 0 || this.exited) return undefined;
      Atomics.wait(this.counter, 0, seen, remaining);
    }
  }

  terminate(): void {
    this.exited = true;
    void this.worker.terminate();
  }
}

let current: MathjsWorker | undefined;
let nextId = 1;

/** Facts about the worker for reports: how many were started and how long the last start took. */
export const mathjsWorkerStats = { starts: 0, terminations: 0, lastStartupMs: NaN };

function workerForJob(): MathjsWorker {
  if (current === undefined || !current.alive) {
    current = MathjsWorker.start();
    mathjsWorkerStats.starts++;
    mathjsWorkerStats.lastStartupMs = current.startupMs;
  }
  return current;
}

/** Terminates the worker if one is running (tests and long-lived hosts may call it; it is restarted on demand). */
export function stopMathjsWorker(): void {
  current?.terminate();
  current = undefined;
}

/** The order in which a job's steps run, so a timeout can be attributed to the step that was running. */
function plannedSteps(request: Omit<MathjsJobRequest, 'sizeBudget'>): { variable: string; step: MathjsStep }[] {
  return request.variables.flatMap((variable) =>
    request.simplify ? [{ variable, step: 'derive' as const }, { variable, step: 'simplify' as const }] : [{ variable, step: 'derive' as const }],
  );
}

function failureOf(message: MathjsFailedMessage): MathjsFailure {
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

/**
 * Runs a mathjs job (derivative, and simplify when asked, per variable) under the budgets, synchronously.
 * Never throws for a budget, an overflow or a mathjs error: the outcome's `failure` says what stopped it.
 */
export function runMathjs(request: Omit<MathjsJobRequest, 'sizeBudget'>, options: MathjsRunOptions): MathjsRunOutcome {
  const job: MathjsJobRequest = { ...request, sizeBudget: options.sizeBudget };
  const plan = plannedSteps(request);
  const steps: MathjsStepMessage[] = [];
  if (options.thread === 'main') {
    for (const message of runMathjsJob(mainThreadMathjs(), job)) {
      if (message.kind === 'failed') return { steps, failure: failureOf(message) };
      steps.push(message);
    }
    return { steps };
  }
  let worker: MathjsWorker;
  const startsBefore = mathjsWorkerStats.starts;
  try {
    worker = workerForJob();
  } catch (error) {
    return { steps, failure: { reason: 'startup', ...plan[0], message: (error as Error).message } };
  }
  const started = mathjsWorkerStats.starts > startsBefore ? { workerStartupMs: worker.startupMs } : {};
  const id = nextId++;
  worker.send({ ...job, id });
  let stepStart = performance.now();
  while (steps.length < plan.length) {
    const reply = worker.receive(stepStart + options.timeBudgetMs) as Reply | undefined;
    if (reply === undefined) {
      const elapsedMs = performance.now() - stepStart;
      const died = !worker.alive && elapsedMs < options.timeBudgetMs;
      worker.terminate();
      mathjsWorkerStats.terminations++;
      current = undefined;
      const message = died ? 'the mathjs worker stopped unexpectedly (out of memory?)' : `stopped after ${Math.round(elapsedMs)} ms`;
      return { steps, failure: { reason: died ? 'error' : 'time', ...plan[steps.length], message, elapsedMs }, ...started };
    }
    if (reply.id !== id || reply.kind === 'done') continue; // a late reply to an earlier job
    if (reply.kind === 'failed') return { steps, failure: failureOf(reply), ...started };
    steps.push(reply);
    stepStart = performance.now();
  }
  return { steps, ...started };
}

let mathjsInThisThread: unknown;

/** mathjs loaded into this thread on first use (synchronously, from its single-file bundle, as the worker loads it). */
export function mainThreadMathjs(): typeof import('mathjs') {
  mathjsInThisThread ??= createRequire(import.meta.url)('mathjs/lib/browser/math.js');
  return mathjsInThisThread as typeof import('mathjs');
}
