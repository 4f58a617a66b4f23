// f along one coordinate: exactly representable offsets, finiteness checks with messages a user can act on, and difference weights.
import type { CompiledFunction } from '../../ir/compile.ts';

/** Short text of a step or value for messages (three significant digits). */
export function formatStep(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/**
 * Thrown when f is NaN or ±Infinity at the point or at a stencil point. Symmetric schemes catch it and fall back
 * to a one-sided scheme; otherwise it reaches the user.
 */
export class NonFiniteError extends Error {
  constructor(
    readonly variable: string,
    readonly x: number,
    /** The offset from x (0 for the point itself); a string for complex offsets such as `1e-20i`. */
    readonly offset: number | string,
    readonly value: number | string,
    /** Set when f was not evaluated because the stencil point itself overflows float64. */
    overflowingPoint?: number,
  ) {
    const where =
      offset === 0
        ? `the point (${variable} = ${x})`
        : typeof offset === 'string'
          ? `${variable} = ${x} + ${offset}`
          : `${variable} = ${x} ${offset < 0 ? '-' : '+'} ${formatStep(Math.abs(offset))}`;
    super(
      overflowingPoint !== undefined
        ? `the stencil point ${where} overflows float64 (${overflowingPoint}): the point is too close to the largest double for this step`
        : `f is not finite at ${where} (f = ${value}): the point is too close to a singularity or outside the domain`,
    );
    this.name = 'NonFiniteError';
  }
}

/** Thrown when a step is below half the spacing of doubles at x, so that x + h rounds back to x. */
export class StepTooSmallError extends Error {
  constructor(readonly variable: string, readonly x: number, readonly h: number) {
    super(
      `the step h = ${formatStep(h)} is below the spacing of doubles at ${variable} = ${x}: ` +
        `x + h rounds to x; use a larger h (the default scales the step with |x|)`,
    );
    this.name = 'StepTooSmallError';
  }
}

/**
 * f restricted to the line through the point along one variable, g(t) = f(x + t·eᵢ), counting evaluations.
 * Offsets are realised exactly: t is replaced by (x + t) − x, which floating point computes without rounding
 * (Sterbenz), so the difference quotient divides by the step that was actually taken.
 */
export class CoordinateLine {
  /** Evaluations of f made through this line. */
  evaluations = 0;
  readonly x: number;

  constructor(
    private readonly f: CompiledFunction,
    /** A scratch copy of the point; entry `index` is restored after every evaluation. */
    private readonly work: Float64Array,
    readonly index: number,
    readonly variable: string,
  ) {
    this.x = work[index];
  }

  /** The realised offset (x + t) − x: exact, possibly 0 when |t| is below half the spacing of doubles at x. */
  offset(t: number): number {
    return this.x + t - this.x;
  }

  /**
   * g at the realised offset t.
   * @throws NonFiniteError naming the variable and the step when f is not finite there.
   */
  at(t: number): number {
    const moved = this.x + t;
    // A stencil point beyond float64's range has no finite offset to divide by (∞ − x): refuse it like a non-finite f.
    if (!Number.isFinite(moved)) throw new NonFiniteError(this.variable, this.x, t, 'not evaluated', moved);
    this.work[this.index] = moved;
    const value = this.f(this.work);
    this.work[this.index] = this.x;
    this.evaluations++;
    if (!Number.isFinite(value)) throw new NonFiniteError(this.variable, this.x, t, value);
    return value;
  }
}

/**
 * Weights wⱼ with g'(0) ≈ Σ wⱼ g(tⱼ): the derivative at 0 of the polynomial interpolating g at the nodes tⱼ,
 * wⱼ = ℓⱼ'(0) = Σ_{r≠j} 1/(tⱼ − t_r) · Π_{m≠j,r} (0 − tₘ)/(tⱼ − tₘ).
 * For nodes (0, h) this is the forward difference, for (−h, h) the central, for (−2h, −h, h, 2h) the five-point
 * stencil; with realised (slightly unequal) offsets it stays exact for polynomials of the same degree.
 */
export function differenceWeights(nodes: readonly number[]): number[] {
  return nodes.map((tj, j) => {
    let sum = 0;
    nodes.forEach((tr, r) => {
      if (r === j) return;
      let term = 1 / (tj - tr);
      nodes.forEach((tm, m) => {
        if (m !== j && m !== r) term *= -tm / (tj - tm);
      });
      sum += term;
    });
    return sum;
  });
}
