// Complex arithmetic for the complex-step method: true complex functions that keep tiny imaginary parts exact.
//
// The complex step f'(x) ≈ Im f(x + ih)/h works with h = 1e-20 only if no formula cancels the tiny imaginary
// part away, so every function here is written to keep it to full relative accuracy (log1p, hypot, atan2,
// Hull–Fairgrieve–Tang for asin/acos, sech² without 1 − tanh²). Each function is also the principal branch
// for any complex input, and on the real axis inside the real domain it returns exactly `Math.*` with im = 0
// (the input's own ±0 where f(z̄) = conj f(z) makes that the natural sign, as C99's Annex G does).

/** A complex number `re + i·im`. */
export interface Complex {
  readonly re: number;
  readonly im: number;
}

/** The complex number `re + i·im` (im defaults to 0). */
export function complex(re: number, im = 0): Complex {
  return { re, im };
}

const ONE = complex(1, 0);
const EPS = Number.EPSILON;
const LN2 = Math.LN2;
const HALF_PI = Math.PI / 2;

/** `|m|` with the sign of `s`, -0 counting as negative (C's copysign). */
function copySign(m: number, s: number): number {
  return s < 0 || Object.is(s, -0) ? -Math.abs(m) : Math.abs(m);
}

/** e^x · c, finite when the product is although e^x alone overflows (x above 709.8, up to about 1419). */
function expTimes(x: number, c: number): number {
  const e = Math.exp(x);
  if (e < Infinity || x === Infinity) return e * c;
  const half = Math.exp(x / 2);
  return half * c * half;
}

/** a + b. */
export function add(a: Complex, b: Complex): Complex {
  return complex(a.re + b.re, a.im + b.im);
}

/** a − b. */
export function sub(a: Complex, b: Complex): Complex {
  return complex(a.re - b.re, a.im - b.im);
}

/** −a. */
export function neg(a: Complex): Complex {
  return complex(-a.re, -a.im);
}

/** a · b; a real factor scales componentwise, so no 0·∞ = NaN appears where the real product is defined. */
export function mul(a: Complex, b: Complex): Complex {
  if (b.im === 0) return complex(a.re * b.re, a.im === 0 ? 0 : a.im * b.re);
  if (a.im === 0) return complex(a.re * b.re, a.re * b.im);
  return complex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}

/** a / b by Smith's algorithm in Baudin and Smith's robust form (2012): no needless overflow, underflow or NaN. */
export function div(a: Complex, b: Complex): Complex {
  if (b.im === 0) return complex(a.re / b.re, a.im === 0 ? 0 : a.im / b.re);
  let p = a.re, q = a.im, c = b.re, d = b.im;
  // Scale by powers of two (exact) so that neither the numerator nor the denominator sits at the edge of the range.
  const big = Number.MAX_VALUE / 2, small = (2 ** -1022 * 2) / EPS, up = 2 / (EPS * EPS);
  const ab = Math.max(Math.abs(p), Math.abs(q)), cd = Math.max(Math.abs(c), Math.abs(d));
  let scale = 1;
  if (ab >= big) { p /= 2; q /= 2; scale *= 2; }
  if (cd >= big) { c /= 2; d /= 2; scale /= 2; }
  if (ab <= small) { p *= up; q *= up; scale /= up; }
  if (cd <= small) { c *= up; d *= up; scale *= up; }
  if (Math.abs(d) <= Math.abs(c)) {
    const [e, f] = smith(p, q, c, d);
    return complex(e * scale, f * scale);
  }
  // (p + iq)/(c + id) is the conjugate of (q + ip)/(d + ic).
  const [e, f] = smith(q, p, d, c);
  return complex(e * scale, -f * scale);
}

/** (a + ib)/(c + id) for |d| ≤ |c|, with r = d/c: re = (a + b·r)/(c + d·r), im = (b − a·r)/(c + d·r). */
function smith(a: number, b: number, c: number, d: number): [number, number] {
  const r = d / c;
  const t = 1 / (c + d * r);
  return [smithPart(a, b, c, d, r, t), smithPart(b, -a, c, d, r, t)];
}

