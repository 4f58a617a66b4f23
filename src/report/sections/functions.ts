// Section "functions": every suite function differentiated by every method at its point, side by side with the reference.
import { toWengert } from '../../ir/print.ts';
import { judgeCase, type CaseReport } from '../../harness/agreement.ts';
import type { SuiteFunction } from '../../harness/suite.ts';
import type { ReportSection } from '../section.ts';
import { errorText, exactText, pointText, relativeErrorDefinition } from './common.ts';

/** One function's judged answers. */
export interface FunctionReport {
  readonly fn: SuiteFunction;
  readonly report: CaseReport;
}

function answerRow(a: CaseReport['answers'][number], width: number): string[] {
  if (a.result === undefined) return [a.method, a.status, ...Array<string>(width).fill(''), '—', `${a.verdict}: ${a.explanation}`];
  return [a.method, exactText(a.result.value), ...Array.from(a.result.gradient, exactText), errorText(a.error), a.verdict];
}

export const functionsSection: ReportSection<readonly FunctionReport[]> = {
  id: 'functions',
  dataKey: 'functions',
  weight: 1,
  applies: (suite) => suite.functions.length > 0,
  measure(suite, _profile, ctx) {
    return suite.functions.map((fn, i) => {
      ctx.progress(i / suite.functions.length, `${fn.name}`);
      return { fn, report: judgeCase(fn, ctx.methods, { methodOptions: ctx.methodOptions }) };
    });
  },
  render(reports, ctx) {
    const refused = (v: string | undefined) => v === 'unavailable' || v === 'budget';
    const worst = new Map<string, number>();
    for (const { report } of reports) {
      // The worst error among the answers given; a refusal (an op the method lacks) is no error, and is told apart below.
      for (const a of report.answers) worst.set(a.method, Math.max(worst.get(a.method) ?? 0, refused(a.verdict) ? 0 : (a.error ?? Infinity)));
    }
    const exact = [...worst].filter(([m]) => ctx.kinds.get(m) === 'exact').map(([m]) => m);
    // An exact method agrees when every answer is within its rounding bound; to the last bit when its error is 0.
    const agreeing = exact.filter((m) => reports.every(({ report }) => report.answers.every((a) => a.method !== m || a.verdict === 'agree')));
    const perfect = agreeing.filter((m) => worst.get(m) === 0);
    const rounded = agreeing.filter((m) => worst.get(m)! > 0);
    const others = exact.filter((m) => !agreeing.includes(m));
    // Not agreeing: only refusals (an op it lacks, a budget), or at least one answer beyond its bound.
    const couldNot = others.filter((m) => reports.every(({ report }) => report.answers.every((a) => a.method !== m || a.verdict === 'agree' || refused(a.verdict))));
    const disagreed = others.filter((m) => !couldNot.includes(m));
    const numeric = [...worst].filter(([m]) => ctx.kinds.get(m) === 'numeric').sort((a, b) => b[1] - a[1]);
    const stated = reports.filter(({ fn }) => fn.expected !== undefined);
    const agreeWithSource = stated.every(({ fn, report }) => fn.expected!.every((g, i) => g === report.reference.gradient[i]));
    const exactClaim =
      perfect.length === exact.length
        ? `${perfect.length} of ${exact.length} exact methods (${perfect.join(', ')}) reproduce every function's gradient to the last bit`
        : `${agreeing.length} of ${exact.length} exact methods agree with the 64-digit reference on every function` +
          (perfect.length > 0 ? `, ${perfect.join(', ')} to the last bit` : '') +
          (rounded.length > 0
            ? `${perfect.length > 0 ? ' and' : ':'} ${rounded.join(', ')} within ${errorText(Math.max(...rounded.map((m) => worst.get(m)!)))} relative, float64's rounding of the exact derivative (each answer under its rounding bound)`
            : '') +
          (couldNot.length > 0 ? `; ${couldNot.join(', ')} could not differentiate every function (see the tables)` : '') +
          (disagreed.length > 0 ? `; ${disagreed.join(', ')} disagreed (see the tables)` : '');
    const caption =
      exactClaim +
      (numeric.length > 0 ? `, while the finite-difference family is off by up to ${errorText(numeric[0][1])} (${numeric[0][0]})` : '') +
      (stated.length === 0 ? '.' : agreeWithSource ? '; the 64-digit reference confirms every gradient the sources print.' : '; the reference disagrees with a stated gradient (see the tables).');
    return {
      title: `${ctx.suite.functionsTitle}, every method side by side`,
      caption,
      notes: [
        `${ctx.suite.functionsNote} ${relativeErrorDefinition} The Wengert lists below are the programs every method differentiates.`,
        ...reports
          .filter(({ fn }) => fn.guards !== undefined)
          .map(({ fn }) =>
            `${fn.name} is a program: every method here differentiates the path it took at its point (its trace), which is the program's derivative only where the comparisons that chose that path still come out the same way: ${fn.guards!.length === 0 ? 'it made none, so the path is the same everywhere' : fn.guards!.join('; ')}. Points of the agreement run on the other side of a comparison differentiate the same traced path, not the program.`,
          ),
      ],
      tables: reports.map(({ fn, report }) => ({
        title: `${fn.name === fn.text ? `\`${fn.text}\`` : `${fn.name}: \`${fn.text}\``} at ${pointText(fn.variables, fn.point)}`,
        table: {
          columns: ['method', 'f', ...fn.variables.map((v) => `∂f/∂${v}`), 'rel. error', 'verdict'],
          rows: [
            ...(fn.expected ? [['source says', '', ...fn.expected.map(exactText), '', '']] : []),
            ['reference (64 digits)', exactText(report.reference.value), ...Array.from(report.reference.gradient, exactText), '0', ''],
            ...report.answers.map((a) => answerRow(a, fn.variables.length)),
          ],
        },
      })),
      figures: [],
      code: reports.map(({ fn }) => ({ title: `${fn.text} (Wengert list)`, text: toWengert(fn.expr) })),
    };
  },
  json: (reports) =>
    reports.map(({ fn, report }) => ({
      id: fn.id,
      name: fn.name,
      expression: fn.text,
      variables: fn.variables,
      point: Array.from(fn.point),
      domain: fn.domain,
      expected: fn.expected,
      guards: fn.guards,
      reference: { value: report.reference.value, gradient: Array.from(report.reference.gradient) },
      answers: report.answers.map((a) => ({
        method: a.method,
        status: a.status,
        verdict: a.verdict,
        value: a.result?.value,
        gradient: a.result ? Array.from(a.result.gradient) : undefined,
        error: a.error,
        timeMs: a.timeMs,
      })),
    })),
};
