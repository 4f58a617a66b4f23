// Tall versus wide (teaching.md R4): the full Jacobian of f: ℝⁿ → ℝᵐ with n·m fixed, by forward and by reverse mode, counted and timed.
import { measureTimes } from './timing.ts';
import { apply, variable, type Expr } from '../ir/node.ts';
import { lowerExpressions } from '../diff/compiled/gradient.ts';
import { forwardJacobianProgram, jacobian, reverseJacobianProgram } from '../diff/forward/api.ts';

/** A vector function in the IR: m output expressions over n variables, and the point to differentiate at. */
export interface VectorFunction {
  readonly n: number;
  readonly m: number;
  readonly variables: readonly string[];
  readonly exprs: readonly Expr[];
  readonly point: Float64Array;
}

/** Options for {@link jacobianShapeFunction}: the width and depth of the shared core. */
export interface ShapeFunctionOptions {
  /** Width K of the shared state (default 4). */
  readonly width?: number;
  /** Number D of shared tanh layers (default 32). */
  readonly depth?: number;
}

const sum = (terms: readonly Expr[]): Expr => terms.reduce((acc, t) => apply('add', acc, t));

/**
 * A family of vector functions whose outputs all share one core of work, so that the cost of f hardly depends on
 * the shape (n, m): a linear read-in s⁰ₖ = Σᵢ wₖᵢ·xᵢ (K·n terms), D layers
 * sᵗ⁺¹ₖ = tanh(aₜ·sᵗₖ + bₜ·sᵗₖ₊₁ + cₜₖ) on a ring of width K, and a linear read-out yⱼ = Σₖ vⱼₖ·sᴰₖ (K·m terms).
 * Every output depends on every input through the core, as in the JAX cookbook's picture. Coefficients are fixed
 * (deterministic sines), the point is xᵢ = 0.5·cos(i + 1).
 */
export function jacobianShapeFunction(n: number, m: number, options: ShapeFunctionOptions = {}): VectorFunction {
  const width = options.width ?? 4;
  const depth = options.depth ?? 32;
  const variables = Array.from({ length: n }, (_, i) => `x${i + 1}`);
  const xs = variables.map((v) => variable(v));
  let state: Expr[] = Array.from({ length: width }, (_, k) => sum(xs.map((x, i) => apply('mul', Math.sin(1.7 * k + 0.9 * i + 0.3) / Math.sqrt(n), x))));
  for (let t = 0; t < depth; t++) {
    const a = 0.9 + 0.1 * Math.cos(t);
    const b = 0.4 * Math.sin(t + 0.5);
    state = state.map((s, k) =>
      apply('tanh', apply('add', apply('add', apply('mul', a, s), apply('mul', b, state[(k + 1) % width])), 0.1 * Math.cos(2.3 * t + k))),
    );
  }
  const exprs = Array.from({ length: m }, (_, j) => sum(state.map((s, k) => apply('mul', Math.cos(1.3 * j + 2.1 * k + 0.7), s))));
  const point = Float64Array.from({ length: n }, (_, i) => 0.5 * Math.cos(i + 1));
  return { n, m, variables, exprs, point };
}

/** The shapes (n, m) with n·m = `product`: every divisor n of `product`, in increasing n (so decreasing m/n). */
export function shapesWithProduct(product: number): { n: number; m: number }[] {
  const shapes: { n: number; m: number }[] = [];
  for (let n = 1; n <= product; n++) if (product % n === 0) shapes.push({ n, m: product / n });
  return shapes;
}

/** One mode's cost of the full Jacobian at one shape. */
export interface ModeCost {
  /** Passes over the function: n tangent passes (forward), m reverse sweeps (reverse). */
  readonly passes: number;
  /** Calls of compiled code: one program per mode (the primal sweep shared by every pass). */
  readonly calls: number;
  /** Instructions of one call (forward: every column's tangent sweep; reverse: every row's reverse sweep). */
  readonly instructionsPerCall: number;
  /** Instructions executed for the whole Jacobian: the sum over the calls. */
  readonly instructions: number;
  /** Median time of one whole Jacobian, compiled programs cached (milliseconds). */
  readonly medianMs: number;
  /** Quartiles of the timing samples (milliseconds). */
  readonly q1Ms: number;
  readonly q3Ms: number;
}

/** Both modes at one shape, and how far apart their Jacobians are. */
export interface ShapeRow {
  readonly n: number;
  readonly m: number;
  /** m / n: above 1 the Jacobian is tall, below 1 wide. */
  readonly aspect: number;
  /** Instructions of f alone (all m outputs, lowered once). */
  readonly fInstructions: number;
  readonly forward: ModeCost;
  readonly reverse: ModeCost;
  /** forward / reverse, in instructions executed. */
  readonly instructionRatio: number;
  /** forward / reverse, in median time. */
  readonly timeRatio: number;
  /** max |J_fwd − J_rev| / max |J_rev|. */
  readonly disagreement: number;
  /** The mode `jacobian`'s `auto` picks at this shape. */
  readonly autoMode: 'forward' | 'reverse';
}

