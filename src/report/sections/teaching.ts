// The teaching sections (teaching.md R5 and R7): Baydin's evaluation traces, and higher-order derivatives of tanh; captions from the numbers.
import type { GradientMethod } from '../../diff/method.ts';
import { dagDerivatives } from '../../diff/symbolic/index.ts';
import { evaluateExpr } from '../../ir/evaluate.ts';
import { toWengert } from '../../ir/print.ts';
import { askMethod, type MethodOptions } from '../../harness/answers.ts';
import { errorText, exactText, pointText } from '../../harness/format.ts';
import type { HigherOrder } from '../../harness/higher-order.ts';
import { referenceGradient } from '../../harness/reference.ts';
import { baydinExample } from '../../harness/suite.ts';
import { evaluationTraces, type EvaluationTraces } from '../../harness/traces.ts';
import type { ReportSection, SectionBlocks } from '../section.ts';
import { measureHigherOrder } from '../../harness/higher-order.ts';
import { renderLatex } from '../math.ts';
import { higherOrderSpec, renderFigure } from '../plots.ts';
import type { TableData } from '../tables.ts';

/** What section 8 measured: the traces, the symbolic derivative, and each finite-difference method's estimate. */
export interface TracesData {
  readonly expression: string;
  readonly traces: EvaluationTraces;
  readonly reference: { readonly value: number; readonly gradient: readonly number[] };
  readonly symbolic: readonly { readonly variable: string; readonly infix: string | null; readonly latex: string | null; readonly value: number; readonly dagSize: number; readonly treeSize: number }[];
  readonly finiteDifferences: readonly { readonly method: string; readonly gradient?: readonly number[]; readonly errors?: readonly number[]; readonly evaluations?: number; readonly status: string }[];
}

/** Runs section 8's measurements on Baydin's ln(x₁) + x₁x₂ − sin(x₂) at (2, 5); `numericMethods` supply the FD estimates. */
export function measureTraces(numericMethods: readonly GradientMethod[], methodOptions: MethodOptions = {}): TracesData {
  const c = baydinExample();
  const point = Array.from(c.point);
  const reference = referenceGradient(c.expr, c.variables, c.point);
  const ref = Array.from(reference.gradient);
  return {
    expression: 'ln(x1) + x1·x2 − sin(x2)',
    traces: evaluationTraces(c.expr, c.variables, point),
    reference: { value: reference.value, gradient: ref },
    symbolic: dagDerivatives(c.expr, c.variables).map((d) => ({
      variable: d.variable,
      infix: d.infix,
      latex: d.latex,
      value: evaluateExpr(d.derivative, Object.fromEntries(c.variables.map((v, i) => [v, point[i]]))),
      dagSize: d.dagSize,
      treeSize: d.treeSize,
    })),
    finiteDifferences: numericMethods.map((m) => {
      const a = askMethod(m, c, methodOptions[m.name]);
      if (a.result === undefined) return { method: m.name, status: a.status };
      const g = Array.from(a.result.gradient);
      return { method: m.name, status: a.status, gradient: g, errors: g.map((x, i) => Math.abs(x - ref[i]) / Math.abs(ref[i])), evaluations: a.result.evaluations };
    }),
  };
}

