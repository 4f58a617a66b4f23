// Specification of scale: 100,000-term sums and 100,000-deep nestings parse, print, hash-cons, evaluate and compile without recursion.
import { describe, expect, it } from 'vitest';
import { apply, variable, type Expr } from '../../src/ir/node.ts';
import { metrics } from '../../src/ir/traverse.ts';
import { toInfix, toLatex, toWengert } from '../../src/ir/print.ts';
import { parse, parseWengert } from '../../src/ir/parse.ts';
import { evaluateExpr } from '../../src/ir/evaluate.ts';
import { compile } from '../../src/ir/compile.ts';

const N = 100_000;

describe(`a ${N}-term sum`, () => {
  const terms = Array.from({ length: N }, (_, i) => `x${i % 100}`);
  const text = terms.join(' + ');
  const point = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, i / 10]));
  const expected = terms.reduce((s, t) => s + point[t], 0);

  it('parses, hash-conses, prints back and evaluates', () => {
    const e = parse(text);
    expect(metrics(e)).toMatchObject({ dagSize: (N - 1) + 100, depth: N });
    expect(toInfix(e)).toBe(text);
    expect(parse(toInfix(e))).toBe(e);
    expect(evaluateExpr(e, point)).toBe(expected);
    expect(toLatex(e).length).toBeGreaterThan(text.length / 2);
  });

  it('compiles into chunks that compute the same value', () => {
    const e = parse(text);
    const names = Object.keys(point);
    expect(compile(e, names)(names.map((n) => point[n]))).toBe(expected);
  });
});

describe(`a ${N}-deep nesting`, () => {
  it('sin(sin(…sin(x)…)) parses, prints, evaluates and compiles', () => {
    const text = 'sin('.repeat(N) + 'x' + ')'.repeat(N);
    const e = parse(text);
    expect(metrics(e)).toMatchObject({ treeSize: N + 1, dagSize: N + 1, depth: N + 1 });
    expect(toInfix(e)).toBe(text);
    let expected = 0.5;
    for (let i = 0; i < N; i++) expected = Math.sin(expected);
    expect(evaluateExpr(e, { x: 0.5 })).toBe(expected);
    expect(compile(e, ['x'])([0.5])).toBe(expected);
  });

  it('a Wengert list of the nesting round-trips', () => {
    let e: Expr = variable('x');
    for (let i = 0; i < N; i++) e = apply('tanh', apply('mul', e, 1.5));
    const text = toWengert(e);
    expect(text.split('\n')).toHaveLength(2 * N);
    expect(parseWengert(text)).toBe(e);
  });

  it('deeply nested parentheses parse', () => {
    expect(parse('('.repeat(N) + 'x' + ')'.repeat(N))).toBe(variable('x'));
  });
});
