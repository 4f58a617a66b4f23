// The tall-versus-wide section (teaching.md R4, the JAX cookbook's jacfwd/jacrev): forward or reverse mode for a Jacobian, caption from the numbers.
import { errorText } from '../../harness/format.ts';
import type { JacobianShapeSweep, ShapeRow } from '../../harness/jacobian-shape.ts';
import type { ReportSection, SectionBlocks } from '../section.ts';
import { measureJacobianShapes } from '../../harness/jacobian-shape.ts';
import { jacobianShapeSpec, renderFigure } from '../plots.ts';
import type { TableData } from '../tables.ts';

const sig = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
import { formatMs as ms } from '../../harness/timing.ts';

const winner = (ratio: number) => (ratio < 1 ? 'forward' : ratio > 1 ? 'reverse' : 'neither');

/** The takeaway, from the measured counts and times. */
export function tallWideCaption(sweep: JacobianShapeSweep): string {
  const byAspect = [...sweep.rows].sort((a, b) => b.aspect - a.aspect);
  const tall = byAspect[0];
  const wide = byAspect[byAspect.length - 1];
  const shape = (r: ShapeRow) => `n = ${r.n}, m = ${r.m}`;
  const margin = (r: ShapeRow) => (r.instructionRatio < 1 ? 1 / r.instructionRatio : r.instructionRatio);
  const worst = Math.max(...sweep.rows.map((r) => r.disagreement));
  const textbook = winner(tall.instructionRatio) === 'forward' && winner(wide.instructionRatio) === 'reverse';
  const head = textbook
    ? 'Forward mode wins for tall Jacobians (m > n), reverse mode for wide ones (m < n)'
    : `Forward mode does not simply win tall and reverse wide here (tallest: ${winner(tall.instructionRatio)}, widest: ${winner(wide.instructionRatio)})`;
  // Within a factor of 2 of m = n counts as square: the shapes measured are a factor of 2 apart.
  const nearSquare = (x: number | null) => x !== null && x >= 0.5 && x <= 2;
  const cross = (x: number | null) => (x === null ? 'no crossover in the measured range' : `m/n ≈ ${sig(x, 2)}`);
  return (
    `${head}: at ${shape(tall)} forward mode runs ${sig(margin(tall), 2)}× ${tall.instructionRatio < 1 ? 'fewer' : 'more'} instructions than reverse, at ${shape(wide)} reverse runs ${sig(margin(wide), 2)}× ${wide.instructionRatio > 1 ? 'fewer' : 'more'}; ` +
    `the crossover is at ${cross(sweep.crossoverInstructions)} in instructions${nearSquare(sweep.crossoverInstructions) ? ', near square' : ''} ` +
    `(${cross(sweep.crossoverTime)} in median time on this machine). ` +
    `Both Jacobians agree to ${errorText(worst)} relative.`
  );
}

/** The section's table: per shape, each mode's passes, instructions and median time, their ratios, and the agreement. */
export function tallWideTable(sweep: JacobianShapeSweep): TableData {
  return {
    columns: [
      'n', 'm', 'm/n', 'f instructions', 'forward passes (calls)', 'forward instructions', 'reverse passes', 'reverse instructions', 'instructions fwd/rev',
      'forward time', 'reverse time', 'time fwd/rev', 'max |J_fwd − J_rev| / max |J|', 'auto picks',
    ],
    rows: sweep.rows.map((r) => [
      String(r.n),
      String(r.m),
      sig(r.aspect),
      String(r.fInstructions),
      `${r.forward.passes} (${r.forward.calls})`,
      String(r.forward.instructions),
      String(r.reverse.passes),
      String(r.reverse.instructions),
      sig(r.instructionRatio),
      `${ms(r.forward.medianMs)} (${ms(r.forward.q1Ms)}–${ms(r.forward.q3Ms)})`,
      `${ms(r.reverse.medianMs)} (${ms(r.reverse.q1Ms)}–${ms(r.reverse.q3Ms)})`,
      sig(r.timeRatio),
      errorText(r.disagreement),
      r.autoMode,
    ]),
  };
}

/** Section "Tall versus wide": the table, the plot and the notes for a measured {@link JacobianShapeSweep}. */
export async function tallWideSection(sweep: JacobianShapeSweep): Promise<SectionBlocks> {
  const caption = tallWideCaption(sweep);
  return {
    title: 'Tall versus wide: forward or reverse mode for a Jacobian',
    caption,
    notes: [
      `f: ℝⁿ → ℝᵐ for every (n, m) with n·m = ${sweep.product} (JAX's autodiff cookbook: jacfwd "is more efficient for 'tall' Jacobian matrices", jacrev for "wide" ones). ` +
        `All outputs share one core of work, so f costs about the same at every shape: a linear read-in s⁰ₖ = Σᵢ wₖᵢxᵢ, ${sweep.depth} layers sᵗ⁺¹ₖ = tanh(aₜsᵗₖ + bₜsᵗₖ₊₁ + cₜₖ) on a ring of width ${sweep.width}, and a linear read-out yⱼ = Σₖ vⱼₖsᴰₖ, built in the IR.`,
      "The full Jacobian comes from jacobian(exprs, variables, point, { mode }) with the mode forced. Forward mode makes n tangent passes (direction eᵢ gives column i) of one compiled JVP program for all m outputs, plus one call for the values; reverse mode makes m compiled reverse sweeps, one per output (row j). " +
        'Instructions executed are the SSA instructions of each program times its calls (machine-independent); times are the median (with quartiles) of interleaved, warmed-up, batched samples of one whole Jacobian with every program compiled and cached (they depend on the machine, see the metadata).',
      'The crossover needs shared work: if each output had its own separate terms (yⱼ = Σᵢ gᵢⱼ(xᵢ)), each reverse sweep would touch only its own output and reverse mode would win at every shape.',
    ],
    tables: [{ title: 'Full Jacobian by forward and by reverse mode, per shape', table: tallWideTable(sweep) }],
    figures: [{ id: 'tall-wide', file: 'tall-wide.svg', title: 'Forward over reverse cost against m/n', caption, ...(await renderFigure(jacobianShapeSpec(sweep))) }],
    code: [],
  };
}

export const tallWide: ReportSection<JacobianShapeSweep> = {
  id: 'tall-wide',
  dataKey: 'jacobianShapes',
  weight: 1,
  applies: (suite) => suite.experiments.tallWide === true,
  measure: (_suite, profile) => measureJacobianShapes({ minTimeMs: profile.jacobianMinTimeMs, samples: profile.jacobianSamples }),
  render: (sweep) => tallWideSection(sweep),
};
