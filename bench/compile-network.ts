// compileGradient's compile time on a large program: the micrograd-style network (3→16→16→1, tanh, 100 samples,
// squared-error loss summed) written as one expression through the public IR builders, about 200,000 instructions.
//
// Each trial builds the expression from fresh data (so no trial reuses another's hash-consed nodes) and compiles it;
// the table gives the median and range of compileGradient's time over the trials, split into its phases
// (CompiledAdjoint.phases), the first call (where V8 compiles the generated chunks), and the time per call of the
// compiled gradient against compileValue (f alone, compiled the same way), interleaved in batches. The gradient is
// checked against a hand-written forward and backward pass first. Run alone with `npx tsx bench/compile-network.ts`.
import os from 'node:os';
import { apply, compileGradient, constant, variable, type Expr } from '../src/index.ts';
import { compileValue, type CompiledAdjoint } from '../src/diff/compiled/index.ts';
import { measureInterleaved, quantile, Timer, type Budget } from './measure.ts';
import { handScalarNetwork, random, scalarNetworkSizes } from './scalar-network.ts';

const sizes = scalarNetworkSizes;
const samples = 100;
const parameterCount = sizes.slice(1).reduce((n, size, l) => n + size * sizes[l] + size, 0);
const names = Array.from({ length: parameterCount }, (_, i) => `w${i}`);

/**
 * The loss Σₛ (net(xₛ) − yₛ)² over `count` samples as one expression over the weights `w0`… (layer by layer: weights
 * row by row, then biases); `xs` holds 3 numbers per sample, `ys` one.
 */
export function networkExpression(xs: Float64Array, ys: Float64Array, count: number = samples): Expr {
  const params = names.map((name) => variable(name));
  let loss: Expr | null = null;
  for (let s = 0; s < count; s++) {
    let act: Expr[] = [constant(xs[s * 3]), constant(xs[s * 3 + 1]), constant(xs[s * 3 + 2])];
    let off = 0;
    for (let l = 1; l < sizes.length; l++) {
      const nin = sizes[l - 1], nout = sizes[l];
      const next: Expr[] = [];
      for (let o = 0; o < nout; o++) {
        let z: Expr = params[off + nout * nin + o];
        for (let i = 0; i < nin; i++) z = apply('add', z, apply('mul', params[off + o * nin + i], act[i]));
        next.push(l === sizes.length - 1 ? z : apply('tanh', z));
      }
      act = next;
      off += nout * nin + nout;
    }
    const e = apply('sub', act[0], constant(ys[s]));
    const square = apply('mul', e, e);
    loss = loss === null ? square : apply('add', loss, square);
  }
  return loss!;
}


/** One statistic over trials: median and range. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  return { median: quantile(values, 0.5), min: Math.min(...values), max: Math.max(...values) };
}

/** What the benchmark measured. */
export interface CompileNetworkResult {
  readonly machine: string;
  readonly loadAverage: readonly number[];
  readonly trials: number;
  readonly instructions: { readonly f: number; readonly gradient: number };
  readonly compileMs: Spread;
  /** CPU time of the process during the compile (GC helper threads included): what load on the machine does not add. */
  readonly compileCpuMs: Spread;
  readonly phasesMs: Readonly<Record<string, Spread>>;
  readonly firstCallMs: Spread;
  readonly gradientCallUs: number;
  readonly valueCallUs: number;
  readonly handCallUs: number;
  readonly maxRelError: number;
}

