// Assembles the report: runs every section that applies to the suite (measure, then render), numbers them, and collects the data.
import { cpus } from 'node:os';
import type { GradientMethod } from '../diff/method.ts';
import { withoutAliases } from '../diff/registry.ts';
import { askMethod, type MethodOptions } from '../harness/answers.ts';
import type { Suite } from '../harness/suite.ts';
import { builtinSuite } from '../harness/suites/builtin.ts';
import { defaultFactors } from '../harness/tolerance.ts';
import { profiles, type ProfileSettings, type ReportData, type ReportMeta, type ReportProfile, type Section, type SectionContext } from './section.ts';
import { sections as allSections } from './sections/index.ts';

export { profiles, type Figure, type ProfileSettings, type ReportData, type ReportMeta, type ReportProfile, type Section } from './section.ts';

/** Options for {@link buildReport}. */
export interface BuildOptions {
  readonly seed: number;
  readonly profile: ReportProfile;
  readonly methods: readonly GradientMethod[];
  /** The suite to report on (default: the built-in suite). */
  readonly suite?: Suite;
  /** Called as work progresses: fraction done (0..1) and what is running. */
  readonly onProgress?: (fraction: number, label: string) => void;
}

const symbolicNames = ['symbolic', 'symbolic-simplified'];

function methodOptionsFor(settings: ProfileSettings): MethodOptions {
  return Object.fromEntries(symbolicNames.map((n) => [n, { timeBudgetMs: settings.symbolicBudgetMs }]));
}

/** The method kinds, judged by what they return on a simple probe (numeric methods report an error estimate). */
function methodKinds(methods: readonly GradientMethod[]): Map<string, 'exact' | 'numeric'> {
  const probe = builtinSuite().functions[0];
  return new Map(methods.map((m) => [m.name, askMethod(m, probe).result?.errorEstimate !== undefined ? 'numeric' : 'exact']));
}

/**
 * Runs every section that applies to the suite (the built-in suite by default) and assembles the report:
 * sections with tables, figures and captions computed from the measurements, plus every number for the JSON report.
 */
export async function buildReport(options: BuildOptions): Promise<ReportData> {
  const start = performance.now();
  const settings = profiles[options.profile];
  const suite = options.suite ?? builtinSuite({ chainDepth: settings.chainDepth });
  const methods = withoutAliases(options.methods);
  const kinds = methodKinds(methods);
  const methodOptions = methodOptionsFor(settings);
  const timingOptions: MethodOptions = {
    ...methodOptions,
    ...Object.fromEntries(methods.filter((m) => kinds.get(m.name) === 'numeric').map((m) => [m.name, { estimate: false }])),
  };
  const active = allSections.filter((s) => s.applies?.(suite) ?? true);
  const total = active.reduce((s, x) => s + x.weight, 0);
  let done = 0;
  const sections: Section[] = [];
  const data: Record<string, unknown> = {};
  for (const [i, section] of active.entries()) {
    const ctx: SectionContext = {
      seed: options.seed,
      profile: options.profile,
      settings,
      methods,
      kinds,
      methodOptions,
      timingOptions,
      suite,
      progress: (fraction, label) => options.onProgress?.(Math.min(1, (done + section.weight * Math.max(0, Math.min(1, fraction))) / total), label),
    };
    ctx.progress(0, section.id);
    const measured = await section.measure(suite, settings, ctx);
    const blocks = await section.render(measured, ctx);
    sections.push({ ...blocks, id: section.id, number: i + 1 });
    data[section.dataKey] = section.json ? section.json(measured) : measured;
    done += section.weight;
    options.onProgress?.(done / total, `${section.id} done`);
  }
  const meta: ReportMeta = {
    title: suite.name === 'built-in' ? 'gradlab report: symbolic, numeric and automatic differentiation, measured' : `gradlab report on ${suite.name}: symbolic, numeric and automatic differentiation, measured`,
    suite: suite.name,
    profile: options.profile,
    seed: options.seed,
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    platform: `${process.platform} ${process.arch}`,
    methods: methods.map((m) => ({ name: m.name, summary: m.summary, kind: kinds.get(m.name) ?? 'exact' })),
    tolerance: { exactFactor: defaultFactors.exact, numericFactor: defaultFactors.numeric },
    runtimeMs: 0,
  };
  meta.runtimeMs = performance.now() - start;
  return { meta, sections, data };
}
