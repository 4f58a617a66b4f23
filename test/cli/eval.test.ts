// Specification of `gradlab eval`, `gradlab parse` and `gradlab autograd`: values, traces, and errors a user can act on.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';

async function run(...argv: string[]) {
  let out = '', err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

describe('gradlab eval', () => {
  it('prints the value at the point', async () => {
    expect(await run('eval', 'x**2 + 3*x + 1', '--at', 'x=2')).toEqual({ code: 0, out: '11\n', err: '' });
    expect((await run('eval', 'x*y', '--at', 'x=2', '--at', 'y=3')).out).toBe('6\n');
  });

  it('explains a value that is not finite by the op that left its domain', async () => {
    expect((await run('eval', '1 + log(x)', '--at', 'x=-1')).out).toBe('NaN\nnote: log(u) is NaN at u = -1 (its domain: u > 0)\n');
    expect((await run('eval', '1/(x-1)', '--at', 'x=1')).out).toMatch(/^Infinity\nnote: div\(u, v\) is Infinity at u = 1, v = 0/);
  });

  it.each([
    [['eval', 'x + y', '--at', 'x=1'], 1, "no value for variable 'y'"],
    [['eval', 'x', '--at', 'x=abc'], 2, "'abc' is not a number"],
    [['eval', 'x', '--at', 'x=Infinity'], 2, 'must be finite'],
    [['eval', 'x', '--at', 'x=1,x=2'], 2, 'x is given twice'],
    [['eval'], 2, 'missing the expression'],
    [['eval', 'sin x', '--at', 'x=1'], 1, "'sin' is a function"],
    [['eval', 'x', '--at', 'x=1', '--bogus'], 2, "Unknown option '--bogus'"],
    [['nope'], 2, "unknown command 'nope'"],
  ])('%j exits %d saying %s', async (argv, code, message) => {
    const result = await run(...(argv as string[]));
    expect(result.code).toBe(code);
    expect(result.err).toContain(message);
  });
});

describe('gradlab parse and gradlab autograd', () => {
  it('parse prints sizes and the Wengert list, or JSON', async () => {
    const { out } = await run('parse', 'x*x + x*x', '--json');
    expect(JSON.parse(out)).toMatchObject({ infix: 'x * x + x * x', metrics: { treeSize: 7, dagSize: 3 }, wengert: ['v1 = x * x', 'v2 = v1 + v1'] });
  });

  it('autograd prints the lesson trace as PyTorch does', async () => {
    expect((await run('autograd', '(w*x + b)**2', '--at', 'x=2,w=3,b=4')).out).toBe(
      'y = tensor(100., grad_fn=<PowBackward0>)\nw.grad = tensor(40.)\nx.grad = tensor(60.)\nb.grad = tensor(20.)\n',
    );
  });

  it('every command has help', async () => {
    for (const name of ['report', 'check', 'diff', 'autograd', 'eval', 'parse']) {
      const { code, out } = await run(name, '--help');
      expect(code).toBe(0);
      expect(out).toMatch(/^usage: gradlab /);
    }
  });
});
