// The generated report: its structure, the claims its captions make (as tests on counts), and its HTML in a real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { listMethods } from '../../src/diff/registry.ts';
import { buildReport, type ReportData } from '../../src/report/build.ts';
import { writeReport } from '../../src/report/write.ts';
import type { CostSweep } from '../../src/harness/cost.ts';
import type { SwellRow } from '../../src/harness/swell.ts';
import type { HigherOrder } from '../../src/harness/higher-order.ts';
import type { TracesData } from '../../src/report/sections/teaching.ts';
import type { CostData } from '../../src/report/sections/cost.ts';
import type { SwellData } from '../../src/report/sections/swell.ts';
import type { AgreementData } from '../../src/report/sections/agreement.ts';
import type { JacobianShapeSweep } from '../../src/harness/jacobian-shape.ts';
import type { ControlFlowData } from '../../src/harness/control-flow.ts';
import { dotted } from '../../src/harness/traces.ts';
import { wengertList } from '../../src/ir/print.ts';
import { launchChromiumContext } from '../helpers/chromium.ts';
import { baydinExample } from '../../src/harness/suite.ts';

const out = mkdtempSync(join(tmpdir(), 'gradlab-report-'));
let report: ReportData;
let json: { meta: Record<string, unknown>; sections: { id: string; caption: string }[]; data: Record<string, unknown> };

