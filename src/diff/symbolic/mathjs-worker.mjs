// The mathjs worker thread: runs symbolic jobs where the main thread can stop them (terminate) when a budget runs out.
//
// Protocol (see mathjs-runner.ts): requests arrive on `workerData.port`; every reply is posted on the same port and
// then announced by incrementing `workerData.signal[0]` and notifying it, so the main thread can wait synchronously
// with Atomics.wait and read the reply with receiveMessageOnPort.
import { createRequire } from 'node:module';
import { workerData } from 'node:worker_threads';
import { runMathjsJob } from './mathjs-job.mjs';

const { port, signal } = workerData;
const counter = new Int32Array(signal);

function send(message) {
  port.postMessage(message);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
}

const start = performance.now();
let math;
try {
  // mathjs's single-file bundle (an entry of its package exports): the same library as its ES modules, loaded
  // in about a tenth of the time (no graph of hundreds of modules to resolve), which is what a restart costs.
  math = createRequire(import.meta.url)('mathjs/lib/browser/math.js');
} catch (error) {
  send({ kind: 'startup-failed', message: error instanceof Error ? error.message : String(error) });
  throw error;
}
// Warm-up: mathjs builds its typed functions lazily, so the first derivative and simplify in a fresh thread take
// hundreds of milliseconds; doing one here keeps that start-up cost out of the first job's time budget.
math.simplify(math.derivative('x^2 * sin(x) / (1 + x)', 'x', { simplify: false }));
send({ kind: 'ready', importMs: performance.now() - start });

port.on('message', (request) => {
  try {
    for (const message of runMathjsJob(math, request)) send({ ...message, id: request.id });
  } catch (error) {
    send({ kind: 'failed', id: request.id, variable: request.variables[0] ?? '', step: 'derive', reason: 'error',
      message: error instanceof Error ? error.message : String(error), treeSize: 0, dagSize: 0, depth: 0 });
  }
  send({ kind: 'done', id: request.id });
});
