// Array kernels of the Tensor engine: elementwise loops generated from the op table's JavaScript templates, and matrix products.
//
// An elementwise op on same-shaped arrays runs one generated loop per (op, operand layout), its expression pasted
// from the op table's `js` template (or the table's eval function, called through an array by index), so V8 sees
// a monomorphic loop with the op inlined instead of an indirect call per element. Only the op table's templates
// and numbers rendered by `numberLiteral` enter the generated code, never user text. The matrix products block
// four rows at a time, so each element of the right operand loaded from memory serves four multiply-adds.
import { ops, opNames } from '../../ir/ops.ts';
import { numberLiteral, opInstruction, type Operand } from '../../ir/codegen.ts';
import { lowerToProgram } from '../../ir/compile.ts';
import { partialTemplates, placeholder } from '../../ir/partials.ts';

const opFunctions: readonly ((a: number, b: number) => number)[] = opNames.map((name) => ops[name].eval);

/** out[j] = op(A[j] or ka, B[j] or kb) for j < n. */
export type ForwardLoop = (out: Float64Array, A: Float64Array | null, B: Float64Array | null, n: number, ka: number, kb: number) => void;

const forwardLoops = new Map<string, ForwardLoop>();

/**
 * The generated forward loop of elementwise op `op` (its index in the op table) for operands that are arrays of
 * the output's length (`aArray`, `bArray`) or plain numbers.
 */
export function forwardLoop(op: number, aArray: boolean, bArray: boolean): ForwardLoop {
  const key = `${op},${aArray ? 1 : 0},${bArray ? 1 : 0}`;
  let loop = forwardLoops.get(key);
  if (loop === undefined) {
    const name = opNames[op];
    const unary = ops[name].arity === 1;
    const a = aArray ? 'A[j]' : 'ka';
    const b = unary ? '' : bArray ? 'B[j]' : 'kb';
    const expr = opInstruction(name, []).render(unary ? ['a'] : ['a', 'b']);
    const body = `const a = ${a};${unary ? '' : ` const b = ${b};`} out[j] = ${expr};`;
    loop = new Function('F', `"use strict"; return function forward(out, A, B, n, ka, kb) {\nfor (let j = 0; j < n; j++) { ${body} }\n};`)(opFunctions) as ForwardLoop;
    forwardLoops.set(key, loop);
  }
  return loop;
}

/**
 * buf[j] += G[j] · ∂out/∂arg`i` at (A[j] or ka, B[j] or kb, O[j]), for j < n; where the template's value is not
 * finite, `fallback` re-derives it from the op table with the values as constants (the table's special cases).
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

/** The generated backward loop of argument `i` of elementwise op `op`, for the given operand layout. */
export function backwardLoop(op: number, i: number, aArray: boolean, bArray: boolean): BackwardLoop {
  const key = `${op},${i},${aArray ? 1 : 0},${bArray ? 1 : 0}`;
  let loop = backwardLoops.get(key);
  if (loop === undefined) {
    const name = opNames[op];
    const unary = ops[name].arity === 1;
    const template = partialTemplates(name)[i];
    const { instructions, operandOf } = lowerToProgram(template, [placeholder.a.name, placeholder.b.name, placeholder.out.name]);
    const lines = instructions.map((ins, k) => `const v${k} = ${ins.render(ins.args.map(operandCode))};`);
    const body = [
      `const p0 = ${aArray ? 'A[j]' : 'ka'};`,
      `const p1 = ${unary ? '(0/0)' : bArray ? 'B[j]' : 'kb'};`,
      'const p2 = O[j];',
      ...lines,
      `let d = ${operandCode(operandOf.get(template.id)!)};`,
      `if (d - d !== 0) d = fallback(${op}, ${i}, p0, p1, p2);`,
      'buf[j] += G[j] * d;',
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
