// Specification of what a person expects of `gradlab`: --version, help <command>, "did you mean", exit codes, --json, progress, tables that fit, quiet on a closed pipe.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean, main } from '../../src/cli.ts';
import { toCliTable } from '../../src/report/tables.ts';

const root = resolve(import.meta.dirname, '../..');

async function run(argv: string[], extra: { columns?: number } = {}) {
  let out = '', err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, ...extra });
  return { code, out, err };
}

describe('gradlab --version and help', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it("'gradlab help <command>' prints what 'gradlab <command> --help' prints", async () => {
    for (const command of ['eval', 'diff', 'check', 'report', 'parse', 'autograd']) {
      const viaHelp = await run(['help', command]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toMatch(new RegExp(`^usage: gradlab ${command}`));
      expect(viaHelp.out).toBe((await run([command, '--help'])).out);
    }
  });

  const commandNames = ['report', 'check', 'diff', 'autograd', 'graph', 'eval', 'parse', 'playground'];
  const words = (text: string) => text.split(/\s+/).filter((w) => w.length > 0);
  const longest = (text: string) => Math.max(...text.trimEnd().split('\n').map((line) => [...line].length));

  it.each([80, 60])('every help text fits %i columns (a terminal of that width; 80 when piped), losing no word', async (columns) => {
    for (const argv of [['--help'], ...commandNames.map((c) => [c, '--help'])]) {
      const piped = await run(argv);
      const terminal = await run(argv, { columns });
      expect(longest(columns === 80 ? piped.out : terminal.out), argv.join(' ')).toBeLessThanOrEqual(columns);
      // Only the line breaks move: the words, in order, are those of the text as written.
      expect(words(terminal.out)).toEqual(words((await run(argv, { columns: 10_000 })).out));
    }
  });

  it('wraps an option’s description under its description, and a usage line under the command, never inside [brackets]', async () => {
    const { out } = await run(['check', '--help'], { columns: 60 });
    const lines = out.split('\n');
    const row = lines.findIndex((line) => line.startsWith('  --seed S'));
    const column = lines[row].indexOf('fast-check');
    expect(lines[row + 1].length - lines[row + 1].trimStart().length).toBe(column);
    const usage = lines.slice(0, lines.findIndex((line) => line === ''));
    for (const line of usage) expect(line.split('[').length, line).toBe(line.split(']').length);
    expect(usage[1].startsWith(' '.repeat('usage: gradlab check '.length) + '[')).toBe(true);
  });

  it('lays out the help a usage error carries, but prints every message as written (a path, a caret under its column)', async () => {
    const usageError = await run(['diff', 'x', '--at', 'x=1', '--bogus'], { columns: 60 });
    expect(usageError.code).toBe(2);
    const [message, ...help] = usageError.err.split('\n\n');
    expect(message).toMatch(/^gradlab diff: .*--bogus/);
    expect(longest(help.join('\n\n'))).toBeLessThanOrEqual(60);
    const path = `/tmp/${'a-rather-long-folder-name/'.repeat(4)}missing.ts`;
    const missing = await run(['diff', '--file', path, '--at', 'x=1'], { columns: 60 });
    expect(missing.code).toBe(2);
    expect(missing.err.split('\n')[0]).toContain(path);
    const long = `${'x + '.repeat(30)}(`;
    const parseError = await run(['eval', long, '--at', 'x=1'], { columns: 30 });
    expect(parseError.code).toBe(1);
    const [, context, caret] = parseError.err.trimEnd().split('\n');
    expect(caret.trim()).toBe('^');
    expect(context[caret.indexOf('^')]).toBe('(');
  });

  it('--help documents the exit codes 0, 1 and 2', async () => {
    const { out } = await run(['--help']);
    expect(out).toMatch(/Exit codes \(every command\):\n {2}0 {2}success.*\n {2}1 {2}a real disagreement[^]*?\n {2}2 {2}bad usage/);
  });

  it.each([
    ['dif', 'diff'],
    ['chekc', 'check'],
    ['evl', 'eval'],
    ['Eval', 'eval'],
    ['rep', 'report'],
    ['autogard', 'autograd'],
  ])("'%s' suggests '%s' and exits 2", async (typo, meant) => {
    const { code, err } = await run([typo, 'x']);
    expect(code).toBe(2);
    expect(err).toContain(`unknown command '${typo}'; did you mean '${meant}'?`);
  });

  it('suggests nothing for a word far from every command', async () => {
    expect(didYouMean('zzz')).toBeUndefined();
    expect(didYouMean('differentiate')).toBeUndefined();
    expect((await run(['help', 'nope'])).code).toBe(2);
  });
});

describe('arguments', () => {
  it.each([
    [['eval', '-x', '--at', 'x=1'], '-1\n'],
    [['eval', '--at', 'x=2', '-x^2'], '-4\n'],
    [['eval', '-sin(x) + 1', '--at', 'x=0'], '1\n'],
    [['eval', '-1'], '-1\n'],
    [['eval', '--at', 'x=1', '--', '-x'], '-1\n'],
  ])('%j reads the expression that starts with a minus sign', async (argv, out) => {
    expect(await run(argv)).toEqual({ code: 0, out, err: '' });
  });

  it('still reports a misspelt long option as bad usage', async () => {
    const { code, err } = await run(['eval', '-x', '--att', 'x=1']);
    expect(code).toBe(2);
    expect(err).toContain("Unknown option '--att'");
  });
});

