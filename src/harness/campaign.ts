// Agreement campaigns across cores and machines: deterministic shards, a worker-thread pool, and mergeable JSON results.
//
// A campaign is the agreement property's first `runs` cases for one seed: case k is the k-th value fast-check draws
// for that seed (`fc.sample` and `fc.check` draw the same sequence), so any subset of cases can be judged anywhere
// and case k is still the case `gradlab check --seed S --path k` replays. A shard i/n takes the cases k ≡ i−1 (mod n);
// workers take batches of a shard's cases. Like the property, a campaign stops at its first failing case: the
// results keep every case up to the first failure (by index, so the tally is the same however the work was split),
// and that case is shrunk in the calling thread with `fc.check({ seed, path: String(k) })`, whose counterexample path
// is exactly the one a single-threaded run finds.
//
// Workers: a tinypool of worker threads running `campaign-worker` (see `workerEntry`). The worker's URL is resolved
// next to this module's own URL, so it is the TypeScript source (through tsx) when gradlab runs from source, and the
// compiled sibling when it runs from a build.
import { availableParallelism } from 'node:os';
import fc from 'fast-check';
import type { GradientMethod } from '../diff/method.ts';
import { opNames } from '../ir/ops.ts';
import { AgreementTally, judgeCase, runAgreement, type AgreementRun, type CaseReport, type Counterexample, type Verdict } from './agreement.ts';
import { expressionWithPoint, type ExpressionOptions } from './arbitraries.ts';
import type { GradientCase } from './arbitraries.ts';
import type { ToleranceFactors } from './tolerance.ts';

/** The expression options a campaign can send to other threads and machines (no predicates). */
export type CampaignExpression = Pick<ExpressionOptions, 'ops' | 'depth' | 'variables' | 'maxOps' | 'margin' | 'maxMagnitude' | 'range'>;

/** What defines a campaign: the same spec gives the same cases on every machine. */
export interface CampaignSpec {
  readonly seed: number;
  readonly runs: number;
  /** Registered method names (workers look them up in their own registry). */
  readonly methods: readonly string[];
  readonly expression: CampaignExpression;
  readonly factors?: ToleranceFactors;
}

/** Shard `index` of `count`, 1-based (`--shard 3/4`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One judged case, as much as the agreement matrix needs. */
export interface CaseSummary {
  readonly index: number;
  readonly pointClass: CaseReport['pointClass'];
  readonly failed: boolean;
  readonly answers: readonly { readonly method: string; readonly verdict: Verdict; readonly error?: number }[];
  readonly pairs: readonly { readonly a: string; readonly b: string; readonly verdict: Verdict; readonly difference?: number }[];
}

/** A campaign's (or a shard's) result, as written by `gradlab check --out` and read by `--merge`. */
export interface CampaignResult {
  readonly format: 'gradlab-check';
  readonly version: 1;
  readonly spec: CampaignSpec;
  /** The shards this result covers (one, or several after a merge). */
  readonly shards: readonly Shard[];
  /** Judged cases, by index: every case of the covered shards up to the first failure. */
  readonly cases: readonly CaseSummary[];
  /** Index of the first failing case, if any. */
  readonly firstFailure: number | null;
  readonly timeMs: number;
}

/**
 * Reads `i/n` (1 ≤ i ≤ n).
 * @throws RangeError saying what a shard looks like.
 */
export function parseShard(text: string): Shard {
  const slash = text.indexOf('/');
  const index = Number(text.slice(0, slash));
  const count = Number(text.slice(slash + 1));
  const digits = (s: string) => s.length > 0 && s.length <= 9 && [...s].every((c) => c >= '0' && c <= '9');
  if (slash < 0 || !digits(text.slice(0, slash)) || !digits(text.slice(slash + 1)) || count < 1 || index < 1 || index > count) {
    throw new RangeError(`a shard is i/n with 1 ≤ i ≤ n (e.g. 3/4), got '${text.length > 40 ? `${text.slice(0, 39)}…` : text}'`);
  }
  return { index, count };
}

/** The case indices of `shard` in a campaign of `runs` cases: k ≡ index − 1 (mod count), ascending. */
export function shardIndices(runs: number, shard: Shard): number[] {
  const indices: number[] = [];
  for (let k = shard.index - 1; k < runs; k += shard.count) indices.push(k);
  return indices;
}

