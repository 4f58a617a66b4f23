// The report's plots as vega-lite specifications, rendered to SVG in Node by vega (no browser, no network).
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { VCurve, VSeries } from '../harness/accuracy.ts';
import type { CostSweep } from '../harness/cost.ts';
import type { SwellRow } from '../harness/swell.ts';
import type { HigherOrder } from '../harness/higher-order.ts';
import type { JacobianShapeSweep } from '../harness/jacobian-shape.ts';
import { figureFont, textWidth, useFigureTextMetrics } from './text-metrics.ts';
import { placeLabels, type DataPoint, type LabelLayer } from './labels.ts';

/** Errors of exactly 0 cannot sit on a log axis: plots draw them here and say so in the legend. */
export const plotFloor = 1e-18;

const clamp = (error: number) => Math.max(error, plotFloor);

/** Renders a vega-lite specification to a standalone SVG string ({@link compactSvg}). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  useFigureTextMetrics();
  const placed = placeLabels(spec as unknown as Record<string, unknown>, 'wide') as unknown as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(placed).spec), { renderer: 'none' });
  try {
    return compactSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

const round = (number: string) => {
  const r = Math.round(Number(number) * 10) / 10;
  return String(r === 0 ? 0 : r);
};

/**
 * vega's SVG with the same drawing in fewer bytes: coordinates to 0.1 px (vega writes three decimals; a tenth of a
 * pixel is below what a screen shows), attributes that only restate SVG's defaults and empty frames dropped, and the font family,
 * the same on every text, said once on the root. Every figure is on the page twice (wide and narrow), so this is
 * most of the page's weight.
 */
export function compactSvg(svg: string): string {
  let out = svg
    .replace(/ (d|transform|points|x1|x2|y1|y2)="([^"]*)"/g, (_, name: string, value: string) => ` ${name}="${value.replace(/-?\d*\.\d+/g, round)}"`)
    .replace(/ (opacity="1"|stroke-width="1"|pointer-events="none"|transform="translate\(0,0\)")/g, '')
    // The empty frame every axis and legend group draws (a path of no area, or none at all).
    .replace(/<path class="(background|foreground)" aria-hidden="true" d="(M0,0h0v0h0Z)?"( display="none")?\/>/g, '');
  const families = new Set([...out.matchAll(/ font-family="([^"]*)"/g)].map((m) => m[1]));
  if (families.size === 1) {
    const [family] = families;
    out = out.replaceAll(` font-family="${family}"`, '').replace(/^<svg /, `<svg font-family="${family}" `);
  }
  return out;
}

/**
 * The body text's size on a phone (the browser default, 16 CSS px): a figure drawn for narrow screens sets no text
 * smaller, and is shown at its natural size, so its labels read as large as the prose around it.
 */
export const narrowFontPx = 16;

/** Widest plot area of a narrow figure: with axis labels it stays within a 390-px phone's 358-px text column or close to it. */
const narrowPlotWidth = 250;

/** How much taller a narrow plot is than the wide one. */
const narrowHeightScale = 1.3;

/** The widest a line of a narrow figure's titles may be: inside a 390-px phone's 358-px text column with room to spare. */
const narrowLinePx = 330;

