// Specification of gradlab's complex arithmetic: the complex step recovers f' to full precision, values are principal and exact on the real axis.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as C from '../../src/ir/complex.ts';
import type { Complex } from '../../src/ir/complex.ts';

const z = C.complex;
const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const power = (p: number) => (w: Complex): Complex => C.pow(w, z(p));

/** A real function, its derivative written by hand, its complex extension, and real points inside its domain. */
interface Case {
  readonly name: string;
  readonly f: (w: Complex) => Complex;
  readonly value: (x: number) => number;
  readonly derivative: (x: number) => number;
  readonly points: readonly number[];
}

const cases: readonly Case[] = [
  { name: 'exp', f: C.exp, value: Math.exp, derivative: Math.exp, points: [-700, -3, -0.5, 0, 1, 5, 700] },
  { name: 'log', f: C.log, value: Math.log, derivative: (x) => 1 / x, points: [1e-3, 0.1, 0.9, 1, 1.5, 10, 1e5] },
  { name: 'sqrt', f: C.sqrt, value: Math.sqrt, derivative: (x) => 0.5 / Math.sqrt(x), points: [1e-3, 0.5, 2, 100] },
  { name: 'cbrt', f: C.cbrt, value: Math.cbrt, derivative: (x) => 1 / (3 * Math.cbrt(x) ** 2), points: [-8, -0.3, 0.2, 27] },
  { name: 'sin', f: C.sin, value: Math.sin, derivative: Math.cos, points: [-2, 0, 0.3, 1, 10] },
  { name: 'cos', f: C.cos, value: Math.cos, derivative: (x) => -Math.sin(x), points: [-2, 0, 0.3, 1, 10] },
  { name: 'tan', f: C.tan, value: Math.tan, derivative: (x) => 1 + Math.tan(x) ** 2, points: [-1.2, 0, 0.3, 1.5] },
  { name: 'asin', f: C.asin, value: Math.asin, derivative: (x) => 1 / Math.sqrt(1 - x * x), points: [-0.9, -0.3, 0, 0.5, 0.7, 0.99] },
  { name: 'acos', f: C.acos, value: Math.acos, derivative: (x) => -1 / Math.sqrt(1 - x * x), points: [-0.9, -0.3, 0, 0.5, 0.7, 0.99] },
  { name: 'atan', f: C.atan, value: Math.atan, derivative: (x) => 1 / (1 + x * x), points: [-10, -1, 0, 0.5, 3] },
  { name: 'sinh', f: C.sinh, value: Math.sinh, derivative: Math.cosh, points: [-700, -30, -2, 0, 0.5, 3, 30, 700] },
  { name: 'cosh', f: C.cosh, value: Math.cosh, derivative: Math.sinh, points: [-700, -30, -2, 0, 0.5, 3, 30, 700] },
  { name: 'tanh', f: C.tanh, value: Math.tanh, derivative: (x) => 1 / Math.cosh(x) ** 2, points: [-700, -30, -2, 0, 0.5, 3, 30, 700] },
  { name: 'sigmoid', f: C.sigmoid, value: sigmoid, derivative: (x) => sigmoid(x) * sigmoid(-x), points: [-700, -30, -2, 0, 1.5, 30, 700] },
  { name: 'softplus', f: C.softplus, value: softplus, derivative: sigmoid, points: [-700, -30, -2, 0, 1.5, 30, 700] },
  { name: 'x^2', f: power(2), value: (x) => x ** 2, derivative: (x) => 2 * x, points: [-3, -0.5, 0, 0.7, 2] },
  { name: 'x^3', f: power(3), value: (x) => x ** 3, derivative: (x) => 3 * x ** 2, points: [-3, -0.5, 0.7, 2] },
  { name: 'x^7', f: power(7), value: (x) => x ** 7, derivative: (x) => 7 * x ** 6, points: [-3, -0.5, 0.7, 1.1, 2] },
  { name: 'x^-1', f: power(-1), value: (x) => x ** -1, derivative: (x) => -(x ** -2), points: [-3, -0.5, 0.7, 2] },
  { name: 'x^-2', f: power(-2), value: (x) => x ** -2, derivative: (x) => -2 * x ** -3, points: [-3, -0.5, 0.7, 2] },
  { name: 'x^2.5', f: power(2.5), value: (x) => x ** 2.5, derivative: (x) => 2.5 * x ** 1.5, points: [0.5, 2, 10, 1e10] },
  { name: 'x^-0.5', f: power(-0.5), value: (x) => x ** -0.5, derivative: (x) => -0.5 * x ** -1.5, points: [0.01, 1, 7] },
  { name: '2^x', f: (w) => C.pow(z(2), w), value: (x) => 2 ** x, derivative: (x) => 2 ** x * Math.LN2, points: [-1, 0.5, 3] },
  { name: '1/x', f: (w) => C.div(z(1), w), value: (x) => 1 / x, derivative: (x) => -1 / (x * x), points: [-3, 0.1, 7] },
  { name: 'x·x', f: (w) => C.mul(w, w), value: (x) => x * x, derivative: (x) => 2 * x, points: [-3, 0.1, 7] },
  { name: 'xlogy(x, 3)', f: (w) => C.xlogy(w, z(3)), value: (x) => x * Math.log(3), derivative: () => Math.log(3), points: [-2, 0.5, 4] },
  { name: 'xlogy(2, x)', f: (w) => C.xlogy(z(2), w), value: (x) => 2 * Math.log(x), derivative: (x) => 2 / x, points: [0.3, 1, 50] },
];

