// The tensor benchmark: gradlab's Tensor API on training-shaped work, beside hand-written Float64Array loops and the JS peers.
//
// Cases (issue 12): matmul + backward (loss = sum(A@B), n = 32…512), one MLP training step (batch 64,
// 784→128→10, ReLU, cross-entropy, SGD), the elementwise chain sum(tanh(x·w + b)²) for n = 10³…10⁶, the scalar
// Tensor API on a micrograd-style network (3→16→16→1, tanh, 100 samples), and the heap after GC over 1,000
// training steps. Each cell is the median of repeated timed calls (with the interquartile
// range); the engines of a case are timed interleaved (one call each per round), so ratios compare like with like.
// Run alone with `npx tsx bench/tensor.ts [--quick] [--cpu] [--floor] [--only=matmul,mlp,chain,scalar,memory]`; `npm run
// bench` runs it after the scalar table.
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { nn, optim, tensor, type Tensor } from '../src/index.ts';
import { Value } from './closure-tape.ts';
import { loadJax } from './peers/jax.ts';
import { loadTf } from './peers/tfjs.ts';
import { handScalarNetwork, random, scalarNetworkSizes as sizes } from './scalar-network.ts';

const quick = process.argv.includes('--quick');
/**
 * `--cpu`: time by this process's CPU time (all its threads, the GC's included) instead of the wall clock. On a
 * machine shared with other busy processes the wall clock also counts the time this process waited for a core;
 * CPU time does not, so ratios stay comparable there. On a quiet machine the two agree.
 */
const cpuClock = process.argv.includes('--cpu');
/** Milliseconds by the chosen clock. */
const clock = cpuClock
  ? () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  : () => performance.now();
/**
 * `--floor`: the chain rows also time two references that bound what an eager engine with gradlab's op table can
 * reach: the hand loop with gradlab's partial of tanh (the op table's kernel form: (1 − t)(1 + t) where |t| ≤ 3/4,
 * else (1/cosh u)²) instead of 1 − t² everywhere; and the chain written by hand one loop per op, as an eager Tensor
 * API must run it (fresh arrays for the four forward results and the two gradients, backward passes fused as far as
 * an engine could).
 */
const floor = process.argv.includes('--floor');
const sections = ['matmul', 'mlp', 'chain', 'scalar', 'memory'] as const;
/** The cases to run: `--only=chain,scalar` narrows the run to those sections (all by default). */
const only = (() => {
  const arg = process.argv.find((a) => a.startsWith('--only='));
  if (arg === undefined) return new Set<string>(sections);
  const names = arg.slice('--only='.length).split(',').filter((x) => x !== '');
  for (const name of names) if (!(sections as readonly string[]).includes(name)) throw new Error(`--only: unknown section '${name}' (known: ${sections.join(', ')})`);
  return new Set(names);
})();

/** Median and interquartile range of one engine's time in ms. */
interface Timing { median: number; q1: number; q3: number }

/** A full garbage collection (the flag is set at load, before any heap exists worth collecting). */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** How one case is timed. */
interface TimingOptions {
  /** Timed rounds (one sample per engine per round). */
  samples: number;
  /** Untimed rounds first (compilation, caches). */
  warmup?: number;
  /** Calls per sample, per engine (times are per call), so that short calls are not lost in the timer's resolution. */
  reps?: readonly number[];
  /**
   * Collect garbage before each sample (untimed), so an engine does not pay for the garbage another engine left
   * (the micrograd-style tape leaves hundreds of MB). Each engine still pays for the collections its own sample
   * needs.
   */
  settle?: boolean;
}

/**
 * Times several engines on one case, interleaved: round after round, one sample of each, so a burst of load from
 * other processes hits every engine alike and the ratios of medians compare like with like. The engine that goes
 * first rotates from round to round, so none always runs right after another.
 */
