// Specification of writeReport: a report folder is replaced all or nothing, by failures, signals and kills alike.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeReport } from '../../src/report/write.ts';
import type { ReportData } from '../../src/report/build.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A parent folder holding `out/` with a previous report: report.md, report.json and two figures. */
function previousReport(): { parent: string; out: string } {
  const parent = mkdtempSync(join(tmpdir(), 'gradlab-write-'));
  roots.push(parent);
  const out = join(parent, 'out');
  mkdirSync(join(out, 'figures'), { recursive: true });
  writeFileSync(join(out, 'report.md'), 'old md');
  writeFileSync(join(out, 'report.json'), 'old json');
  writeFileSync(join(out, 'figures', 'old.svg'), 'old figure');
  writeFileSync(join(out, 'figures', 'f0.svg'), 'old f0');
  return { parent, out };
}

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name), `${prefix}${entry.name}/`);
      else files[`${prefix}${entry.name}`] = readFileSync(join(d, entry.name), 'utf8');
    }
  };
  walk(dir, '');
  return files;
}

function report(svg: () => string, figures = 2): ReportData {
  const meta = { title: 'new', profile: 'tiny', seed: 7, date: '', node: '', cpu: '', cores: 1, platform: '', methods: [], tolerance: { exactFactor: 1, numericFactor: 1 }, runtimeMs: 0 };
  const list = Array.from({ length: figures }, (_, i) => ({ id: `f${i}`, file: `f${i}.svg`, title: 'f', caption: 'c', get svg() { return svg(); } }));
  return { meta, sections: [{ id: 's', number: 1, title: 'S', caption: 'c', notes: [], tables: [], figures: list, code: [] }], data: {} } as unknown as ReportData;
}

const writer = fileURLToPath(new URL('./fixtures/slow-report-writer.ts', import.meta.url));

/** Runs the slow writer into `out`, sends `signal` once it has started writing, and resolves with how it ended. */
function interruptWriter(out: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, out, 'NEW'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('writing') && !child.killed) child.kill(signal);
    });
    child.on('error', fail);
    child.on('exit', (code, sig) => done({ code, signal: sig, stdout }));
  });
}

describe('writeReport replaces the report folder all or nothing', () => {
  it('a complete write replaces every file, and files of the old report that the new one lacks are gone', async () => {
    const { parent, out } = previousReport();
    const written = await writeReport(report(() => '<svg>new</svg>'), out);
    expect(written).toHaveLength(5);
    expect(snapshot(out)).toEqual({
      'figures/f0.svg': '<svg>new</svg>\n',
      'figures/f1.svg': '<svg>new</svg>\n',
      'report.md': expect.stringMatching(/^# new/),
      'report.html': expect.stringContaining('<html'),
      'report.json': expect.stringContaining('"seed": 7'),
    });
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('a failure while writing leaves the previous report byte for byte, and no staging folder', async () => {
    const { parent, out } = previousReport();
    const before = snapshot(out);
    let calls = 0;
    const failing = report(() => {
      if (++calls === 2) throw new Error('disk full');
      return '<svg>new</svg>';
    });
    await expect(writeReport(failing, out)).rejects.toThrow('disk full');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} in the middle of writing leaves the previous report and no staging folder, and still stops the process`, async () => {
      const { parent, out } = previousReport();
      const before = snapshot(out);
      const ended = await interruptWriter(out, signal);
      expect(ended.stdout).toContain('writing');
      expect(ended.stdout).not.toContain('done');
      expect(ended.signal).toBe(signal); // the signal was raised again after cleaning up
      expect(snapshot(out)).toEqual(before);
      expect(readdirSync(parent)).toEqual(['out']);
    }, 60_000);
  }

  it('after a kill between the two renames, the next write puts the old report back first', async () => {
    const { parent, out } = previousReport();
    const before = snapshot(out);
    // What SIGKILL can leave: the old folder aside under a dead process id, a staging folder, no report folder.
    renameSync(out, join(parent, '.out.previous-999999999-x'));
    mkdirSync(join(parent, '.out.staging-999999999-abc'));
    await expect(writeReport(report(() => { throw new Error('again'); }), out)).rejects.toThrow('again');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['out']);
  });

  it('refuses to replace a folder that holds anything but a report', async () => {
    const { out } = previousReport();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await expect(writeReport(report(() => '<svg/>'), out)).rejects.toThrow(/holds files that are not part of a report \(notes\.txt\)/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(out, 'report.md'))).toBe(true);
  });

  it('writes a report folder that does not exist yet, creating its parents', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'gradlab-write-'));
    roots.push(parent);
    const out = join(parent, 'a', 'b');
    await writeReport(report(() => '<svg/>', 1), out);
    expect(Object.keys(snapshot(out)).sort()).toEqual(['figures/f0.svg', 'report.html', 'report.json', 'report.md']);
  });
});
