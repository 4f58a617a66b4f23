// Direct labels placed where they cover no line and no other label: each drawing (wide and narrow) places its own, on the pixel grid it is drawn on.
import { textWidth } from './text-metrics.ts';

/** A point in data coordinates (the fields of the plot's x and y encodings). */
export interface DataPoint {
  readonly x: number;
  readonly y: number;
}

/** One label and the line it names. */
export interface LabelItem {
  readonly text: string;
  /** The line it labels, in data coordinates; the label prefers its last point and moves back along it to find room. */
  readonly line: readonly DataPoint[];
  /** A shorter text, taken only where the full one finds no place that crosses nothing. */
  readonly short?: string;
  /** Fields copied onto the drawn datum (e.g. `series`, for the colour encoding the lines use). */
  readonly datum?: Readonly<Record<string, unknown>>;
}

/** A positional encoding of the plot: its field and scale (log or linear, with an explicit domain). */
interface Axis {
  readonly field: string;
  readonly scale: { readonly type?: string; readonly domain: readonly [number, number]; readonly reverse?: boolean };
}

/**
 * A layer whose labels are placed at render time, written into a layered vega-lite spec in place of a text layer.
 * {@link placeLabels} turns it into a text layer whose data are the labels' top-left corners.
 */
export interface LabelLayer {
  readonly directLabels: {
    readonly x: Axis & Record<string, unknown>;
    readonly y: Axis & Record<string, unknown>;
    readonly items: readonly LabelItem[];
    /** Everything drawn that a label must not cover: the plot's lines (polylines) and marks (single points). */
    readonly avoid: readonly (readonly DataPoint[])[];
  };
  /** The text mark's style (font size, weight, colour); its size is the one {@link narrowSpec} raises on phones. */
  readonly mark: Record<string, unknown> & { readonly fontSize: number };
  /** Extra encodings of the drawn labels (`color`). */
  readonly encoding?: Record<string, unknown>;
}

interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

type Pixel = [number, number];

const transform = (type: string | undefined) => (type === 'log' ? Math.log10 : (v: number) => v);
const inverse = (type: string | undefined) => (type === 'log' ? (v: number) => 10 ** v : (v: number) => v);

/** Data → pixel and back along one axis of `length` px (y runs downwards, as drawn). */
function axisMap(axis: Axis, length: number, vertical: boolean) {
  const f = transform(axis.scale.type);
  const g = inverse(axis.scale.type);
  const [a, b] = axis.scale.domain.map(f);
  const flip = vertical !== (axis.scale.reverse === true);
  return {
    toPixel: (v: number) => {
      const t = (f(v) - a) / (b - a);
      return (flip ? 1 - t : t) * length;
    },
    toData: (px: number) => {
      const t = px / length;
      return g(a + (flip ? 1 - t : t) * (b - a));
    },
  };
}

/** Whether the segment p–q passes through the box (Liang–Barsky clipping). */
function crosses(p: Pixel, q: Pixel, box: Box): boolean {
  let [t0, t1] = [0, 1];
  const [dx, dy] = [q[0] - p[0], q[1] - p[1]];
  for (const [edge, delta] of [
    [p[0] - box.x0, -dx],
    [box.x1 - p[0], dx],
    [p[1] - box.y0, -dy],
    [box.y1 - p[1], dy],
  ]) {
    if (delta === 0) {
      if (edge < 0) return false;
    } else {
      const t = edge / delta;
      if (delta < 0) t0 = Math.max(t0, t);
      else t1 = Math.min(t1, t);
      if (t0 > t1) return false;
    }
  }
  return true;
}

