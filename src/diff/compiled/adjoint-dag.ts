// compileGradient's reverse sweep into a local DAG: the adjoint terms of adjoint.ts without a global node per term.
//
// adjointExpressions builds each adjoint product and sum as a hash-consed IR node; creating one costs several µs
// (intern key, weak reference, frozen object), so a 200,000-instruction gradient spent seconds there. The compiler
// needs the adjoints only long enough to lower them, so here they live in a local DAG: numbered nodes (op and two
// arguments in plain arrays), hash-consed among themselves by a numeric key, whose leaves are references to the
// global IR nodes of f and of the op table's partials. The terms are built by the same scaled-term algebra
// (scaled.ts) with `applySimplified`'s semantics: constants folded, then the op table's `simplify` identities.
// Where a local node is an argument, `simplify` sees a stand-in: a global node with the local node's op over
// placeholder variables, so identities that look at an argument's op (−(−u) = u) still apply. That is exact for
// identities that inspect an argument's own op and constants, not its arguments' structure; the gradient program
// test checks instruction for instruction that this path and adjointExpressions + lowerExpressions agree.
import { apply, constant, variable, type Expr, type VarExpr } from '../../ir/node.ts';
import { opNames, ops, type OpName } from '../../ir/ops.ts';
import { localPartials } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { variableIndex } from '../../ir/compile.ts';
import { isZero, one, peel, scaledAlgebra, type Scaled, type ScaledAlgebra, type ScaledOp } from './scaled.ts';
import { TripleTable } from './triple-table.ts';

/** A node of an {@link AdjointDag}: `ref ≥ 0` is local node `ref`, `ref < 0` the global node `globals[-1 - ref]`. */
export type Ref = number;

const opIndex = new Map<OpName, number>(opNames.map((name, i) => [name, i]));

// Placeholder variables for stand-ins, by argument position and the local node's own argument.
const placeholderNames = [0, 1].map((position) => [0, 1].map((k) => `⟨adjoint ${position}.${k}⟩`));
let placeholders: VarExpr[][] | null = null;
// Stand-ins by argument position and op index, built on first use and held for the process (a few dozen nodes).
const standIns: (Expr | undefined)[][] = [[], []];

/** Raised when a `simplify` identity returns something the stand-ins cannot be translated back from. */
class UntranslatableIdentity extends Error {}

/** A local DAG of adjoint terms over global IR nodes (see the file header). */
export class AdjointDag {
  /** Global nodes by index (`ref = -1 - index`). */
  readonly globals: Expr[] = [];
  private readonly globalRefOf = new Map<number, Ref>();
  /** Local nodes: op and arguments (`localSecond` is 0 for unary ops). */
  readonly localOp: OpName[] = [];
  readonly localArity: number[] = [];
  readonly localFirst: Ref[] = [];
  readonly localSecond: Ref[] = [];
  private readonly localKeys: TripleTable;
  /** The scaled-term algebra over this DAG's references. */
  readonly algebra: ScaledAlgebra<Ref>;

  /** @param expectedNodes about how many local nodes there will be (the table grows past it) */
  constructor(expectedNodes = 1024) {
    this.localKeys = new TripleTable(expectedNodes);
    this.algebra = scaledAlgebra<Ref>({
      constant: (value) => this.ref(constant(value)),
      apply: (op: ScaledOp, a: Ref, b?: Ref) => this.apply(op, a, b),
    });
  }

  /** The reference of a global node. */
  ref(expr: Expr): Ref {
    let ref = this.globalRefOf.get(expr.id);
    if (ref === undefined) {
      ref = -1 - this.globals.length;
      this.globals.push(expr);
      this.globalRefOf.set(expr.id, ref);
    }
    return ref;
  }

  /** How many local nodes there are. */
  get localCount(): number {
    return this.localOp.length;
  }

  /** `applySimplified(op, a, b)` over references: constants folded, the op's identities applied, else a local node. */
  apply(op: OpName, a: Ref, b?: Ref): Ref {
    const spec = ops[op];
    if (a < 0 && (b === undefined || b < 0)) {
      const first = this.globals[-1 - a];
      const second = b === undefined ? undefined : this.globals[-1 - b];
      if (first.kind === 'const' && first.symbol === null && (second === undefined || (second.kind === 'const' && second.symbol === null))) {
        const value = spec.eval(first.value, second === undefined ? NaN : second.value);
        if (Number.isFinite(value)) return this.ref(constant(value));
      }
      const simplified = spec.simplify?.(second === undefined ? [first] : [first, second]);
      return simplified === undefined ? this.local(op, a, b) : this.ref(simplified);
    }
    if (spec.simplify === undefined) return this.local(op, a, b);
    const args = b === undefined ? [a] : [a, b];
    const shown = args.map((r, position) => (r >= 0 ? this.standIn(r, position) : this.globals[-1 - r]));
    const simplified = spec.simplify(shown);
    return simplified === undefined ? this.local(op, a, b) : this.translate(simplified, args, shown, 0);
  }

