// The mathjs bridge: gradlab IR ⇄ mathjs expressions, both ways iterative, every mapping taken from the op table's `mathjs` forms.
import { apply, constant, constantSymbols, variable, type ConstantSymbol, type Expr } from '../../ir/node.ts';
import { opNames, ops, type OpName } from '../../ir/ops.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { buildMathjs, CONSTANT, FlatBuilder, flatArgs, flattenMathjs, OPERATOR, SYMBOL } from './mathjs-flat.mjs';
import type { FlatMathjs } from './mathjs-flat.d.mts';
import { mainThreadMathjs } from './mathjs-runner.ts';

export type { FlatMathjs } from './mathjs-flat.d.mts';

// One read of the imported table for the hot loops below (some module loaders turn each read into a getter call).
const opTable = ops;

// ---------------------------------------------------------------------------------------------------------------
// Lowering: ops mathjs has no function for are rewritten into ops it has (the op table says how).

/**
 * The expression with every op whose mathjs form is a `lowering` (sigmoid, softplus, logBase, xlogy) rewritten
 * by that lowering, over the whole DAG and without recursion. Other nodes are kept (the same node when nothing
 * below them changed). A lowering may itself use lowered ops: those are lowered in turn.
 */
export function lowerForMathjs(expr: Expr): Expr {
  const done = new Map<number, Expr>(); // node id → its lowered form
  // Frames: phase 0 = visit children, 1 = children lowered, 2 = waiting for a lowering's own output to be lowered.
  const nodes: Expr[] = [expr];
  const phases: number[] = [0];
  const outputs: (Expr | null)[] = [null];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const phase = phases.pop()!;
    const output = outputs.pop()!;
    if (phase === 0) {
      if (done.has(node.id)) continue;
      nodes.push(node), phases.push(1), outputs.push(null);
      for (const arg of node.args) if (!done.has(arg.id)) nodes.push(arg), phases.push(0), outputs.push(null);
    } else if (phase === 1) {
      if (done.has(node.id)) continue; // reached twice before it was finished (a shared child)
      if (node.kind !== 'op') {
        done.set(node.id, node);
        continue;
      }
      const args = node.args.map((a) => done.get(a.id)!);
      const form = opTable[node.op].mathjs;
      if (form.kind === 'lowering') {
        const lowered = form.lower(args);
        nodes.push(node), phases.push(2), outputs.push(lowered);
        if (!done.has(lowered.id)) nodes.push(lowered), phases.push(0), outputs.push(null);
      } else {
        const rebuilt = args.every((a, i) => a === node.args[i]) ? node : apply(node.op, ...args);
        done.set(node.id, rebuilt);
        done.set(rebuilt.id, rebuilt);
      }
    } else {
      done.set(node.id, done.get(output!.id)!);
    }
  }
  return done.get(expr.id)!;
}

/** An op of the expression that mathjs cannot differentiate, with the op table's reason. */
export interface UnsupportedOp {
  readonly op: OpName;
  readonly reason: string;
}

/** The ops in `expr` whose `mathjsDerivative` is a reason rather than `true` (each op once, in order of appearance). */
export function unsupportedByMathjs(expr: Expr): UnsupportedOp[] {
  const found = new Map<OpName, string>();
  for (const node of topologicalOrder(expr)) {
    if (node.kind !== 'op') continue;
    const support = opTable[node.op].mathjsDerivative;
    if (support !== true && !found.has(node.op)) found.set(node.op, support);
  }
  return [...found].map(([op, reason]) => ({ op, reason }));
}

// ---------------------------------------------------------------------------------------------------------------
// IR → mathjs

/** Options for the IR → mathjs direction. */
export interface ToMathjsOptions {
  /** The mathjs symbol for a variable (default: its own name). The worker path renames to avoid clashes with mathjs names. */
  readonly symbolOf?: (variable: string) => string;
}

/**
 * The expression in mathjs's flat exchange form (see mathjs-flat.d.mts), after lowering: each op through its
 * mathjs operator or function, `pi` and `e` as mathjs's symbols (or as numbers, should a variable carry that name).
 */
export function toMathjsFlat(expr: Expr, options: ToMathjsOptions = {}): FlatMathjs {
  const symbolOf = options.symbolOf ?? ((name: string) => name);
  let order = topologicalOrder(expr);
  if (order.some((n) => n.kind === 'op' && opTable[n.op].mathjs.kind === 'lowering')) order = topologicalOrder(lowerForMathjs(expr));
  const symbols = new Set(order.filter((n) => n.kind === 'var').map((n) => symbolOf(n.name)));
  const index = new Map<number, number>();
  // gradlab's nodes are hash-consed already: nothing to merge.
  const out = new FlatBuilder(false);
  for (const node of order) {
    let i: number;
    if (node.kind === 'var') i = out.addSymbol(symbolOf(node.name));
    else if (node.kind === 'const') i = node.symbol !== null && !symbols.has(node.symbol) ? out.addSymbol(node.symbol) : out.addConstant(node.value);
    else {
      const form = opTable[node.op].mathjs;
      const args = node.args.map((a) => index.get(a.id)!);
      if (form.kind === 'operator') i = out.addOperator(form.op, form.fn, args);
      else if (form.kind === 'function') i = out.addFunction(form.name, args);
      else throw new Error(`internal error: ${node.op} was not lowered`);
    }
    index.set(node.id, i);
  }
  return out.finish(index.get(order[order.length - 1].id)!);
}

