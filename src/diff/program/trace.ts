// Tracing: a program run once on IR nodes at a point, giving the path it took as an ordinary gradlab expression, with the comparisons it made recorded as guards.
//
// How comparisons are seen: JavaScript evaluates `s > 0.5` by asking each side for a number (ToPrimitive, hint
// 'number'), left then right, and never tells the operands which operator, or what the other side is. So a read
// of one traced value is all a tracer can see of `s > 0.5`: the guard is "the path depends on s, which was 0.84
// here", with the constant invisible. When two traced values are read one after the other with no op between
// them, they were (almost always) the two sides of one comparison `s > t`, and the guard is recorded as the
// relation they had at the point (`s < t`). This is best effort: `Math.max(s, t)` and `s > 0 && t > 0` read
// the same way (two reads, no op between), and `s * 2` is a read too (it detaches the value, which then enters the trace as a constant). What is exact is
// the path check: {@link sameTape} replays the program on numbers and compares the ops it applies.
import { apply, constant, variable, type Expr } from '../../ir/node.ts';
import { ops } from '../../ir/ops.ts';
import type { Algebra } from '../../ir/evaluate.ts';
import { toInfix } from '../../ir/print.ts';
import { ProgramRun, relations, type Box, type Program } from './run.ts';

/** What the tracer saw, in program order: a read of a traced value, or a whole comparison made with `m`. */
type Event = { readonly node: Expr; readonly value: number; readonly applied: number } | { readonly guard: Guard };

/** A comparison the program made on traced values, as far as valueOf lets a tracer see it. */
export interface Guard {
  /** The traced value read (the left side, for a pair). */
  readonly node: Expr;
  /** Its value at the point. */
  readonly value: number;
  /** The other side when it was traced too, with its value; absent when it was a plain number (invisible). */
  readonly other?: { readonly node: Expr; readonly value: number };
  /** The relation that held at the point: for a pair of reads `<`, `>` or `=`; for `m.gt` and friends the one tested or its negation. */
  readonly relation?: '<' | '>' | '=' | '≤' | '≥';
  /** True for a comparison made with `m.lt`/`m.le`/`m.gt`/`m.ge`, which a tracer sees whole. */
  readonly exact?: boolean;
  /** The guard as a sentence, e.g. `sin(x)·y < x (0.3 < 0.7 at the point)`. */
  readonly text: string;
}

/** The path a program took at a point. */
export interface ProgramTrace {
  /** The path as an expression: an ordinary gradlab Expr (it prints, draws and differentiates). */
  readonly expr: Expr;
  /** The inputs, in the order of the point's keys. */
  readonly variables: readonly string[];
  /** The point it was traced at. */
  readonly point: Float64Array;
  /** f at the point. */
  readonly value: number;
  /** Comparisons on traced values, in the order the program made them. */
  readonly guards: readonly Guard[];
  /** The ops applied, as text (`mul(#2,#1)`, `sin(#0)`, `add(#3,c:1)`): the path's fingerprint for {@link sameTape}. */
  readonly tape: readonly string[];
}

interface TraceValue {
  readonly node: Expr;
  readonly value: number;
}

const traceAlgebra: Algebra<TraceValue> = {
  constant: (value) => ({ node: constant(value), value }),
  apply: (op, [a, b]) => ({
    // `apply`, not the simplifying builder: the trace keeps what the program wrote, as parsed text does.
    node: b === undefined ? apply(op, a.node) : apply(op, a.node, b.node),
    value: ops[op].eval(a.value, b === undefined ? NaN : b.value),
  }),
};

/** One tape entry: the op and where its arguments came from (a box index, or a constant's exact value). */
export function tapeEntry(op: string, args: readonly ({ readonly index: number } | number)[]): string {
  return `${op}(${args.map((a) => (typeof a === 'number' ? `c:${Object.is(a, -0) ? '-0' : String(a)}` : `#${a.index}`)).join(',')})`;
}

/** The tape's last entry: which box the program returned, or the constant. */
function returnEntry(output: unknown, box: { readonly index: number } | null): string {
  return `return(${box === null ? `c:${String(output)}` : `#${box.index}`})`;
}

