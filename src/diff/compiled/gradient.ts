// compileGradient: f and its whole gradient as one generated JavaScript function (forward sweep, then reverse sweep).
import { requireExpr, type Expr } from '../../ir/node.ts';
import { checkVariableList } from '../../ir/compile.ts';
import {
  buildPackedProgram,
  checkChunkSize,
  defaultChunkSize,
  eagerOrder,
  opForms,
  operandKinds,
  unpackInstructions,
  type Instruction,
  type LoopOptions,
  type Operand,
  type PackedProgram,
  type ProgramPlan,
} from '../../ir/codegen.ts';
import { adjointExpressions } from './adjoint.ts';
import { AdjointDag, adjointGraph, type Ref } from './adjoint-dag.ts';
import { expandedPower } from './powers.ts';
import { TripleTable } from '../../ir/triple-table.ts';
import { opNames, type OpName } from '../../ir/ops.ts';

/** A compiled gradient: writes ∂f/∂vᵢ into `gradientOut[i]` (variables' order) and returns f. */
export interface CompiledAdjoint {
  (values: ArrayLike<number>, gradientOut: Float64Array): number;
  /** Instructions of f and of the gradient program (see {@link operationCounts}). */
  readonly counts: OperationCounts;
  /** Milliseconds spent differentiating, lowering and generating code (V8's own compile comes on the first calls). */
  readonly compileMs: number;
  /** Instructions rolled into loops, loops, and generated functions. */
  readonly plan: ProgramPlan;
  /** Where {@link compileMs} went, phase by phase. */
  readonly phases: CompilePhases;
}

/** Milliseconds compileGradient spent per phase (their sum is about `compileMs`). */
export interface CompilePhases {
  /** The reverse sweep: f's topological order, activity, and the adjoint terms. */
  readonly adjointMs: number;
  /** Lowering to SSA instructions (the walk, shared instructions, eager scheduling). */
  readonly lowerMs: number;
  /** Code generation, planning: loop rolling, chunks, stored slots. */
  readonly planMs: number;
  /** Code generation, the source text. */
  readonly sourceMs: number;
  /** `new Function` (V8's parse; each chunk is compiled by V8 on its first call). */
  readonly functionMs: number;
}

/** A straight-line program computing some expressions, before code generation. */
export interface ExpressionProgram {
  /** SSA list: instruction i writes slot i. */
  readonly instructions: readonly Instruction[];
  /** Where each root's value is, in the order given. */
  readonly roots: readonly Operand[];
}

/**
 * Lowers expressions into one SSA program the way the compiled methods run them: each DAG node once
 * (hash-consing shares what f and its derivatives have in common), small integer powers as products
 * ({@link expandedPower}), and the instructions scheduled eagerly (`scheduleEagerly`) so that adjoint or tangent
 * work sits next to the forward values it reads. One topological walk, no recursion.
 * @throws Error when the expressions use a variable missing from `variables`, or a name is listed twice.
 */
export function lowerExpressions(exprs: readonly Expr[], variables: readonly string[]): ExpressionProgram {
  const { program, roots } = lowerPacked(exprs, variables);
  return { instructions: unpackInstructions(program), roots };
}

/** {@link lowerExpressions} with the program as arrays, as code generation takes it. */
function lowerPacked(exprs: readonly Expr[], variables: readonly string[]): PackedExpressions {
  const listed = new Set<string>();
  for (const name of variables) {
    if (listed.has(name)) throw new Error(`variable '${name}' is listed twice`);
    listed.add(name);
  }
  // A DAG without local nodes: the walk below over global nodes alone.
  const dag = new AdjointDag(16);
  return lowerReferences(dag, exprs.map((e) => dag.addExpression(e)), variables);
}

/** How many instructions compute `root` (the slots it depends on, itself included). */
function instructionsBehind(program: PackedProgram, root: Operand): number {
  if (root.kind !== 'slot') return 0;
  const { offset, kind, index } = program;
  const needed = new Uint8Array(program.count);
  needed[root.index] = 1;
  let count = 0;
  for (let i = root.index; i >= 0; i--) {
    if (!needed[i]) continue;
    count++;
    for (let at = offset[i]; at < offset[i + 1]; at++) if (kind[at] === operandKinds.slot) needed[index[at]] = 1;
  }
  return count;
}

