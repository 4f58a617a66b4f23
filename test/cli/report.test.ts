// `gradlab report`: wired into the command line, options checked, and files written atomically.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../../src/cli.ts';
import { writeReport } from '../../src/report/write.ts';
import type { ReportData } from '../../src/report/build.ts';
import { ProgressBar } from '../../src/report/progress.ts';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false });
  return { code, out, err };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function minimalReport(svg: () => string): ReportData {
  const meta = { title: 't', profile: 'tiny', seed: 1, date: '', node: '', cpu: '', cores: 1, platform: '', methods: [], tolerance: { exactFactor: 1, numericFactor: 1 }, runtimeMs: 0 } as const;
  const figure = { id: 'f', file: 'f.svg', title: 'f', caption: 'c', get svg() { return svg(); } };
  return { meta: { ...meta }, sections: [{ id: 's', number: 1, title: 'S', caption: 'c', notes: [], tables: [], figures: [figure], code: [] }], data: {} };
}

describe('gradlab report', () => {
  it('is a registered command with help that names every output', async () => {
    const { code, out } = await run('report', '--help');
    expect(code).toBe(0);
    for (const word of ['report.md', 'report.html', 'report.json', 'figures/*.svg', '--quick', '--seed', '--out']) expect(out).toContain(word);
    expect((await run('--help')).out).toMatch(/report +run the built-in suite/);
  });

  it('keeps its progress bar one line narrower than the terminal, so it can be redrawn in place', () => {
    for (const columns of [80, 50]) {
      const writes: string[] = [];
      const bar = new ProgressBar((t) => writes.push(t), 'bar', undefined, columns);
      bar.update(0.5, `cost: ${'a long label of a user’s function, '.repeat(4)}`);
      const line = writes[0]!.replace('\r\x1b[K', '');
      expect([...line].length).toBe(columns - 1);
    }
  });

  it('rejects bad options with usage errors', async () => {
    expect((await run('report', '--seed', 'x')).code).toBe(2);
    expect((await run('report', '--profile', 'huge')).err).toMatch(/--profile must be full, quick or tiny/);
    expect((await run('report', 'extra')).code).toBe(2);
  });

  it('replaces a report atomically: a failure while writing leaves the previous files untouched', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gradlab-atomic-'));
    dirs.push(out);
    mkdirSync(join(out, 'figures'));
    writeFileSync(join(out, 'report.md'), 'previous report');
    writeFileSync(join(out, 'figures', 'f.svg'), 'previous figure');
    const failing = minimalReport(() => {
      throw new Error('interrupted');
    });
    await expect(writeReport(failing, out)).rejects.toThrow('interrupted');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe('previous report');
    expect(readFileSync(join(out, 'figures', 'f.svg'), 'utf8')).toBe('previous figure');
    expect(readdirSync(join(out, '..')).filter((e) => e.includes(`.${basename(out)}.`))).toEqual([]); // no staging folder left
    // A complete write replaces every file.
    await writeReport(minimalReport(() => '<svg></svg>'), out);
    expect(readFileSync(join(out, 'figures', 'f.svg'), 'utf8')).toBe('<svg></svg>\n');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/^# t/);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).meta.seed).toBe(1);
  });
});
