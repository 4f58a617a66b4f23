// The compiler's fast path: the local adjoint DAG gives, instruction for instruction, the program the IR path gives,
// creates no global node per adjoint term, and grows linearly with the expression (counts, never timings).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apply, constant, nodesCreated, variable, type Expr } from '../../../src/ir/node.ts';
import {
  adjointExpressions,
  compileGradient,
  gradientProgram,
  lowerExpressions,
} from '../../../src/diff/compiled/index.ts';
import { adjointGraph } from '../../../src/diff/compiled/adjoint-dag.ts';
import { TripleTable } from '../../../src/ir/triple-table.ts';
import { opNames, ops } from '../../../src/ir/ops.ts';
import { chainCase, polynomialCase, rosenbrockCase } from '../../../bench/cases.ts';
import { networkExpression } from '../../../bench/compile-network.ts';
import { caseArbitrary } from './support.ts';

/** The program as comparable data: each instruction's op and operands, and the roots. */
function shape(instructions: readonly { key?: string; args: readonly unknown[] }[], roots: readonly unknown[]): string {
  return JSON.stringify({ instructions: instructions.map((ins) => [ins.key, ins.args]), roots });
}

function expectSameAsIrPath(expr: Expr, variables: readonly string[]): void {
  const gradient = adjointExpressions(expr, variables);
  const reference = lowerExpressions([...gradient, expr], variables);
  const program = gradientProgram(expr, variables);
  expect(shape(program.instructions, [...program.gradient, program.value])).toBe(shape(reference.instructions, reference.roots));
}

function data(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 1.37) / 2);
}

const weights = Array.from({ length: 353 }, (_, i) => `w${i}`);