beforeAll(async () => {
  // The tiny profile, without mathjs's simplify (the slowest method) to keep the suite fast; the structure and
  // the counts do not depend on which methods are registered.
  const methods = listMethods().filter((m) => m.name !== 'symbolic-simplified');
  report = await buildReport({ seed: 7, profile: 'tiny', methods });
  await writeReport(report, out);
  json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('report structure', () => {
  const titles = [
    "1. The seeds' lessons, every method side by side",
    '2. Accuracy against the high-precision reference',
    '3. Cost against the number of inputs',
    '4. Expression swell on the logistic map',
    '5. Agreement: the property run',
    '6. Pitfalls: what each method returns, and why',
    '7. The computational graph',
    "8. Evaluation traces of Baydin's example, forward and reverse",
    '9. Higher order: nth derivatives of tanh, three ways',
    '10. Tall versus wide: forward or reverse mode for a Jacobian',
    '11. Programs, not formulas: control flow',
  ];

  it('has all eleven sections, each with a takeaway, in Markdown and HTML', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const title of titles) {
      expect(md).toContain(`## ${title}`);
      expect(html).toContain(`<h2>${title}</h2>`);
    }
    expect(md.match(/\*\*Takeaway:\*\* /g)).toHaveLength(12);
  });

  it('writes report.md, report.html, report.json and the SVG figures, and leaves no staging files', () => {
    expect(readdirSync(out).sort()).toEqual(['figures', 'report.html', 'report.json', 'report.md']);
    // The staging folder is a sibling of the report folder, and is gone once the report is in place.
    expect(readdirSync(join(out, '..')).filter((entry) => entry.startsWith(`.${basename(out)}.`))).toEqual([]);
    expect(readdirSync(join(out, 'figures')).sort()).toEqual(['accuracy.svg', 'agreement.svg', 'cost.svg', 'counts.svg', 'graph.svg', 'higher-order.svg', 'memory.svg', 'swell.svg', 'tall-wide.svg', 'training.svg', 'v-curve.svg']);
    for (const file of readdirSync(join(out, 'figures'))) expect(readFileSync(join(out, 'figures', file), 'utf8')).toMatch(/^<svg/);
  });

  it('records the seed, Node version, CPU, date and every section in JSON', () => {
    expect(json.meta).toMatchObject({ seed: 7, profile: 'tiny', node: process.version });
    expect(typeof json.meta.cpu).toBe('string');
    expect(new Date(json.meta.date as string).getTime()).toBeGreaterThan(0);
    expect(json.sections.map((s) => s.id)).toEqual(['functions', 'accuracy', 'cost', 'swell', 'agreement', 'pitfalls', 'graph', 'traces', 'higher-order', 'tall-wide', 'control-flow', 'training']);
    expect(Object.keys(json.data).sort()).toEqual(['accuracy', 'agreement', 'controlFlow', 'cost', 'functions', 'graph', 'higherOrder', 'jacobianShapes', 'pitfalls', 'swell', 'traces', 'training']);
  });

  it('is self-contained: figures inline, no scripts, stylesheets or external URLs to fetch', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<figure /g)).toHaveLength(11);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|url\((?!#)/i); // url(#id) points inside the page (an SVG gradient)
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('reads cleanly: no label said twice ("Rosenbrock: Rosenbrock:") and no range whose ends read the same ("1.75–1.75")', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const said = md.match(/(?<![\p{L}\d])(\p{L}[\p{L}\d-]*): \1:/u);
    // A quantity's range collapses when both ends agree; a spread in brackets "(1.6–1.6)" is kept, it says how tight.
    const range = /(?<![(\d.])(\d+(?:\.\d+)?)–\1(?!\d|\.\d|\))/.exec(md);
    expect(said?.[0]).toBeUndefined();
    expect(range && md.slice(Math.max(0, range.index - 60), range.index + 20)).toBeNull();
  });

  it("states the taping autograd's predicted ratio from its tape, the count its timing is checked against", () => {
    const cost = json.data.cost as { sweeps: { sweep: { baselines: { fOps: number; tape?: { tapeLength: number } }[] } }[] };
    const baselines = cost.sweeps[0]!.sweep.baselines;
    const predicted = [baselines[0]!, baselines[baselines.length - 1]!].map((b) => 1 + b.tape!.tapeLength / b.fOps);
    const caption = json.sections.find((s) => s.id === 'cost')!.caption;
    const stated = /its tape predicts ([\d.]+)(?:–([\d.]+))? in operations/.exec(caption);
    expect(stated).not.toBeNull();
    expect(Number(stated![1])).toBeCloseTo(predicted[0]!, 1);
    expect(Number(stated![2] ?? stated![1])).toBeCloseTo(predicted[1]!, 1);
  });

  it("carries each figure's per-mark accessible labels once: the narrow drawing has one name for the whole drawing", () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const drawings = [...html.matchAll(/<div class="figure-scroll figure-(wide|narrow)">(<svg[\s\S]*?<\/svg>)\s*<\/div>/g)].map((m) => ({ kind: m[1], svg: m[2] }));
    expect(drawings.filter((d) => d.kind === 'narrow')).toHaveLength(11);
    for (const { svg } of drawings.filter((d) => d.kind === 'narrow')) {
      expect(svg).toMatch(/^<svg role="img" aria-label="[^"]+"/);
      expect(svg.match(/aria-label=/g)).toHaveLength(1);
      expect(svg).not.toMatch(/ role="graphics-symbol"/);
    }
    // The wide drawings keep vega's label on every mark (the points, bars and cells a screen reader can step through).
    const marked = drawings.filter((d) => d.kind === 'wide' && / role="graphics-symbol" aria-label=|aria-label="[^"]*" role="graphics-symbol"/.test(d.svg));
    expect(marked.length).toBeGreaterThanOrEqual(9);
  });

  it("writes the plots' coordinates to 0.1 px and the font family once per drawing (the page weighs what it shows)", () => {
    const plots = readdirSync(join(out, 'figures')).filter((file) => file !== 'graph.svg').map((file) => readFileSync(join(out, 'figures', file), 'utf8'));
    expect(plots).toHaveLength(10);
    for (const svg of plots) {
      const coordinates = [...svg.matchAll(/ (?:d|transform|points)="([^"]*)"/g)].map((m) => m[1]).join(' ');
      expect(coordinates).toMatch(/\d/);
      expect(coordinates).not.toMatch(/\.\d\d/);
      expect(svg.match(/font-family=/g)).toHaveLength(1);
    }
  });

  it('takes its captions from the measured numbers', () => {
    const graph = json.sections.find((s) => s.id === 'graph')!;
    expect(graph.caption).toContain('∂f/∂x = 4, ∂f/∂y = 13');
    expect(graph.caption).toContain('x is used 2 times, so its grad is the sum of 2 contributions');
    const lessons = json.sections.find((s) => s.id === 'functions')!;
    expect(lessons.caption).toMatch(/reproduce every function's gradient to the last bit/);
  });
});

