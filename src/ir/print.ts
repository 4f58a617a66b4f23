// Printers: infix text with minimal parentheses (parses back to the same DAG), LaTeX, and the Wengert list.
import type { Expr } from './node.ts';
import { ops } from './ops.ts';
import { metrics, topologicalOrder } from './traverse.ts';

/** Precedence of what an atom (number, variable, function call) binds like: tighter than any operator. */
const atomPrecedence = 10;

function precedenceOf(node: Expr): number {
  if (node.kind === 'op') {
    const syntax = ops[node.op].syntax;
    return syntax.kind === 'function' ? atomPrecedence : syntax.precedence;
  }
  // A negative literal reads like a unary minus: `(-2)^x`, `-(-2)`.
  if (node.kind === 'const' && node.symbol === null && (node.value < 0 || Object.is(node.value, -0))) {
    return ops.neg.syntax.kind === 'prefix' ? ops.neg.syntax.precedence : atomPrecedence;
  }
  return atomPrecedence;
}

/** Whether argument `index` of `parent` must be parenthesised to parse back as the same tree. */
function needsParentheses(parent: Expr, index: number): boolean {
  if (parent.kind !== 'op') return false;
  const syntax = ops[parent.op].syntax;
  const child = precedenceOf(parent.args[index]);
  switch (syntax.kind) {
    case 'function':
      return false;
    case 'prefix': {
      // The parser reads a sign written directly before a number as part of the literal (`-2` is the
      // constant −2), so an operator applied to a plain literal keeps parentheses: neg(2) prints `-(2)`.
      const arg = parent.args[index];
      const literal = arg.kind === 'const' && arg.symbol === null;
      return literal || child <= syntax.precedence;
    }
    case 'infix': {
      const tightSide = syntax.associativity === 'left' ? 1 : 0;
      return index === tightSide ? child <= syntax.precedence : child < syntax.precedence;
    }
  }
}

/** Text of a number the parser reads back to the same double. */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

function leafText(node: Expr): string {
  if (node.kind === 'var') return node.name;
  return node.symbol ?? formatNumber(node.value);
}

/** Options for the printers that write a DAG out as a tree. */
export interface TreePrintOptions {
  /** Refuse to print more tree nodes than this (expression swell can make a small DAG an enormous tree). */
  maxTreeSize?: number;
}

const defaultMaxTreeSize = 20_000_000;

function checkTreeSize(expr: Expr, options: TreePrintOptions, what: string): void {
  const limit = options.maxTreeSize ?? defaultMaxTreeSize;
  const size = metrics(expr).treeSize;
  if (size > limit) {
    throw new RangeError(
      `the ${what} would write out ${size.toExponential(2)} tree nodes (limit ${limit}); ` +
        'shared subexpressions repeat when a DAG is printed as a tree: print the Wengert list instead',
    );
  }
}

// Both tree printers build each DAG node's text once, bottom-up, and let the parent parenthesise it.
// (V8 concatenates strings as ropes, so shared and deep texts cost no copying until the end.)
function printTree(expr: Expr, render: (node: Expr, args: readonly string[]) => string, open: string, close: string): string {
  const text = new Map<number, string>();
  for (const node of topologicalOrder(expr)) {
    if (node.kind !== 'op') {
      text.set(node.id, leafText(node));
      continue;
    }
    const args = node.args.map((arg, i) => {
      const inner = text.get(arg.id)!;
      return needsParentheses(node, i) ? `${open}${inner}${close}` : inner;
    });
    text.set(node.id, render(node, args));
  }
  return text.get(expr.id)!;
}

/** Infix text with minimal parentheses, in the syntax the parser reads (`x^2 + 3 * x + 1`). */
export function toInfix(expr: Expr, options: TreePrintOptions = {}): string {
  checkTreeSize(expr, options, 'infix text');
  return printTree(expr, renderInfix, '(', ')');
}

/** One op node in infix, from its arguments' text (already parenthesised). */
function renderInfix(node: Expr, args: readonly string[]): string {
  const syntax = ops[node.op!].syntax;
  switch (syntax.kind) {
    case 'function': return `${syntax.name}(${args.join(', ')})`;
    case 'prefix': return `${syntax.symbol}${args[0]}`;
    // Powers print tight (x^2), the other operators with spaces.
    case 'infix': return syntax.symbol === '^' ? `${args[0]}^${args[1]}` : `${args[0]} ${syntax.symbol} ${args[1]}`;
  }
}

