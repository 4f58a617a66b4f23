// Specification of x^y at its edges in `gradlab diff`: every exact method and the reference apply the op table's masks
// (PyTorch's pow backward), a convention is named and not scored, mathjs's own formula is explained; and the prose
// under the table fits 80 columns.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/common.ts';
import { wrapProse } from '../../src/report/tables.ts';

async function run(argv: string[], columns?: number): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, columns };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

interface Row {
  method: string;
  gradient: Record<string, number | string> | null;
  error: { abs: number | string; rel: number | string } | null;
  unavailable?: string;
  failed?: string;
  notes?: string[];
}

async function diffJson(expr: string, at: string, methods: string) {
  const result = await run(['diff', expr, '--at', at, '--method', methods, '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as {
    reference: { gradient: Record<string, number | string> };
    conventional: Record<string, string>;
    unmeasured: string[];
    results: Row[];
  };
}

/** The methods gradlab owns that are exact: each applies the op table's partials (or its own kernels) to the letter. */
const exact = ['autograd', 'autograd-compiled', 'forward-mode', 'symbolic-dag'];

describe('x^y at (0, 0): one rule for every exact method, named where it is a convention', () => {
  it('autograd, autograd-compiled, forward-mode, symbolic-dag and the reference all give PyTorch\'s ∂x = 0, ∂y = 0', async () => {
    const report = await diffJson('x^y', 'x=0,y=0', [...exact, 'numeric', 'complex-step'].join(','));
    expect(report.reference.gradient).toEqual({ x: 0, y: 0 });
    for (const row of report.results.filter((r) => exact.includes(r.method))) {
      expect(row.gradient, row.method).toEqual({ x: 0, y: 0 });
      expect(row.error).toEqual({ abs: 0, rel: 0 });
    }
    // ∂y is a convention (0^y jumps at y = 0): named, and not scored; ∂x (x^0 ≡ 1) is a derivative, and scored.
    expect(Object.keys(report.conventional)).toEqual(['y']);
    expect(report.conventional.y).toMatch(/^pow\(u, v\) at u = 0, v = 0: 0\^v jumps at v = 0 .*no derivative in v.*PyTorch's convention/);
    expect(report.unmeasured).toEqual([]);
    const numeric = report.results.find((r) => r.method === 'numeric')!;
    expect(numeric.gradient!.y).toBeLessThan(-1e6); // the difference quotient across the jump
    expect(numeric.error).toEqual({ abs: 0, rel: 0 }); // measured on ∂x only
    // The complex step has no derivative to give along y, and says why rather than "not finite".
    const complexStep = report.results.find((r) => r.method === 'complex-step')!;
    expect(complexStep.unavailable).toMatch(/^pow at \(0, 0\): 0\^v jumps at v = 0/);
  });

  it('says in the text which partial is a convention and why it is not scored', async () => {
    const { code, stdout } = await run(['diff', 'x^y', '--at', 'x=0,y=0', '--method', exact.join(',')]);
    expect(code).toBe(0);
    const text = stdout.replace(/\n {2}/g, ' ');
    expect(text).toContain('errors not measured for ∂f/∂y: f has no derivative in y at this point (pow(u, v) at u = 0, v = 0: 0^v jumps');
    expect(text).toContain("the reference's 0 is that convention, so an answer that differs from it is not an error");
    expect(text).toContain('∂f/∂x = pow_prime(x, y)');
  });

  it("explains mathjs's own formula (0·∞ there) in a note on the symbolic rows, which are not failures", async () => {
    const report = await diffJson('x^y', 'x=0,y=0', 'symbolic,symbolic-simplified');
    for (const row of report.results) {
      expect(row.failed).toBeUndefined();
      expect(row.gradient).toEqual({ x: 'NaN', y: '-Infinity' });
      expect(row.notes?.some((n) => /^mathjs differentiates u\^v by its own formulas, v·u\^\(v−1\) and u\^v·log\(u\).*cannot apply the op table's masks.*\(here u = 0, v = 0\)$/.test(n))).toBe(true);
    }
    // Away from the masks mathjs's formulas are the table's: no note.
    const smooth = await diffJson('x^y', 'x=2,y=3', 'symbolic');
    expect(smooth.results[0].notes ?? []).not.toContainEqual(expect.stringMatching(/^mathjs differentiates u\^v/));
  });
});

describe('the class: x^y and constant powers at the edges agree across exact methods and the reference', () => {
  // [expression, point, expected gradient (JSON form), variables whose partial is a convention]
  const cases: [string, string, Record<string, number | string>, string[]][] = [
    ['x^y', 'x=0,y=2', { x: 0, y: 0 }, []], // 0^y = 0 near y = 2: ∂y truly 0 (the formula's 1·(0·−∞) would be NaN)
    ['x^y', 'x=0,y=1', { x: 1, y: 0 }, []],
    ['x^y', 'x=0,y=0.5', { x: 'Infinity', y: 0 }, []],
    ['x^y', 'x=0,y=-1', { x: '-Infinity', y: '-Infinity' }, []], // a pole: no mask for y < 0, as PyTorch
    ['x^y', 'x=-2,y=3', { x: 12, y: 'NaN' }, []], // log of a negative base: NaN, not a convention
    ['x^y', 'x=2,y=0', { x: 0, y: Math.LN2 }, []],
    ['x^2', 'x=0', { x: 0 }, []],
    ['x^0.5', 'x=0', { x: 'Infinity' }, []],
    ['x^0', 'x=0', { x: 0 }, []],
    ['0^x', 'x=0', { x: 0 }, ['x']],
    ['2^x', 'x=0', { x: Math.LN2 }, []],
    ['(x*y)^(x-y)', 'x=0,y=0', { x: 0, y: 0 }, ['x', 'y']],
  ];

  it.each(cases)('%s at %s', async (expr, at, expected, conventional) => {
    const report = await diffJson(expr, at, exact.join(','));
    expect(report.reference.gradient).toEqual(expected);
    for (const row of report.results) expect(row.gradient, row.method).toEqual(expected);
    expect(Object.keys(report.conventional).sort()).toEqual(conventional);
  });

  it('the complex step follows the masks where a derivative exists (x^y at (0, 2), x^0 at 0)', async () => {
    expect((await diffJson('x^y', 'x=0,y=2', 'complex-step')).results[0].gradient).toEqual({ x: 0, y: 0 });
    expect((await diffJson('x^0', 'x=0', 'complex-step')).results[0].gradient).toEqual({ x: 0 });
  });
});

describe('gradlab diff prose fits the terminal', () => {
  const widthOf = (line: string) => [...line].length;
  const isDerivativeLine = (line: string) => /^ {2}∂f\/∂\w+ = .*\[tree \d+, DAG \d+ nodes\]$/.test(line);

  it('at 80 columns every line fits: the table, the reference line, the notes and the derivatives', async () => {
    const { stdout } = await run(['diff', 'x^y', '--at', 'x=0,y=0', '--method', 'autograd,symbolic-dag,numeric,symbolic'], 80);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((line) => widthOf(line) > 80)).toEqual([]);
    expect(lines.some((line) => line.startsWith('errors against: reference'))).toBe(true);
    expect(lines.some((line) => line.startsWith('note (numeric): '))).toBe(true);
    // Wrapped prose continues on indented lines and loses no word.
    expect(stdout.replace(/\n {2}/g, ' ')).toContain('f is not smooth at this point: pow(u, v) at u = 0, v = 0 is outside its smooth domain');
  });

  it('piped (no terminal width) the prose still wraps at 80 columns; the table and the expressions keep their width', async () => {
    const { stdout } = await run(['diff', 'x^y', '--at', 'x=0,y=0', '--method', 'autograd,symbolic-dag,numeric']);
    const lines = stdout.trimEnd().split('\n');
    const afterTable = lines.slice(lines.findIndex((line) => line.startsWith('└')) + 1);
    expect(lines.some((line) => line.startsWith('┌') && widthOf(line) > 80)).toBe(true);
    expect(afterTable.filter((line) => widthOf(line) > 80 && !isDerivativeLine(line))).toEqual([]);
    expect(afterTable.filter((line) => /^note \(numeric\): /.test(line))).toHaveLength(1);
  });

  it('wrapProse breaks at spaces, indents continuations, keeps a long word whole and each paragraph apart', () => {
    expect(wrapProse('aaa bbb ccc ddd', 8, '  ')).toBe('aaa bbb\n  ccc\n  ddd');
    expect(wrapProse('short', 80)).toBe('short');
    expect(wrapProse('x 123456789012 y', 6)).toBe('x\n123456789012\ny');
    expect(wrapProse('one two\nthree four', 9)).toBe('one two\nthree\nfour');
    // Widths count code points: ∂ is one column.
    expect(wrapProse('∂f/∂x ∂f/∂y', 11)).toBe('∂f/∂x ∂f/∂y');
  });
});
