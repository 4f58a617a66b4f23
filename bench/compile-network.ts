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
import { measureInterleaved, quantile, settle, Timer, type Budget, type Settled } from './measure.ts';
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


/** One statistic over trials: median, quartiles and range. */
export interface Spread {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
}

/** Median and quartiles. */
export interface Quartiles {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
}

function quartiles(values: readonly number[]): Quartiles {
  return { median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
}

function spread(values: readonly number[]): Spread {
  return { median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75), min: Math.min(...values), max: Math.max(...values) };
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
  /** µs per call after {@link settle}: median and quartiles over interleaved batches. */
  readonly gradientCallUs: Quartiles;
  readonly valueCallUs: Quartiles;
  readonly handCallUs: Quartiles;
  /** gradient / f per call, median of the per-round ratios with quartiles. */
  readonly ratio: Quartiles;
  /** The same in the process's CPU time (what other processes' load does not add; see Timer.cpuSamples). */
  readonly cpuUs: { readonly gradient: Quartiles; readonly value: Quartiles; readonly hand: Quartiles; readonly ratio: Quartiles };
  /** Calls before each timer's per-call time stopped falling (V8 optimizing the generated chunks). */
  readonly settle: { readonly gradient: Settled; readonly value: Settled; readonly hand: Settled };
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
  // V8 optimizes the generated chunks one by one on its background thread: seconds of TurboFan for the gradient's
  // ~200 chunks. Until then a call runs mostly in the interpreter, so each function is called until its time per call
  // stops falling (the gradient first: f's chunks would otherwise wait behind its compile jobs), then timed.
  const settleOptions = quick ? { windowMs: 500, windows: 4, minMs: 2000, maxMs: 60_000 } : { windowMs: 1000, windows: 4, minMs: 4000, maxMs: 120_000 };
  const settled = {
    gradient: settle(() => adjoint!(weights, gradient), settleOptions),
    value: settle(() => f(weights), settleOptions),
    hand: settle(() => handScalarNetwork(weights, xs, ys, reference), settleOptions),
  };
  measureInterleaved(timers, budget);
  // Rounds are interleaved, so sample i of each timer comes from the same moment of load.
  const rounds = Math.min(timers[0].samples.length, timers[1].samples.length);
  const ratios = Array.from({ length: rounds }, (_, i) => timers[0].samples[i] / timers[1].samples[i]);
  const cpuRatios = Array.from({ length: rounds }, (_, i) => timers[0].cpuSamples[i] / timers[1].cpuSamples[i]);
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
    gradientCallUs: quartiles(timers[0].samples),
    valueCallUs: quartiles(timers[1].samples),
    handCallUs: quartiles(timers[2].samples),
    ratio: quartiles(ratios),
    cpuUs: { gradient: quartiles(timers[0].cpuSamples), value: quartiles(timers[1].cpuSamples), hand: quartiles(timers[2].cpuSamples), ratio: quartiles(cpuRatios) },
    settle: settled,
    maxRelError,
  };
  const ms = (s: Spread) => `${s.median.toFixed(0)} ms [${s.q1.toFixed(0)}–${s.q3.toFixed(0)}; ${s.min.toFixed(0)}–${s.max.toFixed(0)}]`;
  console.log(
    `\ncompileGradient on the scalar network 3→16→16→1 ×${samples} as one expression (${result.machine}, load average ${loadAverage.join(' ')}):`,
  );
  console.log(
    `  ${result.instructions.f.toLocaleString('en-US')} instructions for f, ${result.instructions.gradient.toLocaleString('en-US')} for f and its gradient; ` +
      `compile ${ms(result.compileMs)} (median [IQR; min–max] of ${trials} cold compiles; CPU time ${ms(result.compileCpuMs)})`,
  );
  console.log(`  phases: ${Object.entries(phasesMs).map(([phase, s]) => `${phase.replace(/Ms$/, '')} ${ms(s)}`).join(', ')}`);
  console.log(`  first call (V8 compiles the generated chunks): ${ms(result.firstCallMs)}`);
  const us = (q: Quartiles) => `${q.median.toFixed(0)} µs [${q.q1.toFixed(0)}–${q.q3.toFixed(0)}]`;
  const took = (s: Settled) => `${(s.ms / 1000).toFixed(1)} s${s.settled ? '' : ' (still falling at the cap)'}`;
  console.log(
    `  calls until the time per call stopped falling (V8 optimizing the chunks): gradient ${took(settled.gradient)}, f ${took(settled.value)}, hand ${took(settled.hand)}`,
  );
  console.log(
    `  per call after that (median [IQR] over interleaved batches): gradient ${us(result.gradientCallUs)}, f alone (compileValue) ${us(result.valueCallUs)}, ` +
      `ratio ${result.ratio.median.toFixed(2)} [${result.ratio.q1.toFixed(2)}–${result.ratio.q3.toFixed(2)}] (instructions ${(result.instructions.gradient / result.instructions.f).toFixed(2)}), ` +
      `hand-written forward + backward ${us(result.handCallUs)}; max error against the hand gradient ${maxRelError.toExponential(1)}`,
  );
  const cpu = result.cpuUs;
  console.log(
    `  CPU time per call (the process's), same batches: gradient ${us(cpu.gradient)}, f ${us(cpu.value)}, ratio ${cpu.ratio.median.toFixed(2)} [${cpu.ratio.q1.toFixed(2)}–${cpu.ratio.q3.toFixed(2)}], hand ${us(cpu.hand)}`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) runCompileNetworkBench(process.argv.includes('--quick'));
