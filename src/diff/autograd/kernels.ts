// Array kernels of the Tensor engine: elementwise loops generated from the op table's JavaScript templates, and matrix products.
//
// An elementwise op on same-shaped arrays runs one generated loop per (op, operand layout), its expression pasted
// from the op table's `js` template (or the table's eval function, called through an array by index), so V8 sees
// a monomorphic loop with the op inlined instead of an indirect call per element. Only the op table's templates
// and numbers rendered by `numberLiteral` enter the generated code, never user text. The matrix products block
// four rows at a time, so each element of the right operand loaded from memory serves four multiply-adds.
import { ops, opNames } from '../../ir/ops.ts';
import { numberLiteral, opInstruction, type Instruction, type Operand } from '../../ir/codegen.ts';
import { lowerToProgram } from '../../ir/compile.ts';
import { partialTemplates, placeholder } from '../../ir/partials.ts';
import { constant } from '../../ir/node.ts';

const opFunctions: readonly ((a: number, b: number) => number)[] = opNames.map((name) => ops[name].eval);

/** out[j] = op(A[j] or ka, B[j] or kb) for j < n. */
export type ForwardLoop = (out: Float64Array, A: Float64Array | null, B: Float64Array | null, n: number, ka: number, kb: number) => void;

const forwardLoops = new Map<string, ForwardLoop>();

/**
 * The constants a loop is specialised on: small integers and halves (`x**2`, `x*0.5`, `1 - x`), a bounded set, so
 * the cache of generated loops stays small. Inlined as a literal, the constant lets V8 fold what depends on it
 * (`Math.pow(a, 2)` becomes a multiply, `Math.pow(a, 2 - 1)` a copy); the values computed are the same as with the
 * constant passed in at run time, since the expression is the same JavaScript.
 */
export function inlinableConstant(k: number): boolean {
  return Number.isInteger(2 * k) && Math.abs(k) <= 16 && !Object.is(k, -0);
}

/** The code of a loop's operand: the array element, the constant as a literal (when inlinable), or the run-time number. */
function operandSource(isArray: boolean, array: string, runtime: string, k: number | undefined): string {
  if (isArray) return `${array}[j]`;
  return k !== undefined && inlinableConstant(k) ? numberLiteral(k) : runtime;
}

/**
 * The generated forward loop of elementwise op `op` (its index in the op table) for operands that are arrays of
 * the output's length (`aArray`, `bArray`) or plain numbers. With `k`, the number operand is that constant, and the
 * loop is specialised on it when it is {@link inlinableConstant} (the caller still passes it as `ka`/`kb`).
 */
export function forwardLoop(op: number, aArray: boolean, bArray: boolean, k?: number): ForwardLoop {
  const name = opNames[op];
  const unary = ops[name].arity === 1;
  const a = operandSource(aArray, 'A', 'ka', unary ? undefined : k);
  const b = unary ? '' : operandSource(bArray, 'B', 'kb', k);
  const key = `${op},${a},${b}`;
  let loop = forwardLoops.get(key);
  if (loop === undefined) {
    const expr = opInstruction(name, []).render(unary ? ['a'] : ['a', 'b']);
    const body = `const a = ${a};${unary ? '' : ` const b = ${b};`} out[j] = ${expr};`;
    loop = new Function('F', `"use strict"; return function forward(out, A, B, n, ka, kb) {\nfor (let j = 0; j < n; j++) { ${body} }\n};`)(opFunctions) as ForwardLoop;
    forwardLoops.set(key, loop);
  }
  return loop;
}

/**
 * buf[j] (+)= G[j] · ∂out/∂arg`i` at (A[j] or ka, B[j] or kb, O[j]), for j < n; where the template's value is not
 * finite, `fallback` re-derives it from the op table with the values as constants (the table's special cases).
 * `buf` may be `G` itself (the gradient computed in place), since element j is read before it is written.
 */
export type BackwardLoop = (
  G: Float64Array, A: Float64Array | null, B: Float64Array | null, O: Float64Array, buf: Float64Array, n: number, ka: number, kb: number,
  fallback: (op: number, i: number, a: number, b: number, out: number) => number,
) => void;

const backwardLoops = new Map<string, BackwardLoop>();

function operandCode(operand: Operand): string {
  switch (operand.kind) {
    case 'const': return numberLiteral(operand.value);
    case 'input': return `p${operand.index}`;
    case 'slot': return `v${operand.index}`;
  }
}

/** A lowered partial template: its instructions over the inputs p0 (a), p1 (b), p2 (out), and its result (a constant for add's arguments, −1 for sub's second). */
interface LoweredPartial { readonly instructions: readonly Instruction[]; readonly result: Operand }

