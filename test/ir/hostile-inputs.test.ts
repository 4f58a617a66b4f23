// Specification of refusals: every hostile input is a ParseError naming the problem at its exact position, never a crash or a hang.
import { describe, expect, it } from 'vitest';
import { parse, ParseError } from '../../src/ir/parse.ts';
import { hostileInputs } from './hostile-inputs.ts';

function refusal(input: string): ParseError {
  try {
    parse(input);
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error(`parse accepted ${JSON.stringify(input.slice(0, 80))}`);
}

describe('hostile inputs', () => {
  it('the corpus covers at least 45 inputs, each once', () => {
    expect(hostileInputs.length).toBeGreaterThanOrEqual(45);
    expect(new Set(hostileInputs.map((h) => h.input)).size).toBe(hostileInputs.length);
  });

  it.each(hostileInputs.map((h) => [h.label, h] as const))('%s: refused with its message and position', (_label, h) => {
    const error = refusal(h.input);
    expect(error.message).toContain(h.message);
    expect(error.position).toBe(h.position);
    // The message states the position it reports, and the span lies inside the input.
    expect(error.message).toContain(`position ${h.position}`);
    expect(error.input).toBe(h.input);
    expect(error.position + error.length).toBeLessThanOrEqual(h.input.length);
    if (h.input.trim().length > 0) expect(error.length).toBeGreaterThanOrEqual(1);
  });

  it.each(hostileInputs.map((h) => [h.label, h] as const))('%s: the excerpt is two short lines with the caret under the position', (_label, h) => {
    const lines = refusal(h.input).excerpt().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0].length).toBeLessThanOrEqual(100);
    expect(lines[1]).toMatch(/^ *\^+$/);
  });
});

describe('excerpt', () => {
  it('draws carets under the offending span', () => {
    expect(refusal('x + * y').excerpt()).toBe('x + * y\n    ^');
    expect(refusal('sin(x, y) + 1').excerpt()).toBe('sin(x, y) + 1\n^^^^^^^^^');
  });

  it('shows only the offending line of multi-line input, and says which line', () => {
    const error = refusal('x +\n  y $');
    expect(error.message).toContain('position 8 (line 2, column 5)');
    expect(error.excerpt()).toBe('  y $\n    ^');
  });

  it('windows a long line around the position', () => {
    const error = refusal(`${'x + '.repeat(1000)}$ + x`);
    const [line, carets] = error.excerpt().split('\n');
    expect(line.length).toBeLessThan(80);
    expect(line[carets.indexOf('^')]).toBe('$');
  });

  it('draws control characters as visible symbols, keeping the caret aligned', () => {
    expect(refusal('x\u0000y').excerpt()).toBe('x\u2400y\n ^');
  });
});
