// Programs `(v, m) => value`: every registered method differentiates a loop-and-branch program against the exact derivative of the branch taken; traces, guards, re-tracing.
import { describe, expect, it } from 'vitest';
import { gradient, listMethods } from '../../../src/diff/registry.ts';
import { MethodUnavailableError } from '../../../src/diff/method.ts';
import { parse } from '../../../src/ir/parse.ts';
import { opNames } from '../../../src/ir/ops.ts';
import { toInfix, toLatex, toWengert } from '../../../src/ir/print.ts';
import { referenceGradient } from '../../../src/harness/reference.ts';
import { traceProgram, sameTape } from '../../../src/diff/program/trace.ts';
import type { Program } from '../../../src/diff/program/run.ts';
import { hessian, jacobian, jvp, vjp } from '../../../src/diff/program/functional.ts';
import * as forward from '../../../src/diff/forward/api.ts';

/** The program: a loop of three steps, then a branch on the result. */
const loopAndBranch: Program = (v, m) => {
  let s = v.x;
  for (let i = 0; i < 3; i++) s = m.mul(m.sin(s), v.y);
  return s > 0.5 ? s : m.exp(s);
};

/** The two branches as expressions, for the exact (64-digit) reference. */
const path = 'sin(sin(sin(x) * y) * y) * y';
const branches = { high: parse(path), low: parse(`exp(${path})`) };

/** How close each method must come to the exact derivative (relative): exact methods to rounding, differences to their order. */
function tolerance(method: string): number {
  if (method === 'numeric-forward' || method === 'numeric-backward') return 1e-6;
  if (method.startsWith('numeric')) return 1e-8;
  return 1e-13;
}

describe('a program with a loop and a branch', () => {
  const cases = [
    { point: { x: 1, y: 2 }, branch: 'high' as const },
    { point: { x: 1, y: 0.5 }, branch: 'low' as const },
  ];
  for (const { point, branch } of cases) {
    const exact = referenceGradient(branches[branch], ['x', 'y'], Float64Array.of(point.x, point.y));
    for (const method of listMethods().map((m) => m.name)) {
      it(`${method} gives the exact derivative of the ${branch} branch at x = ${point.x}, y = ${point.y}`, () => {
        const result = gradient(loopAndBranch, point, { method });
        expect(result.variables).toEqual(['x', 'y']);
        expect(result.value).toBeCloseTo(exact.value, 12);
        for (const [i, name] of ['x', 'y'].entries()) {
          const want = exact.gradient[i];
          expect(Math.abs(result.gradient[name] - want)).toBeLessThanOrEqual(tolerance(method) * Math.max(1, Math.abs(want)));
        }
      });
    }
  }

  it('traces to the branch taken, as an ordinary expression that prints', () => {
    const high = traceProgram(loopAndBranch, { x: 1, y: 2 });
    const low = traceProgram(loopAndBranch, { x: 1, y: 0.5 });
    expect(high.expr).toBe(branches.high); // hash-consed: the very node the parser builds
    expect(low.expr).toBe(branches.low);
    expect(toInfix(low.expr)).toBe(`exp(${path})`);
    expect(toLatex(low.expr)).toContain('e^{');
    expect(toWengert(low.expr).split('\n').length).toBeGreaterThan(5);
  });

  it('records the comparison as a guard on the traced value, and the symbolic answer says where it holds', () => {
    const trace = traceProgram(loopAndBranch, { x: 1, y: 2 });
    expect(trace.guards).toHaveLength(1);
    expect(trace.guards[0].node).toBe(branches.high);
    expect(trace.guards[0].value).toBe(trace.value);
    for (const method of ['symbolic', 'symbolic-simplified', 'symbolic-dag']) {
      const result = gradient(loopAndBranch, { x: 1, y: 2 }, { method });
      expect(result.notes?.[0]).toMatch(/holds only where every guard holds \(1\)/);
      expect(result.notes?.[0]).toContain(path);
      expect(result.extra?.guards).toEqual(trace.guards);
    }
  });

  it('autograd-compiled re-checks the guards on each call and re-traces on the other side of one', () => {
    const program: Program = (v, m) => (m.sin(v.x) > 0 ? m.mul(v.x, v.x) : m.neg(v.x));
    const first = gradient(program, { x: 1 }, { method: 'autograd-compiled' });
    const again = gradient(program, { x: 2 }, { method: 'autograd-compiled' });
    const other = gradient(program, { x: -1 }, { method: 'autograd-compiled' });
    const back = gradient(program, { x: 1.5 }, { method: 'autograd-compiled' });
    expect(first.extra?.retraced).toBe(true);
    expect(again.extra?.retraced).toBe(false);
    expect(again.gradient.x).toBe(4);
    expect(other.extra?.retraced).toBe(true);
    expect(other.gradient.x).toBe(-1);
    expect(other.value).toBe(1);
    expect(back.extra?.retraced).toBe(true);
    expect(back.gradient.x).toBe(3);
  });
});