describe('the claims, as tests on counts', () => {
  it('reverse mode: the gradient costs the same multiple of f as n grows ×10 (instructions and tape length)', () => {
    const cost = (report.data.cost as CostData).sweeps[0].sweep;
    const [small, large] = [cost.baselines[0], cost.baselines[cost.baselines.length - 1]];
    expect(large.n / small.n).toBeGreaterThanOrEqual(10);
    expect(Math.abs(large.reverseOps.ratio / small.reverseOps.ratio - 1)).toBeLessThan(0.05);
    expect(large.reverseOps.ratio).toBeLessThan(3);
    const tape = (n: number) => cost.points.find((p) => p.method === 'autograd' && p.n === n)!.tapeLength!;
    expect(tape(large.n) / large.fOps).toBeCloseTo(tape(small.n) / small.fOps, 1);
  });

  it('central differences evaluate f exactly 2n times', () => {
    const cost = (report.data.cost as CostData).sweeps[0].sweep;
    for (const n of cost.ns) expect(cost.points.find((p) => p.method === 'numeric-central' && p.n === n)!.evaluations).toBe(2 * n);
  });

  it('logistic map: the DAG derivative grows linearly, the mathjs tree superlinearly', () => {
    const rows = (report.data.swell as SwellData).families[0].rows as SwellRow[];
    const dag = rows.map((r) => r.dag.size!);
    const steps = dag.slice(3).map((d, i) => d - dag[i + 2]);
    expect(new Set(steps).size).toBe(1); // a constant number of nodes per iterate
    const tree = rows.map((r) => r.mathjs.size!);
    const growth = tree.slice(3).map((t, i) => t / tree[i + 2]);
    for (const g of growth) expect(g).toBeGreaterThan(2); // more than doubling per iterate
    expect(tree[tree.length - 1] / dag[dag.length - 1]).toBeGreaterThan(50);
    expect(rows.map((r) => r.fDag)).toEqual(rows.map((r) => (r.n === 1 ? 1 : 3 * r.n)));
  });
});

describe("evaluation traces reproduce Baydin's tables", () => {
  const traces = () => report.data.traces as TracesData;
  const baydin = { x1: 5.5, x2: 1.7163378145367738 };

  it('one reverse sweep gives ∂f/∂x₁ = 5.5 and ∂f/∂x₂ ≈ 1.7163378145367738, as in the survey', () => {
    const [g1, g2] = traces().traces.gradient;
    expect(Math.abs(g1 - baydin.x1)).toBeLessThan(1e-15);
    expect(Math.abs(g2 - baydin.x2)).toBeLessThan(1e-15);
    expect(traces().traces.value).toBeCloseTo(11.652071455223084, 14);
  });

  it('forward mode needs one tangent sweep per input, and each sweep gives its partial', () => {
    const t = traces().traces;
    expect(t.tangentSweeps.map((s) => s.variable)).toEqual(['x1', 'x2']);
    expect(Math.abs(t.tangentSweeps[0].derivative - baydin.x1)).toBeLessThan(1e-15);
    expect(Math.abs(t.tangentSweeps[1].derivative - baydin.x2)).toBeLessThan(1e-15);
    expect(t.tangent[t.tangent.length - 1].value).toBe(t.tangentSweeps[0].derivative);
    expect(t.tangent.find((l) => l.name === 'v̇2')).toMatchObject({ rule: `x2 · ${dotted('x1')} + x1 · ${dotted('x2')}`, value: 5 });
  });

  it('the adjoint trace has one line per Wengert line (bottom-up), then one per input', () => {
    const t = traces().traces;
    const lines = wengertList(baydinExample().expr);
    expect(t.wengertLines).toBe(lines.length);
    expect(t.adjoint.map((l) => l.of)).toEqual([...lines.map((l) => l.name).reverse(), 'x2', 'x1']);
    expect(t.adjoint[0]).toMatchObject({ name: 'v̄5', value: 1 });
    expect(t.adjoint.find((l) => l.of === 'x2')).toMatchObject({ rule: 'v̄2 · x1 + v̄4 · cos(x2)' });
    expect(t.primal).toHaveLength(lines.length + 2);
  });

  it('symbolic-dag and the reference agree with the traces; finite differences carry an error', () => {
    const d = traces();
    expect(d.symbolic.map((s) => s.value)).toEqual(d.traces.gradient);
    expect(d.reference.gradient).toEqual(d.traces.gradient);
    const central = d.finiteDifferences.find((f) => f.method === 'numeric-central')!;
    expect(Math.max(...central.errors!)).toBeGreaterThan(0);
    expect(Math.max(...central.errors!)).toBeLessThan(1e-8);
    const section = json.sections.find((s) => s.id === 'traces')!;
    expect(section.caption).toContain('One reverse sweep of 7 adjoint lines');
    expect(section.caption).toContain('∂f/∂x1 = 5.5, ∂f/∂x2 = 1.7163378145367738');
  });
});

