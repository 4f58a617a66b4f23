// The playground in a real browser: builds the site once with Vite, serves it with node:http, drives Debian's Chromium.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { describeError, type CliIo } from '../../src/cli/common.ts';
import { playgroundDir, serveStatic, type StaticServer } from '../../src/cli/playground.ts';
import { main } from '../../src/cli.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { listMethods, withoutAliases } from '../../src/diff/registry.ts';
import { parse } from '../../src/ir/parse.ts';
import { metrics } from '../../src/ir/traverse.ts';

// Browser globals used inside page.evaluate / waitForFunction callbacks (this file compiles without the DOM library).
declare const document: { querySelector(selector: string): { textContent: string | null; dataset: Record<string, string | undefined> } | null; documentElement: { scrollWidth: number; clientWidth: number } };
declare const window: Record<string, unknown> & { location: unknown };

const root = fileURLToPath(new URL('../../', import.meta.url));

let served: StaticServer;
let browser: Browser;
/** Console errors and uncaught exceptions of every page, and requests that left the page's origin. */
const problems: string[] = [];
const outside: string[] = [];

beforeAll(async () => {
  // The same build as `npm run build:playground` (into dist/playground), without minifying: it only has to be correct.
  const { build } = await import('vite');
  await build({ configFile: `${root}playground/vite.config.ts`, build: { minify: false } });
  served = await serveStatic(playgroundDir);
  browser = await launchChromium("the playground's browser tests");
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function open(query = '', width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(served.url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(served.url + query);
  await page.getByTestId('method-autograd').waitFor();
  return page;
}

let shared: Page | undefined;
/** One page for the tests that only type and click (a page load is the slow part on a shared machine). */
async function sharedPage(): Promise<Page> {
  shared ??= await open();
  await shared.setViewportSize({ width: 1280, height: 900 });
  return shared;
}

/** Long enough for a worker's answer on a loaded 2-core machine; the assertions, not the timeouts, are the test. */
const slow = { timeout: 60_000 };

/** Clears the expression box and types `text` key by key, as a person would. */
async function typeExpression(page: Page, text: string): Promise<void> {
  const box = page.getByTestId('expression');
  await box.fill('');
  await box.pressSequentially(text);
}

/** The partial ∂f/∂`v` a method's row prints (NaN when it prints none). */
async function partial(page: Page, method: string, v: string): Promise<number> {
  const text = await page.getByTestId(`method-${method}`).innerText();
  const match = new RegExp(`∂f/∂${v} = (\\S+)`).exec(text);
  return match === null ? NaN : Number(match[1]);
}

/** Waits until the method's row prints ∂f/∂v and returns it. */
async function waitForPartial(page: Page, method: string, v: string): Promise<number> {
  await page.waitForFunction(([m, name]) => document.querySelector(`[data-testid="method-${m}"]`)?.textContent?.includes(`∂f/∂${name} =`), [method, v], slow);
  return partial(page, method, v);
}

interface Stats {
  updates: { text: string; work: { pageMethods: string[]; evaluations: number; nodeVisits: number; dagSize: number } | null; symbolicJobs: number }[];
  symbolic: { posted: number; terminated: number; started: number; rows: number };
  mathjsOnPage: { jobsInThisThread: number; refusedOnMainThread: number };
}
const stats = (page: Page) => page.evaluate(() => window.__playground) as Promise<Stats>;

describe('the playground page', () => {
  it('answers the lesson x**2 + 3*x + 1 at x = 2 with 7 from autograd, symbolic and (approximately) central differences', async () => {
    const page = await sharedPage();
    await typeExpression(page, 'x**2 + 3*x + 1');
    await page.getByTestId('value-x').fill('2');
    expect(await waitForPartial(page, 'autograd', 'x')).toBe(7);
    expect(await waitForPartial(page, 'symbolic', 'x')).toBe(7);
    expect(await waitForPartial(page, 'symbolic-simplified', 'x')).toBe(7);
    expect(await partial(page, 'numeric-central', 'x')).toBeCloseTo(7, 6);
    // Every registered method has its row, once: an alias (numeric, numeric-central's second name) has none.
    expect(withoutAliases(listMethods()).length).toBeLessThan(listMethods().length);
    expect(await page.getByTestId('method-numeric').count()).toBe(0);
    expect(await page.locator('.method:not(.head)').count()).toBe(withoutAliases(listMethods()).length);
    for (const method of withoutAliases(listMethods())) {
      const row = page.getByTestId(`method-${method.name}`);
      await expect.poll(() => row.getAttribute('data-status'), slow).not.toBe('pending');
      expect(await row.getAttribute('data-status')).toBe('ok');
    }
    // Times below the browser's timer resolution say so; none reads as a measured 0.
    const costs = await page.locator('.method:not(.head) .cost').allInnerTexts();
    const times = costs.flatMap((text) => [...text.matchAll(/(< )?(\d+(?:\.\d+)?) ms/g)]);
    expect(times.length).toBe(withoutAliases(listMethods()).length);
    for (const [whole, below, value] of times) expect(below !== undefined || Number(value) >= 0.1, whole).toBe(true);
    expect(await page.locator('#methods-caption').innerText()).toContain('timer resolution');
    // The error column is against the 64-digit reference: autograd is exact here.
    await expect.poll(() => page.getByTestId('error-autograd').innerText(), slow).toBe('exact');
    expect(await page.getByTestId('pytorch').innerText()).toBe('y = tensor(11., grad_fn=<AddBackward0>)\nx.grad = tensor(7.)');
  });

  it("shows an example's lesson while f is that example, and clears it (and the picker) once f is edited away", async () => {
    const page = await sharedPage();
    await page.selectOption('#preset', '0');
    const lesson = page.locator('#lesson');
    await expect.poll(() => lesson.textContent(), slow).not.toBe('');
    await typeExpression(page, 'x^y * sin(x)');
    await expect.poll(() => lesson.textContent(), slow).toBe('');
    expect(await page.locator('#preset').inputValue()).toBe('');
  });

  it('shows a parse error inline with the caret under its position, as the CLI prints it', async () => {
    const page = await sharedPage();
    for (const text of ['sin x', 'x + * 2', '(x + 1']) {
      await typeExpression(page, text);
      const error = page.getByTestId('error');
      await error.waitFor();
      let expected = '';
      try {
        parse(text);
      } catch (e) {
        expected = describeError(e);
      }
      expect(expected).toContain('^');
      expect(await error.textContent()).toBe(expected);
    }
    await typeExpression(page, 'sin(x)');
    await page.getByTestId('error').waitFor({ state: 'hidden' });
  });

  it('draws the graph with each node value and gradient, sums the gradient of a reused node, and steps through both sweeps', async () => {
    const page = await sharedPage();
    await typeExpression(page, 'x**2 + 3*x + 1');
    await page.getByTestId('value-x').fill('2');
    const graph = page.getByTestId('graph');
    await graph.locator('g.node', { hasText: 'data 11' }).waitFor(slow);
    const text = await graph.innerText();
    // x: data 2, grad 7 (= 2x + 3, from its two uses); the output: data 11, grad 1.
    expect(await graph.locator('g.node', { hasText: 'grad 7' }).filter({ hasText: 'data 2' }).count()).toBe(1);
    expect(await graph.locator('g.node', { hasText: 'data 11' }).filter({ hasText: 'grad 1' }).count()).toBe(1);
    expect(text).toContain('x is used 2 times: its gradient 7 is the sum of 2 contributions');
    await page.getByRole('button', { name: 'reverse sweep' }).click();
    const rows = page.getByTestId('trace').locator('tr');
    const steps = await rows.count();
    expect(steps).toBeGreaterThan(3);
    for (let k = 0; k < steps; k++) {
      expect(await page.getByTestId('trace').locator('tr.active').count()).toBe(1);
      expect(await graph.locator('g.node.active').count()).toBe(1);
      expect(await page.getByTestId('trace').locator('tr').nth(k).getAttribute('class')).toBe('active');
      await page.getByRole('button', { name: 'next step' }).click();
    }
    // The reverse sweep ends at the input, whose adjoint is the gradient.
    expect(await page.getByTestId('trace').locator('tr.active').innerText()).toMatch(/^x̄ = .*= 7$/s);
  });

  it('renders the V curve with a point per step for forward, central, five-point and complex step, and AD as a flat line', async () => {
    const page = await sharedPage();
    await typeExpression(page, 'sin(x)*exp(x)');
    await page.getByTestId('value-x').fill('1.3');
    const vcurve = page.getByTestId('vcurve');
    await page.waitForFunction(() => document.querySelector('#vcurve-caption')?.textContent?.includes('at x = 1.3'), undefined, slow);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="vcurve"]')?.dataset.drawn ?? 0) > 0 && document.querySelector('[data-testid="vcurve"]')?.dataset.busy === 'no', undefined, slow);
    const steps = Number(await vcurve.getAttribute('data-steps'));
    expect(steps).toBeGreaterThan(20);
    expect(await vcurve.locator('.measured_marks path').count()).toBe(4 * steps);
    expect(await vcurve.locator('.optimal_marks path').count()).toBe(4);
    expect(await vcurve.innerText()).toMatch(/exact: autograd/);
  });

  it('updates every answer when a slider moves', async () => {
    const page = await sharedPage();
    await typeExpression(page, 'x**2 + 3*x + 1');
    await page.getByTestId('value-x').fill('2');
    await expect.poll(() => partial(page, 'autograd', 'x'), slow).toBe(7);
    await page.getByTestId('slider-x').fill('3');
    await expect.poll(() => partial(page, 'autograd', 'x'), slow).toBe(9);
    expect(await page.getByTestId('value-x').inputValue()).toBe('3');
    expect(await partial(page, 'autograd-compiled', 'x')).toBe(9);
    expect(await partial(page, 'numeric-central', 'x')).toBeCloseTo(9, 6);
    await expect.poll(() => partial(page, 'symbolic', 'x'), slow).toBe(9);
    // A keyboard step of the slider: the answer follows the value, whatever the step.
    await page.getByTestId('slider-x').press('ArrowRight');
    const x = Number(await page.getByTestId('value-x').inputValue());
    expect(x).toBeGreaterThan(3);
    await expect.poll(() => partial(page, 'autograd', 'x'), slow).toBeCloseTo(2 * x + 3, 12);
  });

  it('keeps the state in the URL, and the URL opens the same view (query string and hash)', async () => {
    const page = await sharedPage();
    await typeExpression(page, 'x^2*y + sin(y)');
    await page.getByTestId('value-x').fill('2');
    await page.getByTestId('value-y').fill('3');
    await expect.poll(() => partial(page, 'autograd', 'y'), slow).toBeCloseTo(4 + Math.cos(3), 12);
    const url = new URL(page.url());
    expect(url.searchParams.get('expr')).toBe('x^2*y + sin(y)');
    expect(url.search).toContain('&at=x=2,y=3');
    const rowText = await page.getByTestId('method-autograd').locator('.gradient').innerText();
    for (const link of [url.search, `#${url.search.slice(1)}`]) {
      const again = await open(link);
      expect(await again.getByTestId('expression').inputValue()).toBe('x^2*y + sin(y)');
      expect(await again.getByTestId('value-x').inputValue()).toBe('2');
      expect(await again.getByTestId('value-y').inputValue()).toBe('3');
      expect(await again.getByTestId('method-autograd').locator('.gradient').innerText()).toBe(rowText);
      await again.close();
    }
  });

  it('fits a 390 px phone without horizontal overflow, for every preset', async () => {
    const page = await sharedPage();
    await page.setViewportSize({ width: 390, height: 800 });
    const options = await page.locator('#preset option').count();
    for (let i = 1; i < options; i++) {
      await page.locator('#preset').selectOption({ index: i });
      await page.getByTestId('method-autograd').waitFor();
      await page.waitForTimeout(300);
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      expect(scroll, `preset ${i}`).toBeLessThanOrEqual(client);
    }
  });

  it('does per keystroke on a 200-node expression one pass of each fast method, and sends mathjs to the worker', async () => {
    // About 200 nodes: ten different terms in x and y.
    const terms = Array.from({ length: 10 }, (_, k) => `sin(x*${k + 1}.5 + y)*cos(y - x/${k + 2}) + exp(-(x - ${k})^2)*y^${(k % 3) + 2}`);
    const text = `${terms.join(' + ')} + 2`;
    const { treeSize } = metrics(parse(text));
    expect(treeSize).toBeGreaterThanOrEqual(200);
    const page = await sharedPage();
    await page.getByTestId('expression').fill(text);
    expect((await stats(page)).updates.at(-1)!.text).toBe(text);
    const before = await stats(page);
    await page.getByTestId('expression').press('End');
    await page.getByTestId('expression').press('1'); // … + 2 becomes … + 21: one keystroke
    const after = await stats(page);
    // One keystroke, one update, done synchronously in the key's event.
    expect(after.updates.length).toBe(before.updates.length + 1);
    const update = after.updates[after.updates.length - 1];
    expect(update.text).toBe(`${text}1`);
    const work = update.work!;
    const n = 2;
    // Every registered method but the two mathjs ones ran on the page, once each; mathjs never did.
    const mathjsMethods = ['symbolic', 'symbolic-simplified'];
    expect(work.pageMethods).toEqual(withoutAliases(listMethods()).map((m) => m.name).filter((name) => !mathjsMethods.includes(name)));
    expect(after.mathjsOnPage).toMatchObject({ jobsInThisThread: 0, refusedOnMainThread: 0 });
    expect(update.symbolicJobs).toBe(mathjsMethods.length);
    // Work bound: evaluations of f grow with n (the finite-difference stencils), not with anything else:
    // 2n + (n+1) + (n+1) + 2n + 4n + 16n + n for the numeric methods, one pass each for the rest and the traces.
    expect(work.evaluations).toBeLessThanOrEqual(27 * n + 12);
    expect(work.nodeVisits).toBe(work.evaluations * work.dagSize);
    // The mathjs jobs go to the worker after a pause in typing.
    await expect.poll(async () => (await stats(page)).symbolic.posted, slow).toBeGreaterThanOrEqual(before.symbolic.posted + 1);
  });

  it('cuts mathjs off at its time budget by terminating its worker, while the page keeps answering, and restarts it offline', async () => {
    // The logistic map l₆ written out: mathjs's simplify of its derivative runs for seconds; a 50 ms budget stops it.
    let l = 'x';
    for (let k = 1; k < 6; k++) l = `4*(${l})*(1 - (${l}))`;
    const page = await sharedPage();
    // Only the hash changes: the page opens the state without reloading.
    await page.evaluate((hash) => void ((window.location as { hash: string }).hash = hash), `#expr=${encodeURIComponent(l)}&at=x=0.2&budget=50`);
    await expect.poll(() => page.getByTestId('expression').inputValue(), slow).toBe(l);
    expect(new URL(page.url()).searchParams.get('budget')).toBe('50');
    const row = page.getByTestId('method-symbolic-simplified');
    await expect.poll(() => row.getAttribute('data-status'), slow).toBe('budget');
    expect(await row.innerText()).toMatch(/time budget of 0\.05 s exhausted.*worker was terminated/s);
    expect((await stats(page)).symbolic.terminated).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('method-autograd').getAttribute('data-status')).toBe('ok');
    // Offline from here on: cut mathjs off once more, so its worker is restarted (from the script kept in memory)
    // with no network, and that worker answers the next job.
    await page.route('**/*', (route) => route.abort());
    const terminated = (await stats(page)).symbolic.terminated;
    await page.evaluate((hash) => void ((window.location as { hash: string }).hash = hash), `#expr=${encodeURIComponent(`${l} + 1`)}&at=x=0.2&budget=50`);
    await expect.poll(async () => (await stats(page)).symbolic.terminated, slow).toBeGreaterThan(terminated);
    await page.evaluate(() => void ((window.location as { hash: string }).hash = '#expr=x*x&at=x=3'));
    await expect.poll(() => page.getByTestId('expression').inputValue(), slow).toBe('x*x');
    expect(await waitForPartial(page, 'symbolic', 'x')).toBe(6);
    await page.unroute('**/*');
  }, 180_000);

  it('logs no console errors and fetches nothing outside its own origin (static files, offline once loaded)', () => {
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  });
});

describe('gradlab playground', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    const cli: CliIo = { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t), isTTY: false };
    return { out, cli };
  };

  it('serves the built site on the port it prints (--port 0 picks a free one), and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [`${root}bin/gradlab.js`, 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((done, fail) => {
        let text = '';
        child.stdout.on('data', (chunk) => {
          text += chunk;
          const match = /gradlab playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
          if (match) done(match[1]);
        });
        child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-testid="expression"');
      expect((await fetch(`${url}no-such-file.js`)).status).toBe(404);
      expect((await fetch(`${url}..%2f..%2fpackage.json`)).status).toBe(403);
    } finally {
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('rejects a bad --port with a usage error', async () => {
    const { out, cli } = io();
    expect(await main(['playground', '--port', 'eighty'], cli)).toBe(2);
    expect(out.stderr).toContain("--port expects a port number from 0 to 65535, got 'eighty'");
  });
});
