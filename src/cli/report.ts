// `gradlab report`: runs the built-in suite, or the user's (--expr/--at, --suite), and writes the Markdown, HTML and JSON reports with SVG figures.
import { rm } from 'node:fs/promises';
import { listMethods } from '../diff/registry.ts';
import { buildReport, profiles, type ReportProfile } from '../report/build.ts';
import { ProgressBar } from '../report/progress.ts';
import { writeReport } from '../report/write.ts';
import { parseCommandArgs, proseWidthWhenPiped, UsageError, type CliIo, type Command } from './common.ts';
import { wrapProse } from '../report/tables.ts';
import type { Suite } from '../harness/suite.ts';
import { SuiteError, suiteFromExpressions } from '../harness/user-suite.ts';
import { loadSuiteFile } from './suite-file.ts';

/** The seed of the default suite: the committed example report uses it, so a fresh run reproduces its tables. */
export const defaultReportSeed = 20261122;

const help = `usage: gradlab report [--out reports] [--quick] [--seed S] [--profile full|quick|tiny] [--json]
       gradlab report --expr "<expr>" --at x=1,y=2 [--expr ... --at ...] [options]
       gradlab report --suite my-suite.json|my-suite.ts [options]

Runs a suite with every registered method and writes
  report.md     Markdown, figures as files
  report.html   one self-contained page (figures inline, opens offline)
  report.json   every number, with the seed, Node version, CPU and date
  figures/*.svg plots (vega-lite) and the computational graph (Graphviz)
into the output folder. The built-in suite gives twelve sections: 1 the seeds' lessons, every
method side by side, 2 accuracy and the error-versus-step V curve, 3 cost against the number of
inputs, 4 expression swell, 5 the agreement run, 6 pitfalls, 7 a computational graph, 8 Baydin's
evaluation traces, 9 higher-order derivatives, 10 tall versus wide Jacobians, 11 control flow,
12 training a network with AD and with finite differences.

Your own functions get the same report (sections 1, 2, 5 and 7 for functions; 3 and 4 for
families): --expr with --at (repeatable, paired in order; one --at serves every --expr), or
--suite with a JSON file { "functions": [{ "name", "expr", "at": {x: 1}, "domain": {x: [lo, hi]} }] }
or a .ts/.js module exporting the same, plus families: [{ name, family: (n) => "expression" }].
Files are written atomically; the same seed gives the same tables apart from timings.

Options:
  --out DIR      output folder (default reports)
  --quick        the quick profile: under a minute (${profiles.quick.agreementRuns} agreement runs, n up to ${profiles.quick.costNs[profiles.quick.costNs.length - 1]})
  --profile P    full (default: ${profiles.full.agreementRuns} agreement runs, n = ${profiles.full.costNs.join(', ')}), quick, or tiny (for tests)
  --seed S       seed of the random parts (default ${defaultReportSeed})
  --expr E       a function of yours (repeatable)
  --at P         its point, name=value,... (repeatable)
  --suite FILE   a suite file (.json, .ts, .mts, .js, .mjs)
  --json         print { out, files, profile, seed, methods, runtimeMs, sections } as JSON instead of the summary`;

/** The suite the options ask for: the user's (--expr/--at or --suite) or undefined for the built-in one. */
async function suiteFromOptions(values: { expr?: string[]; at?: string[]; suite?: string }): Promise<Suite | undefined> {
  const exprs = values.expr ?? [];
  const ats = values.at ?? [];
  if (values.suite !== undefined && (exprs.length > 0 || ats.length > 0)) throw new UsageError('give either --suite or --expr/--at, not both');
  if (values.suite !== undefined) return loadSuiteFile(values.suite);
  if (exprs.length === 0 && ats.length === 0) return undefined;
  try {
    return suiteFromExpressions(exprs, ats);
  } catch (error) {
    if (error instanceof SuiteError) throw new UsageError(error.message);
    throw error;
  }
}

export const reportCommand: Command = {
  name: 'report',
  help,
  async run(args: string[], io: CliIo) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        out: { type: 'string' },
        quick: { type: 'boolean' },
        seed: { type: 'string' },
        profile: { type: 'string' },
        expr: { type: 'string', multiple: true },
        at: { type: 'string', multiple: true },
        suite: { type: 'string' },
        json: { type: 'boolean' },
      },
      help,
    );
    if (positionals.length > 0) throw new UsageError(`gradlab report takes no arguments besides options (got '${positionals[0]}')\n\n${help}`);
    const seed = values.seed === undefined ? defaultReportSeed : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed expects a non-negative integer, got '${values.seed}'`);
    const profile = (values.profile ?? (values.quick ? 'quick' : 'full')) as ReportProfile;
    if (!(profile in profiles)) throw new UsageError(`--profile must be full, quick or tiny, got '${values.profile}'`);
    if (values.quick && values.profile !== undefined && values.profile !== 'quick') throw new UsageError('--quick and --profile disagree: give one');
    const suite = await suiteFromOptions(values);
    const out = values.out ?? 'reports';
    const methods = listMethods();
    const bar = new ProgressBar((t) => io.stderr(t), io.isTTY ? 'bar' : 'lines', undefined, io.columns ?? proseWidthWhenPiped);
    const staging: { dir?: string } = {};
    // An interrupt leaves the previous report as it was: remove the staging folder and stop.
    const onSignal = () => {
      bar.done();
      if (staging.dir) void rm(staging.dir, { recursive: true, force: true }).finally(() => process.exit(130));
      else process.exit(130);
    };
    process.once('SIGINT', onSignal);
    try {
      const report = await buildReport({ seed, profile, methods, suite, onProgress: (f, label) => bar.update(f, label) });
      bar.update(1, 'writing');
      const written = await writeReport(report, out, staging);
      bar.done();
      if (values.json) {
        const sections = report.sections.map((s) => ({ number: s.number, title: s.title, caption: s.caption }));
        const summary = { out, files: written, suite: report.meta.suite, profile, seed, methods: report.meta.methods.map((m) => m.name), runtimeMs: report.meta.runtimeMs, sections };
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      }
      // Prose at the terminal's width (80 when piped), each section's takeaway indented under its number.
      const width = io.columns ?? proseWidthWhenPiped;
      io.stdout(
        [
          `wrote ${written.filter((p) => !p.includes('figures')).join(', ')} and ${written.filter((p) => p.includes('figures')).length} figures in ${out}/figures`,
          `suite ${report.meta.suite}, profile ${profile}, seed ${seed}, ${report.meta.methods.length} methods, ${(report.meta.runtimeMs / 1000).toFixed(1)} s`,
          ...report.sections.map((s) => `${s.number}. ${s.title}: ${s.caption}`),
        ].map((paragraph) => wrapProse(paragraph, width, '    ')).join('\n') + '\n',
      );
      return 0;
    } finally {
      process.removeListener('SIGINT', onSignal);
      bar.done();
    }
  },
};
