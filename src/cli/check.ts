// `gradlab check`: the agreement property over random expressions, with an agreement matrix and shrunk counterexamples.
import { listMethods } from '../diff/registry.ts';
import type { GradientMethod } from '../diff/method.ts';
import { opNames, type OpName } from '../ir/ops.ts';
import { runAgreement, verdictMeaning, type AgreementRow, type AgreementRun } from '../harness/agreement.ts';
import { formatCounterexample } from '../harness/format.ts';
import { defaultFactors } from '../harness/tolerance.ts';
import { agreementTable, toCliTable } from '../report/tables.ts';
import { parseCommandArgs, UsageError, type CliIo, type Command } from './common.ts';

/** Runs in a quick check, and with GRADLAB_LONG=1. */
export const quickRuns = 100;
export const longRuns = 1000;

const help = `usage: gradlab check [--runs N] [--seed S] [--depth D] [--methods a,b] [--ops a,b] [--path P] [--pairs]

Runs the agreement property over N random expressions with points inside every op's domain: each
registered method's gradient must match a 64-digit BigNumber reference within a tolerance from an
error model (exact methods: ${defaultFactors.exact}× a first-order rounding bound that scales with
conditioning; numeric methods: also ${defaultFactors.numeric}× their own error estimate). Prints the
agreement matrix (each method against the reference; --pairs adds every pair of methods) and exits
1 with the shrunk counterexample (infix, Wengert list, every method's answer, seed and path) on a
real disagreement. Known cases are counted, not failed:
${(['unavailable', 'budget', 'non-finite', 'non-differentiable', 'under-resolved', 'simplify-invalid'] as const).map((v) => `  ${v.padEnd(19)}${verdictMeaning[v]}`).join('\n')}

Options:
  --runs N       random expressions (default ${quickRuns}; ${longRuns} with GRADLAB_LONG=1)
  --seed S       fast-check seed (default: a fresh one, printed so the run can be replayed)
  --depth D      maximum op depth of the expressions (default 4)
  --methods a,b  only these registered methods (default: all)
  --ops a,b      only these ops in the expressions (default: all)
  --path P       replay one counterexample (with its --seed)
  --pairs        also list every pair of methods in the matrix`;

function parseInteger(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} expects an integer ≥ ${min}, got '${text}'`);
  return value;
}

/** The registered methods named in `--methods` (all when absent). */
export function selectMethods(spec: string | undefined): GradientMethod[] {
  const all = listMethods();
  if (spec === undefined) return all;
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const unknown = names.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown method ${unknown.join(', ')}; registered: ${all.map((m) => m.name).join(', ')}`);
  return all.filter((m) => names.includes(m.name));
}

function selectOps(spec: string | undefined): OpName[] | undefined {
  if (spec === undefined) return undefined;
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
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

export const checkCommand: Command = {
  name: 'check',
  help,
  run(args: string[], io: CliIo) {
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
      },
      help,
    );
    if (positionals.length > 0) throw new UsageError(`gradlab check takes no expression (got '${positionals[0]}')\n\n${help}`);
    const long = process.env.GRADLAB_LONG === '1';
    const runs = parseInteger(values.runs, 'runs', 1) ?? (long ? longRuns : quickRuns);
    const seed = parseInteger(values.seed, 'seed', 0);
    const depth = parseInteger(values.depth, 'depth', 1);
    if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a counterexample of one seed: give its --seed too');
    const methods = selectMethods(values.methods);
    if (methods.length === 0) throw new UsageError('no methods to check');
    const ops = selectOps(values.ops);
    const progress = io.isTTY ? (i: number) => io.stderr(`\rchecking: ${i + 1}/${runs}`) : undefined;
    const run = runAgreement({
      methods,
      runs,
      seed,
      path: values.path,
      expression: { depth, ops },
      onCase: progress,
    });
    if (progress) io.stderr('\r\x1b[K');
    io.stdout(`${toCliTable(agreementTable(run.rows, { pairs: values.pairs === true }))}\n${summary(run)}\n${honestFailures(run.rows)}`);
    if (run.counterexample === undefined) {
      io.stdout('every method agrees with the reference within its tolerance\n');
      return 0;
    }
    const replay = [
      'gradlab check',
      `--seed ${run.counterexample.seed}`,
      `--path "${run.counterexample.path}"`,
      ...(depth !== undefined ? [`--depth ${depth}`] : []),
      ...(values.methods !== undefined ? [`--methods ${values.methods}`] : []),
      ...(values.ops !== undefined ? [`--ops ${values.ops}`] : []),
    ].join(' ');
    io.stdout(`\n${formatCounterexample(run.counterexample, replay)}\n`);
    return 1;
  },
};
