// The tall-versus-wide family and its crossover interpolation, on small shapes (counts, not times).
import { describe, expect, it } from 'vitest';
import { crossover, jacobianShapeFunction, measureJacobianShapes, shapesWithProduct } from '../../src/harness/jacobian-shape.ts';
import { metrics } from '../../src/ir/traverse.ts';

describe('the tall-versus-wide family', () => {
  it('lists every shape with n·m fixed, in increasing n', () => {
    expect(shapesWithProduct(64).map((s) => `${s.n}×${s.m}`)).toEqual(['1×64', '2×32', '4×16', '8×8', '16×4', '32×2', '64×1']);
    expect(shapesWithProduct(12).map((s) => s.n)).toEqual([1, 2, 3, 4, 6, 12]);
  });

  it('builds m outputs over n variables that share their core (the DAG of all outputs is far smaller than their trees)', () => {
    const f = jacobianShapeFunction(3, 5, { width: 2, depth: 6 });
    expect(f.exprs).toHaveLength(5);
    expect(f.variables).toEqual(['x1', 'x2', 'x3']);
    expect(f.point).toHaveLength(3);
    const [y1, y2] = f.exprs;
    expect(metrics(y1).treeSize).toBeGreaterThan(10 * metrics(y1).dagSize);
    expect(y1).not.toBe(y2);
  });

  it('interpolates the crossover in log(m/n), and says null when there is none', () => {
    expect(crossover([{ aspect: 0.5, ratio: 2 }, { aspect: 2, ratio: 0.5 }])).toBeCloseTo(1, 12);
    expect(crossover([{ aspect: 1, ratio: 4 }, { aspect: 4, ratio: 0.5 }])!).toBeCloseTo(4 ** (2 / 3), 12);
    expect(crossover([{ aspect: 1, ratio: 2 }, { aspect: 4, ratio: 3 }])).toBeNull();
  });

  it('counts n forward passes and m reverse sweeps, and the two Jacobians agree (n·m = 12)', () => {
    const sweep = measureJacobianShapes({ product: 12, width: 3, depth: 8, minTimeMs: 0, samples: 1 });
    for (const r of sweep.rows) {
      expect([r.forward.passes, r.reverse.passes]).toEqual([r.n, r.m]);
      expect(r.disagreement).toBeLessThan(1e-12);
      expect(r.autoMode).toBe(r.n <= r.m ? 'forward' : 'reverse');
    }
    expect(sweep.rows[0].instructionRatio).toBeLessThan(1); // 1×12: forward
    expect(sweep.rows[sweep.rows.length - 1].instructionRatio).toBeGreaterThan(1); // 12×1: reverse
  });
});