describe('gradientProgram through the local adjoint DAG', () => {
  it('is instruction for instruction the IR path (adjointExpressions, then lowerExpressions) on random expressions', () => {
    fc.assert(fc.property(caseArbitrary, (c) => expectSameAsIrPath(c.expr, c.variables)), { numRuns: 300 });
  });

  it('is the IR path on the benchmark cases and on the network the compile benchmark builds', () => {
    for (const c of [polynomialCase(), rosenbrockCase(10), rosenbrockCase(100), chainCase(100)]) expectSameAsIrPath(c.expr, c.variables);
    expectSameAsIrPath(networkExpression(data(300, 1), data(100, 2), 5), weights);
  });

  it('applies the identities through stand-ins: −(−u) = u, u − 0, 1 · u, and constants fold', () => {
    const x = variable('x');
    const y = variable('y');
    const cases: Expr[] = [
      apply('neg', apply('neg', apply('mul', x, y))),
      apply('sub', apply('neg', apply('sin', x)), apply('neg', apply('cos', y))),
      apply('mul', apply('sub', 0, apply('neg', x)), apply('add', y, 0)),
      apply('div', apply('neg', x), apply('sub', 1, apply('neg', y))),
      apply('mul', apply('mul', 1e-300, x), 1e300),
    ];
    for (const expr of cases) expectSameAsIrPath(expr, ['x', 'y']);
  });

  it('creates no global expression node per adjoint term', () => {
    const samples = 20;
    const fast = networkExpression(data(3 * samples, 3), data(samples, 4), samples);
    let before = nodesCreated();
    const program = gradientProgram(fast, weights);
    const created = nodesCreated() - before;
    // Only the partials' own nodes are new ((1/cosh u)², three nodes per tanh; 32 tanh per sample), plus a few
    // constants and, on first use in the process, the stand-ins and their placeholders (a dozen or so).
    expect(program.instructions.length).toBeGreaterThan(2 * program.fInstructions);
    expect(created).toBeLessThanOrEqual(3 * 32 * samples + 40);
    // The IR path, on an expression of the same shape and fresh constants, creates a node per adjoint product and sum.
    const ir = networkExpression(data(3 * samples, 7), data(samples, 8), samples);
    before = nodesCreated();
    adjointExpressions(ir, weights);
    expect(nodesCreated() - before).toBeGreaterThan(10 * created);
  });

  it('grows linearly: twice the samples, twice the instructions and local nodes (up to a constant)', () => {
    const sizes = [10, 20, 40].map((samples) => {
      const expr = networkExpression(data(3 * samples, 5), data(samples, 6), samples);
      const graph = adjointGraph(expr, weights)!;
      return { instructions: gradientProgram(expr, weights).instructions.length, local: graph.dag.localCount };
    });
    const perSample = (sizes[2].instructions - sizes[1].instructions) / 20;
    expect(sizes[1].instructions - sizes[0].instructions).toBe(10 * perSample);
    expect(sizes[2].local - sizes[1].local).toBe(2 * (sizes[1].local - sizes[0].local));
  });

  it('falls back to the IR path for a variable named like a stand-in placeholder, with the same result', () => {
    const name = '⟨adjoint 0.0⟩';
    const u = variable(name);
    const expr = apply('neg', apply('mul', apply('neg', u), apply('sin', u)));
    expect(adjointGraph(expr, [name])).toBeNull();
    expectSameAsIrPath(expr, [name]);
    const out = new Float64Array(1);
    const value = compileGradient(expr, [name])(Float64Array.of(0.8), out);
    expect(value).toBe(0.8 * Math.sin(0.8));
    expect(out[0]).toBeCloseTo(Math.sin(0.8) + 0.8 * Math.cos(0.8), 14);
  });

  it('names a missing variable as the IR path does', () => {
    const expr = apply('add', variable('a'), variable('b'));
    expect(() => gradientProgram(expr, ['a'])).toThrow(/uses 'b' but the variable list is \[a\]/);
    expect(() => gradientProgram(expr, ['a', 'a', 'b'])).toThrow(/listed twice/);
  });

  it('reports its compile time phase by phase', () => {
    const adjoint = compileGradient(rosenbrockCase(50).expr, rosenbrockCase(50).variables);
    const phases = Object.values(adjoint.phases);
    expect(Object.keys(adjoint.phases)).toEqual(['adjointMs', 'lowerMs', 'planMs', 'sourceMs', 'functionMs']);
    for (const ms of phases) expect(ms).toBeGreaterThanOrEqual(0);
    expect(phases.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(adjoint.compileMs + 1e-9);
  });
});

describe('TripleTable', () => {
  it('maps triples to values through growth, and keeps the first value set', () => {
    const table = new TripleTable(4);
    for (let i = 0; i < 5000; i++) expect(table.getOrSet(i % 7, i, 3 * i + 1, i)).toBe(-1);
    expect(table.size).toBe(5000);
    for (let i = 0; i < 5000; i++) {
      expect(table.get(i % 7, i, 3 * i + 1)).toBe(i);
      expect(table.getOrSet(i % 7, i, 3 * i + 1, 99)).toBe(i);
    }
    expect(table.get(1, 0, 1)).toBe(-1);
    expect(table.get(0, 2 ** 31 - 1, 0)).toBe(-1);
  });

  it('refuses entries outside [0, 2^31) with a clear error', () => {
    const table = new TripleTable();
    expect(() => table.getOrSet(0, -1, 0, 0)).toThrow(RangeError);
    expect(() => table.getOrSet(0, 2 ** 31, 0, 0)).toThrow(/outside \[0, 2\^31\)/);
  });
});

describe('lowering small integer powers', () => {
  it('writes x³, x⁴ and x⁻¹ as products and a quotient for exactly the ops whose table entry says so', () => {
    const x = variable('x');
    const keys = (e: Expr) => lowerExpressions([e], ['x']).instructions.map((ins) => ins.key);
    const expanding = opNames.filter((op) => ops[op].integerPowerAsProducts === true);
    expect(expanding.length).toBeGreaterThan(0);
    for (const op of opNames) {
      if (ops[op].arity !== 2) continue;
      if (expanding.includes(op)) {
        expect(keys(apply(op, x, 3)), op).toEqual([op, 'mul']); // x² · x
        expect(keys(apply(op, x, 4)), op).toEqual([op, op]); // (x²)²
        expect(keys(apply(op, x, -1)), op).toEqual(['div']); // 1 / x
        expect(keys(apply(op, x, 5)), op).toEqual([op]);
      } else {
        for (const k of [3, 4, -1]) expect(keys(apply(op, x, k)), `${op} ${k}`).toEqual([op]);
      }
    }
  });
});
