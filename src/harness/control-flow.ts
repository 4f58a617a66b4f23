// Programs, not formulas (teaching.md R8, d2l §2.5 "Control flow"): AD through a data-dependent loop and branch, checked by an identity, against central differences.
import { tensor, type Tensor } from '../diff/autograd/index.ts';
import { centralModel, textbookStep } from '../diff/numeric/index.ts';

/** The loop runs while |b| is below this (d2l: `while b.norm() < 1000`). */
export const controlFlowThreshold = 1000;

/** Enough doublings to lift the smallest subnormal past the threshold; more means the loop would never end (a = 0). */
const maxDoublings = 1100;

/** What the symbolic methods say about f: there is no expression to differentiate. */
export const symbolicNotApplicable = 'not applicable: f is a program with a data-dependent loop and branch, not a closed-form expression';

/**
 * d2l's control-flow function on gradlab's Tensor API: b = 2a; while |b| < 1000: b = 2b; c = b if b > 0 else 100·b.
 * f is piecewise linear in a (slope 2^(k+1) or 100·2^(k+1) after k doublings), so AD's f′ satisfies f′(a)·a = f(a).
 * @throws RangeError at a = 0 (or a non-finite a), where the loop would never end.
 */
export function controlFlowProgram(a: Tensor): Tensor {
  let b = a.mul(2);
  let doublings = 0;
  while (b.abs().item() < controlFlowThreshold) {
    if (++doublings > maxDoublings || !Number.isFinite(b.item())) throw new RangeError(`f(a): the loop does not end at a = ${a.item()}`);
    b = b.mul(2);
  }
  return b.item() > 0 ? b : b.mul(100);
}

/** The same program on plain numbers, with the number k of loop iterations and the branch taken. */
export function controlFlowPlain(a: number): { value: number; doublings: number; branch: 'b' | '100·b' } {
  let b = 2 * a;
  let doublings = 0;
  while (Math.abs(b) < controlFlowThreshold) {
    if (++doublings > maxDoublings || !Number.isFinite(b)) throw new RangeError(`f(a): the loop does not end at a = ${a}`);
    b *= 2;
  }
  return b > 0 ? { value: b, doublings, branch: 'b' } : { value: 100 * b, doublings, branch: '100·b' };
}

/** One point: autograd's f′, the identity check, the exact slope, and central differences at the textbook step. */
export interface ControlFlowPoint {
  readonly a: number;
  /** Why this point was chosen. */
  readonly label: string;
  /** Loop iterations k (b ends as 2^(k+1)·a). */
  readonly doublings: number;
  readonly branch: 'b' | '100·b';
  /** f(a) from the Tensor program. */
  readonly value: number;
  /** Autograd's f′(a) (`.backward()`, then `a.grad`). */
  readonly ad: number;
  /** The slope of the linear piece containing a: 2^(k+1), or 100·2^(k+1) on the negative branch. */
  readonly exact: number;
  /** f′(a)·a, to compare with f(a). */
  readonly adTimesA: number;
  /** f′(a)·a === f(a), bit for bit. */
  readonly identityHolds: boolean;
  /** The central-difference step, ∛ε·max(1, |a|). */
  readonly h: number;
  /** (f(a + h) − f(a − h)) / 2h. */
  readonly fd: number;
  /** |fd − exact| / |exact|. */
  readonly fdRelativeError: number;
  /** |ad − exact| / |exact| (0 when AD is exact). */
  readonly adRelativeError: number;
  /** Loop iterations at a − h and a + h: different counts mean the stencil straddles a doubling threshold. */
  readonly stencilDoublings: readonly [number, number];
  readonly straddles: boolean;
  /** What symbolic differentiation gives: {@link symbolicNotApplicable}. */
  readonly symbolic: string;
}

/** The measurement: the points and the step rule used. */
export interface ControlFlowData {
  readonly program: string;
  readonly stepRule: string;
  readonly points: readonly ControlFlowPoint[];
}

/** The default points: two positive, one negative (the 100·b branch), and one just below a doubling threshold, 1000/2^10·(1 − 1e-9). */
export function controlFlowPoints(): { a: number; label: string }[] {
  return [
    { a: 0.7, label: 'positive branch' },
    { a: -0.3, label: 'negative branch (c = 100·b)' },
    { a: 1.5, label: 'positive branch' },
    { a: (controlFlowThreshold / 2 ** 10) * (1 - 1e-9), label: 'just below the threshold 1000/2¹⁰' },
  ];
}

/** Differentiates {@link controlFlowProgram} at one point by autograd and by central differences. */
export function measureControlFlowPoint(a: number, label = ''): ControlFlowPoint {
  const x = tensor(a, { requiresGrad: true });
  const c = controlFlowProgram(x);
  c.backward();
  const ad = x.grad!.item();
  const value = c.item();
  const plain = controlFlowPlain(a);
  const exact = (plain.branch === 'b' ? 1 : 100) * 2 ** (plain.doublings + 1);
  const h = textbookStep(centralModel, a);
  const [lo, hi] = [controlFlowPlain(a - h), controlFlowPlain(a + h)];
  const fd = (hi.value - lo.value) / (2 * h);
  const adTimesA = ad * a;
  return {
    a,
    label,
    doublings: plain.doublings,
    branch: plain.branch,
    value,
    ad,
    exact,
    adTimesA,
    identityHolds: adTimesA === value,
    h,
    fd,
    fdRelativeError: Math.abs(fd - exact) / Math.abs(exact),
    adRelativeError: Math.abs(ad - exact) / Math.abs(exact),
    stencilDoublings: [lo.doublings, hi.doublings],
    straddles: lo.doublings !== hi.doublings || lo.branch !== hi.branch,
    symbolic: symbolicNotApplicable,
  };
}

/** Measures every point of {@link controlFlowPoints} (or the given ones). */
export function measureControlFlow(points = controlFlowPoints()): ControlFlowData {
  return {
    program: 'b = 2a; while |b| < 1000: b = 2b; c = b if b > 0 else 100·b; return c',
    stepRule: 'h = ∛ε·max(1, |a|) (the textbook central-difference step)',
    points: points.map((p) => measureControlFlowPoint(p.a, p.label)),
  };
}
