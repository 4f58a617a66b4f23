// @tensorflow/tfjs 4.22 as a peer: tf.valueAndGrad on the float32 CPU backend (tfjs-node cannot install here).
import type { BenchCase } from '../cases.ts';
import type { PreparedEngine } from '../engines.ts';

type Tf = any;
let loaded: Promise<Tf> | null = null;

/** Loads tfjs once, on the CPU backend, without its "install tfjs-node" banner. */
export async function loadTf(): Promise<Tf> {
  loaded ??= (async () => {
    const log = console.log;
    const warn = console.warn;
    console.log = () => {};
    console.warn = () => {};
    try {
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      await tf.ready();
      tf.tensor1d([0]).dispose(); // the banner comes with the first tensor
      return tf;
    } finally {
      console.log = log;
      console.warn = warn;
    }
  })();
  return loaded;
}

/** The case as a tfjs function of one tensor (vectorized for Rosenbrock, as a tfjs user writes it). */
function caseFunction(tf: Tf, benchCase: BenchCase): (x: Tf) => Tf {
  switch (benchCase.kind) {
    case 'polynomial':
      return (x) => x.pow(3).sub(x.square().mul(2)).add(x).sub(5).sum();
    case 'rosenbrock': {
      const n = benchCase.size;
      return (x) => {
        const a = x.slice([0], [n - 1]);
        const b = x.slice([1], [n - 1]);
        const u = b.sub(a.square());
        const w = tf.scalar(1).sub(a);
        return u.square().mul(100).add(w.square()).sum();
      };
    }
    case 'chain':
      return (x) => {
        let c = x;
        for (let k = 0; k < benchCase.size; k++) c = tf.sin(c).mul(1.0001).add(0.1);
        return c.sum();
      };
  }
}

/** tf.valueAndGrad of the case, float32, each call from the point's numbers to the gradient's numbers. */
export async function prepareTfjs(benchCase: BenchCase): Promise<PreparedEngine> {
  const tf = await loadTf();
  const fn = caseFunction(tf, benchCase);
  const valueAndGrad = tf.valueAndGrad(fn);
  const point = Float32Array.from(benchCase.point);
  const input = () => (benchCase.kind === 'rosenbrock' ? tf.tensor1d(point) : tf.tensor1d(point.subarray(0, 1)));
  return {
    gradient: (out) =>
      tf.tidy(() => {
        const { value, grad } = valueAndGrad(input());
        out.set(grad.dataSync());
        return value.dataSync()[0];
      }),
    f: () => tf.tidy(() => fn(input()).dataSync()[0]),
    note: 'float32 (CPU backend)',
  };
}
