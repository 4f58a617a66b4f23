// Property: mathjs's symbolic derivatives and gradlab's symbolic-dag agree on random expressions (to ~1e-12, scaled by the terms that cancel).
import { describe, expect, it } from 'vitest';
import { MethodUnavailableError } from '../../../src/diff/method.ts';
import fc from 'fast-check';
import type { Expr } from '../../../src/ir/node.ts';
import { opNames, ops, type OpName } from '../../../src/ir/ops.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { topologicalOrder } from '../../../src/ir/traverse.ts';
import { expressionWithPoint } from '../../../src/harness/index.ts';
import { dagGradient, symbolicDagMethod, symbolicDerivatives, symbolicMethod } from '../../../src/diff/symbolic/index.ts';

const variables = ['x', 'y'] as const;

/** Ops mathjs differentiates (after lowering). */
const mathjsOps: readonly OpName[] = opNames.filter((op) => ops[op].mathjsDerivative === true);

/**
 * Random expressions over x, y (DAGs, every op inside its domain and clear of its boundary, moderate values and
 * partials), from the public arbitrary. One narrowing: mathjs writes d∛u as 1/(3·u^(2/3)), which real arithmetic
 * evaluates to NaN for u < 0 (see methods.test.ts), so cbrt's argument is kept positive here.
 */
const cases = expressionWithPoint({ ops: mathjsOps, variables, depth: 6, maxOps: 16, range: 2, narrowDomains: { cbrt: (u) => u > 0 } });

/** Largest |value| of any node of the expressions at the point: the scale at which their terms may cancel. */
function magnitude(exprs: readonly Expr[], variables: readonly string[], point: ArrayLike<number>): number {
  const values = new Map<number, number>();
  let largest = 0;
  for (const node of topologicalOrder(exprs)) {
    const v = node.kind === 'const' ? node.value
      : node.kind === 'var' ? point[variables.indexOf(node.name)]
      : ops[node.op].eval(values.get(node.args[0].id)!, node.args[1] === undefined ? NaN : values.get(node.args[1].id)!);
    values.set(node.id, v);
    if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
  }
  return largest;
}

describe('symbolic and symbolic-dag gradients agree', () => {
  it('to 1e-12 relative, scaled near 0 by the largest intermediate value of either derivative', () => {
    const tolerance = 1e-12;
    let refused = 0;
    fc.assert(
      fc.property(cases, ({ expr, variables, point }) => {
        const request = { expr, variables, point, options: {} };
        let mathjs: Float64Array;
        try {
          mathjs = symbolicMethod.compute(request).gradient;
        } catch (error) {
          // mathjs's rules may not hold at the point (a lowering that loses its digits): a stated refusal, not an answer.
          if (!(error instanceof MethodUnavailableError)) throw error;
          refused++;
          return;
        }
        const dag = symbolicDagMethod.compute(request).gradient;
        const mathjsExprs = symbolicDerivatives(expr, variables).map((d) => d.derivative);
        const dagExprs = dagGradient(expr, variables);
        for (let i = 0; i < variables.length; i++) {
          const [a, b] = [mathjs[i], dag[i]];
          if (Number.isNaN(a) && Number.isNaN(b)) continue;
          // Cancellation loses digits relative to the terms that cancel, not to the result.
          const scale = Math.max(Math.abs(a), Math.abs(b), magnitude([mathjsExprs[i], dagExprs[i]], variables, point));
          if (!(Math.abs(a - b) <= tolerance * scale)) {
            throw new Error(
              `∂f/∂${variables[i]} differs at (${variables.join(', ')}) = (${Array.from(point).join(', ')}): symbolic ${a}, symbolic-dag ${b} (scale ${scale})\n` +
                `f = ${toInfix(expr)}\nWengert list:\n${toWengert(expr)}`,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
    // Refusals are the exception: the property must still compare almost every case.
    expect(refused).toBeLessThan(15);
  });
});
