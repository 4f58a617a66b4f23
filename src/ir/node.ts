// Expression nodes: immutable, hash-consed (structurally equal ⇒ the same object), so every expression is a DAG.
import { ops, type OpName } from './ops.ts';

/** Named constants the parser knows; they print by name (`pi`, not `3.141592653589793`). */
export type ConstantSymbol = 'pi' | 'e';

/** A numeric constant. `symbol` is set for `pi` and `e`. */
export interface ConstExpr {
  readonly id: number;
  readonly kind: 'const';
  readonly op: null;
  readonly args: readonly Expr[];
  readonly value: number;
  readonly name: '';
  readonly symbol: ConstantSymbol | null;
}

/** A free variable, named by any non-empty string (printing assumes an identifier; code generation never uses the name). */
export interface VarExpr {
  readonly id: number;
  readonly kind: 'var';
  readonly op: null;
  readonly args: readonly Expr[];
  readonly value: number;
  readonly name: string;
  readonly symbol: null;
}

/** An application of a primitive from the op table to its arguments. */
export interface OpExpr {
  readonly id: number;
  readonly kind: 'op';
  readonly op: OpName;
  readonly args: readonly Expr[];
  readonly value: number;
  readonly name: '';
  readonly symbol: null;
}

/**
 * An expression node. Nodes are created only through {@link constant}, {@link variable} and
 * {@link apply}, which intern them: building the same structure twice returns the same object,
 * and `id` grows with creation order, so children always have smaller ids than their parents.
 */
export type Expr = ConstExpr | VarExpr | OpExpr;

const noArgs: readonly Expr[] = Object.freeze([]);
let nextId = 0;

// The intern table holds nodes weakly: an expression nobody references can be collected. Dead entries are
// swept when the table has doubled since the last sweep (amortised O(1) per node), rather than through a
// FinalizationRegistry: a registration per node cost about as much memory as the node itself, which is what
// ran a 10⁶-level expression's derivative out of heap.
const interned = new Map<string, WeakRef<Expr>>();
let sweepAt = 1 << 16;

function intern<T extends Expr>(key: string, make: (id: number) => T): T {
  const existing = interned.get(key)?.deref();
  if (existing !== undefined) return existing as T;
  if (interned.size >= sweepAt) {
    for (const [k, ref] of interned) if (ref.deref() === undefined) interned.delete(k);
    sweepAt = Math.max(1 << 16, 2 * interned.size);
  }
  const node = Object.freeze(make(nextId++)) as T;
  interned.set(key, new WeakRef<Expr>(node));
  return node;
}

/** The intern key of a node built by this module (op keys name their children by id). */
function keyOf(node: Expr): string {
  if (node.kind === 'const') return `c${node.symbol ?? ''}:${numberKey(node.value)}`;
  if (node.kind === 'var') return `v:${node.name}`;
  return node.args.length === 1 ? `${node.op}(${node.args[0].id})` : `${node.op}(${node.args[0].id},${node.args[1].id})`;
}

/**
 * True when `value` is an expression node made by {@link constant}, {@link variable} or {@link apply} (and not a
 * look-alike object): the intern table maps its key to this very object.
 */
export function isExpr(value: unknown): value is Expr {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (kind !== 'const' && kind !== 'var' && kind !== 'op') return false;
  const node = value as Expr;
  if (!Array.isArray(node.args) || (kind === 'op' && node.args.length !== 1 && node.args.length !== 2)) return false;
  if (kind === 'op' && !node.args.every((a) => typeof a === 'object' && a !== null && typeof a.id === 'number')) return false;
  return interned.get(keyOf(node))?.deref() === value;
}

/**
 * Returns `value` when it is an expression node ({@link isExpr}); otherwise throws a TypeError that says what
 * `where` (a function name, for the message) got instead, and how to make an expression.
 */
export function requireExpr(value: unknown, where: string): Expr {
  if (isExpr(value)) return value;
  const got = typeof value === 'string' ? 'a string (parse it first)' : value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object that is not an expression node' : typeof value;
  throw new TypeError(`${where}: expected an expression (from parse(), variable(), constant() or apply()), got ${got}`);
}

