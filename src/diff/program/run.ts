// One run of a user's program in an algebra: the math namespace `m` generated from the op table, the inputs `v`, and the boxed values they compute with.
//
// A program `(v, m) => value` never sees the algebra: `v.x` and whatever `m.sin(…)` returns are boxes around
// tensors, dual numbers, complex numbers or trace nodes, and plain numbers mix freely with them. A box converts
// to a number (its real value at the point) when JavaScript asks for one, so `s > 0.5` works; each such read is
// reported to the run, which is how tracing records guards.
import { ops, opNames, type OpName } from '../../ir/ops.ts';
import type { Algebra } from '../../ir/evaluate.ts';

/**
 * The math namespace a program receives as `m`: one function per primitive of the op table, named after it
 * (`m.add`, `m.mul`, `m.pow`, `m.sin`, `m.exp`, `m.log`, …), taking numbers or values the program computed.
 * Unary ops take one argument, binary ops two; a wrong count throws naming the op.
 */
export type MathNamespace = { readonly [K in OpName]: (a: number, b?: number) => number } & Comparisons;

/** The comparisons a program may call on `m`. */
export type Relation = 'lt' | 'le' | 'gt' | 'ge';

/**
 * Comparisons as functions (sugar, not ops: they have no derivative): `m.gt(s, 0.5)` is `s > 0.5`, but a tracer
 * sees both sides, so the guard is recorded exactly (`s > 0.5`), where the operator `>` shows it only that `s`
 * was read.
 */
export type Comparisons = { readonly [K in Relation]: (a: number, b: number) => boolean };

/** The relations and how they evaluate. */
export const relations: Readonly<Record<Relation, { readonly symbol: string; readonly negated: string; readonly holds: (a: number, b: number) => boolean }>> = {
  lt: { symbol: '<', negated: '≥', holds: (a, b) => a < b },
  le: { symbol: '≤', negated: '>', holds: (a, b) => a <= b },
  gt: { symbol: '>', negated: '≤', holds: (a, b) => a > b },
  ge: { symbol: '≥', negated: '<', holds: (a, b) => a >= b },
};

/**
 * A user's program: `fn(v, m)` receives the named inputs `v` (the point's keys: `v.x`, `v.y`) and the math
 * namespace `m`, and returns one value. Values are typed as numbers so that ordinary comparisons (`s > 0.5`)
 * type-check; at run time they may be tensors, dual numbers, complex numbers or trace nodes standing in for
 * numbers. Arithmetic must go through `m` (`m.mul(s, 2)`, not `s * 2`): a JavaScript operator reads the value as
 * a plain number, which the derivative then treats as a constant (as `.item()` does in PyTorch).
 */
export type Program = (v: Readonly<Record<string, number>>, m: MathNamespace) => number;

/** How a run reads its algebra's values as numbers, and what it is told along the way (tracing uses these hooks). */
export interface RunHooks<T> {
  /** The real value of an algebra value (a tensor's item, a dual number's primal, a complex number's real part). */
  readonly real: (value: T) => number;
  /** Called when the program reads a box as a number (a comparison, `Math.max`, …). */
  readonly onRead?: (box: Box<T>, value: number) => void;
  /** Called for each `m.lt`/`m.le`/`m.gt`/`m.ge` with a box on either side, with its outcome. */
  readonly onCompare?: (relation: Relation, a: Box<T> | number, b: Box<T> | number, holds: boolean) => void;
  /** Called after each op applied to at least one box, with the arguments as given and the resulting box. */
  readonly onApply?: (op: OpName, args: readonly (Box<T> | number)[], result: Box<T>) => void;
}

/** A value of one run, as the program holds it. Reading it as a number gives its real value at the point. */
export class Box<T> {
  constructor(
    /** The algebra's value. */
    readonly inner: T,
    /** The run it belongs to: boxes of two runs never mix. */
    readonly run: ProgramRun<T>,
    /** Its position among the run's boxes (inputs first), for tapes. */
    readonly index: number,
  ) {}

  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | string {
    // `s + 1` and `s == 1` ask with hint 'default'; `+` on a box is almost always meant as m.add, so say so.
    if (hint === 'default') {
      throw new TypeError('a program value was used with + or == : write m.add(a, b) for a sum, and compare with <, >, <= or >=');
    }
    const value = this.run.read(this);
    return hint === 'string' ? String(value) : value;
  }
}

