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
import { localPartials, partialTemplates, placeholder } from '../../ir/partials.ts';
import { topologicalOrder } from '../../ir/traverse.ts';
import { variableIndex } from '../../ir/compile.ts';
import { isZero, one, peel, scaledAlgebra, type Scaled, type ScaledAlgebra, type ScaledOp } from './scaled.ts';
import { TripleTable } from '../../ir/triple-table.ts';

/** A node of an {@link AdjointDag}: `ref ≥ 0` is local node `ref`, `ref < 0` the global node `globals[-1 - ref]`. */
export type Ref = number;

const opIndex = new Map<OpName, number>(opNames.map((name, i) => [name, i]));

// Placeholder variables for stand-ins, by argument position and the local node's own argument.
const placeholderNames = [0, 1].map((position) => [0, 1].map((k) => `⟨adjoint ${position}.${k}⟩`));
let placeholders: VarExpr[][] | null = null;
// Stand-ins by argument position and op index, built on first use and held for the process (a few dozen nodes).
const standIns: (Expr | undefined)[][] = [[], []];

/**
 * One partial template of an op (`partialTemplates`) as a walk: its nodes children first, each op node's argument
 * positions, and whether an instance can be peeled as the template is (see {@link templateWalks}).
 */
interface TemplateWalk {
  readonly order: readonly Expr[];
  readonly argA: Int32Array;
  readonly argB: Int32Array;
  /** The root is an op node that `peel` leaves whole (not a negation or a product with a constant): its op index. −1 otherwise. */
  readonly wholeRootOp: number;
  /** The root is a leaf (a placeholder or a constant): an instance is a global node, peeled as such. */
  readonly leafRoot: boolean;
}

const templateWalkCache = new Map<OpName, readonly TemplateWalk[]>();

/** The walks of `op`'s partial templates, built once per op and held for the process (a few nodes each). */
function templateWalks(op: OpName): readonly TemplateWalk[] {
  let walks = templateWalkCache.get(op);
  if (walks === undefined) {
    walks = partialTemplates(op).map((template): TemplateWalk => {
      const order = topologicalOrder(template);
      const position = new Map<number, number>(order.map((node, p) => [node.id, p]));
      const argA = Int32Array.from(order, (node) => (node.kind === 'op' ? position.get(node.args[0].id)! : -1));
      const argB = Int32Array.from(order, (node) => (node.kind === 'op' && node.args.length > 1 ? position.get(node.args[1].id)! : -1));
      const peeled = peel(template);
      const whole = template.kind === 'op' && peeled.coefficient === 1 && peeled.expr === template;
      return { order, argA, argB, wholeRootOp: whole ? opIndex.get(template.kind === 'op' ? template.op : 'add')! : -1, leafRoot: template.kind !== 'op' };
    });
    templateWalkCache.set(op, walks);
  }
  return walks;
}

/** Raised when a `simplify` identity returns something the stand-ins cannot be translated back from. */
class UntranslatableIdentity extends Error {}

/**
 * Node ids to global indices. Ids grow in creation order and an expression's nodes are mostly made together, so most
 * of a large expression's ids fall in one window of ids: those are found in an array, the others in a Map (the
 * variables, made long before, say). The window grows only while it stays within four times the number of entries
 * plus a constant, so memory stays linear in the DAG whatever the ids.
 */
class IdIndex {
  /** Index + 1 of the node with id `low + w` at `window[w]` (0: not there, look in `others`). */
  private window = new Int32Array(0);
  private low = 0;
  private readonly others = new Map<number, number>();
  private count = 0;

  /** The global index of the node with this id, or −1. */
  get(id: number): number {
    const w = id - this.low;
    if (w >= 0 && w < this.window.length) {
      const found = this.window[w];
      if (found !== 0) return found - 1;
    }
    if (this.others.size === 0) return -1;
    return this.others.get(id) ?? -1;
  }

  set(id: number, index: number): void {
    this.count++;
    let w = id - this.low;
    if (w < 0 || w >= this.window.length) {
      const high = this.window.length === 0 ? id + 1 : this.low + this.window.length;
      const low = this.window.length === 0 ? id : this.low;
      // Room on the side the id fell: as much again as the window holds, at least 4096.
      const margin = Math.max(4096, this.window.length);
      const newLow = id < low ? Math.max(0, id - margin) : low;
      const newHigh = id >= high ? id + 1 + margin : high;
      if (newHigh - newLow > 4 * this.count + 16384) {
        this.others.set(id, index);
        return;
      }
      const window = new Int32Array(newHigh - newLow);
      window.set(this.window, low - newLow);
      this.window = window;
      this.low = newLow;
      w = id - newLow;
    }
    this.window[w] = index + 1;
  }
}

