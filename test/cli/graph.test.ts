// Specification of `gradlab graph`: each value with its gradient, a reused value's gradient as the sum of its uses, programs, and the DOT/SVG/PNG drawings.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/common.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gradlab-graph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runIn(undefined, ...argv);
}

async function runIn(columns: number | undefined, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: columns !== undefined, columns };
  return { code: await main(argv, io), stdout, stderr };
}

interface Row { name: string; kind: string; definition: string; value: number; grad: number | null; uses: { from: string; amount: number }[] }

describe('gradlab graph', () => {
  it('prints the Wengert list with each value and its gradient; a reused value shows the sum of its uses', async () => {
    const { code, stdout } = await run('graph', 'x*x + x', '--at', 'x=2');
    expect(code).toBe(0);
    expect(stdout.split('\n').slice(2, 5).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
      'x (input) 2 5 = 2 + 2 + 1 (used 3×: by v1, v1, v2)',
      'v1 = x * x 4 1',
      'v2 = v1 + x 6 1 (output)',
    ]);
  });

  it('wraps long lines in a terminal (the sum of uses under the gradient column), and keeps them whole when piped', async () => {
    const f = 'sin(x)*cos(y) + exp(-x^2/(1+y^2)) * log(1 + x^2 + y^2) + tanh(x*y - 3) * sqrt(1 + x^4)';
    const piped = await run('graph', f, '--at', 'x=0.5,y=2');
    const terminal = await runIn(80, 'graph', f, '--at', 'x=0.5,y=2');
    const widths = (text: string) => text.trimEnd().split('\n').map((line) => [...line].length);
    expect(Math.max(...widths(piped.stdout))).toBeGreaterThan(80);
    expect(Math.max(...widths(terminal.stdout))).toBeLessThanOrEqual(80);
    const words = (text: string) => text.split(/\s+/).filter(Boolean);
    expect(words(terminal.stdout)).toEqual(words(piped.stdout));
    // x is used 4 times: its sum continues under the gradient column.
    const lines = terminal.stdout.split('\n');
    const x = lines.findIndex((line) => line.startsWith('x (input)'));
    const gradColumn = lines[x]!.indexOf('-0.58');
    expect(lines[x + 1]!.length - lines[x + 1]!.trimStart().length).toBe(gradColumn);
  });

  it('gives values and gradients of the chain rule in --json (a diamond: y = sin(x), f = y·y + y)', async () => {
    const { stdout } = await run('graph', 'sin(x) * sin(x) + sin(x)', '--at', 'x=0.5', '--json');
    const rows: Row[] = JSON.parse(stdout).rows;
    const y = rows.find((r) => r.definition === 'sin(x)')!;
    const x = rows.find((r) => r.name === 'x')!;
    expect(y.value).toBe(Math.sin(0.5));
    // ∂f/∂y = 2y + 1, from three uses: y, y (the product) and 1 (the sum).
    expect(y.uses.map((u) => u.amount)).toEqual([Math.sin(0.5), Math.sin(0.5), 1]);
    expect(y.grad).toBeCloseTo(2 * Math.sin(0.5) + 1, 15);
    expect(x.grad).toBeCloseTo((2 * Math.sin(0.5) + 1) * Math.cos(0.5), 15);
    expect(x.uses).toHaveLength(1);
  });

  it('draws a program\'s trace, with its guard', async () => {
    const { code, stdout } = await run('graph', '--file', resolve(import.meta.dirname, 'fixtures/loop-branch.ts'), '--at', 'x=1,y=2');
    expect(code).toBe(0);
    expect(stdout).toContain('trace at the point: sin(sin(sin(x) * y) * y) * y');
    expect(stdout).toMatch(/guard 1: sin\(sin\(sin\(x\) \* y\) \* y\) \* y compared with a number/);
    expect(stdout).toMatch(/^y \(input\) +2 +0\.2625955219142341\d* = .*\(used 3×: by v2, v4, v6\)$/m);
  });

  it('writes DOT with micrograd records and the per-use terms, SVG and PNG', async () => {
    const dotFile = join(scratch, 'g.dot');
    expect((await run('graph', 'x*x + x', '--at', 'x=2', '--out', dotFile)).stdout).toBe(`wrote ${dotFile} (3 values)\n`);
    const dot = readFileSync(dotFile, 'utf8');
    expect(dot).toContain('label="{ x | data 2 | grad 5 = 2 + 2 + 1 (summed over 3 uses) }"');
    expect(dot).toContain('label="{ v1 = x * x | data 4 | grad 1 }"');
    await run('graph', 'x*x + x', '--at', 'x=2', '--out', join(scratch, 'g.svg'));
    expect(readFileSync(join(scratch, 'g.svg'), 'utf8')).toMatch(/^<svg[\s\S]*grad 5 = 2 \+ 2 \+ 1[\s\S]*<\/svg>\s*$/);
    await run('graph', 'x*x + x', '--at', 'x=2', '--out', join(scratch, 'g.png'));
    const png = readFileSync(join(scratch, 'g.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBeGreaterThan(200); // width from the IHDR chunk
  });

  it('refuses an --out format it cannot write', async () => {
    const { code, stderr } = await run('graph', 'x', '--at', 'x=1', '--out', join(scratch, 'g.pdf'));
    expect(code).toBe(2);
    expect(stderr).toContain("cannot write '.pdf'; name the file .dot, .svg or .png");
  });
});
