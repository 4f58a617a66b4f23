// The op table: every primitive declared once (evaluation, complex evaluation, partials, printing, mathjs form, domain, PyTorch name).
//
// Every other module asks this table; none switches on op names. The mapped type `{ [K in OpName]: OpSpec }`
// makes a forgotten op a compile error, as in jax-js's rule tables.
import * as C from './complex.ts';
import type { Complex } from './complex.ts';
import { applySimplified, constant, isConstant, type Expr, type ExprLike } from './node.ts';

/** Names of the primitives. The parser, printers, evaluators and differentiators all take their facts from {@link ops}. */
export type OpName =
  | 'add' | 'sub' | 'mul' | 'div' | 'neg' | 'pow'
  | 'exp' | 'log' | 'logBase' | 'sqrt' | 'cbrt'
  | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan'
  | 'sinh' | 'cosh' | 'tanh' | 'abs'
  | 'sigmoid' | 'relu' | 'softplus'
  | 'sign' | 'step' | 'xlogy' | 'mulNoNan' | 'powPrime';

/** How an op is written in infix text. */
export type Syntax =
  | { readonly kind: 'infix'; readonly symbol: string; readonly precedence: number; readonly associativity: 'left' | 'right' }
  | { readonly kind: 'prefix'; readonly symbol: string; readonly precedence: number }
  | { readonly kind: 'function'; readonly name: string };

/** How an op is expressed for mathjs: one of its operators, one of its functions, or a rewrite into other ops. */
export type MathjsForm =
  | { readonly kind: 'operator'; readonly op: string; readonly fn: string }
  | { readonly kind: 'function'; readonly name: string; readonly native: boolean }
  | { readonly kind: 'lowering'; readonly lower: (args: readonly Expr[]) => Expr };

/** Where an op is smooth (finite, differentiable in every argument); random-expression generators keep inside it. */
export interface Domain {
  readonly description: string;
  /**
   * Whether (a, b) is inside. `constArgs[i]` says argument i is a constant of the expression (not a function of the
   * inputs); callers that know it pass it, since a constant argument can widen the domain (u^2 is smooth at u = 0).
   */
  readonly contains: (a: number, b: number, constArgs?: readonly boolean[]) => boolean;
}

/** Everything gradlab knows about one primitive. */
export interface OpSpec {
  readonly arity: 1 | 2;
  /** Real evaluation; unary ops ignore `b`. */
  readonly eval: (a: number, b: number) => number;
  /** Complex evaluation for the complex-step method, or why the op is not analytic (the method then refuses). */
  readonly complex: ((a: Complex, b: Complex) => Complex) | { readonly nonAnalytic: string };
  /** ∂self/∂argᵢ as IR expressions (so they print, evaluate and differentiate again). `self` is the node itself. */
  readonly partials: (args: readonly Expr[], self: Expr) => Expr[];
  /** What the partials return where the op is not differentiable, when that is a convention rather than the formula's own value. */
  readonly kinks?: string;
  readonly syntax: Syntax;
  /** LaTeX from the arguments' LaTeX (already parenthesised where needed). */
  readonly latex: (a: string, b: string) => string;
  /** Per argument: true when the LaTeX template delimits it itself (`\frac{}{}`, `\sqrt{}`), so it never needs parentheses. */
  readonly latexGrouped: readonly boolean[];
  /** Inline JavaScript for the compiler, from the arguments' code; without it the compiler calls `eval`. */
  readonly js?: (a: string, b: string) => string;
  /**
   * A cheaper JavaScript form of partial i for the Tensor engine's backward loops, from the code of the arguments and
   * of the op's value (`out`, saved there anyway): the same derivative as `partials` to within a few roundings at
   * every argument, so the rounding bound that counts the partial's ops still holds. Without it the loop runs the
   * lowered partial.
   */
  readonly kernelPartialJs?: readonly (((a: string, b: string, out: string) => string) | undefined)[];
  readonly mathjs: MathjsForm;
  /** `true` when mathjs's `derivative` handles the op (after lowering), else the reason it cannot. */
  readonly mathjsDerivative: true | string;
  /**
   * Where mathjs's derivative rule (of the op, or of its lowering) is real-valued and free of overflow, when that is
   * narrower than where the op is smooth, and why. The mathjs methods refuse with the reason outside it.
   */
  readonly mathjsDerivativeHolds?: {
    /** `constant[i]`: argument i depends on no variable (mathjs's rules then often skip the part that fails). */
    readonly where: (a: number, b: number, constant: readonly boolean[]) => boolean;
    readonly reason: string;
  };
  /**
   * Where mathjs's lowering of the op computes the op's *value* with a relative error beyond a few roundings, and
   * why. The value matters only where a partial of another op uses it (the u of u·v, the u of sin(u)): there the
   * mathjs methods refuse with the reason; where it only passes on along sums, the derivative is unaffected.
   */
  readonly mathjsValueLoses?: { readonly where: (a: number) => boolean; readonly reason: string };
  readonly domain: Domain;
  /**
   * At a point outside the smooth domain (finite arguments): the arguments whose partial there is a convention, as
   * no derivative exists (a jump), each with why. The other partials at such a point are derivatives (one-sided or
   * limiting ones included): where the op declares none, every partial the table gives there counts as one.
   */
  readonly conventionalPartials?: (a: number, b: number) => readonly { readonly argument: number; readonly why: string }[];
  /**
   * Where mathjs's derivative rule evaluates to something else than this table's partials although both are
   * defined (the table masks a 0·∞ that mathjs's formula keeps), and why. The mathjs methods answer with mathjs's
   * values there and add the note. `constArgs[i]` says argument i is a constant of the expression.
   */
  readonly mathjsRuleDiffers?: { readonly where: (a: number, b: number, constArgs: readonly boolean[]) => boolean; readonly note: string };
  /**
   * False for an op the library writes into derived expressions (mul_no_nan, pow's masks) rather than one people
   * differentiate: random-expression generators leave it out unless asked for by name, so adding such an op leaves
   * every seed's campaign as it was.
   */
  readonly randomExpressions?: false;
  /** PyTorch's `grad_fn` class name for this op; `constArgs[i]` says whether argument i is a plain number there. */
  readonly gradFn: (constArgs: readonly boolean[]) => string;
  /**
   * True when the value depends on the argument modulo a period (sin, cos, tan): evaluating it to high precision
   * needs the argument to absolute precision, so the high-precision reference raises its digits with |u|.
   */
  readonly periodic?: true;
  /** Identities the library may apply when it builds derived expressions (never applied to what the user wrote). */
  readonly simplify?: (args: readonly Expr[]) => Expr | undefined;
  /**
   * True for an op `base ^ exponent` whose small constant integer exponents the compiled methods write as products
   * (x³ = x²·x, x⁴ = (x²)², x⁻¹ = 1/x; diff/compiled/powers.ts), where V8 would call its general pow routine.
   */
  readonly integerPowerAsProducts?: true;
}