  /** The local node `op(a, b)`, hash-consed. */
  private local(op: OpName, a: Ref, b: Ref | undefined): Ref {
    const second = b ?? 0;
    const fresh = this.localOp.length;
    const found = this.localKeys.getOrSet(opIndex.get(op)!, a >= 0 ? 2 * a : -2 * a - 1, second >= 0 ? 2 * second : -2 * second - 1, fresh);
    if (found !== -1) return found;
    this.localOp.push(op);
    this.localArity.push(b === undefined ? 1 : 2);
    this.localFirst.push(a);
    this.localSecond.push(second);
    return fresh;
  }

  /** A global node showing local node `ref`'s op over placeholders, for `simplify` at argument `position`. */
  private standIn(ref: Ref, position: number): Expr {
    const op = this.localOp[ref];
    const index = opIndex.get(op)!;
    let node = standIns[position][index];
    if (node === undefined) {
      placeholders ??= placeholderNames.map((row) => row.map((name) => variable(name)));
      const [p0, p1] = placeholders[position];
      node = ops[op].arity === 1 ? apply(op, p0) : apply(op, p0, p1);
      standIns[position][index] = node;
    }
    return node;
  }

  /** The result of an identity over stand-ins, back in references (rebuilt through {@link apply}). */
  private translate(result: Expr, args: readonly Ref[], shown: readonly Expr[], depth: number): Ref {
    for (let position = 0; position < args.length; position++) {
      if (result === shown[position]) return args[position];
      const ref = args[position];
      if (ref < 0) continue;
      const row = placeholders![position];
      if (result === row[0]) return this.localFirst[ref];
      if (result === row[1]) return this.localSecond[ref];
    }
    if (result.kind !== 'op') return this.ref(result);
    // A node the identity built: small, over the stand-ins. Anything deeper is not an identity this file translates.
    if (depth >= 4) throw new UntranslatableIdentity();
    const [x, y] = result.args;
    const first = this.translate(x, args, shown, depth + 1);
    return y === undefined ? this.apply(result.op, first) : this.apply(result.op, first, this.translate(y, args, shown, depth + 1));
  }
}

/** The gradient of an expression as references into an {@link AdjointDag}, in the variables' order. */
export interface AdjointGraph {
  readonly dag: AdjointDag;
  readonly gradient: readonly Ref[];
}

/**
 * The gradient of `expr` by reverse accumulation on the DAG, as {@link adjointExpressions} builds it (same terms,
 * same order, same structural zeros), but into a local {@link AdjointDag}. Returns null when the expression uses a
 * placeholder's name or an identity cannot be translated; the caller then takes adjointExpressions' path.
 * Cost: one pass over the DAG, O(1) amortised per term.
 * @throws Error when `expr` uses a variable missing from `variables`, or a name is listed twice.
 */
export function adjointGraph(expr: Expr, variables: readonly string[]): AdjointGraph | null {
  const order = topologicalOrder(expr);
  const positionOf = new Map<number, number>();
  const listed = new Set(variables);
  let unlisted = listed.size !== variables.length;
  let placeholderUsed = false;
  const active = new Uint8Array(order.length);
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    positionOf.set(node.id, k);
    if (node.kind === 'var') {
      active[k] = 1;
      if (!listed.has(node.name)) unlisted = true;
      if (node.name.startsWith('⟨adjoint ')) placeholderUsed = true;
    } else if (node.kind === 'op') {
      for (const arg of node.args) if (active[positionOf.get(arg.id)!]) active[k] = 1;
    }
  }
  if (unlisted) variableIndex(expr, variables); // throws the error that names the missing or repeated variables
  if (placeholderUsed) return null;

  // About one product and one sum per argument of each node.
  const dag = new AdjointDag(2 * order.length);
  const { times, sum, materialize } = dag.algebra;
  const pending: (Scaled<Ref>[] | undefined)[] = new Array(order.length);
  const rootPosition = order.length - 1;
  if (active[rootPosition]) pending[rootPosition] = [one];
  const adjointOfVariable = new Map<string, Scaled<Ref>>();
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const terms = pending[k];
      if (terms === undefined) continue;
      pending[k] = undefined;
      const adjoint = sum(terms)!;
      const node = order[k];
      if (node.kind === 'var') {
        adjointOfVariable.set(node.name, adjoint);
        continue;
      }
      if (node.kind !== 'op' || isZero(adjoint)) continue;
      const partials = localPartials(node);
      for (let i = 0; i < node.args.length; i++) {
        const position = positionOf.get(node.args[i].id)!;
        if (!active[position]) continue;
        const partial = peel(partials[i]);
        const term = times(adjoint, { coefficient: partial.coefficient, expr: partial.expr === null ? null : dag.ref(partial.expr) });
        if (term === null) continue;
        const list = pending[position];
        if (list === undefined) pending[position] = [term];
        else list.push(term);
      }
    }
    const gradient = variables.map((name) => {
      const adjoint = adjointOfVariable.get(name);
      return adjoint === undefined ? dag.ref(constant(0)) : materialize(adjoint);
    });
    return { dag, gradient };
  } catch (error) {
    if (error instanceof UntranslatableIdentity) return null;
    throw error;
  }
}
