// Specification of the parser: mathjs's grammar and trees (checked against mathjs.parse), `**`, Wengert lists, 100,000-scale inputs, and fuzzed refusals.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as mathParse, type MathNode } from 'mathjs';
import { apply, constant, variable, type Expr } from '../../src/ir/node.ts';
import { opNames, ops } from '../../src/ir/ops.ts';
import { parse, parseWengert, ParseError, supportedFunctions } from '../../src/ir/parse.ts';
import { topologicalOrder } from '../../src/ir/traverse.ts';

const x = variable('x'), y = variable('y'), z = variable('z'), a = variable('a'), b = variable('b'), c = variable('c');
const pi = constant(Math.PI, 'pi'), e = constant(Math.E, 'e');
const [add, sub, mul, div, pow] = (['add', 'sub', 'mul', 'div', 'pow'] as const).map((op) => (l: Expr | number, r: Expr | number) => apply(op, l, r));
const neg = (u: Expr | number) => apply('neg', u);
const sin = (u: Expr) => apply('sin', u);

describe('precedence and associativity (as mathjs)', () => {
  it.each<[string, Expr]>([
    ['x+2*y', add(x, mul(2, y))],
    ['x*2+y', add(mul(x, 2), y)],
    ['a-b-c', sub(sub(a, b), c)],
    ['a-(b-c)', sub(a, sub(b, c))],
    ['a/b/c', div(div(a, b), c)],
    ['a/b*c', mul(div(a, b), c)],
    ['a*b/c', div(mul(a, b), c)],
    ['a+b-c', sub(add(a, b), c)],
    ['a^b^c', pow(a, pow(b, c))],
    ['(a^b)^c', pow(pow(a, b), c)],
    ['-x^2', neg(pow(x, 2))],
    ['(-x)^2', pow(neg(x), 2)],
    ['2^-x', pow(2, neg(x))],
    ['x^-y^z', pow(x, neg(pow(y, z)))],
    ['2^-x*4', mul(pow(2, neg(x)), 4)],
    ['-a*b', mul(neg(a), b)],
    ['a*-b', mul(a, neg(b))],
    ['a - -b', sub(a, neg(b))],
    ['--a', neg(neg(a))],
    ['+a', a],
    ['a + +b', add(a, b)],
    ['-+a', neg(a)],
    ['2^+3', pow(2, 3)],
    ['a+b*c^d', add(a, mul(b, pow(c, variable('d'))))],
    ['((a))', a],
    [' a\t+ b ', add(a, b)],
    ['sin(x)^2', pow(sin(x), 2)],
    ['-sin(x)', neg(sin(x))],
    ['log(x, 2)', apply('logBase', x, 2)],
    ['log(x)', apply('log', x)],
    ['x +\n y', add(x, y)],
    ['(x\n + y)', add(x, y)],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });
});