/** |actual − expected| ≤ rel·|expected| + abs, with a message naming the case. */
function expectClose(actual: number, expected: number, rel: number, abs: number, label: string): void {
  const tolerance = rel * Math.abs(expected) + abs;
  expect(Math.abs(actual - expected), `${label}: got ${actual}, want ${expected} (tolerance ${tolerance})`).toBeLessThanOrEqual(tolerance);
}

/** |a − b| ≤ rel·scale in the complex plane. */
function expectNear(a: Complex, b: Complex, rel: number, label: string, scale = C.abs(b)): void {
  const distance = C.abs(C.sub(a, b));
  expect(distance, `${label}: got ${a.re} + ${a.im}i, want ${b.re} + ${b.im}i`).toBeLessThanOrEqual(rel * scale);
}

/** f''' estimated by a central second difference of the hand-written f' (only used to size a tolerance). */
function thirdDerivative(derivative: (x: number) => number, x: number): number {
  const d = 1e-3 * (Math.abs(x) || 1);
  return (derivative(x + d) - 2 * derivative(x) + derivative(x - d)) / (d * d);
}

describe('the complex step Im f(x + ih)/h recovers f′(x)', () => {
  for (const c of cases) {
    it(`${c.name}: with h = 1e-20, Im/h = f′ to 1e-14 and Re = f to 1e-15`, () => {
      const h = 1e-20;
      for (const x of c.points) {
        const w = c.f(z(x, h));
        // Where f′(x) underflows (e^-700 ≈ 1e-304), Im = f′·h is below the subnormals: only the absolute bound can hold.
        expectClose(w.im / h, c.derivative(x), 1e-14, 1e-300, `${c.name} at x = ${x}, Im/h`);
        // Re is f(x) − h²f″(x)/2 exactly; the h² term only shows where f(x) = 0.
        expectClose(w.re, c.value(x), 1e-15, 1e-36, `${c.name} at x = ${x}, Re`);
      }
    });

    it(`${c.name}: with h = 1e-8·max(1, |x|), Im/h = f′ to 1e-12 plus the truncation h²|f‴|/6`, () => {
      for (const x of c.points) {
        const h = 1e-8 * Math.max(1, Math.abs(x));
        const w = c.f(z(x, h));
        const truncation = ((h * h) / 6) * Math.abs(thirdDerivative(c.derivative, x)) * 1.1;
        expectClose(w.im / h, c.derivative(x), 1e-12, truncation + 1e-300, `${c.name} at x = ${x}, h = ${h}`);
      }
    });
  }
});

describe('on the real axis every function is its Math.* counterpart', () => {
  for (const c of cases) {
    it(`${c.name}: f(x + 0i) = value(x) + 0i exactly`, () => {
      for (const x of c.points) {
        const w = c.f(z(x, 0));
        expect(w.re, `${c.name}(${x})`).toBe(c.value(x));
        expect(w.im === 0, `${c.name}(${x}) has im ${w.im}`).toBe(true);
      }
    });
  }
});

