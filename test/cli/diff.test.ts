// Specification of `gradlab diff`: one table row per method, errors against a named reference, derivative expressions, JSON, and usage errors.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/common.ts';
import { listMethods } from '../../src/diff/registry.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The table's rows (lines starting with a vertical border) as trimmed cells; a wrapped cell's continuation lines are joined. */
function rows(table: string): string[][] {
  const result: string[][] = [];
  for (const line of table.split('\n').filter((l) => l.startsWith('│'))) {
    const cells = line.split('│').slice(1, -1).map((cell) => cell.trim());
    const previous = result[result.length - 1];
    if (cells[0] === '' && previous !== undefined) cells.forEach((c, i) => (previous[i] = c ? `${previous[i]} ${c}` : previous[i]));
    else result.push(cells);
  }
  return result;
}

const symbolic = ['symbolic', 'symbolic-simplified', 'symbolic-dag'];

describe('gradlab diff', () => {
  it('prints one row per method with the value, each partial, errors, evaluations and time', async () => {
    const { code, stdout, stderr } = await run('diff', 'x^2 + y^3 + x*y', '--at', 'x=1,y=2', '--method', symbolic.join(','));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [head, ...body] = rows(stdout);
    expect(head).toEqual(['method', 'value', '∂f/∂x', '∂f/∂y', 'abs error', 'rel error', 'evals', 'time']);
    expect(body.map((r) => r[0])).toEqual(symbolic);
    for (const row of body) expect(row.slice(1, 6)).toEqual(['11', '4', '13', '0', '0']);
    // Piped, the prose wraps at 80 columns with a two-space hanging indent.
    expect(stdout).toContain('errors against: reference (reverse accumulation, 64-digit BigNumber): f = 11,\n  ∂f/∂x = 4, ∂f/∂y = 13');
  });

  it('prints the symbolic derivative expressions below the table', async () => {
    const { stdout } = await run('diff', 'x^2 + 3*x + 1', '--at', 'x=2', '--method', symbolic.join(','));
    expect(stdout).toContain('symbolic:\n  ∂f/∂x = 2 * (1 * x^(2 - 1)) + 3 * 1 + 0');
    expect(stdout).toContain('symbolic-simplified:\n  ∂f/∂x = 2 * x + 3');
    expect(stdout).toContain('symbolic-dag:\n  ∂f/∂x = 3 + 2 * x   [tree 5, DAG 5 nodes]');
  });

  it('runs every registered method by default, each computation once (an alias only when named)', async () => {
    const { stdout } = await run('diff', 'x^3 - 2*x^2 + x - 5', '--at', 'x=3');
    const shown = rows(stdout).slice(1).map((r) => r[0]);
    expect(shown).toEqual(listMethods().map((m) => m.name).filter((name) => name !== 'numeric'));
    expect(shown).toContain('numeric-central');
    const named = await run('diff', 'x^3 - 2*x^2 + x - 5', '--at', 'x=3', '--method', 'numeric');
    expect(rows(named.stdout).slice(1).map((r) => r[0])).toEqual(['numeric']);
  });

  it('shows why a method is unavailable in its row instead of numbers', async () => {
    const { code, stdout } = await run('diff', 'relu(x) + x^2', '--at', 'x=2', '--method', 'symbolic,symbolic-dag');
    expect(code).toBe(0);
    const [, unavailable, dag] = rows(stdout);
    expect(unavailable[0]).toBe('symbolic');
    expect(unavailable[1]).toBe('unavailable: not supported symbolically: relu (mathjs has no derivative rule for relu (max(u, 0)))');
    expect(dag.slice(0, 3)).toEqual(['symbolic-dag', '6', '5']);
  });

  it('--json prints the expression, point, value, reference and one result per method', async () => {
    const { code, stdout } = await run('diff', '(w*x + b)^2', '--at', 'w=2,x=3,b=4', '--method', 'symbolic-dag,symbolic', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.expression).toBe('(w*x + b)^2');
    expect(report.point).toEqual({ w: 2, x: 3, b: 4 });
    expect(report.value).toBe(100);
    expect(report.reference.method).toMatch(/^reference/);
    expect(report.reference.gradient).toEqual({ w: 60, x: 40, b: 20 });
    expect(report.results.map((r: { method: string }) => r.method)).toEqual(['symbolic-dag', 'symbolic']);
    for (const r of report.results) {
      expect(r.value).toBe(100);
      expect(r.gradient).toEqual({ w: 60, x: 40, b: 20 });
      expect(r.error).toEqual({ abs: 0, rel: 0 });
      expect(r).toHaveProperty('evaluations');
      expect(r.timeMs).toBeGreaterThanOrEqual(0);
      expect(r.derivatives.map((d: { variable: string }) => d.variable)).toEqual(['w', 'x', 'b']);
    }
  });

  it('--json marks unavailable methods with the reason', async () => {
    const { stdout } = await run('diff', 'relu(x)', '--at', 'x=2', '--method', 'symbolic', '--json');
    const [result] = JSON.parse(stdout).results;
    expect(result.unavailable).toBe('not supported symbolically: relu (mathjs has no derivative rule for relu (max(u, 0)))');
    expect(result.gradient).toBeNull();
  });

  it('an unknown method name exits non-zero and lists the known names', async () => {
    const { code, stdout, stderr } = await run('diff', 'x^2', '--at', 'x=1', '--method', 'symbolic,nonsense');
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain("unknown method 'nonsense'; known methods: ");
    for (const m of listMethods()) expect(stderr).toContain(m.name);
  });

  it('a missing value or a malformed point is an error on stderr', async () => {
    expect((await run('diff', 'x + y', '--at', 'x=1', '--method', 'symbolic-dag')).stderr).toContain("no value for variable 'y'");
    expect((await run('diff', 'x', '--at', 'x=abc')).code).toBe(2);
  });
});
