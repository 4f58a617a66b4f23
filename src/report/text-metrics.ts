// Text widths for figures drawn without a browser: Helvetica's advance widths, so a figure is sized to its text and a direct label's box is known before it is placed.
import * as vega from 'vega';

/**
 * Advance widths of Helvetica (regular and bold) for the printable ASCII characters 32–126, in thousandths of an
 * em, from Adobe's font metrics; Arial and Liberation Sans share them. Other characters (′, ², ∇, ×, →, ℝ) count
 * as {@link otherWidth}.
 */
// prettier-ignore
const helvetica = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
// prettier-ignore
const helveticaBold = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
  611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
const otherWidth = 650;

/**
 * Headroom over Helvetica's widths: a browser whose sans-serif is another face (DejaVu Sans is some 8% wider) still
 * fits its text in the room the estimate made.
 */
const headroom = 1.08;

/** The font every figure asks for first: faces that share {@link helvetica}'s widths. */
export const figureFont = 'Helvetica, Arial, sans-serif';

/** Estimated width in px of one line of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number, bold = false): number {
  const table = bold ? helveticaBold : helvetica;
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    em += code >= 32 && code <= 126 ? table[code - 32] : otherWidth;
  }
  return (em / 1000) * fontSize * headroom;
}

const isBold = (weight: unknown) => weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);

/** vega's text measurer, which its type declarations do not list. */
type TextMetrics = { width: (item: { fontSize?: number; fontWeight?: unknown; limit?: number }, text: unknown) => number };

let installed = false;

/**
 * Makes vega measure text with {@link textWidth}. Without a canvas vega guesses 0.8 em per character, which is
 * about half as wide again as Helvetica's text: a figure's drawing got that much empty room beside its
 * longest labels, and a narrow figure that would fit a phone scrolled in its box.
 */
export function useFigureTextMetrics(): void {
  if (installed) return;
  installed = true;
  (vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) => {
    const line = text == null ? '' : String(text).trim();
    const width = textWidth(line, item.fontSize ?? 11, isBold(item.fontWeight));
    // A label with a limit is cut to it (vega's own truncation calls back here for the pieces it tries).
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}
