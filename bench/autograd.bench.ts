// Times the autograd engine (Tensor API, and the `autograd` method from the IR) against the micrograd-style closure tape on Rosenbrock, n = 10 and 100.
//
// Run: npx tsx bench/autograd.bench.ts. Each row is the median over many samples of the time for one value and
// gradient from scratch (leaves created, forward recorded, backward run, gradients read), in microseconds.
import Table from 'cli-table3';
import { closureTapeBuilder } from './peers/closure-tape-cases.ts';
import { tensor, type Tensor } from '../src/diff/autograd/index.ts';
import { autogradMethod } from '../src/diff/autograd/method.ts';
import { rosenbrockCase } from './cases.ts';

const point = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.cos(i + 1));

/** Rosenbrock Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² on the engine's Tensor API; returns the gradient's sum (to keep the work live). */
function engineRun(p: Float64Array): number {
  const xs: Tensor[] = [];
  for (let i = 0; i < p.length; i++) xs.push(tensor(p[i], { requiresGrad: true }));
  let f: Tensor | null = null;
  for (let i = 0; i + 1 < p.length; i++) {
    const term = xs[i + 1].sub(xs[i].pow(2)).pow(2).mul(100).add(xs[i].rsub(1).pow(2));
    f = f === null ? term : f.add(term);
  }
  f!.backward();
  let s = f!.item();
  for (const x of xs) s += x.grad!.item();
  return s;
}

/** The same on the closure tape (the graph built as bench/peers/closure-tape-cases.ts builds it). */
function tapeRun(build: ReturnType<typeof closureTapeBuilder>, p: Float64Array): number {
  const { out, leaves } = build(p);
  out.backward();
  let s = out.data;
  for (const x of leaves) s += x.grad;
  return s;
}

/** Calls per timed batch so one batch of `fn` takes about 2 ms. */
function batchSize(fn: () => number): number {
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < 100) {
    fn();
    calls++;
  }
  return Math.max(1, Math.round(calls / 50));
}

/**
 * Median µs per call of each function. Batches of the functions alternate, so a machine whose load changes during
 * the run (CI, other jobs) slows all of them alike and their ratio stays meaningful.
 */
function medianMicros(fns: readonly (() => number)[], samples: number): number[] {
  let sink = 0;
  const batches = fns.map(batchSize);
  const times = fns.map(() => [] as number[]);
  for (let s = 0; s < samples; s++) {
    fns.forEach((fn, f) => {
      const t0 = performance.now();
      for (let k = 0; k < batches[f]; k++) sink += fn();
      times[f].push(((performance.now() - t0) * 1000) / batches[f]);
    });
  }
  if (Number.isNaN(sink)) console.log('(sink)');
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

const table = new Table({ head: ['n', 'closure tape µs', 'engine (Tensor API) µs', 'speed-up', 'autograd method (IR) µs', 'speed-up'] });
const ratios: Record<number, [number, number]> = {};
for (const n of [10, 100]) {
  const p = point(n);
  const c = rosenbrockCase(n);
  const build = closureTapeBuilder(c);
  // Both must agree before their times mean anything.
  if (Math.abs(engineRun(p) - tapeRun(build, p)) > 1e-9 * Math.abs(tapeRun(build, p))) throw new Error(`engine and tape disagree at n=${n}`);
  const request = { expr: c.expr, variables: c.variables, point: c.point, options: {} };
  const [tape, engine, method] = medianMicros(
    [() => tapeRun(build, p), () => engineRun(p), () => autogradMethod.compute(request).value],
    100,
  );
  ratios[n] = [tape / engine, tape / method];
  table.push([n, tape.toFixed(2), engine.toFixed(2), `${(tape / engine).toFixed(1)}×`, method.toFixed(2), `${(tape / method).toFixed(1)}×`]);
}
console.log('Rosenbrock value + gradient, median per evaluation');
console.log(table.toString());
console.log(`speed-up over the closure tape at n=100: ${ratios[100][0].toFixed(1)}× (Tensor API), ${ratios[100][1].toFixed(1)}× (autograd method, from the IR) (goal ≥ 5×)`);