describe('guards', () => {
  it('two traced sides of one comparison are recorded as a relation between nodes', () => {
    const program: Program = (v, m) => {
      const a = m.sin(v.x), b = m.cos(v.x);
      return a < b ? a : b;
    };
    const [guard] = traceProgram(program, { x: 0.3 }).guards;
    expect(guard.node).toBe(parse('sin(x)'));
    expect(guard.other?.node).toBe(parse('cos(x)'));
    expect(guard.relation).toBe('<');
    expect(guard.text).toMatch(/^sin\(x\) < cos\(x\)/);
  });

  it('m.gt and friends record the whole comparison, constant included, as the relation that held', () => {
    const program: Program = (v, m) => {
      const s = m.sin(v.x);
      return m.gt(s, 0.5) ? s : m.le(v.x, m.cos(v.x)) ? m.neg(s) : s;
    };
    const high = traceProgram(program, { x: 1 });
    expect(high.guards.map((g) => [g.text, g.exact])).toEqual([[`sin(x) > 0.5 (${Math.sin(1)} > 0.5 at the point)`, true]]);
    const low = traceProgram(program, { x: 0.1 });
    expect(low.guards.map((g) => g.relation)).toEqual(['≤', '≤']);
    expect(low.guards[1].other?.node).toBe(parse('cos(x)'));
    expect(toInfix(low.expr)).toBe('-sin(x)');
    expect(gradient(program, { x: 0.1 }, { method: 'symbolic-dag' }).gradient.x).toBe(-Math.cos(0.1));
  });

  it('a value detached by a JavaScript operator enters as a constant, and the tape check catches it changing', () => {
    const program: Program = (v, m) => m.mul(v.x, v.x * 1);
    const trace = traceProgram(program, { x: 2 });
    expect(toInfix(trace.expr)).toBe('x * 2');
    expect(sameTape(program, trace, Float64Array.of(2))).toBe(true);
    expect(sameTape(program, trace, Float64Array.of(3))).toBe(false);
    gradient(program, { x: 2 }, { method: 'autograd-compiled' });
    const later = gradient(program, { x: 3 }, { method: 'autograd-compiled' });
    expect(later.extra?.retraced).toBe(true);
    expect(later.value).toBe(9);
    expect(later.gradient.x).toBe(3); // d(x·c)/dx with c = x detached, as .item() in PyTorch
  });

  it('finite differences say when a stencil point took another path', () => {
    const program: Program = (v, m) => (v.x > 1 ? m.mul(v.x, 3) : v.x);
    const result = gradient(program, { x: 1 + 1e-9 }, { method: 'numeric' });
    expect(result.notes?.join('\n')).toMatch(/another path/);
    expect(gradient(program, { x: 2 }, { method: 'numeric' }).notes).toBeUndefined();
  });
});

