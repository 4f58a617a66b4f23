// Straight-line programs (SSA over numbered slots) compiled to JavaScript that V8 optimizes: rolled loops and chunks.
//
// Safety: the generated source contains only slot numbers, input indices, numeric literals printed by
// `numberLiteral`, and code templates from the op table. No name or text from the user ever enters it.
//
// Speed: a program is first planned into segments. Runs of isomorphic blocks (the same instructions, operands
// that are equal constants or whose input/slot indices are affine in the block number) become `for` loops:
// Rosenbrock's n−1 terms, a sin chain's levels, and the reverse sweeps of both. Values a loop hands to the next
// iteration stay in local variables (`let r = …` carried around the loop); values read elsewhere go through one
// Float64Array `t`, indexed by slot (a straight-line value read there is written there directly, without a local).
// Everything else stays straight-line code in locals. V8 leaves functions above
// ~60 KB of bytecode unoptimized, so segments are grouped into functions of at most `chunkSize` instructions that
// pass values to each other through `t`. Loops run the same operations in the same order as the straight-line
// program, so the results are bit-for-bit those of the interpreter.
//
// Compile time: planning and rendering work on the program as typed arrays (PackedProgram), with no object per
// instruction or operand, so a compiler that lowers to arrays (compileGradient) hands its 200,000 instructions over
// as they are; Instruction lists are packed first. Each function's text is joined as soon as it is built.
//
// Warm-up: V8 optimizes each chunk on its background thread once the chunk is hot, at about 25–35 µs of CPU per
// straight-line instruction here (a read or write of `t` costs TurboFan several times an arithmetic operation).
// A 200,000-instruction gradient therefore runs in the interpreter, ~30× slower, for its first seconds of calls
// (tens of seconds on a loaded machine); code that rolls into loops is compiled once per loop body instead.
import { ops, opNames, type OpName } from './ops.ts';
import { TripleTable } from './triple-table.ts';

/** Where an instruction reads a value from. */
export type Operand =
  | { readonly kind: 'slot'; readonly index: number }
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly value: number };

/** One instruction; instruction i writes slot i. `render` builds its JavaScript from its operands' code. */
export interface Instruction {
  readonly args: readonly Operand[];
  readonly render: (args: readonly string[]) => string;
  /**
   * What the instruction computes, for loop rolling: instructions with equal keys must render the same code
   * from the same operand code. Instructions without a key are never put in a loop.
   */
  readonly key?: string;
}

/** Default instructions per chunk function: small enough for V8 to optimize each chunk quickly. */
export const defaultChunkSize = 400;

/**
 * Checks a `chunkSize` option: a positive whole number of instructions (Infinity: one function). `where` names the caller.
 * @throws RangeError naming the bad value.
 */
export function checkChunkSize(chunkSize: unknown, where: string): number {
  if (typeof chunkSize !== 'number' || !(chunkSize === Infinity || (Number.isInteger(chunkSize) && chunkSize >= 1))) {
    throw new RangeError(`${where}: chunkSize must be a whole number of instructions ≥ 1 (or Infinity), got ${typeof chunkSize === 'number' ? String(chunkSize) : typeof chunkSize}`);
  }
  return chunkSize;
}

/** A JavaScript literal for any double, safe to paste into generated code (no identifiers that could be shadowed). */
export function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return '(0/0)';
  if (value === Infinity) return '(1/0)';
  if (value === -Infinity) return '(-1/0)';
  if (Object.is(value, -0)) return '(-0)';
  const text = String(value);
  if (!/^-?[0-9.e+-]+$/.test(text)) throw new Error(`internal error: unexpected number text '${text}'`);
  return value < 0 ? `(${text})` : text;
}

// Ops without an inline template are called through this table, by index (never by a name in the source).
const opFunctionIndex = new Map<OpName, number>(opNames.map((name, i) => [name, i]));
const opFunctions: readonly ((a: number, b: number) => number)[] = opNames.map((name) => ops[name].eval);

// One render function per op, shared by all its instructions.
const renderers = new Map<OpName, Instruction['render']>(
  opNames.map((op) => {
    const js = ops[op].js;
    const index = opFunctionIndex.get(op)!;
    return [op, js !== undefined ? ([a, b]) => js(a, b ?? '') : ([a, b]) => `F[${index}](${a}, ${b ?? '0'})`];
  }),
);

/** The instruction that applies `op` to `args`, using the op table's inline JavaScript when it has one. */
export function opInstruction(op: OpName, args: readonly Operand[]): Instruction {
  return { args, key: op, render: renderers.get(op)! };
}

/** What an instruction computes, apart from its operands: its key (see {@link Instruction}) and how it renders. */
export interface InstructionForm {
  readonly key?: string;
  readonly render: Instruction['render'];
}

/** The forms of the ops' instructions ({@link opInstruction}), by index in `opNames`. */
export const opForms: readonly InstructionForm[] = opNames.map((op) => ({ key: op, render: renderers.get(op)! }));

/** Operand kinds in a {@link PackedProgram}. */
export const operandKinds = { slot: 0, input: 1, constant: 2 } as const;
const slotKind = operandKinds.slot;
const inputKind = operandKinds.input;
const constKind = operandKinds.constant;

