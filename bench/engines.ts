// The engines the benchmark compares: gradlab's methods, the hand-written adjoint, and the JS peers.
//
// Each engine prepares a case once (compiling, deriving, tracing: whatever it does up front) and hands back two
// calls at the case's point: value + gradient, and f alone (for ω = time(gradient) / time(f)). An engine that
// cannot run a case throws; the benchmark shows the reason (stack overflow, unavailable, …) in its cell.
import type { BenchCase } from './cases.ts';
import { handAdjointFor } from './hand-adjoint.ts';
import { compileGradient, compileValue } from '../src/diff/compiled/gradient.ts';
import { compileJvp } from '../src/diff/forward/jvp-program.ts';
import { forwardGradient } from '../src/diff/forward/method.ts';
import { centralDifferences } from './peers/central-fd.ts';
import { prepareTfjs } from './peers/tfjs.ts';
import { prepareJax } from './peers/jax.ts';

/** One engine ready to run one case. */
export interface PreparedEngine {
  /** Value + gradient at the case's point; writes the gradient into `out`, returns f. */
  readonly gradient: (out: Float64Array) => number;
  /** f alone at the case's point. */
  readonly f: () => number;
  /** Milliseconds the engine spent preparing (compiling, deriving), when it has such a phase. */
  readonly prepareMs?: number;
  /** Facts for the JSON report (operation counts, precision, …). */
  readonly note?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** An engine of the benchmark. */
export interface Engine {
  readonly name: string;
  /** What is timed, for the table's legend. */
  readonly description: string;
  readonly kind: 'reference' | 'gradlab' | 'peer';
  readonly prepare: (benchCase: BenchCase) => Promise<PreparedEngine>;
}

/** Thrown when an engine is missing (a module not there yet, a peer that cannot load here). */
export class EngineUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EngineUnavailable';
  }
}

const handEngine: Engine = {
  name: 'hand adjoint',
  description: 'the adjoint written by hand in bench/hand-adjoint.ts (loops over Float64Arrays): the reference',
  kind: 'reference',
  prepare: async (c) => {
    const hand = handAdjointFor(c);
    return { gradient: (out) => hand.gradient(c.point, out), f: () => hand.f(c.point) };
  },
};

const compiledEngine: Engine = {
  name: 'autograd-compiled',
  description: 'compileGradient: generated adjoint code, compiled once (time per call of the compiled function; ω against compileValue, the same code generator on f)',
  kind: 'gradlab',
  prepare: async (c) => {
    const adjoint = compileGradient(c.expr, c.variables);
    const f = compileValue(c.expr, c.variables);
    return {
      gradient: (out) => adjoint(c.point, out),
      f: () => f(c.point),
      prepareMs: adjoint.compileMs,
      extra: { instructions: adjoint.counts, rolledInstructions: adjoint.plan.rolled, loops: adjoint.plan.loops.length, functions: adjoint.plan.functions },
    };
  },
};

const forwardEngine: Engine = {
  name: 'forward-mode',
  description: 'compiled dual numbers, one pass per input (n passes); ω against compileValue',
  kind: 'gradlab',
  prepare: async (c) => {
    const jvp = compileJvp([c.expr], c.variables);
    const f = compileValue(c.expr, c.variables);
    return {
      gradient: (out) => forwardGradient(jvp, c.point, out),
      f: () => f(c.point),
      prepareMs: jvp.compileMs,
      extra: { passes: c.variables.length, instructions: { f: jvp.valueInstructions, jvp: jvp.instructions } },
    };
  },
};

