// The worker-thread entry of agreement campaigns: judges one batch of a campaign's cases with this thread's registered methods.
import { getMethod } from '../diff/registry.ts';
import { checkSpec, judgeIndices, type CampaignSpec, type CaseSummary } from './campaign.ts';

/** One batch: the campaign and the case indices (ascending) to judge. */
export interface CampaignTask {
  readonly spec: CampaignSpec;
  readonly indices: readonly number[];
}

/** Judges the batch, stopping after its first failing case (tinypool calls the default export). */
export default function judgeBatch(task: CampaignTask): CaseSummary[] {
  const spec = checkSpec(task.spec);
  return judgeIndices(spec, task.indices, spec.methods.map((name) => getMethod(name)));
}
