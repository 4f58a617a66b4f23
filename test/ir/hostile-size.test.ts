// Specification of hostile sizes and arguments: parsing stays linear on huge blank runs and tokens, errors stay short,
// and every public entry point refuses a wrong argument with a clear error instead of an internal one.
import { describe, expect, it } from 'vitest';
import { parse, parseWengert, ParseError } from '../../src/ir/parse.ts';
import { apply, constant, variable } from '../../src/ir/node.ts';
import { compile as compileIr } from '../../src/ir/compile.ts';
import { compile, evaluate, gradient, compileGradient } from '../../src/index.ts';

function refusal(run: () => unknown): ParseError {
  try {
    run();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const M = 1_000_000;
const word = 'a'.repeat(M);

describe('huge tokens: the message and the excerpt stay short', () => {
  const cases: [string, () => unknown][] = [
    ['a 1 MB number literal next to another', () => parse(`2 ${'9'.repeat(M)}`)],
    ['a 1 MB malformed hex literal', () => parse(`0x${'g'.repeat(M)}`)],
    ['a 1 MB literal that overflows', () => parse(`1e309${'0'.repeat(M)}`)],
    ['a 1 MB unknown function name', () => parse(`${word}(x)`)],
    ['a 1 MB string literal', () => parse(`"${word}"`)],
    ['a 1 MB name after an ambiguous 1/2x', () => parse(`${word}/${word} ${word}`)],
    ['a 1 MB assignment target', () => parse(`${word}(${word}) = 1`)],
    ['a 1 MB name assigned twice in a Wengert list', () => parseWengert(`${word} = x\n${word} = y`)],
    ['a 1 MB name used before its assignment', () => parseWengert(`a = ${word}\n${word} = 1`)],
    ['a 1 MB name in its own definition', () => parseWengert(`${word} = ${word} + 1`)],
    ['a 1 MB function definition', () => parseWengert(`${word}(${word}) = 1`)],
    ['a 1 MB Wengert line that is no assignment', () => parseWengert(word)],
  ];
  it.each(cases)('%s', (_label, run) => {
    const error = refusal(run);
    expect(error.message.length).toBeLessThan(400);
    const lines = error.excerpt().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].length).toBeLessThanOrEqual(110);
    expect(lines[1]).toMatch(/^ *\^{1,41}$/);
  });
});

