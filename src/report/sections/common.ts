// Small helpers the section files share: number formatting for captions and the method glossary's wording.
export { errorText, exactText, pointText } from '../../harness/format.ts';
export { formatMs as ms, formatRatio, formatTiming } from '../../harness/timing.ts';

/** A number with `digits` significant digits, trailing zeros dropped. */
export const sig = (x: number, digits = 3): string => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));

/** The median of some numbers (the lower middle one for an even count), NaN for none. */
export function medianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

/**
 * The one definition of relative error used throughout the report, for the notes: the largest error over the
 * partials divided by the gradient's scale.
 */
export const relativeErrorDefinition =
  'Relative error, everywhere in this report: ‖ĝ − g‖∞ / max(‖g‖∞, |f|/max(1, ‖x‖∞), ε), the largest error over the partials divided by the size of the gradient (or of f, where the gradient is tiny), against the 64-digit reference g. The V curve and the per-order tables, with a single derivative far from 0, use |ĝ − g| / |g|: the same measure without the safeguard for tiny gradients.';
