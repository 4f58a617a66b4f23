// `gradlab check`: the agreement property over random expressions, with an agreement matrix and shrunk counterexamples.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { builtinMethodNames, listMethods, withoutAliases } from '../diff/registry.ts';
import type { GradientMethod } from '../diff/method.ts';
import { opNames, type OpName } from '../ir/ops.ts';
import { runAgreement, verdictMeaning, type AgreementRow, type AgreementRun } from '../harness/agreement.ts';
import { campaignRun, mergeCampaigns, missingShards, parseShard, runCampaign, type CampaignResult, type CampaignSpec } from '../harness/campaign.ts';
import { formatCounterexample } from '../harness/format.ts';
import { defaultFactors } from '../harness/tolerance.ts';
import { matrixProse, matrixText } from './matrix.ts';
import { parseCommandArgs, UsageError, type CliIo, type Command } from './common.ts';

/** Runs in a quick check, and with GRADLAB_LONG=1. */
export const quickRuns = 100;
export const longRuns = 1000;

const help = `usage: gradlab check [--runs N] [--seed S] [--depth D] [--methods a,b] [--ops a,b] [--path P] [--pairs]
                     [--workers N] [--shard i/n] [--out FILE]
       gradlab check --merge a.json b.json ... [--out FILE] [--pairs]
       gradlab check --suite my-suite.json|my-suite.ts [--runs N] [--seed S] [--methods a,b]

Runs the agreement property over N random expressions with points inside every op's domain: each
registered method's gradient must match a 64-digit BigNumber reference within a tolerance from an
error model (exact methods: ${defaultFactors.exact}× a first-order rounding bound that scales with
conditioning; numeric methods: also ${defaultFactors.numeric}× their own error estimate). Prints the
agreement matrix (each method against the reference; --pairs adds every pair of methods) and exits
1 with the shrunk counterexample (infix, Wengert list, every method's answer, seed and path) on a
real disagreement. Known cases are counted, not failed:
${(['unavailable', 'budget', 'non-finite', 'non-differentiable', 'under-resolved', 'simplify-invalid', 'no-bound'] as const).map((v) => `  ${v.padEnd(20)}${verdictMeaning[v]}`).join('\n')}

Options:
  --runs N       random expressions (default ${quickRuns}; ${longRuns} with GRADLAB_LONG=1)
  --seed S       fast-check seed (default: a fresh one, printed so the run can be replayed)
  --depth D      maximum op depth of the expressions (default 4)
  --methods a,b  only these registered methods (default: all but aliases;
                 numeric is numeric-central)
  --ops a,b      only these ops in the expressions (default: all)
  --path P       replay one counterexample (with its --seed)
  --pairs        also list every pair of methods in the matrix
  --json         print { seed, runs, methods, rows, counterexample } as JSON instead of the matrix
  --workers N    judge cases on N worker threads (default: every core, ${availableParallelism()} here, from 200 runs
                 on; shorter runs stay in one thread); the result is the same for any N
  --shard i/n    judge only cases k ≡ i−1 (mod n) of the campaign (same --seed and --runs on every
                 machine of a CI matrix); a counterexample replays with --seed S --path P alone
  --out FILE     also write the result as JSON, for --merge
  --merge        merge the JSON results named as arguments (shards of one campaign) and judge them
                 as one run: the matrix, the first failing case shrunk, exit 1 if one failed
  --suite FILE   check your own functions instead (a .json or .ts/.js suite file, as for
                 gradlab report --suite): N points per function from each function's domain

Exit codes: 0 every method agrees, 1 a real disagreement (the counterexample is printed), 2 a usage error.`;

