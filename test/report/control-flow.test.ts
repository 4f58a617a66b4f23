// d2l's control-flow program on the Tensor API: AD's identity f′(a)·a = f(a), and central differences across a doubling threshold.
import { describe, expect, it } from 'vitest';
import { controlFlowPlain, controlFlowProgram, measureControlFlow, measureControlFlowPoint, symbolicNotApplicable } from '../../src/harness/control-flow.ts';
import { controlFlowCaption, controlFlowSection } from '../../src/report/sections/control-flow.ts';
import { tensor } from '../../src/diff/autograd/index.ts';

const below = (k: number) => (1000 / 2 ** k) * (1 - 1e-9);

describe('the control-flow program', () => {
  it('doubles until |b| ≥ 1000 and takes the branch on the sign, on tensors and on numbers alike', () => {
    expect(controlFlowPlain(0.7)).toEqual({ value: 0.7 * 2 ** 11, doublings: 10, branch: 'b' });
    expect(controlFlowPlain(-0.3)).toEqual({ value: 100 * -0.3 * 2 ** 12, doublings: 11, branch: '100·b' });
    for (const a of [0.7, -0.3, 1.5, below(10), -below(4), 3e-7]) expect(controlFlowProgram(tensor(a)).item()).toBe(controlFlowPlain(a).value);
  });

  it('refuses a = 0, where the loop never ends', () => {
    expect(() => controlFlowProgram(tensor(0))).toThrow(RangeError);
    expect(() => controlFlowPlain(0)).toThrow(RangeError);
  });

  it('the identity f′(a)·a = f(a) holds exactly at the chosen points, and f′ is 2^(k+1) or 100·2^(k+1)', () => {
    for (const a of [0.7, -0.3, 1.5, below(10), below(3), -below(6), 1234.5, -5e-5]) {
      const p = measureControlFlowPoint(a);
      expect(p.ad).toBe(p.exact);
      expect(p.ad * a).toBe(p.value);
      expect(p.identityHolds).toBe(true);
      expect(p.exact).toBe((a > 0 ? 1 : 100) * 2 ** (p.doublings + 1));
    }
  });

  it('FD at a straddling point is off by more than 10% while AD is exact', () => {
    for (const a of [below(10), below(3), -below(6)]) {
      const p = measureControlFlowPoint(a);
      expect(p.straddles).toBe(true);
      expect(p.fdRelativeError).toBeGreaterThan(0.1);
      expect(p.adRelativeError).toBe(0);
    }
    const smooth = measureControlFlowPoint(0.7);
    expect(smooth.straddles).toBe(false);
    expect(smooth.fdRelativeError).toBeLessThan(1e-9);
    expect(smooth.h).toBeCloseTo(Math.cbrt(Number.EPSILON), 20);
  });

  it('the section: one table row per point, the symbolic column not applicable, the caption from the numbers', () => {
    const data = measureControlFlow();
    const section = controlFlowSection(data);
    expect(section.tables[0].table.rows).toHaveLength(data.points.length);
    for (const row of section.tables[0].table.rows) expect(row[row.length - 1]).toBe('not applicable');
    expect(section.notes.join(' ')).toContain(symbolicNotApplicable);
    const straddle = data.points.find((p) => p.straddles)!;
    expect(controlFlowCaption(data)).toContain(`off by ${(straddle.fdRelativeError * 100).toExponential(2)}%`);
    expect(controlFlowCaption(data)).toContain(`gives ${straddle.fd.toExponential(2)} instead of 2048`);
  });
});