describe('higher-order derivatives of tanh', () => {
  const h = () => report.data.higherOrder as HigherOrder;

  it('AD-of-AD and repeated symbolic-dag agree with the closed-form reference to 1e-12 for n ≤ 4', () => {
    expect(h().rows.map((r) => r.order)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const r of h().rows.filter((row) => row.order <= 4)) {
      expect(r.ad!.error).toBeLessThan(1e-12);
      expect(r.symbolic!.error).toBeLessThan(1e-12);
    }
    expect(h().rows[1].reference).toBeCloseTo(-2 * Math.tanh(0.5) * (1 - Math.tanh(0.5) ** 2), 15);
  });

  it('FD-of-FD error explodes with the order: n = 3 is more than 100× worse than n = 1', () => {
    const [n1, , n3] = h().rows;
    expect(n3.fd.error).toBeGreaterThan(100 * n1.fd.error);
    expect(h().rows.map((r) => r.fd.evaluations)).toEqual([2, 4, 8, 16, 32, 64]);
  });

  it('the nth symbolic derivative grows as a tree faster than as a DAG', () => {
    const last = h().rows[h().rows.length - 1].symbolic!;
    expect(last.treeSize).toBeGreaterThan(5 * last.dagSize);
  });
});

describe('tall versus wide: forward or reverse mode for a Jacobian', () => {
  const sweep = () => report.data.jacobianShapes as JacobianShapeSweep;

  it('covers every shape with n·m = 64, from 1×64 (tall) to 64×1 (wide)', () => {
    expect(sweep().rows.map((r) => [r.n, r.m])).toEqual([[1, 64], [2, 32], [4, 16], [8, 8], [16, 4], [32, 2], [64, 1]]);
  });

  it('forward mode makes n tangent passes, reverse mode m sweeps, each in one program that runs the primal once', () => {
    for (const r of sweep().rows) {
      expect(r.forward.passes).toBe(r.n);
      expect(r.forward.calls).toBe(1);
      expect(r.forward.instructions).toBe(r.forward.calls * r.forward.instructionsPerCall);
      expect(r.reverse.passes).toBe(r.m);
      expect(r.reverse.calls).toBe(1);
      expect(r.reverse.instructions).toBeCloseTo(r.reverse.calls * r.reverse.instructionsPerCall, 6);
    }
  });

  it('the forward and reverse Jacobians agree to 1e-12 relative at every shape', () => {
    for (const r of sweep().rows) expect(r.disagreement).toBeLessThan(1e-12);
  });

  it('in instructions, forward wins tall and reverse wins wide, with the crossover within a factor 2 of square', () => {
    const rows = sweep().rows;
    for (const r of rows.filter((row) => row.aspect >= 4)) expect(r.instructionRatio).toBeLessThan(1);
    for (const r of rows.filter((row) => row.aspect <= 1 / 4)) expect(r.instructionRatio).toBeGreaterThan(1);
    const ratios = rows.map((r) => r.instructionRatio);
    expect(ratios).toEqual([...ratios].sort((a, b) => a - b)); // monotone in n/m
    expect(sweep().crossoverInstructions).not.toBeNull();
    expect(sweep().crossoverInstructions!).toBeGreaterThan(0.5);
    expect(sweep().crossoverInstructions!).toBeLessThan(2);
    const section = json.sections.find((s) => s.id === 'tall-wide')!;
    expect(section.caption).toMatch(/^Forward mode wins for tall Jacobians \(m > n\), reverse mode for wide ones/);
    expect(section.caption).toContain(`m/n ≈ ${Number(sweep().crossoverInstructions!.toPrecision(2))} in instructions`);
  });
});