function timeInterleaved(fns: readonly (() => unknown)[], options: TimingOptions): Timing[] {
  const { samples, warmup = 3, settle = false } = options;
  const reps = options.reps ?? fns.map(() => 1);
  for (let i = 0; i < warmup; i++) fns.forEach((fn, k) => {
    for (let r = 0; r < reps[k]; r++) fn();
  });
  const times = fns.map(() => [] as number[]);
  for (let round = 0; round < samples; round++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (round + j) % fns.length;
      const fn = fns[k];
      if (settle) collectGarbage();
      const start = clock();
      for (let r = 0; r < reps[k]; r++) fn();
      times[k].push((clock() - start) / reps[k]);
    }
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    const at = (q: number) => t[Math.min(t.length - 1, Math.floor(q * t.length))];
    return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
  });
}

interface Entry { engine: string; fn: () => unknown; note?: (ms: number) => string }

/** Times the entries interleaved and turns them into cells. */
function measure(entries: readonly Entry[], options: TimingOptions | number): Cell[] {
  const timings = timeInterleaved(entries.map((e) => e.fn), typeof options === 'number' ? { samples: options } : options);
  return entries.map((e, k) => ({ engine: e.engine, ...timings[k], note: e.note?.(timings[k].median) }));
}

// ---- hand-written Float64Array references (as a person writes them: i-p-j loops, no blocking) ----

function handMatmul(a: Float64Array, b: Float64Array, n: number, ga: Float64Array, gb: Float64Array): number {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = 0; p < n; p++) {
    const aip = a[i * n + p];
    for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
  }
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i];
  const g = new Float64Array(n * n).fill(1); // the gradient of sum: ones
  ga.fill(0);
  gb.fill(0);
  // Ā = G Bᵀ, B̄ = Aᵀ G
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let t = 0;
    for (let p = 0; p < n; p++) t += g[i * n + p] * b[j * n + p];
    ga[i * n + j] = t;
  }
  for (let p = 0; p < n; p++) for (let i = 0; i < n; i++) {
    const aip = a[i * n + p];
    for (let j = 0; j < n; j++) gb[p * n + j] += aip * g[i * n + j];
  }
  return s;
}

interface Mlp { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array }

/** One SGD step of 784→128→10 with ReLU and softmax cross-entropy, by hand. */
function handMlpStep(m: Mlp, x: Float64Array, y: Int32Array, batch: number, lr: number): number {
  const I = 784, H = 128, O = 10;
  const h = new Float64Array(batch * H), z = new Float64Array(batch * O);
  for (let r = 0; r < batch; r++) for (let k = 0; k < H; k++) {
    let s = m.b1[k];
    for (let i = 0; i < I; i++) s += x[r * I + i] * m.w1[k * I + i];
    h[r * H + k] = s > 0 ? s : 0;
  }
  for (let r = 0; r < batch; r++) for (let o = 0; o < O; o++) {
    let s = m.b2[o];
    for (let k = 0; k < H; k++) s += h[r * H + k] * m.w2[o * H + k];
    z[r * O + o] = s;
  }
  let loss = 0;
  const dz = new Float64Array(batch * O);
  for (let r = 0; r < batch; r++) {
    let mx = -Infinity;
    for (let o = 0; o < O; o++) mx = Math.max(mx, z[r * O + o]);
    let se = 0;
    for (let o = 0; o < O; o++) se += Math.exp(z[r * O + o] - mx);
    loss += Math.log(se) + mx - z[r * O + y[r]];
    for (let o = 0; o < O; o++) dz[r * O + o] = Math.exp(z[r * O + o] - mx) / se / batch;
    dz[r * O + y[r]] -= 1 / batch;
  }
  const gw2 = new Float64Array(O * H), gb2 = new Float64Array(O), dh = new Float64Array(batch * H);
  for (let r = 0; r < batch; r++) for (let o = 0; o < O; o++) {
    const d = dz[r * O + o];
    gb2[o] += d;
    for (let k = 0; k < H; k++) {
      gw2[o * H + k] += d * h[r * H + k];
      dh[r * H + k] += d * m.w2[o * H + k];
    }
  }
  const gw1 = new Float64Array(H * I), gb1 = new Float64Array(H);
  for (let r = 0; r < batch; r++) for (let k = 0; k < H; k++) {
    if (h[r * H + k] <= 0) continue;
    const d = dh[r * H + k];
    gb1[k] += d;
    for (let i = 0; i < I; i++) gw1[k * I + i] += d * x[r * I + i];
  }
  for (let i = 0; i < gw1.length; i++) m.w1[i] -= lr * gw1[i];
  for (let i = 0; i < gb1.length; i++) m.b1[i] -= lr * gb1[i];
  for (let i = 0; i < gw2.length; i++) m.w2[i] -= lr * gw2[i];
  for (let i = 0; i < gb2.length; i++) m.b2[i] -= lr * gb2[i];
  return loss / batch;
}