describe('values off the real axis are the principal branches', () => {
  const points = [z(0.5, 0.7), z(-1.2, 2), z(3, -0.4), z(-0.3, -0.2), z(0.2, 5)];
  const identities: [string, (w: Complex) => [Complex, Complex, number?]][] = [
    ['exp(log z) = z', (w) => [C.exp(C.log(w)), w]],
    ['sin²z + cos²z = 1', (w) => {
      const s = C.sin(w), c = C.cos(w);
      return [C.add(C.mul(s, s), C.mul(c, c)), z(1), C.abs(s) ** 2 + C.abs(c) ** 2];
    }],
    ['cosh²z − sinh²z = 1', (w) => {
      const s = C.sinh(w), c = C.cosh(w);
      return [C.sub(C.mul(c, c), C.mul(s, s)), z(1), C.abs(s) ** 2 + C.abs(c) ** 2];
    }],
    ['tanh z = sinh z / cosh z', (w) => [C.tanh(w), C.div(C.sinh(w), C.cosh(w))]],
    ['tan z = sin z / cos z', (w) => [C.tan(w), C.div(C.sin(w), C.cos(w))]],
    ['sin(asin z) = z', (w) => [C.sin(C.asin(w)), w]],
    ['cos(acos z) = z', (w) => [C.cos(C.acos(w)), w]],
    ['asin z + acos z = π/2', (w) => [C.add(C.asin(w), C.acos(w)), z(Math.PI / 2)]],
    ['tan(atan z) = z', (w) => [C.tan(C.atan(w)), w]],
    ['sqrt(z)² = z', (w) => [C.mul(C.sqrt(w), C.sqrt(w)), w]],
    ['cbrt(z)³ = z', (w) => [C.pow(C.cbrt(w), z(3)), w]],
    ['pow(z, 2.5) = exp(2.5·log z)', (w) => [C.pow(w, z(2.5)), C.exp(C.mul(z(2.5), C.log(w)))]],
    ['pow(z, 0.3 − 0.8i) = exp((0.3 − 0.8i)·log z)', (w) => [C.pow(w, z(0.3, -0.8)), C.exp(C.mul(z(0.3, -0.8), C.log(w)))]],
    ['pow(z, 3) = z·z·z', (w) => [C.pow(w, z(3)), C.mul(C.mul(w, w), w)]],
    ['pow(z, −2) = 1/(z·z)', (w) => [C.pow(w, z(-2)), C.div(z(1), C.mul(w, w))]],
    ['div(mul(a, b), b) = a', (w) => [C.div(C.mul(w, z(-0.7, 1.3)), z(-0.7, 1.3)), w]],
    ['sigmoid z = 1/(1 + e^−z)', (w) => [C.sigmoid(w), C.div(z(1), C.add(z(1), C.exp(C.neg(w))))]],
    ['softplus z = log(1 + e^z)', (w) => [C.softplus(w), C.log(C.add(z(1), C.exp(w)))]],
    ['xlogy(a, b) = a·log b', (w) => [C.xlogy(z(0.4, -2), w), C.mul(z(0.4, -2), C.log(w))]],
  ];
  for (const [name, check] of identities) {
    it(name, () => {
      for (const w of points) {
        const [lhs, rhs, scale] = check(w);
        expectNear(lhs, rhs, 1e-13, `${name} at ${w.re} + ${w.im}i`, scale ?? C.abs(rhs));
      }
    });
  }

  // Reference values from CPython's cmath (principal branches, C99 Annex G); cbrt's from −(−z)^⅓ for re z < 0.
  const reference: Record<string, [number, number, number, number][]> = {
    exp: [[0.5, 0.7, 1.2610115829047472, 1.0621354039100237], [-1.2, 2.0, -0.12534101847357257, 0.2738751218665545], [-30.0, 0.2, 9.17109351979979e-14, 1.8590726930519714e-14]],
    log: [[0.5, 0.7, -0.1505525463919608, 0.9505468408120751], [-1.2, 2.0, 0.8468895304339256, 2.1112158270654806], [0.2, -30.0, 3.401219603390565, -1.5641297588910283]],
    sqrt: [[0.5, 0.7, 0.8246916171225044, 0.4244010642683773], [-1.2, 2.0, 0.7524562306001992, 1.3289809550813962], [0.2, -30.0, 3.8859147352495667, -3.86009498971589]],
    cbrt: [[0.5, 0.7, 0.9037125869057273, 0.296323691120345], [-1.2, 2.0, -1.2487174999044255, 0.4465831101773921], [0.2, -30.0, 2.694408026153277, -1.5476441024998266]],
    sin: [[0.5, 0.7, 0.6017600765639167, 0.6657198284686204], [-1.2, 2.0, -3.506513433147425, 1.3142209931877984], [0.2, -30.0, 1061537376834.9485, -5236728286151.048]],
    cos: [[0.5, 0.7, 1.1015144315669947, -0.36368439983078843], [-1.2, 2.0, 1.363260782522882, 3.3803756594604573], [0.2, -30.0, 5236728286151.048, 1061537376834.9485]],
    tan: [[0.5, 0.7, 0.3126749196097791, 0.707602911602559], [-1.2, 2.0, -0.025421221267741052, 1.0270626785022532], [0.2, -30.0, 6.81989181123427e-27, -1.0]],
    asin: [[0.5, 0.7, 0.40882452964719346, 0.7034105931881458], [-1.2, 2.0, -0.5025015040266612, 1.563123385388219], [0.2, -30.0, 0.0066628676122408165, -4.094644409076012]],
    acos: [[0.5, 0.7, 1.1619717971477033, -0.7034105931881458], [-1.2, 2.0, 2.073297830821558, -1.563123385388219], [0.2, -30.0, 1.564133459182656, 4.094644409076012]],
    atan: [[0.5, 0.7, 0.6582141341208153, 0.555758115323023], [-1.2, 2.0, -1.3230204900519824, 0.36341163578734553], [0.2, -30.0, 1.5705738672972067, -0.03334420253638606]],
    sinh: [[0.5, 0.7, 0.3985556732375165, 0.7264365913744236], [-1.2, 2.0, 0.6281575679449374, 1.646424448235649], [-30.0, 0.2, -5236728286151.048, 1061537376834.9485]],
    cosh: [[0.5, 0.7, 0.8624559096672307, 0.3356988125356], [-1.2, 2.0, -0.75349858641851, -1.3725493263690942], [-30.0, 0.2, 5236728286151.048, -1061537376834.9485]],
    tanh: [[0.5, 0.7, 0.6860294318300019, 0.5752610889245909], [-1.2, 2.0, -1.114805388302285, -0.15434543021705913], [0.2, -30.0, 3.1925561069336266, 2.3691284229642298]],
    sigmoid: [[0.5, 0.7, 0.6376761095841642, 0.1702056878446728], [-1.2, 2.0, -0.041216172440480606, 0.3260278715927734], [0.2, -30.0, 0.5857246364728832, 0.42068309060514625]],
    softplus: [[0.5, 0.7, 0.9155145292367529, 0.43916523585717115], [-1.2, 2.0, -0.08715531525426876, 0.3034515884366153], [0.2, -30.0, 0.5269174545564447, 0.7930723192269311]],
  };
  for (const [name, rows] of Object.entries(reference)) {
    it(`${name} agrees with CPython's cmath to 1e-15`, () => {
      const f = C[name as keyof typeof C] as (w: Complex) => Complex;
      for (const [x, y, re, im] of rows) expectNear(f(z(x, y)), z(re, im), 1e-15, `${name}(${x} + ${y}i)`);
    });
  }

  const unary = { exp: C.exp, log: C.log, sqrt: C.sqrt, cbrt: C.cbrt, sin: C.sin, cos: C.cos, tan: C.tan, asin: C.asin,
    acos: C.acos, atan: C.atan, sinh: C.sinh, cosh: C.cosh, tanh: C.tanh, sigmoid: C.sigmoid, softplus: C.softplus,
    'pow(·, 2.5)': power(2.5), 'pow(·, −3)': power(-3) };

  it('each function is real on the real axis and so commutes with conjugation: f(z̄) = conj f(z), bit for bit', () => {
    for (const [name, f] of Object.entries(unary)) {
      for (const w of points) {
        const direct = f(z(w.re, -w.im)), mirrored = f(w);
        expect([direct.re, direct.im], `${name} at ${w.re} − ${w.im}i`).toEqual([mirrored.re, -mirrored.im]);
      }
    }
  });

  it('each function is analytic: its difference quotients along 1 and along i agree (Cauchy–Riemann)', () => {
    const d = 1e-6;
    for (const [name, f] of Object.entries(unary)) {
      for (const w of points) {
        const alongReal = C.div(C.sub(f(C.add(w, z(d))), f(C.sub(w, z(d)))), z(2 * d));
        const alongImag = C.div(C.sub(f(C.add(w, z(0, d))), f(C.sub(w, z(0, d)))), z(0, 2 * d));
        expectNear(alongReal, alongImag, 1e-7, `${name} at ${w.re} + ${w.im}i`, C.abs(alongReal) + C.abs(f(w)));
      }
    }
  });

  it('branch cuts and special values follow C99: sqrt(−4 ± 0i) = ±2i, log(−1) = iπ, asin(2) = π/2 + i·acosh 2, atan(2i) = π/2 + i·ln3/2', () => {
    expect(C.sqrt(z(-4, 0))).toEqual(z(0, 2));
    expect(C.sqrt(z(-4, -0))).toEqual(z(0, -2));
    expect(C.log(z(-1, 0))).toEqual(z(0, Math.PI));
    expect(C.log(z(0, 0)).re).toBe(-Infinity);
    expectNear(C.asin(z(2, 0)), z(Math.PI / 2, Math.acosh(2)), 1e-16, 'asin(2 + 0i)');
    expectNear(C.asin(z(2, -0)), z(Math.PI / 2, -Math.acosh(2)), 1e-16, 'asin(2 − 0i)');
    expectNear(C.acos(z(-2, 0)), z(Math.PI, -Math.acosh(2)), 1e-16, 'acos(−2 + 0i)');
    expectNear(C.atan(z(0, 2)), z(Math.PI / 2, Math.log(3) / 2), 1e-16, 'atan(2i)');
    expectNear(C.atan(z(-0, 2)), z(-Math.PI / 2, Math.log(3) / 2), 1e-16, 'atan(−0 + 2i)');
    expectNear(C.pow(z(-8), z(1 / 3)), z(1, Math.sqrt(3)), 1e-15, '(−8)^⅓ is the principal root');
  });
});

