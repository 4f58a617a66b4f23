// Writing a report all-or-nothing: the new report is written into a fresh sibling folder, which then replaces the old folder.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ReportData } from './build.ts';
import { toHtml, toJson, toMarkdown } from './render.ts';

/** The files a report consists of, relative to its folder. */
export const reportFiles = ['report.md', 'report.html', 'report.json'] as const;

/** What a report folder may hold besides {@link reportFiles}: its figures, and the staging folder older versions used. */
const reportEntries: ReadonlySet<string> = new Set([...reportFiles, 'figures', 'tmp']);

/** Thrown when a signal interrupted {@link writeReport}; the previous report is back in place when it is thrown. */
export class ReportInterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`writing the report was interrupted by ${signal}; the previous report is unchanged`);
    this.name = 'ReportInterruptedError';
  }
}

/**
 * Writes `report.md`, `report.html`, `report.json` and `figures/*.svg` as the folder `outDir`, all or nothing.
 *
 * The new report is written into a fresh staging folder beside `outDir` (`.NAME.staging-PID-…`, same file system),
 * and only when it is complete does it replace `outDir`: the old folder is renamed aside, the staging folder renamed
 * into place, and the old one removed, all synchronously so no signal handler can run in between. A failure or a
 * SIGINT/SIGTERM before that leaves the previous report exactly as it was and removes the staging folder (the signal
 * is then raised again, so the process still stops as it was asked to). A process killed outright (SIGKILL, power
 * loss) can leave a staging folder, or the old report renamed aside; the next call cleans up the first and puts the
 * second back before it starts.
 *
 * `outDir` must not exist, or hold only a report (the files above, `figures/` and `tmp/`): any other entry is
 * refused, since replacing the folder would delete it.
 * @param staging receives the staging folder's path once it exists (for callers that clean up on their own signals).
 * @returns the paths written, inside `outDir`.
 * @throws Error when `outDir` holds other files or is not a folder; {@link ReportInterruptedError} on a signal.
 */
export async function writeReport(report: ReportData, outDir: string, staging?: { dir?: string }): Promise<string[]> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  recover(parent, name, target);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new Error(`--out ${outDir} is a file, not a folder`);
    const foreign = readdirSync(target).filter((entry) => !reportEntries.has(entry));
    if (foreign.length > 0) {
      throw new Error(
        `${outDir} holds files that are not part of a report (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}); ` +
          'a report replaces its whole folder, so write it to an empty or new folder',
      );
    }
  }

  const stage = await mkdtemp(join(parent, `.${name}.staging-${process.pid}-`));
  if (staging) staging.dir = stage;
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted ??= signal;
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  const checkpoint = () => {
    if (interrupted !== null) throw new ReportInterruptedError(interrupted);
  };
  let swapped = false;
  try {
    await mkdir(join(stage, 'figures'));
    const figures = report.sections.flatMap((s) => s.figures);
    for (const figure of figures) {
      checkpoint();
      await writeFile(join(stage, 'figures', figure.file), `${figure.svg}\n`);
    }
    checkpoint();
    await writeFile(join(stage, 'report.md'), toMarkdown(report));
    checkpoint();
    await writeFile(join(stage, 'report.html'), toHtml(report));
    checkpoint();
    await writeFile(join(stage, 'report.json'), toJson(report));
    checkpoint();
    swap(stage, target, parent, name);
    swapped = true;
    return [...figures.map((f) => join(outDir, 'figures', f.file)), ...reportFiles.map((f) => join(outDir, f))];
  } finally {
    for (const s of signals) process.removeListener(s, onSignal);
    if (!swapped) rmSync(stage, { recursive: true, force: true });
    // Raise the signal again now that the folder is consistent: the caller's handlers, or the default action, stop the process.
    if (interrupted !== null) process.kill(process.pid, interrupted);
  }
}

/** Replaces `target` by `stage` with two renames, synchronously; puts the old folder back if the second fails. */
function swap(stage: string, target: string, parent: string, name: string): void {
  if (!existsSync(target)) {
    renameSync(stage, target);
    return;
  }
  const previous = join(parent, `.${name}.previous-${process.pid}-${Date.now().toString(36)}`);
  renameSync(target, previous);
  try {
    renameSync(stage, target);
  } catch (error) {
    renameSync(previous, target);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}

/** Cleans up after a process killed outright while writing: its staging folders, and an old report left aside. */
function recover(parent: string, name: string, target: string): void {
  const prefix = `.${name}.`;
  for (const entry of readdirSync(parent)) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(staging|previous)-(\d+)-/.exec(entry.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[2]);
    if (isAlive(pid)) continue; // a process (maybe this one) is writing this report now
    const path = join(parent, entry);
    if (match[1] === 'previous' && !existsSync(target)) renameSync(path, target);
    else rmSync(path, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
