// The micrograd-style scalar network's seeded data and its loss and gradient written by hand on plain numbers: shared by the tensor and compile benchmarks.

/** Layer widths: 3 inputs, two hidden tanh layers of 16, one linear output. */
export const scalarNetworkSizes: readonly number[] = [3, 16, 16, 1];
const sizes = scalarNetworkSizes;

/** n uniform values in [-0.5, 0.5) from a linear congruential generator: the same data for a seed on every machine. */
export function random(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** Forward and backward of the whole batch's loss by hand, on plain numbers (the reference). */
export function handScalarNetwork(w: Float64Array, xs: Float64Array, ys: Float64Array, gw: Float64Array): number {
  gw.fill(0);
  let loss = 0;
  const acts: Float64Array[] = sizes.map((n) => new Float64Array(n));
  const deltas: Float64Array[] = sizes.map((n) => new Float64Array(n));
  for (let s = 0; s < ys.length; s++) {
    for (let i = 0; i < 3; i++) acts[0][i] = xs[s * 3 + i];
    let off = 0;
    const offsets: number[] = [];
    for (let l = 1; l < sizes.length; l++) {
      offsets.push(off);
      const nin = sizes[l - 1], nout = sizes[l];
      for (let o = 0; o < nout; o++) {
        let z = w[off + nout * nin + o];
        for (let i = 0; i < nin; i++) z += w[off + o * nin + i] * acts[l - 1][i];
        acts[l][o] = l === sizes.length - 1 ? z : Math.tanh(z);
      }
      off += nout * nin + nout;
    }
    const e = acts[3][0] - ys[s];
    loss += e * e;
    deltas[3][0] = 2 * e;
    for (let l = sizes.length - 1; l >= 1; l--) {
      const nin = sizes[l - 1], nout = sizes[l];
      const o0 = offsets[l - 1];
      deltas[l - 1].fill(0);
      for (let o = 0; o < nout; o++) {
        const d = l === sizes.length - 1 ? deltas[l][o] : deltas[l][o] * (1 - acts[l][o] * acts[l][o]);
        gw[o0 + nout * nin + o] += d;
        for (let i = 0; i < nin; i++) {
          gw[o0 + o * nin + i] += d * acts[l - 1][i];
          deltas[l - 1][i] += d * w[o0 + o * nin + i];
        }
      }
    }
  }
  return loss;
}