const latexConstants: Record<string, string> = { pi: '\\pi', e: 'e' };

/** LaTeX for the expression (`x^{2} + 3 \cdot x + 1`). */
export function toLatex(expr: Expr, options: TreePrintOptions = {}): string {
  checkTreeSize(expr, options, 'LaTeX');
  const text = new Map<number, string>();
  for (const node of topologicalOrder(expr)) {
    if (node.kind === 'var') text.set(node.id, latexVariable(node.name));
    else if (node.kind === 'const') text.set(node.id, node.symbol !== null ? latexConstants[node.symbol] : latexNumber(node.value));
    else {
      const spec = ops[node.op];
      const args = node.args.map((arg, i) => {
        const inner = text.get(arg.id)!;
        return !spec.latexGrouped[i] && needsParentheses(node, i) ? `\\left(${inner}\\right)` : inner;
      });
      text.set(node.id, spec.latex(args[0], args[1] ?? ''));
    }
  }
  return text.get(expr.id)!;
}

function latexNumber(value: number): string {
  if (Number.isNaN(value)) return '\\mathrm{NaN}';
  if (!Number.isFinite(value)) return value > 0 ? '\\infty' : '-\\infty';
  const text = formatNumber(value);
  const match = /^(-?[0-9.]+)e([+-]?)([0-9]+)$/.exec(text);
  return match ? `${match[1]} \\cdot 10^{${match[2] === '-' ? '-' : ''}${match[3]}}` : text;
}

function latexVariable(name: string): string {
  // Multi-letter names read as one symbol; an underscore suffix or trailing digits become a subscript (x_1, x1 → x_{1}).
  const escaped = name.replace(/[\\{}$&#^%~]/g, (c) => `\\${c}`);
  const sub = /^([A-Za-z]+)_([A-Za-z0-9]+)$/.exec(escaped) ?? /^([A-Za-z]+)([0-9]+)$/.exec(escaped);
  if (sub) return `${sub[1].length > 1 ? `\\mathrm{${sub[1]}}` : sub[1]}_{${sub[2]}}`;
  return escaped.length > 1 ? `\\mathrm{${escaped}}` : escaped;
}

/** One line of a Wengert list. */
export interface WengertLine {
  /** The name of the value this line defines (`v3`), or the variable's own name for inputs. */
  name: string;
  /** The right-hand side, in infix over earlier names. */
  rhs: string;
  node: Expr;
}

/**
 * The Wengert list (evaluation trace): one line per op node of the DAG, children first, `v3 = sin(v1)`.
 * Inputs are used by name and constants inline, so the text parses back with `parseWengert` to the same DAG.
 */
export function wengertList(expr: Expr): WengertLine[] {
  const order = topologicalOrder(expr);
  // Line names must not collide with the expression's own variables (a user may call a variable v1).
  const variableNames = order.filter((n) => n.kind === 'var').map((n) => n.name);
  const prefix = ['v', 'w', 't', 'tmp'].find((p) => !variableNames.some((v) => new RegExp(`^${p}[0-9]+$`).test(v))) ?? '_v';
  const name = new Map<number, string>();
  const lines: WengertLine[] = [];
  for (const node of order) {
    if (node.kind !== 'op') {
      name.set(node.id, leafText(node));
      continue;
    }
    // Earlier lines are plain names; only a negative constant may need parentheses, like any operand.
    const args = node.args.map((arg, i) => {
      const text = name.get(arg.id)!;
      return arg.kind === 'const' && needsParentheses(node, i) ? `(${text})` : text;
    });
    const rhs = renderInfix(node, args);
    const lineName = `${prefix}${lines.length + 1}`;
    name.set(node.id, lineName);
    lines.push({ name: lineName, rhs, node });
  }
  if (lines.length === 0) lines.push({ name: `${prefix}1`, rhs: name.get(expr.id)!, node: expr });
  return lines;
}

/** The Wengert list as text, one `name = rhs` line each. */
export function toWengert(expr: Expr): string {
  return wengertList(expr).map((l) => `${l.name} = ${l.rhs}`).join('\n');
}