/** Checks a spec that came from a user or a file, so workers never see a malformed one. */
export function checkSpec(spec: CampaignSpec): CampaignSpec {
  const { seed, runs, methods, expression } = spec;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`campaign seed must be an integer in [0, 2^32), got ${String(seed)}`);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`campaign runs must be a whole number ≥ 1, got ${String(runs)}`);
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) throw new RangeError('campaign methods must be a non-empty list of method names');
  if (typeof expression !== 'object' || expression === null) throw new RangeError('campaign expression options must be an object');
  for (const op of expression.ops ?? []) if (!(opNames as readonly string[]).includes(op)) throw new RangeError(`unknown op '${String(op)}' in the campaign`);
  return spec;
}

/** Cases of one spec, drawn once per thread and kept while the same spec is being judged. */
let drawn: { key: string; cases: GradientCase[] } | undefined;

function casesOf(spec: CampaignSpec): GradientCase[] {
  const key = JSON.stringify([spec.seed, spec.runs, spec.expression]);
  if (drawn?.key !== key) drawn = { key, cases: fc.sample(expressionWithPoint(spec.expression), { seed: spec.seed, numRuns: spec.runs }) };
  return drawn.cases;
}

function summarize(index: number, report: CaseReport): CaseSummary {
  return {
    index,
    pointClass: report.pointClass,
    failed: report.failed,
    answers: report.answers.map((a) => ({ method: a.method, verdict: a.verdict, ...(a.error !== undefined ? { error: a.error } : {}) })),
    pairs: report.pairs.map((p) => ({ a: p.a, b: p.b, verdict: p.verdict, ...(p.difference !== undefined ? { difference: p.difference } : {}) })),
  };
}

/**
 * Judges the cases `indices` (ascending) of `spec` with `methods`, stopping after the first failing one.
 * What a worker runs for each batch; also the in-thread path.
 */
export function judgeIndices(spec: CampaignSpec, indices: readonly number[], methods: readonly GradientMethod[]): CaseSummary[] {
  const cases = casesOf(spec);
  const out: CaseSummary[] = [];
  for (const k of indices) {
    const summary = summarize(k, judgeCase(cases[k], methods, { factors: spec.factors }));
    out.push(summary);
    if (summary.failed) break;
  }
  return out;
}

/** Options for {@link runCampaign}. */
export interface CampaignOptions {
  /** Worker threads; 1 judges in this thread. Default: every core (`os.availableParallelism()`). */
  readonly workers?: number;
  /** Default: the whole campaign (1/1). */
  readonly shard?: Shard;
  /** The methods, for judging in this thread (workers use their registry's methods of the same names). */
  readonly methods: readonly GradientMethod[];
  /** Cases per task sent to a worker; default 8. */
  readonly batch?: number;
  /** Called as batches complete, with the cases judged so far. */
  readonly onProgress?: (judged: number, total: number) => void;
}

/**
 * The worker entry next to this module: `campaign-worker.js` in a build, and from source `campaign-worker-source.mjs`,
 * which loads `campaign-worker.ts` with tsx's `tsImport` (a loader registered in the main thread does not reach
 * worker threads on Node 20, and `--import` in a worker's execArgv does not install one there either).
 */
export function workerEntry(): string {
  const source = import.meta.url.endsWith('.ts');
  return new URL(source ? './campaign-worker-source.mjs' : './campaign-worker.js', import.meta.url).href;
}

/**
 * Judges a campaign (or one shard of it) on a pool of worker threads, stopping at the first failing case.
 * Deterministic: the result is the same for any number of workers and batch size.
 */