describe('a minus sign on a number literal is its sign; everything else keeps its structure', () => {
  it.each<[string, Expr]>([
    ['-2', constant(-2)],
    ['- 2', constant(-2)],
    ['x - -2', sub(x, constant(-2))],
    ['(-2)^x', pow(constant(-2), x)],
    ['2^-3', pow(2, constant(-3))],
    ['2^-3*4', mul(pow(2, constant(-3)), 4)],
    ['-2x', mul(constant(-2), x)],
    ['-0', constant(-0)],
    ['-1e-7', constant(-1e-7)],
    ['-Infinity', constant(-Infinity)],
    ['-(2)', neg(2)],
    ['-(-2)', neg(constant(-2))],
    ['--2', neg(constant(-2))],
    ['-+2', neg(2)],
    ['-2^2', neg(pow(2, 2))],
    ['-x', neg(x)],
    ['-pi', neg(pi)],
    ['2 * 3', mul(2, 3)],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it('-0 and 0 stay distinct', () => {
    expect(parse('-0')).not.toBe(parse('0'));
  });
});

describe('** is ^', () => {
  it.each<[string, Expr]>([
    ['x**2', pow(x, 2)],
    ['x ** 2 ** 3', pow(x, pow(2, 3))],
    ['x**-1', pow(x, constant(-1))],
    ['-x**2', neg(pow(x, 2))],
    ['x**2*3', mul(pow(x, 2), 3)],
    ['2**x**y', parse('2^x^y')],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });
});

describe('implicit multiplication (as mathjs: tighter than * and /, looser than a sign or ^)', () => {
  it.each<[string, Expr]>([
    ['2x', mul(2, x)],
    ['2 x', mul(2, x)],
    ['2(x+1)', mul(2, add(x, 1))],
    ['(x+1)(x-1)', mul(add(x, 1), sub(x, 1))],
    ['x y', mul(x, y)],
    ['x y z', mul(mul(x, y), z)],
    ['2 pi', mul(2, pi)],
    ['3sin(x)', mul(3, sin(x))],
    ['sin(x)cos(x)', mul(sin(x), apply('cos', x))],
    ['sin(x)(y)', mul(sin(x), y)],
    ['2x^2', mul(2, pow(x, 2))],
    ['-x y', mul(neg(x), y)],
    ['2^x y', mul(pow(2, x), y)],
    ['a*b c', mul(a, mul(b, c))],
    ['a b*c', mul(mul(a, b), c)],
    ['a + b c', add(a, mul(b, c))],
    ['x/y*z c', mul(div(x, y), mul(z, c))],
    ['2x/3', div(mul(2, x), 3)],
    ['1/(2x)', div(1, mul(2, x))],
    ['(1/2)x', mul(div(1, 2), x)],
    ['x 2', mul(x, 2)],
    ['(x+1)2', mul(add(x, 1), 2)],
    ['2x 3', mul(mul(2, x), 3)],
    ['1e-7x', mul(1e-7, x)],
    ['2e', mul(2, e)],
    ['.5x', mul(0.5, x)],
    ['Infinity(2)', mul(Infinity, 2)],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });
});

describe('numbers and constants', () => {
  it.each<[string, Expr]>([
    ['2', constant(2)],
    ['2.', constant(2)],
    ['.5', constant(0.5)],
    ['1e-7', constant(1e-7)],
    ['2.5E+3', constant(2500)],
    ['1e308', constant(1e308)],
    ['5e-324', constant(5e-324)],
    ['0x1F', constant(31)],
    ['0b101', constant(5)],
    ['0o17', constant(15)],
    ['pi', pi],
    ['π', pi],
    ['e', e],
    ['Infinity', constant(Infinity)],
    ['NaN', constant(NaN)],
    ['0', constant(0)],
  ])('%s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it('refuses literals that would round to Infinity or to 0 instead of changing their value silently', () => {
    expect(() => parse('1e309')).toThrow(/too large.*write Infinity/);
    expect(() => parse('1e-400')).toThrow(/too small.*write 0/);
    expect(parse('0e-400')).toBe(constant(0));
  });
});

describe('names', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'x_1', 'rate', 'E', 'PI', 'i', 'α', 'Ω', 'θ2', 'sin_x', 'sinx', 'log10x'])(
    '%s is a variable',
    (name) => {
      expect(parse(name)).toBe(variable(name));
      expect(parse(`2 * ${name}`)).toBe(mul(2, variable(name)));
    },
  );
});

describe('functions come from the op table', () => {
  const functionOps = opNames.filter((op) => ops[op].syntax.kind === 'function');

  it.each(functionOps)('%s parses with its arity', (op) => {
    const syntax = ops[op].syntax;
    if (syntax.kind !== 'function') throw new Error('unreachable');
    const args = ops[op].arity === 1 ? [x] : [x, y];
    expect(parse(`${syntax.name}(${args.map((v) => v.kind === 'var' && v.name).join(', ')})`)).toBe(apply(op, ...args));
    expect(parse(`${syntax.name} (\n${args.map((v) => v.kind === 'var' && v.name).join(',\n')}\n)`)).toBe(apply(op, ...args));
  });

  it.each(functionOps)('%s refuses another number of arguments', (op) => {
    const syntax = ops[op].syntax;
    if (syntax.kind !== 'function') throw new Error('unreachable');
    expect(() => parse(`${syntax.name}(x, y, z)`)).toThrow(new RegExp(`${syntax.name} takes .* got 3`));
  });

  it('supportedFunctions is every function name of the table, once, sorted', () => {
    const names = [...new Set(functionOps.map((op) => (ops[op].syntax as { name: string }).name))].sort();
    expect(supportedFunctions).toEqual(names);
    expect(supportedFunctions).toContain('log');
    expect(Object.isFrozen(supportedFunctions)).toBe(true);
  });
});

