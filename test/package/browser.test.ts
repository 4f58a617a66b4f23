// The core bundles for a browser (esbuild, platform 'browser', no node: module anywhere) and computes the lesson gradient in headless Chromium.
import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { launchChromiumContext } from '../helpers/chromium.ts';

const root = resolve(import.meta.dirname, '../..');

/** What the page gets: the public core and harness, as a library user's bundler would see them. */
const entry = `
import * as gradlab from ${JSON.stringify(join(root, 'src/index.ts'))};
import * as harness from ${JSON.stringify(join(root, 'src/harness/index.ts'))};
import fc from 'fast-check';
globalThis.gradlab = gradlab;
globalThis.harness = harness;
globalThis.fc = fc;
`;

async function bundle() {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe('a browser bundle of the core', () => {
  it('builds with no node: module and none of the report or CLI dependencies', async () => {
    const { inputs } = await bundle();
    expect(inputs.filter((p) => p.startsWith('node:'))).toEqual([]);
    // The one module a package's own `browser` field replaces: seedrandom's optional `require('crypto')` (mathjs's dependency).
    expect(inputs.filter((p) => p.includes('(disabled)'))).toEqual(['(disabled):crypto']);
    expect(inputs.filter((p) => /node_modules\/(vega|vega-lite|@hpcc-js|cli-table3)\//.test(p))).toEqual([]);
    expect(inputs.filter((p) => /src\/(cli|report)\//.test(p))).toEqual([]);
    expect(inputs).toContain('src/diff/autograd/tensor.ts');
  }, 60_000);

  it('computes d/dx (x² + 3x + 1) = 7 at x = 2 in Chromium by autograd, central differences, the symbolic DAG and mathjs', async () => {
    const { code } = await bundle();
    const { context, close } = await launchChromiumContext('the browser bundle test');
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.setContent('<!doctype html><title>gradlab</title>');
      await page.addScriptTag({ content: code });
      const answers = await page.evaluate(async () => {
        const { gradlab, harness, fc } = globalThis as unknown as {
          gradlab: typeof import('../../src/index.ts');
          harness: typeof import('../../src/harness/index.ts');
          fc: typeof import('fast-check').default;
        };
        const lesson = 'x^2 + 3*x + 1';
        const by = (method: string) => gradlab.gradient(lesson, { x: 2 }, { method }).gradient['x'];
        const x = gradlab.tensor(2, { requiresGrad: true });
        const y = x.pow(2).add(x.mul(3)).add(1);
        y.backward();
        const before = gradlab.mathjsHost().name;
        await gradlab.preloadMathjs();
        const cases = fc.sample(harness.expressionWithPoint({ depth: 2 }), { seed: 7, numRuns: 3 });
        return {
          autograd: by('autograd'),
          central: by('numeric-central'),
          dag: by('symbolic-dag'),
          mathjs: by('symbolic'),
          tensor: [String(y), String(x.grad)],
          host: before,
          sampled: cases.map((c) => c.variables.length > 0 || c.expr.kind === 'const'),
          node: typeof (globalThis as { process?: unknown }).process,
        };
      });
      expect(errors).toEqual([]);
      expect(answers.autograd).toBe(7);
      expect(answers.dag).toBe(7);
      expect(answers.mathjs).toBe(7);
      expect(Math.abs(answers.central! - 7)).toBeLessThan(1e-8);
      expect(answers.tensor).toEqual(['tensor(11., grad_fn=<AddBackward0>)', 'tensor(7.)']);
      expect(answers.host).toBe('this-thread');
      expect(answers.sampled).toEqual([true, true, true]);
      expect(answers.node).toBe('undefined');
    } finally {
      await close();
    }
  }, 120_000);
});
