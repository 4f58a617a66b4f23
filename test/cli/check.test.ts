// `gradlab check`: a quick run passes; a planted wrong method makes it fail with the shrunk counterexample and its replay.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('gradlab check: usage errors exit 2', () => {
  it.each([
    [['--ops', ','], /--ops names no op/],
    [['--ops', ' , ,'], /--ops names no op/],
    [['--methods', ','], /--methods names no method/],
    [['--seed', '1', '--path', 'garbage'], /--path expects the path a counterexample printed/],
    [['--seed', '1', '--path', '3::4'], /--path expects/],
    [['--seed=-1'], /--seed expects an integer from 0 to 4294967295/],
    [['--seed', '1e20'], /--seed expects an integer/],
    [['--shard', '0/2'], /--shard: a shard is i\/n/],
    [['--shard', 'two'], /--shard: a shard is i\/n/],
    [['--workers', '1.5'], /--workers expects an integer from 1 to 1024/],
    [['--workers', '2', '--methods', 'planted-bug'], /planted-bug is registered in this process only/],
    [['--merge'], /--merge needs the JSON results/],
    [['--merge', '--seed', '3', 'a.json'], /--merge takes the campaign from its files: drop --seed/],
    [['--merge', '/nonexistent/a.json'], /--merge: cannot read \/nonexistent\/a.json/],
  ])('check %j', async (args, message) => {
    const { code, err } = await run('check', ...args);
    expect(err).toMatch(message);
    expect(code).toBe(2);
  });
});

describe('gradlab check: shards, JSON results and --merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const campaign = ['--seed', '11', '--runs', '10', '--methods', 'autograd,numeric-central', '--ops', 'add,mul,sin', '--workers', '1'];

  it('shards write results that merge into the single run\'s matrix', async () => {
    const whole = await run('check', ...campaign, '--out', join(dir, 'whole.json'));
    expect(whole.code).toBe(0);
    for (const i of [1, 2, 3]) {
      const shard = await run('check', ...campaign, '--shard', `${i}/3`, '--out', join(dir, `s${i}.json`));
      expect(shard.code).toBe(0);
      expect(shard.out).toContain(`shard ${i}/3 of the campaign`);
    }
    const partial = await run('check', '--merge', join(dir, 's1.json'), join(dir, 's3.json'));
    expect(partial.out).toContain('note: shards 2/3 are missing');
    const merged = await run('check', '--merge', join(dir, 's1.json'), join(dir, 's2.json'), join(dir, 's3.json'), '--out', join(dir, 'merged.json'));
    expect(merged.code).toBe(0);
    const table = (text: string) => text.slice(0, text.indexOf('10 of 10'));
    expect(table(merged.out)).toBe(table(whole.out));
    const [a, b] = ['whole.json', 'merged.json'].map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    expect(b.cases).toEqual(a.cases);
    expect(b.cases).toHaveLength(10);
  });

  it('--merge refuses files that are not results, and results of different campaigns, with exit 2', async () => {
    writeFileSync(join(dir, 'junk.json'), '{"format":"other"}');
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect((await run('check', '--merge', join(dir, 'junk.json'))).err).toMatch(/not a gradlab check result/);
    expect((await run('check', '--merge', join(dir, 'text.json'))).code).toBe(2);
    await run('check', ...campaign.map((a) => (a === '11' ? '12' : a)), '--shard', '2/3', '--out', join(dir, 'other.json'));
    const mixed = await run('check', '--merge', join(dir, 's1.json'), join(dir, 'other.json'));
    expect(mixed.err).toMatch(/results of different campaigns cannot be merged/);
    expect(mixed.code).toBe(2);
  });
});