/**
 * A straight-line program as arrays, the form code generation works on: instruction i has form `forms[form[i]]`
 * and reads operands `offset[i]` … `offset[i + 1] − 1`, each a kind (0 slot, 1 input, 2 constant) and an index
 * (the slot, the input, or the constant's place in `constants`). Equal keys must have the same form. A compiler that
 * builds its program as numbers hands it over this way without making an object per instruction and operand (on
 * a 200,000-instruction gradient, those objects cost more in young-generation collections than the code generation).
 */
export interface PackedProgram {
  readonly count: number;
  readonly form: Int32Array;
  readonly forms: readonly InstructionForm[];
  readonly offset: Int32Array;
  readonly kind: Uint8Array;
  readonly index: Int32Array;
  readonly constants: readonly number[];
}

/** The instructions as a {@link PackedProgram} (one form per key; an instruction without a key gets its own). */
export function packInstructions(instructions: readonly Instruction[]): PackedProgram {
  const count = instructions.length;
  const offset = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offset[i + 1] = offset[i] + instructions[i].args.length;
  const kind = new Uint8Array(offset[count]);
  const index = new Int32Array(offset[count]);
  const constants: number[] = [];
  const form = new Int32Array(count);
  const forms: InstructionForm[] = [];
  const formOfKey = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const ins = instructions[i];
    let f = ins.key === undefined ? undefined : formOfKey.get(ins.key);
    if (f === undefined) {
      f = forms.length;
      forms.push({ key: ins.key, render: ins.render });
      if (ins.key !== undefined) formOfKey.set(ins.key, f);
    }
    form[i] = f;
    const args = ins.args;
    for (let m = 0, at = offset[i]; m < args.length; m++, at++) {
      const a = args[m];
      if (a.kind === 'const') {
        kind[at] = constKind;
        index[at] = constants.length;
        constants.push(a.value);
      } else {
        kind[at] = a.kind === 'slot' ? slotKind : inputKind;
        index[at] = a.index;
      }
    }
  }
  return { count, form, forms, offset, kind, index, constants };
}

/** The operand at position `at` of a packed program as an object (slot operands shared through `slots`). */
function unpackedOperand(program: PackedProgram, at: number, slots: Operand[]): Operand {
  const index = program.index[at];
  switch (program.kind[at]) {
    case slotKind: return (slots[index] ??= { kind: 'slot', index });
    case inputKind: return { kind: 'input', index };
    default: return { kind: 'const', value: program.constants[index] };
  }
}

/** The {@link Instruction} objects of a packed program. */
export function unpackInstructions(program: PackedProgram): Instruction[] {
  const slots: Operand[] = [];
  const instructions: Instruction[] = new Array(program.count);
  for (let i = 0; i < program.count; i++) {
    const args: Operand[] = [];
    for (let at = program.offset[i]; at < program.offset[i + 1]; at++) args.push(unpackedOperand(program, at, slots));
    const { key, render } = program.forms[program.form[i]];
    instructions[i] = key === undefined ? { args, render } : { args, key, render };
  }
  return instructions;
}

function localOperandCode(operand: Operand, inputStyle: 'x' | 'params'): string {
  switch (operand.kind) {
    case 'const': return numberLiteral(operand.value);
    case 'input': return inputStyle === 'x' ? `x[${operand.index}]` : `p${operand.index}`;
    case 'slot': return `v${operand.index}`;
  }
}

/**
 * Compiles a short program into a function of positional number parameters `(p0, p1, …) => output`,
 * for small kernels called in hot loops (no array traffic). Not chunked: keep it to a few instructions.
 */
export function compileKernel(instructions: readonly Instruction[], output: Operand, parameterCount: number): (...params: number[]) => number {
  const lines = instructions.map((ins, i) => `const v${i} = ${ins.render(ins.args.map((a) => localOperandCode(a, 'params')))};`);
  const params = Array.from({ length: parameterCount }, (_, k) => `p${k}`).join(', ');
  return new Function('F', `"use strict"; return function kernel(${params}) {\n${lines.join('\n')}\nreturn ${localOperandCode(output, 'params')};\n};`)(
    opFunctions,
  );
}

/** A compiled program: reads `inputs`, writes every output into `outputs`, returns output 0 (or the `result` operand). */
export type CompiledProgram = (inputs: ArrayLike<number>, outputs: Float64Array) => number;

/** How {@link compileProgram} rolls loops. */
export interface LoopOptions {
  /** Fewest repetitions of a block worth a loop (default 4). */
  readonly minCount?: number;
  /** Fewest instructions a loop must cover (default 24). */
  readonly minCoverage?: number;
  /** Longest loop body, in instructions (default 256). */
  readonly maxBody?: number;
}

/** Options for {@link compileProgram}. */
export interface ProgramOptions {
  /** Return this operand's value instead of output 0 (the outputs array then holds only `outputs`). */
  readonly result?: Operand;
  /** Roll repeated blocks into loops (default true); `false` keeps all code straight-line. */
  readonly loops?: boolean | LoopOptions;
}

/** The shape of a compiled program, for reports and tests. */
export interface ProgramPlan {
  readonly instructions: number;
  /** Instructions inside rolled loops. */
  readonly rolled: number;
  readonly loops: readonly { readonly start: number; readonly body: number; readonly count: number }[];
  /** Generated functions (chunks). */
  readonly functions: number;
  /** Slots stored in the shared Float64Array. */
  readonly storedSlots: number;
}