const loweredPartials = new Map<string, LoweredPartial>();

/**
 * Partial `i` of op `op` lowered to instructions; with `ka`/`kb`, built by the op table with that operand a constant,
 * so the table's own rules specialise it (pow's pow_prime(u, 2) is 2·u) as they do in any derived expression.
 */
function loweredPartial(op: number, i: number, ka?: number, kb?: number): LoweredPartial {
  const key = `${op},${i},${ka},${kb}`;
  let lowered = loweredPartials.get(key);
  if (lowered === undefined) {
    const name = opNames[op];
    const specialised = ops[name].arity === 2 && (ka !== undefined || kb !== undefined);
    const template = specialised
      ? ops[name].partials([ka === undefined ? placeholder.a : constant(ka), kb === undefined ? placeholder.b : constant(kb)], placeholder.out)[i]
      : partialTemplates(name)[i];
    const { instructions, operandOf } = lowerToProgram(template, [placeholder.a.name, placeholder.b.name, placeholder.out.name]);
    lowered = { instructions, result: operandOf.get(template.id)! };
    loweredPartials.set(key, lowered);
  }
  return lowered;
}

/**
 * The constant value of ∂out/∂arg`i` of elementwise op `op` when its partial template is a constant (add: 1, 1;
 * sub: 1, −1), else null. A constant partial of 1 passes the gradient through unchanged.
 */
export function constantPartial(op: number, i: number): number | null {
  const { result } = loweredPartial(op, i);
  return result.kind === 'const' ? result.value : null;
}

/** The value of one rendered expression over literals, computed by running that same JavaScript once. */
function evaluateCode(code: string): number {
  return new Function('F', `"use strict"; return ${code};`)(opFunctions) as number;
}

/**
 * The partial's code for one operand layout: `inputs[k]` is the code of input k, or a number when the loop is
 * specialised on it. Instructions whose operands are all numbers are computed here, by running their own rendered
 * JavaScript once, and enter the loop as literals; so `x**2`'s partial 2·x^(2−1) reaches the op table's template
 * as x^1, which the template renders as x itself, where V8 would have called pow for every element (it does not
 * fold an exponent of 1). The values are those of the unspecialised loop: the same code, run earlier.
 */
function specialisedPartial(lowered: LoweredPartial, inputs: readonly (string | number)[]): { lines: string[]; result: string; reads: Set<number> } {
  const folded = new Map<number, number>();
  const reads = new Set<number>();
  const valueOf = (o: Operand): number | undefined => {
    if (o.kind === 'const') return o.value;
    if (o.kind === 'input') {
      const v = inputs[o.index];
      return typeof v === 'number' ? v : undefined;
    }
    return folded.get(o.index);
  };
  const code = (o: Operand): string => {
    const v = valueOf(o);
    if (v !== undefined) return numberLiteral(v);
    if (o.kind === 'input') reads.add(o.index);
    return operandCode(o);
  };
  const lines: string[] = [];
  lowered.instructions.forEach((ins, k) => {
    if (ins.args.every((o) => valueOf(o) !== undefined)) folded.set(k, evaluateCode(ins.render(ins.args.map(code))));
    else lines.push(`const v${k} = ${ins.render(ins.args.map(code))};`);
  });
  return { lines, result: code(lowered.result), reads };
}

/**
 * The code of partial `i` of op `op` over p0 (a), p1 (b), p2 (out): the op table's kernel form when it declares one
 * and no operand is specialised on, else the lowered partial with the specialised operands folded in.
 */
function partialCode(op: number, i: number, ka: number | undefined, kb: number | undefined, unary: boolean): { lines: string[]; result: string; reads: Set<number> } {
  const kernelForm = ops[opNames[op]].kernelPartialJs?.[i];
  if (kernelForm !== undefined && ka === undefined && (unary || kb === undefined)) {
    const reads = new Set<number>([0, 2]);
    if (!unary) reads.add(1);
    return { lines: [], result: kernelForm('p0', 'p1', 'p2'), reads };
  }
  return specialisedPartial(loweredPartial(op, i, ka, unary ? undefined : kb), [ka ?? 'p0', kb ?? 'p1', 'p2']);
}

/**
 * The generated backward loop of argument `i` of elementwise op `op`, for the given operand layout; `k` is the
 * number operand (specialised on as in {@link forwardLoop}); `store` writes `buf[j] = …` (a buffer with no earlier
 * contribution, which need not be zeroed) instead of adding.
 */