describe('the complex step through negative bases and cube roots', () => {
  it('(−3 + ih)² has Im exactly −6h (repeated squaring, not exp(2·log z))', () => {
    for (const h of [1e-20, 1e-200, 1e-8]) expect(C.pow(z(-3, h), z(2)).im).toBe(-6 * h);
  });

  it('cbrt(−8 + ih) = −2 + ih/12: the real cube root continued, not the principal one', () => {
    const w = C.cbrt(z(-8, 1e-20));
    expect(w.re).toBe(-2);
    expectClose(w.im, 1e-20 / 12, 1e-15, 0, 'Im cbrt(−8 + ih)');
  });

  it('asin, acos, atan and log keep imaginary steps so small that their squares underflow', () => {
    // 1e-310 is subnormal: only ~13 significant digits exist to keep.
    expectClose(C.asin(z(0.5, 1e-310)).im, 1e-310 / Math.sqrt(0.75), 1e-12, 0, 'Im asin');
    expectClose(C.acos(z(-0.5, 1e-200)).im, -1e-200 / Math.sqrt(0.75), 1e-15, 0, 'Im acos');
    expectClose(C.atan(z(2, 1e-200)).im, 1e-200 / 5, 1e-15, 0, 'Im atan');
    expectClose(C.log(z(1, 1e-200)).im, 1e-200, 1e-15, 0, 'Im log');
  });
});

