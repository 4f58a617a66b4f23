// Specification of the CLI's input handling and `gradlab diff --file`: programs from modules, expression text from files and stdin, and the diff fixes of issue 11.
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { main } from '../../src/cli.ts';
import type { CliIo } from '../../src/cli/common.ts';
import { readUserInput } from '../../src/cli/input.ts';
import { gradientError } from '../../src/cli/diff.ts';

const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', name);

async function run(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo & { stdin?: () => Promise<string> } = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const json = async (argv: string[], stdin?: string) => {
  const result = await run([...argv, '--json'], stdin);
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) };
};

describe('gradlab diff --file', () => {
  it('runs a TypeScript program module (default export) like an expression, with its trace and guard', async () => {
    const methods = 'autograd,autograd-compiled,forward-mode,symbolic-dag,numeric,complex-step';
    const { code, report } = await json(['diff', '--file', fixture('loop-branch.ts'), '--at', 'x=1,y=0.5', '--method', methods]);
    expect(code).toBe(0);
    expect(report.expression).toBe(`program ${fixture('loop-branch.ts')}`);
    expect(report.program.trace).toBe('exp(sin(sin(sin(x) * y) * y) * y)');
    expect(report.program.guards).toHaveLength(1);
    for (const row of report.results) {
      expect(row.failed).toBeUndefined();
      expect(row.error.rel).toBeLessThan(row.method.startsWith('numeric') ? 1e-5 : 1e-14);
    }
  });

  it('prints a note several methods share (the guard of the trace) once, naming each of them', async () => {
    const methods = 'autograd-compiled,forward-mode,symbolic-dag';
    const { code, stdout } = await run(['diff', '--file', fixture('loop-branch.ts'), '--at', 'x=1,y=0.5', '--method', methods]);
    expect(code).toBe(0);
    const guardNotes = stdout.split('\nnote (').slice(1).filter((note) => note.includes('guard'));
    expect(guardNotes).toHaveLength(1);
    const named = guardNotes[0]!.slice(0, guardNotes[0]!.indexOf(')')).split(', ');
    expect(named.length).toBeGreaterThan(1);
    for (const method of named) expect(methods.split(',')).toContain(method);
  });

  it('picks a named export with --export, and lists the function exports when the name is wrong', async () => {
    const { report } = await json(['diff', '--file', fixture('loop-branch.ts'), '--export', 'cube', '--at', 'x=2', '--method', 'autograd']);
    expect(report.results[0].gradient).toEqual({ x: 12 });
    const wrong = await run(['diff', '--file', fixture('loop-branch.ts'), '--export', 'notAProgram', '--at', 'x=2']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.replace(/\s+/g, ' ')).toContain("has no program as an export 'notAProgram' (its function exports: cube, default)");
  });

  it('loads a JavaScript module as well', async () => {
    const { report } = await json(['diff', '--file', fixture('plain.mjs'), '--at', 'x=1', '--method', 'forward-mode']);
    expect(report.results[0].gradient).toEqual({ x: 1 });
  });

  it('reads expression text from any other file, and from stdin with - or --file -', async () => {
    for (const argv of [['--file', fixture('expression.txt')], ['-'], ['--file', '-']]) {
      const { report } = await json(['diff', ...argv, '--at', 'x=2', '--method', 'autograd'], 'x^2 + 3*x\n');
      expect(report.expression).toBe('x^2 + 3*x');
      expect(report.results[0].gradient).toEqual({ x: 7 });
    }
  });

  it('explains input mistakes as usage errors', async () => {
    const both = await run(['diff', 'x', '--file', fixture('expression.txt'), '--at', 'x=1']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give the expression or --file, not both');
    const missing = await run(['diff', '--file', fixture('nope.ts'), '--at', 'x=1']);
    expect(missing.stderr).toContain('no such file');
    const exportOfText = await run(['diff', '--file', fixture('expression.txt'), '--export', 'f', '--at', 'x=1']);
    expect(exportOfText.stderr).toContain('--export names an export of a program module');
    await expect(readUserInput(['-'], {}, 'help', async () => '  \n')).rejects.toThrow('stdin holds no expression');
  });
});

describe('gradlab diff semantics (issue 11)', () => {
  it('measures no error against a NaN reference partial, for NaN and finite answers alike, and says so', async () => {
    const { report } = await json(['diff', 'sqrt(x^2+y^2)', '--at', 'x=0,y=0', '--method', 'autograd,forward-mode,symbolic-dag,numeric,complex-step']);
    expect(report.unmeasured).toEqual(['x', 'y']);
    for (const row of report.results) expect(row.error).toBeNull();
    const text = await run(['diff', 'sqrt(x^2+y^2)', '--at', 'x=0,y=0', '--method', 'autograd,numeric']);
    expect(text.stdout.replace(/\n {2}/g, ' ')).toContain('errors not measured for ∂f/∂x, ∂f/∂y: the reference is NaN there');
  });

  it('gradientError skips NaN reference partials but still measures the others', () => {
    expect(gradientError([NaN, 1], [NaN, 1.5])).toEqual({ abs: 0.5, rel: 0.5 / 1.5 });
    expect(gradientError([0, 0], [NaN, NaN])).toBeNull();
    expect(gradientError([Infinity], [Infinity])).toEqual({ abs: 0, rel: 0 });
    expect(gradientError([1], [Infinity])!.abs).toBe(Infinity);
  });

  it('says overflow when f overflows, and the methods that need a finite f are unavailable, not failed (exit 0)', async () => {
    const result = await run(['diff', 'log(1+exp(x))', '--at', 'x=1000', '--json']);
    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(0);
    expect(report.notFinite).toMatch(/^exp\(u\) overflows to Infinity at u = 1000/);
    const numeric = report.results.find((r: { method: string }) => r.method === 'numeric-central');
    expect(numeric.unavailable).toMatch(/overflows/);
    expect(JSON.stringify(report)).not.toMatch(/singularity or outside the domain/);
    expect(report.results.every((r: { failed?: string }) => r.failed === undefined)).toBe(true);
  });

  it('calls a point outside an op\'s domain that, not an overflow', async () => {
    const { code, report } = await json(['diff', 'log(x)', '--at', 'x=-1', '--method', 'numeric']);
    expect(code).toBe(0);
    expect(report.results[0].unavailable).toMatch(/log\(u\) is NaN at u = -1 \(its domain: u > 0\)/);
    expect(report.results[0].unavailable).not.toMatch(/overflow/);
  });

  it('finds no non-smooth op in x^2 at 0 (a constant integer exponent is a polynomial), and autograd adds no note', async () => {
    const { report } = await json(['diff', 'x^2', '--at', 'x=0', '--method', 'autograd']);
    expect(report.nonSmooth).toEqual([]);
    expect(report.results[0].notes).toBeUndefined();
    const cube = await json(['diff', 'x^3 + x^0', '--at', 'x=0', '--method', 'autograd']);
    expect(cube.report.nonSmooth).toEqual([]);
  });

  it('names the op outside its smooth domain where the exact methods may differ (x^y at 0, 0; x^-1 at 0; x^y at 0, 2)', async () => {
    for (const [expr, at] of [['x^y', 'x=0,y=0'], ['x^-1', 'x=0'], ['x^y', 'x=0,y=2']]) {
      const { report } = await json(['diff', expr, '--at', at, '--method', 'autograd']);
      expect(report.nonSmooth).toHaveLength(1);
      expect(report.nonSmooth[0]).toMatch(/^pow\(u, v\) at u = 0, v = -?\d is outside its smooth domain/);
    }
  });

  it('exits 0 when a method declares itself unavailable, and the row says why', async () => {
    const { code, report } = await json(['diff', 'abs(x)', '--at', 'x=1', '--method', 'autograd,complex-step']);
    expect(code).toBe(0);
    expect(report.results[1].unavailable).toMatch(/not analytic/);
  });
});

describe('--file in eval, autograd and parse', () => {
  const file = fixture('loop-branch.ts');
  it('eval runs the program at the point', async () => {
    expect((await run(['eval', '--file', file, '--export', 'cube', '--at', 'x=2'])).stdout).toBe('8\n');
  });

  it('autograd prints the trace as PyTorch would, then the guard', async () => {
    const { stdout } = await run(['autograd', '--file', file, '--at', 'x=1,y=2']);
    expect(stdout).toBe(
      'z = tensor(1.8289, grad_fn=<MulBackward0>)\nx.grad = tensor(0.1958)\ny.grad = tensor(0.2626)\n' +
        'guard 1: sin(sin(sin(x) * y) * y) * y compared with a number (it is 1.8289075526235796 at the point; the other side is invisible to valueOf)\n',
    );
  });

  it('parse prints the trace at --at (infix, LaTeX, Wengert) and needs the point', async () => {
    const { stdout } = await run(['parse', '--file', file, '--at', 'x=1,y=0.5']);
    expect(stdout).toMatch(/^infix: +exp\(sin\(sin\(sin\(x\) \* y\) \* y\) \* y\)\nlatex: +e\^\{/);
    expect(stdout).toContain('  v7 = exp(v6)\nguard 1: ');
    const missing = await run(['parse', '--file', file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('a program is traced at a point: give --at');
  });
});