/** Breaks a title into lines at most `max` px wide at spaces (vega-lite draws an array as one line each). */
function wrapLines(text: string, fontSize: number, bold: boolean, max = narrowLinePx): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(`${lines[last]} ${word}`, fontSize, bold) <= max) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * The same plot laid out for a narrow screen: every font at least {@link narrowFontPx}, plot areas at most
 * {@link narrowPlotWidth} wide (or the spec's `usermeta.narrowPlotWidth`) and {@link narrowHeightScale} times as tall,
 * side-by-side panels stacked, and titles wrapped to the phone's column. The data and marks are untouched, so the
 * narrow figure shows exactly what the wide one shows; {@link renderFigure} then places its direct labels afresh.
 */
export function narrowSpec(spec: TopLevelSpec): TopLevelSpec {
  // A figure whose labels beside the plot are wide (method names) asks for a narrower plot in `usermeta`.
  const plotWidth = (spec as { usermeta?: { narrowPlotWidth?: number } }).usermeta?.narrowPlotWidth ?? narrowPlotWidth;
  const ownAxes = (panel: unknown): unknown => {
    const encoding = (panel as { encoding?: Record<string, { axis?: unknown }> }).encoding;
    if (encoding === undefined) return panel;
    const shown = Object.fromEntries(Object.entries(encoding).map(([channel, e]) => [channel, e !== null && typeof e === 'object' && e.axis === null ? { ...e, axis: {} } : e]));
    return { ...(panel as object), encoding: shown };
  };
  const visit = (value: unknown, key: string | undefined): unknown => {
    if (Array.isArray(value)) return key === 'values' ? value : value.map((v) => visit(v, undefined));
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'number' && /fontsize$/i.test(key ?? '')) return Math.max(value, narrowFontPx);
      if (typeof value === 'number' && key === 'width') return Math.min(value, plotWidth);
      // A phone has height to spare: a taller plot spreads its lines apart, leaving room for their labels beside them.
      if (typeof value === 'number' && key === 'height') return Math.round(value * narrowHeightScale);
      if (typeof value === 'number' && key === 'labelLimit') return Math.min(value, 2 * narrowPlotWidth);
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Side-by-side panels are stacked; a panel that relied on its left neighbour's axis for its rows then shows its own.
      out[k === 'hconcat' ? 'vconcat' : k] = k === 'hconcat' && Array.isArray(v) ? v.map((panel) => visit(ownAxes(panel), undefined)) : visit(v, k);
      // The figure's title, and axis, legend and panel titles (centred on the plot, so no wider than it), go over lines
      // rather than past the phone's edge; a y axis's title runs up the side, along the plot's height, on one line.
      if (k === 'title' && typeof v === 'string' && key !== 'y') out[k] = key === undefined ? wrapLines(v, narrowFontPx + 2, true) : wrapLines(v, narrowFontPx, true, plotWidth);
    }
    // Marks that leave their text size to the config get it explicitly (a text mark's default is 11 px); direct
    // labels break themselves over lines where they are placed ({@link placeLabels}).
    if (key === 'mark' && out.type === 'text') out.fontSize ??= narrowFontPx;
    if (key === 'title' && typeof out.text === 'string') out.text = wrapLines(out.text, narrowFontPx + 2, true);
    if (key === 'title' && typeof out.subtitle === 'string') out.subtitle = wrapLines(out.subtitle, narrowFontPx, false);
    return out;
  };
  const narrow = visit(spec, undefined) as Record<string, unknown>;
  const f = narrowFontPx;
  const config = (narrow.config ?? {}) as Record<string, Record<string, unknown>>;
  narrow.config = {
    ...config,
    // Axis labels are never cut: the method names ("symbolic-simplified", about 145 px at 16 px) are the figure.
    axis: { ...config.axis, labelFontSize: f, titleFontSize: f, labelLimit: 320 },
    axisY: { labelLimit: 320 },
    legend: { ...config.legend, labelFontSize: f, titleFontSize: f, labelLimit: 2 * narrowPlotWidth },
    // Titles start at the figure's left edge: centred over the plot, which sits right of the y axis, a title as wide
    // as the phone's column would run past its right edge.
    title: { ...config.title, fontSize: f + 2, subtitleFontSize: f, anchor: 'start', frame: 'bounds' },
    header: { ...config.header, labelFontSize: f, titleFontSize: f },
    text: { ...config.text, fontSize: f },
  };
  return narrow as unknown as TopLevelSpec;
}

/** A figure's two drawings: `svg` for wide screens, `narrowSvg` ({@link narrowSpec}) for phones. */
export async function renderFigure(spec: TopLevelSpec): Promise<{ svg: string; narrowSvg: string }> {
  const narrow = placeLabels(narrowSpec(spec) as unknown as Record<string, unknown>, 'narrow') as unknown as TopLevelSpec;
  return { svg: await renderSvg(spec), narrowSvg: await renderSvg(narrow) };
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  config: { font: figureFont, range: { category: { scheme: 'tableau20' } }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 } },
} as const;

const logAxis = (title: string, format = '.0e') => ({ type: 'quantitative' as const, title, scale: { type: 'log' as const }, axis: { format, tickCount: 8 } });