/** sum(tanh(x·w + b)²) and its gradient in w and b, one fused loop. */
function handChain(x: Float64Array, w: Float64Array, b: Float64Array, gw: Float64Array, gbias: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const t = Math.tanh(x[i] * w[i] + b[i]);
    s += t * t;
    const d = 2 * t * (1 - t * t);
    gw[i] = d * x[i];
    gbias[i] = d;
  }
  return s;
}

/** gradlab's partial of tanh: (1 − t)(1 + t) where that keeps its digits, else (1/cosh u)² (ops.ts, kernelPartialJs). */
function tanhPartial(u: number, t: number): number {
  if (Math.abs(t) <= 0.75) return (1 - t) * (1 + t);
  const c = 1 / Math.cosh(u);
  return c * c;
}

/** handChain with the op table's partial of tanh in place of 1 − tanh²u (`--floor`). */
function handChainTablePartial(x: Float64Array, w: Float64Array, b: Float64Array, gw: Float64Array, gbias: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i] * w[i] + b[i];
    const t = Math.tanh(u);
    s += t * t;
    const d = 2 * t * tanhPartial(u, t);
    gw[i] = d * x[i];
    gbias[i] = d;
  }
  return s;
}

/**
 * The chain by hand one loop per op, as an eager engine runs it (`--floor`): the forward's four results and the two
 * gradients in fresh arrays, sum's, pow's, add's and mul's backward fused into the neighbouring loops.
 */
function handChainOpByOp(x: Float64Array, w: Float64Array, b: Float64Array): { s: number; gw: Float64Array; gbias: Float64Array } {
  const n = x.length;
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) m[i] = x[i] * w[i];
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = m[i] + b[i];
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Math.tanh(u[i]);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) p[i] = t[i] * t[i];
  let s = 0;
  for (let i = 0; i < n; i++) s += p[i];
  const gbias = new Float64Array(n);
  for (let i = 0; i < n; i++) gbias[i] = 2 * t[i];
  for (let i = 0; i < n; i++) gbias[i] *= tanhPartial(u[i], t[i]);
  const gw = new Float64Array(n);
  for (let i = 0; i < n; i++) gw[i] = gbias[i] * x[i];
  return { s, gw, gbias };
}

// ---- rows ----

interface Cell { engine: string; median: number; q1: number; q3: number; note?: string }
interface TensorRow { case: string; cells: Cell[] }

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));

function printRow(row: TensorRow): void {
  const hand = row.cells.find((c) => c.engine === 'hand')!.median;
  const parts = row.cells.map((c) => `${c.engine} ${fmt(c.median)} ms [${fmt(c.q1)}–${fmt(c.q3)}] (${(c.median / hand).toFixed(2)}× hand)${c.note ? ' ' + c.note : ''}`);
  console.log(`${row.case.padEnd(26)} ${parts.join(' · ')}`);
}

