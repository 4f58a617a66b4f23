// The benchmark cases written on the micrograd-style closure tape (bench/closure-tape.ts), as a user of it would.
import { Value } from '../closure-tape.ts';
import type { BenchCase } from '../cases.ts';

/** sin on the closure tape (the tape itself has only + − · and powers): one node, one closure. */
function sin(v: Value): Value {
  const out = new Value(Math.sin(v.data), [v], 'sin');
  out._backward = () => {
    v.grad += Math.cos(v.data) * out.grad;
  };
  return out;
}

/** Builds the case's graph on fresh leaves; returns the output and the leaves. */
export function closureTapeBuilder(benchCase: BenchCase): (point: Float64Array) => { out: Value; leaves: Value[] } {
  switch (benchCase.kind) {
    case 'polynomial':
      return (p) => {
        const x = new Value(p[0]);
        return { out: x.pow(3).sub(x.pow(2).mul(2)).add(x).sub(5), leaves: [x] };
      };
    case 'rosenbrock':
      return (p) => {
        const xs: Value[] = [];
        for (let i = 0; i < p.length; i++) xs.push(new Value(p[i]));
        let f: Value | null = null;
        for (let i = 0; i + 1 < p.length; i++) {
          const term = xs[i + 1].sub(xs[i].pow(2)).pow(2).mul(100).add(xs[i].rsub(1).pow(2));
          f = f === null ? term : f.add(term);
        }
        return { out: f!, leaves: xs };
      };
    case 'chain':
      return (p) => {
        const x = new Value(p[0]);
        let c = x;
        for (let k = 0; k < benchCase.size; k++) c = sin(c).mul(1.0001).add(0.1);
        return { out: c, leaves: [x] };
      };
  }
}
