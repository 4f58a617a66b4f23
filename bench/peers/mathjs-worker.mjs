// mathjs as a peer, in a worker thread so a case can be stopped at a time limit: derivative per variable
// (simplify off: with it one Rosenbrock partial takes minutes from n = 30), each compiled, evaluated per gradient.
import { parentPort, workerData } from 'node:worker_threads';
import { create, all } from 'mathjs';

const math = create(all);

/** The case as mathjs text, with the same variable names as the IR case. */
function caseText(kind, size) {
  if (kind === 'polynomial') return { text: 'x^3 - 2*x^2 + x - 5', variables: ['x'] };
  if (kind === 'rosenbrock') {
    const terms = [];
    for (let i = 1; i < size; i++) terms.push(`100*(x${i + 1} - x${i}^2)^2 + (1 - x${i})^2`);
    return { text: terms.join(' + '), variables: Array.from({ length: size }, (_, i) => `x${i + 1}`) };
  }
  let text = 'x';
  for (let k = 0; k < size; k++) text = `sin(${text}) * 1.0001 + 0.1`;
  return { text, variables: ['x'] };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
}

/** Batches of calls, median µs per call (the same scheme as bench/measure.ts). */
function time(fn, budget) {
  const first = performance.now();
  fn();
  const firstMs = performance.now() - first;
  let batch = 1;
  if (firstMs <= budget.slowMs) {
    let calls = 1;
    const start = performance.now();
    while (calls < 3 || performance.now() - start < budget.warmupMs) {
      fn();
      calls++;
    }
    batch = Math.max(1, Math.round(budget.batchMs / Math.max((performance.now() - start) / (calls - 1), 1e-6)));
  }
  const samples = [];
  let spent = 0;
  const want = firstMs > budget.slowMs ? budget.slowSamples : budget.minSamples;
  while (samples.length < want || (samples.length < budget.maxSamples && spent < budget.timerMs)) {
    const start = performance.now();
    for (let i = 0; i < batch; i++) fn();
    const ms = performance.now() - start;
    spent += ms;
    samples.push((ms * 1000) / batch);
    if (firstMs > budget.slowMs && samples.length >= budget.slowSamples) break;
  }
  return { medianUs: median(samples), samples: samples.length };
}

const { kind, size, point, budget } = workerData;
try {
  const { text, variables } = caseText(kind, size);
  const start = performance.now();
  const node = math.parse(text);
  const partials = variables.map((v) => math.derivative(node, v, { simplify: false }).compile());
  const f = node.compile();
  const prepareMs = performance.now() - start;
  const scope = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
  const gradient = new Float64Array(variables.length);
  const gradientCall = () => {
    for (let i = 0; i < partials.length; i++) gradient[i] = partials[i].evaluate(scope);
    return f.evaluate(scope);
  };
  const value = gradientCall();
  const g = time(gradientCall, budget);
  const fTime = time(() => f.evaluate(scope), budget);
  parentPort.postMessage({ status: 'ok', value, gradient: Array.from(gradient), medianUs: g.medianUs, samples: g.samples, fMedianUs: fTime.medianUs, prepareMs });
} catch (error) {
  const message = error instanceof RangeError && /call stack/i.test(String(error.message)) ? 'stack overflow' : String(error?.message ?? error).slice(0, 160);
  parentPort.postMessage({ status: 'failed', reason: message });
}