/** The straight-line program of f and its gradient, before code generation. */
export interface GradientProgram {
  /** Forward and reverse sweep in one SSA list: instruction i writes slot i. */
  readonly instructions: readonly Instruction[];
  /** Where f's value is. */
  readonly value: Operand;
  /** Where each ∂f/∂vᵢ is, in variables' order. */
  readonly gradient: readonly Operand[];
  /** Instructions of f's own program (the forward sweep alone, lowered the same way). */
  readonly fInstructions: number;
}

/** A {@link GradientProgram} with the program as arrays. */
interface PackedGradient {
  readonly program: PackedProgram;
  readonly value: Operand;
  readonly gradient: readonly Operand[];
  readonly fInstructions: number;
}

/**
 * f and its adjoint expressions ({@link adjointExpressions}) lowered into one SSA program. The adjoints are IR
 * over f's nodes, so hash-consing shares every forward value the reverse sweep needs: nothing is computed twice.
 *
 * The adjoint terms are built in a local DAG ({@link adjointGraph}) rather than as global IR nodes, and lowered
 * from there with the same walk, so the program is instruction for instruction the one
 * `lowerExpressions([...adjointExpressions(expr, variables), expr], variables)` gives, at a fraction of the cost.
 */
export function gradientProgram(expr: Expr, variables: readonly string[]): GradientProgram {
  const { program, value, gradient, fInstructions } = timedGradientProgram(expr, variables).gradient;
  return { instructions: unpackInstructions(program), value, gradient, fInstructions };
}

function timedGradientProgram(expr: Expr, variables: readonly string[]): { gradient: PackedGradient; adjointMs: number; lowerMs: number } {
  const start = performance.now();
  const graph = adjointGraph(expr, variables);
  const adjointEnd = performance.now();
  let lowered: PackedExpressions;
  let count: number;
  if (graph === null) {
    const gradient = adjointExpressions(expr, variables);
    lowered = lowerPacked([...gradient, expr], variables);
    count = gradient.length;
  } else {
    // Derivatives first: walking them pulls in the forward values each needs, term by term, so forward and
    // reverse work of one term come out next to each other (and f's own sum joins them when scheduled eagerly).
    lowered = lowerReferences(graph.dag, [...graph.gradient, graph.dag.ref(expr)], variables);
    count = graph.gradient.length;
  }
  const value = lowered.roots[count];
  const gradient = {
    program: lowered.program,
    value,
    gradient: lowered.roots.slice(0, count),
    fInstructions: instructionsBehind(lowered.program, value),
  };
  return { gradient, adjointMs: adjointEnd - start, lowerMs: performance.now() - adjointEnd };
}

/** A lowered program as arrays, and where each root's value is. */
interface PackedExpressions {
  readonly program: PackedProgram;
  readonly roots: readonly Operand[];
}

const opIndexOf = new Map<OpName, number>(opNames.map((name, i) => [name, i]));

/** A growable Int32Array (the lowering does not know the program's length in advance). */
function grown(array: Int32Array<ArrayBuffer>, capacity: number, fill?: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity);
  if (fill !== undefined) bigger.fill(fill, array.length);
  bigger.set(array);
  return bigger;
}

/**
 * Lowers references into an {@link AdjointDag} into one SSA program: a post-order walk (arguments in order, each
 * node once, explicit stack), small integer powers expanded ({@link expandedPower}), then scheduled eagerly. A
 * local node and a global node that are structurally equal (an adjoint product f also computes) become one
 * instruction: instructions are numbered by op and operands, where constants count as equal when they are the
 * same node. {@link lowerExpressions} is this walk over a DAG of global nodes alone.
 *
 * The program is built as numbers (an op index and two operand codes per instruction: slot s → 3s, input i →
 * 3i + 1, the constant global node g → 3g + 2), scheduled as numbers ({@link eagerOrder}), and only then turned into
 * {@link Instruction} objects, once each: on a 200,000-instruction gradient the objects of an intermediate program
 * cost more (in the young generation's collections) than the walk itself.
 */
