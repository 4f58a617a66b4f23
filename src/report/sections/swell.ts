// Section "swell": how big each method's derivative gets as a family grows, with the first iterates' formulas written out.
import { symbolicDerivatives } from '../../diff/symbolic/mathjs-methods.ts';
import { dagDerivatives } from '../../diff/symbolic/dag.ts';
import { toInfix } from '../../ir/print.ts';
import { measureSwell, type SwellRow } from '../../harness/swell.ts';
import type { SuiteFamily } from '../../harness/suite.ts';
import { renderFigure, swellSpec } from '../plots.ts';
import type { Figure, ReportSection, SectionTable } from '../section.ts';
import type { TableData } from '../tables.ts';
import { ms, sig } from './common.ts';

/** One family's swell rows and the formulas of its first members. */
export interface SwellData {
  readonly families: readonly {
    readonly family: string;
    readonly text: string;
    readonly rows: readonly SwellRow[];
    readonly formulas: readonly { readonly n: number; readonly f: string; readonly mathjs: string | null; readonly simplified: string | null; readonly dag: string | null }[];
  }[];
}

const swellFamilies = (families: readonly SuiteFamily[]) => families.filter((f) => f.roles.includes('swell'));

function swellTable(rows: readonly SwellRow[]): TableData {
  const cell = (s: SwellRow['mathjs']) => (s.size !== undefined ? String(s.size) : s.status === 'budget' ? 'budget cut-off' : s.status === 'skipped' ? 'not tried' : s.status);
  return {
    columns: ['n', 'f tree', 'f DAG', 'mathjs derivative (tree)', 'mathjs + simplify (tree)', 'DAG derivative (distinct)', 'DAG derivative as tree', 'autograd tape', 'mathjs time', 'simplify time', 'DAG time', 'autograd time'],
    rows: rows.map((r) => [
      String(r.n), String(r.fTree), String(r.fDag), cell(r.mathjs), cell(r.simplified), String(r.dag.size), String(r.dag.tree ?? '—'),
      r.tapeLength === undefined ? '—' : String(r.tapeLength), ms(r.mathjs.ms), r.simplified.status === 'budget' ? 'over budget' : ms(r.simplified.ms), ms(r.dag.ms), ms(r.autogradMs),
    ]),
  };
}

function swellCaption(rows: readonly SwellRow[]): string {
  const last = rows[rows.length - 1];
  const prev = rows[rows.length - 2];
  const parts: string[] = [];
  if (last.mathjs.size !== undefined && prev?.mathjs.size !== undefined) {
    parts.push(`At n = ${last.n} mathjs's derivative has ${last.mathjs.size} tree nodes (×${sig(last.mathjs.size / prev.mathjs.size, 2)} per step)`);
  }
  parts.push(`${parts.length ? ' while' : `At n = ${last.n}`} the DAG derivative has ${last.dag.size} distinct nodes (+${prev ? last.dag.size! - prev.dag.size! : 0} per step)`);
  if (last.tapeLength !== undefined) parts.push(` and the autograd tape ${last.tapeLength}`);
  const cut = rows.find((r) => r.simplified.status === 'budget');
  parts.push(cut ? `; simplify hit its time budget at n = ${cut.n}` : '; simplify finished within its budget for every n');
  return `${parts.join('')}: swell is a tree effect.`;
}

const clip = (s: string | null, max = 160) => (s === null ? null : s.length > max ? `${s.slice(0, max - 1)}… (${s.length} characters)` : s);

export const swellSection: ReportSection<SwellData> = {
  id: 'swell',
  dataKey: 'swell',
  weight: 4,
  applies: (suite) => swellFamilies(suite.families).length > 0,
  measure(suite, profile, ctx) {
    const autograd = ctx.methods.find((m) => m.name === 'autograd');
    return {
      families: swellFamilies(suite.families).map((family) => {
        const ns = family.swellNs ?? Array.from({ length: profile.swellMax }, (_, i) => i + 1);
        const rows = measureSwell(family, ns, autograd, { timeBudgetMs: profile.symbolicBudgetMs, onStep: (l) => ctx.progress(0.5, l) });
        const formulas = ns.slice(0, 4).map((n) => {
          const expr = family.build(n);
          const variables = family.variables(n);
          const one = (f: () => string | null) => {
            try {
              return f();
            } catch {
              return null;
            }
          };
          return {
            n,
            f: toInfix(expr),
            mathjs: one(() => symbolicDerivatives(expr, variables, { simplify: false }).map((d) => d.infix).join('; ')),
            simplified: one(() => symbolicDerivatives(expr, variables, { simplify: true, budgets: { timeBudgetMs: profile.symbolicBudgetMs } }).map((d) => d.infix).join('; ')),
            dag: one(() => dagDerivatives(expr, variables).map((d) => d.infix).join('; ')),
          };
        });
        return { family: family.name, text: family.text, rows, formulas };
      }),
    };
  },
  async render(data, ctx) {
    const figures: Figure[] = [];
    const tables: SectionTable[] = [];
    const captions: string[] = [];
    for (const [i, f] of data.families.entries()) {
      const caption = swellCaption(f.rows);
      captions.push(data.families.length > 1 ? `${f.family}: ${caption}` : caption);
      const cut = f.rows.find((r) => r.simplified.status === 'budget')?.n;
      figures.push({ id: `swell${i === 0 ? '' : `-${i + 1}`}`, file: `swell${i === 0 ? '' : `-${i + 1}`}.svg`, title: 'Expression swell', caption, ...(await renderFigure(swellSpec(f.rows, f.family, cut))) });
      tables.push(
        {
          title: `${f.family}: the first members and their derivatives, as each method writes them (Baydin et al., Table 1)`,
          table: {
            columns: ['n', 'f', 'mathjs derivative', 'mathjs + simplify', 'DAG derivative (printed as a tree)'],
            rows: f.formulas.map((r) => [String(r.n), clip(r.f) ?? '—', clip(r.mathjs) ?? 'unavailable', clip(r.simplified) ?? 'unavailable', clip(r.dag) ?? '—']),
          },
        },
        { title: `${f.family}: sizes and times`, table: swellTable(f.rows) },
      );
    }
    return {
      title: `Expression swell${data.families.length === 1 ? ` on ${data.families[0].family}` : ''}`,
      caption: captions.join(' '),
      notes: [
        `${data.families.map((f) => f.text).join('; ')}, differentiated at each n. mathjs works on trees: its derivative without simplify is counted in tree nodes, and simplify runs under a ${ctx.settings.symbolicBudgetMs / 1000} s budget per step (a cut-off is marked on the figure; larger n are not tried after one). gradlab's symbolic-dag builds the same derivative by reverse accumulation on the shared DAG, so repeated subexpressions are stored once; printed as a tree it swells like mathjs's.`,
      ],
      tables,
      figures,
      code: [],
    };
  },
};
