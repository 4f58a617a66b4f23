// Parser: text → IR. mathjs's expression grammar (the subset gradlab supports) read by an explicit-stack loop, with exact error positions.
//
// Why not `mathjs.parse`: it recurses (the stack overflows near 1,000 levels of nesting), keeps no
// source positions, silently reads `sin x` as `sin * x`, and rejects `**`. This parser is iterative
// (shunting-yard: one operator stack, one operand stack), so a 100,000-term sum or a 100,000-deep
// nesting costs linear time and no call stack, and every refusal names the problem and its offset.
//
// Grammar, loosest to tightest (the same trees as mathjs for every input both accept):
//   + -  (left)   <   * /  (left)   <   implicit multiplication `2x`, `x y`, `2(x+1)` (left)
//        <   unary - +   <   ^ and its synonym ** (right; its right operand may carry a sign: 2^-3)
//   atoms: numbers (2, .5, 2., 1e-7, 0x1F, 0b101, 0o17), names, pi, e, π, Infinity, NaN,
//          function calls name(a, b), parenthesised expressions.
// One departure from mathjs's trees: a minus sign on a number literal is the literal's sign (`-2` is the
// constant −2; mathjs builds unaryMinus(2)), so negative constants print and parse back as themselves.
// Operators, their precedences and the function names all come from the op table (`syntax`).
import { ops, opNames, type OpName } from './ops.ts';
import { apply, constant, variable, type Expr } from './node.ts';

/**
 * A refusal to parse: what is wrong, and where. `message` names the problem and the position
 * (and says what to write instead where that helps); {@link ParseError.excerpt} draws a caret under it.
 */
export class ParseError extends Error {
  /** 0-based offset of the offending span in {@link ParseError.input}, in UTF-16 code units (JavaScript string indices). */
  readonly position: number;
  /** Length of the offending span, ≥ 1 unless the input is empty. */
  readonly length: number;
  /** The whole text that was parsed. */
  readonly input: string;

  constructor(message: string, position: number, length: number, input: string) {
    super(message);
    this.name = 'ParseError';
    this.position = position;
    this.length = length;
    this.input = input;
  }

  /**
   * The offending line (a window of it, when long) with a caret under the offending span, for terminals:
   * two lines. Control characters are drawn as their Unicode control pictures so the caret stays aligned.
   */
  excerpt(): string {
    const text = this.input;
    const lineStart = lineStartOf(text, this.position);
    let lineEnd = text.indexOf('\n', this.position);
    if (lineEnd < 0) lineEnd = text.length;
    // A long span (a 10 MB token) is drawn by its first characters and an ellipsis: the excerpt stays two short lines.
    const spanEnd = Math.min(Math.max(this.position + this.length, this.position + 1), lineEnd + 1, this.position + 40);
    const context = 30;
    const from = Math.max(lineStart, this.position - context);
    const to = Math.min(lineEnd, Math.max(spanEnd, this.position + 1) + context);
    const before = (from > lineStart ? '…' : '') + visible(text.slice(from, this.position));
    const shown = before + visible(text.slice(this.position, to)) + (to < lineEnd ? '…' : '');
    const carets = '^'.repeat(Math.max(1, Math.min(spanEnd, to + 1) - this.position));
    return `${shown}\n${' '.repeat(codePointCount(before))}${carets}`;
  }
}

/** Offset of the first character of the line holding `pos` (`lastIndexOf` with -1 would search from 0). */
function lineStartOf(text: string, pos: number): number {
  return pos <= 0 ? 0 : text.lastIndexOf('\n', pos - 1) + 1;
}

function visible(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? ' ' : c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0))));
}

function codePointCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Grammar facts, all taken from the op table.

interface InfixFact { readonly op: OpName; readonly precedence: number; readonly right: boolean }

const infix = new Map<string, InfixFact>();
const prefix = new Map<string, { readonly op: OpName; readonly precedence: number }>();
const functions = new Map<string, Map<number, OpName>>();
/** Function-syntax ops that declare kinks (abs, relu, ...): what to suggest instead of a conditional. */
const piecewise = new Set<string>();

for (const op of opNames) {
  const { syntax, arity } = ops[op];
  if (syntax.kind === 'infix') infix.set(syntax.symbol, { op, precedence: syntax.precedence, right: syntax.associativity === 'right' });
  else if (syntax.kind === 'prefix') prefix.set(syntax.symbol, { op, precedence: syntax.precedence });
  else {
    let byArity = functions.get(syntax.name);
    if (byArity === undefined) functions.set(syntax.name, (byArity = new Map()));
    byArity.set(arity, op);
    if (ops[op].kinks !== undefined) piecewise.add(syntax.name);
  }
}

/** Every function name the parser accepts (from the op table), sorted. `log` takes 1 or 2 arguments. */
export const supportedFunctions: readonly string[] = Object.freeze([...functions.keys()].sort());

const multiply = infix.get('*');
if (multiply === undefined) throw new Error('the op table declares no infix `*`, which implicit multiplication needs');
const multiplyOp: OpName = multiply.op;
const power = infix.get('^');
const divide = infix.get('/')?.op;
/** The prefix minus: written right before a number literal, it is the literal's sign (see Parser.reduce). */
const negate = prefix.get('-')?.op;
/** Implicit multiplication binds tighter than `*` and `/` (as in mathjs: `a*b c` is `a*(b c)`) and looser than a sign. */
const implicitPrecedence = multiply.precedence + 0.5;
/** Unary plus is accepted and dropped; it binds like unary minus. */
const plusPrecedence = prefix.get('-')?.precedence ?? implicitPrecedence + 0.5;
/** Every operator text the lexer recognises, longest first (`**` is read as `^`). */
const operatorTexts = [...new Set([...infix.keys(), ...prefix.keys(), '+', ...(power ? ['**'] : [])])].sort((a, b) => b.length - a.length);

