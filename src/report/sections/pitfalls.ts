// Section "pitfalls": cases where some method returns something surprising (overflow, kinks, a contracting chain), with why.
import { toInfix } from '../../ir/print.ts';
import { askMethod } from '../../harness/answers.ts';
import { referenceGradient } from '../../harness/reference.ts';
import type { ReportSection } from '../section.ts';
import { errorText, exactText, pointText, sig } from './common.ts';

/** One pitfall's answers. */
export interface PitfallResult {
  readonly id: string;
  readonly title: string;
  readonly expression: string;
  readonly point: string;
  readonly why: string;
  readonly referenceNote: string;
  readonly reference: { readonly value: number; readonly gradient: number };
  readonly answers: readonly { readonly method: string; readonly status: string; readonly value?: number; readonly gradient?: number; readonly note?: string }[];
}

function pitfallCaption(results: readonly PitfallResult[]): string {
  const finite = (a: PitfallResult['answers'][number]) => a.gradient !== undefined && Number.isFinite(a.gradient);
  const parts: string[] = [];
  const naive = results.find((r) => r.id === 'log1pexp-naive');
  const stable = results.find((r) => r.id === 'log1pexp-stable');
  if (naive && stable) {
    const stableOk = stable.answers.filter((a) => a.gradient !== undefined && Math.abs(a.gradient - 1) < 1e-6);
    const stableNot = stable.answers.filter((a) => !stableOk.includes(a)).map((a) => a.method);
    parts.push(
      `At x = 1000 naive log(1 + exp(x)) leaves ${naive.answers.filter((a) => !finite(a)).length} of ${naive.answers.length} methods without a finite derivative, while the stable softplus gives 1 in ${stableOk.length} of ${stable.answers.length}` +
        (stableNot.length > 0 ? ` (not ${stableNot.join(', ')}: see its row)` : ''),
    );
  }
  const chain = results.find((r) => r.id === 'deep-chain');
  if (chain) {
    const central = chain.answers.find((a) => a.method === 'numeric-central');
    const ad = chain.answers.find((a) => a.method === 'autograd');
    if (central?.gradient !== undefined) {
      parts.push(
        `on the deep chain central differences return ${sig(central.gradient)} where the derivative is ${sig(chain.reference.gradient)}` +
          (ad?.gradient !== undefined ? `, and autograd is off by a relative ${errorText(Math.abs(ad.gradient - chain.reference.gradient) / Math.abs(chain.reference.gradient))}` : ''),
      );
    }
  }
  const rewrites = results.filter((r) => r.id.startsWith('simplify-rewrite'));
  const simplifyWrong = rewrites.filter((r) => {
    const a = r.answers.find((x) => x.method === 'symbolic-simplified');
    return a?.gradient !== undefined && !(Math.abs(a.gradient - r.reference.gradient) <= 1e-9 * Math.max(1, Math.abs(r.reference.gradient)));
  });
  if (rewrites.length > 0) parts.push(`mathjs simplify's rewrite changes the derivative's value in ${simplifyWrong.length} of ${rewrites.length} cases where the unsimplified derivative is right`);
  return `${parts.join('; ')}: AD differentiates the program exactly up to rounding, and the program must be numerically sound.`;
}

export const pitfallsSection: ReportSection<readonly PitfallResult[]> = {
  id: 'pitfalls',
  dataKey: 'pitfalls',
  weight: 2,
  applies: (suite) => suite.pitfalls.length > 0,
  measure(suite, _profile, ctx) {
    return suite.pitfalls.map((p, i) => {
      ctx.progress(i / suite.pitfalls.length, `pitfalls: ${p.id}`);
      const ref = referenceGradient(p.expr, p.variables, p.point);
      return {
        id: p.id,
        title: p.title,
        // The whole expression: a long one is shown in a scrolling code box, never cut in a heading.
        expression: toInfix(p.expr),
        point: pointText(p.variables, p.point),
        why: p.why,
        referenceNote: p.referenceNote ?? 'the exact derivative (64-digit arithmetic)',
        reference: { value: ref.value, gradient: ref.gradient[0] },
        answers: ctx.methods.map((m) => {
          const a = askMethod(m, p, ctx.methodOptions[m.name]);
          return a.result
            ? { method: m.name, status: a.status, value: a.result.value, gradient: a.result.gradient[0], note: a.result.notes?.join('; ') }
            : { method: m.name, status: a.status, note: a.reason };
        }),
      };
    });
  },
  render(results) {
    return {
      title: 'Pitfalls: what each method returns, and why',
      caption: pitfallCaption(results),
      notes: results.map((r) => `**${r.title}.** ${r.why}`),
      tables: results.map((r) => ({
        title: `${r.title}${r.expression.length <= 60 ? `: \`${r.expression}\`` : ''} at ${r.point}`,
        table: {
          columns: ['method', 'f', 'f′', 'note'],
          align: ['left', 'right', 'right', 'left'],
          rows: [
            ['reference (64 digits)', exactText(r.reference.value), exactText(r.reference.gradient), r.referenceNote],
            ...r.answers.map((a) => [a.method, a.value === undefined ? a.status : exactText(a.value), a.gradient === undefined ? '—' : exactText(a.gradient), a.note ?? '']),
          ],
        },
      })),
      figures: [],
      code: results.filter((r) => r.expression.length > 60).map((r) => ({ title: `${r.title}: the whole expression`, text: r.expression.length > 4000 ? `${r.expression.slice(0, 4000)}… (${r.expression.length} characters)` : r.expression })),
    };
  },
};