/** Section 8: Baydin's three evaluation-trace tables, the symbolic derivative and the FD estimates (Baydin et al., Tables 2 and 3). */
export async function tracesSection(data: TracesData): Promise<SectionBlocks> {
  const t = data.traces;
  const vars = t.variables;
  const partials = vars.map((v, i) => `∂f/∂${v} = ${exactText(t.gradient[i])}`).join(', ');
  const exactAgree = t.gradient.every((g, i) => g === data.reference.gradient[i]) && t.tangentSweeps.every((s, i) => s.derivative === data.reference.gradient[i]);
  const worstFd = data.finiteDifferences.filter((f) => f.errors).map((f) => ({ m: f.method, e: Math.max(...f.errors!) })).sort((a, b) => b.e - a.e);
  const caption =
    `One reverse sweep of ${t.adjoint.length} adjoint lines (${t.wengertLines} Wengert lines + ${vars.length} inputs) gives both partials (${partials}); ` +
    `forward mode needs one sweep per input (${t.tangentSweeps.length} sweeps of ${t.tangent.length} tangent lines)` +
    (exactAgree ? ', and both agree with the 64-digit reference to the last bit' : ', and they differ from the 64-digit reference (see the tables)') +
    (worstFd.length > 0 ? `; the numeric methods' relative errors run from ${errorText(worstFd[worstFd.length - 1].e)} (${worstFd[worstFd.length - 1].m}) to ${errorText(worstFd[0].e)} (${worstFd[0].m}).` : '.');
  const num = ['left', 'left', 'left', 'right'] as const;
  const primal: TableData = { columns: ['line', 'definition', 'value'], align: ['left', 'left', 'right'], rows: t.primal.map((l) => [l.name, l.rhs, exactText(l.value)]) };
  const tangent: TableData = { columns: ['tangent', 'local rule (op table)', 'with numbers', 'value'], align: [...num], rows: t.tangent.map((l) => [l.name, l.rule, l.numbers, exactText(l.value)]) };
  const adjoint: TableData = { columns: ['adjoint', 'accumulated from uses (op table partials)', 'with numbers', 'value'], align: [...num], rows: t.adjoint.map((l) => [l.name, l.rule, l.numbers, exactText(l.value)]) };
  const symbolic: TableData = {
    columns: ['partial', 'symbolic-dag derivative (infix)', 'value', 'DAG / tree nodes'],
    align: ['left', 'left', 'right', 'right'],
    rows: data.symbolic.map((s) => [`∂f/∂${s.variable}`, s.infix ?? '(too large to print)', exactText(s.value), `${s.dagSize} / ${s.treeSize}`]),
  };
  const fd: TableData = {
    columns: ['method', ...vars.map((v) => `∂f/∂${v}`), ...vars.map((v) => `rel. error ∂f/∂${v}`), 'f evaluations'],
    align: ['left', ...vars.map(() => 'right' as const), ...vars.map(() => 'right' as const), 'right'],
    rows: [
      ['reference (64 digits)', ...data.reference.gradient.map(exactText), ...vars.map(() => '0'), '—'],
      ...data.finiteDifferences.map((f) =>
        f.gradient ? [f.method, ...f.gradient.map(exactText), ...f.errors!.map((e) => errorText(e)), f.evaluations === undefined ? '—' : String(f.evaluations)] : [f.method, f.status, ...Array<string>(2 * vars.length).fill('')],
      ),
    ],
  };
  return {
    title: "Evaluation traces of Baydin's example, forward and reverse",
    caption,
    notes: [
      `Baydin et al.'s running example f(x₁, x₂) = ${data.expression} at ${pointText(vars, t.point)} (Baydin et al., Tables 2 and 3). Every table is generated from gradlab's Wengert list; each local rule is the op table's partial template with the line's names filled in, and its number the same partial compiled and evaluated in doubles. ` +
        `The tangent trace is seeded with ${t.tangent.find((l) => l.value === 1 && l.rule === 'seed')?.name ?? 'ẋ'} = 1 (∂/∂${t.tangentSeed}); the adjoint trace runs bottom-up from f̄ = 1, each adjoint summing (parent adjoint · ∂parent/∂node) over the node's uses.`,
      'Below them: the symbolic derivative that symbolic-dag builds from the same partials, and what the finite-difference methods estimate, with their errors against the 64-digit reference.',
    ],
    tables: [
      { title: 'Forward primal trace', table: primal },
      { title: `Forward tangent trace (∂/∂${t.tangentSeed})`, table: tangent },
      { title: 'Reverse adjoint trace (bottom-up)', table: adjoint },
      { title: 'Symbolic derivative (symbolic-dag)', table: symbolic },
      { title: 'Finite-difference estimates', table: fd },
    ],
    figures: [],
    code: [{ title: 'Wengert list', text: toWengert(baydinExample().expr) }],
    math: await Promise.all(
      data.symbolic
        .filter((s) => s.latex !== null)
        .map(async (s) => ({ title: `∂f/∂${s.variable}, typeset`, html: await renderLatex(`\\frac{\\partial f}{\\partial ${s.variable.replace(/(\d+)$/, '_{$1}')}} = ${s.latex}`), markdown: `$$\\frac{\\partial f}{\\partial ${s.variable.replace(/(\d+)$/, '_{$1}')}} = ${s.latex}$$` })),
    ),
  };
}