/**
 * The expression as a mathjs node tree (OperatorNode, FunctionNode, SymbolNode, ConstantNode), after lowering.
 * Iterative, so 100,000-deep nestings convert (mathjs's own recursive methods may still overflow on them).
 */
export function toMathjs(expr: Expr, options: ToMathjsOptions = {}): import('mathjs').MathNode {
  return buildMathjs(mainThreadMathjs(), toMathjsFlat(expr, options));
}

// ---------------------------------------------------------------------------------------------------------------
// mathjs → IR: reverse maps built from the op table, never a list of op names.

type Builder = (args: readonly Expr[]) => Expr;
const byOp = (op: OpName): Builder => (args) => apply(op, ...args);

/** mathjs operator functions (`add`, `unaryMinus`, …) → op. */
const operatorOps = new Map<string, OpName>();
/** `name/arity` of a mathjs function (or operator function called by name) → how to build it. */
const functionBuilders = new Map<string, Builder>();
for (const op of opNames) {
  const { mathjs: form, arity } = ops[op];
  if (form.kind === 'operator') {
    operatorOps.set(form.fn, op);
    functionBuilders.set(`${form.fn}/${arity}`, byOp(op));
  } else if (form.kind === 'function') functionBuilders.set(`${form.name}/${arity}`, byOp(op));
}
// Lowered ops are read back by their own names too (mathjs never emits them, but text a user gives mathjs may).
for (const op of opNames) {
  const { mathjs: form, syntax, arity } = ops[op];
  const key = syntax.kind === 'function' ? `${syntax.name}/${arity}` : '';
  if (form.kind === 'lowering' && key !== '' && !functionBuilders.has(key)) functionBuilders.set(key, byOp(op));
}
/** Functions outside the op table that mathjs's own derivatives emit, rewritten into primitives. */
const mathjsOnly: Readonly<Record<string, Builder>> = {
  // sec u = 1 / cos u   (mathjs: d tan u = sec²u du)
  'sec/1': ([u]) => apply('div', 1, apply('cos', u)),
  // csc u = 1 / sin u
  'csc/1': ([u]) => apply('div', 1, apply('sin', u)),
  // cot u = cos u / sin u
  'cot/1': ([u]) => apply('div', apply('cos', u), apply('sin', u)),
  // sech u = 1 / cosh u   (mathjs: d tanh u = sech²u du)
  'sech/1': ([u]) => apply('div', 1, apply('cosh', u)),
  // csch u = 1 / sinh u
  'csch/1': ([u]) => apply('div', 1, apply('sinh', u)),
  // coth u = cosh u / sinh u
  'coth/1': ([u]) => apply('div', apply('cosh', u), apply('sinh', u)),
  // +u = u
  'unaryPlus/1': ([u]) => u,
};
for (const [key, build] of Object.entries(mathjsOnly)) if (!functionBuilders.has(key)) functionBuilders.set(key, build);

const namedConstants = new Set<string>(Object.keys(constantSymbols));

/** Options for the mathjs → IR direction. */
export interface FromMathjsOptions {
  /** The variable a mathjs symbol stands for, or undefined for the default (`pi`, `e` → constants; others → variables by name). */
  readonly variableOf?: (symbol: string) => string | undefined;
}

function unknownFunction(name: string, arity: number): Error {
  return new Error(`mathjs function ${name} with ${arity} argument${arity === 1 ? '' : 's'} has no counterpart in gradlab's op table`);
}

/**
 * The IR for a flat mathjs expression: hash-consed through `apply` (no simplification), operators and functions
 * mapped back through the op table. n-ary `+` and `*` (which mathjs's simplify can produce) fold left.
 * @throws Error naming a mathjs function or operator with no counterpart.
 */
export function fromMathjsFlat(flat: FlatMathjs, options: FromMathjsOptions = {}): Expr {
  const { type, label, value, strings } = flat;
  const built: Expr[] = new Array(type.length);
  for (let i = 0; i < type.length; i++) {
    const name = strings[label[i]];
    const args = Array.from(flatArgs(flat, i), (a) => built[a]);
    if (type[i] === SYMBOL) {
      const variableName = options.variableOf?.(name);
      built[i] = variableName !== undefined ? variable(variableName)
        : namedConstants.has(name) ? constant(constantSymbols[name as ConstantSymbol], name as ConstantSymbol)
        : variable(name);
    } else if (type[i] === CONSTANT) {
      built[i] = constant(value[i]);
    } else if (type[i] === OPERATOR) {
      const op = operatorOps.get(name);
      if (op !== undefined && opTable[op].arity === 2 && args.length > 2) {
        built[i] = args.slice(1).reduce((sum, arg) => apply(op, sum, arg), args[0]);
      } else if (op !== undefined && opTable[op].arity === args.length) {
        built[i] = apply(op, ...args);
      } else {
        const build = functionBuilders.get(`${name}/${args.length}`);
        if (build === undefined) {
          throw new Error(`mathjs operator ${strings[flat.symbol[i]]} (${name}) with ${args.length} arguments has no counterpart in gradlab's op table`);
        }
        built[i] = build(args);
      }
    } else {
      const build = functionBuilders.get(`${name}/${args.length}`);
      if (build === undefined) throw unknownFunction(name, args.length);
      built[i] = build(args);
    }
  }
  return built[flat.root];
}

/**
 * The IR for a mathjs node (ParenthesisNode skipped), iteratively and hash-consed.
 * @throws Error for mathjs nodes and functions gradlab has no counterpart for.
 */
export function fromMathjs(node: import('mathjs').MathNode, options: FromMathjsOptions = {}): Expr {
  return fromMathjsFlat(flattenMathjs(node), options);
}
