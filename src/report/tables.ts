// Tables, written once as data and rendered three ways: cli-table3 for the terminal, Markdown and HTML for reports.
import Table from 'cli-table3';
import type { AgreementRow } from '../harness/agreement.ts';
import { errorText } from '../harness/format.ts';

/** A table as data: a header and rows of cells (already formatted text). */
export interface TableData {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: right-align numbers. Default: every column but the first. */
  readonly align?: readonly ('left' | 'right')[];
}

function alignments(table: TableData): ('left' | 'right')[] {
  return table.columns.map((_, k) => table.align?.[k] ?? (k === 0 ? 'left' : 'right'));
}

/** The table for a terminal (cli-table3, no colours so it reads the same in logs and tests). */
export function toCliTable(table: TableData): string {
  const t = new Table({ head: [...table.columns], colAligns: alignments(table), style: { head: [], border: [] } });
  for (const row of table.rows) t.push([...row]);
  return t.toString();
}

function escapeMarkdown(cell: string): string {
  return cell.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The table as GitHub-flavoured Markdown. */
export function toMarkdownTable(table: TableData): string {
  const align = alignments(table);
  return [
    `| ${table.columns.map(escapeMarkdown).join(' | ')} |`,
    `| ${align.map((a) => (a === 'right' ? '---:' : ':---')).join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escapeMarkdown).join(' | ')} |`),
  ].join('\n');
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The table as an HTML `<table>`. */
export function toHtmlTable(table: TableData): string {
  const align = alignments(table);
  const cell = (tag: string, text: string, k: number) => `<${tag}${align[k] === 'right' ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${table.columns.map((c, k) => cell('th', c, k)).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map((row) => `<tr>${row.map((c, k) => cell('td', c, k)).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

/** Short names of the known (non-bug) classes, in the order the matrix lists them. */
const knownClasses = [
  ['unavailable', 'unavailable'],
  ['budget', 'budget'],
  ['non-finite', 'non-finite'],
  ['non-differentiable', 'non-diff.'],
  ['under-resolved', 'under-resolved'],
  ['simplify-invalid', 'simplify-invalid'],
] as const;

/** The agreement matrix: each method against the reference, then each pair; counts per class and relative errors. */
export function agreementTable(rows: readonly AgreementRow[], options: { readonly pairs?: boolean } = {}): TableData {
  const shown = options.pairs === false ? rows.filter((r) => r.b === 'reference') : rows;
  return {
    columns: ['comparison', 'runs', 'passed', 'known cases (not bugs)', 'bugs', 'max rel. error', 'median rel. error'],
    align: ['left', 'right', 'right', 'left', 'right', 'right', 'right'],
    rows: shown.map((r) => {
      const known = knownClasses.filter(([v]) => r.counts[v] > 0).map(([v, label]) => `${label} ${r.counts[v]}`);
      const bugs = r.counts.disagree + r.counts.crash;
      return [
        r.label,
        String(r.runs),
        String(r.passed),
        known.join(', ') || '—',
        bugs === 0 ? '0' : `${bugs} ✗`,
        errorText(r.maxError),
        errorText(r.medianError),
      ];
    }),
  };
}