describe('Wengert lists', () => {
  it('assignments share nodes: the product appears once in the DAG', () => {
    const out = parseWengert('a = x*y\nb = sin(a)+a');
    expect(out).toBe(add(sin(mul(x, y)), mul(x, y)));
    expect(topologicalOrder(out).filter((n) => n.op === 'mul')).toHaveLength(1);
  });

  it('allows blank lines, comments, indentation, CRLF and ; between statements; the last assignment is the output', () => {
    const text = '# a diamond\r\n\r\n  u = x^2   # square\r\nv = exp(u); w = sin(u)\r\n\r\nout = v * w\r\n# done\r\n';
    const u = pow(x, 2);
    expect(parseWengert(text)).toBe(mul(apply('exp', u), sin(u)));
  });

  it('names that are not assigned are variables, and assigned names may shadow nothing else', () => {
    expect(parseWengert('v1 = constructor + __proto__')).toBe(add(variable('constructor'), variable('__proto__')));
    expect(parseWengert('t = 2x\ns = t t')).toBe(mul(mul(2, x), mul(2, x)));
  });

  it.each<[string, string, string, number]>([
    ['no statements', '  # nothing\n', 'empty Wengert list', 0],
    ['a bare expression', 'a = 1\nx + 1', 'expected an assignment', 6],
    ['an assignment twice', 'a = 1\na = 2', "'a' is assigned twice", 6],
    ['a name used before its assignment', 'a = b + 1\nb = 2', "'b' is used before it is assigned", 4],
    ['a name used in its own definition', 'a = a + 1', "'a' is used in its own definition", 4],
    ['assigning to a function name', 'sin = x', "cannot assign to 'sin'", 0],
    ['assigning to a constant', 'pi = 3', "cannot assign to 'pi'", 0],
    ['a function definition', 'f(x) = x^2', 'function definitions are not supported', 0],
    ['a missing right-hand side', 'a =   # later', "missing expression after '='", 2],
    ['a chained assignment', 'a = b = 2', 'assignments are not supported', 6],
    ['a syntax error on line 3', 'a = x\nb = a\nc = (b', "unbalanced parentheses: unclosed '('", 16],
  ])('refuses %s', (_label, text, message, position) => {
    const error = (() => {
      try {
        parseWengert(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toContain(message);
    expect((error as ParseError).position).toBe(position);
  });
});

describe('scale: 100,000-sized inputs parse, with no recursion (their speed is a benchmark matter, not a test)', () => {
  const N = 100_000;
  /** Follows `args[index]` down `steps` times (no recursion), checking each node's op; returns what is left. */
  function spine(expr: Expr, op: string, index: number, steps: number): Expr {
    let node = expr;
    for (let i = 0; i < steps; i++) {
      if (node.op !== op) throw new Error(`expected ${op} at depth ${i}, found ${node.op ?? node.kind}`);
      node = node.args[index];
    }
    return node;
  }

  it.each<[string, (v: string) => string, (expr: Expr, v: string) => void]>([
    [`a ${N}-term sum`, (v) => Array(N).fill(v).join(' + '), (expr, v) => expect(spine(expr, 'add', 0, N - 1)).toBe(variable(v))],
    [`a ${N}-deep sin(sin(…))`, (v) => `${'sin('.repeat(N)}${v}${')'.repeat(N)}`, (expr, v) => expect(spine(expr, 'sin', 0, N)).toBe(variable(v))],
    [`${N}-deep parentheses`, (v) => `${'('.repeat(N)}${v}${')'.repeat(N)}`, (expr, v) => expect(expr).toBe(variable(v))],
    [`a ${N}-level power tower`, (v) => Array(N).fill(v).join('^'), (expr, v) => expect(spine(expr, 'pow', 1, N - 1)).toBe(variable(v))],
    [`${N} unary minuses`, (v) => `${'-'.repeat(N)}${v}`, (expr, v) => expect(spine(expr, 'neg', 0, N)).toBe(variable(v))],
    [`${N} implicit factors`, (v) => Array(N).fill(v).join(' '), (expr, v) => expect(spine(expr, 'mul', 0, N - 1)).toBe(variable(v))],
  ])('%s', (_label, make, check) => {
    check(parse(make('p')), 'p');
  });
  // 100,000-line Wengert lists: test/ir/scale.test.ts parses one of 200,000 lines.
});

describe('fuzzing: any string parses or is refused with a ParseError, quickly', () => {
  /** parse(text) returns an Expr or throws a ParseError whose span lies in the input; anything else fails the property. */
  function parsesOrRefuses(text: string): boolean {
    const start = performance.now();
    try {
      const expr = parse(text);
      expect(parse(text)).toBe(expr);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      expect(error.input).toBe(text);
      expect(error.position).toBeGreaterThanOrEqual(0);
      expect(error.length).toBeGreaterThanOrEqual(0);
      expect(error.position + error.length).toBeLessThanOrEqual(text.length);
      expect(error.message).toContain(`position ${error.position}`);
      expect(error.excerpt().split('\n')).toHaveLength(2);
    }
    // A hang detector, generous for loaded machines: these inputs take well under a millisecond.
    expect(performance.now() - start).toBeLessThan(1000);
    return true;
  }

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), parsesOrRefuses), { numRuns: 1000 });
  });

  it('arbitrary Unicode, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), parsesOrRefuses), { numRuns: 300 });
  });

  it('strings over the grammar alphabet', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9xye.+\-*/^(), \n]{0,40}$/), parsesOrRefuses), { numRuns: 1000 });
  });

  const tokens = ['x', 'y', '2', '.5', '1e-7', '3.', 'pi', 'e', 'sin', 'log', 'xlogy', 'foo', 'Infinity', '(', ')', ',', '+', '-', '*', '/', '^', '**', ' ', '\n', '=', '?', ':', '[', '!', '#', ';', 'to', '"'];
  it('token soup from the grammar', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 30 }).map((t) => t.join('')), parsesOrRefuses), { numRuns: 1000 });
  });

  it('long random strings stay linear', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...tokens), { minLength: 2000, maxLength: 5000 }).map((t) => t.join('')), parsesOrRefuses), { numRuns: 20 });
  });
});

