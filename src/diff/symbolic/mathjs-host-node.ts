// The Node mathjs host: jobs run in a persistent worker_threads worker that is terminated when a step overruns its time budget.
//
// `GradientMethod.compute` is synchronous, and mathjs's `simplify` can run for minutes, so the job runs in a
// worker and the main thread blocks on Atomics.wait (woken by the worker after each reply) with the time left
// in the current step, reading replies with receiveMessageOnPort. On a timeout the worker is terminated; the
// next job starts a fresh one (its start-up, mostly importing mathjs, is not charged to any budget).
//
// Node's modules are reached through `process.getBuiltinModule`, not imported, so browser bundles of the core
// never see a `node:` specifier; this file's code only runs when that function exists.
import type * as WorkerThreads from 'node:worker_threads';
import type * as NodeModule from 'node:module';
import type { MathJsInstance } from 'mathjs';
import type { MathjsJobMessage, MathjsJobRequest, MathjsStepMessage } from './mathjs-job.d.mts';
import type { MathjsHost, MathjsRunOutcome } from './mathjs-host.ts';
import { failureOf, plannedSteps } from './mathjs-host-thread.ts';

type Reply = (MathjsJobMessage & { readonly id: number }) | { readonly kind: 'done'; readonly id: number };

/** How long a fresh worker may take to import mathjs before the job is declared impossible. */
const startupTimeoutMs = 60_000;

/** Facts about the worker for reports: how many were started and how long the last start took. */
export const mathjsWorkerStats = { starts: 0, terminations: 0, lastStartupMs: NaN };

/** Node's built-in modules, or undefined outside Node (then this host is not used). */
function builtin<T>(id: string): T | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return runtime?.getBuiltinModule?.(id) as T | undefined;
}

/** A started worker and its synchronous reply channel. */
class MathjsWorker {
  private exited = false;
  private constructor(
    private readonly threads: typeof WorkerThreads,
    private readonly worker: WorkerThreads.Worker,
    private readonly port: WorkerThreads.MessagePort,
    private readonly counter: Int32Array,
    /** Time from spawning to mathjs loaded, milliseconds. */
    readonly startupMs: number,
  ) {
    worker.on('exit', () => (this.exited = true));
  }

  /** Spawns a worker and waits until it has loaded mathjs; throws when it cannot. */
  static start(threads: typeof WorkerThreads): MathjsWorker {
    const started = performance.now();
    const signal = new SharedArrayBuffer(4);
    const counter = new Int32Array(signal);
    const { port1, port2 } = new threads.MessageChannel();
    const worker = new threads.Worker(new URL('./mathjs-worker.mjs', import.meta.url), {
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
    const pending = new MathjsWorker(threads, worker, port1, counter, 0);
    const ready = pending.receive(started + startupTimeoutMs) as { kind: string; message?: string } | undefined;
    if (ready?.kind !== 'ready') {
      void worker.terminate();
      throw new Error(ready === undefined ? `the mathjs worker did not start within ${startupTimeoutMs / 1000} s` : `the mathjs worker failed to start: ${ready.message}`);
    }
    return new MathjsWorker(threads, worker, port1, counter, performance.now() - started);
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
      const received = this.threads.receiveMessageOnPort(this.port);
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

/** The worker_threads host, or undefined outside Node. */
export function nodeWorkerHost(): MathjsHost | undefined {
  const threads = builtin<typeof WorkerThreads>('node:worker_threads');
  const nodeModule = builtin<typeof NodeModule>('node:module');
  if (threads === undefined || nodeModule === undefined) return undefined;
  let current: MathjsWorker | undefined;
  let nextId = 1;
  let mathjsInThisThread: MathJsInstance | undefined;

  function workerForJob(): MathjsWorker {
    if (current === undefined || !current.alive) {
      current = MathjsWorker.start(threads!);
      mathjsWorkerStats.starts++;
      mathjsWorkerStats.lastStartupMs = current.startupMs;
    }
    return current;
  }

  return {
    name: 'node-worker',
    enforcesTimeBudget: true,
    mathjs() {
      // mathjs's single-file bundle, loaded synchronously as the worker loads it (a tenth of the time of its ES modules).
      mathjsInThisThread ??= nodeModule.createRequire(import.meta.url)('mathjs/lib/browser/math.js') as MathJsInstance;
      return mathjsInThisThread;
    },
    stop() {
      current?.terminate();
      current = undefined;
    },
    run(job, timeBudgetMs): MathjsRunOutcome {
      const plan = plannedSteps(job);
      const steps: MathjsStepMessage[] = [];
      let worker: MathjsWorker;
      const startsBefore = mathjsWorkerStats.starts;
      try {
        worker = workerForJob();
      } catch (error) {
        return { steps, failure: { reason: 'startup', ...plan[0]!, message: (error as Error).message } };
      }
      const started = mathjsWorkerStats.starts > startsBefore ? { workerStartupMs: worker.startupMs } : {};
      const id = nextId++;
      worker.send({ ...job, id });
      let stepStart = performance.now();
      while (steps.length < plan.length) {
        const reply = worker.receive(stepStart + timeBudgetMs) as Reply | undefined;
        if (reply === undefined) {
          const elapsedMs = performance.now() - stepStart;
          const died = !worker.alive && elapsedMs < timeBudgetMs;
          worker.terminate();
          mathjsWorkerStats.terminations++;
          current = undefined;
          const message = died ? 'the mathjs worker stopped unexpectedly (out of memory?)' : `stopped after ${Math.round(elapsedMs)} ms`;
          return { steps, failure: { reason: died ? 'error' : 'time', ...plan[steps.length]!, message, elapsedMs }, ...started };
        }
        if (reply.id !== id || reply.kind === 'done') continue; // a late reply to an earlier job
        if (reply.kind === 'failed') return { steps, failure: failureOf(reply), ...started };
        steps.push(reply);
        stepStart = performance.now();
      }
      return { steps, ...started };
    },
  };
}
