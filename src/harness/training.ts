// The training experiment: one small network on two moons, trained with AD gradients and with central differences from the same start.
//
// The lesson in numbers: a central-difference gradient costs 2n loss evaluations for n parameters, reverse-mode
// AD one forward and one backward, whatever n. Both runs start from the same weights, see the same data and take
// the same optimizer steps, so their loss curves differ only by the gradients' errors and their costs only by how
// the gradients were computed. The report draws the curves; this module only measures them.
//
// The cost per step is timed apart from the runs, as every other time in the report: on this process's CPU clock,
// each kind of step warmed up until V8's tiering settles, AD steps, central-difference steps and bare no-grad
// forward passes sampled in interleaved rounds, medians with quartiles. (Medians of one run's own wall-clock steps,
// as before, put an AD step of a fraction of a millisecond at the mercy of the neighbours' load and of the first
// steps' unoptimised code: the ratio read 68×, 73×, 94× and 130× in four full runs.) The forward pass is the unit
// both gradients are counted in, so the times can be checked against the counts: a central-difference step must
// cost about 2n + 1 forward passes.
import { Generator, nn, noGrad, optim, tensor, type Tensor } from '../diff/autograd/index.ts';
import type { Timing, TimingRatio } from './timing.ts';

/** Options of {@link trainingExperiment}. */
export interface TrainingExperimentOptions {
  /** Seed of the data and of the initial weights (default 20261206). */
  seed?: number;
  /** Number of two-moons points (default 64). */
  samples?: number;
  /** Width of the two hidden tanh layers (default 12: 2→12→12→2, 206 parameters). */
  hidden?: number;
  /** Optimizer steps per run (default 100). */
  steps?: number;
  /** Adam's learning rate (default 0.03). */
  lr?: number;
  /** Standard deviation of the noise added to the moons (default 0.1). */
  noise?: number;
  /** Central-difference step, relative to max(1, |θ|) (default 6e-6, near the cube root of machine epsilon). */
  fdStep?: number;
  /** Timing of the steps: each sample lasts at least this long and at least 1.2 central-difference steps, milliseconds (default 5). */
  timingSampleMs?: number;
  /** Timing of the steps: samples per kind of step, taken in interleaved rounds (default 15). */
  timingSamples?: number;
  /**
   * What times the steps (the report passes `measureTimes` of harness/timing.ts). Passed in rather than imported,
   * because that module reaches for Node's `v8` and `vm` and this one is part of the browser bundle. Without it
   * the steps are not timed and `msPerStep` is absent.
   */
  timer?: StepTimer;
}

/** Times named candidates in interleaved, warmed-up samples, as `measureTimes` of harness/timing.ts does. */
export type StepTimer = <K extends string>(candidates: Readonly<Record<K, () => void>>, options: { sampleMs: number; samples: number; seed: number }) => Record<K, Timing>;

/** time(a) / time(b) with the spread [q1(a)/q3(b), q3(a)/q1(b)]: `timingRatio` of harness/timing.ts, which this module cannot import (see `timer`). */
const ratioOf = (a: Timing, b: Timing): TimingRatio => ({ median: a.median / b.median, low: a.q1 / b.q3, high: a.q3 / b.q1 });

/** The cost of one optimizer step of each kind, timed apart from the runs (see the file header). */
export interface StepTimings {
  /** One AD step (zero_grad, forward recording the graph, backward, Adam), CPU milliseconds. */
  readonly ad: Timing;
  /** One central-difference step (zero_grad, the loss, 2n loss evaluations, Adam), CPU milliseconds. */
  readonly fd: Timing;
  /** One no-grad forward pass (the loss), the unit both gradients are counted in. */
  readonly forward: Timing;
  /** fd / ad, with its spread from the quartiles. */
  readonly ratio: TimingRatio;
  /** ad / forward: what one AD step costs in forward passes. */
  readonly adInForwards: TimingRatio;
  /** fd / forward: what one central-difference step costs in forward passes (the count says 2n + 1). */
  readonly fdInForwards: TimingRatio;
  /** The ratio the counts predict from the measured AD cost: (2n + 1) / adInForwards. */
  readonly predictedRatio: number;
}

/** One run's measurements, one entry per optimizer step. */
export interface TrainingCurve {
  /** 'ad' (backward) or 'central-difference'. */
  readonly method: 'ad' | 'central-difference';
  /** Loss before each step (the loss whose gradient the step used). */
  readonly loss: readonly number[];
  /** CPU milliseconds since the run began, at the end of each step (gradient and update included). */
  readonly elapsedMs: readonly number[];
  /** Loss evaluations (forward passes) per step: 1 for AD, 2n + 1 for central differences. */
  readonly forwardPerStep: number;
  /** Backward passes per step: 1 for AD, 0 for central differences. */
  readonly backwardPerStep: number;
  /** Loss after the last step. */
  readonly finalLoss: number;
  /** Share of the points classified correctly after the last step. */
  readonly finalAccuracy: number;
}