// ---------------------------------------------------------------------------------------------
// Agreement with mathjs: random expression strings from the grammar give the same tree in both parsers.

/** Canonical text of a gradlab tree (test trees are small, so recursion is fine here). */
function canonical(expr: Expr): string {
  if (expr.kind === 'const') return expr.symbol ?? String(expr.value);
  if (expr.kind === 'var') return expr.name;
  const syntax = ops[expr.op].syntax;
  const args = expr.args.map(canonical);
  if (syntax.kind === 'function') return `${syntax.name}(${args.join(', ')})`;
  if (syntax.kind === 'prefix') return `(${syntax.symbol}${args[0]})`;
  return `(${args[0]} ${syntax.symbol} ${args[1]})`;
}

/** The same canonical text of a mathjs tree: parentheses dropped, unary plus dropped, implicit products as `*`, signed literals folded. */
function canonicalMathjs(node: MathNode): string {
  const n = node as MathNode & { content?: MathNode; op?: string; args?: MathNode[]; name?: string; value?: unknown; fn?: { name: string } };
  switch (node.type) {
    case 'ParenthesisNode':
      return canonicalMathjs(n.content!);
    case 'ConstantNode':
      return String(n.value);
    case 'SymbolNode':
      return n.name!;
    case 'FunctionNode':
      return `${n.fn!.name}(${n.args!.map(canonicalMathjs).join(', ')})`;
    case 'OperatorNode': {
      const args = n.args!.map(canonicalMathjs);
      // gradlab reads a minus sign on a number literal as the literal's sign (mathjs keeps unaryMinus(2)).
      if (n.op === '-' && args.length === 1 && n.args![0].type === 'ConstantNode') return String(-(n.args![0] as MathNode & { value: number }).value);
      if (args.length === 1) return n.op === '+' ? args[0] : `(${n.op}${args[0]})`;
      return `(${args[0]} ${n.op} ${args[1]})`;
    }
    default:
      return `<${node.type}>`;
  }
}