/** A log scale's domain from a decade at or below the smallest value to one at or above the largest (what vega's `nice` would pick), given explicitly so direct labels can be placed on the drawn pixel grid. */
function logDomain(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  return [10 ** Math.floor(Math.log10(Math.min(...positive))), 10 ** Math.ceil(Math.log10(Math.max(...positive)))];
}

/** Each series' points as a line in data coordinates, in increasing x (so its label prefers the right end). */
function seriesLines<T extends { series: string }>(rows: readonly T[], x: (r: T) => number, y: (r: T) => number): Map<string, DataPoint[]> {
  const lines = new Map<string, DataPoint[]>();
  for (const r of rows) lines.set(r.series, [...(lines.get(r.series) ?? []), { x: x(r), y: y(r) }]);
  for (const line of lines.values()) line.sort((a, b) => a.x - b.x);
  return lines;
}

/** A direct-label layer ({@link placeLabels}) for one line per series, avoiding `avoid`, coloured by `color` like the lines. */
function seriesLabels(x: object, y: object, lines: Map<string, DataPoint[]>, avoid: readonly (readonly DataPoint[])[], color: object, fontSize = 12): LabelLayer {
  return {
    directLabels: {
      x: x as LabelLayer['directLabels']['x'],
      y: y as LabelLayer['directLabels']['y'],
      items: [...lines].map(([series, line]) => ({ text: series, line, datum: { series } })),
      avoid,
    },
    mark: { fontSize, fontWeight: 'bold' },
    encoding: { color },
  };
}

/** Labels of guide lines (grey, regular weight): each at the end of its line given last. */
function guideLabels(x: object, y: object, guides: readonly { text: string; short?: string; line: DataPoint[] }[], avoid: readonly (readonly DataPoint[])[], style: Record<string, unknown> = { color: '#6b7280' }): LabelLayer {
  return {
    directLabels: { x: x as LabelLayer['directLabels']['x'], y: y as LabelLayer['directLabels']['y'], items: guides, avoid },
    mark: { fontSize: 12, ...style },
  };
}

/** The typical floor of a V-curve series: the median measured error over the decade of h around its best step. */
export function typicalFloor(s: VSeries): { h: number; error: number } | undefined {
  const finite = s.measured.filter((m): m is { h: number; error: number } => m.error !== null && Number.isFinite(m.error));
  if (finite.length === 0 || !Number.isFinite(s.best.h)) return undefined;
  const window = finite.filter((m) => Math.abs(Math.log10(m.h) - Math.log10(s.best.h)) <= 0.5 + 1e-9);
  const sorted = window.map((m) => m.error).sort((x, y) => x - y);
  return { h: s.best.h, error: sorted[Math.floor((sorted.length - 1) / 2)] };
}

