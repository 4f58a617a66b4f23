// Specification of the compiler: compiled functions equal the interpreter, stay safe for hostile names and constants, and scale.
import { describe, expect, it } from 'vitest';
import { apply, constant, variable, type Expr } from '../../src/ir/node.ts';
import { compile } from '../../src/ir/compile.ts';
import { evaluateExpr } from '../../src/ir/evaluate.ts';
import { numberLiteral } from '../../src/ir/codegen.ts';
import { parse } from '../../src/ir/parse.ts';

describe('compile', () => {
  it('computes the lesson polynomial', () => {
    const x = variable('x');
    const f = compile(apply('add', apply('add', apply('pow', x, 2), apply('mul', 3, x)), 1), ['x']);
    expect(f([2])).toBe(11);
    expect(f(new Float64Array([3]))).toBe(19);
  });

  it('reads values in the order of the variable list', () => {
    const e = apply('sub', variable('a'), variable('b'));
    expect(compile(e, ['a', 'b'])([5, 2])).toBe(3);
    expect(compile(e, ['b', 'a'])([5, 2])).toBe(-3);
  });

  it('names missing and repeated variables', () => {
    const e = apply('add', variable('x'), variable('y'));
    expect(() => compile(e, ['x'])).toThrow("the expression uses 'y' but the variable list is [x]");
    expect(() => compile(e, ['x', 'y', 'x'])).toThrow("variable 'x' is listed twice");
  });

  it('is safe for any variable name: names never enter the generated code', () => {
    const hostile = [
      'constructor', '__proto__', 'toString', 'valueOf', 'this', 'arguments', 'eval', 'Function',
      'x]); process.exit(1); ([', '"; throw 1; "', '`${process.exit(1)}`', 'a\nb', '\u2028', 't', 'x', 'o', 'F', 'v0',
    ];
    let e: Expr = constant(0);
    hostile.forEach((name, i) => (e = apply('add', e, apply('mul', i + 1, variable(name)))));
    const values = hostile.map((_, i) => i * 0.5);
    const expected = hostile.reduce((sum, _, i) => sum + (i + 1) * values[i], 0);
    expect(compile(e, hostile)(values)).toBe(expected);
  });

  it('keeps every double exactly, including the ones that are not plain literals', () => {
    for (const value of [NaN, Infinity, -Infinity, -0, 0, 5e-324, 1e-320, 1.7976931348623157e308, -2.5, 0.1, 1 / 3]) {
      const f = compile(apply('add', constant(value), variable('x')), ['x']);
      expect(Object.is(f([-0]), value + -0)).toBe(true);
      expect(Object.is(new Function(`return ${numberLiteral(value)}`)(), value)).toBe(true);
    }
  });

  it('gives the same result whatever the chunk size', () => {
    const x = variable('x');
    let e: Expr = x;
    for (let i = 0; i < 500; i++) e = apply('add', apply('mul', apply('sin', e), 0.5), apply('div', x, i + 1));
    const reference = evaluateExpr(e, { x: 0.3 });
    for (const chunkSize of [1, 7, 100, 1500, 100000]) expect(compile(e, ['x'], { chunkSize })([0.3])).toBe(reference);
  });

  it('evaluates each shared subexpression once in the generated code', () => {
    const x = variable('x');
    const shared = apply('exp', x);
    const e = apply('add', apply('mul', shared, shared), shared);
    expect(compile(e, ['x'])([1])).toBe(Math.E * Math.E + Math.E);
  });
});

describe('compile validates its values at the boundary', () => {
  const f = compile(parse('x + y'), ['x', 'y']);
  it('rejects too few or too many values, naming the variables', () => {
    expect(() => f([1])).toThrow(/expected 2 values \(x, y\), got 1/);
    expect(() => f([1, 2, 3])).toThrow(/expected 2 values \(x, y\), got 3/);
  });
  it('rejects strings, null and undefined instead of concatenating or returning NaN', () => {
    expect(() => f(['1', '2'] as unknown as number[])).toThrow(/value 0 \(x\) must be a number, got the string '1'/);
    expect(() => f([1, null] as unknown as number[])).toThrow(/value 1 \(y\) must be a number, got null/);
    expect(() => f([1, undefined] as unknown as number[])).toThrow(/value 1 \(y\) must be a number, got undefined/);
    expect(() => f(null as unknown as number[])).toThrow(/expected an array of 2 numbers/);
  });
  it('accepts plain arrays and Float64Arrays of numbers (NaN is a number and passes through)', () => {
    expect(f([1, 2])).toBe(3);
    expect(f(Float64Array.of(1, 2))).toBe(3);
    expect(f([NaN, 2])).toBeNaN();
  });
});