/** Section 9's caption: how far each method stays exact, and how the FD-of-FD error grows with the order. */
function higherOrderCaption(h: HigherOrder): string {
  const worst = (pick: (r: HigherOrder['rows'][number]) => number | undefined) => Math.max(...h.rows.map(pick).filter((e): e is number => e !== undefined));
  const last = h.rows[h.rows.length - 1];
  const fd = h.rows.map((r) => r.fd.error);
  const tuned = h.rows.map((r) => r.fdTuned.error);
  const adMax = h.rows.filter((r) => r.ad).length;
  const symMax = h.rows.filter((r) => r.symbolic).length;
  return (
    `Up to n = ${Math.min(adMax, symMax)}, AD-of-AD and repeated symbolic-dag stay within ${errorText(Math.max(worst((r) => r.ad?.error), worst((r) => r.symbolic?.error)))} of the closed form` +
    (last.symbolic ? ` (the nth symbolic derivative grows to ${last.symbolic.dagSize} DAG nodes, ${last.symbolic.treeSize} as a tree)` : '') +
    `, while nested central differences go from ${errorText(fd[0])} at n = 1 to ${errorText(fd[Math.min(2, fd.length - 1)])} at n = ${Math.min(3, fd.length)} and ${errorText(fd[fd.length - 1])} at n = ${last.order} with a fixed step` +
    ` (${errorText(tuned[tuned.length - 1])} at n = ${last.order} even with the step retuned per order): differentiate the program, not the samples.`
  );
}

/** Section 9: nth derivatives of tanh by AD-of-AD, symbolic-of-symbolic and FD-of-FD (teaching.md R7), with its figure. */
export async function higherOrderSection(h: HigherOrder): Promise<SectionBlocks> {
  const caption = higherOrderCaption(h);
  const answer = (a: { value: number; error: number } | undefined) => (a === undefined ? ['not tried', ''] : [exactText(a.value), errorText(a.error)]);
  const table: TableData = {
    columns: [
      'n', 'reference (64-digit closed form)', 'AD-of-AD', 'rel. error', 'symbolic-dag', 'rel. error', 'DAG nodes', 'tree nodes',
      'FD-of-FD (fixed h)', 'rel. error', 'f evaluations', 'FD-of-FD (hₙ per order)', 'rel. error',
    ],
    align: ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: h.rows.map((r) => [
      String(r.order),
      exactText(r.reference),
      ...answer(r.ad),
      ...answer(r.symbolic),
      r.symbolic ? String(r.symbolic.dagSize) : '—',
      r.symbolic ? String(r.symbolic.treeSize) : '—',
      exactText(r.fd.value),
      errorText(r.fd.error),
      String(r.fd.evaluations),
      exactText(r.fdTuned.value),
      errorText(r.fdTuned.error),
    ]),
  };
  return {
    title: 'Higher order: nth derivatives of tanh, three ways',
    caption,
    notes: [
      `dⁿ tanh(x)/dxⁿ at x = ${h.x} for n = 1…${h.maxOrder} (the picture HIPS/autograd's README draws). AD-of-AD calls the Tensor engine's grad(y, x, { createGraph: true }) on its own previous result; symbolic-dag differentiates its own previous derivative (an IR DAG), so DAG and tree sizes are those of the nth derivative; FD-of-FD nests central differences, Dⁿf(x) = (Dⁿ⁻¹f(x + h) − Dⁿ⁻¹f(x − h)) / 2h (2ⁿ evaluations of f), once with the first-order optimal step h = ε^(1/3) ≈ ${h.h.toExponential(2)} throughout and once with hₙ = ε^(1/(n+2)) retuned per order.`,
      'The reference is the closed form dⁿ tanh/dxⁿ = Pₙ(tanh x), with P₀(t) = t and Pₙ₊₁(t) = Pₙ′(t)(1 − t²), evaluated in 64-digit BigNumber arithmetic; errors are relative. Round-off in the nested differences scales like ε/hⁿ, which is why their error explodes with the order.' +
        (h.cutOff.ad || h.cutOff.symbolic ? ` Methods stop after an order took longer than the budget (AD from n = ${h.cutOff.ad ?? '—'}, symbolic from n = ${h.cutOff.symbolic ?? '—'}).` : ''),
    ],
    tables: [{ title: 'nth derivatives of tanh and their errors', table }],
    figures: [{ id: 'higher-order', file: 'higher-order.svg', title: 'Error against derivative order', caption, ...(await renderFigure(higherOrderSpec(h))) }],
    code: [],
  };
}


export const traces: ReportSection<TracesData> = {
  id: 'traces',
  dataKey: 'traces',
  weight: 1,
  applies: (suite) => suite.experiments.traces === true,
  measure: (_suite, _profile, ctx) => measureTraces(ctx.methods.filter((m) => ctx.kinds.get(m.name) === 'numeric'), ctx.methodOptions),
  render: (data) => tracesSection(data),
};

export const higherOrder: ReportSection<HigherOrder> = {
  id: 'higher-order',
  dataKey: 'higherOrder',
  weight: 1,
  applies: (suite) => suite.experiments.higherOrder === true,
  measure: (_suite, profile) => measureHigherOrder({ x: 0.5, maxOrder: profile.higherOrderMax, budgetMs: profile.symbolicBudgetMs }),
  render: (data) => higherOrderSection(data),
};