async function matmulRows(jax: any, tf: any): Promise<TensorRow[]> {
  const rows: TensorRow[] = [];
  for (const n of quick ? [64, 256] : [32, 64, 128, 256, 512]) {
    const samples = n >= 512 ? (quick ? 3 : 7) : n >= 256 ? (quick ? 5 : 15) : 30;
    const a = random(n * n, 1), b = random(n * n, 2);
    const ga = new Float64Array(n * n), gb = new Float64Array(n * n);
    const A = tensor(a).reshape(n, n).requiresGrad_(), B = tensor(b).reshape(n, n).requiresGrad_();
    const gflop = (ms: number) => `${((3 * 2 * n ** 3) / (ms * 1e6)).toFixed(2)} GFLOP/s`;
    const entries: Entry[] = [];
    const failed: Cell[] = [];
    entries.push({ engine: 'hand', fn: () => handMatmul(a, b, n, ga, gb), note: gflop });
    entries.push({
      engine: 'gradlab',
      fn: () => {
        A.grad = null;
        B.grad = null;
        A.matmul(B).sum().backward();
      },
      note: gflop,
    });
    if (jax !== null) {
      const np = jax.numpy;
      const vg = jax.jit(jax.valueAndGrad((x: any, y: any) => np.matmul(x, y).sum(), { argnums: [0, 1] }));
      const call = () => {
        const [v, [gx, gy]] = vg(np.array(a, { dtype: np.float64, shape: [n, n] }), np.array(b, { dtype: np.float64, shape: [n, n] }));
        gx.dataSync();
        gy.dataSync();
        return v.dataSync()[0];
      };
      try {
        call();
        entries.push({ engine: 'jax-js', fn: call, note: () => 'wasm f64 jit' });
      } catch (e) {
        failed.push({ engine: 'jax-js', median: NaN, q1: NaN, q3: NaN, note: `failed: ${(e as Error).message.slice(0, 60)}` });
      }
    }
    if (tf !== null) {
      const vg = tf.valueAndGrads((x: any, y: any) => tf.matMul(x, y).sum());
      const af = Float32Array.from(a), bf = Float32Array.from(b);
      const call = () => tf.tidy(() => {
        const { value, grads } = vg([tf.tensor2d(af, [n, n]), tf.tensor2d(bf, [n, n])]);
        grads[0].dataSync();
        grads[1].dataSync();
        return value.dataSync()[0];
      });
      entries.push({ engine: 'tfjs', fn: call, note: () => 'cpu f32' });
    }
    const cells = [...measure(entries, samples), ...failed];
    rows.push({ case: `matmul+backward n=${n}`, cells });
    printRow(rows[rows.length - 1]);
  }
  return rows;
}

function mlpSetup() {
  const batch = 64;
  const x = random(batch * 784, 3).map((v) => v + 0.5);
  const y = Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10);
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const [l1, , l2] = model.modules as nn.Linear[];
  const hand: Mlp = {
    w1: l1.weight.toFloat64Array(), b1: l1.bias!.toFloat64Array(), w2: l2.weight.toFloat64Array(), b2: l2.bias!.toFloat64Array(),
  };
  const X = tensor(x).reshape(batch, 784);
  const Y = tensor(Array.from(y), { dtype: 'int64' });
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const step = () => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(X), Y);
    loss.backward();
    opt.step();
    return loss;
  };
  return { batch, x, y, hand, step };
}

async function mlpRow(jax: any): Promise<TensorRow> {
  const { batch, x, y, hand, step } = mlpSetup();
  const samples = quick ? 20 : 60;
  const entries: Entry[] = [{ engine: 'hand', fn: () => handMlpStep(hand, x, y, batch, 0.01) }, { engine: 'gradlab', fn: step }];
  const failed: Cell[] = [];
  if (jax !== null) {
    try {
      const np = jax.numpy;
      const loss = (w1: any, b1: any, w2: any, b2: any, xb: any, yb: any) => {
        const h = jax.nn.relu(np.matmul(xb, w1.transpose()).add(b1));
        const z = np.matmul(h, w2.transpose()).add(b2);
        const lse = jax.nn.logsumexp(z.ref, -1);
        const picked = z.mul(yb).sum(-1); // yb: one-hot rows (a gather inside jit is not supported by jax-js)
        return lse.sub(picked).mean();
      };
      const vg = jax.jit(jax.valueAndGrad(loss, { argnums: [0, 1, 2, 3] }));
      let p = [
        np.array(hand.w1, { dtype: np.float64, shape: [128, 784] }), np.array(hand.b1, { dtype: np.float64 }),
        np.array(hand.w2, { dtype: np.float64, shape: [10, 128] }), np.array(hand.b2, { dtype: np.float64 }),
      ];
      const xb = np.array(x, { dtype: np.float64, shape: [batch, 784] });
      const oneHot = new Float64Array(batch * 10);
      y.forEach((c, r) => (oneHot[r * 10 + c] = 1));
      const yb = np.array(oneHot, { dtype: np.float64, shape: [batch, 10] });
      const call = () => {
        const [v, grads] = vg(p[0].ref, p[1].ref, p[2].ref, p[3].ref, xb.ref, yb.ref);
        p = p.map((w, i) => w.sub(grads[i].mul(0.01)));
        return v.dataSync()[0];
      };
      call();
      entries.push({ engine: 'jax-js', fn: call, note: () => 'wasm f64 jit' });
    } catch (e) {
      failed.push({ engine: 'jax-js', median: NaN, q1: NaN, q3: NaN, note: `failed: ${(e as Error).message.slice(0, 80)}` });
    }
  }
  const cells = [...measure(entries, samples), ...failed];
  const row = { case: 'MLP step 784→128→10 b=64', cells };
  printRow(row);
  return row;
}

