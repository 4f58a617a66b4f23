// Text for people: a counterexample in infix and Wengert form with every method's answer, and number formats shared by tables.
import { toInfix, toWengert } from '../ir/print.ts';
import type { CaseReport, Counterexample, JudgedAnswer } from './agreement.ts';

/** A double as the shortest text that reads back to it (`0.1`, `-3`, `NaN`). */
export function exactText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

/** An error or ratio in short scientific notation (`3.2e-16`), `0` for zero, `—` when not measured. */
export function errorText(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  return value.toExponential(1);
}

/** `x = 1.5, y = -2` */
export function pointText(variables: readonly string[], point: ArrayLike<number>): string {
  return variables.map((name, i) => `${name} = ${exactText(point[i])}`).join(', ');
}

function answerCells(answer: JudgedAnswer, width: number): string[] {
  if (answer.result === undefined) return [answer.status, ...Array<string>(width).fill('')];
  return [exactText(answer.result.value), ...Array.from(answer.result.gradient, exactText)];
}

/** The case as lines of a plain table: the expression (infix and Wengert), the point, the reference and every answer. */
export function formatCase(report: CaseReport): string {
  const { expr, variables, point } = report.case;
  const header = ['method', 'f', ...variables.map((v) => `∂f/∂${v}`), 'verdict'];
  const rows: string[][] = [
    ['reference', exactText(report.reference.value), ...Array.from(report.reference.gradient, exactText), 'BigNumber, 64 digits'],
    ...report.answers.map((a) => [a.method, ...answerCells(a, variables.length), `${a.verdict}: ${a.explanation}`]),
  ];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (k === header.length - 1 ? 0 : (r[k] ?? '').length))));
  const line = (cells: string[]) =>
    cells.map((cell, k) => (k === cells.length - 1 ? cell : (cell ?? '').padEnd(widths[k]))).join('  ').trimEnd();
  return [
    `expression (infix): ${toInfix(expr)}`,
    'Wengert list:',
    ...toWengert(expr).split('\n').map((l) => `  ${l}`),
    `point: ${pointText(variables, point)}`,
    ...(report.pointReason ? [`point class: ${report.pointClass} (${report.pointReason})`] : []),
    '',
    line(header),
    ...rows.map(line),
  ].join('\n');
}

/**
 * A shrunk counterexample for the terminal: which methods disagree, the case, and how to replay it.
 * @param replay the command line that replays it (the CLI adds its own options).
 */
export function formatCounterexample(counterexample: Counterexample, replay: string): string {
  const failing = counterexample.report.answers.filter((a) => a.verdict === 'disagree' || a.verdict === 'crash');
  return [
    `real disagreement: ${failing.map((a) => `${a.method} (${a.verdict})`).join(', ')} — shrunk in ${counterexample.shrinks} steps`,
    '',
    formatCase(counterexample.report),
    '',
    `seed ${counterexample.seed}, path "${counterexample.path}"`,
    `replay: ${replay}`,
    `  (in a test: fc.assert(property, { seed: ${counterexample.seed}, path: "${counterexample.path}" }))`,
  ].join('\n');
}