/** Runs the compile benchmark and prints its lines. */
export function runCompileNetworkBench(quick: boolean): CompileNetworkResult {
  const trials = quick ? 3 : 7;
  const loadAverage = os.loadavg().map((l) => Number(l.toFixed(2)));
  const compileMs: number[] = [];
  const compileCpuMs: number[] = [];
  const firstCallMs: number[] = [];
  const phases: Record<string, number[]> = {};
  const weights = random(parameterCount, 7);
  const gradient = new Float64Array(parameterCount);
  let adjoint: CompiledAdjoint | null = null;
  let xs: Float64Array = new Float64Array(0), ys: Float64Array = new Float64Array(0);
  for (let trial = 0; trial < trials; trial++) {
    xs = random(samples * 3, 1000 + 2 * trial);
    ys = random(samples, 1001 + 2 * trial);
    const expr = networkExpression(xs, ys);
    const cpu = process.cpuUsage();
    const start = performance.now();
    adjoint = compileGradient(expr, names);
    compileMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    compileCpuMs.push((used.user + used.system) / 1000);
    for (const [phase, ms] of Object.entries(adjoint.phases)) (phases[phase] ??= []).push(ms);
    const first = performance.now();
    adjoint(weights, gradient);
    firstCallMs.push(performance.now() - first);
  }
  // The last trial's program against the hand gradient, then timed against f alone and the hand loops.
  const reference = new Float64Array(parameterCount);
  const handValue = handScalarNetwork(weights, xs, ys, reference);
  const value = adjoint!(weights, gradient);
  const scale = Math.max(...Array.from(reference, Math.abs));
  let maxRelError = Math.abs(value - handValue) / Math.abs(handValue);
  for (let i = 0; i < parameterCount; i++) maxRelError = Math.max(maxRelError, Math.abs(gradient[i] - reference[i]) / scale);
  if (!(maxRelError < 1e-10)) throw new Error(`compile-network: the compiled gradient differs from the hand gradient (${maxRelError})`);
  const f = compileValue(networkExpression(xs, ys), names);
  const budget: Budget = quick
    ? { warmupMs: 40, batchMs: 5, timerMs: 100, minSamples: 5, maxSamples: 40, slowMs: 300, slowSamples: 3 }
    : { warmupMs: 200, batchMs: 10, timerMs: 400, minSamples: 15, maxSamples: 200, slowMs: 500, slowSamples: 5 };
  const timers = [
    new Timer('gradient', () => adjoint!(weights, gradient)),
    new Timer('value', () => f(weights)),
    new Timer('hand', () => handScalarNetwork(weights, xs, ys, reference)),
  ];
  measureInterleaved(timers, budget);
  const phasesMs = Object.fromEntries(Object.entries(phases).map(([phase, list]) => [phase, spread(list)]));
  const result: CompileNetworkResult = {
    machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}, Node ${process.version}`,
    loadAverage,
    trials,
    instructions: { f: adjoint!.counts.f, gradient: adjoint!.counts.gradient },
    compileMs: spread(compileMs),
    compileCpuMs: spread(compileCpuMs),
    phasesMs,
    firstCallMs: spread(firstCallMs),
    gradientCallUs: timers[0].median(),
    valueCallUs: timers[1].median(),
    handCallUs: timers[2].median(),
    maxRelError,
  };
  const ms = (s: Spread) => `${s.median.toFixed(0)} ms [${s.min.toFixed(0)}–${s.max.toFixed(0)}]`;
  console.log(
    `\ncompileGradient on the scalar network 3→16→16→1 ×${samples} as one expression (${result.machine}, load average ${loadAverage.join(' ')}):`,
  );
  console.log(
    `  ${result.instructions.f.toLocaleString('en-US')} instructions for f, ${result.instructions.gradient.toLocaleString('en-US')} for f and its gradient; ` +
      `compile ${ms(result.compileMs)} (median [min–max] of ${trials} cold compiles; CPU time ${ms(result.compileCpuMs)})`,
  );
  console.log(`  phases: ${Object.entries(phasesMs).map(([phase, s]) => `${phase.replace(/Ms$/, '')} ${ms(s)}`).join(', ')}`);
  console.log(`  first call (V8 compiles the generated chunks): ${ms(result.firstCallMs)}`);
  console.log(
    `  per call: gradient ${(result.gradientCallUs / 1000).toFixed(2)} ms, f alone (compileValue) ${(result.valueCallUs / 1000).toFixed(2)} ms ` +
      `(ratio ${(result.gradientCallUs / result.valueCallUs).toFixed(2)}), hand-written forward + backward ${(result.handCallUs / 1000).toFixed(2)} ms; ` +
      `max error against the hand gradient ${maxRelError.toExponential(1)}`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) runCompileNetworkBench(process.argv.includes('--quick'));
