// The README's shell examples (```sh blocks) run: every `npx gradlab …` line there is listed here with how it is run,
// so a command added to the README without a run fails this test. Commands that take minutes as written (the full
// report, --quick profiles, hundreds of check runs) run here with the tiny profile or fewer runs; set
// GRADLAB_README_SLOW=1 to run them exactly as written as well. Output folders go to a scratch directory.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli.ts';
import { shellCommands } from '../helpers/docs.ts';

const slow = process.env.GRADLAB_README_SLOW === '1';
const scratch = mkdtempSync(join(tmpdir(), 'gradlab-readme-sh-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** Where the sharded campaign's files go (the README's `--out shard-2.json` and `--merge shard-*.json`). */
const shards = join(scratch, 'shards');
mkdirSync(shards);

async function gradlab(argv: readonly string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...argv], {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: false,
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
  } as Parameters<typeof main>[1]);
  return { code, out, err };
}

/** `argv` with flag `name`'s value replaced (or the flag added), and `drop` flags removed. */
function withFlag(argv: readonly string[], name: string, value: string | null, drop: readonly string[] = []): string[] {
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (drop.includes(argv[i]!)) continue;
    if (argv[i] === name) {
      i++;
      continue;
    }
    result.push(argv[i]!);
  }
  return value === null ? result : [...result, name, value];
}

/** A report's folder under scratch, with the report's files checked and its Markdown returned. */
function reportIn(dir: string): string {
  for (const file of ['report.md', 'report.html', 'report.json']) expect(existsSync(join(dir, file)), file).toBe(true);
  return readFileSync(join(dir, 'report.md'), 'utf8');
}

interface Plan {
  /** How the command runs in the default (fast) test, or why it runs only with GRADLAB_README_SLOW=1. */
  readonly fast: ((argv: readonly string[], dir: string) => string[]) | { readonly slowOnly: string };
  /** How it runs with GRADLAB_README_SLOW=1 (as written, its output folder moved to scratch); absent: not again. */
  readonly slow?: (argv: readonly string[], dir: string) => string[];
  /** What its output must show. */
  readonly check: (result: { code: number; out: string; err: string }, dir: string) => void;
}

const succeeds = (result: { code: number; err: string }) => {
  expect(result.err).not.toMatch(/Error|failed/);
  expect(result.code).toBe(0);
};
const tiny = (argv: readonly string[], dir: string) => withFlag(withFlag(argv, '--out', dir), '--profile', 'tiny', ['--quick']);
const asWritten = (argv: readonly string[], dir: string) => (argv[0] === 'report' ? withFlag(argv, '--out', dir) : [...argv]);
/** Fewer runs: the code path is the same, the test stays short (each case runs every method). */
const runs = 4;
const fewRuns = (argv: readonly string[]) => withFlag(argv, '--runs', String(runs));
const checkTable = (result: { code: number; out: string; err: string }) => {
  succeeds(result);
  expect(result.out).toMatch(/autograd vs reference +│ +\d+ │/);
};

