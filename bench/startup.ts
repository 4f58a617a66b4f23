// `npm run bench:startup`: start-up cost of the built package: `gradlab eval` against bare `node -e 0`, and import time and memory of the core.
//
// Every figure is the median of --runs fresh processes (default 21; interleaved, so load drifts hit every command
// alike) with the quartiles as spread. Measured on dist/ (built first when missing; `npm run build` refreshes it),
// which is the code the tarball ships: dist/bin/gradlab.js is the installed `gradlab` command. The import rows
// also list which packages of node_modules each entry point loads (a resolve hook records them), so "the core
// loads none of vega, vega-lite, Graphviz, cli-table3" is a measured fact here and a check in
// test/package/consumer.test.ts (on the installed package). Writes bench/results/startup.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadedPackages } from './startup-probe.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 21;
if (!existsSync(join(root, 'dist/bin/gradlab.js'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });

/** Wall time of one fresh process, milliseconds, and what it printed (the import probes print their RSS). */
function once(args: readonly string[]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function quartiles(values: readonly number[]): { median: number; q1: number; q3: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const i = q * (sorted.length - 1);
    const lo = Math.floor(i);
    return sorted[lo]! + (sorted[Math.ceil(i)]! - sorted[lo]!) * (i - lo);
  };
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
}

const dist = (path: string) => `file://${join(root, 'dist', path)}`;
/** An import probe: loads the module, prints the process's resident memory in MB. */
const probe = (url: string) => ['--input-type=module', '-e', `await import(${JSON.stringify(url)}); console.log(process.memoryUsage().rss / 2 ** 20)`];

const commands = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'gradlab eval "x+1" --at x=1 (dist/bin)', args: [join(root, 'dist/bin/gradlab.js'), 'eval', 'x+1', '--at', 'x=1'] },
  { name: 'gradlab --version (dist/bin)', args: [join(root, 'dist/bin/gradlab.js'), '--version'] },
  { name: 'node bin/gradlab.js eval (source, tsx)', args: [join(root, 'bin/gradlab.js'), 'eval', 'x+1', '--at', 'x=1'] },
  { name: 'import nothing (RSS baseline)', args: ['--input-type=module', '-e', 'console.log(process.memoryUsage().rss / 2 ** 20)'], rss: true },
  { name: "import 'gradlab'", args: probe(dist('index.js')), entry: dist('index.js'), rss: true },
  { name: "import 'gradlab/harness'", args: probe(dist('harness/index.js')), entry: dist('harness/index.js'), rss: true },
] as const;

const samples = commands.map(() => ({ ms: [] as number[], rss: [] as number[] }));
for (let round = 0; round < runs; round++) {
  commands.forEach((command, k) => {
    const { ms, stdout } = once(command.args);
    samples[k]!.ms.push(ms);
    if ('rss' in command) samples[k]!.rss.push(Number(stdout.trim().split('\n').at(-1)));
  });
}

const baseline = quartiles(samples[0]!.ms).median;
const rows = commands.map((command, k) => {
  const time = quartiles(samples[k]!.ms);
  const rss = samples[k]!.rss.length > 0 ? quartiles(samples[k]!.rss) : undefined;
  const packages = 'entry' in command ? loadedPackages(command.entry) : undefined;
  return { name: command.name, ms: time, ratioToBareNode: time.median / baseline, rssMb: rss, packages };
});

const fmt = (q: { median: number; q1: number; q3: number }, digits: number) => `${q.median.toFixed(digits)} (${q.q1.toFixed(digits)}–${q.q3.toFixed(digits)})`;
console.log(`start-up, median (quartiles) of ${runs} fresh processes; Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(1)}`);
for (const row of rows) {
  const rss = row.rssMb === undefined ? '' : `   RSS ${fmt(row.rssMb, 1)} MB`;
  const packages = row.packages === undefined ? '' : `   packages: ${row.packages.join(', ') || 'none'}`;
  console.log(`${row.name.padEnd(42)} ${fmt(row.ms, 0).padStart(16)} ms   ×${row.ratioToBareNode.toFixed(2)} bare node${rss}${packages}`);
}
mkdirSync(join(root, 'bench/results'), { recursive: true });
const meta = { node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, load: os.loadavg(), runs, date: new Date().toISOString() };
writeFileSync(join(root, 'bench/results/startup.json'), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
