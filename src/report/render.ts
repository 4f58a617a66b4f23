// The report's three renderings: Markdown (figures as files), self-contained HTML (figures inline), and JSON (every number).
import type { ReportData, Section } from './section.ts';
import { escapeHtml, markdownText, toHtmlTable, toMarkdownTable, type TableData } from './tables.ts';

function metaLines(report: ReportData): string[] {
  const m = report.meta;
  return [
    `Generated ${m.date} by \`gradlab report\` (suite ${m.suite}, profile ${m.profile}, seed ${m.seed}) in ${(m.runtimeMs / 1000).toFixed(1)} s`,
    `on Node ${m.node}, ${m.cpu} (${m.cores} cores), ${m.platform}.`,
    'Times depend on the machine; every other number is reproduced by the same seed.',
  ];
}

/** The glossary of the methods at the top: one name per method, used everywhere below. */
function glossary(report: ReportData): TableData {
  return {
    columns: ['method', 'kind', 'what it does'],
    align: ['left', 'left', 'left'],
    rows: report.meta.methods.map((m) => [m.name, m.kind === 'exact' ? 'exact (no step)' : 'numeric (a step h)', m.summary]),
  };
}

const glossaryNote =
  'Exact methods compute the derivative of the program up to float64 rounding; numeric methods estimate it from values of f at nearby points and carry a truncation error that depends on the step. "Central differences" always means numeric-central.';

function markdownSection(section: Section): string {
  const parts = [`## ${section.number}. ${section.title}`, '', `**Takeaway:** ${markdownText(section.caption)}`, ''];
  for (const note of section.notes) parts.push(markdownText(note), '');
  for (const m of section.math ?? []) parts.push(`**${markdownText(m.title)}**`, '', m.markdown, '');
  for (const figure of section.figures) parts.push(`![${figure.title}](figures/${figure.file})`, '', `Figure: ${markdownText(figure.caption)}`, '');
  for (const { title, table, collapsed } of section.tables) {
    if (collapsed) parts.push('<details>', `<summary>${escapeHtml(title)}</summary>`, '', toMarkdownTable(table), '', '</details>', '');
    else parts.push(`**${markdownText(title)}**`, '', toMarkdownTable(table), '');
  }
  for (const { title, text } of section.code) parts.push(`**${markdownText(title)}**`, '', '```', text, '```', '');
  return parts.join('\n');
}

/** The Markdown report; figures are referenced as `figures/NAME.svg` beside it. */
export function toMarkdown(report: ReportData): string {
  return [
    `# ${report.meta.title}`,
    '',
    ...metaLines(report).map((l) => `${l}  `),
    '',
    '**The methods, by the names used below**',
    '',
    toMarkdownTable(glossary(report)),
    '',
    glossaryNote,
    '',
    ...report.sections.map((s) => `${s.number}. [${markdownText(s.title)}](#${s.number}-${s.id})`),
    '',
    ...report.sections.map((s) => `<a id="${s.number}-${s.id}"></a>\n\n${markdownSection(s)}`),
  ].join('\n');
}

const style = `
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1f2937; line-height: 1.45; overflow-wrap: anywhere; }
h1 { font-size: 1.6em; } h2 { margin-top: 2.2em; border-bottom: 1px solid #e5e7eb; padding-bottom: .2em; }
.meta { color: #4b5563; font-size: .9em; }
.takeaway { background: #eef6ff; border-left: 4px solid #3b82f6; padding: .6em 1em; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: .6em 0 1.4em; }
table { border-collapse: collapse; font-size: .85em; }
th, td { border: 1px solid #d1d5db; padding: .25em .55em; vertical-align: top; overflow-wrap: normal; }
th { background: #f3f4f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code { white-space: normal; overflow-wrap: anywhere; }
figure { margin: 1em 0 1.6em; max-width: 100%; }
.figure-scroll { max-width: 100%; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
.figure-narrow { display: none; }
figcaption { font-style: italic; color: #374151; margin-top: .3em; }
pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: .6em; overflow-x: auto; font-size: .85em; max-width: 100%; }
details { margin: .6em 0 1.4em; } summary { cursor: pointer; font-weight: 600; }
.math { overflow-x: auto; max-width: 100%; }
@media (max-width: 640px) {
  /* On a phone a figure shows its narrow layout at its natural size, so its text is as large as the body's; what is
     still wider than the screen scrolls sideways in its own box, never the page. */
  .figure-wide { display: none; }
  .figure-narrow { display: block; }
  .figure-narrow svg { max-width: none; }
  body { margin: 1em auto; }
}
`;

