// `gradlab graph`: the computational graph of an expression or a program at a point, each value with its gradient (micrograd's draw_dot), as a Wengert list or a drawing.
//
// Values, gradients and the local partials come from the 64-digit reference trace, the same data the report's
// graph section draws (src/report/graph.ts, reused here); a reused value's gradient is shown as the sum of what
// each of its uses sends back.
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Expr } from '../ir/node.ts';
import { parse } from '../ir/parse.ts';
import { lookupPointValue } from '../ir/evaluate.ts';
import { formatNumber, toInfix, wengertList } from '../ir/print.ts';
import { variablesOf } from '../ir/traverse.ts';
import { parseCommandArgs, parsePoint, UsageError, type Command } from './common.ts';
import { wrapProse } from '../report/wrap.ts';
import { inputHelp, inputOptions, readUserInput, type UserInput } from './input.ts';

const help = `usage: gradlab graph "<expression>" --at x=2 [--out g.svg|g.dot|g.png] [--json]
       gradlab graph --file prog.ts --at x=1,y=2 [--export NAME] [--out ...]

Shows the computational graph of the expression (or of the path a program takes at the point) with each
value and its gradient ∂f/∂value, as micrograd's draw_dot does. A value used more than once gets the sum
of what each use sends back (the multivariate chain rule), and the terms are listed. Values and gradients
come from reverse accumulation in 64-digit arithmetic (the reference).

Without --out it prints the Wengert list with values and gradients (adjoints).

options:
  --at x=2,y=3        the point (repeatable)
  --out FILE          draw the graph: .dot (Graphviz source), .svg (rendered by Graphviz), .png (the SVG
                      rasterised by resvg)
${inputHelp}
  --json              print { expression, point, nodes: [...] } as JSON`;

/** One value of the graph, as the command prints it. */
export interface GraphRow {
  /** Its Wengert name (`v2`), the variable's name, or `const 3` for a constant. */
  readonly name: string;
  readonly kind: 'input' | 'const' | 'op';
  /** The right-hand side over earlier names (`v1 * x`); empty for inputs and constants. */
  readonly definition: string;
  readonly value: number;
  /** ∂f/∂value (null for a constant). */
  readonly grad: number | null;
  /** What each use sends back, when the value is used (they sum to `grad`). */
  readonly uses: readonly { readonly from: string; readonly amount: number }[];
}

/** What `gradlab graph` computes (its --json output). */
export interface GraphReport {
  readonly expression: string;
  readonly point: Readonly<Record<string, number>>;
  readonly output: string;
  readonly rows: readonly GraphRow[];
  readonly program?: { readonly trace: string; readonly guards: readonly string[] };
}

/** The expression to draw: parsed text, or the program's trace at the point. */
async function subjectOf(input: UserInput, point: Record<string, number>): Promise<{ expr: Expr; variables: string[]; program?: GraphReport['program'] }> {
  if (input.kind === 'expression') {
    const expr = parse(input.text);
    return { expr, variables: [...new Set([...variablesOf(expr), ...Object.keys(point)])] };
  }
  const { traceProgram } = await import('../diff/program/trace.ts');
  const trace = traceProgram(input.program, point);
  return { expr: trace.expr, variables: Object.keys(point), program: { trace: toInfix(trace.expr), guards: trace.guards.map((g) => g.text) } };
}

/** The graph's rows and the reference trace for drawing. */
export async function graphReport(input: string | UserInput, point: Record<string, number>) {
  const given: UserInput = typeof input === 'string' ? { kind: 'expression', text: input, source: 'argument' } : input;
  const { expr, variables, program } = await subjectOf(given, point);
  const values = Float64Array.from(variables, (name) => lookupPointValue(point, name));
  const [{ referenceTrace }, { gradientContributions }] = await Promise.all([import('../harness/reference.ts'), import('../report/graph.ts')]);
  const trace = referenceTrace(expr, variables, values);
  const uses = gradientContributions(expr, trace);
  const lines = new Map(wengertList(expr).map((l) => [l.node.id, l]));
  const rows: GraphRow[] = trace.order.map((node) => {
    const line = node.kind === 'op' ? lines.get(node.id) : undefined;
    return {
      name: node.kind === 'var' ? node.name : node.kind === 'const' ? `const ${formatNumber(node.value)}` : line!.name,
      kind: node.kind === 'var' ? 'input' : node.kind,
      definition: line?.rhs ?? '',
      value: trace.values.get(node.id)!.toNumber(),
      grad: node.kind === 'const' ? null : trace.adjoints.get(node.id)?.toNumber() ?? 0,
      uses: (uses.get(node.id) ?? []).map((u) => ({ from: u.from, amount: u.amount })),
    };
  });
  const report: GraphReport = {
    expression: given.kind === 'program' ? `program ${given.source}` : given.text,
    point,
    output: rows[rows.length - 1].name,
    rows,
    ...(program !== undefined ? { program } : {}),
  };
  return { report, expr, trace };
}