const namedConstants: ReadonlyMap<string, Expr> = new Map<string, Expr>([
  ['pi', constant(Math.PI, 'pi')],
  ['π', constant(Math.PI, 'pi')],
  ['e', constant(Math.E, 'e')],
]);
/** Read like number literals (mathjs makes them ConstantNodes: `Infinity 2` is refused like `2 3`). */
const numericConstants: ReadonlyMap<string, Expr> = new Map<string, Expr>([
  ['Infinity', constant(Infinity)],
  ['NaN', constant(NaN)],
]);

/** Words mathjs reserves for operators or literals gradlab does not support. */
const keywords: ReadonlyMap<string, string> = new Map([
  ['to', 'units are not supported (unit conversion'],
  ['in', 'units are not supported (unit conversion'],
  ['mod', 'modulo is not supported (operator'],
  ['and', 'logical operators are not supported (operator'],
  ['or', 'logical operators are not supported (operator'],
  ['xor', 'logical operators are not supported (operator'],
  ['not', 'logical operators are not supported (operator'],
  ['true', 'booleans are not supported (literal'],
  ['false', 'booleans are not supported (literal'],
  ['null', 'null is not supported (literal'],
  ['undefined', 'undefined is not supported (literal'],
]);

/** Function names people bring from elsewhere, and what to write here (kept only when the target function exists). */
const aliases: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['ln', ['log', 'log(x)']], ['log10', ['log', 'log(x, 10)']], ['log2', ['log', 'log(x, 2)']],
  ['arcsin', ['asin', 'asin(x)']], ['arccos', ['acos', 'acos(x)']], ['arctan', ['atan', 'atan(x)']],
  ['pow', ['', 'x^y']], ['sqr', ['', 'x^2']],
]);

/** Characters people paste from typeset math, and what to type instead. */
const lookalikes: ReadonlyMap<string, string> = new Map([
  ['\u2212', "'-'"], ['\u2013', "'-'"], ['\u2014', "'-'"], ['\u00d7', "'*'"], ['\u00b7', "'*'"], ['\u22c5', "'*'"],
  ['\u2217', "'*'"], ['\u00f7', "'/'"], ['\u2215', "'/'"], ['\u00b2', "'^2'"], ['\u00b3', "'^3'"],
  ['\u221a', "'sqrt(…)'"], ['\u221e', "'Infinity'"], ['\uff08', "'('"], ['\uff09', "')'"], ['\uff0c', "','"],
]);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 ||
  (c >= 0x3b1 && c <= 0x3c9) || (c >= 0x391 && c <= 0x3a9 && c !== 0x3a2);
const isNamePart = (c: number): boolean => isNameStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 0xa0;

// ---------------------------------------------------------------------------------------------
// Lexer: one token at a time, so errors come in reading order. (Hot paths create no closures.)

const enum T { Number, Name, Operator, Open, Close, Comma, End }

interface Token {
  readonly kind: T;
  readonly pos: number;
  readonly end: number;
  /** As written (`**` for the synonym of `^`). */
  readonly text: string;
  /** Operators: the canonical symbol (`^` for `**`). */
  readonly symbol: string;
  /** Numbers: the value. */
  readonly value: number;
  /** Position of a line break skipped before this token, or -1. */
  readonly newline: number;
}

const radixes: ReadonlyMap<string, { readonly base: number; readonly digits: RegExp }> = new Map([
  ['0x', { base: 16, digits: /^[0-9a-fA-F]+$/ }],
  ['0b', { base: 2, digits: /^[01]+$/ }],
  ['0o', { base: 8, digits: /^[0-7]+$/ }],
]);

class Lexer {
  pos: number;
  readonly text: string;
  readonly end: number;
  readonly where: (pos: number) => string;

  constructor(text: string, start: number, end: number, where: (pos: number) => string) {
    this.text = text;
    this.pos = start;
    this.end = end;
    this.where = where;
  }

  fail(message: string, pos: number, length: number, hint?: string): never {
    throw new ParseError(`${message} at ${this.where(pos)}${hint === undefined ? '' : `; ${hint}`}`, pos, length, this.text);
  }

  /** Index of a `(` that follows `from` after blanks (line breaks too when `acrossLines`), or -1. */
  openParenAfter(from: number, acrossLines: boolean): number {
    for (let i = from; i < this.end; i++) {
      const c = this.text.charCodeAt(i);
      if (!isSpace(c) && !(acrossLines && c === 10)) return c === 40 ? i : -1;
    }
    return -1;
  }