/** A local DAG of adjoint terms over global IR nodes (see the file header). */
export class AdjointDag {
  /** Global nodes by index (`ref = -1 - index`). */
  readonly globals: Expr[] = [];
  /**
   * The global indices of each global node's arguments, where {@link addExpression} registered the node (−1: no
   * such argument; −2: not recorded, look the argument up with {@link ref}). Walks read them instead of looking up
   * every argument by id again.
   */
  readonly globalFirst: number[] = [];
  readonly globalSecond: number[] = [];
  private readonly globalIndexOf = new IdIndex();
  /** Local nodes: op and arguments (`localSecond` is 0 for unary ops). */
  readonly localOp: OpName[] = [];
  /** The same ops as indices into `opNames`. */
  readonly localOpIndex: number[] = [];
  readonly localArity: number[] = [];
  readonly localFirst: Ref[] = [];
  readonly localSecond: Ref[] = [];
  private localKeys: TripleTable | null = null;
  private readonly expectedNodes: number;
  /** The scaled-term algebra over this DAG's references. */
  readonly algebra: ScaledAlgebra<Ref>;

  /** @param expectedNodes about how many local nodes there will be (the table grows past it) */
  constructor(expectedNodes = 1024) {
    this.expectedNodes = expectedNodes;
    this.algebra = scaledAlgebra<Ref>({
      constant: (value) => this.ref(constant(value)),
      apply: (op: ScaledOp, a: Ref, b?: Ref) => this.apply(op, a, b),
    });
  }

  /** The reference of a global node. */
  ref(expr: Expr): Ref {
    let g = this.globalIndexOf.get(expr.id);
    if (g === -1) {
      g = this.globals.length;
      this.globals.push(expr);
      this.globalFirst.push(-2);
      this.globalSecond.push(-2);
      this.globalIndexOf.set(expr.id, g);
    }
    return -1 - g;
  }

  /**
   * The reference of `root`, registering it and every node below it not registered yet as global nodes, children
   * before parents (so a fresh DAG's global indices are a topological order of `root`), with their arguments'
   * indices ({@link globalFirst}). One lookup per edge; explicit stack, no recursion.
   */
  addExpression(root: Expr): Ref {
    const known = this.globalIndexOf.get(root.id);
    if (known !== -1) return -1 - known;
    const nodes: Expr[] = [root];
    const childIndex: number[] = [0];
    // The argument indices found so far, two per stack frame.
    const found: number[] = [-1, -1];
    for (;;) {
      const top = nodes.length - 1;
      const node = nodes[top];
      const i = childIndex[top];
      if (i < node.args.length) {
        childIndex[top] = i + 1;
        const child = node.args[i];
        const index = this.globalIndexOf.get(child.id);
        if (index === -1) {
          nodes.push(child);
          childIndex.push(0);
          found.push(-1, -1);
        } else found[2 * top + i] = index;
        continue;
      }
      // In a DAG a node met again is finished (only a cycle could lead back to a node still on the stack).
      const g = this.globals.length;
      this.globals.push(node);
      this.globalIndexOf.set(node.id, g);
      this.globalSecond.push(found.pop()!);
      this.globalFirst.push(found.pop()!);
      nodes.pop();
      childIndex.pop();
      if (top === 0) return -1 - g;
      found[2 * (top - 1) + childIndex[top - 1] - 1] = g;
    }
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
    const shownA = a >= 0 ? this.standIn(a, 0) : this.globals[-1 - a];
    const shown = b === undefined ? [shownA] : [shownA, b >= 0 ? this.standIn(b, 1) : this.globals[-1 - b]];
    const simplified = spec.simplify(shown);
    return simplified === undefined ? this.local(op, a, b) : this.translate(simplified, args, shown, 0);
  }

  /** The local node `op(a, b)`, hash-consed. */
  private local(op: OpName, a: Ref, b: Ref | undefined): Ref {
    const second = b ?? 0;
    const fresh = this.localOp.length;
    // About as many local nodes as f has nodes (a product and a sum per argument, less the structural zeros).
    this.localKeys ??= new TripleTable(Math.max(this.expectedNodes, this.globals.length));
    const index = opIndex.get(op)!;
    const found = this.localKeys.getOrSet(index, a >= 0 ? 2 * a : -2 * a - 1, second >= 0 ? 2 * second : -2 * second - 1, fresh);
    if (found !== -1) return found;
    this.localOp.push(op);
    this.localOpIndex.push(index);
    this.localArity.push(b === undefined ? 1 : 2);
    this.localFirst.push(a);
    this.localSecond.push(second);
    return fresh;
  }