function lowerReferences(dag: AdjointDag, roots: readonly Ref[], variables: readonly string[]): PackedExpressions {
  const inputIndex = new Map<string, number>();
  variables.forEach((name, i) => {
    if (!inputIndex.has(name)) inputIndex.set(name, i);
  });
  let capacity = Math.max(1024, dag.localCount + dag.globals.length);
  let insOp = new Int32Array(capacity);
  let insA = new Int32Array(capacity);
  let insB = new Int32Array(capacity);
  let count = 0;
  // Fewer instructions than nodes: leaves (inputs, constants) and repeated structure make none.
  const byKey = new TripleTable(capacity / 2);
  // Operand code of each lowered node (−1: not lowered yet), and whether the walk has met it. Global nodes are
  // numbered as the DAG meets them (the walk adds f's and the expansions' nodes), so their arrays grow by doubling.
  let globalCode = new Int32Array(0);
  let seenGlobal = new Uint8Array(0);
  const reserve = (g: number) => {
    if (g < seenGlobal.length) return;
    const size = Math.max(g + 1, 2 * seenGlobal.length, 1024);
    globalCode = grown(globalCode, size, -1);
    const seen = new Uint8Array(size);
    seen.set(seenGlobal);
    seenGlobal = seen;
  };
  const globalIndex = (expr: Expr): number => {
    const g = -1 - dag.ref(expr);
    reserve(g);
    return g;
  };
  reserve(dag.globals.length);
  const localCode = new Int32Array(dag.localCount);
  const missing = new Set<string>();

  /** The slot of op `op` (an index into opNames) over two operand codes (−1: none): an earlier equal instruction, or a new one. */
  const emit = (op: number, codeA: number, codeB: number): number => {
    const slot = byKey.getOrSet(op, codeA, codeB < 0 ? 0 : codeB, count);
    if (slot !== -1) return slot;
    if (count === capacity) {
      capacity *= 2;
      insOp = grown(insOp, capacity);
      insA = grown(insA, capacity);
      insB = grown(insB, capacity);
    }
    insOp[count] = op;
    insA[count] = codeA;
    insB[count] = codeB;
    return count++;
  };
  const lowerGlobal = (ref: Ref): void => {
    const g = -1 - ref;
    if (globalCode[g] !== -1) return;
    const node = dag.globals[g];
    if (node.kind === 'const') {
      globalCode[g] = 3 * g + 2;
      return;
    }
    if (node.kind === 'var') {
      const index = inputIndex.get(node.name);
      if (index === undefined) missing.add(node.name);
      globalCode[g] = 3 * (index ?? 0) + 1;
      return;
    }
    const expanded = expandedPower(node);
    if (expanded !== null) {
      // The expansion's new nodes sit one or two levels above the base, which is lowered already.
      const fresh: Expr[] = [];
      for (const stack = [expanded]; stack.length > 0; ) {
        const part = stack.pop()!;
        if (globalCode[globalIndex(part)] !== -1) continue;
        fresh.push(part);
        stack.push(...part.args);
      }
      for (let i = fresh.length - 1; i >= 0; i--) lowerGlobal(dag.ref(fresh[i]));
      globalCode[g] = globalCode[globalIndex(expanded)];
      return;
    }
    // The arguments' indices as addExpression recorded them, else looked up.
    const recordedA = dag.globalFirst[g];
    const recordedB = dag.globalSecond[g];
    const args = node.args;
    const codeA = globalCode[recordedA >= 0 ? recordedA : globalIndex(args[0])];
    const codeB = args.length < 2 ? -1 : globalCode[recordedB >= 0 ? recordedB : globalIndex(args[1])];
    globalCode[g] = 3 * emit(opIndexOf.get(node.op)!, codeA, codeB);
  };
  const codeOf = (ref: Ref): number => (ref >= 0 ? localCode[ref] : globalCode[-1 - ref]);
  const lowerLocal = (ref: Ref): void => {
    const codeA = codeOf(dag.localFirst[ref]);
    const codeB = dag.localArity[ref] === 1 ? -1 : codeOf(dag.localSecond[ref]);
    localCode[ref] = 3 * emit(dag.localOpIndex[ref], codeA, codeB);
  };

  // The post-order walk of topologicalOrder, over references (explicit stack, no recursion).
  const seenLocal = new Uint8Array(dag.localCount);
  const isSeen = (ref: Ref) => (ref >= 0 ? seenLocal[ref] === 1 : seenGlobal[-1 - ref] === 1);
  const markSeen = (ref: Ref) => {
    if (ref >= 0) seenLocal[ref] = 1;
    else seenGlobal[-1 - ref] = 1;
  };
  const arity = (ref: Ref) => {
    if (ref >= 0) return dag.localArity[ref];
    // Where addExpression recorded the arguments, their count without reading the node.
    const g = -1 - ref;
    const second = dag.globalSecond[g];
    return second >= 0 ? 2 : second === -1 ? (dag.globalFirst[g] >= 0 ? 1 : 0) : dag.globals[g].args.length;
  };
  const child = (ref: Ref, i: number): Ref => {
    if (ref >= 0) return i === 0 ? dag.localFirst[ref] : dag.localSecond[ref];
    const g = -1 - ref;
    const recorded = i === 0 ? dag.globalFirst[g] : dag.globalSecond[g];
    return -1 - (recorded >= 0 ? recorded : globalIndex(dag.globals[g].args[i]));
  };
  const stack: Ref[] = [];
  const childIndex: number[] = [];
  for (const root of roots) {
    if (isSeen(root)) continue;
    markSeen(root);
    stack.push(root);
    childIndex.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const ref = stack[top];
      const i = childIndex[top];
      if (i < arity(ref)) {
        childIndex[top] = i + 1;
        const next = child(ref, i);
        if (!isSeen(next)) {
          markSeen(next);
          stack.push(next);
          childIndex.push(0);
        }
      } else {
        stack.pop();
        childIndex.pop();
        if (ref >= 0) lowerLocal(ref);
        else lowerGlobal(ref);
      }
    }
  }
  if (missing.size > 0) {
    throw new Error(`the expression uses ${[...missing].map((m) => `'${m}'`).join(', ')} but the variable list is [${variables.join(', ')}]`);
  }

  // Scheduled eagerly: each distinct slot an instruction reads, once (`x * x` waits for one value).
  const firstRead = new Int32Array(count);
  const secondRead = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const a = insA[i];
    const b = insB[i];
    const first = a % 3 === 0 ? a / 3 : -1;
    const second = b >= 0 && b % 3 === 0 && b !== a ? b / 3 : -1;
    firstRead[i] = first === -1 ? second : first;
    secondRead[i] = first === -1 ? -1 : second;
  }
  const order = eagerOrder(firstRead, secondRead);
  const newSlot = new Int32Array(count);
  for (let i = 0; i < count; i++) newSlot[order[i]] = i;

  // The program as code generation takes it (operand kinds: slot 0, input 1, constant 2, as in the codes above).
  const form = new Int32Array(count);
  const offset = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offset[i + 1] = offset[i] + (insB[order[i]] < 0 ? 1 : 2);
  const kind = new Uint8Array(offset[count]);
  const index = new Int32Array(offset[count]);
  const constants: number[] = [];
  const put = (at: number, code: number): void => {
    const k = code % 3;
    const q = (code - k) / 3;
    kind[at] = k;
    index[at] = k === operandKinds.slot ? newSlot[q] : k === operandKinds.input ? q : constants.push(dag.globals[q].value) - 1;
  };
  for (let i = 0; i < count; i++) {
    const old = order[i];
    form[i] = insOp[old];
    put(offset[i], insA[old]);
    if (insB[old] >= 0) put(offset[i] + 1, insB[old]);
  }
  const rootOperand = (code: number): Operand => {
    const k = code % 3;
    const q = (code - k) / 3;
    if (k === operandKinds.slot) return { kind: 'slot', index: newSlot[q] };
    if (k === operandKinds.input) return { kind: 'input', index: q };
    return { kind: 'const', value: dag.globals[q].value };
  };
  return {
    program: { count, form, forms: opForms, offset, kind, index, constants },
    roots: roots.map((r) => rootOperand(codeOf(r))),
  };
}