/** Accuracy: a box per method (quartiles, median, whiskers to min and max) of its non-zero errors; exact zeros counted beside. */
export function accuracySpec(entries: readonly { method: string; caseId: string; error: number }[], methods: readonly string[]): TopLevelSpec {
  const nonzero = entries.filter((e) => e.error > 0).map((e) => ({ method: e.method, error: e.error }));
  const zeros = methods.map((m) => ({ method: m, label: `exact 0: ${entries.filter((e) => e.method === m && e.error === 0).length}` }));
  const lo = Math.min(1e-17, ...nonzero.map((e) => e.error));
  const y = { field: 'method', type: 'nominal' as const, title: null, sort: methods as string[] };
  return {
    ...base,
    title: { text: 'Relative error of each method against the 64-digit reference', subtitle: 'box: quartiles and median of the non-zero errors; whiskers: min and max; beside the boxes: how many errors were exactly 0' },
    // Beside a narrow plot there is room for the method names at 16 px only if the plot is narrower than the others.
    usermeta: { narrowPlotWidth: 180 },
    hconcat: [
      {
        width: 420,
        height: { step: 24 },
        data: { values: nonzero },
        mark: { type: 'boxplot', extent: 'min-max', size: 14, median: { color: 'black' } },
        encoding: { y, x: { field: 'error', type: 'quantitative', title: 'relative error (log scale)', scale: { type: 'log', domain: [lo / 2, Math.max(1, ...nonzero.map((e) => e.error))] }, axis: { format: '.0e', tickCount: 6 } } },
      },
      {
        width: 90,
        height: { step: 24 },
        data: { values: zeros },
        mark: { type: 'text', align: 'left', fontSize: 12 },
        encoding: { y: { ...y, axis: null }, text: { field: 'label' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/**
 * The V curve: measured error against step for each scheme (solid, labelled at its end), the forward and
 * central models (dashed: bounds), slope guides O(h), O(h²), O(h⁴), and the methods without a step as one line
 * or an "exact 0" mark. h decreases from left to right.
 */
export function vCurveSpec(v: VCurve): TopLevelSpec {
  const measured = v.series.flatMap((s) =>
    s.measured.filter((m) => m.error !== null && Number.isFinite(m.error) && m.error > 0).map((m) => ({ series: s.scheme, h: m.h, error: m.error! })),
  );
  const zeroSteps = v.series.flatMap((s) => s.measured.filter((m) => m.error === 0).map((m) => ({ series: s.scheme, h: m.h })));
  const model = v.series
    .filter((s) => s.scheme === 'forward' || s.scheme === 'central')
    .flatMap((s) => s.model.filter((m) => m.error > 0 && Number.isFinite(m.error)).map((m) => ({ series: s.scheme, h: m.h, error: m.error })));
  const hMin = v.steps[v.steps.length - 1];
  const hMax = v.steps[0];
  const yMin = 1e-17;
  // Slope guides anchored at the top right, each labelled with its order.
  const guides = [1, 2, 4].flatMap((p) => {
    const h0 = hMax;
    const e0 = 1e-1;
    const h1 = Math.max(hMin, h0 * (yMin * 1e3 / e0) ** (1 / p));
    return [{ guide: `O(h${p === 1 ? '' : p === 2 ? '²' : '⁴'})`, h: h0, error: e0 }, { guide: `O(h${p === 1 ? '' : p === 2 ? '²' : '⁴'})`, h: h1, error: e0 * (h1 / h0) ** p }];
  });
  const flatNonzero = v.flat.filter((f) => f.error > 0);
  const flatZero = v.flat.filter((f) => f.error === 0);
  const flat = flatNonzero.length > 0 ? [hMax, hMin].map((h) => ({ series: `no step: ${flatNonzero.map((f) => f.method).join(', ')}`, h, error: Math.max(...flatNonzero.map((f) => f.error)) })) : [];
  const x = { field: 'h', type: 'quantitative' as const, title: 'step h (decreasing →)', scale: { type: 'log' as const, domain: [hMin, hMax], reverse: true, nice: false }, axis: { format: '.0e', tickCount: 8 } };
  const y = { field: 'error', type: 'quantitative' as const, title: 'relative error of f′', scale: { type: 'log' as const, domain: [yMin, 10], nice: false }, axis: { format: '.0e', tickCount: 8 } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { scheme: 'dark2' }, legend: null };
  // Every line in h order, smallest step last: a label prefers the end of its line at the right, where h is smallest.
  const toPoint = (m: { h: number; error: number }) => ({ x: m.h, y: m.error });
  const byStep = (points: DataPoint[]) => points.sort((a, b) => b.x - a.x);
  const lines = new Map(v.series.map((s) => [s.scheme, byStep(measured.filter((m) => m.series === s.scheme).map(toPoint))] as const).filter(([, line]) => line.length > 0));
  const guideLines = [...new Set(guides.map((g) => g.guide))].map((guide) => ({ text: guide, line: byStep(guides.filter((g) => g.guide === guide).map(toPoint)) }));
  const avoid = [
    ...lines.values(),
    ...guideLines.map((g) => g.line),
    ...['forward', 'central'].map((scheme) => byStep(model.filter((m) => m.series === scheme).map(toPoint))),
    ...zeroSteps.map((z) => [{ x: z.h, y: yMin }]),
    flat.map(toPoint),
  ];
  // The labels of lines without a step sit at the left end of their line (h largest), where nothing else is.
  const floor = flatZero.length > 0 ? [{ text: `exact 0 (no step): ${flatZero.map((f) => f.method).join(', ')}`, line: [{ x: hMin, y: yMin }, { x: hMax, y: yMin }] }] : [];
  return {
    ...base,
    title: { text: `Error of f′ against the step h: ${v.label} at ${v.variable} = ${v.point}`, subtitle: 'solid: measured; dashed, same colour: that scheme\'s error bound (forward and central); grey: slopes of truncation error' },
    width: 560,
    height: 380,
    layer: [
      { data: { values: guides }, mark: { type: 'line', color: '#9ca3af', strokeWidth: 1 }, encoding: { x, y, detail: { field: 'guide' } } },
      { data: { values: model }, mark: { type: 'line', strokeDash: [5, 4], strokeWidth: 1.5 }, encoding: { x, y, color: { ...color, field: 'series' } } },
      // Lines without a marker per sample: the steps are dense (about 150 per scheme), and a marker each, with its
      // accessible label, made this one figure 0.4 MB of the page.
      { data: { values: measured }, mark: { type: 'line', strokeWidth: 2.5 }, encoding: { x, y, color } },
      { data: { values: flat }, mark: { type: 'line', strokeWidth: 3, color: '#111827' }, encoding: { x, y } },
      ...(zeroSteps.length > 0
        ? [{ data: { values: zeroSteps.map((z) => ({ ...z, error: yMin })) }, mark: { type: 'point', shape: 'triangle-down', size: 40, filled: true }, encoding: { x, y, color } }]
        : []),
      seriesLabels(x, y, lines, avoid, color),
      // Five method names make a long label: where it finds no free place it names the first and counts the rest (the caption lists them all).
      guideLabels(x, y, flat.length > 0 ? [{ text: flat[0].series, short: `no step: ${flatNonzero[0].method}, … (${flatNonzero.length} methods)`, line: [...flat].reverse().map(toPoint) }] : [], avoid, { color: '#111827' }),
      guideLabels(x, y, floor.map((f) => ({ ...f, line: [...f.line] })), avoid, { color: '#047857', fontWeight: 'bold' }),
      guideLabels(x, y, guideLines, avoid),
    ],
  } as unknown as TopLevelSpec;
}

/**
 * Cost against n on log-log axes: the steady-state reverse mode and central differences, and autograd per call
 * (the strong lines, labelled), with the cheap-gradient bound and O(1) / O(n) guides; every other method is in the table.
 */
export function costSpec(sweep: CostSweep, familyName: string): TopLevelSpec {
  const rows = [
    ...sweep.baselines.flatMap((b) => [
      { n: b.n, ratio: b.steady.reverseRatio.median, low: b.steady.reverseRatio.low, high: b.steady.reverseRatio.high, series: 'reverse mode, compiled once' },
      { n: b.n, ratio: b.steady.centralRatio.median, low: b.steady.centralRatio.low, high: b.steady.centralRatio.high, series: 'central differences, f compiled once' },
    ]),
    ...sweep.points.filter((p) => p.method === 'autograd' && p.ratio !== undefined).map((p) => ({ n: p.n, ratio: p.ratio!.median, low: p.ratio!.low, high: p.ratio!.high, series: 'taping autograd per call (÷ interpreted f)' })),
  ];
  const ns = sweep.ns;
  const [n0, n1] = [ns[0], ns[ns.length - 1]];
  const guides = [
    { n: n0, ratio: 4, guide: 'cheap-gradient bound: 4× f' }, { n: n1, ratio: 4, guide: 'cheap-gradient bound: 4× f' },
    { n: n0, ratio: 2 * n0, guide: 'O(n): 2n evaluations' }, { n: n1, ratio: 2 * n1, guide: 'O(n): 2n evaluations' },
  ];
  const x = { field: 'n', type: 'quantitative' as const, title: 'number of inputs n', scale: { type: 'log' as const, domain: [n0, n1], nice: false }, axis: { values: ns as number[], format: 'd' } };
  const y = { field: 'ratio', type: 'quantitative' as const, title: 'time(∇f) / time(f)', scale: { type: 'log' as const, domain: logDomain([...rows.flatMap((r) => [r.low, r.high, r.ratio]), ...guides.map((g) => g.ratio)]), nice: false }, axis: { format: '~s' } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { scheme: 'dark2' }, legend: null };
  const lines = seriesLines(rows, (r) => r.n, (r) => r.ratio);
  const guideLines = [...new Set(guides.map((g) => g.guide))].map((guide) => ({ text: guide, line: guides.filter((g) => g.guide === guide).map((g) => ({ x: g.n, y: g.ratio })).reverse() }));
  const avoid = [...lines.values(), ...guideLines.map((g) => g.line), ...rows.map((r) => [{ x: r.n, y: r.low }, { x: r.n, y: r.high }])];
  return {
    ...base,
    title: { text: `Cost of the gradient relative to f (${familyName})`, subtitle: 'median of interleaved samples; bars: quartile spread; grey: guides' },
    width: 520,
    height: 360,
    layer: [
      { data: { values: guides }, mark: { type: 'line', color: '#9ca3af', strokeDash: [3, 3] }, encoding: { x, y, detail: { field: 'guide' } } },
      { data: { values: rows }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color } },
      { data: { values: rows }, mark: { type: 'line', strokeWidth: 3, point: { size: 50, filled: true } }, encoding: { x, y, color } },
      seriesLabels(x, y, lines, avoid, color),
      // The guides are labelled at their left end, where n is smallest.
      guideLabels(x, y, guideLines, avoid),
    ],
  } as unknown as TopLevelSpec;
}

/** Machine-independent counts against n: evaluations of f, tape length, reverse-mode instructions, each over f's; with O(1) and O(n) guides. */
export function countSpec(sweep: CostSweep): TopLevelSpec {
  const values: { n: number; ratio: number; series: string }[] = [];
  for (const b of sweep.baselines) values.push({ n: b.n, ratio: b.reverseOps.ratio, series: 'reverse mode: instructions ÷ f' });
  const strong = new Set(['numeric-central', 'numeric-forward', 'complex-step']);
  for (const p of sweep.points) {
    if (strong.has(p.method) && p.evaluations !== undefined && p.evaluations > 0) values.push({ n: p.n, ratio: p.evaluations, series: `${p.method}: evaluations of f` });
  }
  const ns = sweep.ns;
  const x = { field: 'n', type: 'quantitative' as const, title: 'number of inputs n', scale: { type: 'log' as const, domain: [ns[0], ns[ns.length - 1]], nice: false }, axis: { values: ns as number[], format: 'd' } };
  const y = { field: 'ratio', type: 'quantitative' as const, title: 'work of the gradient in units of f', scale: { type: 'log' as const, domain: logDomain(values.map((v) => v.ratio)), nice: false }, axis: { format: '~s' } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { scheme: 'dark2' }, legend: null };
  const lines = seriesLines(values, (v) => v.n, (v) => v.ratio);
  return {
    ...base,
    title: 'Machine-independent cost: work of the gradient in units of f',
    width: 520,
    height: 320,
    layer: [
      { data: { values }, mark: { type: 'line', strokeWidth: 2.5, point: true }, encoding: { x, y, color } },
      seriesLabels(x, y, lines, [...lines.values()], color),
    ],
  } as unknown as TopLevelSpec;
}

/** The memory side of reverse mode: values kept for the reverse sweep against n (tape length and bytes). */
export function memorySpec(sweep: CostSweep): TopLevelSpec {
  const values: { n: number; value: number; series: string }[] = [];
  for (const b of sweep.baselines) values.push({ n: b.n, value: b.reverseBytes, series: 'compiled reverse sweep: bytes of stored values (model)' });
  for (const b of sweep.baselines) {
    if (b.tape === undefined) continue;
    values.push({ n: b.n, value: b.tape.tapeLength, series: 'autograd: tape length (nodes)' });
    if (b.tape.retained !== undefined && b.tape.retained.median > 0) values.push({ n: b.n, value: b.tape.retained.median, series: 'autograd: heap kept by the tape (bytes, measured)' });
  }
  const ns = sweep.ns;
  const x = { field: 'n', type: 'quantitative' as const, title: 'number of inputs n', scale: { type: 'log' as const, domain: [ns[0], ns[ns.length - 1]], nice: false }, axis: { values: ns as number[], format: 'd' } };
  const y = { field: 'value', type: 'quantitative' as const, title: 'stored for the reverse sweep', scale: { type: 'log' as const, domain: logDomain(values.map((v) => v.value)), nice: false }, axis: { format: '~s' } };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { scheme: 'set1' }, legend: null };
  const lines = seriesLines(values, (v) => v.n, (v) => v.value);
  return {
    ...base,
    title: { text: 'Memory of reverse mode against n', subtitle: 'the tape grows with f: reverse mode buys its O(1) time ratio with O(size of f) memory' },
    width: 520,
    height: 300,
    layer: [
      { data: { values }, mark: { type: 'line', strokeWidth: 2.5, point: true }, encoding: { x, y, color } },
      seriesLabels(x, y, lines, [...lines.values()], color),
    ],
  } as unknown as TopLevelSpec;
}

/** Agreement as a method × method heatmap: the largest relative difference seen between two methods' gradients. */
export function heatmapSpec(cells: readonly { a: string; b: string; value: number | null; label: string }[], methods: readonly string[]): TopLevelSpec {
  const values = cells.map((c) => ({ ...c, shown: c.value === null ? null : Math.max(c.value, 1e-17) }));
  return {
    ...base,
    title: { text: 'Largest relative difference between two methods', subtitle: 'over the agreement run, where both answers were checked at a smooth point; blank: never both checked' },
    width: { step: 46 },
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'b', type: 'nominal', sort: methods as string[], title: null, axis: { labelAngle: -40 } },
          y: { field: 'a', type: 'nominal', sort: methods as string[], title: null },
          color: { field: 'shown', type: 'quantitative', title: 'max rel. difference', scale: { type: 'log', scheme: 'orangered', domain: [1e-16, 1] }, legend: { format: '.0e', orient: 'bottom', gradientLength: 240 } },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          x: { field: 'b', type: 'nominal', sort: methods as string[] },
          y: { field: 'a', type: 'nominal', sort: methods as string[] },
          text: { field: 'label' },
          color: { condition: { test: 'datum.shown > 1e-6', value: 'white' }, value: 'black' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Expression swell: sizes against n (log y). */
export function swellSpec(rows: readonly SwellRow[], familyName = 'the logistic map lₙ₊₁ = 4lₙ(1 − lₙ)', cutOff?: number): TopLevelSpec {
  const values: { n: number; size: number; series: string }[] = [];
  for (const r of rows) {
    values.push({ n: r.n, size: r.fTree, series: 'f as a tree' });
    values.push({ n: r.n, size: r.fDag, series: 'f as a DAG' });
    if (r.mathjs.size !== undefined) values.push({ n: r.n, size: r.mathjs.size, series: 'mathjs derivative (tree)' });
    if (r.simplified.size !== undefined) values.push({ n: r.n, size: r.simplified.size, series: 'mathjs derivative, simplified (tree)' });
    if (r.dag.size !== undefined) values.push({ n: r.n, size: r.dag.size, series: 'DAG derivative (distinct nodes)' });
    if (r.tapeLength !== undefined) values.push({ n: r.n, size: r.tapeLength, series: 'autograd tape length' });
  }
  // A log axis cannot show 0 (the tape of l₁ = x is empty).
  const positive = values.filter((v) => v.size > 0);
  const maxN = Math.max(...rows.map((r) => r.n));
  const x = { field: 'n', type: 'quantitative' as const, title: 'n', scale: { domain: [Math.min(...rows.map((r) => r.n)), maxN], nice: false, zero: false }, axis: { tickMinStep: 1, format: 'd', values: rows.map((r) => r.n) } };
  const yDomain = logDomain(positive.map((v) => v.size));
  const y = { field: 'size', type: 'quantitative' as const, title: 'nodes (log scale)', scale: { type: 'log' as const, domain: yDomain, nice: false }, axis: { format: '~s' } };
  const lines = seriesLines(positive, (v) => v.n, (v) => v.size);
  const cut = cutOff !== undefined ? [{ x: cutOff, y: yDomain[0] }, { x: cutOff, y: yDomain[1] }] : [];
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: null, scale: { scheme: 'dark2' }, legend: null };
  return {
    ...base,
    title: { text: `Expression swell on ${familyName}`, subtitle: cutOff !== undefined ? `dotted line: simplify hit its time budget at n = ${cutOff}` : 'each series labelled beside its line' },
    width: 520,
    height: 340,
    layer: [
      { data: { values: positive }, mark: { type: 'line', point: true, strokeWidth: 2.5 }, encoding: { x, y, color } },
      ...(cutOff !== undefined ? [{ data: { values: [{ n: cutOff }] }, mark: { type: 'rule', strokeDash: [2, 3], color: '#b91c1c' }, encoding: { x } }] : []),
      seriesLabels(x, y, lines, [...lines.values(), cut], color, 11),
      // The cut-off's label at the top of its line.
      ...(cutOff !== undefined ? [guideLabels(x, y, [{ text: 'simplify cut-off', line: [...cut] }], [...lines.values(), cut], { color: '#b91c1c' })] : []),
    ],
  } as unknown as TopLevelSpec;
}

/** Higher order: relative error of the nth derivative of tanh against the reference, per method (log y). */
export function higherOrderSpec(h: HigherOrder): TopLevelSpec {
  const values: { order: number; error: number; plotted: number; series: string }[] = [];
  const push = (order: number, error: number | undefined, series: string) => {
    if (error !== undefined && Number.isFinite(error)) values.push({ order, error, plotted: clamp(error), series });
  };
  for (const r of h.rows) {
    push(r.order, r.ad?.error, 'AD-of-AD (grad with createGraph)');
    push(r.order, r.symbolic?.error, 'symbolic-dag applied n times');
    push(r.order, r.fd.error, `FD-of-FD, fixed h = ${h.h.toPrecision(2)}`);
    push(r.order, r.fdTuned.error, 'FD-of-FD, h = ε^(1/(n+2)) per order');
  }
  const maxOrder = Math.max(...h.rows.map((r) => r.order));
  const x = { field: 'order', type: 'quantitative' as const, title: 'derivative order n', scale: { domain: [1, maxOrder + 2.5], nice: false, zero: false }, axis: { values: h.rows.map((r) => r.order), format: 'd' } };
  const axis = logAxis('relative error against the 64-digit closed form');
  const y = { field: 'plotted', ...axis, scale: { ...axis.scale, domain: logDomain(values.map((v) => v.plotted)), nice: false } };
  const lines = seriesLines(values, (v) => v.order, (v) => v.plotted);
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: null, scale: { scheme: 'dark2' }, legend: null };
  return {
    ...base,
    title: { text: `Relative error of dⁿ tanh/dxⁿ at x = ${h.x}`, subtitle: 'an error of exactly 0 is drawn at the bottom edge (1e-18)' },
    width: 520,
    height: 340,
    layer: [
      { data: { values }, mark: { type: 'line', point: true, strokeWidth: 2.5 }, encoding: { x, y, color, tooltip: [{ field: 'series' }, { field: 'order' }, { field: 'error' }] } },
      seriesLabels(x, y, lines, [...lines.values()], color, 11),
    ],
  } as unknown as TopLevelSpec;
}

/** Tall versus wide: cost of the forward-mode Jacobian over the reverse-mode one against m/n (log-log), with the break-even line. */
export function jacobianShapeSpec(sweep: JacobianShapeSweep): TopLevelSpec {
  const values = sweep.rows.flatMap((r) => [
    { aspect: r.aspect, ratio: r.instructionRatio, series: 'instructions (any machine)', shape: `${r.n}×${r.m}` },
    { aspect: r.aspect, ratio: r.timeRatio, series: 'median time', shape: `${r.n}×${r.m}` },
  ]);
  const aspects = sweep.rows.map((r) => r.aspect);
  const x = { field: 'aspect', ...logAxis('m / n (outputs per input: > 1 tall, < 1 wide)', '~g'), scale: { type: 'log' as const, domain: [Math.min(...aspects), Math.max(...aspects)] } };
  const y = { field: 'ratio', ...logAxis('cost(forward) / cost(reverse)', '~g') };
  return {
    ...base,
    title: `Full Jacobian of f: ℝⁿ → ℝᵐ with n·m = ${sweep.product}: forward over reverse (below 1: forward wins)`,
    width: 560,
    height: 340,
    layer: [
      { data: { values: [{ ratio: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: 'gray' }, encoding: { y: { field: 'ratio', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'line', point: { size: 40, filled: true } },
        encoding: { x, y, color: { field: 'series', type: 'nominal', title: null, sort: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 600 } }, tooltip: [{ field: 'shape', title: 'n×m' }, { field: 'series' }, { field: 'ratio' }] },
      },
    ],
  } as TopLevelSpec;
}
