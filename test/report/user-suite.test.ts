// Bring your own suite: the format's validation, --expr/--at suites, TypeScript and JSON suite files, and the report and check on them.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { listMethods } from '../../src/diff/registry.ts';
import { buildReport } from '../../src/report/build.ts';
import { writeReport } from '../../src/report/write.ts';
import { SuiteError, parsePointText, suiteFromExpressions, validateUserSuite } from '../../src/harness/user-suite.ts';
import { drawPoints } from '../../src/harness/function-agreement.ts';
import { loadUserModule } from '../../src/cli/load-module.ts';
import { loadSuiteFile } from '../../src/cli/suite-file.ts';
import { main } from '../../src/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'gradlab-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Fast methods only: the report's structure does not depend on which methods run.
const methods = listMethods().filter((m) => !['symbolic-simplified', 'numeric-richardson'].includes(m.name));

const jsonSuite = {
  name: 'class demo',
  functions: [
    { name: 'bump', expr: 'exp(-x^2) * sin(3*y)', at: { x: 0.5, y: 1 }, domain: { x: [-2, 2], y: [0, 3] } },
    { name: 'ratio', expr: 'x / (1 + y^2)', at: { x: 2, y: -1 } },
  ],
};
writeFileSync(join(dir, 'demo.json'), JSON.stringify(jsonSuite));
writeFileSync(join(dir, 'helper.mjs'), "export const term = (i) => `sin(x${i}) * x${i + 1}`;\n");
writeFileSync(
  join(dir, 'demo.ts'),
  [
    "import { term } from './helper.mjs';",
    'interface Entry { name: string; expr: string; at: Record<string, number> }',
    "const functions: Entry[] = [{ name: 'wave', expr: 'sin(x) * cos(2*x)', at: { x: 0.3 } }];",
    'export default {',
    "  name: 'typed demo',",
    '  functions,',
    "  families: [{ name: 'sine chain', family: (n: number): string => Array.from({ length: n - 1 }, (_, i) => term(i + 1)).join(' + '), ns: [3, 6, 12] }],",
    '};',
  ].join('\n'),
);

