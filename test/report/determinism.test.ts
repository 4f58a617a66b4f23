// The same seed gives the same report apart from timings (and what timings decide: budget cut-offs, speed ratios).
import { expect, it } from 'vitest';
import { listMethods } from '../../src/diff/registry.ts';
import { buildReport } from '../../src/report/build.ts';

/**
 * The report's data without what time and the heap decide: every field measured in time, the measured heap of a tape (`retained`), and the outcome of mathjs's simplify
 * (the swell section's `simplified` cells, where a time budget stops it at a step that depends on the machine's load).
 */
function withoutTimings(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) =>
    /time|Ms$|ms$|ratio|seconds|runtime|date|generated|speed|load|cpu|crossoverTime|^simplified$|^fCompiled$|^fInterpreted$|^steady$|^remeasured$|^msPerStep$|^retained$/i.test(key) ? undefined : v,
  );
}

/**
 * The cost sweep tries a method at the next n only when its measured time predicts one call to be fast enough:
 * which methods run beyond the first n is decided by time. At the first n every method is tried.
 */
function firstCostSizeOnly(data: unknown): unknown {
  const cost = (data as { cost?: { sweeps: { sweep: { ns: number[]; points: { n: number }[] } }[] } }).cost;
  for (const { sweep } of cost?.sweeps ?? []) sweep.points = sweep.points.filter((p) => p.n === sweep.ns[0]);
  return data;
}

it('two runs with one seed give the same numbers apart from timings', async () => {
  // Methods whose results depend on a time budget are left out: a cut-off depends on the machine's speed.
  const methods = listMethods().filter((m) => m.name !== 'symbolic-simplified');
  const first = await buildReport({ seed: 11, profile: 'tiny', methods });
  const second = await buildReport({ seed: 11, profile: 'tiny', methods });
  const [a, b] = [withoutTimings(first.data), withoutTimings(second.data)].map(firstCostSizeOnly);
  expect(b).toEqual(a);
  expect(JSON.stringify(a).length).toBeGreaterThan(10_000);
}, 120_000);