/** What {@link trainingExperiment} returns. */
export interface TrainingExperiment {
  /** The options used, defaults filled in. */
  readonly options: Required<Omit<TrainingExperimentOptions, 'timer'>>;
  /** Number of parameters n of the network. */
  readonly parameters: number;
  /** The AD run and the central-difference run. */
  readonly ad: TrainingCurve;
  readonly fd: TrainingCurve;
  /** Largest |AD − FD| over the gradient's entries at the common start, relative to the largest |AD| entry. */
  readonly startGradientRelativeDifference: number;
  /** The cost of a step of each kind, timed apart from the runs, with spread (when a `timer` was given). */
  readonly msPerStep?: StepTimings;
}

/**
 * Two interleaving half circles ("two moons", as scikit-learn's make_moons) with Gaussian noise, from `seed`:
 * inputs N×2 and class indices 0/1 (int64).
 */
export function twoMoons(samples: number, noise: number, seed: number): { x: Tensor; y: Tensor } {
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`twoMoons: samples must be an integer ≥ 2, got ${samples}`);
  const g = new Generator(seed);
  const outer = Math.ceil(samples / 2);
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < samples; i++) {
    const upper = i < outer;
    const count = upper ? outer : samples - outer;
    const k = upper ? i : i - outer;
    const t = count === 1 ? 0 : (Math.PI * k) / (count - 1);
    const px = upper ? Math.cos(t) : 1 - Math.cos(t);
    const py = upper ? Math.sin(t) : 0.5 - Math.sin(t);
    points.push([px + noise * g.normal(), py + noise * g.normal()]);
    labels.push(upper ? 0 : 1);
  }
  return { x: tensor(points), y: tensor(labels, { dtype: 'int64' }) };
}

function network(hidden: number, seed: number): nn.Sequential {
  const g = new Generator(seed + 1);
  return new nn.Sequential(
    new nn.Linear(2, hidden, { generator: g }), new nn.Tanh(),
    new nn.Linear(hidden, hidden, { generator: g }), new nn.Tanh(),
    new nn.Linear(hidden, 2, { generator: g }),
  );
}

/** The central-difference gradient of `loss` with respect to every parameter entry: 2n loss evaluations. */
function centralDifferenceGradient(params: readonly Tensor[], loss: () => number, step: number): Float64Array[] {
  return params.map((p) => {
    // `data` shares the parameter's storage: the loss sees each perturbation, nothing is recorded, and the entry
    // is restored exactly afterwards.
    const store = p.data._d!;
    const grad = new Float64Array(store.length);
    for (let i = 0; i < store.length; i++) {
      const x = store[i];
      const h = step * Math.max(1, Math.abs(x));
      store[i] = x + h;
      const up = loss();
      store[i] = x - h;
      const down = loss();
      store[i] = x;
      grad[i] = (up - down) / (2 * h);
    }
    return grad;
  });
}

function accuracy(model: nn.Sequential, x: Tensor, y: Tensor): number {
  const predicted = noGrad(() => model.forward(x).argmax(1)).toFloat64Array();
  const truth = y.toFloat64Array();
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return right / truth.length;
}

/**
 * Trains the same small network (2→h→h→2, tanh, cross-entropy, Adam) on two moons twice from the same initial
 * weights: once with gradients from `backward()`, once with central-difference gradients (2n + 1 loss evaluations
 * per step, counting the loss itself). Returns both loss curves against steps and against CPU time, the
 * evaluation counts, how far the two gradients differ at the start, and the cost of each kind of step timed apart
 * from the runs (interleaved, warmed-up samples on the CPU clock, in units of a no-grad forward pass as well as in
 * milliseconds). Deterministic in everything but the timings. With the defaults (218 parameters, so 437 loss
 * evaluations per central-difference step) it takes about 10 to 15 s on a 2-core machine, nearly all of it in
 * central-difference steps.
 */