  next(): Token {
    const { text, end } = this;
    let i = this.pos;
    let newline = -1;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        if (newline < 0) newline = i;
      } else if (!isSpace(c)) break;
    }
    if (i >= end) return this.token(T.End, i, i, newline);
    const c = text.charCodeAt(i);
    if (isDigit(c) || (c === 46 && isDigit(this.at(i + 1)))) return this.number(i, newline);
    if (isNameStart(c)) {
      let j = i + 1;
      while (j < end && isNamePart(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      const refusal = keywords.get(word);
      if (refusal !== undefined) this.fail(`${refusal} '${word}')`, i, j - i);
      return this.token(T.Name, i, j, newline);
    }
    if (c === 40) return this.token(T.Open, i, i + 1, newline);
    if (c === 41) return this.token(T.Close, i, i + 1, newline);
    if (c === 44) return this.token(T.Comma, i, i + 1, newline);
    for (const op of operatorTexts) {
      if (i + op.length <= end && text.startsWith(op, i)) {
        // `^|` is mathjs's bitwise xor: name it rather than read `^` and then stumble on `|`.
        if (op === '^' && this.at(i + 1) === 124) this.fail("bitwise and logical operators are not supported ('^|')", i, 2);
        return this.token(T.Operator, i, i + op.length, newline, op === '**' ? '^' : op);
      }
    }
    return this.refuse(i);
  }

  private token(kind: T, pos: number, end: number, newline: number, symbol = '', value = NaN): Token {
    this.pos = end;
    return { kind, pos, end, text: this.text.slice(pos, end), symbol, value, newline };
  }

  private at(k: number): number {
    return k < this.end ? this.text.charCodeAt(k) : -1;
  }

  /** A dot is a decimal mark unless it starts an element-wise operator (`.*`, `./`, `.^`), as in mathjs. */
  private isDecimalMark(k: number): boolean {
    const next = this.at(k + 1);
    return this.at(k) === 46 && next !== 42 && next !== 47 && next !== 94;
  }

  /** Scans a number literal starting at `i` (mathjs's forms: 2, 2., .5, 1e-7, 0x1F, 0b101, 0o17). */
  private number(i: number, newline: number): Token {
    const { text, end } = this;
    const radix = radixes.get(text.slice(i, i + 2));
    if (radix !== undefined) {
      // mathjs reads the letters, digits and dots after 0x, 0b, 0o as one literal.
      let j = i + 2;
      while (j < end && (isNamePart(this.at(j)) || this.at(j) === 46)) j++;
      const literal = text.slice(i, j);
      if (!radix.digits.test(literal.slice(2))) {
        this.fail(`malformed number '${quote(literal)}'`, i, j - i, `a base-${radix.base} literal is ${literal.slice(0, 2)} followed by base-${radix.base} digits only (no fractions or word sizes)`);
      }
      return this.literal(i, j, newline);
    }
    let j = i;
    while (isDigit(this.at(j))) j++;
    if (this.isDecimalMark(j)) {
      j++;
      while (isDigit(this.at(j))) j++;
    }
    if (this.isDecimalMark(j) && (isDigit(this.at(j + 1)) || this.at(j + 1) === 46)) this.malformed(i, j, 'a number has at most one decimal point');
    const e = this.at(j);
    if (e === 101 || e === 69) {
      const sign = this.at(j + 1) === 43 || this.at(j + 1) === 45;
      if (sign || isDigit(this.at(j + 1))) {
        j += sign ? 2 : 1;
        if (!isDigit(this.at(j))) {
          const forE = sign && e === 101 ? `; for the constant e write ${text.slice(i, j - 2)}*e ${text[j - 1]} …` : '';
          this.malformed(i, j, `the exponent needs digits${forE}`);
        }
        while (isDigit(this.at(j))) j++;
        if (this.isDecimalMark(j)) this.malformed(i, j, 'an exponent is a whole number');
      } else if (this.at(j + 1) === 46 && isDigit(this.at(j + 2))) {
        this.malformed(i, j, 'an exponent is a whole number');
      }
    }
    return this.literal(i, j, newline);
  }

  /** The number token text[i, j): its value as JavaScript reads it, refused when that rounds to Infinity or to 0. */
  private literal(i: number, j: number, newline: number): Token {
    const literal = this.text.slice(i, j);
    const value = Number(literal);
    if (value === Infinity) {
      this.fail(`number ${quote(literal)} is too large`, i, j - i, 'it would round to Infinity: write Infinity if you mean it');
    }
    if (value === 0 && /[1-9]/.test(literal.replace(/[eE].*$/, ''))) {
      this.fail(`number ${quote(literal)} is too small`, i, j - i, 'it would round to 0: write 0 if you mean it');
    }
    return this.token(T.Number, i, j, newline, '', value);
  }

  /** Refuses the number-like run from `i` (`1.2.3`, `2..3`, `2e-`), quoting all of it. */
  private malformed(i: number, j: number, hint: string): never {
    let k = j;
    for (;;) {
      const c = this.at(k);
      const afterExponent = this.at(k - 1) === 101 || this.at(k - 1) === 69;
      if (isDigit(c) || c === 46 || c === 101 || c === 69 || ((c === 43 || c === 45) && afterExponent && k > i + 1)) k++;
      else break;
    }
    return this.fail(`malformed number '${quote(this.text.slice(i, k))}'`, i, k - i, hint);
  }

  /** Throws the most helpful error for an unsupported character at `i`. */
  private refuse(i: number): never {
    const { text } = this;
    const two = text.slice(i, i + 2);
    const three = text.slice(i, i + 3);
    const c = text[i];
    const wengert = "parseWengert reads several 'name = expression' lines";
    switch (c) {
      case '=':
        if (two === '==') this.fail("comparisons are not supported ('==')", i, 2);
        this.fail("assignments are not supported ('=')", i, 1, `gradlab differentiates expressions (${wengert})`);
      case '!':
        if (two === '!=') this.fail("comparisons are not supported ('!=')", i, 2);
        this.fail("factorial '!' is not supported", i, 1);
      case '<':
        if (two === '<<') this.fail("bitwise and logical operators are not supported ('<<')", i, 2);
        this.fail(`comparisons are not supported ('${two === '<=' ? '<=' : '<'}')`, i, two === '<=' ? 2 : 1);
      case '>':
        if (two === '>>') this.fail(`bitwise and logical operators are not supported ('${three === '>>>' ? '>>>' : '>>'}')`, i, three === '>>>' ? 3 : 2);
        this.fail(`comparisons are not supported ('${two === '>=' ? '>=' : '>'}')`, i, two === '>=' ? 2 : 1);
      case '?':
        if (two === '??') this.fail("nullish coalescing '??' is not supported", i, 2);
        if (two === '?.') this.fail("optional chaining '?.' is not supported", i, 2);
        this.fail("conditionals are not supported ('?')", i, 1, conditionalHint);
      case ':':
        this.fail("ranges are not supported (':')", i, 1);
      case '[': case ']':
        this.fail(`matrices are not supported ('${c}')`, i, 1, 'nor are vectors and indexing: gradlab differentiates scalar expressions');
      case '{': case '}':
        this.fail(`objects are not supported ('${c}')`, i, 1);
      case '"': case "'": case '`': {
        const close = text.indexOf(c, i + 1);
        const length = close < 0 || close >= this.end ? 1 : close - i + 1;
        this.fail(`strings are not supported (${c})`, i, length, c === "'" ? "nor is mathjs's transpose operator '" : undefined);
      }
      case ';':
        this.fail("multiple statements are not supported (';')", i, 1, wengert);
      case '#':
        this.fail("comments are not supported ('#')", i, 1, 'parseWengert allows them');
      case '%':
        this.fail("percent and modulo are not supported ('%')", i, 1);
      case '&': case '|': case '~':
        this.fail(`bitwise and logical operators are not supported ('${c}')`, i, 1);
      case '.':
        if (two === '.*' || two === './' || two === '.^') this.fail(`element-wise operators are not supported ('${two}')`, i, 2, `write '${two[1]}'`);
        this.fail("property access '.' is not supported", i, 1, 'a number needs a digit next to its decimal point');
    }
    const point = text.codePointAt(i)!;
    const width = point > 0xffff ? 2 : 1;
    const code = `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
    if (point < 32 || point === 127) this.fail(`unexpected control character ${code}`, i, 1);
    const instead = lookalikes.get(c);
    if (instead !== undefined) this.fail(`unexpected character '${c}' (${code})`, i, width, `write ${instead}`);
    if (/\s/u.test(c)) this.fail(`unexpected space character ${code}`, i, width, 'write a plain space');
    if (point >= 0xd800 && point <= 0xdfff) this.fail(`unexpected lone surrogate ${code}`, i, 1);
    return this.fail(
      `unexpected character '${text.slice(i, i + width)}' (${code})`, i, width,
      'names are letters (a-z, A-Z, Greek), digits and _; operators are + - * / ^ **',
    );
  }
}

const conditionalHint = `gradlab differentiates a single expression${piecewise.size > 0 ? `; piecewise functions available: ${[...piecewise].sort().join(', ')}` : ''}`;

// ---------------------------------------------------------------------------------------------
// Parser: shunting-yard over the lexer's tokens. Every loop is over tokens; nothing recurses.

const enum F { Binary, Prefix, Implicit, Group, Call }

/** An entry of the operator stack: a pending operator, or an open parenthesis. */
interface Frame {
  readonly kind: F;
  /** The op to apply; null for unary plus (dropped) and for parentheses. */
  readonly op: OpName | null;
  readonly precedence: number;
  readonly right: boolean;
  /** The operator (or `(`) as written, and where. */
  readonly text: string;
  readonly pos: number;
  /** Calls: the function name and its position. */
  readonly name: string;
  readonly namePos: number;
  /** Calls: the operand-stack height when the call opened, and the arguments completed so far. */
  readonly base: number;
  argc: number;
}

/** What the last factor was, for mathjs's rule that a number may not follow a number (`2 3`). */
const enum Factor { Constant, Other }

/** Turns a name into an expression; Wengert lists resolve earlier names here. */
type Resolve = (name: string, pos: number) => Expr;

/** User text quoted in a message, cut short when long (a 1 MB name must not make a 1 MB message). */
function quote(s: string, max = 40): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** User text quoted in a suggestion: blanks collapsed, cut short when long. */
function shorten(s: string, max = 24): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** "position 17", or "position 17 (line 2, column 5)" in multi-line input. */
function locator(text: string): (pos: number) => string {
  if (!text.includes('\n')) return (pos) => `position ${pos}`;
  return (pos) => {
    const lineStart = lineStartOf(text, pos);
    let line = 1;
    for (let k = text.indexOf('\n'); k >= 0 && k < lineStart; k = text.indexOf('\n', k + 1)) line++;
    return `position ${pos} (line ${line}, column ${pos - lineStart + 1})`;
  };
}

/** Parses text[start, end) as one expression. Positions in errors are offsets into the whole `text`. */
class Parser {
  private readonly lex: Lexer;
  private readonly frames: Frame[] = [];
  private readonly operands: Expr[] = [];
  /** Source offset where each operand starts (suggestions quote the input). */
  private readonly starts: number[] = [];
  /** Parentheses open: line breaks inside them are blanks, as in mathjs. */
  private open = 0;
  private expectOperand = true;
  private last = Factor.Other;
  /** Whether the top operand is a number literal exactly as written (a sign right before it folds into it). */
  private literalOnTop = false;
  private previous: Token | null = null;

  constructor(
    private readonly text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly resolve: Resolve,
    where: (pos: number) => string,
  ) {
    this.lex = new Lexer(text, start, end, where);
  }

  private fail(message: string, pos: number, length: number, hint?: string): never {
    return this.lex.fail(message, pos, length, hint);
  }

  run(): Expr {
    this.refuseConditional();
    for (;;) {
      const token = this.lex.next();
      if (!this.expectOperand) {
        const result = this.afterOperand(token);
        if (result !== undefined) return result;
        const startsFactor = token.kind === T.Name || token.kind === T.Number || token.kind === T.Open;
        if (!startsFactor) {
          this.previous = token;
          continue;
        }
        // An implicit multiplication was pushed: the token itself starts the next factor.
      }
      this.previous = this.operand(token);
    }
  }

  /** A conditional is the construct to name even when a comparison comes first (`x > 0 ? x : 0`). */
  private refuseConditional(): void {
    for (let k = this.start; k < this.end; k++) {
      const c = this.text[k];
      if (c === '"' || c === "'" || c === '`') return;
      if (c !== '?') continue;
      if (this.text[k + 1] === '?' || this.text[k + 1] === '.') k++; // '??' and '?.' are other operators, refused in reading order
      else this.fail("conditionals are not supported ('?')", k, 1, conditionalHint);
    }
  }

  private top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }

  private frame(kind: F, op: OpName | null, precedence: number, right: boolean, text: string, pos: number, name = '', namePos = -1): Frame {
    return { kind, op, precedence, right, text, pos, name, namePos, base: this.operands.length, argc: 0 };
  }

  private push(expr: Expr, from: number, kind: Factor): void {
    this.operands.push(expr);
    this.starts.push(from);
    this.last = kind;
    this.literalOnTop = kind === Factor.Constant;
    this.expectOperand = false;
  }

  /** Applies the pending operators that bind at least as tightly as an incoming one of `precedence`. */
  private reduce(precedence: number, right: boolean): void {
    const { frames, operands, starts } = this;
    for (let f = this.top(); f !== undefined && f.kind <= F.Implicit; f = this.top()) {
      if (f.precedence < precedence || (f.precedence === precedence && right)) return;
      frames.pop();
      const n = operands.length;
      if (f.kind === F.Prefix) {
        const operand = operands[n - 1];
        if (f.op === negate && this.literalOnTop) {
          // A minus sign on a number literal is part of the literal: `-2` is the constant −2, as in
          // Python (so `x**-2` has a constant exponent); `-(2)` stays neg(2), and `-2^2` is -(2^2).
          operands[n - 1] = constant(ops[negate].eval(operand.value, NaN));
        } else if (f.op !== null) {
          operands[n - 1] = apply(f.op, operand);
        }
        starts[n - 1] = f.pos;
      } else {
        const b = operands.pop()!;
        starts.pop();
        operands[n - 2] = apply(f.op!, operands[n - 2], b);
      }
      this.literalOnTop = false;
    }
  }

  /** A token after a complete operand. Returns the result at the end of input. */
  private afterOperand(token: Token): Expr | undefined {
    // A line break after a complete expression ends it in mathjs (a second statement follows): refuse.
    if (token.newline >= 0 && this.open === 0 && token.kind !== T.End) {
      this.fail('unexpected line break', token.newline, 1, 'parse reads one expression: break lines after an operator or inside parentheses, or use parseWengert for several lines');
    }
    switch (token.kind) {
      case T.Operator: {
        const fact = infix.get(token.symbol);
        if (fact === undefined) return this.fail(`unexpected '${token.text}'`, token.pos, token.text.length);
        this.reduce(fact.precedence, fact.right);
        this.frames.push(this.frame(F.Binary, fact.op, fact.precedence, fact.right, token.text, token.pos));
        this.expectOperand = true;
        return undefined;
      }
      case T.Close: case T.Comma: case T.End: {
        this.reduce(-Infinity, false);
        const f = this.frames.pop();
        if (f === undefined) {
          if (token.kind === T.End) return this.operands[0];
          if (token.kind === T.Comma) this.fail("unexpected ','", token.pos, 1, 'commas only separate function arguments');
          return this.fail("unbalanced parentheses: unmatched ')'", token.pos, 1, "remove it or add '(' before it");
        }
        if (token.kind === T.End) return this.fail("unbalanced parentheses: unclosed '('", f.pos, 1, "add ')'");
        if (token.kind === T.Comma) {
          if (f.kind !== F.Call) this.fail("unexpected ','", token.pos, 1, 'commas only separate function arguments (vectors and matrices are not supported)');
          f.argc++;
          this.frames.push(f);
          this.expectOperand = true;
          return undefined;
        }
        this.open--;
        if (f.kind === F.Call) {
          f.argc++;
          this.closeCall(f, token);
        } else {
          this.starts[this.starts.length - 1] = f.pos;
          this.last = Factor.Other;
          this.literalOnTop = false;
        }
        return undefined;
      }
      default:
        // A number, name or '(' right after an operand: implicit multiplication.
        this.implicit(token);
        return undefined;
    }
  }

  /** Pushes an implicit multiplication before `token`, where mathjs allows one. */
  private implicit(token: Token): void {
    const f = this.top();
    if (token.kind === T.Number && (this.last === Factor.Constant || (f !== undefined && f.kind <= F.Implicit && f.precedence > implicitPrecedence))) {
      // As mathjs: a number may not follow a number or an operator's result (`2 3`, `x^2 3`).
      this.fail(`unexpected number '${quote(token.text)}'`, token.pos, token.end - token.pos, 'missing operator? write * for a product');
    }
    this.reduce(implicitPrecedence, false);
    const g = this.top();
    if (g !== undefined && g.kind === F.Binary && g.op === divide) {
      // mathjs reads 1/2x as (1/2)x but x/2y as x/(2y): refuse both, and show how to write each reading.
      const n = this.operands.length;
      const a = shorten(this.text.slice(this.starts[n - 2], g.pos));
      const b = shorten(this.text.slice(this.starts[n - 1], token.pos));
      const called = token.kind === T.Name && this.lex.openParenAfter(token.end, this.open > 0) >= 0;
      const c = token.kind === T.Open ? '(…)' : called ? `${shorten(token.text)}(…)` : shorten(token.text);
      this.fail("ambiguous implicit multiplication after '/'", token.pos, token.end - token.pos, `write ${a}/(${b}*${c}) or (${a}/${b})*${c}`);
    }
    this.frames.push(this.frame(F.Implicit, multiplyOp, implicitPrecedence, false, '', token.pos));
    this.expectOperand = true;
  }

  /** A token where an operand is expected; returns the token to remember as the previous one. */
  private operand(token: Token): Token {
    switch (token.kind) {
      case T.Number:
        this.push(constant(token.value), token.pos, Factor.Constant);
        return token;
      case T.Name:
        return this.name(token);
      case T.Open:
        this.frames.push(this.frame(F.Group, null, 0, false, '(', token.pos));
        this.open++;
        return token;
      case T.Operator: {
        const unary = prefix.get(token.symbol);
        const previous = this.previous;
        if (unary !== undefined) this.frames.push(this.frame(F.Prefix, unary.op, unary.precedence, false, token.text, token.pos));
        else if (token.symbol === '+') this.frames.push(this.frame(F.Prefix, null, plusPrecedence, false, token.text, token.pos));
        else if (previous === null) this.fail(`unexpected '${token.text}'`, token.pos, token.text.length, 'an expression cannot start with an operator');
        else if (previous.kind === T.Operator) this.fail(`unexpected '${token.text}' after '${previous.text}'`, token.pos, token.text.length, 'two operators in a row');
        else this.fail(`unexpected '${token.text}' after '${previous.text}'`, token.pos, token.text.length, "expected a number, a name or '('");
        return token;
      }
      case T.Close: case T.Comma:
        return this.closeEarly(token);
      case T.End: {
        const p = this.previous;
        if (p === null) return this.fail('empty expression', this.start, this.end - this.start, 'write an expression such as x^2 + 1');
        if (p.kind === T.Open) return this.fail("unbalanced parentheses: unclosed '('", this.top()!.pos, 1, "add an expression and ')'");
        return this.fail(`unexpected end of input after '${p.text}'`, p.pos, p.end - p.pos, p.kind === T.Operator ? `'${p.text}' needs an operand after it` : undefined);
      }
    }
  }

  /** `)` or `,` where an operand is expected: `()`, `sin()`, `log(x,)`, `(x+)`, `)`. */
  private closeEarly(token: Token): Token {
    const { frames } = this;
    let enclosing: Frame | undefined;
    for (let k = frames.length - 1; k >= 0 && enclosing === undefined; k--) if (frames[k].kind >= F.Group) enclosing = frames[k];
    if (enclosing === undefined) {
      if (token.kind === T.Close) this.fail("unbalanced parentheses: unmatched ')'", token.pos, 1, "remove it or add '(' before it");
      this.fail("unexpected ','", token.pos, 1, 'commas only separate function arguments');
    }
    const p = this.previous!;
    if (p.kind === T.Comma) this.fail("missing argument after ','", p.pos, 1);
    if (p.kind === T.Open) {
      const f = enclosing!;
      if (token.kind === T.Comma && f.kind === F.Group) this.fail("unexpected ','", token.pos, 1, 'commas only separate function arguments');
      if (token.kind === T.Comma) this.fail("missing argument before ','", token.pos, 1);
      if (f.kind === F.Group) this.fail("empty parentheses '()'", f.pos, token.end - f.pos);
      frames.pop();
      this.open--;
      this.closeCall(f, token); // no arguments: refused with the arity message unless an op takes none
      return token;
    }
    return this.fail(`unexpected '${token.text}' after '${p.text}'`, token.pos, 1, `'${p.text}' needs an operand after it`);
  }

  /** A name where an operand is expected: a call, a constant, or a variable. */
  private name(token: Token): Token {
    const word = token.text;
    const paren = this.lex.openParenAfter(token.end, this.open > 0);
    if (functions.has(word)) {
      if (paren < 0) this.functionWithoutParentheses(token);
      this.lex.pos = paren + 1;
      this.frames.push(this.frame(F.Call, null, 0, false, '(', paren, word, token.pos));
      this.open++;
      return { ...token, kind: T.Open, pos: paren, end: paren + 1, text: '(' };
    }
    const named = namedConstants.get(word);
    if (named !== undefined) {
      if (paren >= 0) this.fail(`'${word}' is a constant, not a function`, token.pos, word.length, `for a product write ${word}*(…)`);
      this.push(named, token.pos, Factor.Other);
      return token;
    }
    const numeric = numericConstants.get(word);
    if (numeric !== undefined) {
      this.push(numeric, token.pos, Factor.Constant);
      return token;
    }
    if (paren >= 0) this.unknownFunction(token);
    this.push(this.resolve(word, token.pos), token.pos, Factor.Other);
    return token;
  }

  private unknownFunction(token: Token): never {
    const word = token.text;
    const alias = aliases.get(word);
    const near = closestFunction(word);
    const hint = alias !== undefined && (alias[0] === '' || functions.has(alias[0])) ? `write ${alias[1]}`
      : near !== undefined ? `did you mean '${near}'?`
        : word.length <= 2 ? `to multiply, write ${word}*(…)` : undefined;
    const list = `supported functions: ${supportedFunctions.join(', ')}`;
    return this.fail(`unknown function '${quote(word)}'`, token.pos, word.length, hint === undefined ? list : `${hint}; ${list}`);
  }

  /** `sin x`, `sin 2x`, `sin^2(x)`, `x * sin`: mathjs would read a product with a function; say what to write. */
  private functionWithoutParentheses(token: Token): never {
    const word = token.text;
    const rest = this.text.slice(token.end, this.end).replace(/^[ \t\r\u00a0]+/, '');
    let hint = `write ${word}(x)`;
    if (rest.startsWith('^') || rest.startsWith('**')) hint = `write ${word}(x)^2 for a power of ${word}(x)`;
    else if (rest.length > 0 && (isNamePart(rest.charCodeAt(0)) || rest[0] === '.')) {
      const argument = shorten(/^[\p{L}\p{N}_. ]*/u.exec(rest)![0]);
      const product = /^(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z_\u0391-\u03c9][\w\u0391-\u03c9]*)$/.exec(argument);
      hint = product ? `write ${word}(${argument}) or ${word}(${product[1]}*${product[2]})` : `write ${word}(${argument})`;
    }
    return this.fail(`'${word}' is a function`, token.pos, word.length, hint);
  }

  private closeCall(f: Frame, close: Token): void {
    const byArity = functions.get(f.name)!;
    const op = byArity.get(f.argc);
    if (op === undefined) {
      const arities = [...byArity.keys()].sort((a, b) => a - b);
      const plural = arities.length > 1 || arities[0] !== 1 ? 's' : '';
      this.fail(`wrong number of arguments for ${f.name}`, f.namePos, close.end - f.namePos, `${f.name} takes ${arities.join(' or ')} argument${plural}, got ${f.argc}`);
    }
    const args = this.operands.splice(f.base, f.argc);
    this.starts.splice(f.base, f.argc);
    this.push(apply(op!, ...args), f.namePos, Factor.Other);
  }
}

