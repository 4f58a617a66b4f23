// Straight-line programs (SSA over numbered slots) compiled to JavaScript that V8 optimizes: rolled loops and chunks.
//
// Safety: the generated source contains only slot numbers, input indices, numeric literals printed by
// `numberLiteral`, and code templates from the op table. No name or text from the user ever enters it.
//
// Speed: a program is first planned into segments. Runs of isomorphic blocks (the same instructions, operands
// that are equal constants or whose input/slot indices are affine in the block number) become `for` loops:
// Rosenbrock's n−1 terms, a sin chain's levels, and the reverse sweeps of both. Values a loop hands to the next
// iteration stay in local variables (`let r = …` carried around the loop); values read elsewhere go through one
// Float64Array `t`, indexed by slot. Everything else stays straight-line code in locals. V8 leaves functions above
// ~60 KB of bytecode unoptimized, so segments are grouped into functions of at most `chunkSize` instructions that
// pass values to each other through `t`. Loops run the same operations in the same order as the straight-line
// program, so the results are bit-for-bit those of the interpreter.
import { ops, opNames, type OpName } from './ops.ts';

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

/** The instruction that applies `op` to `args`, using the op table's inline JavaScript when it has one. */
export function opInstruction(op: OpName, args: readonly Operand[]): Instruction {
  const js = ops[op].js;
  if (js !== undefined) return { args, key: op, render: ([a, b]) => js(a, b ?? '') };
  const index = opFunctionIndex.get(op)!;
  return { args, key: op, render: ([a, b]) => `F[${index}](${a}, ${b ?? '0'})` };
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
}

type Segment = StraightSegment | LoopSegment;

function signatures(instructions: readonly Instruction[]): Int32Array {
  const ids = new Map<string, number>();
  const sig = new Int32Array(instructions.length);
  let unique = -1;
  instructions.forEach((ins, i) => {
    if (ins.key === undefined) {
      sig[i] = unique--;
      return;
    }
    let text = ins.key;
    for (const a of ins.args) text += a.kind === 'const' ? `|c${Object.is(a.value, -0) ? '-0' : String(a.value)}` : a.kind === 'input' ? '|i' : '|s';
    let id = ids.get(text);
    if (id === undefined) ids.set(text, (id = ids.size));
    sig[i] = id;
  });
  return sig;
}

function operandIndex(a: Operand): number {
  return a.kind === 'const' ? 0 : a.index;
}

/** Blocks of `body` instructions from `start` that repeat with affine operands: how many, and the patterns. */
function measureRun(instructions: readonly Instruction[], sig: Int32Array, start: number, body: number): { count: number; strides: Int32Array | null } {
  const n = instructions.length;
  if (start + 2 * body > n) return { count: 1, strides: null };
  // Strides from blocks 0 and 1, one per operand, flattened.
  const strides: number[] = [];
  for (let j = 0; j < body; j++) {
    if (sig[start + j] !== sig[start + body + j] || sig[start + j] < 0) return { count: 1, strides: null };
    const a0 = instructions[start + j].args;
    const a1 = instructions[start + body + j].args;
    for (let m = 0; m < a0.length; m++) strides.push(operandIndex(a1[m]) - operandIndex(a0[m]));
  }
  const stride = Int32Array.from(strides);
  let count = 2;
  for (; start + (count + 1) * body <= n; count++) {
    const offset = start + count * body;
    let s = 0;
    let ok = true;
    for (let j = 0; j < body && ok; j++) {
      if (sig[offset + j] !== sig[start + j]) {
        ok = false;
        break;
      }
      const a0 = instructions[start + j].args;
      const ak = instructions[offset + j].args;
      for (let m = 0; m < a0.length; m++, s++) {
        if (operandIndex(ak[m]) !== operandIndex(a0[m]) + stride[s] * count) {
          ok = false;
          break;
        }
      }
    }
    if (!ok) break;
  }
  return { count, strides: stride };
}