// ---------------------------------------------------------------------------------------------------------
// Planning: segments (straight runs and rolled loops)

/** How a loop body reads one operand, as a function of the iteration number k. */
type Pattern =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'input'; readonly base: number; readonly stride: number }
  /** Body position `position` of the same iteration. */
  | { readonly kind: 'local'; readonly position: number }
  /** Body position `position` of the previous iteration; slot `initial` for k = 0. */
  | { readonly kind: 'carry'; readonly position: number; readonly initial: number }
  /** Slot `base + stride·k`. */
  | { readonly kind: 'slot'; readonly base: number; readonly stride: number };

interface StraightSegment {
  readonly kind: 'straight';
  readonly start: number;
  readonly end: number;
}

interface LoopSegment {
  readonly kind: 'loop';
  readonly start: number;
  readonly body: number;
  readonly count: number;
  readonly patterns: readonly (readonly Pattern[])[];
  /** The body's instruction keys. */
  readonly keys: readonly string[];
}

type Segment = StraightSegment | LoopSegment;

/**
 * A number per instruction, equal for instructions with the same key, operand kinds and constants (the
 * isomorphism loop rolling needs); negative and unique for an instruction without a key.
 */
function signatures(program: PackedProgram): Int32Array {
  const { count, form, forms, offset, kind, index, constants } = program;
  const sig = new Int32Array(count);
  // Signatures of instructions with up to two operands by (form and operand count, operand code, operand code),
  // where a code is 0 for a slot, 1 for an input and 2 + c for the c-th distinct constant (−0 apart from 0).
  const table = new TripleTable(256);
  // A Map's keys compare by SameValueZero (every NaN one key, as String(NaN) was), so −0 gets its id apart.
  const constantIds = new Map<number, number>();
  let constantCount = 0;
  let negativeZero = -1;
  const code = (at: number): number => {
    if (kind[at] !== constKind) return kind[at];
    const value = constants[index[at]];
    if (Object.is(value, -0)) {
      if (negativeZero === -1) negativeZero = constantCount++;
      return 2 + negativeZero;
    }
    let id = constantIds.get(value);
    if (id === undefined) constantIds.set(value, (id = constantCount++));
    return 2 + id;
  };
  const longer = new Map<string, number>();
  let next = 0;
  let unique = -1;
  for (let i = 0; i < count; i++) {
    if (forms[form[i]].key === undefined) {
      sig[i] = unique--;
      continue;
    }
    const width = offset[i + 1] - offset[i];
    if (width <= 2) {
      const first = width > 0 ? code(offset[i]) : 0;
      const second = width > 1 ? code(offset[i] + 1) : 0;
      const found = table.getOrSet(3 * form[i] + width, first, second, next);
      sig[i] = found === -1 ? next++ : found;
      continue;
    }
    let text = `${form[i]}`;
    for (let at = offset[i]; at < offset[i + 1]; at++) text += `|${code(at)}`;
    let id = longer.get(text);
    if (id === undefined) longer.set(text, (id = next++));
    sig[i] = id;
  }
  return sig;
}

/** Every instruction's operands as numbers (slot or input index; 0 for a constant), flattened, with offsets. */
interface OperandTable {
  readonly offset: Int32Array;
  readonly index: Int32Array;
}

function operandTable(program: PackedProgram): OperandTable {
  const index = Int32Array.from(program.index);
  for (let at = 0; at < index.length; at++) if (program.kind[at] === constKind) index[at] = 0;
  return { offset: program.offset, index };
}

/**
 * Blocks of `body` instructions from `start` that repeat with affine operands: how many (1 when fewer than `needed`
 * blocks repeat, as the caller then has no use for the run). The strides, one per operand of the body, flattened,
 * are written to `strides`.
 */
function measureRun(table: OperandTable, sig: Int32Array, start: number, body: number, needed: number, strides: Int32Array): number {
  const n = sig.length;
  if (start + Math.max(2, needed) * body > n) return 1;
  // Block 1 must match block 0 instruction by instruction (an instruction without a key has a signature of its own,
  // so it never matches another); its operands give the strides.
  for (let j = 0; j < body; j++) if (sig[start + j] !== sig[start + body + j]) return 1;
  // The farthest block the caller needs is checked next, as the strides are computed: most candidates that fail (in
  // straight code whose signatures repeat but whose operands do not) fail there, at their first irregular operand.
  const far = Math.max(2, needed) - 1;
  const farAt = start + far * body;
  for (let j = 0; j < body; j++) if (sig[farAt + j] !== sig[start + j]) return 1;
  const { offset, index } = table;
  const first = offset[start];
  const width = offset[start + body] - first;
  const farShift = offset[farAt] - first;
  for (let s = 0; s < width; s++) {
    const stride = index[first + width + s] - index[first + s];
    if (index[first + farShift + s] !== index[first + s] + stride * far) return 1;
    strides[s] = stride;
  }
  let count = 2;
  while (start + (count + 1) * body <= n && repeatsBlock(table, sig, start, body, strides, count)) count++;
  return count;
}

