// Section "graph": the computational graph of one suite function, micrograd-style, with each reused node's gradient summed over its uses.
import { toWengert } from '../../ir/print.ts';
import { referenceTrace } from '../../harness/reference.ts';
import { graphDot, renderDot, type GraphNode } from '../graph.ts';
import type { ReportSection } from '../section.ts';
import { exactText, pointText } from './common.ts';

/** The drawn function, its DOT and its nodes. */
export interface GraphData {
  readonly name: string;
  readonly expression: string;
  readonly point: string;
  readonly gradient: readonly { readonly variable: string; readonly value: number }[];
  readonly wengert: string;
  readonly dot: string;
  readonly nodes: readonly (GraphNode & { readonly kind: string; readonly uses: number })[];
  readonly svg: string;
  /** The same graph top to bottom in phone-sized text ({@link graphDot}'s `narrow` layout). */
  readonly narrowSvg?: string;
}

export const graphSection: ReportSection<GraphData> = {
  id: 'graph',
  dataKey: 'graph',
  weight: 1,
  applies: (suite) => (suite.graph ?? suite.functions[0]) !== undefined,
  async measure(suite) {
    const fn = suite.graph ?? suite.functions[0];
    const trace = referenceTrace(fn.expr, fn.variables, fn.point);
    // The page's drawing stacks each record's fields, so it fits the report's column at 92% or more of its size.
    const { dot, nodes } = graphDot(fn.expr, trace, { layout: 'column' });
    const uses = new Map<number, number>();
    for (const node of trace.order) for (const a of node.args) uses.set(a.id, (uses.get(a.id) ?? 0) + 1);
    return {
      name: fn.name,
      expression: fn.text,
      point: pointText(fn.variables, fn.point),
      gradient: fn.variables.map((v, i) => ({ variable: v, value: trace.gradient[i].toNumber() })),
      wengert: toWengert(fn.expr),
      dot,
      nodes: nodes.map((n, i) => ({ ...n, kind: trace.order[i].kind, uses: uses.get(trace.order[i].id) ?? 0 })),
      svg: await renderDot(dot),
      narrowSvg: await renderDot(graphDot(fn.expr, trace, { layout: 'narrow' }).dot),
    };
  },
  render(data) {
    const reused = data.nodes.filter((n) => n.uses > 1 && n.kind !== 'const');
    const caption =
      `Reverse accumulation on ${data.expression} at ${data.point}: ${data.gradient.map((g) => `∂f/∂${g.variable} = ${exactText(g.value)}`).join(', ')}` +
      (reused.length > 0
        ? `; ${reused.map((n) => `${n.label} is used ${n.uses} times, so its grad is the sum of ${n.uses} contributions`).join('; ')} (micrograd's \`+=\`: a gradient is summed over paths, never overwritten).`
        : '; no node is used twice here, so every grad is a single product of edge partials.');
    return {
      title: 'The computational graph',
      caption,
      notes: [
        "Each value is a record { label | data | grad } as in micrograd's draw_dot; each op is a small node; the label on an edge into an op is the local partial ∂out/∂in at this point. A node used more than once is drawn with a thick outline and its grad written as the sum of what each use sends back: forgetting to accumulate (assigning instead of adding) is the classic bug this guards against. Constants take no gradient and show none.",
      ],
      tables: [
        {
          title: 'Nodes (forward values and adjoints)',
          table: {
            columns: ['node', 'data', 'grad', 'uses'],
            align: ['left', 'right', 'right', 'right'],
            rows: data.nodes.map((n) => [n.label, exactText(n.value), n.kind === 'const' ? '—' : exactText(n.grad), String(n.uses)]),
          },
        },
      ],
      figures: [{ id: 'graph', file: 'graph.svg', title: 'Computational graph', caption, svg: data.svg, narrowSvg: data.narrowSvg }],
      code: [{ title: 'Wengert list', text: data.wengert }],
    };
  },
  json: ({ svg: _svg, narrowSvg: _narrow, ...rest }) => rest,
};
