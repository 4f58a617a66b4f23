// The packed package works in a fresh project exactly as the README's "Use it in your project" says: bare node, strict tsc (node16 and bundler), vitest with setupFiles, the bin.
//
// The test reads the README section's files (fenced blocks whose first line is `// <file name>`) and its console
// session, packs gradlab, installs the tarball offline (npm's cache only; see consumer-project.ts for the lockfile),
// and runs every command in the consumer: where the README shows output, stdout must be exactly that; every command
// must exit 0. Slow (a build, an npm install, three tsc runs, a vitest run): one to four minutes on 2 cores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeConsumerManifest } from './consumer-project.ts';
import { loadedPackages } from '../../bench/startup-probe.ts';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Use it in your project'), readme.indexOf('\n## ', readme.indexOf('## Use it in your project') + 3));

function fencedBlocks(markdown: string): { lang: string; body: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));
}

/** The section's files: blocks whose first line is a `// name` comment. */
const files = fencedBlocks(section).flatMap(({ body }) => {
  const name = /^\/\/ ([\w.-]+)\n/.exec(body)?.[1];
  return name === undefined ? [] : [{ name, body: body.slice(body.indexOf('\n') + 1) }];
});

/** The console session: each `$ command` with the output lines the README shows under it. */
const session = fencedBlocks(section)
  .filter((b) => b.lang === 'console')
  .flatMap((b) => b.body.replace(/\n$/, '').split('\n'))
  .reduce<{ command: string; output: string[] }[]>((steps, line) => {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] });
    else steps.at(-1)?.output.push(line);
    return steps;
  }, []);

/** Newest modification time under `path` (a file or a directory tree), milliseconds. */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

/** True when dist/ was built after every input of the build was last changed (then packing need not rebuild). */
function distIsFresh(): boolean {
  try {
    const built = statSync(join(root, 'dist/index.js')).mtimeMs;
    return ['src', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].every((p) => newest(join(root, p)) < built);
  } catch {
    return false;
  }
}

const consumer = mkdtempSync(join(tmpdir(), 'gradlab-consumer-'));
let packedFiles: string[] = [];
let tarball = '';

function run(command: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', command], { cwd: consumer, encoding: 'utf8', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // `npm pack` (the README's first step, run in the checkout): the build runs as its prepack script unless dist/ is current.
  const packArgs = ['pack', '--json', '--pack-destination', consumer, ...(distIsFresh() ? ['--ignore-scripts'] : [])];
  const packed = JSON.parse(execFileSync('npm', packArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = packed[0]!.filename;
  packedFiles = packed[0]!.files.map((f) => f.path);
  writeConsumerManifest(consumer, tarball, root, ['typescript', 'vitest', '@types/node']);
  for (const file of files) writeFileSync(join(consumer, file.name), file.body);
  // docs/testing.md's test file, as a user would copy it.
  writeFileSync(join(consumer, 'testing-example.test.ts'), readFileSync(join(root, 'test/harness/testing-example.test.ts'), 'utf8'));
}, 600_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

describe('the packed package in a fresh project', () => {
  it('the README section has the files and commands this test needs', () => {
    expect(files.map((f) => f.name).sort()).toEqual(['gradient.mjs', 'lesson.test.ts', 'tsconfig.json', 'vitest.config.ts']);
    expect(session.map((s) => s.command)).toContain('npm install ./gradlab-0.1.0.tgz');
    expect(tarball).toBe('gradlab-0.1.0.tgz');
  });

  it('ships the build and its sources, and no tests, benchmarks or reports', () => {
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('dist/bin/gradlab.js');
    expect(packedFiles).toContain('dist/diff/symbolic/mathjs-worker.mjs');
    expect(packedFiles.filter((f) => /^(test|bench|reports)\//.test(f) || /\.test\.ts$/.test(f))).toEqual([]);
  });

  it('runs every command of the README section, printing what the README shows', () => {
    const transcript: string[] = [];
    let vitestOutput = '';
    for (const { command, output } of session) {
      // Offline: the registry cache only (and no audit or funding requests); the same install otherwise.
      const actual = command.startsWith('npm install ') ? `${command} --offline --no-audit --no-fund --ignore-scripts` : command;
      const result = run(actual);
      transcript.push(`$ ${actual} → ${result.status}`);
      expect(result.status, `${actual}\n${result.stdout}\n${result.stderr}`).toBe(0);
      if (output.length > 0) expect(result.stdout, actual).toBe(`${output.join('\n')}\n`);
      if (command === 'npx vitest run') vitestOutput = result.stdout;
    }
    expect(transcript).toHaveLength(session.length);
    // vitest ran both files, the README's (matcher from setupFiles) and docs/testing.md's: 1 + 6 tests.
    expect(vitestOutput).toContain('lesson.test.ts');
    expect(vitestOutput).toContain('testing-example.test.ts');
    expect(vitestOutput).toMatch(/Tests\s+7 passed \(7\)/);
  }, 600_000);

  it("importing the installed core loads no package at all (no vega, Graphviz, cli-table3, not even mathjs); the harness loads fast-check and mathjs", () => {
    const installed = join(consumer, 'node_modules/gradlab/dist');
    // gradlab's own files are in node_modules too: every other package counts.
    const others = (entry: string) => loadedPackages(pathToFileURL(join(installed, entry)).href).filter((name) => name !== 'gradlab');
    expect(others('index.js')).toEqual([]);
    const harness = others('harness/index.js');
    expect(harness).toContain('fast-check');
    expect(harness).toContain('mathjs');
    expect(harness.filter((p) => /^(vega|vega-lite|@hpcc-js\/wasm-graphviz|cli-table3|vitest)$/.test(p))).toEqual([]);
  }, 120_000);

  it('the strict type check fails on a type error, so its passing means something', () => {
    writeFileSync(join(consumer, 'wrong.ts'), "import { tensor } from 'gradlab';\nconst n: string = tensor(1).item();\nexport { n };\n");
    try {
      const result = run('npx tsc --noEmit');
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain("wrong.ts(2,7): error TS2322: Type 'number' is not assignable to type 'string'.");
      expect(result.stdout.split('\n').filter((l) => l.includes('error TS'))).toHaveLength(1);
    } finally {
      rmSync(join(consumer, 'wrong.ts'));
    }
  }, 120_000);
});