const autogradEngine: Engine = {
  name: 'autograd (Tensor engine)',
  description: 'the dynamic `autograd` method: the IR interpreted on leaf tensors, one backward(); f interpreted on plain tensors',
  kind: 'gradlab',
  prepare: async (c) => {
    let method: typeof import('../src/diff/autograd/method.ts');
    try {
      method = await import('../src/diff/autograd/method.ts');
    } catch (error) {
      throw new EngineUnavailable(`the autograd engine does not load: ${(error as Error).message.split('\n')[0]}`);
    }
    const request = { expr: c.expr, variables: c.variables, point: c.point, options: {} };
    return {
      gradient: (out) => {
        const result = method.autogradMethod.compute(request);
        out.set(result.gradient);
        return result.value;
      },
      // f alone, the same interpretation on tensors that record nothing: the baseline for ω.
      f: () => method.autogradValue(request),
    };
  },
};

const symbolicDagEngine: Engine = {
  name: 'symbolic-dag compiled',
  description: 'gradlab symbolic differentiation on the DAG (dagGradient), partials compiled with f into one program',
  kind: 'gradlab',
  prepare: async (c) => {
    let dag: typeof import('../src/diff/symbolic/dag.ts');
    let program: typeof import('../src/diff/symbolic/gradient-program.ts');
    try {
      dag = await import('../src/diff/symbolic/dag.ts');
      program = await import('../src/diff/symbolic/gradient-program.ts');
    } catch (error) {
      throw new EngineUnavailable(`symbolic-dag does not load: ${(error as Error).message.split('\n')[0]}`);
    }
    const start = performance.now();
    const compiled = program.compileGradient(c.expr, dag.dagGradient(c.expr, c.variables), c.variables);
    const prepareMs = performance.now() - start;
    const f = compileValue(c.expr, c.variables);
    return {
      gradient: (out) => {
        const { value, gradient } = compiled(c.point);
        out.set(gradient);
        return value;
      },
      f: () => f(c.point),
      prepareMs,
      extra: { instructions: compiled.instructions },
    };
  },
};

const fdEngine: Engine = {
  name: 'central FD',
  description: 'central differences on the compiled f, h = ∛ε·max(1,|x|): 2n + 1 evaluations',
  kind: 'gradlab',
  prepare: async (c) => {
    const fd = centralDifferences(c.expr, c.variables);
    return { gradient: (out) => fd.gradient(c.point, out), f: () => fd.f(c.point) };
  },
};

const closureTapeEngine: Engine = {
  name: 'closure tape',
  description: 'micrograd-style tape (bench/closure-tape.ts): graph built per call, one closure per node; f = the same build without backward',
  kind: 'peer',
  prepare: async (c) => {
    let builders: typeof import('./peers/closure-tape-cases.ts');
    try {
      builders = await import('./peers/closure-tape-cases.ts');
    } catch (error) {
      throw new EngineUnavailable(`bench/closure-tape.ts does not load: ${(error as Error).message.split('\n')[0]}`);
    }
    const build = builders.closureTapeBuilder(c);
    return {
      gradient: (out) => {
        const { out: y, leaves } = build(c.point);
        y.backward();
        for (let i = 0; i < leaves.length; i++) out[i] = leaves[i].grad;
        return y.data;
      },
      f: () => build(c.point).out.data,
    };
  },
};

const tfjsEngine: Engine = {
  name: 'tfjs',
  description: '@tensorflow/tfjs 4.22 tf.valueAndGrad, CPU backend (float32), tensors in and numbers out per call',
  kind: 'peer',
  prepare: prepareTfjs,
};

const jaxEngine: Engine = {
  name: 'jax-js',
  description: '@jax-js/jax 0.1.25 jit(valueAndGrad(f)), wasm backend, float64, arrays in and numbers out per call',
  kind: 'peer',
  prepare: async (c) => {
    try {
      return await prepareJax(c);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      throw new EngineUnavailable(`jax-js does not load: ${(error as Error).message.split('\n')[0]}`);
    }
  },
};

/** The engines in table order (mathjs runs separately, in a worker: see bench/peers/mathjs.ts). */
export const engines: readonly Engine[] = [
  handEngine,
  compiledEngine,
  forwardEngine,
  autogradEngine,
  symbolicDagEngine,
  fdEngine,
  closureTapeEngine,
  tfjsEngine,
  jaxEngine,
];