function patternsOf(instructions: readonly Instruction[], start: number, body: number, strides: Int32Array): Pattern[][] {
  const patterns: Pattern[][] = [];
  let s = 0;
  for (let j = 0; j < body; j++) {
    const row: Pattern[] = [];
    for (const a of instructions[start + j].args) {
      const stride = strides[s++];
      if (a.kind === 'const') row.push({ kind: 'const', value: a.value });
      else if (a.kind === 'input') row.push({ kind: 'input', base: a.index, stride });
      else if (stride === body && a.index >= start && a.index < start + j) row.push({ kind: 'local', position: a.index - start });
      else if (stride === body && a.index >= start - body && a.index < start) {
        row.push({ kind: 'carry', position: a.index - start + body, initial: a.index });
      } else row.push({ kind: 'slot', base: a.index, stride });
    }
    patterns.push(row);
  }
  return patterns;
}

function planSegments(instructions: readonly Instruction[], options: LoopOptions | null): Segment[] {
  const n = instructions.length;
  if (options === null) return n === 0 ? [] : [{ kind: 'straight', start: 0, end: n }];
  const minCount = options.minCount ?? 4;
  const minCoverage = options.minCoverage ?? 24;
  const maxBody = options.maxBody ?? 256;
  const maxCandidates = 8;
  const sig = signatures(instructions);
  const nextSame = new Int32Array(n).fill(-1);
  const last = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) {
    const found = last.get(sig[i]);
    if (found !== undefined) nextSame[i] = found;
    last.set(sig[i], i);
  }
  const segments: Segment[] = [];
  let straightStart = 0;
  let p = 0;
  while (p < n) {
    let best: { body: number; count: number; strides: Int32Array } | null = null;
    let q = nextSame[p];
    for (let tries = 0; q !== -1 && q - p <= maxBody && tries < maxCandidates; tries++, q = nextSame[q]) {
      const body = q - p;
      const { count, strides } = measureRun(instructions, sig, p, body);
      if (strides === null || count < minCount || count * body < minCoverage) continue;
      if (best === null || count * body > best.count * best.body) best = { body, count, strides };
    }
    if (best === null) {
      p++;
      continue;
    }
    if (straightStart < p) segments.push({ kind: 'straight', start: straightStart, end: p });
    segments.push({ kind: 'loop', start: p, body: best.body, count: best.count, patterns: patternsOf(instructions, p, best.body, best.strides) });
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
// Code generation

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

/** Like {@link compileProgram}, and also returns the plan (loops, functions, stored slots) and the generated source. */
export function buildProgram(
  instructions: readonly Instruction[],
  outputs: readonly Operand[],
  chunkSize: number = defaultChunkSize,
  options: ProgramOptions = {},
): { program: CompiledProgram; plan: ProgramPlan; source: string } {
  const count = instructions.length;
  for (let i = 0; i < count; i++) {
    for (const arg of instructions[i].args) {
      if (arg.kind === 'slot' && (arg.index >= i || arg.index < 0)) {
        throw new Error(`internal error: instruction ${i} reads slot ${arg.index} before it is written`);
      }
    }
  }
  const loopOptions = options.loops === false ? null : options.loops === true || options.loops === undefined ? {} : options.loops;
  const segments = planSegments(instructions, loopOptions);
  const units = planUnits(segments, Math.max(1, chunkSize));

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

  // Which slots go through the shared array: read by another function, by a loop through an index, or
  // produced in a loop and read outside the iteration that made it (a carried value stays local).
  const stored = new Uint8Array(count);
  const storedPosition = loops.map((loop) => new Uint8Array(loop.body));
  const markRead = (slot: number, readerUnit: number, viaIndex: boolean) => {
    const loop = loopOf[slot];
    if (loop >= 0) storedPosition[loop][(slot - loops[loop].start) % loops[loop].body] = 1;
    else if (viaIndex || unitOf[slot] !== readerUnit) stored[slot] = 1;
  };
  units.forEach((unit, u) => {
    for (const segment of unit) {
      if (segment.kind === 'straight') {
        for (let i = segment.start; i < segment.end; i++) {
          for (const a of instructions[i].args) if (a.kind === 'slot') markRead(a.index, u, false);
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

  // Outputs: consecutive slots with a constant stride are copied by a loop, the rest one by one.
  const resultOperand = options.result;
  const outputRuns: { first: number; length: number; base: number; stride: number }[] = [];
  for (let k = 0; k < outputs.length; ) {
    const a = outputs[k];
    let length = 1;
    if (a.kind === 'slot' && k + 1 < outputs.length && outputs[k + 1].kind === 'slot') {
      const stride = (outputs[k + 1] as { index: number }).index - a.index;
      while (k + length < outputs.length) {
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
    }
    if (a.kind === 'slot') markRead(a.index, lastUnit, false);
    k += 1;
  }
  if (resultOperand?.kind === 'slot') markRead(resultOperand.index, lastUnit, false);

  // Operand code as seen from a function (straight code and loop-invariant reads).
  const slotCode = (slot: number, unit: number) =>
    loopOf[slot] < 0 && unitOf[slot] === unit ? `v${slot}` : `t[${slot}]`;
  const operandCode = (a: Operand, unit: number) =>
    a.kind === 'const' ? numberLiteral(a.value) : a.kind === 'input' ? `x[${a.index}]` : slotCode(a.index, unit);
  const affine = (base: number, stride: number) =>
    stride === 0 ? String(base) : stride === 1 ? `${base} + k` : stride === -1 ? `${base} - k` : `${base} + ${stride} * k`;

  let storedSlots = 0;
  const unitSources = units.map((unit, u) => {
    const lines: string[] = [];
    for (const segment of unit) {
      if (segment.kind === 'straight') {
        for (let i = segment.start; i < segment.end; i++) {
          const ins = instructions[i];
          lines.push(`const v${i} = ${ins.render(ins.args.map((a) => operandCode(a, u)))};`);
          if (stored[i]) {
            lines.push(`t[${i}] = v${i};`);
            storedSlots++;
          }
        }
        continue;
      }
      const loop = loops[loopOf[segment.start]];
      const storeAt = storedPosition[loopOf[segment.start]];
      const carried = new Map<number, number>();
      for (const row of loop.patterns) for (const p of row) if (p.kind === 'carry') carried.set(p.position, p.initial);
      lines.push('{');
      for (const [position, initial] of carried) lines.push(`let r${position} = ${slotCode(initial, u)};`);
      lines.push(`for (let k = 0; k < ${loop.count}; k++) {`);
      lines.push(`const q = ${affine(loop.start, loop.body)};`);
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
        lines.push(`const b${j} = ${instructions[loop.start + j].render(args)};`);
        if (storeAt[j]) {
          lines.push(`t[q + ${j}] = b${j};`);
          storedSlots += loop.count;
        }
      });
      for (const position of carried.keys()) lines.push(`r${position} = b${position};`);
      lines.push('}', '}');
    }
    return lines;
  });

  // The last function writes the outputs and returns the result.
  const last = unitSources[lastUnit] ?? (unitSources[0] = []);
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
    last.push(`o[${k}] = ${operandCode(outputs[k], outputUnit)};`);
    k++;
  }
  last.push(`return ${resultOperand === undefined ? 'o[0]' : operandCode(resultOperand, outputUnit)};`);

  const scratch = new Float64Array(count);
  const sources = unitSources.map((lines, u) => `function u${u}(x, o) {\n${lines.join('\n')}\n}`);
  let source: string;
  if (sources.length === 1) source = `"use strict";\nreturn ${sources[0].replace('function u0', 'function program')};`;
  else {
    source = `"use strict";\n${sources.join('\n')}\nreturn function program(x, o) {\n${sources
      .map((_, u) => (u === lastUnit ? `return u${u}(x, o);` : `u${u}(x, o);`))
      .join('\n')}\n};`;
  }
  const program = new Function('F', 't', source)(opFunctions, scratch) as CompiledProgram;
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
  };
}