  /**
   * A partial template over the references `a`, `b` (the node's arguments) and `self`, built through {@link apply}
   * as the op's `partials` builds it over the nodes (constants folded, identities applied), but as local nodes.
   */
  instantiate(walk: TemplateWalk, a: Ref, b: Ref, self: Ref): Ref {
    const { order, argA, argB } = walk;
    const refs: Ref[] = new Array(order.length);
    for (let p = 0; p < order.length; p++) {
      const node = order[p];
      if (node === placeholder.a) refs[p] = a;
      else if (node === placeholder.b) refs[p] = b;
      else if (node === placeholder.out) refs[p] = self;
      else if (node.kind !== 'op') refs[p] = this.ref(node);
      else refs[p] = argB[p] < 0 ? this.apply(node.op, refs[argA[p]]) : this.apply(node.op, refs[argA[p]], refs[argB[p]]);
    }
    return refs[order.length - 1];
  }

  /** A global node showing local node `ref`'s op over placeholders, for `simplify` at argument `position`. */
  private standIn(ref: Ref, position: number): Expr {
    const op = this.localOp[ref];
    const index = this.localOpIndex[ref];
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
  // f's nodes are the DAG's first global nodes, in topological order: node k is global index k.
  const dag = new AdjointDag();
  const rootRef = dag.addExpression(expr);
  const order = dag.globals;
  const count = order.length;
  const first = dag.globalFirst;
  const second = dag.globalSecond;
  const listed = new Set(variables);
  let unlisted = listed.size !== variables.length;
  let placeholderUsed = false;
  const active = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const node = order[k];
    if (node.kind === 'var') {
      active[k] = 1;
      if (!listed.has(node.name)) unlisted = true;
      if (node.name.startsWith('⟨adjoint ')) placeholderUsed = true;
    } else if (node.kind === 'op') {
      if (active[first[k]] || (second[k] >= 0 && active[second[k]])) active[k] = 1;
    }
  }
  if (unlisted) variableIndex(expr, variables); // throws the error that names the missing or repeated variables
  if (placeholderUsed) return null;

  const { times, sum, materialize } = dag.algebra;
  const pending: (Scaled<Ref>[] | undefined)[] = new Array(count);
  const rootPosition = -1 - rootRef;
  if (active[rootPosition]) pending[rootPosition] = [one];
  const adjointOfVariable = new Map<string, Scaled<Ref>>();
  try {
    for (let k = count - 1; k >= 0; k--) {
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
      // Where no argument is a constant, a partial is its op's template over the arguments, built here as local
      // nodes: building it as global IR nodes (intern keys, weak references) was a third of this sweep on the
      // network's tanh nodes. A partial's formula may look at whether an argument is a constant (pow's masks), so
      // nodes with a constant argument, and templates whose instance peel could take apart, take the op's partials.
      const walks = node.args[0].kind !== 'const' && (node.args.length < 2 || node.args[1].kind !== 'const') ? templateWalks(node.op) : null;
      let partials: Expr[] | null = null;
      for (let i = 0; i < node.args.length; i++) {
        const position = i === 0 ? first[k] : second[k];
        if (!active[position]) continue;
        let partial: Scaled<Ref> | null = null;
        const walk = walks?.[i];
        if (walk !== undefined && (walk.leafRoot || walk.wholeRootOp >= 0)) {
          const instance = dag.instantiate(walk, -1 - first[k], second[k] >= 0 ? -1 - second[k] : 0, -1 - k);
          if (instance < 0) {
            const peeled = peel(dag.globals[-1 - instance]);
            partial = { coefficient: peeled.coefficient, expr: peeled.expr === null ? null : dag.ref(peeled.expr) };
          } else if (dag.localOpIndex[instance] === walk.wholeRootOp) partial = { coefficient: 1, expr: instance };
        }
        if (partial === null) {
          partials ??= localPartials(node);
          const peeled = peel(partials[i]);
          const e = peeled.expr;
          // Most partials are f's own nodes (the other factor of a product, exp's own value): their indices are known.
          const ref = e === null ? null : e === node ? -1 - k : e === node.args[0] ? -1 - first[k] : e === node.args[1] ? -1 - second[k] : dag.ref(e);
          partial = { coefficient: peeled.coefficient, expr: ref };
        }
        const term = times(adjoint, partial);
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