/** (a + b·r)·t, reordered when b·r or r underflows (Baudin and Smith). */
function smithPart(a: number, b: number, c: number, d: number, r: number, t: number): number {
  if (r === 0) return (a + d * (b / c)) * t;
  const br = b * r;
  return br !== 0 ? (a + br) * t : a * t + b * t * r;
}

/** a^b, principal branch. An integer real exponent uses exact repeated squaring, so (−3 + ih)² has Im exactly −6h. */
export function pow(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0 && (a.re >= 0 || Number.isInteger(b.re))) return complex(Math.pow(a.re, b.re), 0);
  if (b.im === 0 && Number.isInteger(b.re)) return b.re < 0 ? div(ONE, powInt(a, -b.re)) : powInt(a, b.re);
  const c = b.re, d = b.im;
  if (a.re === 0 && a.im === 0) return c > 0 ? complex(0, 0) : complex(NaN, NaN);
  // a^b = e^{b log a} = |a|^c · e^{−dθ} · cis(cθ + d·log|a|), θ = arg a; Math.pow keeps |a|^c as accurate as the real power.
  const theta = Math.atan2(a.im, a.re);
  let modulus = Math.pow(abs(a), c);
  let angle = c * theta;
  if (d !== 0) {
    const logAbs = log(a).re;
    const damping = Math.exp(-d * theta);
    modulus = modulus > 0 && modulus < Infinity ? modulus * damping : Math.exp(c * logAbs - d * theta);
    angle += d * logAbs;
  }
  return complex(modulus * Math.cos(angle), modulus * Math.sin(angle));
}

/** z^n for an integer n ≥ 0 by repeated squaring. */
function powInt(z: Complex, n: number): Complex {
  let result = ONE, base = z;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result = mul(result, base);
    if (k > 1) base = square(base);
  }
  return result;
}

/** z² = (x − y)(x + y) + 2ixy. */
function square(z: Complex): Complex {
  const { re: x, im: y } = z;
  return complex((x - y) * (x + y), 2 * (x * y));
}

/** e^z = e^x (cos y + i sin y). */
export function exp(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.exp(x), y);
  return complex(expTimes(x, Math.cos(y)), expTimes(x, Math.sin(y)));
}

/** Principal log z = log|z| + i arg z, with log|z| through log1p near the unit circle. */
export function log(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0 && x >= 0) return complex(Math.log(x), y);
  const hi = Math.max(Math.abs(x), Math.abs(y)), lo = Math.min(Math.abs(x), Math.abs(y));
  let re: number;
  if (lo === 0) re = Math.log(hi);
  // log|z| = ½·log1p(hi² − 1 + lo²); hi − 1 is exact for hi in [½, 2].
  else if (hi >= 0.5 && hi <= 2) re = 0.5 * Math.log1p((hi - 1) * (hi + 1) + lo * lo);
  else re = Math.log(Math.hypot(x, y));
  return complex(re, Math.atan2(y, x));
}

/** log(1 + w), keeping the digits of a small w: |1 + w|² = (1 + u)²·(1 + q²) with q = v/(1 + u). */
function log1p(w: Complex): Complex {
  const { re: u, im: v } = w;
  if (u > -0.5 && Math.abs(v) <= 1 + u) {
    const q = v / (1 + u);
    return complex(Math.log1p(u) + 0.5 * Math.log1p(q * q), Math.atan2(v, 1 + u));
  }
  return log(complex(1 + u, v));
}

