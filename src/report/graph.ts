// Computational-graph drawings: the IR as Graphviz DOT with micrograd-style `{label | data | grad}` records, rendered by Graphviz (WebAssembly).
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { Expr } from '../ir/node.ts';
import { ops } from '../ir/ops.ts';
import { wengertList } from '../ir/print.ts';
import type { ReferenceTrace } from '../harness/reference.ts';

let graphviz: Promise<Graphviz> | undefined;

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (loaded once). */
export async function renderDot(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  const svg = (await graphviz).dot(dot);
  // Inline-ready: drop the XML prologue, the DOCTYPE (it names a DTD URL no one needs to fetch) and comments before <svg>.
  return svg.slice(svg.indexOf('<svg'));
}

/** Text safe inside a DOT record label. */
function recordText(text: string): string {
  return text.replace(/[\\{}|<>"]/g, (c) => `\\${c}`);
}

/** A short number for a drawing (`4`, `0.5`, `1.2346e-5`). */
function short(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return Number(value.toPrecision(5)).toString();
}

/** Options of {@link graphDot}. */
export interface GraphOptions {
  /** Show a reused value's gradient as the sum of its per-use contributions (`grad 5 = 4 + 1`), and draw reused values bold. On by default. */
  readonly contributions?: boolean;
  /**
   * `wide` (default): left to right, each record's fields in a row, for a file or a projector. `column`: left to right
   * with each record's fields stacked and its long texts broken over lines, for a page's column (about 1,100 px).
   * `narrow`: top to bottom, fields stacked, in 12-pt text (16 CSS px at natural size, a phone's body text), for a
   * phone's width.
   */
  readonly layout?: 'wide' | 'column' | 'narrow';
}

/** One use of a value: the op node that uses it (by Wengert name) and the gradient that flows back along that edge. */
export interface GradientContribution {
  /** The Wengert name of the using op's value (`v2`). */
  readonly from: string;
  /** Which argument of that op (0 or 1). */
  readonly argument: number;
  /** ∂f/∂(user) · ∂(user)/∂(this value): this use's share of the value's gradient. */
  readonly amount: number;
}

/**
 * Per value, the gradient each of its uses sends back (adjoint of the user times the local partial), in
 * evaluation order of the users; a value used k times has k entries, which sum to its gradient. From the
 * high-precision reference trace. Constants get none.
 */
export function gradientContributions(expr: Expr, trace: ReferenceTrace): Map<number, GradientContribution[]> {
  const names = new Map(wengertList(expr).map((l) => [l.node.id, l.name]));
  const result = new Map<number, GradientContribution[]>();
  for (const node of trace.order) {
    if (node.kind !== 'op') continue;
    const adjoint = trace.adjoints.get(node.id);
    const partials = trace.partials.get(node.id) ?? [];
    node.args.forEach((arg, k) => {
      const p = partials[k];
      if (arg.kind === 'const' || p === null || p === undefined || adjoint === undefined) return;
      const list = result.get(arg.id) ?? [];
      list.push({ from: names.get(node.id) ?? '?', argument: k, amount: adjoint.mul(p).toNumber() });
      result.set(arg.id, list);
    });
  }
  return result;
}

/** One node of the drawing, for tests and JSON. */
export interface GraphNode {
  readonly name: string;
  readonly label: string;
  readonly value: number;
  readonly grad: number;
}

/**
 * The DOT of `expr` as micrograd's `draw_dot` draws it: every value (input, constant, intermediate) a record
 * `{ label | data … | grad … }`, every op a small ellipse between its arguments and its result, each edge into
 * an op labelled with the local partial ∂out/∂arg at the point (colah's edge labels). Values, gradients and
 * partials come from the high-precision reference trace.
 */
export function graphDot(expr: Expr, trace: ReferenceTrace, options: GraphOptions = {}): { dot: string; nodes: GraphNode[] } {
  const contributions = options.contributions === false ? undefined : gradientContributions(expr, trace);
  const lines = wengertList(expr);
  const lineName = new Map(lines.map((l) => [l.node.id, l.name]));
  const lineRhs = new Map(lines.map((l) => [l.node.id, l.rhs]));
  const nodes: GraphNode[] = [];
  const narrow = options.layout === 'narrow';
  const stackFields = narrow || options.layout === 'column';
  // Graphviz sizes text in points and writes the SVG in points, so 12 pt is 16 CSS px when the SVG is shown at its natural size.
  const out: string[] = [
    'digraph G {',
    narrow ? '  rankdir=TB;' : '  rankdir=LR;',
    '  bgcolor="white";',
    `  node [fontname="Helvetica", fontsize=${narrow ? 12 : 11}];`,
    `  edge [fontname="Helvetica", fontsize=${narrow ? 12 : 10}, color="#555555"];`,
    '  forcelabels=true;',
    // Narrow: edges into one op run side by side, their labels in one row, so they need a little more room than Graphviz's 0.25 in.
    ...(narrow ? ['  nodesep=0.35;'] : []),
  ];
  for (const node of trace.order) {
    const value = trace.values.get(node.id)!.toNumber();
    const grad = trace.adjoints.get(node.id)?.toNumber() ?? 0;
    const label =
      node.kind === 'var' ? node.name : node.kind === 'const' ? `const ${short(node.value)}` : `${lineName.get(node.id)} = ${lineRhs.get(node.id)}`;
    nodes.push({ name: `n${node.id}`, label, value, grad });
    const fill = node.kind === 'var' ? '#dbeafe' : node.kind === 'const' ? '#f3f4f6' : node === expr ? '#fde68a' : '#ffffff';
    const uses = contributions?.get(node.id) ?? [];
    // A reused value's gradient is the sum over its uses (the multivariate chain rule): show the terms.
    const gradText =
      node.kind === 'const'
        ? narrow
          ? 'no grad'
          : 'grad — (a constant: nothing flows back)'
        : uses.length > 1
          ? `grad ${short(grad)} = ${uses.map((c) => short(c.amount)).join(' + ').replace(/\+ -/g, '− ')} (${narrow ? '' : 'summed over '}${uses.length} uses)`
          : `grad ${short(grad)}`;
    // Stacked, the long texts go over several lines (a record's `\n`), so no record is wider than a phone, and the
    // column drawing is about as wide as a page's column: with each record's fields in a row, the report's graph was
    // some 1,900 px wide, shown at 57% in a 1,068-px column (edge labels 7.6 px tall).
    const lines = (text: string) => (!stackFields ? recordText(text) : recordText(text).replace(narrow ? / (= |\(|— )/g : / (= |\()/g, '\\n$1'));
    // A record's fields run across the rank direction unless braced: left to right, `{ … }` puts them in a row and
    // bare fields stack; top to bottom, the other way round.
    const fields = `${lines(label)} | data ${recordText(short(value))} | ${lines(gradText)}`;
    const record = stackFields === narrow ? `{ ${fields} }` : fields;
    const penwidth = uses.length > 1 ? ', penwidth=2.5, color="#b45309"' : '';
    out.push(`  n${node.id} [shape=record, style="rounded,filled", fillcolor="${fill}", label="${record}"${penwidth}];`);
    if (node.kind !== 'op') continue;
    const spec = ops[node.op];
    const symbol = spec.syntax.kind === 'function' ? spec.syntax.name : spec.syntax.symbol;
    out.push(`  op${node.id} [shape=ellipse, style=filled, fillcolor="#e0e7ff", label="${recordText(symbol)}"];`);
    out.push(`  op${node.id} -> n${node.id};`);
    const partials = trace.partials.get(node.id) ?? [];
    node.args.forEach((arg, k) => {
      const p = partials[k];
      // A plain edge label, which dot lays out as a node of its own (space reserved, parallel edges of x·x side by
      // side); an xlabel, placed after layout, let the two labels of x·x sit on top of each other. Nothing flows back
      // into a constant, so its edge carries no partial and is drawn dashed.
      // Top to bottom, the labels of parallel edges (y·y) sit in one row, closer than nodesep keeps other labels: the
      // first is raised by a line and the second lowered by one, so they read one above the other. (Graphviz drops an
      // empty line, so the spacer line holds a no-break space.)
      const parallel = narrow && node.args.filter((a) => a === arg).length > 1;
      const first = node.args.indexOf(arg) === k;
      const partial = p === null || p === undefined ? '' : `∂ ${recordText(short(p.toNumber()))}`;
      const stacked = !parallel ? partial : first ? `${partial}\\n\u00a0` : `\u00a0\\n${partial}`;
      const edgeLabel = arg.kind === 'const' || partial === '' ? '' : `label="${stacked}"`;
      const reused = (contributions?.get(arg.id)?.length ?? 0) > 1 ? `${edgeLabel ? ', ' : ''}color="#b45309", penwidth=1.8` : '';
      const constant = arg.kind === 'const' ? 'style=dashed, color="#9ca3af"' : '';
      out.push(`  n${arg.id} -> op${node.id} [${[edgeLabel, reused.replace(/^, /, ''), constant].filter((a) => a !== '').join(', ')}];`);
    });
  }
  out.push('}');
  return { dot: out.join('\n'), nodes };
}