export async function runCampaign(spec: CampaignSpec, options: CampaignOptions): Promise<CampaignResult> {
  checkSpec(spec);
  const start = performance.now();
  const shard = options.shard ?? { index: 1, count: 1 };
  const indices = shardIndices(spec.runs, shard);
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a whole number ≥ 1, got ${String(workers)}`);
  const batch = options.batch ?? 8;
  const batches: number[][] = [];
  for (let i = 0; i < indices.length; i += batch) batches.push(indices.slice(i, i + batch));
  const judged: CaseSummary[] = [];
  let firstFailure = Infinity;
  const take = (summaries: readonly CaseSummary[]) => {
    for (const s of summaries) {
      judged.push(s);
      if (s.failed) firstFailure = Math.min(firstFailure, s.index);
    }
    options.onProgress?.(judged.length, indices.length);
  };

  if (workers === 1 || batches.length <= 1) {
    for (const b of batches) {
      if (b[0] > firstFailure) break;
      take(judgeIndices(spec, b, options.methods));
    }
  } else {
    const { default: Tinypool } = await import('tinypool');
    const pool = new Tinypool({ filename: workerEntry(), minThreads: 1, maxThreads: Math.min(workers, batches.length) });
    const controllers = batches.map(() => new AbortController());
    try {
      await Promise.all(
        batches.map(async (b, i) => {
          try {
            const result = (await pool.run({ spec, indices: b }, { signal: controllers[i].signal })) as CaseSummary[];
            take(result);
            // Later batches cannot change the result once a case before them failed.
            if (Number.isFinite(firstFailure)) batches.forEach((later, j) => { if (later[0] > firstFailure) controllers[j].abort(); });
          } catch (error) {
            if (!controllers[i].signal.aborted) throw error;
          }
        }),
      );
    } finally {
      await pool.destroy();
    }
  }
  const cases = judged.filter((s) => s.index <= firstFailure).sort((a, b) => a.index - b.index);
  return {
    format: 'gradlab-check',
    version: 1,
    spec,
    shards: [shard],
    cases,
    firstFailure: Number.isFinite(firstFailure) ? firstFailure : null,
    timeMs: performance.now() - start,
  };
}

/**
 * Merges results of shards of one campaign (same spec) into one, as if it had run in one place: every case up to the
 * first failure over all of them. Shards may be missing (the merge covers what it was given: see `shards`).
 * @throws Error when the results are not campaign results, belong to different campaigns, or overlap.
 */
export function mergeCampaigns(results: readonly CampaignResult[]): CampaignResult {
  if (results.length === 0) throw new Error('nothing to merge');
  for (const r of results) {
    if (r === null || typeof r !== 'object' || r.format !== 'gradlab-check' || r.version !== 1 || !Array.isArray(r.cases) || !Array.isArray(r.shards)) {
      throw new Error("not a gradlab check result (write one with 'gradlab check --out FILE')");
    }
  }
  const spec = checkSpec(results[0].spec);
  const key = JSON.stringify(spec);
  for (const r of results) {
    if (JSON.stringify(r.spec) !== key) {
      throw new Error(`results of different campaigns cannot be merged (${describeSpec(spec)} vs ${describeSpec(r.spec)})`);
    }
  }
  const seen = new Set<number>();
  for (const r of results) {
    for (const c of r.cases) {
      if (seen.has(c.index)) throw new Error(`case ${c.index} appears in two results: merge each shard once`);
      seen.add(c.index);
    }
  }
  const failures = results.map((r) => r.firstFailure).filter((f): f is number => f !== null);
  const firstFailure = failures.length > 0 ? Math.min(...failures) : null;
  const cases = results.flatMap((r) => r.cases).filter((c) => firstFailure === null || c.index <= firstFailure).sort((a, b) => a.index - b.index);
  return { format: 'gradlab-check', version: 1, spec, shards: results.flatMap((r) => r.shards), cases, firstFailure, timeMs: results.reduce((s, r) => s + r.timeMs, 0) };
}

function describeSpec(spec: CampaignSpec): string {
  return `seed ${spec.seed}, ${spec.runs} runs, methods ${spec.methods.join(',')}, expression ${JSON.stringify(spec.expression)}`;
}

/** Which of the campaign's shards a (merged) result still lacks, as `i/n` texts. */
export function missingShards(result: CampaignResult): string[] {
  const count = result.shards[0]?.count ?? 1;
  if (result.shards.some((s) => s.count !== count)) return [];
  const have = new Set(result.shards.map((s) => s.index));
  const missing: string[] = [];
  for (let i = 1; i <= count; i++) if (!have.has(i)) missing.push(`${i}/${count}`);
  return missing;
}

/**
 * The agreement run a campaign result stands for: its matrix, and, when a case failed, that case shrunk in this
 * thread (its seed and path replay it with `gradlab check --seed S --path P`).
 */
export function campaignRun(result: CampaignResult, methods: readonly GradientMethod[]): AgreementRun {
  const tally = new AgreementTally();
  const pointClasses = { smooth: 0, 'non-finite': 0, 'non-differentiable': 0 };
  for (const c of result.cases) {
    // The tally reads only each answer's and pair's names, verdict and error, which a summary keeps.
    tally.add(c as unknown as CaseReport);
    pointClasses[c.pointClass]++;
  }
  let counterexample: Counterexample | undefined;
  if (result.firstFailure !== null) {
    const replay = runAgreement({ methods, seed: result.spec.seed, path: String(result.firstFailure), expression: result.spec.expression, factors: result.spec.factors });
    counterexample = replay.counterexample;
  }
  return {
    seed: result.spec.seed,
    runsRequested: result.spec.runs,
    runsCompleted: result.cases.length,
    methods: [...result.spec.methods],
    rows: tally.table(),
    counterexample,
    pointClasses,
    expression: result.spec.expression,
    timeMs: result.timeMs,
  };
}