/** Principal square root (Kahan): t = √((|x| + |z|)/2), then the other part is y/(2t); cut along the negative axis. */
export function sqrt(a: Complex): Complex {
  let { re: x, im: y } = a;
  if (y === 0 && x >= 0) return complex(Math.sqrt(x) + 0, y); // + 0: √(−0 + 0i) is +0
  if (Math.abs(y) === Infinity) return complex(Infinity, y);
  // Scale by an even power of two (exact, and exact through the root) so |x| + |z| neither overflows nor loses bits.
  const hi = Math.max(Math.abs(x), Math.abs(y));
  let unscale = 1;
  if (hi > 2 ** 1020) { x /= 4; y /= 4; unscale = 2; }
  else if (hi < 2 ** -1000) { x *= 2 ** 108; y *= 2 ** 108; unscale = 2 ** -54; }
  const t = Math.sqrt((Math.abs(x) + Math.hypot(x, y)) / 2);
  const other = Math.abs(y) / (2 * t);
  return x >= 0
    ? complex(t * unscale, copySign(other, y) * unscale)
    : complex(other * unscale, copySign(t, y) * unscale);
}

/** The real cube root continued analytically: |z|^⅓·cis(arg z/3) for re ≥ 0 and −∛(−z) for re < 0, so cbrt(−8 + ih) ≈ −2 + ih/12. */
export function cbrt(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.cbrt(x), y);
  if (x < 0) return neg(cbrt(neg(a)));
  const r = Math.cbrt(Math.hypot(x, y)), theta = Math.atan2(y, x) / 3;
  return complex(r * Math.cos(theta), r * Math.sin(theta));
}

/** sinh z = sinh x cos y + i cosh x sin y. */
export function sinh(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.sinh(x), y);
  const cosY = Math.cos(y), sinY = Math.sin(y), coshX = Math.cosh(x);
  if (coshX === Infinity && Number.isFinite(x)) {
    // |x| > 710: sinh x ≈ ±cosh x ≈ ±e^|x|/2, which overflows alone but not always times cos y or sin y.
    const ax = Math.abs(x);
    return complex(Math.sign(x) * expTimes(ax, cosY / 2), expTimes(ax, sinY / 2));
  }
  return complex(Math.sinh(x) * cosY, coshX * sinY);
}

/** cosh z = cosh x cos y + i sinh x sin y. */
export function cosh(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.cosh(x), 0);
  const cosY = Math.cos(y), sinY = Math.sin(y), coshX = Math.cosh(x);
  if (coshX === Infinity && Number.isFinite(x)) {
    const ax = Math.abs(x);
    return complex(expTimes(ax, cosY / 2), Math.sign(x) * expTimes(ax, sinY / 2));
  }
  return complex(coshX * cosY, Math.sinh(x) * sinY);
}

/** tanh z = (T(1 + u²) + i·u·sech²x)/(1 + T²u²), T = tanh x, u = tan y: no ∞/∞ for large |x|, no 1 − T² cancellation. */
export function tanh(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.tanh(x), y);
  const T = Math.tanh(x), u = Math.tan(y);
  // sech²x = 4e/(1 + e)² with e = e^{−2|x|}: full relative accuracy even where tanh x rounds to ±1.
  const e = Math.exp(-2 * Math.abs(x));
  const sech2 = (4 * e) / ((1 + e) * (1 + e));
  const d = 1 + T * T * (u * u);
  return complex((T * (1 + u * u)) / d, (u * sech2) / d);
}

/** sin z = −i·sinh(iz). */
export function sin(a: Complex): Complex {
  if (a.im === 0) return complex(Math.sin(a.re), a.im);
  const s = sinh(complex(-a.im, a.re));
  return complex(s.im, -s.re);
}

/** cos z = cosh(iz). */
export function cos(a: Complex): Complex {
  if (a.im === 0) return complex(Math.cos(a.re), 0);
  return cosh(complex(-a.im, a.re));
}

/** tan z = −i·tanh(iz), stable for large |im z|. */
export function tan(a: Complex): Complex {
  if (a.im === 0) return complex(Math.tan(a.re), a.im);
  const t = tanh(complex(-a.im, a.re));
  return complex(t.im, -t.re);
}

/**
 * asin and acos for x, y ≥ 0 by Hull, Fairgrieve and Tang (ACM TOMS 23(3), 1997):
 * [Re asin z, Re acos z, Im asin z] (and Im acos z = −Im asin z).
 */
