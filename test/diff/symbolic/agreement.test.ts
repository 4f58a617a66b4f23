// Property: mathjs's symbolic derivatives and gradlab's symbolic-dag agree on random expressions (to ~1e-12, scaled by the terms that cancel).
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { apply, constant, variable, type Expr } from '../../../src/ir/node.ts';
import { opNames, ops, type OpName } from '../../../src/ir/ops.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { topologicalOrder } from '../../../src/ir/traverse.ts';
import { partialKernels } from '../../../src/ir/partials.ts';
import { dagGradient, symbolicDagMethod, symbolicDerivatives, symbolicMethod } from '../../../src/diff/symbolic/index.ts';

const variables = ['x', 'y'] as const;

/** Ops mathjs differentiates (after lowering). */
const mathjsOps: readonly OpName[] = opNames.filter((op) => ops[op].mathjsDerivative === true);

/**
 * Whether `op` may be applied to arguments with values a, b: inside its domain, also a little way off
 * (so not on a boundary), with a moderate value and moderate local partials (so not near a singularity).
 * One local exception: mathjs writes d∛u as 1/(3·u^(2/3)), which real arithmetic evaluates to NaN for
 * u < 0 (see methods.test.ts), so cbrt's argument is kept positive here.
 */
function acceptable(op: OpName, a: number, b: number, value: number): boolean {
  const { domain } = ops[op];
  const nudged = (v: number) => [v * (1 - 1e-3) - 1e-3, v * (1 + 1e-3) + 1e-3];
  const near = nudged(a).flatMap((a2) => nudged(b).map((b2) => [a2, b2] as const));
  if (!domain.contains(a, b) || !near.every(([a2, b2]) => domain.contains(a2, b2))) return false;
  if (!Number.isFinite(value) || Math.abs(value) > 1e4) return false;
  if (!partialKernels(op).every((k) => Math.abs(k(a, b, value)) <= 1e4)) return false;
  return op !== 'cbrt' || a > 0;
}

interface Built {
  readonly expr: Expr;
  readonly value: number;
}

/**
 * Random expressions over x, y at a random point, generated as a straight-line program (a Wengert list):
 * each instruction applies an op to two earlier values (counted back from the newest, so chains grow deep),
 * and is skipped when its arguments fall outside the op's domain. Shared values make the expression a DAG.
 */
function caseArbitrary(): fc.Arbitrary<{ expr: Expr; point: [number, number] }> {
  const coordinate = fc.integer({ min: -2000, max: 2000 }).map((k) => k / 1000);
  const instruction = fc.tuple(fc.constantFrom(...mathjsOps), fc.nat({ max: 6 }), fc.nat({ max: 6 }));
  return fc
    .record({
      point: fc.tuple(coordinate, coordinate),
      constants: fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 2 }),
      program: fc.array(instruction, { minLength: 4, maxLength: 16, size: 'medium' }),
    })
    .map(({ point: [px, py], constants, program }) => {
      const values: Built[] = [
        ...constants.map((c) => ({ expr: constant(c), value: c })),
        { expr: variable('y'), value: py },
        { expr: variable('x'), value: px },
      ];
      for (const [op, i, j] of program) {
        const a = values[values.length - 1 - (i % values.length)];
        const b = values[values.length - 1 - (j % values.length)];
        const value = ops[op].eval(a.value, b.value);
        if (!acceptable(op, a.value, b.value, value)) continue;
        values.push({ expr: ops[op].arity === 1 ? apply(op, a.expr) : apply(op, a.expr, b.expr), value });
      }
      return { expr: values[values.length - 1].expr, point: [px, py] as [number, number] };
    });
}

/** Largest |value| of any node of the expressions at the point: the scale at which their terms may cancel. */
function magnitude(exprs: readonly Expr[], point: readonly number[]): number {
  const values = new Map<number, number>();
  let largest = 0;
  for (const node of topologicalOrder(exprs)) {
    const v = node.kind === 'const' ? node.value
      : node.kind === 'var' ? point[variables.indexOf(node.name as 'x' | 'y')]
      : ops[node.op].eval(values.get(node.args[0].id)!, node.args[1] === undefined ? NaN : values.get(node.args[1].id)!);
    values.set(node.id, v);
    if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
  }
  return largest;
}

describe('symbolic and symbolic-dag gradients agree', () => {
  it('to 1e-12 relative, scaled near 0 by the largest intermediate value of either derivative', () => {
    const tolerance = 1e-12;
    fc.assert(
      fc.property(caseArbitrary(), ({ expr, point }) => {
        const request = { expr, variables, point: Float64Array.from(point), options: {} };
        const mathjs = symbolicMethod.compute(request).gradient;
        const dag = symbolicDagMethod.compute(request).gradient;
        const mathjsExprs = symbolicDerivatives(expr, variables).map((d) => d.derivative);
        const dagExprs = dagGradient(expr, variables);
        for (let i = 0; i < variables.length; i++) {
          const [a, b] = [mathjs[i], dag[i]];
          if (Number.isNaN(a) && Number.isNaN(b)) continue;
          // Cancellation loses digits relative to the terms that cancel, not to the result.
          const scale = Math.max(Math.abs(a), Math.abs(b), magnitude([mathjsExprs[i], dagExprs[i]], point));
          if (!(Math.abs(a - b) <= tolerance * scale)) {
            throw new Error(
              `∂f/∂${variables[i]} differs at (x, y) = (${point.join(', ')}): symbolic ${a}, symbolic-dag ${b} (scale ${scale})\n` +
                `f = ${toInfix(expr)}\nWengert list:\n${toWengert(expr)}`,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