describe('programs, not formulas: control flow', () => {
  const data = () => report.data.controlFlow as ControlFlowData;

  it("autograd's f′ is the exact slope and f′(a)·a = f(a) holds bit for bit at every point", () => {
    expect(data().points.map((p) => p.a)).toEqual([0.7, -0.3, 1.5, (1000 / 1024) * (1 - 1e-9)]);
    for (const p of data().points) {
      expect(p.ad).toBe(p.exact);
      expect(p.ad * p.a).toBe(p.value);
      expect(p.identityHolds).toBe(true);
    }
    expect(data().points.map((p) => p.ad)).toEqual([2 ** 11, 100 * 2 ** 12, 2 ** 10, 2 ** 11]);
  });

  it('FD is off by more than 10% where the stencil straddles a doubling threshold, and fine elsewhere', () => {
    const straddling = data().points.filter((p) => p.straddles);
    expect(straddling.map((p) => p.a)).toEqual([(1000 / 1024) * (1 - 1e-9)]);
    for (const p of straddling) {
      expect(p.fdRelativeError).toBeGreaterThan(0.1);
      expect(p.adRelativeError).toBe(0);
    }
    for (const p of data().points.filter((q) => !q.straddles)) expect(p.fdRelativeError).toBeLessThan(1e-9);
    const section = json.sections.find((s) => s.id === 'control-flow')!;
    expect(section.caption).toMatch(/^Autograd differentiates the program through its loop and branch: f′\(a\)·a = f\(a\) holds bit for bit at all 4 points/);
    expect(section.caption).toContain('straddles a doubling threshold');
    expect(section.caption).toContain('f has no closed form');
  });
});