describe('blank runs and nesting parse in linear time (no backtracking regular expression)', () => {
  // Sanity bound, generous for a loaded machine: the quadratic assignment regex this replaces took 3.3 s on 80,000
  // blanks and would take hours on these 2 MB inputs; a linear scan takes milliseconds.
  const N = 2_000_000;
  const inputs: [string, string, boolean][] = [
    ['a name then 2 MB of spaces', `x${' '.repeat(N)}`, true],
    ['a name then 2 MB of line breaks', `x${'\n'.repeat(N)}`, true],
    ['2 MB of line breaks', '\n'.repeat(N), false],
    ['a name, 2 MB of tabs, then =', `x${'\t'.repeat(N)}=`, false],
    ['a call head, 2 MB of blanks, no closing parenthesis', `f(${' '.repeat(N)}`, false],
    ['a name, 2 MB of blanks, then ==', `x${' '.repeat(N)}== 1`, false],
  ];
  it.each(inputs)('%s', (_label, text, ok) => {
    const start = performance.now();
    if (ok) expect(parse(text).kind).toBe('var');
    else expect(() => parse(text)).toThrow(ParseError);
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('a Wengert list of 2 MB of blank lines and a definition-like line parses in linear time', () => {
    const start = performance.now();
    expect(() => parseWengert(`${'\n'.repeat(N)}f(${' '.repeat(N)}`)).toThrow(ParseError);
    expect(parseWengert(`${'\n '.repeat(N / 2)}y = x + 1`).kind).toBe('op');
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('an error at position 0 of multi-line input is on line 1, column 1', () => {
    expect(refusal(() => parse('\n\n')).message).toContain('position 0 (line 1, column 1)');
    expect(refusal(() => parse(')\nx')).message).toContain('position 0 (line 1, column 1)');
  });

  it('assignments and definitions are still refused, by the scan', () => {
    expect(refusal(() => parse('  y\t= x')).message).toMatch(/^assignments are not supported at position 4/);
    expect(refusal(() => parse('f(a, b) = a*b')).message).toContain('write the body of f(a, b) on its own');
    expect(refusal(() => parseWengert('f(a) = a')).message).toMatch(/^function definitions are not supported/);
    expect(refusal(() => parse('x == 1')).message).toMatch(/^comparisons are not supported/);
  });
});

describe('apply() refuses unknown ops and non-expression arguments clearly', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'sine', ''])('op name %j is unknown', (op) => {
    expect(() => apply(op as never, variable('x'))).toThrow(new RegExp(`^unknown op '${op.replace(/[_$]/g, '\\$&')}'; known ops: `));
  });
  it('a non-string op name is unknown', () => {
    expect(() => apply(42 as never, 1)).toThrow(/^unknown op 'number'/);
  });
  it('wrong arity names the op and the counts', () => {
    expect(() => apply('sin', variable('x'), variable('y'))).toThrow('sin takes 1 argument, got 2');
    expect(() => apply('add', variable('x'))).toThrow('add takes 2 arguments, got 1');
  });
  it.each([
    ['a string', 'x', /argument 1 must be an expression node or a number, got the string 'x' \(parse it first/],
    ['null', null, /argument 1 must be an expression node or a number, got null/],
    ['undefined', undefined, /got undefined/],
    ['a look-alike object', { id: 0, kind: 'var', name: 'x', args: [] }, /got object/],
    ['an array', [1], /got object/],
  ])('an argument that is %s', (_label, arg, message) => {
    expect(() => apply('sin', arg as never)).toThrow(message);
    expect(() => apply('add', constant(1), arg as never)).toThrow(TypeError);
  });
  it('numbers and real nodes are accepted', () => {
    expect(apply('add', 1, variable('x')).args[0]).toBe(constant(1));
  });
});

describe('compile() and compileGradient() validate their arguments', () => {
  const e = parse('x*y + sin(x)');
  it.each([NaN, 0, -3, 2.5, '400', null])('chunkSize %j is refused by name', (chunkSize) => {
    expect(() => compileIr(e, ['x', 'y'], { chunkSize: chunkSize as never })).toThrow(/^compile: chunkSize must be a whole number of instructions ≥ 1 \(or Infinity\)/);
    expect(() => compile(e, ['x', 'y'], { chunkSize: chunkSize as never })).toThrow(RangeError);
    expect(() => compileGradient(e, ['x', 'y'], { chunkSize: chunkSize as never })).toThrow(/^compileGradient: chunkSize must be/);
  });
  it('Infinity and whole chunk sizes work', () => {
    expect(compile(e, ['x', 'y'], { chunkSize: Infinity })([2, 3])).toBe(6 + Math.sin(2));
    expect(compile(e, ['x', 'y'], { chunkSize: 1 })([2, 3])).toBe(6 + Math.sin(2));
  });
  it('a non-expression or a bad variable list is refused by name', () => {
    expect(() => compileIr({} as never, ['x'])).toThrow(/^compile: expected an expression/);
    expect(() => compileIr(e, 'xy' as never)).toThrow(/^compile: the variable list must be an array of names/);
    expect(() => compileIr(e, ['x', 3] as never)).toThrow(/^compile: variable 1 must be a non-empty string, got number/);
    expect(() => compileGradient(e, [''] as never)).toThrow(/^compileGradient: variable 0 must be a non-empty string/);
    expect(() => compileIr(e, ['x', 'y'], null as never)).toThrow(/^compile: options must be an object/);
  });
});

describe('gradient() and evaluate() validate their arguments', () => {
  it('refuses a non-expression, a missing point and bad options by name', () => {
    expect(() => gradient(42 as never, { x: 1 })).toThrow(/^gradient: expected an expression/);
    expect(() => gradient('x^2', null as never)).toThrow(/^gradient: the point must be an object/);
    expect(() => gradient('x^2', [1] as never)).toThrow(/got an array/);
    expect(() => gradient('x^2', { x: 1 }, { method: 3 as never })).toThrow(/^gradient: the method option must be a method name/);
    expect(() => gradient('x^2', { x: 1 }, { method: 'constructor' })).toThrow(/^unknown method 'constructor'/);
    expect(() => evaluate({ kind: 'var' } as never, { x: 1 })).toThrow(/^evaluate: expected an expression/);
    expect(() => evaluate('x', undefined as never)).toThrow(/^evaluate: the point must be an object/);
  });
});

describe('evaluate() never returns NaN silently', () => {
  it('names the operation that left its domain, and keeps IEEE infinities', () => {
    expect(() => evaluate('sqrt(x)', { x: -1 })).toThrow(/^the value is undefined \(NaN\) at this point: sqrt\(u\) is NaN at u = -1/);
    expect(() => evaluate('acos(log(x))', { x: 0 })).toThrow(/undefined \(NaN\)/);
    expect(evaluate('log(x)', { x: 0 })).toBe(-Infinity);
  });
});