describe('the suite format: validation with errors that name the field', () => {
  const bad = (raw: unknown) => () => validateUserSuite(raw, 'suite.json');
  it('accepts functions with name, expr, at and domain, and fills in a domain around the point', () => {
    const suite = validateUserSuite(jsonSuite, 'demo.json');
    expect(suite.name).toBe('class demo');
    expect(suite.functions.map((f) => f.name)).toEqual(['bump', 'ratio']);
    expect(suite.functions[0].domain).toEqual({ x: [-2, 2], y: [0, 3] });
    expect(suite.functions[1].domain).toEqual({ x: [1, 3], y: [-2, 0] });
    expect(Array.from(suite.functions[1].point)).toEqual([2, -1]);
  });
  it('names the missing or wrong field and its position', () => {
    expect(bad({ functions: [{ expr: 'x^2' }] })).toThrow(/functions\[0\]: missing 'at'/);
    expect(bad({ functions: [{ expr: 'x*y', at: { x: 1 } }] })).toThrow(/functions\[0\]\.at: no value for y/);
    expect(bad({ functions: [{ expr: 'x', at: { x: 1, z: 2 } }] })).toThrow(/z is not a variable/);
    expect(bad({ functions: [{ expr: 'x', at: { x: 'one' } }] })).toThrow(/functions\[0\]\.at\.x: expected a finite number, got the string 'one'/);
    expect(bad({ functions: [{ expr: 'x +', at: { x: 1 } }] })).toThrow(/functions\[0\]\.expr: cannot parse/);
    expect(bad({ functions: [{ expr: 'x', at: { x: 1 }, domain: { x: [2, 1] } }] })).toThrow(/domain\.x: low \(2\) must be below high \(1\)/);
    expect(bad({ functions: [{ expr: 'x', at: { x: 1 }, colour: 'red' }] })).toThrow(/unknown field colour/);
    expect(bad({ functions: [{ expr: '2 + 3', at: {} }] })).toThrow(/no variables/);
    expect(bad({ functions: [] })).toThrow(/no functions and no families/);
    expect(bad([1, 2])).toThrow(/expected an object/);
    expect(bad({ families: [{ name: 'f', family: 'x^n' }] })).toThrow(/families\[0\]\.family: expected a function/);
    expect(bad({ functions: [{ fn: (v: { x: number }) => v.x, at: { x: 1 } }] })).toThrow(SuiteError);
  });
  it('--expr and --at pair in order; one --at serves every --expr', () => {
    expect(parsePointText('x=1, y=-2.5')).toEqual({ x: 1, y: -2.5 });
    expect(() => parsePointText('x=1,x=2')).toThrow(/x is given twice/);
    expect(() => parsePointText('x=abc')).toThrow(/'abc' is not a finite number/);
    const suite = suiteFromExpressions(['x^2 + y', 'sin(x)'], ['x=1,y=2', 'x=0.5']);
    expect(suite.functions.map((f) => Array.from(f.point))).toEqual([[1, 2], [0.5]]);
    expect(suiteFromExpressions(['x^2', 'x^3'], ['x=2']).functions.map((f) => f.point[0])).toEqual([2, 2]);
    expect(() => suiteFromExpressions(['x', 'x^2', 'x^3'], ['x=1', 'x=2'])).toThrow(/3 --expr but 2 --at/);
  });
  it('draws agreement points inside each function\'s domain, its own point first', () => {
    const suite = validateUserSuite(jsonSuite, 'demo.json');
    const points = drawPoints(suite.functions[0], 30, 5);
    expect(points).toHaveLength(30);
    expect(Array.from(points[0])).toEqual([0.5, 1]);
    for (const p of points) {
      expect(p[0]).toBeGreaterThanOrEqual(-2);
      expect(p[0]).toBeLessThanOrEqual(2);
      expect(p[1]).toBeGreaterThanOrEqual(0);
      expect(p[1]).toBeLessThanOrEqual(3);
    }
    expect(drawPoints(suite.functions[0], 30, 5)).toEqual(points);
  });
});

