// @jax-js/jax 0.1.25 as a peer: jit(valueAndGrad(f)) on the wasm backend, float64.
import type { BenchCase } from '../cases.ts';
import type { PreparedEngine } from '../engines.ts';

type Jax = any;
let loaded: Promise<Jax> | null = null;

/** Loads jax-js once on its wasm device. Node 20 has no Float16Array, which jax-js only needs to exist. */
export async function loadJax(): Promise<Jax> {
  loaded ??= (async () => {
    const g = globalThis as { Float16Array?: unknown };
    g.Float16Array ??= class Float16Array {};
    const jax = await import('@jax-js/jax');
    await jax.init('wasm');
    jax.defaultDevice('wasm');
    return jax;
  })();
  return loaded;
}

/** The case as a jax-js function (move semantics: each array is used once, `.ref` for every other use). */
function caseFunction(np: Jax, benchCase: BenchCase): (x: Jax) => Jax {
  switch (benchCase.kind) {
    case 'polynomial':
      return (x) => {
        const x2 = x.ref.mul(x.ref);
        const x3 = x2.ref.mul(x.ref);
        return x3.sub(x2.mul(2)).add(x).sub(5).sum();
      };
    case 'rosenbrock': {
      const n = benchCase.size;
      return (x) => {
        const a = x.ref.slice([0, n - 1]);
        const b = x.slice([1, n]);
        const u = b.sub(a.ref.mul(a.ref));
        const w = a.mul(-1).add(1);
        return u.ref.mul(u).mul(100).add(w.ref.mul(w)).sum();
      };
    }
    case 'chain':
      return (x) => {
        let c = x;
        for (let k = 0; k < benchCase.size; k++) c = np.sin(c).mul(1.0001).add(0.1);
        return c.sum();
      };
  }
}

/** jit(valueAndGrad(f)) of the case; each call goes from the point's numbers to the gradient's numbers. */
export async function prepareJax(benchCase: BenchCase): Promise<PreparedEngine> {
  const jax = await loadJax();
  const np = jax.numpy;
  const fn = caseFunction(np, benchCase);
  const valueAndGrad = jax.jit(jax.valueAndGrad(fn));
  const f = jax.jit(fn);
  const point = benchCase.kind === 'rosenbrock' ? benchCase.point : benchCase.point.subarray(0, 1);
  const input = () => np.array(point, { dtype: np.float64 });
  return {
    gradient: (out) => {
      const [value, grad] = valueAndGrad(input());
      out.set(grad.dataSync());
      return value.dataSync()[0];
    },
    f: () => f(input()).dataSync()[0],
    note: 'wasm, float64, jit',
  };
}