/** The sweep over shapes, with the crossovers interpolated in log(m/n). */
export interface JacobianShapeSweep {
  readonly product: number;
  readonly width: number;
  readonly depth: number;
  readonly rows: readonly ShapeRow[];
  /** m/n where forward and reverse cost the same instructions (log-linear interpolation); null when they never cross. */
  readonly crossoverInstructions: number | null;
  /** m/n where the median times are equal; null when they never cross. */
  readonly crossoverTime: number | null;
}

/** Options for {@link measureJacobianShapes}. */
export interface JacobianShapeOptions extends ShapeFunctionOptions {
  /** n·m (default 64). */
  readonly product?: number;
  /** Each timing sample repeats the Jacobian until this many milliseconds have passed (default 5). */
  readonly minTimeMs?: number;
  /** Timing samples per mode and shape; the median is reported (default 5). */
  readonly samples?: number;
}

/** Where log(ratio) crosses 0 as a function of log(m/n), interpolated between neighbouring shapes. */
export function crossover(points: readonly { aspect: number; ratio: number }[]): number | null {
  const sorted = [...points].sort((a, b) => a.aspect - b.aspect);
  for (let i = 1; i < sorted.length; i++) {
    const [p, q] = [sorted[i - 1], sorted[i]];
    const [lp, lq] = [Math.log(p.ratio), Math.log(q.ratio)];
    if (lp === 0) return p.aspect;
    if (Math.sign(lp) !== Math.sign(lq)) {
      const t = lp / (lp - lq);
      return Math.exp(Math.log(p.aspect) + t * (Math.log(q.aspect) - Math.log(p.aspect)));
    }
  }
  const last = sorted[sorted.length - 1];
  return last !== undefined && Math.log(last.ratio) === 0 ? last.aspect : null;
}

/**
 * The full Jacobian of {@link jacobianShapeFunction} at every shape with n·m = `product`, by `jacobian(…, { mode })`
 * forcing forward and forcing reverse: passes, instructions (machine-independent), median times, and the
 * largest difference between the two Jacobians.
 */
export function measureJacobianShapes(options: JacobianShapeOptions = {}): JacobianShapeSweep {
  const product = options.product ?? 64;
  const width = options.width ?? 4;
  const depth = options.depth ?? 32;
  const minTimeMs = options.minTimeMs ?? 5;
  const samples = options.samples ?? 5;
  const rows = shapesWithProduct(product).map(({ n, m }): ShapeRow => {
    const f = jacobianShapeFunction(n, m, { width, depth });
    const fwd = jacobian(f.exprs, f.variables, f.point, { mode: 'forward' });
    const rev = jacobian(f.exprs, f.variables, f.point, { mode: 'reverse' });
    let diff = 0;
    let scale = 0;
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < n; i++) {
        diff = Math.max(diff, Math.abs(fwd.jacobian[k][i] - rev.jacobian[k][i]));
        scale = Math.max(scale, Math.abs(rev.jacobian[k][i]));
      }
    }
    // Both modes warmed up, batched to whole samples and sampled in interleaved rounds (see timing.ts).
    const times = measureTimes(
      {
        forward: () => void jacobian(f.exprs, f.variables, f.point, { mode: 'forward' }),
        reverse: () => void jacobian(f.exprs, f.variables, f.point, { mode: 'reverse' }),
      },
      { sampleMs: minTimeMs, samples, warmupMs: 4 * minTimeMs, seed: n * 1000 + m },
    );
    const forwardProgram = forwardJacobianProgram(f.exprs, f.variables);
    const reverseProgram = reverseJacobianProgram(f.exprs, f.variables);
    // Each mode is one compiled program: the primal sweep once, then n tangent sweeps (forward) or m reverse sweeps.
    const forward: ModeCost = {
      passes: n,
      calls: 1,
      instructionsPerCall: forwardProgram.instructions,
      instructions: forwardProgram.instructions,
      medianMs: times.forward.median,
      q1Ms: times.forward.q1,
      q3Ms: times.forward.q3,
    };
    const reverse: ModeCost = {
      passes: m,
      calls: 1,
      instructionsPerCall: reverseProgram.instructions,
      instructions: reverseProgram.instructions,
      medianMs: times.reverse.median,
      q1Ms: times.reverse.q1,
      q3Ms: times.reverse.q3,
    };
    return {
      n,
      m,
      aspect: m / n,
      fInstructions: lowerExpressions(f.exprs, f.variables).instructions.length,
      forward,
      reverse,
      instructionRatio: forward.instructions / reverse.instructions,
      timeRatio: forward.medianMs / reverse.medianMs,
      disagreement: scale === 0 ? diff : diff / scale,
      autoMode: jacobian(f.exprs, f.variables, f.point).mode,
    };
  });
  return {
    product,
    width,
    depth,
    rows,
    crossoverInstructions: crossover(rows.map((r) => ({ aspect: r.aspect, ratio: r.instructionRatio }))),
    crossoverTime: crossover(rows.map((r) => ({ aspect: r.aspect, ratio: r.timeRatio }))),
  };
}