describe('extreme magnitudes neither overflow nor produce NaN needlessly', () => {
  it('div and mul scale instead of overflowing: (1e300 + 1e300i)/(1e300 + 1e300i) = 1', () => {
    expect(C.div(z(1e300, 1e300), z(1e300, 1e300))).toEqual(z(1, 0));
    expectNear(C.div(z(1e-300, 1e-300), z(1e-300, -1e-300)), z(0, 1), 1e-15, 'tiny over tiny');
    expectNear(C.div(z(1), z(1e-308, 1e-308)), z(5e307, -5e307), 1e-15, '1/(1e-308 + 1e-308i)');
    expectNear(C.div(z(1e307, 1e-307), z(1e-307, 1e307)), z(0, -1), 1e-15, 'huge over huge·i');
    expectNear(C.div(z(1e-320, 3e-320), z(1e-320, 1e-320)), z(2, 1), 1e-15, 'subnormal over subnormal');
    expectNear(C.mul(z(1e200, 1e200), z(1e-200, -1e-200)), z(2, 0), 1e-15, 'huge times tiny');
    expect(C.div(z(1, 0), z(0, 0))).toEqual(z(Infinity, 0));
  });

  it('tan and tanh stay finite for large |im| and |re| (no ∞/∞): tan(1 ± 800i) = ±i, tanh(±800 + i) = ±1', () => {
    expectNear(C.tan(z(1, 400)), z(0, 1), 1e-16, 'tan(1 + 400i)');
    expectNear(C.tan(z(1, -800)), z(0, -1), 1e-16, 'tan(1 − 800i)');
    expectNear(C.tanh(z(800, 1)), z(1, 0), 1e-16, 'tanh(800 + i)');
    expectNear(C.tanh(z(-800, 0.3)), z(-1, 0), 1e-16, 'tanh(−800 + 0.3i)');
    expect(C.tanh(z(30, 1e-20)).im / 1e-20).toBeGreaterThan(0);
  });

  it('sigmoid and softplus stay finite at re = ±800', () => {
    expectNear(C.sigmoid(z(-800, 0.1)), z(0, 0), 1, 'sigmoid(−800 + 0.1i)', 1e-300);
    expectNear(C.sigmoid(z(800, 0.1)), z(1, 0), 1e-16, 'sigmoid(800 + 0.1i)');
    expectNear(C.softplus(z(800, 0.1)), z(800, 0.1), 1e-16, 'softplus(800 + 0.1i)');
    expectNear(C.softplus(z(-800, 0.1)), z(0, 0), 1, 'softplus(−800 + 0.1i)', 1e-300);
  });

  it('exp, sinh and cosh are finite where e^x overflows but e^x·cos y does not', () => {
    const x = 710.8, y = 1.5;
    // e^x·cos y = (e^(x − 700)·cos y)·e^700, each factor in range (x − 700 is exact).
    const expected = Math.exp(x - 700) * Math.cos(y) * Math.exp(700);
    expect(Math.exp(x)).toBe(Infinity);
    expectClose(C.exp(z(x, y)).re, expected, 1e-13, 0, 'Re exp');
    expectClose(C.sinh(z(x, y)).re, C.exp(z(x, y)).re / 2, 1e-15, 0, 'Re sinh');
    expectClose(C.cosh(z(-x, y)).re, C.exp(z(x, y)).re / 2, 1e-15, 0, 'Re cosh');
  });
});