/** Whether block k of a run (see {@link measureRun}) repeats block 0: the same signatures, operands affine in k. */
function repeatsBlock(table: OperandTable, sig: Int32Array, start: number, body: number, strides: Int32Array, k: number): boolean {
  const at = start + k * body;
  for (let j = 0; j < body; j++) if (sig[at + j] !== sig[start + j]) return false;
  // Same signatures, so the same operand counts: block k's operands sit `offset[at] - first` further on.
  const { offset, index } = table;
  const first = offset[start];
  const width = offset[start + body] - first;
  const shift = offset[at] - first;
  for (let s = 0; s < width; s++) if (index[first + shift + s] !== index[first + s] + strides[s] * k) return false;
  return true;
}

function patternsOf(program: PackedProgram, start: number, body: number, strides: Int32Array): Pattern[][] {
  const patterns: Pattern[][] = [];
  let s = 0;
  for (let j = 0; j < body; j++) {
    const row: Pattern[] = [];
    for (let at = program.offset[start + j]; at < program.offset[start + j + 1]; at++) {
      const stride = strides[s++];
      const index = program.index[at];
      const kind = program.kind[at];
      if (kind === constKind) row.push({ kind: 'const', value: program.constants[index] });
      else if (kind === inputKind) row.push({ kind: 'input', base: index, stride });
      else if (stride === body && index >= start && index < start + j) row.push({ kind: 'local', position: index - start });
      else if (stride === body && index >= start - body && index < start) {
        row.push({ kind: 'carry', position: index - start + body, initial: index });
      } else row.push({ kind: 'slot', base: index, stride });
    }
    patterns.push(row);
  }
  return patterns;
}

function planSegments(program: PackedProgram, options: LoopOptions | null): Segment[] {
  const n = program.count;
  if (options === null) return n === 0 ? [] : [{ kind: 'straight', start: 0, end: n }];
  const minCount = Math.max(2, options.minCount ?? 4);
  const minCoverage = options.minCoverage ?? 24;
  const maxBody = options.maxBody ?? 256;
  const maxCandidates = 8;
  const sig = signatures(program);
  const table = operandTable(program);
  const scratch = new Int32Array(table.index.length);
  // The next instruction with the same signature (−1: none). Shared signatures are numbered 0, 1, … (below n).
  const nextSame = new Int32Array(n).fill(-1);
  const last = new Int32Array(n).fill(-1);
  for (let i = n - 1; i >= 0; i--) {
    if (sig[i] < 0) continue;
    nextSame[i] = last[sig[i]];
    last[sig[i]] = i;
  }
  const segments: Segment[] = [];
  let straightStart = 0;
  let p = 0;
  while (p < n) {
    let best: { body: number; count: number; strides: Int32Array } | null = null;
    let q = nextSame[p];
    for (let tries = 0; q !== -1 && q - p <= maxBody && tries < maxCandidates; tries++, q = nextSame[q]) {
      const body = q - p;
      if (p + Math.max(minCount * body, minCoverage) > n) continue;
      const count = measureRun(table, sig, p, body, Math.max(minCount, Math.ceil(minCoverage / body)), scratch);
      if (count < minCount || count * body < minCoverage) continue;
      if (best === null || count * body > best.count * best.body) {
        best = { body, count, strides: scratch.slice(0, table.offset[p + body] - table.offset[p]) };
      }
    }
    if (best === null) {
      p++;
      continue;
    }
    if (straightStart < p) segments.push({ kind: 'straight', start: straightStart, end: p });
    segments.push({
      kind: 'loop',
      start: p,
      body: best.body,
      count: best.count,
      patterns: patternsOf(program, p, best.body, best.strides),
      keys: Array.from(program.form.subarray(p, p + best.body), (f) => program.forms[f].key ?? ''),
    });
    p += best.body * best.count;
    straightStart = p;
  }
  if (straightStart < n) segments.push({ kind: 'straight', start: straightStart, end: n });
  return segments;
}

/** Groups segments into functions of at most about `chunkSize` instructions, splitting straight runs where needed. */
function planUnits(segments: readonly Segment[], chunkSize: number): Segment[][] {
  const units: Segment[][] = [];
  let current: Segment[] = [];
  let size = 0;
  const close = () => {
    if (current.length > 0) units.push(current);
    current = [];
    size = 0;
  };
  for (const segment of segments) {
    if (segment.kind === 'loop') {
      if (size > 0 && size + segment.body > chunkSize) close();
      current.push(segment);
      size += segment.body;
      continue;
    }
    let start = segment.start;
    while (start < segment.end) {
      if (size >= chunkSize) close();
      const end = Math.min(segment.end, start + (chunkSize - size));
      current.push({ kind: 'straight', start, end });
      size += end - start;
      start = end;
    }
  }
  close();
  return units;
}

// ---------------------------------------------------------------------------------------------------------
// Scheduling

/** A program with its instructions reordered: `instructions`, and where each old slot went. */
export interface ScheduledProgram {
  readonly instructions: Instruction[];
  /** `newSlot[old]` is the slot that old slot `old` became. */
  readonly newSlot: Int32Array;
  /** The same operand in the reordered program. */
  readonly remap: (operand: Operand) => Operand;
}

/**
 * Reorders a program so each instruction runs as soon as its operands exist (keeping the given order otherwise).
 *
 * A reverse sweep lowered after the forward sweep reads, say, term k's intermediate values; scheduled eagerly,
 * those adjoint instructions move next to term k's forward instructions, so forward and reverse work of one
 * term form one repeated block and the loop roller fuses them into one loop whose values stay in registers
 * (Rosenbrock's gradient then runs as the hand-fused loop). Instructions whose last operand appears at the
 * same moment keep their relative order, so isomorphic blocks stay isomorphic. Linear time, no recursion.
 */
