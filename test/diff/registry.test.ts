// Specification of gradient(), the contract every method shares: the seeds' lessons by every method, and clear errors.
import { describe, expect, it } from 'vitest';
import { gradient, listMethods, withoutAliases } from '../../src/diff/registry.ts';
import type { GradientMethod } from '../../src/diff/method.ts';
import { parse } from '../../src/ir/parse.ts';

/** The worked examples of the seed lessons (../shared/seeds), with PyTorch's numbers. */
interface Lesson { expr: string; point: Record<string, number>; value: number; gradient: Record<string, number> }
const lessons: Lesson[] = [
  { expr: 'x**2 + 3*x + 1', point: { x: 2 }, value: 11, gradient: { x: 7 } },
  { expr: 'x**2 + y**3 + x*y', point: { x: 1, y: 2 }, value: 11, gradient: { x: 4, y: 13 } },
  { expr: '(w*x + b)**2', point: { x: 2, w: 3, b: 4 }, value: 100, gradient: { x: 60, w: 40, b: 20 } },
  { expr: 'x**3 - 2*x**2 + x - 5', point: { x: 3 }, value: 7, gradient: { x: 16 } },
  { expr: 'x**2 + y**3', point: { x: 2, y: 3 }, value: 31, gradient: { x: 4, y: 27 } },
];

const exactMethods = ['autograd', 'autograd-compiled', 'forward-mode', 'symbolic', 'symbolic-simplified', 'symbolic-dag', 'complex-step'];

describe('the seed lessons, by every registered method', () => {
  for (const method of listMethods().map((m) => m.name)) {
    it.each(lessons.map((l) => [l.expr, l]))(`${method}: %s`, (_text, lesson) => {
      const result = gradient(lesson.expr, lesson.point, { method });
      expect(result.value).toBe(lesson.value);
      for (const [name, exact] of Object.entries(lesson.gradient)) {
        if (exactMethods.includes(method)) expect(result.gradient[name]).toBe(exact);
        else expect(Math.abs(result.gradient[name] - exact)).toBeLessThanOrEqual(result.errorEstimate![name]);
      }
    });
  }
});

describe('gradient()', () => {
  it('defaults to autograd and accepts an expression as well as text', () => {
    const byText = gradient('x*y', { x: 2, y: 5 });
    expect(byText.method).toBe('autograd');
    expect(gradient(parse('x*y'), { x: 2, y: 5 }).gradient).toEqual(byText.gradient);
  });

  it('gives 0 for variables of the point that the expression does not use', () => {
    expect(gradient('x^2', { x: 3, unused: 1 }, { method: 'autograd' }).gradient).toEqual({ x: 6, unused: 0 });
  });

  it('names an unknown method and lists the known ones', () => {
    expect(() => gradient('x', { x: 1 }, { method: 'magic' })).toThrow(/unknown method 'magic'; known methods: autograd, .*complex-step/);
  });

  it('names a variable missing from the point', () => {
    expect(() => gradient('x + y', { x: 1 })).toThrow("no value for variable 'y': pass it in the point, e.g. y=1");
  });

  it('refuses non-finite and non-number values', () => {
    expect(() => gradient('x', { x: NaN })).toThrow("the value for 'x' must be finite, got NaN");
    expect(() => gradient('x', { x: Infinity })).toThrow("the value for 'x' must be finite, got Infinity");
    expect(() => gradient('x', { x: '2' as unknown as number })).toThrow("the value for 'x' must be a number, got string");
  });
});

describe('withoutAliases', () => {
  const method = (name: string, summary: string): GradientMethod => ({ name, summary, compute: () => { throw new Error('not called'); } });

  it('keeps each computation once, under its longer (descriptive) name, in the given order', () => {
    const methods = [method('a', 'one'), method('numeric', 'central'), method('b', 'two'), method('numeric-central', 'central')];
    expect(withoutAliases(methods).map((m) => m.name)).toEqual(['a', 'b', 'numeric-central']);
  });

  it('drops only the built-in alias from the registry: numeric, which is numeric-central', () => {
    const all = listMethods().map((m) => m.name);
    expect(withoutAliases(listMethods()).map((m) => m.name)).toEqual(all.filter((name) => name !== 'numeric'));
  });
});