/** Options for {@link compileGradient} and {@link compileValue}. */
export interface CompileGradientOptions {
  /** Instructions per generated function (see `compileProgram`). */
  chunkSize?: number;
  /** Roll repeated blocks into loops (default true; see `compileProgram`). */
  loops?: boolean | LoopOptions;
}

/**
 * Compiles `expr` to a function computing f and its whole gradient in one forward and one reverse sweep,
 * the adjoint code one would write by hand: the reverse sweep's instructions are scheduled next to the forward
 * values they read, repeated blocks become loops (Rosenbrock runs as one fused loop, a chain as two), and
 * loop-carried adjoint products are rescaled by powers of two instead of turning subnormal.
 * Safe for any variable name or constant: names never enter the generated code.
 *
 * Cost: compiling is linear in the DAG size. The adjoint terms live in a local DAG ({@link adjointGraph}), not as
 * global IR nodes; the phases are in `phases`, and `npm run bench` measures them on a ~200,000-instruction network
 * (bench/compile-network.ts). V8 then parses the chunks on the first call and optimizes them over the first calls: for
 * that network, seconds of background compilation before calls run at full speed (see codegen.ts). A call runs
 * {@link operationCounts}`.ratio` times f's instructions (1.67–1.75 on the benchmark cases, at most the op
 * table's worst per-op cost in general), and with loops rolled it runs within 1.4× of a hand-written adjoint there.
 * @throws Error when `expr` uses a variable missing from `variables`.
 */