function parseInteger(text: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} expects an integer from ${min} to ${max}, got '${text.length > 40 ? `${text.slice(0, 39)}…` : text}'`);
  }
  return value;
}

/** A fast-check replay path: run indices separated by ':' (`12:0:3`). */
function checkPath(path: string): string {
  const parts = path.split(':');
  if (path.length > 100_000 || !parts.every((p) => p.length > 0 && p.length <= 9 && [...p].every((c) => c >= '0' && c <= '9'))) {
    throw new UsageError(`--path expects the path a counterexample printed, numbers separated by ':' (e.g. 12:0:3), got '${path.length > 40 ? `${path.slice(0, 39)}…` : path}'`);
  }
  return path;
}

/** The registered methods named in `--methods` (when absent, all but aliases: each computation is judged once). */
export function selectMethods(spec: string | undefined): GradientMethod[] {
  const all = listMethods();
  if (spec === undefined) return withoutAliases(all);
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--methods names no method; give a comma-separated list such as autograd,numeric (registered: ${all.map((m) => m.name).join(', ')})`);
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown method ${unknown.join(', ')}; registered: ${all.map((m) => m.name).join(', ')}`);
  return all.filter((m) => names.includes(m.name));
}

function selectOps(spec: string | undefined): OpName[] | undefined {
  if (spec === undefined) return undefined;
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--ops names no op; give a comma-separated list such as add,mul,sin (ops: ${opNames.join(', ')})`);
  const unknown = names.filter((n) => !(opNames as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown op ${unknown.join(', ')}; ops: ${opNames.join(', ')}`);
  return names as OpName[];
}

/** The summary lines under the matrix. */
function summary(run: AgreementRun): string {
  const classes = Object.entries(run.pointClasses).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  return (
    `${run.runsCompleted} of ${run.runsRequested} random expressions (depth ≤ ${run.expression.depth ?? 4}; points: ${classes || 'none'}), ` +
    `${run.methods.length} methods, seed ${run.seed}, ${(run.timeMs / 1000).toFixed(1)} s`
  );
}

/**
 * A note for rows that passed with a large error: a numeric method passes when its error stays within its own
 * error estimate, so a large error there is a case where the method said its answer was poor, not a silent one.
 */
function honestFailures(rows: readonly AgreementRow[]): string {
  const large = rows.filter((row) => row.b === 'reference' && row.passed > 0 && row.maxError > 1e-3);
  if (large.length === 0) return '';
  const names = large.map((row) => `${row.a} (${row.maxError.toExponential(1)})`).join(', ');
  return (
    `note: large errors that still pass: ${names}. A numeric method passes when its error stays within its own ` +
    'error estimate; these are cases where the estimate said the answer was that poor (f ill-conditioned near the ' +
    'point, so differences of f lose their digits).\n'
  );
}

/** The run as JSON: the matrix rows, and the counterexample as its replay command and printed form (non-finite numbers as strings). */
function checkJson(run: AgreementRun, pairs: boolean, replay: string | undefined, notes: string): string {
  const counterexample = run.counterexample;
  const json = {
    seed: run.seed,
    runsRequested: run.runsRequested,
    runsCompleted: run.runsCompleted,
    methods: run.methods,
    timeMs: run.timeMs,
    ...(notes === '' ? {} : { notes: notes.trim().split('\n') }),
    rows: pairs ? run.rows : run.rows.filter((r) => r.b === 'reference'),
    counterexample: counterexample === undefined ? null : { seed: counterexample.seed, path: counterexample.path, replay, text: formatCounterexample(counterexample, replay!) },
  };
  return JSON.stringify(json, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value), 2);
}

/** How a run is printed: the matrix with every pair or against the reference only, and as a table or JSON. */
interface ReportStyle {
  readonly pairs: boolean;
  readonly json: boolean;
}

/** Prints the matrix (or JSON), the summary and the counterexample of `run`; returns the exit code. */
function report(run: AgreementRun, io: CliIo, style: ReportStyle, replayOptions: readonly string[], notes = ''): number {
  const replay = run.counterexample === undefined ? undefined : ['gradlab check', `--seed ${run.counterexample.seed}`, `--path "${run.counterexample.path}"`, ...replayOptions].join(' ');
  if (style.json) {
    io.stdout(`${checkJson(run, style.pairs, replay, notes)}\n`);
    return run.counterexample === undefined ? 0 : 1;
  }
  const table = matrixText(run.rows, style.pairs, io);
  const prose = (text: string) => matrixProse(text, io);
  io.stdout(`${table}\n${prose(summary(run))}\n${prose(notes)}${prose(honestFailures(run.rows))}`);
  if (run.counterexample === undefined) {
    io.stdout('every method agrees with the reference within its tolerance\n');
    return 0;
  }
  io.stdout(`\n${formatCounterexample(run.counterexample, replay!)}\n`);
  return 1;
}

/** The options a replay needs besides --seed and --path: the ones that change which case a path points to. */
function replayOptionsOf(spec: Pick<CampaignSpec, 'expression'>, methods: string | undefined): string[] {
  const { depth, ops } = spec.expression;
  return [
    ...(depth !== undefined ? [`--depth ${depth}`] : []),
    ...(methods !== undefined ? [`--methods ${methods}`] : []),
    ...(ops !== undefined ? [`--ops ${ops.join(',')}`] : []),
  ];
}

function readResult(file: string): CampaignResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--merge: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as CampaignResult;
  } catch {
    throw new UsageError(`--merge: ${file} is not JSON (write results with 'gradlab check --out FILE')`);
  }
}

function writeResult(file: string, result: CampaignResult): void {
  try {
    writeFileSync(file, `${JSON.stringify(result)}\n`);
  } catch (error) {
    throw new UsageError(`--out: cannot write ${file}: ${(error as Error).message}`);
  }
}

/** `--merge a.json b.json …`: one run from shards' results. */
function merge(files: readonly string[], values: { out?: string; pairs?: boolean; json?: boolean }, io: CliIo): number {
  if (files.length === 0) throw new UsageError(`--merge needs the JSON results to merge as arguments\n\n${help}`);
  let merged: CampaignResult;
  try {
    merged = mergeCampaigns(files.map(readResult));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--merge: ${(error as Error).message}`);
  }
  const methods = selectMethods(merged.spec.methods.join(','));
  if (values.out !== undefined) writeResult(values.out, merged);
  const missing = missingShards(merged);
  const notes = missing.length > 0 ? `note: shards ${missing.join(', ')} are missing: this is part of the campaign\n` : '';
  return report(campaignRun(merged, methods), io, { pairs: values.pairs === true, json: values.json === true }, replayOptionsOf(merged.spec, merged.spec.methods.join(',')), notes);
}

