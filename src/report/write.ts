// Writing a report atomically: everything goes to a staging folder first, then each file is renamed into place.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReportData } from './build.ts';
import { toHtml, toJson, toMarkdown } from './render.ts';

/** The files a report consists of, relative to its folder. */
export const reportFiles = ['report.md', 'report.html', 'report.json'] as const;

/**
 * Writes `report.md`, `report.html`, `report.json` and `figures/*.svg` into `outDir`. Everything is first
 * written under `outDir/tmp/` (git-ignored), then moved into place by renames: an interrupt while writing
 * leaves the previous report untouched, and each file is either the old one or the new one, never partial.
 * @returns the paths written.
 */
export async function writeReport(report: ReportData, outDir: string, staging?: { dir?: string }): Promise<string[]> {
  await mkdir(join(outDir, 'tmp'), { recursive: true });
  const stage = await mkdtemp(join(outDir, 'tmp', 'report-'));
  if (staging) staging.dir = stage;
  try {
    await mkdir(join(stage, 'figures'));
    const figures = report.sections.flatMap((s) => s.figures);
    for (const figure of figures) await writeFile(join(stage, 'figures', figure.file), `${figure.svg}\n`);
    await writeFile(join(stage, 'report.md'), toMarkdown(report));
    await writeFile(join(stage, 'report.html'), toHtml(report));
    await writeFile(join(stage, 'report.json'), toJson(report));

    // Move into place: figures first (the documents refer to them), the JSON last (it marks a complete report).
    await mkdir(join(outDir, 'figures'), { recursive: true });
    const written: string[] = [];
    for (const figure of figures) {
      await rename(join(stage, 'figures', figure.file), join(outDir, 'figures', figure.file));
      written.push(join(outDir, 'figures', figure.file));
    }
    for (const file of ['report.md', 'report.html', 'report.json']) {
      await rename(join(stage, file), join(outDir, file));
      written.push(join(outDir, file));
    }
    return written;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