const shortInfix = (node: Expr): string => {
  const text = toInfix(node);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/**
 * Runs `program` once on IR nodes at `point` (values in `variables`' order) and returns the path it took.
 * @throws TypeError from the program run (a wrong argument to `m`, an input the point lacks, a bad return value).
 */
export function traceProgram(program: Program, point: Readonly<Record<string, number>>): ProgramTrace {
  const variables = Object.keys(point);
  return traceAt(program, variables, Float64Array.from(variables, (name) => point[name]));
}

/** {@link traceProgram} with the point as values in `variables`' order. */
export function traceAt(program: Program, variables: readonly string[], point: Float64Array): ProgramTrace {
  const reads: Event[] = [];
  const tape: string[] = [];
  const side = (x: Box<TraceValue> | number) => (typeof x === 'number' ? { node: constant(x), value: x } : { node: x.inner.node, value: x.inner.value });
  const run: ProgramRun<TraceValue> = new ProgramRun(traceAlgebra, {
    real: (t) => t.value,
    onRead: (box, value) => reads.push({ node: box.inner.node, value, applied: run.applied }),
    onCompare: (relation, a, b, holds) => {
      const left = side(a), right = side(b);
      const symbol = holds ? relations[relation].symbol : relations[relation].negated;
      reads.push({
        guard: {
          node: left.node, value: left.value, other: right, relation: symbol as Guard['relation'], exact: true,
          text: `${shortInfix(left.node)} ${symbol} ${shortInfix(right.node)} (${left.value} ${symbol} ${right.value} at the point)`,
        },
      });
    },
    onApply: (op, args) => tape.push(tapeEntry(op, args)),
  });
  const inputs = variables.map((name, i) => ({ node: variable(name), value: point[i] }));
  const { output, box } = run.execute(program, variables, inputs);
  const out = typeof output === 'number' ? { node: constant(output), value: output } : output;
  tape.push(returnEntry(output, box));
  return { expr: out.node, variables, point, value: out.value, guards: pairReads(reads), tape };
}

/** Pairs consecutive reads with no op between them (the two sides of `s > t`); the rest are single reads. */
function pairReads(events: readonly Event[]): Guard[] {
  const guards: Guard[] = [];
  for (let i = 0; i < events.length; i++) {
    const read = events[i];
    if ('guard' in read) {
      guards.push(read.guard);
      continue;
    }
    const next = events[i + 1];
    if (next !== undefined && !('guard' in next) && next.applied === read.applied) {
      const relation = read.value < next.value ? '<' : read.value > next.value ? '>' : '=';
      guards.push({
        node: read.node,
        value: read.value,
        other: { node: next.node, value: next.value },
        relation,
        text: `${shortInfix(read.node)} ${relation} ${shortInfix(next.node)} (${read.value} ${relation} ${next.value} at the point; read together, as the two sides of one comparison are)`,
      });
      i++;
    } else {
      guards.push({
        node: read.node,
        value: read.value,
        text: `${shortInfix(read.node)} compared with a number (it is ${read.value} at the point; the other side is invisible to valueOf)`,
      });
    }
  }
  return guards;
}

/** Numbers carried by a replay: only the real value, the tape does the rest. */
const realRun: Algebra<number> = {
  constant: (value) => value,
  apply: (op, [a, b]) => ops[op].eval(a, b ?? NaN),
};

/** Thrown inside a replay at the first op that leaves the traced path. */
class OffPath extends Error {}

/**
 * Whether `program` takes the traced path at `point` (values in the trace's variables' order): it is replayed on
 * plain numbers and each op it applies is compared with the trace's tape, stopping at the first difference. This is
 * the exact form of "every guard still holds" (it also catches a detached value that changed, which entered the
 * trace as a constant), at the cost of one evaluation of the program on numbers, with no IR built.
 */
export function sameTape(program: Program, trace: ProgramTrace, point: Float64Array): boolean {
  let position = 0;
  const run: ProgramRun<number> = new ProgramRun(realRun, {
    real: (x) => x,
    onApply: (op, args) => {
      if (trace.tape[position++] !== tapeEntry(op, args)) throw new OffPath();
    },
  });
  try {
    const { output, box } = run.execute(program, trace.variables, Array.from(point));
    // The same ops and the same output (a constant output that changed is a different path too).
    return position === trace.tape.length - 1 && trace.tape[position] === returnEntry(output, box);
  } catch (error) {
    if (error instanceof OffPath) return false;
    throw error;
  }
}