const meets = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/** The text as one line, and broken at commas or spaces into 2 to 4 lines of about equal width. */
function variants(text: string, fontSize: number, bold: boolean): string[][] {
  const words = text.split(/(?<=,) | (?=\()|(?<=:) /);
  const out: string[][] = [[text]];
  for (let k = 2; k <= Math.min(4, words.length); k++) {
    const target = textWidth(text, fontSize, bold) / k;
    const lines: string[] = [];
    for (const word of words) {
      const last = lines.length - 1;
      if (last >= 0 && textWidth(`${lines[last]} ${word}`, fontSize, bold) <= target * 1.15) lines[last] += ` ${word}`;
      else lines.push(word);
    }
    if (!out.some((o) => o.join('\n') === lines.join('\n'))) out.push(lines);
  }
  return out;
}

/** Extra room to the right of the plot that a wide drawing's labels may use (at a line's end, as in a book's figure). */
const wideRightMargin = 220;

/**
 * Replaces every {@link LabelLayer} of a layered spec with a text layer, each label put where it crosses no line or
 * mark and no label placed before it: on its line's last point if there is room, else at the nearest point back
 * along the half of the line nearest it with room, on any side, broken over lines if that helps. A label that finds no free place goes
 * into a key under the x axis, in its line's colour. Labels stay inside the plot, except that a wide drawing's may
 * stand in the margin right of it.
 */
export function placeLabels(spec: Record<string, unknown>, layout: 'wide' | 'narrow'): Record<string, unknown> {
  const layers = spec.layer as unknown[] | undefined;
  if (!Array.isArray(layers) || !layers.some((l) => (l as Partial<LabelLayer>).directLabels !== undefined)) return spec;
  const width = spec.width as number;
  const height = spec.height as number;
  const placed: Box[] = [];
  // Where the key under the plot has got to (px below the plot's top), for labels with no free place beside their line.
  let keyY: number | undefined;
  const resolved = layers.map((layer) => {
    const { directLabels, mark, encoding } = layer as LabelLayer;
    if (directLabels === undefined) return layer;
    const x = axisMap(directLabels.x, width, false);
    const y = axisMap(directLabels.y, height, true);
    const px = (p: DataPoint): Pixel => [x.toPixel(p.x), y.toPixel(p.y)];
    const segments: [Pixel, Pixel][] = directLabels.avoid.flatMap((line) => {
      const pts = line.map(px).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      return pts.length === 1 ? [[pts[0], pts[0]] as [Pixel, Pixel]] : pts.slice(1).map((q, i) => [pts[i], q] as [Pixel, Pixel]);
    });
    // Every point of a line may carry a marker (up to about 4 px in radius): a label keeps clear of them all.
    const vertices: Pixel[] = directLabels.avoid.flatMap((line) => line.map(px)).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    const markerRadius = 4.5;
    const fontSize = mark.fontSize;
    const bold = mark.fontWeight === 'bold';
    const lineHeight = fontSize + 2;
    const gap = 5;
    const right = layout === 'wide' ? width + wideRightMargin : width;
    const values = directLabels.items.flatMap((item) => {
      // Anchors every ~12 px along the line, the preferred end first.
      const pts = item.line.map(px).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
      if (pts.length === 0) return [];
      // Only along the half of the line nearest that end: a label far back, where lines often bunch, reads as another's.
      const anchors: Pixel[] = [pts[pts.length - 1]];
      const length = pts.slice(1).reduce((sum, q, i) => sum + Math.hypot(q[0] - pts[i][0], q[1] - pts[i][1]), 0);
      let walked = 0;
      for (let i = pts.length - 1; i > 0 && walked <= length / 2; i--) {
        const [p, q] = [pts[i], pts[i - 1]];
        const segment = Math.hypot(q[0] - p[0], q[1] - p[1]);
        const steps = Math.max(1, Math.round(segment / 12));
        for (let s = 1; s <= steps && walked + (segment * s) / steps <= length / 2; s++) anchors.push([p[0] + ((q[0] - p[0]) * s) / steps, p[1] + ((q[1] - p[1]) * s) / steps]);
        walked += segment;
      }
      let best: { cost: number; box: Box; lines: string[] } | undefined;
      const texts = [...variants(item.text, fontSize, bold), ...(item.short === undefined ? [] : variants(item.short, fontSize, bold).map((lines) => ({ lines, penalty: 1000 })))];
      texts.forEach((variant, v) => {
        const { lines, penalty } = Array.isArray(variant) ? { lines: variant, penalty: 0 } : variant;
        const w = Math.max(...lines.map((l) => textWidth(l, fontSize, bold)));
        const h = lines.length * lineHeight;
        anchors.forEach(([ax, ay], a) => {
          const corners: [number, number, number][] = [
            [ax + gap, ay - h / 2, 0],
            [ax + gap, ay - gap - h, 0.2],
            [ax + gap, ay + gap, 0.2],
            [ax - w / 2, ay - gap - h, 0.4],
            [ax - w / 2, ay + gap, 0.4],
            [ax - gap - w, ay - gap - h, 0.6],
            [ax - gap - w, ay + gap, 0.6],
            [ax - gap - w, ay - h / 2, 0.8],
          ];
          for (const [x0, y0, side] of corners) {
            const box = { x0, y0, x1: x0 + w, y1: y0 + h };
            if (box.x0 < 0 || box.y0 < 0 || box.x1 > right || box.y1 > height) continue;
            const padded = { x0: box.x0 - 2, y0: box.y0 - 1, x1: box.x1 + 2, y1: box.y1 + 1 };
            if (placed.some((b) => meets(b, padded))) continue;
            const crossings =
              segments.filter(([p, q]) => crosses(p, q, padded)).length +
              vertices.filter(([vx, vy]) => vx > box.x0 - markerRadius && vx < box.x1 + markerRadius && vy > box.y0 - markerRadius && vy < box.y1 + markerRadius).length;
            // Crossing a line costs more than any walk along the line; a second line of text costs a few anchors.
            const cost = crossings * 1e4 + penalty + a + side + v * 4;
            if (best === undefined || cost < best.cost) best = { cost, box, lines };
          }
        });
      });
      if (best === undefined || best.cost >= 1e4) {
        // No place beside the line that crosses nothing: the label goes into a key under the plot, below the x axis, in
        // its line's colour, rather than over other lines where it cannot be read.
        const lines = variants(item.text, fontSize, bold).find((ls) => Math.max(...ls.map((l) => textWidth(l, fontSize, bold))) <= width) ?? [item.text];
        keyY ??= height + 2 * fontSize + 26;
        const box = { x0: 0, y0: keyY, x1: Math.max(...lines.map((l) => textWidth(l, fontSize, bold))), y1: keyY + lines.length * lineHeight };
        keyY = box.y1 + 4;
        best = { cost: 0, box, lines };
      }
      placed.push(best.box);
      return [{ ...item.datum, text: best.lines.length === 1 ? best.lines[0] : best.lines, lx: x.toData(best.box.x0), ly: y.toData(best.box.y0) }];
    });
    const { items: _items, avoid: _avoid, x: xAxis, y: yAxis } = directLabels;
    return {
      data: { values },
      mark: { ...mark, type: 'text', align: 'left', baseline: 'top', lineHeight },
      encoding: { ...encoding, x: { ...xAxis, field: 'lx' }, y: { ...yAxis, field: 'ly' }, text: { field: 'text' } },
    };
  });
  return { ...spec, layer: resolved };
}
