// Hand-written adjoints of the benchmark cases: the code a person writes, the speed limit the engines are measured against.
//
// Each case has f alone and f with its gradient, both plain loops over Float64Arrays. The Rosenbrock adjoint
// fuses the forward and reverse sweeps into one loop (the sum's adjoint is 1 everywhere); the chain stores the
// forward values and runs the reverse sweep as a second loop, rescaling the adjoint by powers of two so it
// never becomes subnormal (slow) before the end.
import type { BenchCase } from './cases.ts';

/** f alone and f with its gradient, written by hand. */
export interface HandAdjoint {
  readonly f: (x: Float64Array) => number;
  readonly gradient: (x: Float64Array, g: Float64Array) => number;
}

/** x³ − 2x² + x − 5 and its derivative 3x² − 4x + 1. */
export const polynomial: HandAdjoint = {
  f: (x) => {
    const a = x[0];
    const a2 = a * a;
    return a2 * a - 2 * a2 + a - 5;
  },
  gradient: (x, g) => {
    const a = x[0];
    const a2 = a * a;
    g[0] = 3 * a2 - 4 * a + 1;
    return a2 * a - 2 * a2 + a - 5;
  },
};

/** Rosenbrock Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² and its gradient, one fused loop. */
export const rosenbrock: HandAdjoint = {
  f: (x) => {
    let f = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i];
      const u = x[i + 1] - a * a;
      const w = 1 - a;
      f += 100 * u * u + w * w;
    }
    return f;
  },
  gradient: (x, g) => {
    const n = x.length;
    let f = 0;
    let fromLeft = 0; // ∂/∂xᵢ of the term i−1: 200·uᵢ₋₁
    for (let i = 0; i + 1 < n; i++) {
      const a = x[i];
      const u = x[i + 1] - a * a;
      const w = 1 - a;
      f += 100 * u * u + w * w;
      g[i] = fromLeft - 400 * a * u - 2 * w;
      fromLeft = 200 * u;
    }
    g[n - 1] = fromLeft;
    return f;
  },
};

const two500 = 2 ** 500;
const twoMinus500 = 2 ** -500;

/** The chain x → sin(x)·1.0001 + 0.1 of the given depth, and its derivative (forward values kept in one array). */
export function chain(depth: number): HandAdjoint {
  const values = new Float64Array(depth);
  return {
    f: (x) => {
      let c = x[0];
      for (let k = 0; k < depth; k++) c = Math.sin(c) * 1.0001 + 0.1;
      return c;
    },
    gradient: (x, g) => {
      let c = x[0];
      for (let k = 0; k < depth; k++) {
        values[k] = c;
        c = Math.sin(c) * 1.0001 + 0.1;
      }
      // d c_{k+1} / d c_k = 1.0001·cos(c_k). The product shrinks like 0.66^depth: keep it normal by powers of two.
      let adjoint = 1;
      let scale = 0;
      for (let k = depth - 1; k >= 0; k--) {
        adjoint *= 1.0001 * Math.cos(values[k]);
        if (Math.abs(adjoint) < twoMinus500) {
          adjoint *= two500;
          scale -= 500;
        }
      }
      while (scale < 0 && adjoint !== 0) {
        adjoint *= twoMinus500;
        scale += 500;
      }
      g[0] = adjoint;
      return c;
    },
  };
}

/** The hand-written adjoint of a benchmark case. */
export function handAdjointFor(benchCase: BenchCase): HandAdjoint {
  switch (benchCase.kind) {
    case 'polynomial': return polynomial;
    case 'rosenbrock': return rosenbrock;
    case 'chain': return chain(benchCase.size);
  }
}