describe('a program at the edge of its domain', () => {
  const root: Program = (v, m) => m.add(m.sqrt(v.x), m.mul(v.y, v.y));

  it('a one-sided difference looking out of the domain refuses and names the method that looks the other way', () => {
    expect(() => gradient(root, { x: 0, y: 2 }, { method: 'numeric-backward' })).toThrow(MethodUnavailableError);
    expect(() => gradient(root, { x: 0, y: 2 }, { method: 'numeric-backward' })).toThrow(/edge of f's domain on this side; numeric-forward/);
  });

  it('the complex step refuses, as for an expression, where Im f(x + ih)/h overflows', () => {
    const grows: Program = (v, m) => m.sin(m.mul(v.x, v.z));
    expect(() => gradient(grows, { x: 9.810654470783936e22, z: 0 }, { method: 'complex-step' })).toThrow(MethodUnavailableError);
    expect(() => gradient(grows, { x: 9.810654470783936e22, z: 0 }, { method: 'complex-step' })).toThrow(/grows too fast/);
  });

  it("near the edge, a program's central difference is the expression's, step for step", () => {
    const program = gradient(root, { x: 1e-3, y: 2 }, { method: 'numeric' });
    const expression = gradient(parse('sqrt(x) + y*y'), { x: 1e-3, y: 2 }, { method: 'numeric' });
    expect(program.gradient.x).toBe(expression.gradient.x);
    expect(program.gradient.y).toBeCloseTo(4, 6);
  });
});

describe('the math namespace and bad programs', () => {
  it('has exactly one function per op of the table, and the four comparisons', () => {
    let keys: string[] = [];
    traceProgram((v, m) => ((keys = Object.keys(m)), v.x), { x: 1 });
    expect(keys.sort()).toEqual([...opNames, 'lt', 'le', 'gt', 'ge'].sort());
  });

  it('mixes plain numbers with values and folds an op on numbers alone', () => {
    const result = gradient((v, m) => m.add(m.mul(2, v.x), m.pow(2, 3)), { x: 5 });
    expect(result.value).toBe(18);
    expect(result.gradient.x).toBe(2);
  });

  it('refuses + on a value with a message that names m.add', () => {
    expect(() => gradient((v) => (v.x as number) + 1, { x: 1 })).toThrow(/m\.add/);
  });

  it('names the op when an m function gets the wrong number of arguments', () => {
    expect(() => gradient((v, m) => m.sin(v.x, v.x), { x: 1 })).toThrow(/m\.sin takes 1 argument, got 2/);
  });

  it('names an input the point does not have', () => {
    expect(() => gradient((v, m) => m.add(v.x, v.z), { x: 1 })).toThrow(/reads v\.z, but the point has no value for 'z'/);
  });

  it('refuses a program that returns something else than a number or a value', () => {
    expect(() => gradient((() => 'one') as unknown as Program, { x: 1 })).toThrow(/must return one number/);
  });

  it('complex-step declares itself unavailable on a non-analytic op the program uses', () => {
    expect(() => gradient((v, m) => m.abs(v.x), { x: 1 }, { method: 'complex-step' })).toThrow(MethodUnavailableError);
  });

  it('gives 0 partials for a program whose output is constant', () => {
    const result = gradient((v) => (v.x > 0 ? 3 : 4), { x: 1 });
    expect(result.value).toBe(3);
    expect(result.gradient.x).toBe(0);
  });
});

describe('jvp, vjp, jacobian and hessian on programs', () => {
  const program: Program = (v, m) => (v.y > 0 ? m.mul(m.mul(v.x, v.x), v.y) : m.sin(v.x));
  const expr = parse('x * x * y');
  const point = [1.5, 2];
  it('equal the expression of the branch taken, with the guard attached', () => {
    expect(hessian(program, ['x', 'y'], point).hessian).toEqual(forward.hessian(expr, ['x', 'y'], point).hessian);
    expect(jvp(program, ['x', 'y'], point, [1, -1]).tangent).toBe(forward.jvp(expr, ['x', 'y'], point, [1, -1]).tangent);
    expect(vjp(program, ['x', 'y'], point, 2).gradient).toEqual(forward.vjp(expr, ['x', 'y'], point, 2).gradient);
    const both = jacobian([program, parse('x + y')], ['x', 'y'], point);
    expect(both.jacobian.map((row) => [...row])).toEqual([[6, 2.25], [1, 1]]);
    expect(both.guards).toHaveLength(1);
    expect(hessian(program, ['x', 'y'], [1.5, -2]).hessian[0][0]).toBeCloseTo(-Math.sin(1.5), 15);
  });
});

describe('long programs', () => {
  it('a 20,000-step loop traces, differentiates and re-checks without recursion (60,000 ops)', () => {
    const steps = 20_000;
    const program: Program = (v, m) => {
      let s = v.x;
      for (let i = 0; i < steps; i++) s = m.add(m.mul(s, 0.5), m.sin(v.y));
      return s;
    };
    // s_k = s_{k−1}/2 + sin y, so ∂s/∂x = 2^−steps (0 in doubles) and ∂s/∂y = cos y · (2 − 2^(1−steps)) = 2 cos y.
    const trace = traceProgram(program, { x: 1, y: 2 });
    expect(trace.tape.length).toBe(3 * steps + 1); // mul, sin, add per step, and the return
    for (const method of ['autograd', 'forward-mode', 'autograd-compiled']) {
      const result = gradient(program, { x: 1, y: 2 }, { method });
      expect(result.gradient.x).toBe(0);
      expect(result.gradient.y).toBeCloseTo(2 * Math.cos(2), 12);
    }
    expect(sameTape(program, trace, Float64Array.of(3, -1))).toBe(true);
  }, 60_000);
});
