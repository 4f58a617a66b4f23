// The report's three renderings: Markdown (figures as files), self-contained HTML (figures inline), and JSON (every number).
import type { ReportData, Section } from './build.ts';
import { escapeHtml, toHtmlTable, toMarkdownTable } from './tables.ts';

function metaLines(report: ReportData): string[] {
  const m = report.meta;
  return [
    `Generated ${m.date} by \`gradlab report\` (profile ${m.profile}, seed ${m.seed}) in ${(m.runtimeMs / 1000).toFixed(1)} s`,
    `on Node ${m.node}, ${m.cpu} (${m.cores} cores), ${m.platform}.`,
    `Methods: ${m.methods.map((x) => `${x.name} (${x.kind})`).join(', ')}.`,
    'Times depend on the machine; every other number is reproduced by the same seed.',
  ];
}

function markdownSection(section: Section): string {
  const parts = [`## ${section.number}. ${section.title}`, '', `**Takeaway:** ${section.caption}`, ''];
  for (const note of section.notes) parts.push(note, '');
  for (const figure of section.figures) parts.push(`![${figure.title}](figures/${figure.file})`, '', `*${figure.caption}*`, '');
  for (const { title, table } of section.tables) parts.push(`**${title}**`, '', toMarkdownTable(table), '');
  for (const { title, text } of section.code) parts.push(`**${title}**`, '', '```', text, '```', '');
  return parts.join('\n');
}

/** The Markdown report; figures are referenced as `figures/NAME.svg` beside it. */
export function toMarkdown(report: ReportData): string {
  return [
    `# ${report.meta.title}`,
    '',
    ...metaLines(report).map((l) => `${l}  `),
    '',
    ...report.sections.map((s) => `${s.number}. [${s.title}](#${s.number}-${s.id})`),
    '',
    ...report.sections.map((s) => `<a id="${s.number}-${s.id}"></a>\n\n${markdownSection(s)}`),
  ].join('\n');
}

const style = `
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1f2937; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { margin-top: 2.2em; border-bottom: 1px solid #e5e7eb; padding-bottom: .2em; }
.meta { color: #4b5563; font-size: .9em; }
.takeaway { background: #eef6ff; border-left: 4px solid #3b82f6; padding: .6em 1em; }
table { border-collapse: collapse; margin: .6em 0 1.4em; font-size: .85em; }
th, td { border: 1px solid #d1d5db; padding: .25em .55em; vertical-align: top; }
th { background: #f3f4f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1em 0 1.6em; } figure svg { max-width: 100%; height: auto; }
figcaption { font-style: italic; color: #374151; margin-top: .3em; }
pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: .6em; overflow-x: auto; font-size: .85em; }
`;

function htmlSection(section: Section): string {
  const parts = [
    `<section id="${section.id}">`,
    `<h2>${section.number}. ${escapeHtml(section.title)}</h2>`,
    `<p class="takeaway"><strong>Takeaway:</strong> ${escapeHtml(section.caption)}</p>`,
    ...section.notes.map((n) => `<p>${escapeHtml(n).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`),
  ];
  for (const figure of section.figures) {
    parts.push(`<figure id="figure-${figure.id}" data-figure="${figure.id}">`, figure.svg, `<figcaption>${escapeHtml(figure.caption)}</figcaption>`, '</figure>');
  }
  for (const { title, table } of section.tables) {
    parts.push(`<h3>${escapeHtml(title).replace(/`([^`]+)`/g, '<code>$1</code>')}</h3>`, toHtmlTable(table));
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