/** Every `npx gradlab` line of the README's shell blocks, by its text (without the trailing comment). */
const plans: Readonly<Record<string, Plan>> = {
  'npx gradlab report': {
    fast: { slowOnly: 'the full built-in report takes minutes; test/report/report.test.ts runs the built-in suite in the tiny profile' },
    slow: asWritten,
    check: (result, dir) => {
      succeeds(result);
      expect(reportIn(dir)).toContain('## 1.');
    },
  },
  'npx gradlab diff "x^2*y + sin(y)" --at x=2,y=3': {
    fast: (argv) => [...argv],
    check: (result) => {
      succeeds(result);
      expect(result.out).toContain('f = x^2*y + sin(y) at x = 2, y = 3');
      expect(result.out).toMatch(/│ autograd +│ +12\.141120008059866 │ +12 │ +3\.010007503399555 │/);
    },
  },
  'npx gradlab diff "x^2*y + sin(y)" --at x=2,y=3 --method autograd,numeric,symbolic --json': {
    fast: (argv) => [...argv],
    check: (result) => {
      succeeds(result);
      const report = JSON.parse(result.out) as { results: { method: string; gradient: Record<string, number> }[] };
      expect(report.results.map((r) => r.method)).toEqual(['autograd', 'numeric', 'symbolic']);
      expect(report.results[0]!.gradient.x).toBeCloseTo(12, 12);
    },
  },
  'npx gradlab diff --file docs/example-program.ts --at x=1,y=2': {
    fast: (argv) => [...argv],
    check: (result) => {
      succeeds(result);
      expect(result.out).toContain('trace at the point: sin(sin(sin(x) * y) * y) * y');
      expect(result.out).toContain('guard 1: sin(sin(sin(x) * y) * y) * y compared with a number');
      expect(result.out).toMatch(/│ autograd +│ +1\.8289075526235796 │ +0\.19575883274031064 │/);
    },
  },
  'echo "x^2 + 3*x" | npx gradlab diff - --at x=2': {
    fast: (argv) => [...argv],
    check: (result) => {
      succeeds(result);
      expect(result.out).toContain('f = x^2 + 3*x at x = 2');
      expect(result.out).toMatch(/│ autograd +│ +10 │ +7 │/);
    },
  },
  'npx gradlab check': { fast: fewRuns, slow: asWritten, check: checkTable },
  'npx gradlab report --quick': {
    fast: { slowOnly: 'the built-in report in the quick profile takes about a minute; test/report/report.test.ts runs it in the tiny profile' },
    slow: asWritten,
    check: (result, dir) => {
      succeeds(result);
      expect(reportIn(dir)).toContain('## 1.');
    },
  },
  'npx gradlab report --expr "exp(-x^2) * sin(3*y)" --at x=0.5,y=1 --quick': {
    fast: tiny,
    slow: asWritten,
    check: (result, dir) => {
      succeeds(result);
      expect(reportIn(dir)).toContain('exp(-x^2) * sin(3*y)');
    },
  },
  'npx gradlab report --suite docs/example-suite.json --quick --out reports/mine': {
    fast: tiny,
    slow: asWritten,
    check: (result, dir) => {
      succeeds(result);
      const markdown = reportIn(dir);
      // The sections name the suite's functions.
      for (const name of ['bump', 'softmax-ish']) expect(markdown).toContain(name);
      expect(markdown).toContain('exp(-x^2) * sin(3*y)');
    },
  },
  'npx gradlab check --suite docs/example-suite.ts --runs 200': { fast: fewRuns, slow: asWritten, check: checkTable },
  'npx gradlab check --runs 1000 --seed 7 --shard 2/4 --out shard-2.json': {
    // The same campaign with fewer runs (the code path is the same); the other shards run first, below.
    fast: (argv) => withFlag(withFlag(argv, '--runs', String(runs)), '--out', join(shards, 'shard-2.json')),
    check: (result) => {
      succeeds(result);
      expect(result.out).toMatch(/vs reference/);
    },
  },
  'npx gradlab check --merge shard-*.json': {
    // The shell's glob, expanded in the shards' folder.
    fast: (argv) => {
      const files = readdirSync(shards).filter((f) => /^shard-.*\.json$/.test(f)).sort().map((f) => join(shards, f));
      expect(files).toHaveLength(4);
      return [...argv.filter((a) => a !== 'shard-*.json'), ...files];
    },
    check: (result) => {
      succeeds(result);
      expect(result.out).toMatch(new RegExp(`autograd vs reference +│ +${runs} │`));
    },
  },
  'npx gradlab playground': {
    fast: { slowOnly: 'it serves until stopped; test/playground/playground.test.ts builds, serves and drives it' },
    check: () => {},
  },
};

describe('README.md shell examples', () => {
  const commands = shellCommands('README.md');

  it('lists a run for every gradlab command in the shell blocks, and no other', () => {
    expect(commands.map((c) => c.line).sort()).toEqual(Object.keys(plans).sort());
  });

  it('runs the other shards of the sharded campaign first (the --merge line joins all four)', async () => {
    for (const shard of ['1/4', '3/4', '4/4']) {
      const argv = ['check', '--runs', String(runs), '--seed', '7', '--shard', shard, '--out', join(shards, `shard-${shard[0]}.json`)];
      const { code } = await gradlab(argv);
      expect(code).toBe(0);
    }
  }, 240_000);

  for (const { line, argv, stdin } of commands) {
    const plan = plans[line];
    if (plan === undefined) continue;
    const runsFast = typeof plan.fast === 'function';
    const folder = (kind: string) => join(scratch, kind, String(Object.keys(plans).indexOf(line)));
    it.runIf(runsFast)(`$ ${line}`, async () => {
      const dir = folder('fast');
      const { code, out, err } = await gradlab((plan.fast as (a: readonly string[], d: string) => string[])(argv, dir), stdin);
      plan.check({ code, out, err }, dir);
    }, 240_000);
    it.runIf(slow && plan.slow !== undefined)(`$ ${line} (as written)`, async () => {
      const dir = folder('slow');
      const { code, out, err } = await gradlab(plan.slow!(argv, dir), stdin);
      plan.check({ code, out, err }, dir);
    }, 1_800_000);
  }
});