export function scheduleEagerly(instructions: readonly Instruction[]): ScheduledProgram {
  const n = instructions.length;
  // Each distinct slot an instruction reads, once (`x * x` waits for one value): -1 where none.
  const firstRead = new Int32Array(n).fill(-1);
  const secondRead = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const args = instructions[i].args;
    let first = -1;
    let second = -1;
    for (let m = 0; m < args.length; m++) {
      const a = args[m];
      if (a.kind !== 'slot') continue;
      if (first === -1) first = a.index;
      else if (a.index !== first && second === -1) second = a.index;
      else if (a.index !== first && a.index !== second) throw new Error('internal error: an instruction reads at most two slots');
    }
    firstRead[i] = first;
    secondRead[i] = second;
  }
  const order = eagerOrder(firstRead, secondRead);
  const newSlot = new Int32Array(n);
  for (let i = 0; i < n; i++) newSlot[order[i]] = i;
  // One operand object per slot, shared by every instruction that reads it.
  const slotOperands: Operand[] = new Array(n);
  for (let i = 0; i < n; i++) slotOperands[i] = { kind: 'slot', index: i };
  const remap = (a: Operand): Operand => (a.kind === 'slot' ? slotOperands[newSlot[a.index]] : a);
  const reordered: Instruction[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ins = instructions[order[i]];
    const args = ins.args;
    reordered[i] = {
      args: args.length === 1 ? [remap(args[0])] : args.length === 2 ? [remap(args[0]), remap(args[1])] : args.map(remap),
      render: ins.render,
      key: ins.key,
    };
  }
  return { instructions: reordered, newSlot, remap };
}

/**
 * The order {@link scheduleEagerly} runs instructions in, from the slots each reads: `firstRead[i]` and
 * `secondRead[i]` are the distinct slots instruction i reads (−1 where none; each below i). `order[k]` is the
 * instruction that runs k-th. For callers that hold a program as arrays rather than {@link Instruction} objects.
 */
export function eagerOrder(firstRead: Int32Array, secondRead: Int32Array): Int32Array {
  const n = firstRead.length;
  const pending = new Int32Array(n);
  const dependentCount = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const first = firstRead[i];
    const second = secondRead[i];
    if (first !== -1) {
      pending[i]++;
      dependentCount[first + 1]++;
    }
    if (second !== -1) {
      pending[i]++;
      dependentCount[second + 1]++;
    }
  }
  for (let i = 0; i < n; i++) dependentCount[i + 1] += dependentCount[i];
  const dependents = new Int32Array(dependentCount[n]);
  const fill = dependentCount.slice(0, n);
  for (let i = 0; i < n; i++) {
    if (firstRead[i] !== -1) dependents[fill[firstRead[i]]++] = i;
    if (secondRead[i] !== -1) dependents[fill[secondRead[i]]++] = i;
  }
  const order = new Int32Array(n);
  const emitted = new Uint8Array(n);
  const queue = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (emitted[i]) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = i;
    emitted[i] = 1;
    while (head < tail) {
      const j = queue[head++];
      order[count++] = j;
      for (let d = dependentCount[j]; d < dependentCount[j + 1]; d++) {
        const k = dependents[d];
        if (--pending[k] === 0 && !emitted[k]) {
          emitted[k] = 1;
          queue[tail++] = k;
        }
      }
    }
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------
// Code generation

// Instruction keys that are linear in each argument, so a loop-carried product r ← r·b can be kept as a
// scaled value and an exponent, r = s·2^e with |s| held within [2^-500, 2^500] by exact power-of-two steps.
// Every multiplication then rounds exactly as the unscaled one would wherever that one stays normal (a factor
// would have to exceed 2^524 in one step to overflow the scaled value first), and a chain rule product over
// 10,000 levels (0.66^10000) never turns subnormal: subnormals slow every multiplication 3× here, and the
// unscaled product sticks at 5e-324 (0.66 · 5e-324 rounds back up) instead of reaching 0.
const productKeys: ReadonlySet<string> = new Set<OpName>(['mul']);

const scale2Source = `function scale2(v, e) {
while (e >= 500) { v *= ${numberLiteral(2 ** 500)}; e -= 500; }
while (e <= -500) { v *= ${numberLiteral(2 ** -500)}; e += 500; }
return v;
}`;

/** Body positions whose carried value is a running product used nowhere else: they may be rescaled. */
function rescalableCarries(
  loop: LoopSegment,
  carried: ReadonlyMap<number, number>,
  every: Uint8Array,
  direct: ReadonlyMap<number, unknown>,
): Set<number> {
  const uses = new Map<number, number>();
  loop.patterns.forEach((row) => {
    for (const p of row) if (p.kind === 'local' || p.kind === 'carry') uses.set(p.position, (uses.get(p.position) ?? 0) + 1);
  });
  const result = new Set<number>();
  for (const j of carried.keys()) {
    if (every[j] || direct.has(j) || uses.get(j) !== 1) continue;
    const ins = loop.patterns[j];
    if (ins.length !== 2) continue;
    const self = ins.filter((p) => p.kind === 'carry' && p.position === j).length;
    if (self === 1 && productKeys.has(loop.keys[j])) result.add(j);
  }
  return result;
}