// Builders for derived expressions: fold constants and apply the identities declared below.
const build = (op: OpName) => (...args: ExprLike[]): Expr => applySimplified(op, ...args);
const add = build('add'), sub = build('sub'), mul = build('mul'), div = build('div'), neg = build('neg');
const pow = build('pow'), log = build('log'), sqrt = build('sqrt'), sin = build('sin'), cos = build('cos');
const sinh = build('sinh'), cosh = build('cosh'), sigmoid = build('sigmoid'), sign = build('sign'), step = build('step');
const xlogy = build('xlogy'), exp = build('exp'), abs = build('abs'), mulNoNan = build('mulNoNan');
const powPrime = build('powPrime');

// The constant partials of the linear ops, made once: a sum's two partials were two intern-table lookups per node
// (a key string and a Map lookup each), a third of the compiled gradient's reverse sweep on a large network. The
// nodes are held for the process, which keeps them the same hash-consed objects `constant` returns.
const constantPartial = (value: number): (() => Expr) => {
  let node: Expr | undefined;
  return () => (node ??= constant(value));
};
const plusOne = constantPartial(1), minusOne = constantPartial(-1);

const everywhere: Domain = { description: 'all reals', contains: () => true };
const nonzero = (what: string): Domain => ({ description: `${what} ≠ 0`, contains: (a) => a !== 0 });
const named = (name: string) => (): string => name;
const fn = (name: string, latexName: string = `\\${name}`) => ({
  syntax: { kind: 'function', name } as const,
  latex: (a: string) => `${latexName}\\left(${a}\\right)`,
  latexGrouped: [true],
  mathjs: { kind: 'function', name, native: true } as const,
  mathjsDerivative: true as const,
});