const sumText = (uses: GraphRow['uses']) => uses.map((u) => formatNumber(u.amount)).join(' + ').replace(/\+ -/g, '− ');

/**
 * The Wengert list with values and gradients, one line per value (constants omitted: they have no gradient). With
 * `columns` (a terminal's width) a long line wraps: the gradient's sum of uses under the gradient column, the
 * expression under itself; without (a pipe, a file) each line stays whole.
 */
export function formatGraphReport(report: GraphReport, columns?: number): string {
  const shown = report.rows.filter((r) => r.kind !== 'const');
  const left = shown.map((r) => (r.kind === 'input' ? `${r.name} (input)` : `${r.name} = ${r.definition}`));
  const width = Math.min(60, Math.max(...left.map((l) => l.length)));
  const valueWidth = Math.max(...shown.map((r) => formatNumber(r.value).length));
  const point = Object.entries(report.point).map(([k, v]) => `${k} = ${formatNumber(v)}`).join(', ');
  const fit = (text: string, indent: number): string => {
    if (columns === undefined || [...text].length <= columns) return text;
    // Continuations under the column the text starts at, or 4 in when that leaves too little room.
    const at = columns - indent >= 24 ? indent : 4;
    const [head, ...rest] = wrapProse(text.slice(indent), columns - at).split('\n');
    return [text.slice(0, indent) + head, ...rest.map((line) => ' '.repeat(at) + line)].join('\n');
  };
  const out = [fit(`f = ${report.expression} at ${point || 'no variables'}`, 4)];
  if (report.program !== undefined) {
    out.push(`trace at the point: ${report.program.trace}`);
    for (const [i, guard] of report.program.guards.entries()) out.push(`guard ${i + 1}: ${guard}`);
  }
  out.push(`${'value'.padStart(width + 2 + valueWidth)}   grad ∂f/∂·`);
  shown.forEach((row, i) => {
    const reused = row.uses.length > 1 ? ` = ${sumText(row.uses)}   (used ${row.uses.length}×: by ${row.uses.map((u) => u.from).join(', ')})` : '';
    const output = row.name === report.output ? '   (output)' : '';
    out.push(fit(`${left[i].padEnd(width)}  ${formatNumber(row.value).padStart(valueWidth)}   ${formatNumber(row.grad ?? 0)}${reused}${output}`, width + 2 + valueWidth + 3));
  });
  return `${out.join('\n')}\n`;
}

/** Rasterises an SVG to PNG with resvg (a maintained Rust renderer shipped as a binary inside its npm package). */
async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

/** `gradlab graph`: the Wengert list with values and gradients, or the drawing in --out. */
export const graphCommand: Command = {
  name: 'graph',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { at: { type: 'string', multiple: true }, out: { type: 'string' }, json: { type: 'boolean' }, ...inputOptions },
      help,
    );
    const out = values.out;
    const format = out === undefined ? undefined : extname(out).toLowerCase();
    if (format !== undefined && !['.dot', '.svg', '.png'].includes(format)) {
      throw new UsageError(`--out: cannot write '${format || 'a file without extension'}'; name the file .dot, .svg or .png`);
    }
    const input = await readUserInput(positionals, values, help, (io as { stdin?: () => Promise<string> }).stdin);
    const { report, expr, trace } = await graphReport(input, parsePoint(values.at ?? []));
    if (out === undefined) {
      io.stdout(values.json ? `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n` : formatGraphReport(report, io.columns));
      return 0;
    }
    const { graphDot, renderDot } = await import('../report/graph.ts');
    const { dot, nodes } = graphDot(expr, trace, { contributions: true });
    const data = format === '.dot' ? `${dot}\n` : format === '.svg' ? await renderDot(dot) : await svgToPng(await renderDot(dot));
    writeFileSync(out, data);
    io.stdout(`wrote ${out} (${nodes.length} values)\n`);
    return 0;
  },
};