export function compileGradient(expr: Expr, variables: readonly string[], options: CompileGradientOptions = {}): CompiledAdjoint {
  const start = performance.now();
  requireExpr(expr, 'compileGradient');
  checkVariableList(variables, 'compileGradient');
  if (typeof options !== 'object' || options === null) throw new TypeError(`compileGradient: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const chunkSize = checkChunkSize(options.chunkSize === undefined ? defaultChunkSize : options.chunkSize, 'compileGradient');
  const { gradient, adjointMs, lowerMs } = timedGradientProgram(expr, variables);
  const built = buildPackedProgram(gradient.program, gradient.gradient, chunkSize, {
    result: gradient.value,
    loops: options.loops,
  });
  return Object.assign(built.program, {
    counts: countsOf(gradient),
    compileMs: performance.now() - start,
    plan: built.plan,
    phases: { adjointMs, lowerMs, ...built.timings },
  });
}

/**
 * f alone, compiled exactly as {@link compileGradient} compiles its forward sweep (same lowering and code
 * generator): the denominator of ω = time(gradient) / time(f).
 */
export function compileValue(expr: Expr, variables: readonly string[], options: CompileGradientOptions = {}): (values: ArrayLike<number>) => number {
  const { program, roots } = lowerPacked([expr], variables);
  const run = buildPackedProgram(program, [], options.chunkSize ?? defaultChunkSize, { result: roots[0], loops: options.loops }).program;
  const none = new Float64Array(0);
  return (values) => run(values, none);
}

/** Instruction counts of f's program and of the compiled gradient's (which includes f). */
export interface OperationCounts {
  readonly f: number;
  readonly gradient: number;
  /** gradient / f (1 when both are empty, ∞ when only f is). */
  readonly ratio: number;
}

/** How many SSA instructions the compiled gradient runs compared with f alone: the cheap-gradient principle as a count. */
export function operationCounts(expr: Expr, variables: readonly string[]): OperationCounts {
  return countsOf(timedGradientProgram(expr, variables).gradient);
}

function countsOf(program: PackedGradient): OperationCounts {
  const f = program.fInstructions;
  const gradient = program.program.count;
  return { f, gradient, ratio: f === 0 ? (gradient === 0 ? 1 : Infinity) : gradient / f };
}