/** Functions of the table that mathjs knows natively under the same name. */
const mathjsFunctions = ['exp', 'log', 'sqrt', 'cbrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'abs', 'sign'];

const blank = fc.constantFrom('', ' ', '  ', '\t');
const depth = { depthSize: 'small', maxDepth: 3 } as const;
/** Juxtaposes a product and a factor the way people write implicit products (`2x`, `2 x`, `x y`, `(a)(b)`, `3sin(x)`). */
function juxtapose(left: string, space: string, right: string): string {
  // After a name, a space keeps the names apart, and a '(' would make a function call (refused on purpose).
  if (/[A-Za-z_α][A-Za-z_α0-9]*$/.test(left)) return right.startsWith('(') ? `${left}*${right}` : `${left} ${right}`;
  return `${left}${space}${right}`;
}
/** Strings of the grammar: sums of terms; products (explicit `*`, `/` of a unary, implicit); signs; `^`; atoms. */
const expressionText: fc.Arbitrary<string> = fc.letrec<{ expr: string; term: string; product: string; factor: string; unary: string; power: string; atom: string; word: string }>((tie) => ({
  expr: fc.oneof(depth, tie('term'), fc.tuple(tie('expr'), blank, fc.constantFrom('+', '-'), blank, tie('term')).map((p) => p.join(''))),
  term: fc.oneof(
    depth,
    tie('product'),
    fc.tuple(tie('term'), blank, fc.constant('*'), blank, tie('product')).map((p) => p.join('')),
    // A product right after '/' would be an implicit multiplication after '/', which gradlab refuses on purpose.
    fc.tuple(tie('term'), blank, fc.constant('/'), blank, tie('unary')).map((p) => p.join('')),
  ),
  product: fc.oneof(depth, tie('unary'), fc.tuple(tie('product'), fc.constantFrom('', ' '), tie('factor')).map(([l, s, r]) => juxtapose(l, s, r))),
  factor: fc.oneof(depth, tie('word'), fc.tuple(tie('word'), blank, fc.constant('^'), blank, tie('unary')).map((p) => p.join(''))),
  unary: fc.oneof(depth, tie('power'), fc.tuple(fc.constantFrom('-', '+'), blank, tie('unary')).map((p) => p.join(''))),
  power: fc.oneof(depth, tie('atom'), fc.tuple(tie('atom'), blank, fc.constant('^'), blank, tie('unary')).map((p) => p.join(''))),
  atom: fc.oneof(depth, fc.constantFrom('2', '3', '10', '0.5', '.5', '1e-7', '2.5e3', '1E2', 'Infinity'), tie('word')),
  word: fc.oneof(
    depth,
    fc.constantFrom('x', 'y', 'rate', 'x1', 'α', 'pi', 'e'),
    fc.tuple(fc.constantFrom(...mathjsFunctions), blank, tie('expr')).map(([f, s, arg]) => `${f}${s}(${arg})`),
    fc.tuple(tie('expr'), tie('expr')).map(([u, base]) => `log(${u}, ${base})`),
    tie('expr').map((inner) => `(${inner})`),
  ),
})).expr;

/** Refusals gradlab makes on purpose where mathjs reads something (see the grammar notes in src/ir/parse.ts). */
const deliberateRefusal = /ambiguous implicit multiplication after '\/'|unknown function '|is a constant, not a function|element-wise operators|is too large/;

describe('agreement with mathjs.parse', () => {
  it('gradlab and mathjs build the same tree for random expression strings (** standing for ^ on gradlab\'s side)', () => {
    let compared = 0;
    let runs = 0;
    fc.assert(
      fc.property(expressionText.filter((t) => t.length <= 120), fc.boolean(), (text, starStar) => {
        runs++;
        let theirs: string | undefined;
        try {
          theirs = canonicalMathjs(mathParse(text));
        } catch {
          theirs = undefined;
        }
        let ours: string;
        try {
          ours = canonical(parse(starStar ? text.replaceAll('^', '**') : text));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          // gradlab refuses only what mathjs refuses too, or what it refuses on purpose.
          if (theirs !== undefined && !deliberateRefusal.test(error.message)) {
            throw new Error(`gradlab refused what mathjs reads as ${theirs}: ${error.message}`);
          }
          return;
        }
        if (theirs === undefined) throw new Error(`gradlab read ${ours} where mathjs refuses`);
        expect(ours).toBe(theirs);
        compared++;
      }),
      { numRuns: 1000 },
    );
    // Most generated strings must actually be compared, or the property says little.
    expect(compared).toBeGreaterThan(runs * 0.6);
  });
});