describe('--json', () => {
  it('eval and autograd print JSON with non-finite values as strings', async () => {
    expect(JSON.parse((await run(['eval', 'log(x)', '--at', 'x=-1', '--json'])).out)).toEqual({
      expression: 'log(x)',
      point: { x: -1 },
      value: 'NaN',
      note: 'log(u) is NaN at u = -1 (its domain: u > 0)',
    });
    const autograd = JSON.parse((await run(['autograd', 'x^2 + 3*x + 1', '--at', 'x=2', '--json'])).out);
    expect(autograd).toMatchObject({ value: 11, gradient: { x: 7 }, trace: ['y = tensor(11., grad_fn=<AddBackward0>)', 'x.grad = tensor(7.)'] });
  });

  it('check prints its rows and no counterexample as JSON, and progress lines go to stderr', async () => {
    const { code, out, err } = await run(['check', '--runs', '20', '--seed', '5', '--methods', 'autograd', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json).toMatchObject({ seed: 5, runsRequested: 20, runsCompleted: 20, methods: ['autograd'], counterexample: null });
    expect(json.rows[0]).toMatchObject({ a: 'autograd', b: 'reference', runs: 20 });
    // A line per tenth of the cases at most (cases are judged in batches, so some tenths share a line), counting up to the end.
    const lines = err.trimEnd().split('\n');
    const counts = lines.map((line) => Number(/^gradlab: checking: (\d+) of 20 expressions$/.exec(line)?.[1]));
    expect(counts.every((n) => Number.isInteger(n) && n >= 1 && n <= 20)).toBe(true);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(new Set(counts).size).toBe(counts.length);
    expect(counts.at(-1)).toBe(20);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(11);
  });
});

describe('tables that fit the terminal', () => {
  const widthOf = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

  it('gradlab diff at 80 columns: every table line fits and every number is whole', async () => {
    const wide = await run(['diff', 'x^2*y + sin(y)', '--at', 'x=2,y=3', '--method', 'autograd,numeric-forward']);
    const narrow = await run(['diff', 'x^2*y + sin(y)', '--at', 'x=2,y=3', '--method', 'autograd,numeric-forward'], { columns: 80 });
    expect(widthOf(wide.out.split('errors against')[0]!)).toBeGreaterThan(80);
    const table = narrow.out.split('\nerrors against')[0]!;
    expect(widthOf(table)).toBeLessThanOrEqual(80);
    for (const n of ['12.000000268220901', '3.010007455945015', '3.010007503399555']) expect(table).toContain(n);
    expect(table).toContain('(left out to fit 80 columns: evals, abs error, value, time; --json has all)');
  });

  it('gradlab check at 80 columns: the matrix, the summary and the notes under it all fit', async () => {
    const narrow = await run(['check', '--runs', '20', '--seed', '5', '--workers', '1'], { columns: 80 });
    expect(narrow.out).toContain('20 of 20 random expressions');
    // The summary alone ran to 88 characters here before it wrapped.
    expect(widthOf(narrow.out)).toBeLessThanOrEqual(80);
  });

  it('wraps text at word boundaries before dropping columns, and falls back to one block per row', () => {
    const table = { columns: ['name', 'description', 'n'], align: ['left', 'left', 'right'] as const, rows: [['alpha', 'a long description that needs more than one line here', '12345']] };
    const fitted = toCliTable(table, { width: 40 });
    expect(widthOf(fitted)).toBeLessThanOrEqual(40);
    expect(fitted).toContain('12345');
    for (const word of table.rows[0]![1]!.split(' ')) expect(fitted).toContain(word);
    expect(toCliTable(table, { width: 12 })).toBe('name: alpha\n  description: a long description that needs more than one line here\n  n: 12345');
  });
});

describe('the installed command on a closed pipe', () => {
  it('`gradlab parse x | head -c1` exits quietly, with no EPIPE stack', () => {
    const bin = resolve(root, 'bin/gradlab.js');
    // A long output (a 3000-term sum) so the pipe closes while gradlab is still writing.
    const expression = Array.from({ length: 3000 }, (_, i) => `x${i}`).join('+');
    const result = spawnSync('sh', ['-c', `node "${bin}" parse "${expression}" | head -c1; echo " status \${PIPESTATUS:-0}"`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^i status/);
  }, 60_000);

  it.runIf(existsSync('/dev/full'))('a full disk (/dev/full) is one line on stderr and exit code 1, not a stack', () => {
    const result = spawnSync('sh', ['-c', `node "${resolve(root, 'bin/gradlab.js')}" parse "x*x" > /dev/full`], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^gradlab: cannot write the output: ENOSPC[^\n]*\n$/);
  }, 60_000);
});
