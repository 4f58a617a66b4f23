// `gradlab check --suite FILE`: the agreement property on the user's functions, at points drawn from each function's domain.
import type { GradientMethod } from '../diff/method.ts';
import { runFunctionAgreement } from '../harness/function-agreement.ts';
import { formatCase } from '../harness/format.ts';
import type { CliIo } from './common.ts';
import { matrixProse, matrixText } from './matrix.ts';
import { loadSuiteFile } from './suite-file.ts';

/**
 * Loads the suite, judges every method at `runs` points per function (the function's own point first, the rest
 * drawn from its domain with `seed`), prints the agreement matrix, and returns 1 with the failing case on a real
 * disagreement, else 0.
 */
export async function checkSuite(path: string, options: { runs: number; seed: number; methods: readonly GradientMethod[]; pairs: boolean }, io: CliIo): Promise<number> {
  const suite = await loadSuiteFile(path);
  if (suite.functions.length === 0) {
    io.stdout(`${suite.name} has no functions (families are for the report's cost and swell sections): nothing to check\n`);
    return 0;
  }
  const progress = io.isTTY ? (i: number, total: number) => io.stderr(`\rchecking: ${i + 1}/${total}`) : undefined;
  const run = runFunctionAgreement({ functions: suite.functions, methods: options.methods, pointsPerFunction: options.runs, seed: options.seed, onCase: progress });
  if (progress) io.stderr('\r\x1b[K');
  const classes = Object.entries(run.pointClasses).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ');
  io.stdout(
    `${matrixText(run.rows, options.pairs, io)}\n` +
      `${matrixProse(
        `${suite.functions.length} functions of ${suite.name} (${suite.functions.map((f) => f.name).join(', ')}), ${options.runs} points each (points: ${classes || 'none'}), ` +
          `${run.methods.length} methods, seed ${run.seed}, ${(run.timeMs / 1000).toFixed(1)} s`,
        io,
      )}\n`,
  );
  if (run.failure === undefined) {
    io.stdout('every method agrees with the reference within its tolerance\n');
    return 0;
  }
  io.stdout(`\n${run.failure.function}: a real disagreement\n${formatCase(run.failure.report)}\nreplay: gradlab check --suite ${path} --seed ${run.seed} --runs ${options.runs}\n`);
  return 1;
}