/** How many nodes have been created so far in this process (ids are handed out in order): allocation counts for tests. */
export function nodesCreated(): number {
  return nextId;
}

/** Exact text of a double for keys: distinguishes -0 from 0; every NaN is one key. */
function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** The value each named constant stands for. */
export const constantSymbols: Readonly<Record<ConstantSymbol, number>> = { pi: Math.PI, e: Math.E };

/** A numeric constant node; pass `symbol` for `pi` and `e` so it prints by name. */
export function constant(value: number, symbol: ConstantSymbol | null = null): ConstExpr {
  if (typeof value !== 'number') throw new TypeError(`constant() expects a number, got ${typeof value}`);
  if (symbol !== null && !Object.is(constantSymbols[symbol], value)) {
    throw new RangeError(`constant symbol '${symbol}' must have the value ${constantSymbols[symbol]}`);
  }
  return intern(`c${symbol ?? ''}:${numberKey(value)}`, (id) => ({
    id, kind: 'const', op: null, args: noArgs, value, name: '', symbol,
  }));
}

/** A variable node. Any non-empty name is allowed (`constructor` and `__proto__` included). */
export function variable(name: string): VarExpr {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('a variable name must be a non-empty string');
  return intern(`v:${name}`, (id) => ({ id, kind: 'var', op: null, args: noArgs, value: NaN, name, symbol: null }));
}

/** Anything that can stand for an expression when building one in TypeScript: numbers become constants. */
export type ExprLike = Expr | number;

/** Turns a number into a constant node; passes nodes through. */
export function toExpr(value: ExprLike): Expr {
  return typeof value === 'number' ? constant(value) : value;
}

/**
 * Applies a primitive to its arguments exactly as given (no simplification), interning the result.
 * @throws RangeError when the number of arguments does not match the op's arity.
 */
export function apply(op: OpName, ...args: ExprLike[]): OpExpr {
  if (typeof op !== 'string' || !Object.prototype.hasOwnProperty.call(ops, op)) {
    throw new RangeError(`unknown op '${typeof op === 'string' ? (op.length > 40 ? `${op.slice(0, 39)}…` : op) : typeof op}'; known ops: ${Object.keys(ops).join(', ')}`);
  }
  const spec = ops[op];
  if (args.length !== spec.arity) {
    throw new RangeError(`${op} takes ${spec.arity} argument${spec.arity === 1 ? '' : 's'}, got ${args.length}`);
  }
  const nodes = args.map((arg: unknown, i): Expr => {
    if (typeof arg === 'number') return constant(arg);
    if (!isExpr(arg)) {
      const what = typeof arg === 'string' ? `the string '${arg.length > 40 ? `${arg.slice(0, 39)}…` : arg}' (parse it first, or use variable())` : arg === null ? 'null' : typeof arg;
      throw new TypeError(`${op}: argument ${i + 1} must be an expression node or a number, got ${what}`);
    }
    return arg;
  });
  const key = nodes.length === 1 ? `${op}(${nodes[0].id})` : `${op}(${nodes[0].id},${nodes[1].id})`;
  return intern(key, (id) => ({ id, kind: 'op', op, args: Object.freeze(nodes), value: NaN, name: '', symbol: null }));
}

/**
 * Applies a primitive the way the library builds derived expressions (partials, derivatives):
 * constant arguments are folded and the op's declared identities (`x + 0`, `x * 1`, `x ^ 1`, …)
 * are applied. Never used on what the user wrote, so parsed expressions keep their structure.
 */
export function applySimplified(op: OpName, ...args: ExprLike[]): Expr {
  const nodes = args.map(toExpr);
  const spec = ops[op];
  if (nodes.every((n) => n.kind === 'const' && n.symbol === null)) {
    const value = nodes.length === 1 ? spec.eval(nodes[0].value, NaN) : spec.eval(nodes[0].value, nodes[1].value);
    // Fold only when it loses nothing a reader needs: finite results keep printing short.
    if (Number.isFinite(value)) return constant(value);
  }
  return spec.simplify?.(nodes) ?? apply(op, ...nodes);
}

/** True when `node` is the plain constant `value` (not a named constant). */
export function isConstant(node: Expr, value: number): boolean {
  return node.kind === 'const' && node.symbol === null && node.value === value;
}