function asinAcosFirstQuadrant(x: number, y: number): [number, number, number] {
  if (x > 1e150 || y > 1e150) {
    // |z| ≫ 1: asin z ≈ −i·log(2iz), so Re = arg(x + iy) measured from the imaginary axis and Im = log(2|z|).
    const hi = Math.max(x, y), lo = Math.min(x, y);
    return [Math.atan2(x, y), Math.atan2(y, x), Math.log(hi) + 0.5 * Math.log1p((lo / hi) ** 2) + LN2];
  }
  if (y <= EPS * Math.abs(1 - x)) {
    // y negligible next to |1 − x|: the first-order expansion in y is exact to rounding (this is the complex step).
    if (x < 1) return [Math.asin(x), Math.acos(x), y / Math.sqrt((1 - x) * (1 + x))];
    const shift = y === 0 ? 0 : y / Math.sqrt((x - 1) * (x + 1));
    return [HALF_PI - shift, shift, Math.acosh(x)];
  }
  const r = Math.hypot(x + 1, y), s = Math.hypot(x - 1, y);
  const A = 0.5 * (r + s); // (|z + 1| + |z − 1|)/2 ≥ 1
  const B = x / A; // = sin(Re asin z)
  const yyOverR = y * (y / (r + (x + 1))); // y²/(r + x + 1), = r − (x + 1)
  let reAsin: number, reAcos: number;
  if (B <= 0.6417) {
    reAsin = Math.asin(B);
    reAcos = Math.acos(B);
  } else {
    // tan(Re asin z) = x/√(A² − x²), with A² − x² rewritten without cancellation (HFT split it at x = 1).
    const den = x <= 1
      ? Math.sqrt(0.5 * (A + x) * (yyOverR + (s + (1 - x))))
      : y * Math.sqrt(0.5 * ((A + x) / (r + (x + 1)) + (A + x) / (s + (x - 1))));
    reAsin = Math.atan(x / den);
    reAcos = Math.atan(den / x);
  }
  let im: number;
  if (A <= 1.5) {
    // Im = log(A + √(A² − 1)) = log1p(Am1 + √(Am1·(A + 1))) with Am1 = A − 1 computed without cancellation
    // (kept doubled inside the root, so a subnormal y loses no bits to the halving).
    const twoAm1 = x < 1 ? yyOverR + y * (y / (s + (1 - x))) : yyOverR + (s + (x - 1));
    im = Math.log1p(0.5 * twoAm1 + Math.sqrt(twoAm1 * (0.5 * (A + 1))));
  } else {
    im = Math.log(A + Math.sqrt((A - 1) * (A + 1)));
  }
  return [reAsin, reAcos, im];
}

/** Principal arcsine (cuts (−∞, −1] and [1, ∞)), Hull–Fairgrieve–Tang. */
export function asin(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0 && Math.abs(x) <= 1) return complex(Math.asin(x), y);
  const [re, , im] = asinAcosFirstQuadrant(Math.abs(x), Math.abs(y));
  // asin is odd and commutes with conjugation.
  return complex(copySign(re, x), copySign(im, y));
}

/** Principal arccosine (cuts (−∞, −1] and [1, ∞)), Hull–Fairgrieve–Tang. */
export function acos(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0 && Math.abs(x) <= 1) return complex(Math.acos(x), 0);
  if (Math.abs(x) < 1 && Math.abs(y) <= EPS * (1 - Math.abs(x))) {
    // The complex step: acos(x + iy) = acos x − iy/√(1 − x²) to rounding; keeps Re exactly Math.acos(x) for x < 0 too.
    return complex(Math.acos(x), -y / Math.sqrt((1 - x) * (1 + x)));
  }
  const [, re, im] = asinAcosFirstQuadrant(Math.abs(x), Math.abs(y));
  // acos(−z) = π − acos z; acos(z̄) = conj acos z.
  return complex(x < 0 ? Math.PI - re : re, -copySign(im, y));
}