describe('conventions', () => {
  it('xlogy(0, 0) = 0 + 0i, as torch.xlogy; xlogy(0, NaN) is NaN', () => {
    expect(C.xlogy(z(0), z(0))).toEqual(z(0, 0));
    expect(C.xlogy(z(0), z(-2, 1))).toEqual(z(0, 0));
    expect(Number.isNaN(C.xlogy(z(0), z(NaN)).re)).toBe(true);
  });

  it('pow(0, b) follows Math.pow for real b: 0^2.5 = 0, 0^0 = 1, 0^−1 = ∞', () => {
    expect(C.pow(z(0), z(2.5))).toEqual(z(0, 0));
    expect(C.pow(z(0), z(0))).toEqual(z(1, 0));
    expect(C.pow(z(0), z(-1)).re).toBe(Infinity);
    expect(C.pow(z(0), z(2, 1))).toEqual(z(0, 0));
  });

  it('abs is the modulus and complex(re) has im 0', () => {
    expect(C.abs(z(3, -4))).toBe(5);
    expectClose(C.abs(z(1e300, 1e300)), Math.SQRT2 * 1e300, 1e-15, 0, '|1e300 + 1e300i|');
    expect(z(2)).toEqual({ re: 2, im: 0 });
  });
});

describe('properties', () => {
  const component = fc.tuple(fc.double({ min: -150, max: 150, noNaN: true }), fc.boolean()).map(([e, s]) => (s ? -1 : 1) * 10 ** e);
  const wide = fc.tuple(component, component).map(([re, im]) => z(re, im));
  const moderate = fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: -1e3, max: 1e3, noNaN: true }))
    .filter(([re, im]) => Math.hypot(re, im) > 1e-3)
    .map(([re, im]) => z(re, im));

  it('div(mul(a, b), b) = a across 300 orders of magnitude', () => {
    fc.assert(fc.property(wide, wide, (a, b) => {
      expectNear(C.div(C.mul(a, b), b), a, 1e-14, 'div(mul(a, b), b)');
    }), { numRuns: 300 });
  });

  it('exp(log z) = z and sqrt(z)² = z', () => {
    fc.assert(fc.property(moderate, (w) => {
      expectNear(C.exp(C.log(w)), w, 1e-14, 'exp(log z)');
      expectNear(C.mul(C.sqrt(w), C.sqrt(w)), w, 1e-15, 'sqrt(z)²');
    }), { numRuns: 300 });
  });
});