/**
 * The elementwise chain at n = 10³…10⁶ (all four sizes also under --quick: the target is per n). Small n repeat the
 * call inside a sample (about 10⁶ elements a sample), and each size gets a warm-up of a few rounds, so the ratio's
 * median is not a compile. Garbage is not collected between samples here: a training loop's steady state (the
 * allocator reusing what the last collection freed) is what is measured, and only gradlab makes garbage.
 */
function chainRows(): TensorRow[] {
  const rows: TensorRow[] = [];
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    const samples = quick ? 15 : 41;
    const reps = Math.max(1, Math.round(1e6 / n));
    const x = random(n, 4), w = random(n, 5), b = random(n, 6);
    const gw = new Float64Array(n), gbias = new Float64Array(n);
    const X = tensor(x), W = tensor(w, { requiresGrad: true }), B = tensor(b, { requiresGrad: true });
    const step = () => {
      W.grad = null;
      B.grad = null;
      X.mul(W).add(B).tanh().pow(2).sum().backward();
    };
    // The engines must agree with the hand gradient before they are timed.
    handChain(x, w, b, gw, gbias);
    step();
    const gwT = W.grad!.toFloat64Array(), gbT = B.grad!.toFloat64Array();
    for (let i = 0; i < n; i++) {
      if (Math.abs(gwT[i] - gw[i]) > 1e-12 || Math.abs(gbT[i] - gbias[i]) > 1e-12) throw new Error(`chain n=${n}: gradient ${i} differs from the hand gradient`);
    }
    const entries: Entry[] = [
      { engine: 'hand', fn: () => handChain(x, w, b, gw, gbias) },
      { engine: 'gradlab', fn: step },
    ];
    if (floor) {
      entries.push({ engine: 'hand, table partial', fn: () => handChainTablePartial(x, w, b, gw, gbias) });
      entries.push({ engine: 'hand, op by op', fn: () => handChainOpByOp(x, w, b) });
    }
    const cells = measure(entries, { samples, warmup: 5, reps: entries.map(() => reps) });
    rows.push({ case: `chain sum(tanh(xw+b)²) n=${n.toExponential(0)}`, cells });
    printRow(rows[rows.length - 1]);
  }
  return rows;
}

// ---- the scalar Tensor API on a micrograd-style network (3→16→16→1, tanh, 100 samples, squared error) ----


function scalarNetworkData() {
  const weights = random(3 * 16 + 16 + 16 * 16 + 16 + 16 + 1, 7);
  const xs = random(100 * 3, 8), ys = random(100, 9);
  return { weights, xs, ys };
}


/** The same network built from scalar values (0-d tensors, or micrograd Values), one graph for the batch. */
function scalarNetwork<T extends { add(o: T): T; mul(o: T): T; tanh(): T; sub(o: T): T }>(
  params: T[], xs: Float64Array, ys: Float64Array, make: (v: number) => T,
): T {
  let loss: T | null = null;
  for (let s = 0; s < ys.length; s++) {
    let act: T[] = [make(xs[s * 3]), make(xs[s * 3 + 1]), make(xs[s * 3 + 2])];
    let off = 0;
    for (let l = 1; l < sizes.length; l++) {
      const nin = sizes[l - 1], nout = sizes[l];
      const next: T[] = [];
      for (let o = 0; o < nout; o++) {
        let z = params[off + nout * nin + o];
        for (let i = 0; i < nin; i++) z = z.add(params[off + o * nin + i].mul(act[i]));
        next.push(l === sizes.length - 1 ? z : z.tanh());
      }
      act = next;
      off += nout * nin + nout;
    }
    const e = act[0].sub(make(ys[s]));
    const sq = e.mul(e);
    loss = loss === null ? sq : loss.add(sq);
  }
  return loss!;
}