/** Function names within edit distance 2 (or equal ignoring case), for "did you mean". */
function closestFunction(word: string): string | undefined {
  let best: string | undefined;
  let bestDistance = word.length <= 3 ? 1 : 2;
  const lower = word.length <= 40 ? word.toLowerCase() : '';
  for (const candidate of supportedFunctions) {
    if (candidate.toLowerCase() === lower) return candidate;
    const d = editDistance(word, candidate, bestDistance);
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * `name =` or `name(args) =` at the start (not `==`): an assignment or a function definition. A hand-written scan
 * rather than a regular expression: a pattern with two runs of blanks around an optional group backtracks
 * quadratically on a name followed by many blanks (80,000 spaces took seconds). Every character is read at most twice.
 */
function assignmentStart(text: string): { readonly name: string; readonly params: string | undefined; readonly at: number } | null {
  const n = text.length;
  const blank = (c: number): boolean => isSpace(c) || c === 10;
  let i = 0;
  while (i < n && blank(text.charCodeAt(i))) i++;
  if (i >= n || !isNameStart(text.charCodeAt(i))) return null;
  const nameStart = i;
  while (i < n && isNamePart(text.charCodeAt(i))) i++;
  const name = text.slice(nameStart, i);
  while (i < n && blank(text.charCodeAt(i))) i++;
  let params: string | undefined;
  if (text.charCodeAt(i) === 40) {
    const close = closingParen(text, i, n);
    if (close < 0) return null;
    params = text.slice(i, close + 1);
    i = close + 1;
    while (i < n && blank(text.charCodeAt(i))) i++;
  }
  if (text.charCodeAt(i) !== 61 || text.charCodeAt(i + 1) === 61) return null;
  return { name, params, at: i };
}

/** The `)` closing the `(` at `open` when no other parenthesis comes between them (`f(a, b)`), else -1. */
function closingParen(text: string, open: number, end: number): number {
  for (let k = open + 1; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 41) return k;
    if (c === 40) return -1;
  }
  return -1;
}

/**
 * Parses one expression in mathjs syntax into the IR (see the grammar at the top of this file).
 *
 * Numbers become constants as written, nothing is folded, except that a minus sign applied directly to a
 * number literal is its sign: `-2` is the constant −2 (as in Python, and as the printer writes negative
 * constants), while `-(2)` is neg(2), `-x` is neg(x) and `-2^2` is -(2^2). `pi`, `π` and `e` are named
 * constants; every other name that is not a function is a variable (`constructor` included).
 * `**` means `^`. Implicit multiplication (`2x`, `x y`, `2(x+1)`, `(a)(b)`, `3sin(x)`) follows mathjs,
 * except directly after a `/` (`1/2x`), which is refused as ambiguous.
 *
 * @throws ParseError for anything else, naming the problem and its position: syntax errors, unknown
 *   functions, wrong arity, `sin x`, assignments, comparisons, conditionals, matrices, units, strings,
 *   and number literals that overflow to Infinity or underflow to 0.
 */
export function parse(text: string): Expr {
  if (typeof text !== 'string') throw new TypeError(`parse() expects a string, got ${typeof text}`);
  const where = locator(text);
  const assignment = assignmentStart(text);
  if (assignment !== null) {
    const { at, name, params } = assignment;
    throw new ParseError(
      `assignments are not supported at ${where(at)}; gradlab differentiates expressions: ` +
        (params !== undefined ? `write the body of ${quote(name + params)} on its own` : `write the expression itself (parseWengert reads several 'name = expression' lines)`),
      at, 1, text,
    );
  }
  return new Parser(text, 0, text.length, variable, where).run();
}

/**
 * Parses a Wengert list: lines `name = expression`, each may use the names assigned on earlier lines;
 * blank lines and `#` comments are allowed, and `;` also separates statements. The last assigned name
 * is the output. Lets users enter DAGs with sharing: `a = x*y` then `b = sin(a) + a` uses one `x*y` node.
 *
 * Each statement is on one line. Each name is assigned once, and is never used before its assignment
 * (it would otherwise be a free variable on the earlier line).
 *
 * @throws ParseError as {@link parse} does, with positions into the whole text, and for malformed lines.
 */
export function parseWengert(text: string): Expr {
  if (typeof text !== 'string') throw new TypeError(`parseWengert() expects a string, got ${typeof text}`);
  const where = locator(text);
  const fail = (message: string, pos: number, length: number, hint?: string): never => {
    throw new ParseError(`${message} at ${where(pos)}${hint === undefined ? '' : `; ${hint}`}`, pos, length, text);
  };
  const assigned = new Map<string, { readonly expr: Expr; readonly pos: number }>();
  /** Names used as free variables so far, and where first. */
  const free = new Map<string, number>();
  const resolve: Resolve = (name, pos) => {
    const bound = assigned.get(name);
    if (bound !== undefined) return bound.expr;
    if (!free.has(name)) free.set(name, pos);
    return variable(name);
  };
  let output: Expr | undefined;
  const lineName = /([A-Za-z_\u0391-\u03a9\u03b1-\u03c9][A-Za-z0-9_\u0391-\u03a9\u03b1-\u03c9]*)[ \t\r\u00a0]*/y;

  for (let i = 0; i <= text.length; ) {
    // One statement per line (or between ';'); a '#' comment runs to the end of its line.
    let stop = i;
    for (let c = text.charCodeAt(stop); stop < text.length && c !== 10 && c !== 59 && c !== 35; c = text.charCodeAt(++stop));
    let next = stop;
    if (text[stop] === '#') {
      next = text.indexOf('\n', stop);
      if (next < 0) next = text.length;
    }
    let s = i;
    while (s < stop && (isSpace(text.charCodeAt(s)) || text.charCodeAt(s) === 10)) s++;
    if (s < stop) {
      lineName.lastIndex = s;
      const m = lineName.exec(text);
      const eq = m !== null ? s + m[0].length : -1;
      if (m === null || eq >= stop || text[eq] !== '=' || text[eq + 1] === '=') {
        if (m !== null && text[eq] === '(') {
          // `f(a) = …`: a closing ')' on this line, blanks, then '=' (not '=='); scanned, not matched, so it stays linear.
          const close = closingParen(text, eq, stop);
          let k = close + 1;
          while (close >= 0 && k < stop && isSpace(text.charCodeAt(k))) k++;
          if (close >= 0 && k < stop && text[k] === '=' && text[k + 1] !== '=') {
            fail('function definitions are not supported', s, k + 1 - s, 'a Wengert list assigns values: name = expression');
          }
        }
        // Not an assignment: report what is wrong with it as an expression first, if anything.
        new Parser(text, s, stop, resolve, where).run();
        fail('expected an assignment', s, stop - s, "each line of a Wengert list is 'name = expression'");
      }
      const target = m![1];
      if (functions.has(target)) fail(`cannot assign to '${target}'`, s, target.length, `'${target}' is a function`);
      if (namedConstants.has(target) || numericConstants.has(target)) fail(`cannot assign to '${target}'`, s, target.length, `'${target}' is a constant`);
      if (keywords.has(target)) fail(`cannot assign to '${target}'`, s, target.length, `'${target}' is a reserved word in mathjs`);
      const earlier = assigned.get(target);
      if (earlier !== undefined) fail(`'${quote(target)}' is assigned twice`, s, target.length, `first at ${where(earlier.pos)}; each name is assigned once`);
      const usedAt = free.get(target);
      if (usedAt !== undefined) {
        fail(`'${quote(target)}' is used before it is assigned`, usedAt, target.length, `it is assigned at ${where(s)}; move that line earlier`);
      }
      let r = eq + 1;
      while (r < stop && isSpace(text.charCodeAt(r))) r++;
      if (r >= stop) fail("missing expression after '='", eq, 1);
      const expr = new Parser(text, eq + 1, stop, resolve, where).run();
      const selfUse = free.get(target);
      if (selfUse !== undefined) fail(`'${quote(target)}' is used in its own definition`, selfUse, target.length, 'a line may only use names assigned on earlier lines');
      assigned.set(target, { expr, pos: s });
      output = expr;
    }
    i = next + 1;
  }
  if (output === undefined) {
    fail('empty Wengert list', 0, text.length, "write lines 'name = expression'; the last one is the output");
  }
  return output!;
}
