// The control-flow section (teaching.md R8, d2l "Control flow"): AD through a loop and a branch, the identity f′(a)·a = f(a), FD across a threshold; caption from the numbers.
import { errorText, exactText } from '../../harness/format.ts';
import type { ControlFlowData } from '../../harness/control-flow.ts';
import type { ReportSection, SectionBlocks } from '../section.ts';
import { measureControlFlow } from '../../harness/control-flow.ts';
import type { TableData } from '../tables.ts';

const sig = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
const expText = (x: number) => (x === 0 || !Number.isFinite(x) ? String(x) : x.toExponential(2));
const slopeText = (branch: 'b' | '100·b', k: number) => `${branch === 'b' ? '' : '100·'}2^${k + 1}`;

/** The takeaway, from the measured points. */
export function controlFlowCaption(data: ControlFlowData): string {
  const points = data.points;
  const held = points.filter((p) => p.identityHolds).length;
  const adExact = points.filter((p) => p.ad === p.exact).length;
  const straddling = points.filter((p) => p.straddles);
  const smooth = points.filter((p) => !p.straddles);
  const worstSmooth = Math.max(0, ...smooth.map((p) => p.fdRelativeError));
  const head =
    held === points.length
      ? `Autograd differentiates the program through its loop and branch: f′(a)·a = f(a) holds bit for bit at all ${points.length} points`
      : `The identity f′(a)·a = f(a) holds at only ${held} of ${points.length} points`;
  const ad = adExact === points.length ? ', and f′ is exactly the slope 2^(k+1) (or 100·2^(k+1)) of the piece' : `, and f′ equals the slope of the piece at ${adExact} of ${points.length} points`;
  const fd = straddling.length === 0
    ? ` Central differences at h = ∛ε·max(1, |a|) stay within ${errorText(worstSmooth)} relative; no stencil straddled a doubling threshold.`
    : ` Central differences at h = ∛ε·max(1, |a|) are within ${errorText(worstSmooth)} relative where the stencil stays on one piece, but ` +
      straddling
        .map((p) => `at a = ${exactText(p.a)} the stencil straddles a doubling threshold and gives ${expText(p.fd)} instead of ${exactText(p.exact)} (relative error ${errorText(p.fdRelativeError)}, i.e. off by ${expText(p.fdRelativeError * 100)}%, ${sig(Math.abs(p.fd / p.exact), 2)}× the true slope${p.fd * p.exact < 0 ? ' with the wrong sign' : ''}), while AD returns the slope of the piece the run took: exact for the branch taken, though f itself jumps there and has no derivative`)
        .join('; ') +
      '.';
  return `${head}${ad}.${fd} Symbolic differentiation has nothing to run on: f has no closed form.`;
}

/** The section's table: per point, the loop count and branch, f, AD's f′ and the identity, FD, and the symbolic column. */
export function controlFlowTable(data: ControlFlowData): TableData {
  return {
    columns: ['a', 'point', 'doublings k', 'branch', 'f(a)', 'autograd f′', 'exact slope', 'f′·a = f(a)?', 'h', 'central difference', 'FD relative error', 'stencil straddles?', 'symbolic'],
    align: ['right', 'left', 'right', 'left', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'left', 'left'],
    rows: data.points.map((p) => [
      exactText(p.a),
      p.label,
      String(p.doublings),
      `c = ${p.branch}`,
      exactText(p.value),
      exactText(p.ad),
      `${slopeText(p.branch, p.doublings)} = ${exactText(p.exact)}`,
      p.identityHolds ? `✓ ${exactText(p.adTimesA)}` : `✗ ${exactText(p.adTimesA)} ≠ ${exactText(p.value)}`,
      expText(p.h),
      sig(p.fd, 12),
      errorText(p.fdRelativeError),
      p.straddles ? `yes (k = ${p.stencilDoublings[0]} at a − h, ${p.stencilDoublings[1]} at a + h)` : 'no',
      'not applicable',
    ]),
  };
}

/** The TypeScript program, as the report shows it. */
const programText = [
  "import { tensor, type Tensor } from 'gradlab';",
  '',
  'function f(a: Tensor): Tensor {',
  '  let b = a.mul(2);',
  '  while (b.abs().item() < 1000) b = b.mul(2);',
  '  return b.item() > 0 ? b : b.mul(100);',
  '}',
  '',
  'const a = tensor(0.7, { requiresGrad: true });',
  'const c = f(a);',
  'c.backward();',
  'a.grad!.item() * a.item() === c.item(); // true: f is linear on the piece containing a',
].join('\n');

/** Section "Programs, not formulas": the table and the notes for a measured {@link ControlFlowData}. */
export function controlFlowSection(data: ControlFlowData): SectionBlocks {
  return {
    title: 'Programs, not formulas: control flow',
    caption: controlFlowCaption(data),
    notes: [
      `d2l's control-flow function (from the automatic-differentiation chapter of Dive into Deep Learning): ${data.program}, written as a TypeScript function over gradlab's Tensor API. ` +
        'How many times the loop runs and which branch is taken depend on the value of a, so there is no single formula for f; autograd records only the operations the run actually executed, and differentiates those.',
      'After k doublings b = 2^(k+1)·a, so f is piecewise linear: f(a) = 2^(k+1)·a for a > 0 and 100·2^(k+1)·a for a < 0, with k constant between the thresholds |a| = 1000/2^j. ' +
        'Hence f′(a)·a = f(a) on every piece (d2l\'s check `a.grad == d / a`); multiplying by powers of two (and by 100 on both sides) rounds identically, so the identity is checked bit for bit. At a = 0 the loop never ends.',
      `Central differences: (f(a + h) − f(a − h)) / 2h with ${data.stepRule}, computed directly because the numeric methods take IR expressions, not programs. ` +
        'Where a ± h fall on different pieces (a different loop count), the quotient measures the jump in f, not its slope.',
      `Symbolic: ${data.points[0]?.symbolic ?? 'not applicable'}.`,
    ],
    tables: [{ title: 'f′ at each point: autograd, the identity, central differences', table: controlFlowTable(data) }],
    figures: [],
    code: [{ title: 'The program, differentiated by autograd', text: programText }],
  };
}

export const controlFlow: ReportSection<ControlFlowData> = {
  id: 'control-flow',
  dataKey: 'controlFlow',
  weight: 1,
  applies: (suite) => suite.experiments.controlFlow === true,
  measure: () => measureControlFlow(),
  render: (data) => controlFlowSection(data),
};