export function trainingExperiment(options: TrainingExperimentOptions = {}): TrainingExperiment {
  const o: Required<Omit<TrainingExperimentOptions, 'timer'>> = {
    seed: options.seed ?? 20261206,
    samples: options.samples ?? 64,
    hidden: options.hidden ?? 12,
    steps: options.steps ?? 100,
    lr: options.lr ?? 0.03,
    noise: options.noise ?? 0.1,
    fdStep: options.fdStep ?? 6e-6,
    timingSampleMs: options.timingSampleMs ?? 5,
    timingSamples: options.timingSamples ?? 15,
  };
  for (const [name, v] of [['hidden', o.hidden], ['steps', o.steps]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`trainingExperiment: ${name} must be a positive integer, got ${v}`);
  }
  const { x, y } = twoMoons(o.samples, o.noise, o.seed);
  const lossOf = (model: nn.Sequential) => nn.functional.crossEntropy(model.forward(x), y);

  // The gradients at the common start, for the record.
  const probe = network(o.hidden, o.seed);
  const probeParams = probe.parameters();
  lossOf(probe).backward();
  const adStart = probeParams.map((p) => p.grad!.toFloat64Array());
  const fdStart = centralDifferenceGradient(probeParams, () => noGrad(() => lossOf(probe).item()), o.fdStep);
  let maxAd = 0, maxDiff = 0;
  adStart.forEach((g, k) => g.forEach((v, i) => {
    maxAd = Math.max(maxAd, Math.abs(v));
    maxDiff = Math.max(maxDiff, Math.abs(v - fdStart[k][i]));
  }));
  const n = probeParams.reduce((s, p) => s + p.numel(), 0);

  /** One optimizer step of either kind on `model`; returns the loss whose gradient it used. */
  const stepper = (model: nn.Sequential, method: 'ad' | 'central-difference') => {
    const params = model.parameters();
    const opt = new optim.Adam(params, { lr: o.lr });
    const forward = () => noGrad(() => lossOf(model).item());
    return (): number => {
      opt.zeroGrad();
      let loss: number;
      if (method === 'ad') {
        const l = lossOf(model);
        l.backward();
        loss = l.item();
      } else {
        loss = forward();
        const grads = centralDifferenceGradient(params, forward, o.fdStep);
        params.forEach((p, k) => (p.grad = tensor(grads[k]).reshape(p.shape as number[])));
      }
      opt.step();
      return loss;
    };
  };
  // This process's CPU time, the clock of every other time in the report; elapsed time where there is no process (a browser).
  const cpuMs = () => {
    if (typeof process === 'undefined' || typeof process.cpuUsage !== 'function') return performance.now();
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };

  const run = (method: 'ad' | 'central-difference'): TrainingCurve => {
    const model = network(o.hidden, o.seed);
    const step = stepper(model, method);
    const loss: number[] = [];
    const elapsedMs: number[] = [];
    const start = cpuMs();
    for (let s = 0; s < o.steps; s++) {
      loss.push(step());
      elapsedMs.push(cpuMs() - start);
    }
    const finalLoss = noGrad(() => lossOf(model).item());
    return {
      method, loss, elapsedMs,
      forwardPerStep: method === 'ad' ? 1 : 2 * n + 1,
      backwardPerStep: method === 'ad' ? 1 : 0,
      finalLoss, finalAccuracy: accuracy(model, x, y),
    };
  };
  const ad = run('ad');
  const fd = run('central-difference');

  // The cost per step, timed on fresh copies of the network: each kind warmed up, then sampled in interleaved rounds.
  // The weights keep moving under Adam while they are timed, which changes values, not the work of a step.
  const timedModel = network(o.hidden, o.seed);
  const candidates = {
    ad: stepper(network(o.hidden, o.seed), 'ad'),
    fd: stepper(network(o.hidden, o.seed), 'central-difference'),
    forward: () => noGrad(() => lossOf(timedModel).item()),
  };
  // Every sample lasts at least one central-difference step, for all three kinds: V8's garbage collections come
  // every few milliseconds of allocation, so a 30-ms step always carries its share of them, while a 2-ms batch of
  // forward passes or AD steps either misses them or is an outlier the median drops. With short samples the
  // central-difference step came out 5–20% dearer than its 2n + 1 forward passes, and the ratio as much above
  // what the counts predict.
  const fdStepMs = [...fd.elapsedMs.map((t, i) => t - (i === 0 ? 0 : fd.elapsedMs[i - 1]))].sort((a, b) => a - b)[fd.elapsedMs.length >> 1];
  const sampleMs = Math.max(o.timingSampleMs, 1.2 * fdStepMs);
  // First, all three kinds in interleaved rounds, untimed: the timer warms the candidates one after another, and the
  // code the later ones got optimised (on V8's compiler threads, whose CPU time this clock counts) landed in the first
  // ones' samples. In a fresh process the AD step's median read 0.43 ms instead of 0.22 ms without a settling pass.
  const settle = () => {
    for (let round = 0; round < 3; round++) {
      candidates.fd();
      for (let i = 0; i < 30; i++) candidates.ad();
      for (let i = 0; i < 100; i++) candidates.forward();
    }
  };
  const timeSteps = (timer: StepTimer): StepTimings => {
    settle();
    const times = timer(candidates, { sampleMs, samples: o.timingSamples, seed: o.seed });
    const adInForwards = ratioOf(times.ad, times.forward);
    return {
      ...times,
      ratio: ratioOf(times.fd, times.ad),
      adInForwards,
      fdInForwards: ratioOf(times.fd, times.forward),
      predictedRatio: (2 * n + 1) / adInForwards.median,
    };
  };
  const msPerStep = options.timer === undefined ? undefined : timeSteps(options.timer);
  return {
    options: o,
    parameters: n,
    ad, fd,
    startGradientRelativeDifference: maxAd === 0 ? maxDiff : maxDiff / maxAd,
    msPerStep,
  };
}
