// Specification of expression nodes: hash-consing makes structurally equal expressions one object; metrics count tree and DAG.
import { describe, expect, it } from 'vitest';
import { apply, applySimplified, constant, variable } from '../../src/ir/node.ts';
import { metrics, topologicalOrder, variablesOf } from '../../src/ir/traverse.ts';

describe('hash-consing', () => {
  it('returns the same node for the same structure', () => {
    const x = variable('x');
    expect(variable('x')).toBe(x);
    expect(apply('add', x, 1)).toBe(apply('add', variable('x'), constant(1)));
    expect(apply('sin', apply('mul', x, x))).toBe(apply('sin', apply('mul', x, x)));
    expect(apply('add', x, 1)).not.toBe(apply('add', 1, x));
  });

  it('keeps 0 and -0 apart, and every NaN together', () => {
    expect(constant(0)).not.toBe(constant(-0));
    expect(constant(NaN)).toBe(constant(Number('nan')));
  });

  it('keeps named constants apart from their values', () => {
    expect(constant(Math.PI, 'pi')).not.toBe(constant(Math.PI));
    expect(() => constant(3, 'pi')).toThrow(/must have the value/);
  });

  it('makes nodes immutable', () => {
    const node = apply('add', variable('x'), 1);
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(node.args)).toBe(true);
  });

  it('gives children smaller ids than parents', () => {
    const e = apply('mul', apply('add', variable('p'), 1), apply('sin', variable('q')));
    for (const node of topologicalOrder(e)) for (const child of node.args) expect(child.id).toBeLessThan(node.id);
  });

  it('rejects a wrong number of arguments and empty names', () => {
    expect(() => apply('sin', variable('x'), variable('y'))).toThrow('sin takes 1 argument, got 2');
    expect(() => apply('add', variable('x'))).toThrow('add takes 2 arguments, got 1');
    expect(() => variable('')).toThrow(/non-empty/);
  });

  it('accepts any variable name, including ones that shadow Object.prototype', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'x y']) {
      expect(variable(name).name).toBe(name);
    }
  });
});

describe('simplifying construction (for derived expressions only)', () => {
  const x = variable('x');
  it('folds constants and applies identities', () => {
    expect(applySimplified('add', 2, 3)).toBe(constant(5));
    expect(applySimplified('mul', x, 1)).toBe(x);
    expect(applySimplified('add', 0, x)).toBe(x);
    expect(applySimplified('pow', x, 1)).toBe(x);
    expect(applySimplified('neg', apply('neg', x))).toBe(x);
    expect(applySimplified('sub', 0, x)).toBe(apply('neg', x));
    expect(applySimplified('mul', -1, apply('cos', x))).toBe(apply('neg', apply('cos', x)));
    expect(applySimplified('mul', x, -1)).toBe(apply('neg', x));
  });
  it('does not fold 0·u, which is NaN when u is infinite', () => {
    expect(applySimplified('mul', 0, x)).toBe(apply('mul', 0, x));
  });
  it('does not fold to a non-finite constant', () => {
    expect(applySimplified('div', 1, 0)).toBe(apply('div', 1, 0));
  });
});

describe('metrics', () => {
  it('counts tree and DAG sizes separately', () => {
    const x = variable('x');
    const square = apply('mul', x, x);
    const e = apply('add', square, square); // (x*x) + (x*x): tree 7 nodes, DAG 3
    expect(metrics(e)).toMatchObject({ treeSize: 7, dagSize: 3, depth: 3, opCounts: { add: 1, mul: 1 }, variables: ['x'] });
  });

  it('shows the exponential tree of a linear DAG (the logistic map)', () => {
    let l = variable('x') as ReturnType<typeof variable> | ReturnType<typeof apply>;
    const sizes: number[] = [];
    for (let n = 1; n <= 30; n++) {
      l = apply('mul', apply('mul', 4, l), apply('sub', 1, l));
      sizes.push(metrics(l).dagSize);
    }
    expect(sizes[29] - sizes[28]).toBe(sizes[1] - sizes[0]);
    expect(metrics(l).treeSize).toBeGreaterThan(2 ** 30);
  });

  it('lists variables in order of appearance', () => {
    expect(variablesOf(apply('add', apply('mul', variable('b'), variable('a')), variable('b')))).toEqual(['b', 'a']);
  });
});
