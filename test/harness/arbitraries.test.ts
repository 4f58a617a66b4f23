// The arbitraries generate valid expression-plus-point pairs and shrink them to small counterexamples.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expressionWithPoint, pointIn } from '../../src/harness/arbitraries.ts';
import { domainViolations, isSmoothAround, nodeValues } from '../../src/harness/domain.ts';
import { ops, type OpName } from '../../src/ir/ops.ts';
import { metrics, topologicalOrder } from '../../src/ir/traverse.ts';
import { parse } from '../../src/ir/parse.ts';
import { toInfix } from '../../src/ir/print.ts';

describe('expressionWithPoint', () => {
  it("puts every node's arguments inside its op's domain", () => {
    fc.assert(
      fc.property(expressionWithPoint({ depth: 5 }), ({ expr, variables, point }) => {
        expect(domainViolations(expr, variables, point)).toEqual([]);
        expect(isSmoothAround(expr, variables, point)).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('gives the point one value per variable of the expression, in order of appearance', () => {
    fc.assert(
      fc.property(expressionWithPoint(), ({ expr, variables, point }) => {
        expect(variables).toEqual(metrics(expr).variables);
        expect(point.length).toBe(variables.length);
        expect(variables.length).toBeGreaterThan(0);
      }),
      { seed: 12, numRuns: 100 },
    );
  });

  it('respects the depth bound and the op set', () => {
    const allowed: OpName[] = ['add', 'mul', 'sin', 'log'];
    fc.assert(
      fc.property(expressionWithPoint({ depth: 3, ops: allowed }), ({ expr }) => {
        expect(metrics(expr).depth).toBeLessThanOrEqual(3 + 1);
        for (const node of topologicalOrder(expr)) if (node.kind === 'op') expect(allowed).toContain(node.op);
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('draws an op kept out of random expressions (mul_no_nan) when asked for by name', () => {
    const asked = fc.sample(expressionWithPoint({ depth: 2, ops: ['mulNoNan', 'add'] }), { seed: 19, numRuns: 100 });
    expect(asked.some(({ expr }) => topologicalOrder(expr).some((n) => n.op === 'mulNoNan'))).toBe(true);
  });

  it('generates shared subexpressions (DAGs), so reuse like a + a is exercised', () => {
    const shared = fc
      .sample(expressionWithPoint(), { seed: 14, numRuns: 300 })
      .filter(({ expr }) => metrics(expr).treeSize > metrics(expr).dagSize);
    expect(shared.length).toBeGreaterThan(10);
  });

  it('uses every op of the table but those it keeps out of random expressions (mul_no_nan)', () => {
    const seen = new Set<string>();
    for (const { expr } of fc.sample(expressionWithPoint(), { seed: 15, numRuns: 500 })) {
      for (const node of topologicalOrder(expr)) if (node.kind === 'op') seen.add(node.op);
    }
    expect([...seen].sort()).toEqual(Object.keys(ops).filter((op) => ops[op as OpName].randomExpressions !== false).sort());
    expect(seen.has('mulNoNan')).toBe(false);
  });

  it('shrinks a failing property to a tiny counterexample at the origin', () => {
    // A property that fails whenever the expression contains a sine.
    const details = fc.check(
      fc.property(expressionWithPoint({ depth: 4 }), ({ expr }) => !topologicalOrder(expr).some((n) => n.op === 'sin')),
      { seed: 16, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    const [shrunk] = details.counterexample!;
    // From programs of up to 12 instructions down to `sin(z)` or `sin(z) + sin(z)`, at z = 0.
    expect(metrics(shrunk.expr).dagSize).toBeLessThanOrEqual(3);
    expect(toInfix(shrunk.expr)).toMatch(/^sin\([a-z]\)( \+ sin\([a-z]\))?$/);
    expect(Array.from(shrunk.point)).toEqual([0]);
  });

  it('keeps ops inside narrower domains when asked, and uses their whole domain by default', () => {
    const cbrtArguments = (options: Parameters<typeof expressionWithPoint>[0]) =>
      fc.sample(expressionWithPoint({ ...options, ops: ['cbrt', 'sub', 'mul'] }), { seed: 18, numRuns: 300 }).flatMap(({ expr, variables, point }) => {
        const values = nodeValues(expr, variables, point);
        return topologicalOrder(expr).filter((n) => n.op === 'cbrt').map((n) => values.get(n.args[0].id)!);
      });
    const narrowed = cbrtArguments({ narrowDomains: { cbrt: (u) => u > 0 } });
    expect(narrowed.length).toBeGreaterThan(50);
    for (const u of narrowed) expect(u).toBeGreaterThan(0);
    expect(cbrtArguments({}).some((u) => u < 0)).toBe(true);
  });

  it('rejects an empty or unknown op set with a message', () => {
    expect(() => expressionWithPoint({ ops: [] })).toThrow(/op set is empty/);
    expect(() => expressionWithPoint({ ops: ['nope' as OpName] })).toThrow(/unknown op 'nope'/);
  });
});

describe('pointIn', () => {
  it('finds points where log and sqrt get valid arguments', () => {
    const expr = parse('log(x) + sqrt(y - 1)');
    fc.assert(
      fc.property(pointIn(expr), (point) => {
        expect(point[0]).toBeGreaterThan(0);
        expect(point[1]).toBeGreaterThan(1);
      }),
      { seed: 17, numRuns: 50 },
    );
  });
});