describe('loading a TypeScript suite', () => {
  it('strips the types, resolves relative imports, and deletes its temporary file', async () => {
    const mod = await loadUserModule(join(dir, 'demo.ts'));
    expect((mod.default as { name: string }).name).toBe('typed demo');
    expect(readdirSync(dir).filter((f) => f.endsWith('.mjs'))).toEqual(['helper.mjs']);
    const suite = await loadSuiteFile(join(dir, 'demo.ts'));
    expect(suite.functions.map((f) => f.name)).toEqual(['wave']);
    expect(suite.families[0].variables(3)).toEqual(['x1', 'x2', 'x3']);
  });
  it('says which file is broken', async () => {
    writeFileSync(join(dir, 'broken.ts'), 'export default { functions: [ };');
    await expect(loadSuiteFile(join(dir, 'broken.ts'))).rejects.toThrow(/broken\.ts: not valid TypeScript/);
    writeFileSync(join(dir, 'broken.json'), '{ "functions": [ }');
    await expect(loadSuiteFile(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: not valid JSON/);
    await expect(loadSuiteFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });
});

describe('the report on a user suite', () => {
  it('JSON suite: every section that applies names the user\'s functions', async () => {
    const suite = await loadSuiteFile(join(dir, 'demo.json'));
    const report = await buildReport({ seed: 3, profile: 'tiny', methods, suite });
    expect(report.sections.map((s) => s.id)).toEqual(['functions', 'accuracy', 'agreement', 'graph']);
    const functions = report.sections[0];
    expect(functions.title).toBe('Your functions, every method side by side');
    expect(functions.tables.map((t) => t.title)).toEqual(['bump: `exp(-x^2) * sin(3*y)` at x = 0.5, y = 1', 'ratio: `x / (1 + y^2)` at x = 2, y = -1']);
    for (const t of functions.tables) expect(t.table.rows.map((r) => r[0])).toEqual(['reference (64 digits)', ...report.meta.methods.map((m) => m.name)]);
    expect(report.meta.methods.map((m) => m.name)).not.toContain('numeric'); // an alias of numeric-central: one name per method
    const accuracy = report.sections[1];
    expect(accuracy.caption).toContain('On bump (the other variables held at y = 1) at x = 0.5');
    expect(accuracy.figures.map((f) => f.id)).toEqual(['accuracy', 'v-curve']);
    const agreement = report.sections[2];
    expect(agreement.notes.join(' ')).toContain(`points drawn from its domain (${2 * 10} in all`);
    expect(report.sections[3].caption).toContain('Reverse accumulation on exp(-x^2) * sin(3*y) at x = 0.5, y = 1');
    expect(report.meta.title).toContain('class demo');
  }, 120_000);

  it('TypeScript suite with a family: cost and swell grow the family over its ns', async () => {
    const suite = await loadSuiteFile(join(dir, 'demo.ts'));
    const report = await buildReport({ seed: 3, profile: 'tiny', methods, suite });
    expect(report.sections.map((s) => s.id)).toEqual(['functions', 'accuracy', 'cost', 'swell', 'agreement', 'graph']);
    const cost = report.sections.find((s) => s.id === 'cost')!;
    expect(cost.notes[0]).toContain('sine chain');
    expect(cost.caption).toMatch(/^From n = 3 to n = 12 the reverse-mode gradient/);
    const swell = report.sections.find((s) => s.id === 'swell')!;
    expect(swell.title).toBe('Expression swell on sine chain');
    expect(swell.tables[0].table.rows.map((r) => r[0])).toEqual(['3', '6', '12']);
    expect(report.sections[0].tables[0].title).toContain('wave');
  }, 180_000);

  it('gradlab report --expr/--at writes the report files for the user\'s expressions', async () => {
    const out = join(dir, 'out');
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {}, isTTY: false };
    const code = await main(['report', '--expr', 'x^2 * y', '--at', 'x=3,y=2', '--profile', 'tiny', '--out', out], io);
    expect(code).toBe(0);
    expect(stdout).toContain('suite your expressions');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## 1. Your functions, every method side by side');
    expect(md).toContain('x^2 \\* y');
    expect(existsSync(join(out, 'figures', 'graph.svg'))).toBe(true);
    const bad = await main(['report', '--expr', 'x', '--expr', 'y', '--at', 'x=1', '--at', 'y=1', '--at', 'z=1'], { ...io, stderr: (t: string) => void (stdout += t) });
    expect(bad).toBe(2);
    expect(stdout).toContain('2 --expr but 3 --at');
  }, 180_000);

  it('its takeaway tells a rounding of float64 from a failure, and a refusal from an error, and fits the terminal', async () => {
    // ∂/∂y (x²·y + sin y) = x² + cos y rounds once, so no method is bit-exact there; mathjs and the complex step lack relu.
    const out = join(dir, 'takeaway');
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {}, isTTY: false, columns: 60 };
    const args = ['report', '--expr', 'x^2*y + sin(y)', '--at', 'x=2,y=3', '--expr', 'relu(x)*x', '--at', 'x=1', '--profile', 'tiny', '--out', out];
    expect(await main(args, io)).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { sections: { id: string; caption: string }[] };
    const takeaway = json.sections.find((s) => s.id === 'functions')!.caption;
    expect(takeaway).not.toMatch(/\b0 of \d+ exact methods|none|∞/);
    expect(takeaway).toMatch(/^4 of 6 exact methods agree with the 64-digit reference on every function: autograd, autograd-compiled, forward-mode, symbolic-dag within \S+ relative, float64's rounding/);
    expect(takeaway).toContain('symbolic, symbolic-simplified could not differentiate every function');
    expect(takeaway).toMatch(/finite-difference family is off by up to \d\.\de-\d+ \(numeric-forward\)/);
    // The summary on stdout is wrapped to the 60 columns the terminal has.
    expect(Math.max(...stdout.trimEnd().split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(60);
  }, 180_000);
});

describe('a program in a suite', () => {
  it('is traced at its point: the report differentiates the path taken and lists the comparison that chose it', async () => {
    writeFileSync(
      join(dir, 'program.ts'),
      [
        "import type { MathNamespace } from '../../src/index.ts';",
        'export default {',
        "  name: 'programs',",
        '  functions: [{',
        "    name: 'loop and branch',",
        '    program: (v: { x: number }, m: MathNamespace) => {',
        '      let s: unknown = v.x;',
        '      for (let i = 0; i < 2; i++) s = m.mul(s, v.x);',
        '      return m.gt(s, 1) ? m.sin(s) : m.exp(s);',
        '    },',
        '    at: { x: 1.5 },',
        '  }],',
        '};',
      ].join('\n'),
    );
    const suite = await loadSuiteFile(join(dir, 'program.ts'));
    const [fn] = suite.functions;
    // x³ = 3.375 > 1 at x = 1.5, so the path is sin(x·x·x) and its derivative 3x²·cos(x³).
    expect(fn.guards).toHaveLength(1);
    expect(fn.guards![0]).toMatch(/>/);
    const report = await buildReport({ seed: 3, profile: 'tiny', methods, suite });
    const functions = report.sections[0];
    expect(functions.notes.join(' ')).toContain('loop and branch is a program');
    const json = report.data.functions as { reference: { gradient: number[] }; guards: string[] }[];
    expect(json[0].reference.gradient[0]).toBeCloseTo(3 * 1.5 ** 2 * Math.cos(1.5 ** 3), 14);
    expect(json[0].guards).toEqual(fn.guards);
    expect(() => validateUserSuite({ functions: [{ program: (v: { x: number }) => v.x, expr: 'x', at: { x: 1 } }] }, 's')).toThrow(/'expr' or 'program', not both/);
    expect(() => validateUserSuite({ functions: [{ program: 'x', at: { x: 1 } }] }, 's')).toThrow(/program: expected a function/);
  }, 120_000);
});

describe('gradlab check --suite', () => {
  it('runs the agreement property at points from the suite\'s domains and names its functions', async () => {
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {}, isTTY: false };
    const code = await main(['check', '--suite', join(dir, 'demo.json'), '--runs', '8', '--seed', '4', '--methods', 'autograd,numeric-central,symbolic-dag'], io);
    expect(stdout).toContain('2 functions of class demo (bump, ratio), 8 points each');
    expect(stdout).toMatch(/autograd vs reference +│ +16 │/);
    expect(code).toBe(0);
  }, 60_000);

  it('fits its matrix and the lines under it to an 80-column terminal, as the random check does', async () => {
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: () => {}, isTTY: false, columns: 80 };
    const code = await main(['check', '--suite', join(dir, 'demo.json'), '--runs', '4', '--seed', '4'], io);
    expect(code).toBe(0);
    expect(stdout).toMatch(/│ symbolic-simplified +│/);
    expect(Math.max(...stdout.trimEnd().split('\n').map((line) => [...line].length))).toBeLessThanOrEqual(80);
  }, 60_000);
});

describe("the README's example suites", () => {
  it('docs/example-suite.json and docs/example-suite.ts are valid suites', async () => {
    const json = await loadSuiteFile('docs/example-suite.json');
    expect(json.functions.map((f) => f.name)).toEqual(['bump', 'softmax-ish']);
    const ts = await loadSuiteFile('docs/example-suite.ts');
    expect(ts.families.map((f) => f.name)).toEqual(['sum of products']);
    expect(ts.families[0].variables(4)).toEqual(['x1', 'x2', 'x3', 'x4']);
  });
});