/**
 * Compiles a straight-line program into JavaScript (rolled loops and chunk functions; see the file header).
 * @param instructions instruction i writes slot i and may read only slots < i
 * @param outputs the operands copied to the output array, in order
 * @param chunkSize instructions per generated function, at most
 */
export function compileProgram(
  instructions: readonly Instruction[],
  outputs: readonly Operand[],
  chunkSize: number = defaultChunkSize,
  options: ProgramOptions = {},
): CompiledProgram {
  return buildProgram(instructions, outputs, chunkSize, options).program;
}

/** Milliseconds {@link buildProgram} spent in each phase. */
export interface BuildTimings {
  /** Loop rolling, chunking, and which slots are stored. */
  readonly planMs: number;
  /** Building the JavaScript source text. */
  readonly sourceMs: number;
  /** `new Function`: V8 parses the source (each chunk function is compiled on its first call, later). */
  readonly functionMs: number;
}

/** Like {@link compileProgram}, and also returns the plan (loops, functions, stored slots), the generated source and the time per phase. */
export function buildProgram(
  instructions: readonly Instruction[],
  outputs: readonly Operand[],
  chunkSize: number = defaultChunkSize,
  options: ProgramOptions = {},
): { program: CompiledProgram; plan: ProgramPlan; source: string; timings: BuildTimings } {
  const startMs = performance.now();
  const packed = packInstructions(instructions);
  const packMs = performance.now() - startMs;
  const built = buildPackedProgram(packed, outputs, chunkSize, options);
  return { ...built, timings: { ...built.timings, planMs: built.timings.planMs + packMs } };
}