function scalarRow(): TensorRow {
  const { weights, xs, ys } = scalarNetworkData();
  const gw = new Float64Array(weights.length);
  // The closure tape takes about a second a call here: few rounds. The hand loop (under a millisecond) repeats
  // within a sample; garbage is collected before each sample (the tape's would land on whoever runs next).
  const samples = quick ? 7 : 15;
  const params = Array.from(weights, (v) => tensor(v, { requiresGrad: true }));
  // The engines must agree with the hand gradient before they are timed.
  handScalarNetwork(weights, xs, ys, gw);
  scalarNetwork<Tensor>(params, xs, ys, (v) => tensor(v)).backward();
  params.forEach((p, i) => {
    if (Math.abs(p.grad!.item() - gw[i]) > 1e-9 * (1 + Math.abs(gw[i]))) throw new Error(`scalar network: gradient ${i} differs from the hand gradient`);
  });
  const values = Array.from(weights, (v) => new Value(v));
  const cells = measure([
    { engine: 'hand', fn: () => handScalarNetwork(weights, xs, ys, gw) },
    {
      engine: 'gradlab',
      fn: () => {
        for (const p of params) p.grad = null;
        scalarNetwork<Tensor>(params, xs, ys, (v) => tensor(v)).backward();
      },
    },
    {
      engine: 'micrograd-style',
      fn: () => {
        for (const v of values) v.grad = 0;
        scalarNetwork<Value>(values, xs, ys, (v) => new Value(v)).backward();
      },
    },
  ], { samples, reps: [20, 1, 1], settle: true });
  const row = { case: 'scalar net 3→16→16→1 ×100', cells };
  printRow(row);
  return row;
}

/** Heap used after a full GC, in MB. */
function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function memoryRun(): { steps: number; heapMb: number[] } {
  const gc = collectGarbage;
  const { step } = mlpSetup();
  const heapMb: number[] = [];
  const steps = 1000;
  for (let s = 0; s <= steps; s++) {
    if (s % 100 === 0) heapMb.push(heapAfterGc(gc));
    if (s < steps) step();
  }
  return { steps, heapMb };
}

/** Runs the tensor benchmark and prints its table; returns the rows for the JSON report. */
export async function runTensorBench(): Promise<{ rows: TensorRow[]; memory: { steps: number; heapMb: number[] }; machine: string }> {
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} ×${os.cpus().length}, Node ${process.version}`;
  console.log(`\nTensor API (${machine}); median ${cpuClock ? 'CPU' : 'wall-clock'} ms per call [interquartile range], ratio to the hand-written Float64Array loops`);
  let jax: any = null, tf: any = null;
  const peersNeeded = only.has('matmul') || only.has('mlp');
  try {
    jax = peersNeeded ? await loadJax() : null;
  } catch {
    jax = null;
  }
  try {
    tf = peersNeeded ? await loadTf() : null;
  } catch {
    tf = null;
  }
  const rows = [
    ...(only.has('matmul') ? await matmulRows(jax, tf) : []),
    ...(only.has('mlp') ? [await mlpRow(jax)] : []),
    ...(only.has('chain') ? chainRows() : []),
    ...(only.has('scalar') ? [scalarRow()] : []),
  ];
  if (!only.has('memory')) return { rows, memory: { steps: 0, heapMb: [] }, machine };
  const memory = memoryRun();
  const first = memory.heapMb[1], last = memory.heapMb[memory.heapMb.length - 1];
  console.log(
    `memory: heap after GC over ${memory.steps} MLP training steps (every 100): ${memory.heapMb.map((m) => m.toFixed(1)).join(', ')} MB; ` +
      `growth from step 100 to ${memory.steps}: ${(last - first).toFixed(2)} MB (${last - first < 1 ? 'flat' : 'GROWING'})`,
  );
  return { rows, memory, machine };
}

if (import.meta.url === `file://${process.argv[1]}`) await runTensorBench();