/** One execution context: the algebra, the hooks, the namespace handed to the program. */
export class ProgramRun<T> {
  /** Boxes made so far (their next index). */
  private boxes = 0;
  /** Ops applied to boxes so far (tracing uses it to pair the two reads of one comparison). */
  applied = 0;
  readonly namespace: MathNamespace;

  constructor(private readonly algebra: Algebra<T>, private readonly hooks: RunHooks<T>) {
    const m: Record<string, (...args: unknown[]) => unknown> = {};
    for (const op of opNames) {
      const arity = ops[op].arity;
      m[op] = (...args: unknown[]) => {
        if (args.length !== arity) throw new TypeError(`m.${op} takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`);
        return this.apply(op, args);
      };
    }
    for (const relation of Object.keys(relations) as Relation[]) {
      m[relation] = (...args: unknown[]) => {
        if (args.length !== 2) throw new TypeError(`m.${relation} takes 2 arguments, got ${args.length}`);
        const [a, b] = args.map((arg, i) => this.operand(relation, arg, i));
        const holds = relations[relation].holds(this.realOf(a), this.realOf(b));
        if (typeof a !== 'number' || typeof b !== 'number') this.hooks.onCompare?.(relation, a, b, holds);
        return holds;
      };
    }
    this.namespace = Object.freeze(m) as unknown as MathNamespace;
  }

  /** A new box of this run. */
  box(inner: T): Box<T> {
    return new Box(inner, this, this.boxes++);
  }

  /** The real value of a box, reported to the hooks. */
  read(box: Box<T>): number {
    const value = this.hooks.real(box.inner);
    this.hooks.onRead?.(box, value);
    return value;
  }

  private realOf(x: Box<T> | number): number {
    return typeof x === 'number' ? x : this.hooks.real(x.inner);
  }

  /** An argument of `m.name` as a number or a box of this run. */
  private operand(name: string, arg: unknown, i: number): Box<T> | number {
    if (typeof arg === 'number') return arg;
    if (arg instanceof Box) {
      if (arg.run !== this) throw new TypeError(`m.${name}: argument ${i + 1} is a value from another run of the program (keep no values between calls)`);
      return arg as Box<T>;
    }
    throw new TypeError(`m.${name}: argument ${i + 1} must be a number or a value the program computed, got ${arg === null ? 'null' : typeof arg}`);
  }

  private apply(op: OpName, args: readonly unknown[]): number | Box<T> {
    const given = args.map((arg, i) => this.operand(op, arg, i));
    // Only plain numbers: a plain number comes back, as in the tensor algebra (a constant has no derivative).
    if (given.every((a): a is number => typeof a === 'number')) return ops[op].eval(given[0], given.length > 1 ? given[1] : NaN);
    const inner = this.algebra.apply(op, given.map((a) => (typeof a === 'number' ? this.algebra.constant(a) : a.inner)));
    const result = this.box(inner);
    this.applied++;
    this.hooks.onApply?.(op, given, result);
    return result;
  }

  /**
   * Runs `program` on inputs (one algebra value per name) and returns its output: a box's inner value, or a number
   * when the output does not depend on any input.
   * @throws TypeError when the program returns something else, or reads an input the point does not have.
   */
  execute(program: Program, names: readonly string[], inputs: readonly T[]): { output: T | number; box: Box<T> | null } {
    const byName = new Map(names.map((name, i) => [name, this.box(inputs[i])]));
    const v = new Proxy(Object.create(null) as Record<string, number>, {
      get: (_target, key) => {
        if (typeof key === 'symbol') return undefined;
        const found = byName.get(key);
        if (found === undefined) throw new TypeError(`the program reads v.${key}, but the point has no value for '${key}' (it has: ${names.join(', ') || 'none'})`);
        return found;
      },
      has: (_target, key) => typeof key === 'string' && byName.has(key),
      ownKeys: () => [...names],
      getOwnPropertyDescriptor: (_target, key) =>
        typeof key === 'string' && byName.has(key) ? { value: byName.get(key), enumerable: true, configurable: true, writable: false } : undefined,
      set: () => {
        throw new TypeError('the program must not assign to v: keep its own values in local variables');
      },
    });
    const out: unknown = program(v, this.namespace);
    if (typeof out === 'number') return { output: out, box: null };
    if (out instanceof Box && out.run === this) return { output: out.inner as T, box: out as Box<T> };
    throw new TypeError(`the program must return one number or a value it computed with m, got ${out === null ? 'null' : typeof out}`);
  }
}

/** True when `subject` is a program (a function) rather than an expression or its text. */
export function isProgram(subject: unknown): subject is Program {
  return typeof subject === 'function';
}