/** The SVG with every id (and every reference to one) prefixed, so a second drawing of a figure on the page cannot take over the first one's gradients or clip paths. */
function uniqueIds(svg: string, prefix: string): string {
  return svg.replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`).replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`).replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

/**
 * The smallest scale a wide drawing is shown at: a drawing wider than its column shrinks to fit down to this, and
 * scrolls in its box beyond it, so its smallest text (Graphviz's 10-pt edge labels, 13.3 px) stays above 12 px.
 */
export const wideMinScale = 0.92;

/** The wide drawing with a minimum width of {@link wideMinScale} times its natural width (Graphviz gives it in pt). */
function wideDrawing(svg: string): string {
  const tag = svg.slice(0, svg.indexOf('>'));
  const width = /\swidth="([\d.]+)(pt)?"/.exec(tag);
  if (width === null) return svg;
  const px = Number(width[1]) * (width[2] === 'pt' ? 4 / 3 : 1);
  return svg.replace(/^<svg /, `<svg style="min-width: ${Math.round(px * wideMinScale)}px" `);
}

/**
 * The narrow drawing as the page carries it: ids made unique, and one accessible name for the whole drawing in place of
 * vega's label on every mark. Only one drawing of a figure is shown at a time (the other is `display: none`, which also
 * hides it from screen readers); the per-mark labels of the wide drawing, a second time, were a tenth of the page.
 */
function narrowDrawing(svg: string, id: string, title: string): string {
  const bare = svg.replace(/ (aria-label|aria-roledescription|role|aria-hidden)="[^"]*"/g, '');
  return uniqueIds(bare, `${id}-narrow-`).replace(/^<svg /, `<svg role="img" aria-label="${escapeHtml(title)}" `);
}

const inline = (text: string) => escapeHtml(text).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>');

function htmlSection(section: Section): string {
  const parts = [
    `<section id="${section.id}">`,
    `<h2>${section.number}. ${escapeHtml(section.title)}</h2>`,
    `<p class="takeaway"><strong>Takeaway:</strong> ${inline(section.caption)}</p>`,
    ...section.notes.map((n) => `<p>${inline(n)}</p>`),
  ];
  for (const m of section.math ?? []) parts.push(`<h3>${escapeHtml(m.title)}</h3>`, `<div class="math">${m.html}</div>`);
  for (const figure of section.figures) {
    const drawings =
      figure.narrowSvg === undefined
        ? [`<div class="figure-scroll">${wideDrawing(figure.svg)}</div>`]
        : [`<div class="figure-scroll figure-wide">${wideDrawing(figure.svg)}</div>`, `<div class="figure-scroll figure-narrow">${narrowDrawing(figure.narrowSvg, figure.id, figure.title)}</div>`];
    parts.push(`<figure id="figure-${figure.id}" data-figure="${figure.id}">`, ...drawings, `<figcaption>${inline(figure.caption)}</figcaption>`, '</figure>');
  }
  for (const { title, table, collapsed } of section.tables) {
    if (collapsed) parts.push('<details>', `<summary>${inline(title)}</summary>`, toHtmlTable(table), '</details>');
    else parts.push(`<h3>${inline(title)}</h3>`, toHtmlTable(table));
  }
  for (const { title, text } of section.code) parts.push(`<h3>${escapeHtml(title)}</h3>`, `<pre>${escapeHtml(text)}</pre>`);
  parts.push('</section>');
  return parts.join('\n');
}

/** The HTML report: one file, figures inline as SVG, styles inline, no external URL to fetch. */
export function toHtml(report: ReportData): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(report.meta.title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(report.meta.title)}</h1>`,
    `<p class="meta">${metaLines(report).map(escapeHtml).join('<br>')}</p>`,
    '<section id="glossary">',
    '<h2>The methods, by the names used below</h2>',
    toHtmlTable(glossary(report)),
    `<p>${escapeHtml(glossaryNote)}</p>`,
    '</section>',
    `<nav><ol>${report.sections.map((s) => `<li><a href="#${s.id}">${escapeHtml(s.title)}</a></li>`).join('')}</ol></nav>`,
    ...report.sections.map(htmlSection),
    '</body>',
    '</html>',
  ].join('\n');
}

/** JSON of the report: metadata, each section's caption and tables, and every measurement. Typed arrays become arrays. */
export function toJson(report: ReportData): string {
  const sections = report.sections.map((s) => ({
    id: s.id,
    number: s.number,
    title: s.title,
    caption: s.caption,
    figures: s.figures.map((f) => ({ id: f.id, file: `figures/${f.file}`, caption: f.caption })),
    tables: s.tables,
  }));
  return `${JSON.stringify(
    { meta: report.meta, sections, data: report.data },
    (_key, value) => {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
      if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
      return value;
    },
    2,
  )}\n`;
}