function sigmoidValue(a: number): number {
  // Two branches so exp never overflows: σ(a) = 1/(1+e^-a) = e^a/(1+e^a).
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

function softplusValue(a: number): number {
  // log(1 + e^a) = max(a, 0) + log1p(e^-|a|): no overflow for large a, no lost digits for very negative a.
  return Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
}

/** Where uᵛ (and so v·uᵛ⁻¹) is smooth. */
const powDomain: Domain = {
  description: 'u > 0, or v an integer and u ≠ 0, or v a constant integer ≥ 0 (a polynomial in u)',
  // A constant exponent n ≥ 0 makes uⁿ a polynomial, smooth at u = 0 too; a variable exponent is not (uᵛ is
  // undefined for u < 0 and non-integer v), and a negative one has a pole at 0.
  contains: (a, b, constArgs) => a > 0 || (Number.isInteger(b) && (a !== 0 || (b >= 0 && constArgs?.[1] === true))),
};

/** A constant that is not 0 (NaN included: a mask on it is never 0, and NaN propagates either way). */
const nonzeroConstant = (node: Expr): boolean => node.kind === 'const' && node.value !== 0;

/**
 * v·uᵛ⁻¹, 0 where v = 0 (u⁰ ≡ 1), without the overflow of uᵛ⁻¹ alone: at u = v = 5e-324 the power uᵛ⁻¹ ≈ 1/u is
 * beyond float64's range while the product is 1. Where the power overflows for u > 0, (v·h)·h with h = u^((v−1)/2)
 * keeps each factor in range; for u < 0 (an integer v, so |v| ≥ 1) or u = 0 the product overflows too.
 */
function powPrimeValue(u: number, v: number): number {
  if (v === 0) return 0;
  const power = Math.pow(u, v - 1);
  if (Number.isFinite(power) || !(u > 0 && u < Infinity)) return v * power;
  const half = Math.pow(u, (v - 1) / 2);
  return (v * half) * half;
}

/**
 * Constant exponents c for which c·uᶜ⁻¹ can overflow only where the product does: |c| ≥ 1 (|c·p| ≥ |p|), or
 * 0.05 ≤ c < 1, where uᶜ⁻¹ ≤ (5e-324)^−0.95 ≈ 1e307 stays in range for every double u. Below, uᶜ⁻¹ can overflow
 * while c·uᶜ⁻¹ does not (c = 1e-20 at u = 5e-324), so the partial uses pow_prime.
 */
const plainPowPrime = (c: number): boolean => Math.abs(c) >= 1 || (c >= 0.05 && c < 1);

/** ∂(uᵛ)/∂u = where(v == 0, 0, v·uᵛ⁻¹): c·u^(c−1) for a constant exponent where that cannot overflow alone, else pow_prime. */
function baseOfPowPartial(u: Expr, v: Expr): Expr {
  if (v.kind === 'const' && (v.value === 0 || plainPowPrime(v.value))) return v.value === 0 ? constant(0) : mul(v, pow(u, sub(v, 1)));
  return powPrime(u, v);
}

/**
 * ∂pow_prime(u, v)/∂u = v·(v−1)·u^(v−2), in one of two forms, each exact where the other over- or underflows alone:
 * - v·pow_prime(u, v − 1) for |v| ≥ 1: its factor is at most the product in size, so it overflows only where that
 *   does; for |v| < 1 it overflows alone (u = v = 1e-300: −1e600, where the product is −1e300);
 * - (pow_prime(u, v)·(v − 1))/u for |v| < 1, from the node's value: for |v| ≥ 1 that value underflows alone
 *   (u = 1e-300, v = 3: 3e-600, where the product is 6e-300), and at u = 0 it is 0/0.
 * A constant exponent picks its form now; a variable one at run time, by masks that are 0 on the other side
 * (mul_no_nan(form, 1 − s) + mul_no_nan(form, s) with s = step(1 − |v|)), so neither form's ∞ or NaN leaks.
 */
function powPrimeAlongBase(u: Expr, v: Expr, self: Expr): Expr {
  const scaled = (): Expr => mul(v, powPrime(u, sub(v, 1)));
  const fromValue = (): Expr => div(mul(self, sub(v, 1)), u);
  if (v.kind === 'const') return Math.abs(v.value) >= 1 ? scaled() : fromValue();
  const small = step(sub(1, abs(v)));
  return add(mulNoNan(scaled(), sub(1, small)), mulNoNan(fromValue(), small));
}

/**
 * ∂(uᵛ)/∂v = where(u == 0 & v ≥ 0, 0, uᵛ·log u). xlogy(uᵛ, u) is already 0 where uᵛ = 0 (u = 0, v > 0), so the
 * mask only adds the point u = v = 0 (where uᵛ = 1): step(|u| + |v|), 0 exactly there (−0 included) and 1 elsewhere
 * (NaN where u or v is, as the formula is). It is needed only where both can be 0: not for a nonzero constant.
 */
function exponentOfPowPartial(u: Expr, v: Expr, self: Expr): Expr {
  const plain = xlogy(self, u);
  if (nonzeroConstant(u) || nonzeroConstant(v)) return plain;
  return mulNoNan(plain, step(add(abs(u), abs(v))));
}

/** The op table. */
export const ops: { readonly [K in OpName]: OpSpec } = {
  add: {
    arity: 2,
    eval: (a, b) => a + b,
    complex: C.add,
    // d(u + v) = du + dv
    partials: () => [plusOne(), plusOne()],
    syntax: { kind: 'infix', symbol: '+', precedence: 1, associativity: 'left' },
    latex: (a, b) => `${a} + ${b}`,
    latexGrouped: [false, false],
    js: (a, b) => `(${a} + ${b})`,
    mathjs: { kind: 'operator', op: '+', fn: 'add' },
    mathjsDerivative: true,
    domain: everywhere,
    gradFn: named('AddBackward0'),
    simplify: ([a, b]) => (isConstant(b, 0) ? a : isConstant(a, 0) ? b : undefined),
  },
  sub: {
    arity: 2,
    eval: (a, b) => a - b,
    complex: C.sub,
    // d(u - v) = du - dv
    partials: () => [plusOne(), minusOne()],
    syntax: { kind: 'infix', symbol: '-', precedence: 1, associativity: 'left' },
    latex: (a, b) => `${a} - ${b}`,
    latexGrouped: [false, false],
    js: (a, b) => `(${a} - ${b})`,
    mathjs: { kind: 'operator', op: '-', fn: 'subtract' },
    mathjsDerivative: true,
    domain: everywhere,
    // PyTorch computes `1 - a` as a reversed subtraction.
    gradFn: ([aConst]) => (aConst ? 'RsubBackward1' : 'SubBackward0'),
    simplify: ([a, b]) => (isConstant(b, 0) ? a : isConstant(a, 0) ? neg(b) : undefined),
  },
  mul: {
    arity: 2,
    eval: (a, b) => a * b,
    complex: C.mul,
    // d(u·v) = v du + u dv
    partials: ([a, b]) => [b, a],
    syntax: { kind: 'infix', symbol: '*', precedence: 2, associativity: 'left' },
    latex: (a, b) => `${a} \\cdot ${b}`,
    latexGrouped: [false, false],
    js: (a, b) => `(${a} * ${b})`,
    mathjs: { kind: 'operator', op: '*', fn: 'multiply' },
    mathjsDerivative: true,
    domain: everywhere,
    gradFn: named('MulBackward0'),
    // u·1 = u and (−1)·u = −u exactly in floating point (signs of zero and NaN included).
    simplify: ([a, b]) => (isConstant(b, 1) ? a : isConstant(a, 1) ? b : isConstant(a, -1) ? neg(b) : isConstant(b, -1) ? neg(a) : undefined),
  },
  div: {
    arity: 2,
    eval: (a, b) => a / b,
    complex: C.div,
    // d(u/v) = du/v − (u/v)/v dv   (as PyTorch: u/v² would overflow v² once |v| > 1e154 while (u/v)/v does not)
    partials: ([a, b], self) => [div(1, b), neg(div(self, b))],
    syntax: { kind: 'infix', symbol: '/', precedence: 2, associativity: 'left' },
    latex: (a, b) => `\\frac{${a}}{${b}}`,
    latexGrouped: [true, true],
    js: (a, b) => `(${a} / ${b})`,
    mathjs: { kind: 'operator', op: '/', fn: 'divide' },
    mathjsDerivative: true,
    // mathjs's quotient rule squares v; with a constant v it divides u′ by v and squares nothing.
    mathjsDerivativeHolds: {
      where: (_a, b, constant) => constant[1] === true || (Math.abs(b) >= 2 ** -511 && Math.abs(b) < 2 ** 512),
      reason: "mathjs differentiates u/v by the quotient rule (u′·v − u·v′)/v², and v² leaves float64's normal range here (it underflows for |v| < 1.5e-154, overflows for |v| > 1.3e154), where the table's du/v − (u/v)/v dv does not",
    },
    domain: { description: 'v ≠ 0', contains: (_a, b) => b !== 0 },
    // PyTorch computes `2 / a` as `a.reciprocal() * 2`.
    gradFn: ([aConst, bConst]) => (aConst && !bConst ? 'MulBackward0' : 'DivBackward0'),
    simplify: ([a, b]) => (isConstant(b, 1) ? a : undefined),
  },
  neg: {
    arity: 1,
    eval: (a) => -a,
    complex: C.neg,
    // d(−u) = −du
    partials: () => [minusOne()],
    syntax: { kind: 'prefix', symbol: '-', precedence: 3 },
    latex: (a) => `-${a}`,
    latexGrouped: [false],
    js: (a) => `(-${a})`,
    mathjs: { kind: 'operator', op: '-', fn: 'unaryMinus' },
    mathjsDerivative: true,
    domain: everywhere,
    gradFn: named('NegBackward0'),
    simplify: ([a]) => (a.op === 'neg' ? a.args[0] : undefined),
  },
  pow: {
    arity: 2,
    eval: (a, b) => Math.pow(a, b),
    integerPowerAsProducts: true,
    complex: C.pow,
    // d(uᵛ) = v·uᵛ⁻¹ du + uᵛ·log(u) dv, masked as PyTorch's pow backward masks it (FunctionsManual.cpp):
    //   ∂/∂u = where(v == 0, 0, v·uᵛ⁻¹)                    (u⁰ ≡ 1: at u = 0 the product would be 0·∞)
    //   ∂/∂v = where(u == 0 & v ≥ 0, 0, uᵛ·log u)          (0ᵛ = 0 for v > 0; at v = 0 a convention, see below)
    // Each `where` is one mul_no_nan(x, mask), 0 where the mask is 0; a mask that cannot be 0 is left out, so
    // constant exponents and bases keep their plain formulas (2·x for x², xlogy(2ˣ, 2) for 2ˣ).
    partials: ([a, b], self) => [baseOfPowPartial(a, b), exponentOfPowPartial(a, b, self)],
    kinks: '∂(u^v)/∂u = 0 where v = 0, u^0 being 1 for every u (PyTorch); ∂(u^v)/∂v = 0 where u = 0, v ≥ 0 (PyTorch\'s mask: for v > 0 the true derivative, at v = 0 a convention)',
    conventionalPartials: (a, b) =>
      a === 0 && b === 0
        ? [{ argument: 1, why: '0^v jumps at v = 0 (∞ for v < 0, 1 at v = 0, 0 for v > 0), so it has no derivative in v there; 0 is PyTorch\'s convention, which the exact methods follow' }]
        : [],
    // mathjs's v·u^(v−1) forms u^(v−1) alone, which overflows where the product does not: at v = 0 and a tiny u ≠ 0
    // it is 0·∞ (∂/∂u is 0), at u = v = 5e-324 it is ∞ (∂/∂u is 1).
    // And along a variable v at u < 0 where u^v underflows to 0, its u^v·log(u) is 0·NaN where the table's
    // xlogy(u^v, u) is 0, as the reference's is.
    mathjsDerivativeHolds: {
      where: (a, b, constant) =>
        (a === 0 || Number.isFinite(Math.pow(a, b - 1)) || !Number.isFinite(powPrimeValue(a, b))) &&
        !(a < 0 && constant[1] !== true && Math.pow(a, b) === 0),
      reason: "mathjs differentiates u^v as v·u^(v−1)·du + u^v·log(u)·dv: its power u^(v−1) overflows alone for a tiny |u| and v < 0.05 (∞, or 0·∞ = NaN at v = 0, where the derivative along u is finite), and at u < 0 where u^v underflows to 0 its 0·log(u) is NaN where xlogy (PyTorch's rule, which the other exact methods follow) gives 0",
    },
    mathjsRuleDiffers: {
      // With a constant exponent c > 0 mathjs's c·u^(c−1) is the table's own formula; log(u) enters only through a variable v.
      where: (a, b, constArgs) => a === 0 && (b === 0 || (b > 0 && constArgs[1] !== true)),
      note: 'mathjs differentiates u^v by its own formulas, v·u^(v−1) and u^v·log(u), which are 0·∞ (NaN) or −∞ at u = 0, v ≥ 0; it cannot apply the op table\'s masks (PyTorch\'s: ∂/∂u = 0 where v = 0, ∂/∂v = 0 where u = 0, v ≥ 0), so its answer differs here by its formula, not by a bug',
    },
    syntax: { kind: 'infix', symbol: '^', precedence: 4, associativity: 'right' },
    latex: (a, b) => `${a}^{${b}}`,
    latexGrouped: [false, true],
    // A literal exponent of 1 is the base itself (Math.pow returns its base exactly there, NaN and −0 included),
    // which V8 does not fold: without it, x**2's partial 2·x^(2−1) would call pow once per element.
    js: (a, b) => (b === '1' ? a : `Math.pow(${a}, ${b})`),
    mathjs: { kind: 'operator', op: '^', fn: 'pow' },
    mathjsDerivative: true,
    domain: powDomain,
    gradFn: ([, bConst]) => (bConst ? 'PowBackward0' : 'PowBackward1'),
    simplify: ([a, b]) => (isConstant(b, 1) ? a : isConstant(b, 0) ? constant(1) : undefined),
  },
  exp: {
    arity: 1,
    eval: Math.exp,
    complex: C.exp,
    // d eᵘ = eᵘ du
    partials: (_args, self) => [self],
    ...fn('exp'),
    latex: (a) => `e^{${a}}`,
    js: (a) => `Math.exp(${a})`,
    domain: everywhere,
    gradFn: named('ExpBackward0'),
  },
  log: {
    arity: 1,
    eval: Math.log,
    complex: C.log,
    // d log u = du / u
    partials: ([a]) => [div(1, a)],
    ...fn('log'),
    js: (a) => `Math.log(${a})`,
    domain: { description: 'u > 0', contains: (a) => a > 0 },
    gradFn: named('LogBackward0'),
  },
  logBase: {
    arity: 2,
    eval: (a, b) => Math.log(a) / Math.log(b),
    complex: (a, b) => C.div(C.log(a), C.log(b)),
    // d log_b(u) = (1/log b)/u du − (log_b(u)/log b)/b db   (divided in turn: u·log b would overflow or underflow)
    partials: ([a, b], self) => [div(div(1, log(b)), a), neg(div(div(self, log(b)), b))],
    syntax: { kind: 'function', name: 'log' },
    latex: (a, b) => `\\log_{${b}}\\left(${a}\\right)`,
    latexGrouped: [true, true],
    js: (a, b) => `(Math.log(${a}) / Math.log(${b}))`,
    // mathjs differentiates log(u, b) only for a constant base, so lower it to a quotient of natural logs.
    mathjs: { kind: 'lowering', lower: ([a, b]) => div(log(a), log(b)) },
    mathjsDerivative: true,
    domain: { description: 'u > 0, b > 0, b ≠ 1', contains: (a, b) => a > 0 && b > 0 && b !== 1 },
    // PyTorch has no log with a base; users write torch.log(x) / math.log(b).
    gradFn: named('DivBackward0'),
  },
  sqrt: {
    arity: 1,
    eval: Math.sqrt,
    complex: C.sqrt,
    // d √u = du / (2√u)   (inf at u = 0, as PyTorch)
    partials: (_args, self) => [div(1, mul(2, self))],
    ...fn('sqrt'),
    latex: (a) => `\\sqrt{${a}}`,
    js: (a) => `Math.sqrt(${a})`,
    domain: { description: 'u > 0', contains: (a) => a > 0 },
    gradFn: named('SqrtBackward0'),
  },
  cbrt: {
    arity: 1,
    eval: Math.cbrt,
    complex: C.cbrt,
    // d ∛u = du / (3 ∛u²)
    partials: (_args, self) => [div(1, mul(3, pow(self, 2)))],
    ...fn('cbrt'),
    // mathjs's 2/3 is the double 0.6666666666666666, short by 1/(3·2^53) = 3.7e-17: u^(2/3) then carries a relative
    // error of 3.7e-17·|log u|, which passes the 16 roundings (16ε = 96/(3·2^53)) an exact method is allowed once
    // |log u| > 96.
    mathjsDerivativeHolds: {
      where: (a) => a > 0 && Math.abs(Math.log(a)) <= 96,
      reason: 'mathjs differentiates cbrt(u) as 1/(3·u^(2/3)), which is not real for u ≤ 0, and whose exponent 2/3 rounds to 0.6666666666666666 (3.7e-17 short), a relative error of 3.7e-17·|log u| in u^(2/3): more than 16 roundings for u < 2e-42 or u > 5e41',
    },
    latex: (a) => `\\sqrt[3]{${a}}`,
    js: (a) => `Math.cbrt(${a})`,
    domain: nonzero('u'),
    // PyTorch users write x ** (1/3).
    gradFn: named('PowBackward0'),
  },
  sin: {
    arity: 1,
    eval: Math.sin,
    complex: C.sin,
    // d sin u = cos u du
    partials: ([a]) => [cos(a)],
    ...fn('sin'),
    js: (a) => `Math.sin(${a})`,
    periodic: true,
    domain: everywhere,
    gradFn: named('SinBackward0'),
  },
  cos: {
    arity: 1,
    eval: Math.cos,
    complex: C.cos,
    // d cos u = −sin u du
    partials: ([a]) => [neg(sin(a))],
    ...fn('cos'),
    js: (a) => `Math.cos(${a})`,
    periodic: true,
    domain: everywhere,
    gradFn: named('CosBackward0'),
  },
  tan: {
    arity: 1,
    eval: Math.tan,
    complex: C.tan,
    // d tan u = (1 + tan²u) du
    partials: (_args, self) => [add(1, pow(self, 2))],
    ...fn('tan'),
    js: (a) => `Math.tan(${a})`,
    periodic: true,
    domain: { description: 'cos u ≠ 0', contains: (a) => Math.cos(a) !== 0 },
    gradFn: named('TanBackward0'),
  },
  asin: {
    arity: 1,
    eval: Math.asin,
    complex: C.asin,
    // d asin u = du / √((1 − u)(1 + u))   (1 − u² would lose the digits of 1 − |u| near |u| = 1)
    partials: ([a]) => [div(1, sqrt(mul(sub(1, a), add(1, a))))],
    ...fn('asin', '\\arcsin'),
    js: (a) => `Math.asin(${a})`,
    domain: { description: '|u| < 1', contains: (a) => Math.abs(a) < 1 },
    gradFn: named('AsinBackward0'),
  },
  acos: {
    arity: 1,
    eval: Math.acos,
    complex: C.acos,
    // d acos u = −du / √((1 − u)(1 + u))
    partials: ([a]) => [neg(div(1, sqrt(mul(sub(1, a), add(1, a)))))],
    ...fn('acos', '\\arccos'),
    js: (a) => `Math.acos(${a})`,
    domain: { description: '|u| < 1', contains: (a) => Math.abs(a) < 1 },
    gradFn: named('AcosBackward0'),
  },
  atan: {
    arity: 1,
    eval: Math.atan,
    complex: C.atan,
    // d atan u = du / (1 + u²)
    partials: ([a]) => [div(1, add(1, pow(a, 2)))],
    ...fn('atan', '\\arctan'),
    js: (a) => `Math.atan(${a})`,
    domain: everywhere,
    gradFn: named('AtanBackward0'),
  },
  sinh: {
    arity: 1,
    eval: Math.sinh,
    complex: C.sinh,
    // d sinh u = cosh u du
    partials: ([a]) => [cosh(a)],
    ...fn('sinh'),
    js: (a) => `Math.sinh(${a})`,
    domain: everywhere,
    gradFn: named('SinhBackward0'),
  },
  cosh: {
    arity: 1,
    eval: Math.cosh,
    complex: C.cosh,
    // d cosh u = sinh u du
    partials: ([a]) => [sinh(a)],
    ...fn('cosh'),
    js: (a) => `Math.cosh(${a})`,
    domain: everywhere,
    gradFn: named('CoshBackward0'),
  },
  tanh: {
    arity: 1,
    eval: Math.tanh,
    complex: C.tanh,
    // d tanh u = sech²u du = (1/cosh u)² du   (1 − tanh²u is 0 for |u| > 19, where tanh u rounds to ±1)
    partials: ([a]) => [pow(div(1, cosh(a)), 2)],
    // From the saved value t where |t| ≤ 3/4, as (1 − t)(1 + t), without a cosh per element: 1 − |t| is exact there
    // (Sterbenz, |t| ≥ 1/2) or well conditioned, and t's own rounding grows by at most |t|/(1 − |t|) ≤ 3, so about
    // four roundings in all, as many as the cosh form's. Beyond, 1 − t² loses digits (and is 0 past |u| ≈ 19).
    kernelPartialJs: [(a, _b, t) => `(Math.abs(${t}) <= 0.75 ? (1 - ${t}) * (1 + ${t}) : (1 / Math.cosh(${a})) ** 2)`],
    ...fn('tanh'),
    js: (a) => `Math.tanh(${a})`,
    domain: everywhere,
    gradFn: named('TanhBackward0'),
  },
  abs: {
    arity: 1,
    eval: Math.abs,
    complex: { nonAnalytic: '|u| is not analytic (it has no complex derivative anywhere)' },
    // d|u| = sign(u) du   (0 at u = 0, as PyTorch)
    partials: ([a]) => [sign(a)],
    kinks: 'd|u|/du = sign(0) = 0 at u = 0 (PyTorch)',
    ...fn('abs'),
    latex: (a) => `\\left|${a}\\right|`,
    js: (a) => `Math.abs(${a})`,
    domain: nonzero('u'),
    gradFn: named('AbsBackward0'),
  },
  sigmoid: {
    arity: 1,
    eval: sigmoidValue,
    complex: C.sigmoid,
    // d σ(u) = σ(u)·σ(−u) du   (σ(u)(1 − σ(u)) is 0 for u > 37, where σ(u) rounds to 1)
    partials: ([a], self) => [mul(self, sigmoid(neg(a)))],
    ...fn('sigmoid', '\\sigma'),
    // σ(u) = 1/(1 + e^-u) keeps its value finite for every u; its derivative does not (see mathjsDerivativeHolds).
    mathjs: { kind: 'lowering', lower: ([a]) => div(1, add(1, exp(neg(a)))) },
    mathjsDerivativeHolds: {
      where: (a) => Number.isFinite((1 + Math.exp(-a)) ** 2),
      reason: 'mathjs differentiates sigmoid(u), lowered as 1/(1 + exp(-u)), as exp(-u)/(1 + exp(-u))², whose square overflows for u < -354 (0, then NaN)',
    },
    domain: everywhere,
    gradFn: named('SigmoidBackward0'),
  },
  relu: {
    arity: 1,
    eval: (a) => Math.max(a, 0),
    complex: { nonAnalytic: 'relu(u) = max(u, 0) has a kink at 0 and is not analytic' },
    // d relu(u) = step(u) du   (0 at u = 0, as PyTorch)
    partials: ([a]) => [step(a)],
    kinks: 'd relu(u)/du = 0 at u = 0 (PyTorch)',
    ...fn('relu', '\\operatorname{relu}'),
    mathjs: { kind: 'function', name: 'relu', native: false },
    mathjsDerivative: 'mathjs has no derivative rule for relu (max(u, 0))',
    domain: nonzero('u'),
    gradFn: named('ReluBackward0'),
  },
  softplus: {
    arity: 1,
    eval: softplusValue,
    complex: C.softplus,
    // d softplus(u) = σ(u) du
    partials: ([a]) => [sigmoid(a)],
    ...fn('softplus', '\\operatorname{softplus}'),
    mathjs: { kind: 'lowering', lower: ([a]) => log(add(1, exp(a))) },
    mathjsDerivativeHolds: {
      where: (a) => Number.isFinite(Math.exp(a)),
      reason: 'mathjs differentiates softplus(u), lowered as log(1 + exp(u)), as exp(u)/(1 + exp(u)), which is inf/inf = NaN once exp(u) overflows (u > 709)',
    },
    // 1 + exp(u) keeps only the high digits of a small exp(u): log of it is off by up to ε/exp(u) relative, more than
    // 256 roundings once exp(u) < 2^-8, beyond what an exact method's rounding bound allows for one op (mathjs has
    // log1p but no derivative rule for it, so the lowering cannot use it). Seed 2 of the check met it at u = −7.7.
    mathjsValueLoses: {
      where: (a) => Math.exp(a) < 2 ** -8,
      reason: 'mathjs evaluates softplus(u) through its lowering log(1 + exp(u)), whose sum 1 + exp(u) drops the low digits of a small exp(u): the value is off by up to ε/exp(u) relative (more than 256 roundings for u < −5.55), and a partial here uses that value',
    },
    domain: everywhere,
    gradFn: named('SoftplusBackward0'),
  },
  sign: {
    arity: 1,
    eval: Math.sign,
    complex: { nonAnalytic: 'sign(u) is piecewise constant and not analytic' },
    // d sign(u) = 0   (piecewise constant; PyTorch also returns 0)
    partials: () => [constant(0)],
    kinks: 'd sign(u)/du = 0 at u = 0 as elsewhere (PyTorch)',
    ...fn('sign', '\\operatorname{sign}'),
    mathjsDerivative: 'mathjs has no derivative rule for sign',
    domain: nonzero('u'),
    gradFn: named('SignBackward0'),
  },
  step: {
    arity: 1,
    // Heaviside step with step(0) = 0: the derivative of relu, as PyTorch uses it.
    eval: (a) => (a > 0 ? 1 : a <= 0 ? 0 : NaN),
    complex: { nonAnalytic: 'step(u) is piecewise constant and not analytic' },
    // d step(u) = 0   (piecewise constant)
    partials: () => [constant(0)],
    kinks: 'd step(u)/du = 0 at u = 0 as elsewhere',
    ...fn('step', '\\operatorname{step}'),
    mathjs: { kind: 'function', name: 'step', native: false },
    mathjsDerivative: 'mathjs has no derivative rule for the step function',
    domain: nonzero('u'),
    // PyTorch defines no gradient for torch.heaviside; gradlab's is 0, like sign's.
    gradFn: named('HeavisideBackward0'),
  },
  xlogy: {
    arity: 2,
    // u·log(v), defined as 0 where u = 0 (torch.xlogy), so 0·log(0) does not become NaN.
    eval: (a, b) => (a === 0 && !Number.isNaN(b) ? 0 : a * Math.log(b)),
    complex: C.xlogy,
    // d xlogy(u, v) = log(v) du + (u/v) dv
    partials: ([a, b]) => [log(b), div(a, b)],
    ...fn('xlogy', '\\operatorname{xlogy}'),
    latex: (a, b) => `\\operatorname{xlogy}\\left(${a}, ${b}\\right)`,
    latexGrouped: [true, true],
    mathjs: { kind: 'lowering', lower: ([a, b]) => mul(a, log(b)) },
    // mathjs writes ∂/∂v of u·log(v) as u·(1/v): 1/v overflows for v < 5.6e-309, and at u = 0 that is 0·∞.
    mathjsDerivativeHolds: {
      where: (_a, b, constant) => constant[1] === true || Number.isFinite(1 / b),
      reason: 'mathjs differentiates xlogy(u, v), lowered as u·log(v), with ∂/∂v = u·(1/v), whose 1/v overflows for v < 5.6e-309 (∞, and 0·∞ = NaN at u = 0) where u/v is finite',
    },
    domain: { description: 'v > 0', contains: (_a, b) => b > 0 },
    gradFn: named('XlogyBackward0'),
  },
  mulNoNan: {
    arity: 2,
    // u·v, defined as 0 where v = 0 even when u is infinite or NaN (TensorFlow's multiply_no_nan): PyTorch's
    // where(mask == 0, 0, u·mask) as one op, so the op table can state pow's masked partials.
    eval: (a, b) => (b === 0 ? 0 : a * b),
    complex: C.mulNoNan,
    // d mul_no_nan(u, v) = v du + u dv   (the product rule: where v = 0 the value is 0 for every u, so ∂/∂u = v = 0)
    partials: ([a, b]) => [b, a],
    syntax: { kind: 'function', name: 'mul_no_nan' },
    latex: (a, b) => `\\operatorname{mul\\_no\\_nan}\\left(${a}, ${b}\\right)`,
    latexGrouped: [true, true],
    // Operands are names or literals (see codegen), so repeating `b` evaluates nothing twice.
    js: (a, b) => `(${b} === 0 ? 0 : ${a} * ${b})`,
    mathjs: { kind: 'lowering', lower: ([a, b]) => mul(a, b) },
    mathjsDerivative: true,
    mathjsDerivativeHolds: {
      where: (a, b) => Number.isFinite(a) || b !== 0,
      reason: 'mathjs differentiates mul_no_nan(u, v), lowered as u·v, by the product rule, whose u·v is NaN where u is not finite and v = 0 (mul_no_nan is 0 there)',
    },
    domain: everywhere,
    randomExpressions: false,
    // PyTorch has no mul_no_nan; users write torch.where(v == 0, 0, u * v).
    gradFn: named('WhereBackward0'),
    // A constant v decides the mask now: 0 gives 0, any other (NaN included) the plain product.
    simplify: ([a, b]) => (b.kind !== 'const' || b.symbol !== null ? undefined : b.value === 0 ? constant(0) : mul(a, b)),
  },
  powPrime: {
    arity: 2,
    // v·u^(v−1), 0 where v = 0: pow's partial along u as one op, so the table can state it without the overflow of
    // u^(v−1) alone (see powPrimeValue). Not a primitive people write; it appears in derivatives of u^v.
    eval: powPrimeValue,
    complex: C.powPrime,
    // d(v·u^(v−1)) = v·(v−1)·u^(v−2) du + (u^(v−1) + v·u^(v−1)·log u) dv   (see powPrimeAlongBase for du)
    partials: ([a, b], self) => [powPrimeAlongBase(a, b, self), add(pow(a, sub(b, 1)), xlogy(self, a))],
    kinks: '∂pow_prime(u, v)/∂u = 0 where v = 0, as pow_prime(u, 0) ≡ 0',
    syntax: { kind: 'function', name: 'pow_prime' },
    latex: (a, b) => `\\operatorname{pow\\_prime}\\left(${a}, ${b}\\right)`,
    latexGrouped: [true, true],
    mathjs: { kind: 'lowering', lower: ([a, b]) => mul(b, pow(a, sub(b, 1))) },
    mathjsDerivative: true,
    mathjsDerivativeHolds: {
      where: (a, b) => a === 0 || (Number.isFinite(Math.pow(a, b - 1)) && Number.isFinite(Math.pow(a, b - 2))),
      reason: 'mathjs differentiates pow_prime(u, v), lowered as v·u^(v−1), by formulas whose powers u^(v−1) and u^(v−2) overflow alone here (|u| tiny) while the derivative is finite',
    },
    // v·u^(v−1) is smooth where u^v is: the same powers of u, times v.
    domain: powDomain,
    randomExpressions: false,
    // PyTorch computes pow's partial as exponent * self.pow(exponent - 1) (FunctionsManual.cpp), a MulBackward0.
    gradFn: named('MulBackward0'),
    // A constant v decides now: 0 gives 0, one that cannot overflow alone the plain c·u^(c−1) (3·u² for pow_prime(u, 3)).
    simplify: ([a, b]) => {
      if (b.kind !== 'const' || b.symbol !== null) return undefined;
      if (b.value === 0) return constant(0);
      return plainPowPrime(b.value) ? mul(b, pow(a, sub(b, 1))) : undefined;
    },
  },
};

/** Every op name, in table order. */
export const opNames: readonly OpName[] = Object.keys(ops) as OpName[];

/** The ops random-expression generators draw from by default: every op but those marked `randomExpressions: false`. */
export const randomExpressionOps: readonly OpName[] = opNames.filter((op) => ops[op].randomExpressions !== false);

/** True when `name` is one of the primitives. */
export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(ops, name);
}
