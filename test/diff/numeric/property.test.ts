// Property: over random expressions and points inside every op's smooth domain, each numeric scheme's actual error
// stays inside its own error estimate (times the documented safety factor).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Expr } from '../../../src/ir/node.ts';
import { toInfix, toWengert } from '../../../src/ir/print.ts';
import { estimateSafetyFactor, numericGradient, type SchemeName } from '../../../src/diff/numeric/index.ts';
import { caseArbitrary, dualDerivative } from './support.ts';

/** Runs per scheme: about 2 s in all on a 2-core machine. */
const numRuns = 250;

function describeCase(expr: Expr, variables: readonly string[], point: Float64Array): string {
  return `f = ${toInfix(expr)} at (${variables.map((v, i) => `${v} = ${point[i]}`).join(', ')})\n${toWengert(expr)}`;
}

const schemes: SchemeName[] = ['forward', 'backward', 'central', 'five-point', 'richardson', 'complex-step'];

describe.each(schemes.map((s) => [s]))('%s', (scheme) => {
  it(`${scheme} error stays under its truncation + round-off estimate (× ${estimateSafetyFactor})`, () => {
    let partials = 0, blind = 0;
    fc.assert(
      fc.property(caseArbitrary({ analyticOnly: scheme === 'complex-step' }), ({ expr, variables, point }) => {
        const result = numericGradient(expr, variables, point, scheme);
        variables.forEach((_, i) => {
          // The reference: forward-mode dual numbers over the op table's partials, with a bound on its own rounding.
          const reference = dualDerivative(expr, variables, point, i);
          const estimate = result.errorEstimate![i];
          partials++;
          // An Infinity estimate is the scheme saying its steps do not resolve f here (a composite kink such as
          // asin(cos z) at z ≈ 0, which per-op domains cannot see): nothing to check, but it must stay rare.
          if (estimate === Infinity) {
            blind++;
            return;
          }
          const error = Math.abs(result.gradient[i] - reference.derivative);
          if (!(error <= estimateSafetyFactor * estimate + reference.uncertainty)) {
            throw new Error(
              `∂f/∂${variables[i]}: ${scheme} gives ${result.gradient[i]}, the reference ${reference.derivative} ` +
                `(±${reference.uncertainty}): error ${error} > ${estimateSafetyFactor} × estimate ${estimate}\n${describeCase(expr, variables, point)}`,
            );
          }
        });
      }),
      { numRuns, seed: 20261104 },
    );
    expect(blind / partials).toBeLessThan(0.01);
  });
});