export const checkCommand: Command = {
  name: 'check',
  help,
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        runs: { type: 'string' },
        seed: { type: 'string' },
        depth: { type: 'string' },
        methods: { type: 'string' },
        ops: { type: 'string' },
        path: { type: 'string' },
        pairs: { type: 'boolean' },
        workers: { type: 'string' },
        shard: { type: 'string' },
        out: { type: 'string' },
        merge: { type: 'boolean' },
        json: { type: 'boolean' },
        suite: { type: 'string' },
      },
      help,
    );
    if (values.merge === true) {
      for (const option of ['runs', 'seed', 'depth', 'methods', 'ops', 'path', 'workers', 'shard'] as const) {
        if (values[option] !== undefined) throw new UsageError(`--merge takes the campaign from its files: drop --${option}`);
      }
      return merge(positionals, values, io);
    }
    if (positionals.length > 0) throw new UsageError(`gradlab check takes no expression (got '${positionals[0]}')\n\n${help}`);
    const long = process.env.GRADLAB_LONG === '1';
    const runs = parseInteger(values.runs, 'runs', 1) ?? (long ? longRuns : quickRuns);
    const seed = parseInteger(values.seed, 'seed', 0, 0xffffffff);
    const depth = parseInteger(values.depth, 'depth', 1);
    const workers = parseInteger(values.workers, 'workers', 1, 1024);
    let shard;
    try {
      shard = values.shard === undefined ? undefined : parseShard(values.shard);
    } catch (error) {
      throw new UsageError(`--shard: ${(error as Error).message}`);
    }
    if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a counterexample of one seed: give its --seed too');
    const path = values.path === undefined ? undefined : checkPath(values.path);
    const methods = selectMethods(values.methods);
    if (methods.length === 0) throw new UsageError('no methods to check');
    if (values.suite !== undefined) {
      const suiteSeed = seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
      return import('./check-suite.ts').then(({ checkSuite }) => checkSuite(values.suite!, { runs, seed: suiteSeed, methods, pairs: values.pairs === true }, io));
    }
    const ops = selectOps(values.ops);
    const expression = { ...(depth !== undefined ? { depth } : {}), ...(ops !== undefined ? { ops } : {}) };
    const replayOptions = replayOptionsOf({ expression }, values.methods);

    if (path !== undefined) {
      if (shard !== undefined || values.out !== undefined) throw new UsageError('--path replays one case: drop --shard and --out');
      let run: AgreementRun;
      try {
        run = runAgreement({ methods, runs, seed, path, expression: { depth, ops } });
      } catch (error) {
        throw new UsageError(`--path ${path} does not replay a case of seed ${seed}: ${(error as Error).message}`);
      }
      return report(run, io, { pairs: values.pairs === true, json: values.json === true }, replayOptions);
    }

    // Methods registered in this process only (a test's planted bug, a user's own) cannot run in worker threads.
    const local = methods.filter((m) => !builtinMethodNames.has(m.name)).map((m) => m.name);
    if (local.length > 0 && workers !== undefined && workers > 1) {
      throw new UsageError(`--workers ${workers}: ${local.join(', ')} ${local.length > 1 ? 'are' : 'is'} registered in this process only, so cannot run in worker threads; use --workers 1`);
    }
    const spec: CampaignSpec = {
      seed: seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0,
      runs,
      methods: methods.map((m) => m.name),
      expression,
    };
    // A terminal gets a counter redrawn in place; a pipe or CI log a line at every tenth of the cases.
    let tenthsShown = -1;
    const progress = io.isTTY
      ? (done: number, total: number) => io.stderr(`\rchecking: ${done}/${total}`)
      : (done: number, total: number) => {
          const tenths = Math.floor((done * 10) / Math.max(1, total));
          if (tenths > tenthsShown) {
            tenthsShown = tenths;
            io.stderr(`gradlab: checking: ${done} of ${total} expressions\n`);
          }
        };
    // Starting worker threads costs seconds (each loads the methods), so short runs stay in this thread unless asked.
    const defaultWorkers = runs >= 200 ? availableParallelism() : 1;
    const result = await runCampaign(spec, { workers: local.length > 0 ? 1 : (workers ?? defaultWorkers), shard, methods, onProgress: progress });
    if (io.isTTY) io.stderr('\r\x1b[K');
    if (values.out !== undefined) writeResult(values.out, result);
    const shardNote = shard !== undefined && shard.count > 1 ? `shard ${shard.index}/${shard.count} of the campaign (merge the shards' --out files with gradlab check --merge)\n` : '';
    return report(campaignRun(result, methods), io, { pairs: values.pairs === true, json: values.json === true }, replayOptions, shardNote);
  },
};