export function backwardLoop(op: number, i: number, aArray: boolean, bArray: boolean, k?: number, store = false): BackwardLoop {
  const name = opNames[op];
  const unary = ops[name].arity === 1;
  const a = operandSource(aArray, 'A', 'ka', unary ? undefined : k);
  const b = unary ? '(0/0)' : operandSource(bArray, 'B', 'kb', k);
  const key = `${op},${i},${a},${b},${store ? 1 : 0}`;
  let loop = backwardLoops.get(key);
  if (loop === undefined) {
    // A number operand the loop is specialised on (and unary ops' absent b) is folded into the partial's code.
    const literal = (isArray: boolean, value: number | undefined) => (!isArray && value !== undefined && inlinableConstant(value) ? value : undefined);
    const ka = unary ? undefined : literal(aArray, k), kb = unary ? NaN : literal(bArray, k);
    const { lines, result, reads } = partialCode(op, i, ka, kb, unary);
    // Only the values the partial reads are loaded (the fallback reads all three, so it loads them itself).
    const load = (index: number, code: string) => (reads.has(index) ? [`const p${index} = ${code};`] : []);
    const value = (index: number, code: string) => (reads.has(index) ? `p${index}` : code);
    const body = [
      ...load(0, a),
      ...load(1, b),
      ...load(2, 'O[j]'),
      ...lines,
      `let d = ${result};`,
      `if (d - d !== 0) d = fallback(${op}, ${i}, ${value(0, a)}, ${value(1, b)}, ${value(2, 'O[j]')});`,
      `buf[j] ${store ? '=' : '+='} G[j] * d;`,
    ].join('\n');
    loop = new Function(
      'F',
      `"use strict"; return function backward(G, A, B, O, buf, n, ka, kb, fallback) {\nfor (let j = 0; j < n; j++) {\n${body}\n}\n};`,
    )(opFunctions) as BackwardLoop;
    backwardLoops.set(key, loop);
  }
  return loop;
}

// ---------------------------------------------------------------------------------------------------------------
// Matrix products (row-major). Each adds into `out`, which the caller zero-fills (a fresh Float64Array is).

/** out (n×m) += A (n×k) · B (k×m). */
export function gemm(A: Float64Array, B: Float64Array, n: number, k: number, m: number, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = i * m, c1 = c0 + m, c2 = c1 + m, c3 = c2 + m;
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let p = 0; p < k; p++) {
      const a0 = A[r0 + p], a1 = A[r1 + p], a2 = A[r2 + p], a3 = A[r3 + p];
      const bp = p * m;
      for (let j = 0; j < m; j++) {
        const b = B[bp + j];
        out[c0 + j] += a0 * b;
        out[c1 + j] += a1 * b;
        out[c2 + j] += a2 * b;
        out[c3 + j] += a3 * b;
      }
    }
  }
  for (; i < n; i++) {
    const c = i * m, r = i * k;
    for (let p = 0; p < k; p++) {
      const a = A[r + p];
      const bp = p * m;
      for (let j = 0; j < m; j++) out[c + j] += a * B[bp + j];
    }
  }
}

/** out (n×m) += A (n×k) · Bᵀ, B stored m×k: dot products of rows, four columns of the result at a time. */
export function gemmTransB(A: Float64Array, B: Float64Array, n: number, k: number, m: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const r = i * k, c = i * m;
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const q0 = j * k, q1 = q0 + k, q2 = q1 + k, q3 = q2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const a = A[r + p];
        s0 += a * B[q0 + p];
        s1 += a * B[q1 + p];
        s2 += a * B[q2 + p];
        s3 += a * B[q3 + p];
      }
      out[c + j] += s0;
      out[c + j + 1] += s1;
      out[c + j + 2] += s2;
      out[c + j + 3] += s3;
    }
    for (; j < m; j++) {
      const q = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[r + p] * B[q + p];
      out[c + j] += s;
    }
  }
}

/** out (n×m) += Aᵀ · B, A stored k×n, B k×m. */
export function gemmTransA(A: Float64Array, B: Float64Array, n: number, k: number, m: number, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = i * m, c1 = c0 + m, c2 = c1 + m, c3 = c2 + m;
    for (let p = 0; p < k; p++) {
      const ap = p * n + i;
      const a0 = A[ap], a1 = A[ap + 1], a2 = A[ap + 2], a3 = A[ap + 3];
      const bp = p * m;
      for (let j = 0; j < m; j++) {
        const b = B[bp + j];
        out[c0 + j] += a0 * b;
        out[c1 + j] += a1 * b;
        out[c2 + j] += a2 * b;
        out[c3 + j] += a3 * b;
      }
    }
  }
  for (; i < n; i++) {
    const c = i * m;
    for (let p = 0; p < k; p++) {
      const a = A[p * n + i];
      const bp = p * m;
      for (let j = 0; j < m; j++) out[c + j] += a * B[bp + j];
    }
  }
}
