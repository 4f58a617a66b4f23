// Specification of the mathjs bridge: IR ⇄ mathjs round trips, lowering, and 100,000-node expressions that mathjs itself cannot take.
import { describe, expect, it } from 'vitest';
import { apply, constant, variable, type Expr } from '../../../src/ir/node.ts';
import { parse } from '../../../src/ir/parse.ts';
import { metrics } from '../../../src/ir/traverse.ts';
import { fromMathjs, lowerForMathjs, toMathjs, unsupportedByMathjs } from '../../../src/diff/symbolic/mathjs-bridge.ts';
import { mainThreadMathjs } from '../../../src/diff/symbolic/mathjs-runner.ts';

const math = mainThreadMathjs();
import { symbolicDerivatives, SymbolicUnavailableError, dagGradient } from '../../../src/diff/symbolic/index.ts';

const x = variable('x');

describe('IR → mathjs → IR', () => {
  it.each([
    'x^2 + 3*x + 1',
    '(w*x + b)^2 - -x',
    'sin(x)^2 + cos(y) / x - tanh(x) + abs(y) - pi * e',
    'exp(-x) * sqrt(y) + cbrt(x) - asin(x / 2) + acos(y / 9) * atan(x)',
    'sinh(x) + cosh(x) - tan(x) + log(y)',
    'x^y^2 / (1 - x)',
    'relu(x) + sign(y) * step(x)',
  ])('returns the same node for %s', (text) => {
    const expr = parse(text);
    expect(fromMathjs(toMathjs(expr))).toBe(expr);
  });

  it('writes ops as mathjs operators and functions, named constants as mathjs symbols', () => {
    expect(toMathjs(parse('-x^2 + sin(x) * pi')).toString()).toBe('-x ^ 2 + sin(x) * pi');
  });

  it('lowers sigmoid, softplus, log with a base and xlogy into ops mathjs differentiates', () => {
    const expr = parse('sigmoid(x) + softplus(y) + log(x, y) + xlogy(x, y)');
    expect(toMathjs(expr).toString()).toBe('1 / (1 + exp(-x)) + log(1 + exp(y)) + log(x) / log(y) + x * log(y)');
    expect(fromMathjs(toMathjs(expr))).toBe(lowerForMathjs(expr));
    expect(lowerForMathjs(parse('x + sin(x)'))).toBe(parse('x + sin(x)'));
  });

  it('reads mathjs’s parentheses, n-ary sums, reciprocal trig functions and unary plus', () => {
    expect(fromMathjs(math.parse('(x + 1) * (y)'))).toBe(parse('(x + 1) * y'));
    expect(fromMathjs(new math.OperatorNode('+', 'add', [new math.SymbolNode('a'), new math.SymbolNode('b'), new math.SymbolNode('c')]))).toBe(parse('a + b + c'));
    expect(fromMathjs(math.parse('sec(x)^2 + sech(x)'))).toBe(parse('(1 / cos(x))^2 + 1 / cosh(x)'));
    expect(fromMathjs(math.parse('+x'))).toBe(x);
    expect(fromMathjs(math.parse('sigmoid(x) + log(x, 2)'))).toBe(parse('sigmoid(x) + log(x, 2)'));
  });

  it('names what has no counterpart in the op table', () => {
    expect(() => fromMathjs(math.parse('gamma(x)'))).toThrow('mathjs function gamma with 1 argument has no counterpart');
    expect(() => fromMathjs(math.parse('x > 0 ? x : 0'))).toThrow('mathjs ConditionalNode has no counterpart');
  });

  it('lists the ops mathjs cannot differentiate, with the op table’s reasons', () => {
    expect(unsupportedByMathjs(parse('relu(x) + sign(x) + relu(y)')).map((u) => u.op)).toEqual(['relu', 'sign']);
    expect(unsupportedByMathjs(parse('sigmoid(x)'))).toEqual([]);
  });
});

describe('100,000-node expressions', () => {
  // x + y + sin(x) + 1 + x + y + … : 100,000 terms, 100,003 distinct nodes, a 200,001-node tree for mathjs.
  const terms = [x, variable('y'), apply('sin', x), constant(1)];
  let sum: Expr = x;
  for (let i = 1; i < 100_000; i++) sum = apply('add', sum, terms[i % terms.length]);
  let nest: Expr = x;
  for (let i = 0; i < 100_000; i++) nest = apply('sin', nest);

  it.each([
    ['a 100,000-term sum', sum],
    ['a 100,000-deep nesting', nest],
  ])('%s converts both ways without recursion', (_name, expr) => {
    expect(fromMathjs(toMathjs(expr))).toBe(expr);
  });

  it.each([
    ['a 100,000-term sum', sum],
    ['a 100,000-deep nesting', nest],
  ])('%s: mathjs’s derivative overflows its stack, reported as a result, not a crash', (_name, expr) => {
    let error: unknown;
    try {
      symbolicDerivatives(expr, ['x'], { budgets: { sizeBudget: 1_000_000 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SymbolicUnavailableError);
    const { failure, reason } = error as SymbolicUnavailableError;
    expect(failure).toBe('overflow');
    expect(reason).toMatch(/^mathjs overflowed its stack on an expression of depth 100,00[0-9] \/ [0-9,]+ nodes \(while differentiating ∂f\/∂x\)$/);
  });

  it('symbolic-dag differentiates both, iteratively', () => {
    // d/dx of 50,000 x's and 25,000 sin(x)'s: the 50,000 ones fold as the adjoints are summed, the cosines add up.
    const [dx, dy] = dagGradient(sum, ['x', 'y']);
    expect(dy).toBe(constant(25_000));
    expect(metrics(dx).dagSize).toBeLessThan(100);
    // d/dx sin(sin(…)) is a product of 100,000 cosines: one new node per level for the adjoint.
    expect(metrics(dagGradient(nest, ['x'])[0]).depth).toBeGreaterThan(100_000);
  });
});

describe('size budget', () => {
  it('the mathjs methods refuse an expression whose tree is over the size budget before sending it', () => {
    // The 20th logistic-map iterate: 60 DAG nodes, 3.1 million tree nodes.
    let l: Expr = x;
    for (let i = 1; i < 20; i++) l = apply('mul', apply('mul', 4, l), apply('sub', 1, l));
    expect(() => symbolicDerivatives(l, ['x'])).toThrow(
      'size budget of 200,000 nodes exceeded before differentiating: mathjs works on trees, and the expression written out as a tree has 3,145,723 nodes (60 distinct)',
    );
  });

  it('a constant-only expression needs no mathjs', () => {
    const [d] = symbolicDerivatives(constant(3), ['x']);
    expect(d.derivative).toBe(constant(0));
  });
});
