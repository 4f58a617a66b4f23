// `gradlab check`: a quick run passes; a planted wrong method makes it fail with the shrunk counterexample and its replay.
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { getMethod, registerMethod } from '../../src/diff/registry.ts';
import { topologicalOrder } from '../../src/ir/traverse.ts';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

// A deliberately broken method: autograd, but the partials of anything containing exp are 1% too large.
registerMethod({
  name: 'planted-bug',
  summary: 'autograd with a 1% error whenever exp appears (for this test)',
  compute(request) {
    const result = getMethod('autograd').compute(request);
    if (!topologicalOrder(request.expr).some((n) => n.op === 'exp')) return result;
    return { ...result, gradient: result.gradient.map((g) => g * 1.01) };
  },
});

const correct = 'autograd,symbolic-dag,numeric-central,numeric-richardson,complex-step';

describe('gradlab check', () => {
  it('passes a quick run and prints the agreement matrix', async () => {
    const { code, out } = await run('check', '--runs', '40', '--seed', '9', '--methods', correct);
    expect(code).toBe(0);
    expect(out).toMatch(/comparison\s+│\s+runs\s+│\s+passed/);
    expect(out).toMatch(/autograd vs reference\s+│\s+40\s+│\s+40\s+│/);
    expect(out).toContain('40 of 40 random expressions');
    expect(out).toContain('seed 9');
    expect(out).toContain('every method agrees with the reference within its tolerance');
  });

  it('lists every pair of methods with --pairs', async () => {
    const { code, out } = await run('check', '--runs', '5', '--seed', '1', '--methods', 'autograd,symbolic-dag,numeric-central', '--pairs');
    expect(code).toBe(0);
    for (const pair of ['autograd ↔ symbolic-dag', 'autograd ↔ numeric-central', 'symbolic-dag ↔ numeric-central']) expect(out).toContain(pair);
  });

  it('exits 1 on a planted wrong method, with the shrunk counterexample in infix and Wengert form, and the seed', async () => {
    const { code, out } = await run('check', '--runs', '100', '--seed', '4', '--methods', 'autograd,planted-bug', '--ops', 'add,mul,exp,sin');
    expect(code).toBe(1);
    expect(out).toMatch(/planted-bug vs reference .* [1-9][0-9]* ✗/);
    expect(out).toMatch(/real disagreement: planted-bug \(disagree\)/);
    expect(out).toMatch(/expression \(infix\): .*exp\(/);
    expect(out).toMatch(/Wengert list:\n {2}v1 = /);
    expect(out).toMatch(/planted-bug +\S+ .*disagree: ∂f\/∂\w+ is off by/);
    const replay = /replay: (gradlab check --seed 4 --path "([0-9:]+)" --methods autograd,planted-bug --ops add,mul,exp,sin)/.exec(out);
    expect(replay).not.toBeNull();
    // The printed replay command reproduces the same counterexample.
    const again = await run(...replay![1].replace(/"/g, '').split(' ').slice(1));
    expect(again.code).toBe(1);
    expect(again.out.split('expression (infix):')[1].split('\n')[0]).toBe(out.split('expression (infix):')[1].split('\n')[0]);
  });

  it('explains bad options', async () => {
    expect((await run('check', '--methods', 'nope')).err).toMatch(/unknown method nope; registered: autograd/);
    expect((await run('check', '--runs', '0')).code).toBe(2);
    expect((await run('check', '--path', '1:2')).err).toMatch(/give its --seed too/);
    expect((await run('check', '--help')).out).toMatch(/^usage: gradlab check/);
  });
});
