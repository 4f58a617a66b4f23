// The analysis Web Worker: the 64-digit reference, the computational graph drawn by Graphviz (wasm), and the V curve, off the page's thread.
import { getMethod } from '../../src/diff/registry.ts';
import { measureVCurve } from '../../src/harness/accuracy.ts';
import { referenceTrace } from '../../src/harness/reference.ts';
import { graphDot, renderDot } from '../../src/report/graph.ts';
import { parse } from '../../src/ir/parse.ts';
import { apply, constant, type Expr } from '../../src/ir/node.ts';
import { topologicalOrder } from '../../src/ir/traverse.ts';
import type { AnalysisJob, AnalysisReply, VCurveData, VPoint } from './protocol.ts';

const post = (reply: AnalysisReply) => (self as unknown as Worker).postMessage(reply);

/** The schemes the V curve draws, and AD as the flat line. */
export const vcurveMethods = ['numeric-forward', 'numeric-central', 'numeric-five-point', 'complex-step'] as const;

/** `expr` with every variable but `keep` replaced by its value at the point (a function of one variable for the V curve). */
function holdOthers(expr: Expr, keep: string, variables: readonly string[], point: readonly number[]): Expr {
  const value = new Map(variables.map((v, i) => [v, point[i]]));
  const rebuilt = new Map<number, Expr>();
  for (const node of topologicalOrder(expr)) {
    let out: Expr = node;
    if (node.kind === 'var' && node.name !== keep) out = constant(value.get(node.name)!);
    else if (node.kind === 'op') {
      const args = node.args.map((a) => rebuilt.get(a.id)!);
      if (args.some((a, i) => a !== node.args[i])) out = apply(node.op, ...args);
    }
    rebuilt.set(node.id, out);
  }
  return rebuilt.get(expr.id)!;
}

function vcurve(expr: Expr, job: AnalysisJob, variable: string): VCurveData {
  const k = job.variables.indexOf(variable);
  const single = holdOthers(expr, variable, job.variables, job.point);
  const methods = [...vcurveMethods, 'autograd'].map(getMethod);
  const curve = measureVCurve(single, variable, job.point[k], methods, { from: 1e-1, to: 1e-15, perDecade: 2 });
  const points: VPoint[] = curve.series.flatMap((s) =>
    s.measured.map((m) => ({ method: s.method, h: m.h, error: m.error !== null && Number.isFinite(m.error) && m.error >= 0 ? m.error : null })),
  );
  const ad = curve.flat.find((f) => f.method === 'autograd')?.error ?? null;
  return {
    variable,
    at: job.point[k],
    exact: curve.exact,
    steps: curve.steps,
    points,
    optimal: curve.series.map((s) => ({ method: s.method, h: s.optimalStep, error: s.optimalError })),
    ad,
  };
}

/** How many parents use each node (a node used twice sums two contributions into its gradient). */
function uses(expr: Expr): Map<number, number> {
  const count = new Map<number, number>();
  for (const node of topologicalOrder(expr)) for (const arg of node.args) count.set(arg.id, (count.get(arg.id) ?? 0) + 1);
  return count;
}

self.onmessage = async (event: MessageEvent<AnalysisJob>) => {
  const job = event.data;
  const expr = parse(job.text);
  const point = Float64Array.from(job.point);
  let trace: ReturnType<typeof referenceTrace> | undefined;
  try {
    trace = referenceTrace(expr, job.variables, point);
    post({ kind: 'reference', id: job.id, value: trace.value.toNumber(), gradient: trace.gradient.map((g) => g.toNumber()) });
  } catch (error) {
    post({ kind: 'reference', id: job.id, value: NaN, gradient: [], error: (error as Error).message });
  }
  if (job.graph && trace !== undefined) {
    try {
      const { dot, nodes } = graphDot(expr, trace);
      const svg = await renderDot(dot);
      const used = uses(expr);
      post({ kind: 'graph', id: job.id, svg, nodes: nodes.map((n) => ({ ...n, uses: used.get(Number(n.name.slice(1))) ?? 0 })) });
    } catch (error) {
      post({ kind: 'failed', id: job.id, part: 'graph', message: (error as Error).message });
    }
  }
  if (job.vcurveVariable !== null) {
    try {
      post({ kind: 'vcurve', id: job.id, vcurve: vcurve(expr, job, job.vcurveVariable) });
    } catch (error) {
      post({ kind: 'failed', id: job.id, part: 'vcurve', message: (error as Error).message });
    }
  }
  post({ kind: 'done', id: job.id });
};
