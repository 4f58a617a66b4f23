// Specification of the printers: minimal parentheses that parse back to the same DAG, LaTeX, and the Wengert list.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, constant, variable, type Expr } from '../../src/ir/node.ts';
import { opNames, ops } from '../../src/ir/ops.ts';
import { toInfix, toLatex, toWengert } from '../../src/ir/print.ts';
import { parse, parseWengert } from '../../src/ir/parse.ts';

const x = variable('x'), y = variable('y'), z = variable('z');

describe('infix', () => {
  it.each([
    [apply('add', apply('add', apply('pow', x, 2), apply('mul', 3, x)), 1), 'x^2 + 3 * x + 1'],
    [apply('pow', apply('add', x, 1), 2), '(x + 1)^2'],
    [apply('neg', apply('pow', x, 2)), '-x^2'],
    [apply('pow', apply('neg', x), 2), '(-x)^2'],
    [apply('pow', constant(-2), x), '(-2)^x'],
    [apply('pow', x, apply('pow', y, z)), 'x^y^z'],
    [apply('pow', apply('pow', x, y), z), '(x^y)^z'],
    [apply('pow', 2, apply('neg', x)), '2^(-x)'],
    [apply('sub', x, apply('sub', y, z)), 'x - (y - z)'],
    [apply('sub', apply('sub', x, y), z), 'x - y - z'],
    [apply('add', x, apply('add', y, z)), 'x + (y + z)'],
    [apply('div', x, apply('mul', y, z)), 'x / (y * z)'],
    [apply('mul', apply('neg', x), y), '-x * y'],
    [apply('neg', apply('neg', x)), '-(-x)'],
    [apply('mul', x, apply('neg', y)), 'x * -y'],
    [apply('pow', apply('sin', x), 2), 'sin(x)^2'],
    [apply('logBase', x, 2), 'log(x, 2)'],
    [apply('mul', constant(Math.PI, 'pi'), constant(Math.E, 'e')), 'pi * e'],
    [apply('add', x, constant(1e-7)), 'x + 1e-7'],
    [apply('sub', x, constant(-2)), 'x - -2'],
    [apply('neg', constant(2)), '-(2)'],
    [constant(-2), '-2'],
    [apply('neg', constant(Infinity)), '-(Infinity)'],
    [constant(-Infinity), '-Infinity'],
  ])('prints %s as %s', (expr, text) => {
    expect(toInfix(expr as Expr)).toBe(text);
    expect(parse(text)).toBe(expr);
  });

  it('refuses to write out an exponentially large tree and points to the Wengert list', () => {
    let e: Expr = x;
    for (let i = 0; i < 40; i++) e = apply('mul', e, e);
    expect(() => toInfix(e)).toThrow(/Wengert list/);
  });
});

describe('LaTeX', () => {
  it.each([
    [apply('add', apply('add', apply('pow', x, 2), apply('mul', 3, x)), 1), 'x^{2} + 3 \\cdot x + 1'],
    [apply('div', apply('sin', x), apply('add', x, 1)), '\\frac{\\sin\\left(x\\right)}{x + 1}'],
    [apply('pow', apply('add', x, 1), 2), '\\left(x + 1\\right)^{2}'],
    [apply('sqrt', apply('abs', x)), '\\sqrt{\\left|x\\right|}'],
    [apply('logBase', x, 2), '\\log_{2}\\left(x\\right)'],
    [apply('exp', apply('neg', x)), 'e^{-x}'],
    [apply('mul', constant(Math.PI, 'pi'), variable('x_1')), '\\pi \\cdot x_{1}'],
    [apply('mul', 2, variable('rate')), '2 \\cdot \\mathrm{rate}'],
    [apply('add', variable('x1'), variable('theta2')), 'x_{1} + \\mathrm{theta}_{2}'],
  ])('writes %s as %s', (expr, latex) => {
    expect(toLatex(expr as Expr)).toBe(latex);
  });
});

describe('Wengert list', () => {
  it('has one line per distinct operation, children first', () => {
    const a = apply('mul', x, y);
    const e = apply('add', apply('sin', a), a);
    expect(toWengert(e)).toBe('v1 = x * y\nv2 = sin(v1)\nv3 = v2 + v1');
  });

  it('parses back to the same DAG', () => {
    const a = apply('mul', x, y);
    const e = apply('add', apply('sin', a), apply('pow', a, -2));
    expect(toWengert(e)).toBe('v1 = x * y\nv2 = sin(v1)\nv3 = v1^(-2)\nv4 = v2 + v3');
    expect(parseWengert(toWengert(e))).toBe(e);
  });

  it('avoids line names that collide with variables', () => {
    const e = apply('sin', apply('add', variable('v1'), variable('v2')));
    expect(toWengert(e)).toBe('w1 = v1 + v2\nw2 = sin(w1)');
    expect(parseWengert(toWengert(e))).toBe(e);
  });
});

/**
 * Random expressions over every op, for the round-trip property. Kept local, not the public arbitrary: printing is
 * syntax, so it also wants what that arbitrary rules out (ops outside their domains, any double, pi, e, other names).
 */
const expressionArbitrary: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<Expr>(x, y, variable('rate'), constant(Math.PI, 'pi'), constant(Math.E, 'e')),
    fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ noNaN: true })).map((v) => constant(v)),
    fc.tuple(fc.constantFrom(...opNames), tie('expr'), tie('expr')).map(([op, a, b]) => (ops[op].arity === 1 ? apply(op, a) : apply(op, a, b))),
  ),
})).expr;

describe('round trips', () => {
  it('parse(toInfix(e)) is e', () => {
    fc.assert(fc.property(expressionArbitrary, (e) => parse(toInfix(e)) === e), { numRuns: 500 });
  });

  it('parseWengert(toWengert(e)) is e', () => {
    fc.assert(fc.property(expressionArbitrary, (e) => parseWengert(toWengert(e)) === e), { numRuns: 300 });
  });
});
