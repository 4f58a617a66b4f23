// Specification of campaigns: shards and worker threads split the agreement property without changing its result,
// and a counterexample found anywhere replays with its seed and path alone.
import { describe, expect, it } from 'vitest';
import { getMethod } from '../../src/diff/registry.ts';
import { runAgreement } from '../../src/harness/agreement.ts';
import { campaignRun, mergeCampaigns, missingShards, parseShard, runCampaign, shardIndices, type CampaignSpec } from '../../src/harness/campaign.ts';

const autograd = [getMethod('autograd')];
// A tolerance of 1e-30 rounding bounds fails autograd wherever its rounding differs from the reference at all:
// a planted disagreement that strikes some cases and not others (for seed 1: cases 2, 6, 7, 8, …).
const planted: CampaignSpec = { seed: 1, runs: 24, methods: ['autograd'], expression: { depth: 3 }, factors: { exact: 1e-30, numeric: 1e-30, floor: 0 } };
const clean: CampaignSpec = { seed: 7, runs: 12, methods: ['autograd', 'numeric-central'], expression: { depth: 3, ops: ['add', 'mul', 'sin', 'exp', 'log'] } };
const both = ['autograd', 'numeric-central'].map((n) => getMethod(n));

describe('shards', () => {
  it('parseShard reads i/n and refuses anything else by name', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['0/4', '5/4', '3', '/4', '3/', 'a/b', '1/0', '1.5/4', ' 1/2', '1/2/3']) expect(() => parseShard(bad)).toThrow(/a shard is i\/n with 1 ≤ i ≤ n/);
  });

  it('the shards of a campaign partition its cases', () => {
    const all = [1, 2, 3, 4].flatMap((i) => shardIndices(10, { index: i, count: 4 })).sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(shardIndices(10, { index: 3, count: 4 })).toEqual([2, 6]);
  });

  it('merging every shard gives exactly the single run: the same cases, verdicts and first failure', async () => {
    const whole = await runCampaign(planted, { workers: 1, methods: autograd });
    const shards = await Promise.all([1, 2, 3, 4].map((i) => runCampaign(planted, { workers: 1, methods: autograd, shard: { index: i, count: 4 } })));
    // Each shard stops at its own first failure; the merge keeps what a single run would have judged.
    const merged = mergeCampaigns([shards[2], shards[0], shards[3], shards[1]]);
    expect(merged.cases).toEqual(whole.cases);
    expect(merged.firstFailure).toBe(whole.firstFailure);
    expect(merged.firstFailure).toBeGreaterThan(0);
    expect(missingShards(merged)).toEqual([]);
    expect(missingShards(mergeCampaigns([shards[0], shards[2]]))).toEqual(['2/4', '4/4']);
  });

  it('a counterexample found in one shard replays with --seed and --path alone, as in a single-threaded run', async () => {
    const serial = runAgreement({ methods: autograd, seed: planted.seed, runs: planted.runs, expression: planted.expression, factors: planted.factors });
    expect(serial.counterexample).toBeDefined();
    const failing = [1, 2, 3, 4].map((i) => ({ index: i, count: 4 })).find((s) => shardIndices(planted.runs, s).includes(Number(serial.counterexample!.path.split(':')[0])))!;
    const shard = await runCampaign(planted, { workers: 1, methods: autograd, shard: failing });
    const run = campaignRun(shard, autograd);
    expect(run.counterexample!.seed).toBe(serial.counterexample!.seed);
    expect(run.counterexample!.path).toBe(serial.counterexample!.path);
    const replay = runAgreement({ methods: autograd, seed: run.counterexample!.seed, path: run.counterexample!.path, expression: planted.expression, factors: planted.factors });
    expect(replay.counterexample!.report.case.expr).toBe(serial.counterexample!.report.case.expr);
  });

  it('refuses to merge results of different campaigns, the same shard twice, or files that are not results', async () => {
    const a = await runCampaign(clean, { workers: 1, methods: both, shard: { index: 1, count: 2 } });
    const b = await runCampaign({ ...clean, seed: 8 }, { workers: 1, methods: both, shard: { index: 2, count: 2 } });
    expect(() => mergeCampaigns([a, b])).toThrow(/results of different campaigns cannot be merged \(seed 7, .* vs seed 8/);
    expect(() => mergeCampaigns([a, a])).toThrow(/case 0 appears in two results/);
    expect(() => mergeCampaigns([{ hello: 1 } as never])).toThrow(/not a gradlab check result/);
    expect(() => mergeCampaigns([])).toThrow('nothing to merge');
  });
});

describe('worker threads', () => {
  it('a campaign on 2 worker threads judges the same cases with the same verdicts as one thread, and stops at the same failure', async () => {
    const one = await runCampaign(planted, { workers: 1, methods: autograd });
    const two = await runCampaign(planted, { workers: 2, methods: autograd, batch: 3 });
    expect(two.cases).toEqual(one.cases);
    expect(two.firstFailure).toBe(one.firstFailure);
    const cleanOne = await runCampaign(clean, { workers: 1, methods: both });
    const cleanTwo = await runCampaign(clean, { workers: 2, methods: both, batch: 4 });
    expect(cleanTwo.cases).toEqual(cleanOne.cases);
    expect(cleanTwo.cases).toHaveLength(clean.runs);
    expect(cleanTwo.firstFailure).toBeNull();
  }, 180_000);

  it('refuses a worker count that is not a whole number ≥ 1', async () => {
    for (const bad of [0, -1, 1.5, NaN]) await expect(runCampaign(clean, { workers: bad, methods: both })).rejects.toThrow(/workers must be a whole number ≥ 1/);
  });
});
