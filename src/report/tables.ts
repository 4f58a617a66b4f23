// Tables, written once as data and rendered three ways: cli-table3 for the terminal, Markdown and HTML for reports.
import Table from 'cli-table3';
import { wrapProse } from './wrap.ts';

export { wrapProse };
import type { AgreementRow } from '../harness/agreement.ts';
import { errorText } from '../harness/format.ts';

/** A table as data: a header and rows of cells (already formatted text). */
export interface TableData {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column: right-align numbers. Default: every column but the first. */
  readonly align?: readonly ('left' | 'right')[];
  /**
   * Rows (by index) that are `[first cell, text, last cell]`, the text spanning every column in between (a method
   * that gave no numbers, with the reason). Markdown and HTML show them as plain rows.
   */
  readonly spanRows?: ReadonlySet<number>;
}

function alignments(table: TableData): ('left' | 'right')[] {
  return table.columns.map((_, k) => table.align?.[k] ?? (k === 0 ? 'left' : 'right'));
}

/** How a terminal table fits its width. */
export interface CliTableOptions {
  /** Terminal width in columns (`process.stdout.columns`); undefined: no limit (pipes and files). */
  readonly width?: number | undefined;
  /** Column names that may be left out to fit, most expendable first (a note under the table names them). */
  readonly droppable?: readonly string[];
}

/** Width of text on a terminal, per line (code points; gradlab's tables hold no wide characters). */
function textWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => [...line].length));
}

function longestWord(text: string): number {
  return Math.max(0, ...text.split(/\s+/).map((word) => [...word].length));
}

/** Cell widths (with cli-table3's one space of padding each side) that fit `width`, or undefined when none can. */
function fittedWidths(table: TableData, width: number): number[] | undefined {
  const align = alignments(table);
  const spanned = table.spanRows ?? new Set<number>();
  const plain = table.rows.filter((_, r) => !spanned.has(r));
  const natural = table.columns.map((c, k) => 2 + Math.max(textWidth(c), ...plain.map((row) => textWidth(row[k] ?? ''))));
  const borders = table.columns.length + 1;
  const total = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0) + borders;
  if (total(natural) <= width) return natural;
  // Text columns wrap at word boundaries, down to their longest word (at least 12 wide); numbers never wrap.
  const minimum = table.columns.map((c, k) =>
    align[k] === 'right' ? natural[k]! : Math.min(natural[k]!, 2 + Math.max(10, longestWord(c), ...plain.map((row) => longestWord(row[k] ?? '')))),
  );
  if (total(minimum) > width) return undefined;
  const widths = [...natural];
  let excess = total(widths) - width;
  while (excess > 0) {
    // Take one column of width from the widest text column that can still give.
    let widest = -1;
    for (let k = 0; k < widths.length; k++) if (widths[k]! > minimum[k]! && (widest < 0 || widths[k]! > widths[widest]!)) widest = k;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

/** The table without the named columns. */
function withoutColumns(table: TableData, names: readonly string[]): TableData {
  const keep = table.columns.map((c, k) => (names.includes(c) ? -1 : k)).filter((k) => k >= 0);
  const align = alignments(table);
  const spanned = table.spanRows ?? new Set<number>();
  return {
    columns: keep.map((k) => table.columns[k]!),
    align: keep.map((k) => align[k]!),
    // A spanning row keeps its first cell, its spanned text and its last cell.
    rows: table.rows.map((row, r) => (spanned.has(r) ? row : keep.map((k) => row[k] ?? ''))),
    ...(table.spanRows === undefined ? {} : { spanRows: table.spanRows }),
  };
}

/** One block per row, `column: value` per line: the form that fits any width without splitting a number. */
function asRecords(table: TableData): string {
  const spanned = table.spanRows ?? new Set<number>();
  return table.rows
    .map((row, r) => {
      const [first, ...rest] = row;
      const fields = spanned.has(r)
        ? [`  ${rest.slice(0, -1).join(' ')}`, `  ${table.columns[table.columns.length - 1]}: ${rest[rest.length - 1] ?? ''}`]
        : rest.map((cell, k) => `  ${table.columns[k + 1]}: ${cell}`);
      return [`${table.columns[0]}: ${first}`, ...fields].join('\n');
    })
    .join('\n');
}

/**
 * The table for a terminal (cli-table3, no colours so it reads the same in logs and tests). With a width, it fits:
 * text columns wrap at word boundaries, then droppable columns go (named in a note), and when even that is too
 * wide every row becomes a block of `column: value` lines. Numbers are never split.
 */
export function toCliTable(table: TableData, options: CliTableOptions = {}): string {
  let shown = table;
  let widths: number[] | undefined;
  const dropped: string[] = [];
  if (options.width !== undefined) {
    widths = fittedWidths(shown, options.width);
    for (const name of options.droppable ?? []) {
      if (widths !== undefined) break;
      if (!shown.columns.includes(name)) continue;
      dropped.push(name);
      shown = withoutColumns(table, dropped);
      widths = fittedWidths(shown, options.width);
    }
    if (widths === undefined) return asRecords(table);
  }
  const spanned = shown.spanRows ?? new Set<number>();
  const t = new Table({
    head: [...shown.columns],
    colAligns: alignments(shown),
    style: { head: [], border: [] },
    ...(widths === undefined ? {} : { colWidths: widths, wordWrap: true, wrapOnWordBoundary: true }),
  });
  for (const [r, row] of shown.rows.entries()) {
    if (spanned.has(r)) {
      const [first = '', ...rest] = row;
      const last = rest.length > 1 ? rest[rest.length - 1]! : '';
      const text = rest.slice(0, -1).join(' ');
      t.push([first, { colSpan: shown.columns.length - 2, content: text, hAlign: 'left' }, last]);
    } else t.push([...row]);
  }
  const note = dropped.length > 0 ? `\n(left out to fit ${options.width} columns: ${dropped.join(', ')}; --json has all)` : '';
  return `${t.toString()}${note}`;
}

/**
 * Text for GitHub Markdown: a lone `*` or `_` outside code spans is escaped, so `3*x` or `w*x` cannot open
 * italics; `**bold**` and `` `code` `` are kept.
 */
export function markdownText(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') && part.endsWith('`') && part.length > 1 ? part : part.replace(/(?<!\*)\*(?!\*)/g, '\\*').replace(/_/g, '\\_')))
    .join('');
}

function escapeMarkdown(cell: string): string {
  return markdownText(cell).replace(/\|/g, '\\|').replace(/\n/g, ' ');
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
  const cell = (tag: string, text: string, k: number) => `<${tag}${align[k] === 'right' ? ' class="num"' : ''}>${escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>')}</${tag}>`;
  return [
    '<div class="table-wrap"><table>',
    `<thead><tr>${table.columns.map((c, k) => cell('th', c, k)).join('')}</tr></thead>`,
    '<tbody>',
    ...table.rows.map((row) => `<tr>${row.map((c, k) => cell('td', c, k)).join('')}</tr>`),
    '</tbody>',
    '</table></div>',
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
  ['no-bound', 'no bound'],
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