/** {@link buildProgram} for a program given as arrays ({@link PackedProgram}). */
export function buildPackedProgram(
  packed: PackedProgram,
  outputs: readonly Operand[],
  chunkSize: number = defaultChunkSize,
  options: ProgramOptions = {},
): { program: CompiledProgram; plan: ProgramPlan; source: string; timings: BuildTimings } {
  const startMs = performance.now();
  const count = packed.count;
  for (let i = 0; i < count; i++) {
    for (let at = packed.offset[i]; at < packed.offset[i + 1]; at++) {
      const index = packed.index[at];
      if (packed.kind[at] === slotKind && (index >= i || index < 0)) {
        throw new Error(`internal error: instruction ${i} reads slot ${index} before it is written`);
      }
    }
  }
  const loopOptions = options.loops === false ? null : options.loops === true || options.loops === undefined ? {} : options.loops;
  const segments = planSegments(packed, loopOptions);
  const units = planUnits(segments, checkChunkSize(chunkSize, 'compileProgram'));

  // Where each slot is produced: its unit, and its loop (with the body position) when rolled.
  const unitOf = new Int32Array(count);
  const loopOf = new Int32Array(count).fill(-1);
  const loops: LoopSegment[] = [];
  units.forEach((unit, u) => {
    for (const segment of unit) {
      if (segment.kind === 'straight') unitOf.fill(u, segment.start, segment.end);
      else {
        const end = segment.start + segment.body * segment.count;
        unitOf.fill(u, segment.start, end);
        loopOf.fill(loops.length, segment.start, end);
        loops.push(segment);
      }
    }
  });
  const lastUnit = units.length - 1;

  // Outputs that a loop writes itself: every iteration of one body position is one output, at an index
  // affine in the iteration (a gradient computed by a rolled reverse sweep goes straight to its place).
  const resultOperand = options.result;
  const directOutput = loops.map(() => new Map<number, { first: number; stride: number }>());
  const outputDone = new Uint8Array(outputs.length);
  {
    const seen = loops.map(() => new Map<number, number[]>());
    outputs.forEach((a, m) => {
      if (a.kind !== 'slot' || loopOf[a.index] < 0) return;
      const loop = loops[loopOf[a.index]];
      const offset = a.index - loop.start;
      const position = offset % loop.body;
      const k = (offset - position) / loop.body;
      const list = seen[loopOf[a.index]].get(position) ?? [];
      if (list.length === 0) seen[loopOf[a.index]].set(position, list);
      list.push(k, m);
    });
    seen.forEach((positions, l) => {
      for (const [position, list] of positions) {
        const count = loops[l].count;
        if (list.length !== 2 * count) continue;
        const outputAt = new Int32Array(count).fill(-1);
        let ok = true;
        for (let i = 0; i < list.length && ok; i += 2) {
          ok = outputAt[list[i]] === -1;
          outputAt[list[i]] = list[i + 1];
        }
        const first = outputAt[0];
        const stride = outputAt[1] - outputAt[0];
        for (let k = 0; k < count && ok; k++) ok = outputAt[k] === first + stride * k;
        if (!ok) continue;
        directOutput[l].set(position, { first, stride });
        for (let k = 0; k < count; k++) outputDone[outputAt[k]] = 1;
      }
    });
  }

  // Which slots go through the shared array: read by another function, by a loop through an index, or
  // produced in a loop and read outside the iteration that made it (a carried value stays local). A loop
  // value read outside only in its last iteration is stored once, after the loop.
  const stored = new Uint8Array(count);
  const storeEvery = loops.map((loop) => new Uint8Array(loop.body));
  const storeLast = loops.map((loop) => new Uint8Array(loop.body));
  const markRead = (slot: number, readerUnit: number, viaIndex: boolean) => {
    const l = loopOf[slot];
    if (l < 0) {
      if (viaIndex || unitOf[slot] !== readerUnit) stored[slot] = 1;
      return;
    }
    const loop = loops[l];
    const offset = slot - loop.start;
    const position = offset % loop.body;
    if (!viaIndex && offset - position === (loop.count - 1) * loop.body) storeLast[l][position] = 1;
    else storeEvery[l][position] = 1;
  };
  units.forEach((unit, u) => {
    for (const segment of unit) {
      if (segment.kind === 'straight') {
        for (let i = segment.start; i < segment.end; i++) {
          for (let at = packed.offset[i]; at < packed.offset[i + 1]; at++) if (packed.kind[at] === slotKind) markRead(packed.index[at], u, false);
        }
        continue;
      }
      for (const row of segment.patterns) {
        for (const pattern of row) {
          if (pattern.kind === 'carry') markRead(pattern.initial, u, false);
          else if (pattern.kind === 'slot') {
            if (pattern.stride === 0) markRead(pattern.base, u, false);
            else for (let k = 0; k < segment.count; k++) markRead(pattern.base + pattern.stride * k, u, true);
          }
        }
      }
    }
  });

  // The other outputs: consecutive slots with a constant stride are copied by a loop, the rest one by one.
  const outputRuns: { first: number; length: number; base: number; stride: number }[] = [];
  for (let k = 0; k < outputs.length; ) {
    const a = outputs[k];
    if (outputDone[k]) {
      k++;
      continue;
    }
    let length = 1;
    if (a.kind === 'slot' && k + 1 < outputs.length && outputs[k + 1].kind === 'slot' && !outputDone[k + 1]) {
      const stride = (outputs[k + 1] as { index: number }).index - a.index;
      while (k + length < outputs.length && !outputDone[k + length]) {
        const b = outputs[k + length];
        if (b.kind !== 'slot' || b.index !== a.index + stride * length) break;
        length++;
      }
      if (length >= 8) {
        outputRuns.push({ first: k, length, base: a.index, stride });
        for (let m = 0; m < length; m++) markRead(a.index + stride * m, lastUnit, true);
        k += length;
        continue;
      }
      length = 1;
    }
    if (a.kind === 'slot') markRead(a.index, lastUnit, false);
    k += length;
  }
  if (resultOperand?.kind === 'slot') markRead(resultOperand.index, lastUnit, false);

  // Operand code as seen from a function (straight code and loop-invariant reads).
  // A straight-line value is a local of its function, named by its place there (v0, v1, …: short names keep the
  // source V8 parses small); every other read goes through `t`, by slot.
  const unitBase = Int32Array.from(units, (unit) => unit[0].start);
  // A straight-line value that goes through `t` anyway is written there directly and read from there even in its
  // own function (a few hundred reads on the network gradient): no local and no copy, a fifth less source to parse.
  const slotCode = (slot: number, unit: number) =>
    loopOf[slot] < 0 && unitOf[slot] === unit && !stored[slot] ? `v${slot - unitBase[unit]}` : `t[${slot}]`;
  const operandCode = (a: Operand, unit: number) =>
    a.kind === 'const' ? numberLiteral(a.value) : a.kind === 'input' ? `x[${a.index}]` : slotCode(a.index, unit);
  const packedOperandCode = (at: number, unit: number) => {
    const index = packed.index[at];
    const kind = packed.kind[at];
    return kind === constKind ? numberLiteral(packed.constants[index]) : kind === inputKind ? `x[${index}]` : slotCode(index, unit);
  };
  const affine = (base: number, stride: number) =>
    stride === 0 ? String(base) : stride === 1 ? `${base} + k` : stride === -1 ? `${base} - k` : stride < 0 ? `${base} - ${-stride} * k` : `${base} + ${stride} * k`;

  let storedSlots = 0;
  let usesRescaling = false;
  const planEndMs = performance.now();
  // Each function's text is joined as soon as its lines are built, so the many small strings die young (kept
  // until the end, they survived the young-generation collections and cost more than building them).
  const unitTexts: string[] = [];
  let last: string[] = [];
  const unary: string[] = [''];
  const binary: string[] = ['', ''];
  units.forEach((unit, u) => {
    const lines: string[] = [];
    for (const segment of unit) {
      if (segment.kind === 'straight') {
        for (let i = segment.start; i < segment.end; i++) {
          const at = packed.offset[i];
          const width = packed.offset[i + 1] - at;
          let code: readonly string[];
          if (width === 1) {
            unary[0] = packedOperandCode(at, u);
            code = unary;
          } else if (width === 2) {
            binary[0] = packedOperandCode(at, u);
            binary[1] = packedOperandCode(at + 1, u);
            code = binary;
          } else code = Array.from({ length: width }, (_, m) => packedOperandCode(at + m, u));
          const value = packed.forms[packed.form[i]].render(code);
          if (stored[i]) {
            lines.push(`t[${i}] = ${value};`);
            storedSlots++;
          } else lines.push(`const v${i - unitBase[u]} = ${value};`);
        }
        continue;
      }
      const l = loopOf[segment.start];
      const loop = loops[l];
      const every = storeEvery[l];
      const carried = new Map<number, number>();
      for (const row of loop.patterns) for (const p of row) if (p.kind === 'carry') carried.set(p.position, p.initial);
      // A value needed after the loop only in its last iteration leaves the loop in a variable.
      const leaving = [...storeLast[l].keys()].filter((j) => storeLast[l][j] && !every[j]);
      const rescaled = rescalableCarries(loop, carried, every, directOutput[l]);
      if (rescaled.size > 0) usesRescaling = true;
      lines.push('{');
      for (const [position, initial] of carried) lines.push(`let r${position} = ${slotCode(initial, u)};`);
      for (const j of rescaled) lines.push(`let e${j} = 0;`);
      for (const j of leaving) if (!carried.has(j)) lines.push(`let r${j} = 0;`);
      lines.push(`for (let k = 0; k < ${loop.count}; k++) {`);
      if (every.some((flag) => flag === 1)) lines.push(`const q = ${affine(loop.start, loop.body)};`);
      loop.patterns.forEach((row, j) => {
        const args = row.map((p) => {
          switch (p.kind) {
            case 'const': return numberLiteral(p.value);
            case 'input': return `x[${affine(p.base, p.stride)}]`;
            case 'local': return `b${p.position}`;
            case 'carry': return `r${p.position}`;
            case 'slot': return p.stride === 0 ? slotCode(p.base, u) : `t[${affine(p.base, p.stride)}]`;
          }
        });
        lines.push(`const b${j} = ${packed.forms[packed.form[loop.start + j]].render(args)};`);
        if (every[j]) {
          lines.push(`t[q + ${j}] = b${j};`);
          storedSlots += loop.count;
        }
        const direct = directOutput[l].get(j);
        if (direct !== undefined) lines.push(`o[${affine(direct.first, direct.stride)}] = b${j};`);
      });
      for (const position of new Set([...carried.keys(), ...leaving])) {
        lines.push(`r${position} = b${position};`);
        if (rescaled.has(position)) {
          // Keep the carried product normal: r·2^e is the true value (scaling by 2^±500 is exact).
          lines.push(
            `{ const m = Math.abs(r${position}); if (m < ${numberLiteral(2 ** -500)}) { if (m !== 0) { r${position} *= ${numberLiteral(2 ** 500)}; e${position} -= 500; } }`,
            `else if (m > ${numberLiteral(2 ** 500)} && m !== (1/0)) { r${position} *= ${numberLiteral(2 ** -500)}; e${position} += 500; } }`,
          );
        }
      }
      lines.push('}');
      for (const j of leaving) {
        const value = rescaled.has(j) ? `scale2(r${j}, e${j})` : `r${j}`;
        lines.push(`t[${loop.start + (loop.count - 1) * loop.body + j}] = ${value};`);
        storedSlots++;
      }
      lines.push('}');
    }
    if (u === lastUnit) last = lines;
    else unitTexts.push(`function u${u}(x, o) {\n${lines.join('\n')}\n}`);
  });

  // The last function (or the only one, for an empty program) writes the remaining outputs and returns the result.
  const outputUnit = Math.max(lastUnit, 0);
  let runIndex = 0;
  for (let k = 0; k < outputs.length; ) {
    const run = outputRuns[runIndex];
    if (run !== undefined && run.first === k) {
      last.push(`for (let k = 0; k < ${run.length}; k++) o[${k} + k] = t[${affine(run.base, run.stride)}];`);
      k += run.length;
      runIndex++;
      continue;
    }
    const a = outputs[k];
    if (a.kind === 'const') {
      // A run of equal constants (the zero partials of unused variables, say) is one fill.
      let length = 1;
      while (k + length < outputs.length && !outputDone[k + length]) {
        const b = outputs[k + length];
        if (b.kind !== 'const' || !Object.is(b.value, a.value)) break;
        length++;
      }
      if (length >= 8) {
        last.push(`o.fill(${numberLiteral(a.value)}, ${k}, ${k + length});`);
        k += length;
        continue;
      }
    }
    if (!outputDone[k]) last.push(`o[${k}] = ${operandCode(a, outputUnit)};`);
    k++;
  }
  last.push(`return ${resultOperand === undefined ? 'o[0]' : operandCode(resultOperand, outputUnit)};`);

  const scratch = new Float64Array(count);
  const sources = [...unitTexts, `function u${outputUnit}(x, o) {\n${last.join('\n')}\n}`];
  if (usesRescaling) sources.unshift(scale2Source);
  let source: string;
  if (sources.length === 1 && !usesRescaling) source = `"use strict";\nreturn ${sources[0].replace('function u0', 'function program')};`;
  else {
    source = `"use strict";\n${sources.join('\n')}\nreturn function program(x, o) {\n${sources
      .filter((text) => text !== scale2Source)
      .map((_, u) => (u === lastUnit ? `return u${u}(x, o);` : `u${u}(x, o);`))
      .join('\n')}\n};`;
  }
  const sourceEndMs = performance.now();
  const program = new Function('F', 't', source)(opFunctions, scratch) as CompiledProgram;
  const functionEndMs = performance.now();
  let rolled = 0;
  for (const loop of loops) rolled += loop.body * loop.count;
  return {
    program,
    plan: {
      instructions: count,
      rolled,
      loops: loops.map(({ start, body, count: c }) => ({ start, body, count: c })),
      functions: units.length,
      storedSlots,
    },
    source,
    timings: { planMs: planEndMs - startMs, sourceMs: sourceEndMs - planEndMs, functionMs: functionEndMs - sourceEndMs },
  };
}