/** Principal arctangent (cuts ±i[1, ∞)): Re = ½[arg(1 + y + ix) + arg(1 − y + ix)], Im = ¼·log1p(4y/(x² + (1 − y)²)). */
export function atan(a: Complex): Complex {
  const { re: x, im: y } = a;
  if (y === 0) return complex(Math.atan(x), y);
  const re = 0.5 * (Math.atan2(x, 1 + y) + Math.atan2(x, 1 - y));
  // Im for |y| (atan commutes with conjugation), so the log1p argument is ≥ 0 and never cancels.
  const ay = Math.abs(y), h = Math.hypot(x, 1 - ay);
  const im = h > 1e-100 ? 0.25 * Math.log1p(((4 * ay) / h) / h) : 0.25 * (Math.log(4 * ay) - 2 * Math.log(h));
  return complex(re, copySign(im, y));
}

/** The logistic sigmoid 1/(1 + e^−z), computed as e^z/(1 + e^z) for re z < 0 so e^−z never overflows. */
export function sigmoid(a: Complex): Complex {
  if (a.re >= 0) {
    const e = exp(neg(a));
    return div(ONE, complex(1 + e.re, e.im));
  }
  const e = exp(a);
  return div(e, complex(1 + e.re, e.im));
}

/** softplus z = log(1 + e^z) (principal log), as z + log1p(e^−z) for re z > 0 so nothing overflows and small terms keep their digits. */
export function softplus(a: Complex): Complex {
  // Directly where e^z is small, or where it is finite and the strip |Im z| ≤ π is left (the principal log then picks the branch).
  if (a.re <= 0 || (Math.abs(a.im) > Math.PI && a.re < 700)) return log1p(exp(a));
  // log(1 + e^z) = z + log(1 + e^−z) − 2πik, with k bringing Im back into (−π, π] (k = 0 for |Im z| ≤ π).
  const w = add(a, log1p(exp(neg(a))));
  if (Math.abs(w.im) <= Math.PI) return w;
  const k = Math.ceil((w.im - Math.PI) / (2 * Math.PI));
  return complex(w.re, w.im - 2 * Math.PI * k);
}

/** a·log(b), exactly 0 + 0i when a = 0 + 0i and b is not NaN (torch.xlogy), so 0·log 0 is 0. */
export function xlogy(a: Complex, b: Complex): Complex {
  if (a.re === 0 && a.im === 0 && !Number.isNaN(b.re) && !Number.isNaN(b.im)) return complex(0, 0);
  return mul(a, log(b));
}

/**
 * a·b, exactly 0 + 0i when b = 0 + 0i even if a is infinite or NaN (TensorFlow's multiply_no_nan). The mask is on
 * b's exact zero, not on its real part: along b = 0 + ih the product a·ih keeps the derivative a in its imaginary part.
 */
export function mulNoNan(a: Complex, b: Complex): Complex {
  if (b.re === 0 && b.im === 0) return complex(0, 0);
  return mul(a, b);
}

/**
 * b·a^(b−1), exactly 0 + 0i when b = 0 + 0i (pow's partial along its base, as the op table's pow_prime). Where the
 * power alone overflows, (b·h)·h with h = a^((b−1)/2) keeps each factor in range, as the real pow_prime does.
 */
export function powPrime(a: Complex, b: Complex): Complex {
  if (b.re === 0 && b.im === 0) return complex(0, 0);
  const bMinusOne = complex(b.re - 1, b.im);
  const power = pow(a, bMinusOne);
  if (Number.isFinite(power.re) && Number.isFinite(power.im)) return mul(b, power);
  const half = pow(a, complex(bMinusOne.re / 2, bMinusOne.im / 2));
  return mul(mul(b, half), half);
}

/** The modulus |a| (a helper: not analytic, so not a complex-step op). */
export function abs(a: Complex): number {
  return Math.hypot(a.re, a.im);
}