describe('the HTML report in headless Chromium', () => {
  it('at 1280 and 390 px: no horizontal page overflow, every figure visible with each series labelled, nothing requested from outside', async () => {
    const { context, close } = await launchChromiumContext("the report's browser test");
    try {
      const outside: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      for (const width of [1280, 390]) {
        const page = await context.newPage();
        await page.setViewportSize({ width, height: 900 });
        await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
        // No horizontal scroll of the page itself: wide tables and figures scroll inside their own boxes.
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
        expect(overflow, `horizontal page overflow at ${width} px`).toBeLessThanOrEqual(0);
        // Each figure has a wide and a narrow drawing, and shows exactly one of them at any width.
        const boxes = await page.$$eval('figure', (figures) =>
          figures.flatMap((figure) =>
            [...figure.querySelectorAll('svg')]
              .map((svg) => ({ svg, box: svg.getBoundingClientRect() }))
              .filter(({ box }) => box.width > 0)
              .map(({ svg, box }) => ({ figure: figure.id, width: box.width, height: box.height, shapes: svg.querySelectorAll('path, polygon, text, line, rect, ellipse').length })),
          ),
        );
        expect(boxes).toHaveLength(11);
        expect(new Set(boxes.map((b) => b.figure)).size).toBe(11);
        for (const box of boxes) {
          expect(box.width).toBeGreaterThan(50);
          expect(box.height).toBeGreaterThan(50);
          expect(box.shapes).toBeGreaterThan(5);
        }
        // Every coloured line series has a direct label (text of its colour) or a legend entry (a symbol of its colour).
        const unlabelled = await page.$$eval('figure', (figures) =>
          figures.flatMap((figure) => {
            const neutral = new Set(['#9ca3af', '#6b7280', '#111827', 'black', '#000', '#000000', '#888', '#ddd', 'none', '']);
            const colours = new Set([...figure.querySelectorAll('g.mark-line path')].map((p) => (p.getAttribute('stroke') ?? '').toLowerCase()).filter((c) => !neutral.has(c)));
            const labelled = new Set([
              ...[...figure.querySelectorAll('g.mark-text.role-mark text')].map((t) => (t.getAttribute('fill') ?? '').toLowerCase()),
              ...[...figure.querySelectorAll('g.role-legend-symbol path')].flatMap((p) => [(p.getAttribute('fill') ?? '').toLowerCase(), (p.getAttribute('stroke') ?? '').toLowerCase()]),
            ]);
            return [...colours].filter((c) => !labelled.has(c)).map((c) => `${figure.id}: ${c}`);
          }),
        );
        expect(unlabelled).toEqual([]);
        // Every figure's text, as drawn (its font size times the scale the SVG is shown at), is at least a stated size.
        // On a phone that is the body text's size: a figure shrunk to the screen's width fails this. On a wide screen
        // it is 10 px, and 12 px for the computational graph, whose wide drawing is shown scaled to the column.
        // (A string, run in the page: the tests are compiled without the DOM's types.)
        const minimum = width === 390 ? 'body' : { default: 10, 'figure-graph': 12 };
        const small = (await page.evaluate(`(() => {
          const body = parseFloat(getComputedStyle(document.body).fontSize);
          const minimum = ${JSON.stringify(minimum)};
          return [...document.querySelectorAll('figure')].flatMap((figure) => {
            const least = minimum === 'body' ? body : (minimum[figure.id] ?? minimum.default);
            const sizes = [...figure.querySelectorAll('svg text')]
              .filter((t) => t.textContent.trim() !== '' && t.getBoundingClientRect().width > 0)
              .map((t) => {
                const m = t.getScreenCTM();
                return { text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b) };
              });
            // Each figure must show text at all (a figure shown nowhere would pass vacuously).
            if (sizes.length === 0) return [figure.id + ': no visible text'];
            const smallest = sizes.reduce((a, b) => (b.px < a.px ? b : a));
            return smallest.px < least - 0.01 ? [figure.id + ': "' + smallest.text + '" at ' + smallest.px.toFixed(1) + ' px < ' + least + ' px'] : [];
          });
        })()`)) as string[];
        expect(small, `text size at ${width} px`).toEqual([]);
        if (width === 390) {
          // On a phone a figure's narrow drawing, shown at its natural size, fits the text column, so nothing scrolls
          // sideways inside its box; except these, which say why. (An excepted figure that fits must leave the list.)
          const tooWide: Record<string, string> = {
            'figure-agreement': 'a 12 × 12 matrix whose cells hold 16-px numbers ("3e-15", about 44 px each) needs some 530 px; the same numbers are in the table of comparisons',
            'figure-graph': "Graphviz's top-to-bottom layout puts every source (the inputs and each constant) in the first row: four 16-px records side by side need some 470 px",
          };
          const widths = (await page.$$eval('figure', (figures) =>
            figures.map((figure) => {
              const svg = [...figure.querySelectorAll('svg')].find((e) => e.getBoundingClientRect().width > 0)!;
              return { figure: figure.id, natural: Math.ceil(svg.getBoundingClientRect().width), box: svg.parentElement!.clientWidth };
            }),
          )) as { figure: string; natural: number; box: number }[];
          const misfits = widths.filter((w) => w.natural > w.box !== (w.figure in tooWide)).map((w) => `${w.figure}: ${w.natural} px in a ${w.box}-px box${w.figure in tooWide ? ' (listed as too wide, but fits)' : ''}`);
          expect(misfits, `narrow drawings' natural widths at 390 px: ${widths.map((w) => `${w.figure} ${w.natural}`).join(', ')}`).toEqual([]);
        }
        // Direct labels are readable: no label's box meets another's, and no drawn line, bar or marker runs through one.
        // (Lines are sampled every 1.5 px along their length; a box is shrunk by 1 px so a line grazing its edge passes.)
        const covered = (await page.evaluate(`(() => {
          const shown = (e) => e.getBoundingClientRect().width > 0;
          return [...document.querySelectorAll('figure')].flatMap((figure) => {
            const svg = [...figure.querySelectorAll('svg')].find(shown);
            if (!svg || !svg.querySelector('g.mark-line')) return [];
            const labels = [...svg.querySelectorAll('g.mark-text.role-mark text')].filter((t) => t.textContent.trim() !== '' && shown(t))
              .map((t) => { const r = t.getBoundingClientRect(); return { text: t.textContent, x0: r.left + 1, x1: r.right - 1, y0: r.top + 1, y1: r.bottom - 1 }; });
            const inside = (b, x, y) => x > b.x0 && x < b.x1 && y > b.y0 && y < b.y1;
            const found = [];
            labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => {
              if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) found.push(figure.id + ': "' + a.text + '" meets "' + b.text + '"');
            }));
            for (const path of svg.querySelectorAll('g.mark-line path, g.mark-rule.role-mark line')) {
              const m = path.getScreenCTM();
              const length = path.getTotalLength();
              const hit = new Set();
              for (let s = 0; s <= length; s += 1.5) {
                const p = path.getPointAtLength(s);
                const [x, y] = [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f];
                for (const b of labels) if (inside(b, x, y)) hit.add(b.text);
              }
              for (const text of hit) found.push(figure.id + ': a line (' + (path.getAttribute('stroke') || 'mark') + ') crosses "' + text + '"');
            }
            for (const mark of svg.querySelectorAll('g.mark-symbol.role-mark path')) {
              const r = mark.getBoundingClientRect();
              for (const b of labels) if (r.left < b.x1 && b.x0 < r.right && r.top < b.y1 && b.y0 < r.bottom) found.push(figure.id + ': a marker covers "' + b.text + '"');
            }
            return found;
          });
        })()`)) as string[];
        expect(covered, `direct labels at ${width} px`).toEqual([]);
        expect(await page.locator('section[id] > h2').count()).toBe(13); // the glossary and twelve sections
        await page.close();
      }
      expect(outside).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);
});

describe('"agree" shows what it covered: each method\'s worst passing case, with its bound', () => {
  it('every exact method that passed has its worst passing case in the data and in the report, with a bound at least its error', () => {
    const agreement = report.data.agreement as AgreementData;
    const exact = report.meta.methods.filter((m) => m.kind === 'exact').map((m) => m.name);
    const passedExact = agreement.rows.filter((r) => r.b === 'reference' && exact.includes(r.a) && r.passed > 0).map((r) => r.a);
    expect(passedExact.length).toBeGreaterThanOrEqual(4);
    const section = report.sections.find((s) => s.id === 'agreement')!;
    const table = section.tables.find((t) => t.title === "Each method's worst passing case")!.table;
    for (const method of passedExact) {
      const mine = agreement.worst.filter((w) => w.method === method);
      expect(mine.length, method).toBeGreaterThan(0);
      for (const worst of mine) {
        expect(worst.kind).toBe('exact');
        expect(worst.bound).toBeGreaterThan(0);
        expect(worst.error).toBeLessThanOrEqual(worst.bound * (1 + 1e-12) + 1e-300);
        // A relative bound of 1 or more could not fail (it would accept 0): such answers are "no-bound", never here.
        if (worst.measure === 'relative') expect(worst.bound).toBeLessThan(1);
        else expect(Math.abs(worst.exact)).toBeLessThanOrEqual(worst.bound);
        expect(worst.why).toMatch(worst.measure === 'relative' ? /rounding bound of ∂f\/∂\w+, whose condition estimate is/ : /judged on the absolute error against/);
        const row = table.rows.find((r) => r[0] === method && r[1].startsWith(worst.measure))!;
        expect(row[2]).toBe(`\`${worst.expression}\``);
        expect(row[5]).not.toBe('—');
      }
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain("**Each method's worst passing case**");
  });

  it('the full list of comparisons is collapsed; the heatmap shows method × method', () => {
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<details>\n<summary>Every comparison/);
    expect(html).toContain('data-figure="agreement"');
  });
});
