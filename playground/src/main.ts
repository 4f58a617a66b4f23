// The playground page: the expression box and the point, every method's row, the PyTorch view, the graph with its step-through, the V curve and swell.
//
// Per keystroke the page parses and runs the fast methods synchronously (compute.ts); mathjs runs in the symbolic
// worker under a time budget enforced here by terminating it; the reference, the graph and the V curve come from
// the analysis worker. Stale worker replies (for an earlier keystroke) are dropped by job id.
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { analyse, graphNodeLimit, parseExpression, variablesIn, workerMethodNames, type Analysis, type MethodRow, type WorkCount } from './compute.ts';
import { presets } from './presets.ts';
import { readState, writeState } from './url-state.ts';
import type { AnalysisJob, AnalysisReply, SymbolicJob, SymbolicReply, VCurveData } from './protocol.ts';
import { setMathjsHost, type MathjsHost } from '../../src/diff/symbolic/mathjs-host.ts';
import { listMethods } from '../../src/diff/registry.ts';
import symbolicWorkerUrl from './symbolic.worker.ts?worker&url';

/** Wall time one mathjs job may take in the worker before the page terminates it, by default. */
const defaultTimeBudgetMs = 2000;
/** The budget in force: the default, or the link's `budget=<ms>`. */
let budgetFromLink: number | undefined;
/** Largest derivative, in tree nodes, mathjs may produce (small enough for a phone's memory). */
const symbolicSizeBudget = 50_000;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = $<HTMLInputElement>('expression');
const errorBox = $<HTMLPreElement>('error');
const pointBox = $<HTMLDivElement>('point');
const methodsBox = $<HTMLDivElement>('methods');
const pytorchBox = $<HTMLPreElement>('pytorch');
const graphBox = $<HTMLDivElement>('graph');
const traceTable = $<HTMLTableElement>('trace');
const vcurveBox = $<HTMLDivElement>('vcurve');
const swellBox = $<HTMLDivElement>('swell');

/** mathjs jobs on the page's own thread: the page's host refuses them (mathjs runs in the symbolic worker), so both stay 0. */
const mathjsOnPage = { jobsInThisThread: 0, refusedOnMainThread: 0 };

/**
 * The page's mathjs host (see the interface in src/diff/symbolic/mathjs-host.ts): the page's thread may not block,
 * so it never runs mathjs; the symbolic Web Worker runs it with gradlab's in-thread host, and the page terminates
 * that worker when the time budget runs out.
 */
const pageHost: MathjsHost = {
  name: 'playground page (mathjs runs in the symbolic worker)',
  enforcesTimeBudget: true,
  mathjs() {
    throw new Error("mathjs runs in the playground's symbolic worker, never on the page's thread");
  },
  run(job) {
    mathjsOnPage.refusedOnMainThread++;
    const message = "in the browser, mathjs runs in the playground's worker, never on the page's thread";
    return { steps: [], failure: { reason: 'startup', variable: job.variables[0] ?? '', step: 'derive', message } };
  },
  stop() {},
};
setMathjsHost(pageHost);

/** What the tests read: the work of each update, and what the workers did. */
const stats = {
  updates: [] as { text: string; work: WorkCount | null; symbolicJobs: number }[],
  symbolic: { posted: 0, terminated: 0, started: 0, rows: 0 },
  analysis: { posted: 0, replies: 0 },
  /** mathjs jobs attempted on the page's own thread (the browser runner refuses them): must stay 0. */
  mathjsOnPage,
};
(window as unknown as { __playground: typeof stats }).__playground = stats;

// ---------------------------------------------------------------------------------------------------------------
// State

const values = new Map<string, number>();
let current: Analysis | null = null;
let updateId = 0;
let workerRows = new Map<string, MethodRow>();
let reference: { id: number; gradient: readonly number[]; value: number; error?: string } | null = null;

const html = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (x: number | undefined) => (x === undefined ? '' : Object.is(x, -0) ? '-0' : String(x));
const short = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(1));

// ---------------------------------------------------------------------------------------------------------------
// The point: one slider and one number field per variable

function sliderRange(value: number): { min: number; max: number; step: number } {
  const span = Math.max(10, Math.abs(value) * 2);
  return { min: Math.floor(value - span / 2), max: Math.ceil(value + span / 2), step: span / 1000 };
}

function renderPoint(variables: readonly string[]): void {
  const shown = [...pointBox.querySelectorAll<HTMLElement>('.variable')].map((el) => el.dataset.name);
  if (shown.length === variables.length && shown.every((n, i) => n === variables[i])) return;
  pointBox.replaceChildren(
    ...variables.map((name) => {
      const value = values.get(name)!;
      const row = document.createElement('div');
      row.className = 'variable';
      row.dataset.name = name;
      const { min, max, step } = sliderRange(value);
      row.innerHTML = `<label>${html(name)}</label>` +
        `<input type="range" data-testid="slider-${html(name)}" aria-label="${html(name)} slider" min="${min}" max="${max}" step="${step}" value="${value}">` +
        `<input type="number" data-testid="value-${html(name)}" aria-label="${html(name)}" step="any" value="${value}">`;
      const [slider, field] = row.querySelectorAll('input');
      slider.addEventListener('input', () => {
        values.set(name, Number(slider.value));
        field.value = slider.value;
        update();
      });
      field.addEventListener('input', () => {
        const v = Number(field.value);
        if (field.value.trim() === '' || !Number.isFinite(v)) return;
        values.set(name, v);
        if (v < Number(slider.min) || v > Number(slider.max)) Object.assign(slider, sliderRange(v));
        slider.value = String(v);
        update();
      });
      return row;
    }),
  );
}

function syncPointFields(): void {
  for (const row of pointBox.querySelectorAll<HTMLElement>('.variable')) {
    const value = values.get(row.dataset.name!)!;
    const [slider, field] = row.querySelectorAll('input');
    if (document.activeElement !== field && Number(field.value) !== value) field.value = String(value);
    if (Number(slider.value) !== value) slider.value = String(value);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The methods

function relativeError(row: MethodRow): number | null {
  if (reference === null || reference.id !== updateId || row.gradient === undefined || reference.gradient.length !== row.gradient.length) return null;
  let worst = 0;
  row.gradient.forEach((g, i) => {
    const r = reference!.gradient[i];
    const e = g === r ? 0 : Math.abs(g - r) / (r === 0 ? 1 : Math.abs(r));
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
  });
  return worst;
}

/**
 * Browsers coarsen performance.now() (Chrome and Firefox to 0.1 ms on a page that is not cross-origin isolated), so
 * a call faster than that reads as 0 or 0.1: below the resolution the page says so rather than print "0.00 ms".
 */
const timerResolutionMs = 0.1;

/** One call's wall time as the page can honestly state it. */
function callTime(ms: number): string {
  if (ms < timerResolutionMs) return `< ${timerResolutionMs} ms`;
  return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

function renderMethods(): void {
  if (current === null) return;
  const variables = current.variables;
  const rows = current.rows.map((row) => workerRows.get(row.name) ?? row);
  const head = '<div class="method head" role="row"><span>method</span><span>value and gradient</span><span>error vs reference</span><span>cost</span></div>';
  methodsBox.innerHTML = head + rows.map((row) => {
    const refused = row.status !== 'ok' && row.status !== 'pending';
    let gradient: string;
    if (row.status === 'pending') gradient = 'mathjs is working in the worker…';
    else if (row.gradient === undefined) gradient = row.status === 'budget' ? 'cut off by its budget' : 'refused';
    else gradient = `f = ${num(row.value)}<br>` + variables.map((v, i) => `∂f/∂${html(v)} = ${num(row.gradient![i])}` +
      (row.errorEstimate ? ` <span class="cost">± ${short(row.errorEstimate[i])}</span>` : '')).join('<br>');
    const error = relativeError(row);
    const errorText = error === null ? (row.gradient ? '…' : '') : error === 0 ? 'exact' : Number.isFinite(error) ? short(error) : 'NaN';
    const why = row.reason ?? (row.notes && row.notes.length > 0 ? row.notes.join('; ') : '');
    const where = row.thread === 'worker' ? ' in the worker' : '';
    const time = row.timeMs === undefined ? '' : `${callTime(row.timeMs)}${where}`;
    return `<div class="method ${refused ? 'refused' : ''} ${row.status}" role="row" data-testid="method-${html(row.name)}" data-status="${row.status}" title="${html(row.summary)}">` +
      `<span class="name">${html(row.name)}</span>` +
      `<span class="gradient">${gradient}</span>` +
      `<span class="err ${error === 0 ? 'exact' : ''}" data-testid="error-${html(row.name)}">${errorText}</span>` +
      `<span class="cost">${html([row.cost, time].filter(Boolean).join('; '))}</span>` +
      (why ? `<span class="why">${html(row.status === 'ok' ? `note: ${why}` : `why: ${why}`)}</span>` : '') +
      '</div>';
  }).join('');
  const refText = reference !== null && reference.id === updateId
    ? reference.error ? `The reference failed: ${reference.error}.` : `Errors are relative, against the 64-digit reference (${variables.map((v, i) => `∂f/∂${v} = ${num(reference!.gradient[i])}`).join(', ')}).`
    : 'The 64-digit reference is being computed in a worker…';
  $('methods-caption').textContent = `${current.rows.length} methods at ${variables.map((v, i) => `${v} = ${current!.point[i]}`).join(', ') || 'no variables'}; f has ${current.dagSize} distinct nodes (${current.treeSize} as a tree). ${refText} ` +
    `A time is this one call in this browser, a first call's compile included, at the browser's timer resolution (${timerResolutionMs} ms); the counts beside it do not depend on the machine, and gradlab report times medians over repeated calls.`;
}

// ---------------------------------------------------------------------------------------------------------------
// The symbolic worker: mathjs under a time budget, terminated when it runs out

let symbolicScript: Promise<string> | undefined;

/**
 * The symbolic worker's script as a blob URL, fetched once: a worker terminated at its budget is restarted from
 * memory, so the page keeps working offline once loaded. Falls back to the script's own URL.
 */
function symbolicWorkerScript(): Promise<string> {
  const url = new URL(symbolicWorkerUrl, document.baseURI).href;
  symbolicScript ??= fetch(url)
    .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(`${response.status}`))))
    .then((blob) => URL.createObjectURL(new Blob([blob], { type: 'text/javascript' })))
    .catch(() => url);
  return symbolicScript;
}

class SymbolicWorker {
  private worker: Worker | null = null;
  private generation = 0;
  private ready = false;
  private queue: SymbolicJob[] = [];
  private busy: { job: SymbolicJob; timer?: number; startedAt?: number } | null = null;
  private debounce?: number;

  constructor(private readonly deliver: (id: number, row: MethodRow) => void) {
    this.spawn();
  }

  private spawn(): void {
    this.ready = false;
    const generation = ++this.generation;
    void symbolicWorkerScript().then((url) => {
      if (generation !== this.generation) return;
      this.worker = new Worker(url, { type: 'module' });
      stats.symbolic.started++;
      this.worker.onmessage = (event: MessageEvent<SymbolicReply>) => this.receive(event.data);
    });
  }

  /** Replaces the queue with these jobs after a short pause in typing; a job for an earlier keystroke is stopped. */
  submit(jobs: SymbolicJob[]): void {
    clearTimeout(this.debounce);
    this.debounce = window.setTimeout(() => {
      this.queue = jobs;
      if (this.busy !== null) this.restart();
      this.pump();
    }, 150);
  }

  private restart(): void {
    clearTimeout(this.busy?.timer);
    this.busy = null;
    this.worker?.terminate();
    this.worker = null;
    stats.symbolic.terminated++;
    this.spawn();
  }

  private pump(): void {
    if (!this.ready || this.busy !== null) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    this.busy = { job };
    stats.symbolic.posted++;
    this.worker!.postMessage(job);
  }

  private receive(reply: SymbolicReply): void {
    if (reply.kind === 'ready') {
      this.ready = true;
      this.pump();
    } else if (reply.kind === 'started' && this.busy?.job.id === reply.id) {
      const job = this.busy.job;
      this.busy.startedAt = performance.now();
      this.busy.timer = window.setTimeout(() => this.timeout(job), job.timeBudgetMs);
    } else if (reply.kind === 'row' && this.busy?.job.id === reply.id) {
      clearTimeout(this.busy.timer);
      this.busy = null;
      stats.symbolic.rows++;
      this.deliver(reply.id, reply.row);
      this.pump();
    }
  }

  private timeout(job: SymbolicJob): void {
    const elapsed = performance.now() - (this.busy?.startedAt ?? performance.now());
    const method = listMethods().find((m) => m.name === job.method)!;
    this.restart();
    this.deliver(job.id, {
      name: job.method,
      summary: method.summary,
      status: 'budget',
      thread: 'worker',
      timeMs: elapsed,
      reason: `time budget of ${job.timeBudgetMs / 1000} s exhausted: mathjs was still working after ${Math.round(elapsed)} ms, so its worker was terminated (typing was never blocked)`,
    });
    this.pump();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The analysis worker: reference, graph, V curve (one job at a time, the latest state only)

class AnalysisWorker {
  private readonly worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module' });
  private busy = false;
  private pending: AnalysisJob | null = null;

  constructor(deliver: (reply: AnalysisReply) => void) {
    this.worker.onmessage = (event: MessageEvent<AnalysisReply>) => {
      stats.analysis.replies++;
      if (event.data.kind === 'done') {
        this.busy = false;
        this.pump();
      }
      deliver(event.data);
    };
  }

  submit(job: AnalysisJob): void {
    this.pending = job;
    this.pump();
  }

  private pump(): void {
    if (this.busy || this.pending === null) return;
    this.busy = true;
    stats.analysis.posted++;
    this.worker.postMessage(this.pending);
    this.pending = null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The graph and its step-through

let graphNodes: readonly { name: string; label: string; value: number; grad: number; uses: number }[] = [];
/** Wengert name (or input name) → the drawing's node name. Node ids differ between threads, so the drawing is matched by name. */
let graphNodeByName = new Map<string, string>();
let sweep: 'forward' | 'reverse' = 'forward';
let step = -1;

function renderTrace(): void {
  const traces = current?.traces;
  if (traces === undefined) {
    traceTable.innerHTML = '';
    $('step-status').textContent = current ? `The step-through is shown for up to ${graphNodeLimit} nodes (this f has ${current.dagSize}).` : '';
    return;
  }
  const lines = sweep === 'forward'
    ? traces.primal.map((l) => ({ name: l.name, node: l.name, text: `${l.name} = ${l.rhs}`, value: l.value }))
    : traces.adjoint.map((l) => ({ name: l.name, node: l.of, text: `${l.name} = ${l.rule} = ${l.numbers}`, value: l.value }));
  $('trace-caption').textContent = sweep === 'forward'
    ? 'Forward primal trace: the inputs, then each Wengert line in order.'
    : 'Reverse adjoint trace: from the output (seed 1) back to the inputs; a value used twice sums two terms.';
  traceTable.innerHTML = lines.map((l, i) => `<tr class="${i === step ? 'active' : ''}" data-node="${html(l.node)}"><td>${html(l.text)}</td><td>= ${html(num(l.value))}</td></tr>`).join('');
  const status = step < 0 ? `${lines.length} steps: press ▶` : `step ${step + 1} of ${lines.length}`;
  $('step-status').textContent = `${sweep} sweep, ${status}`;
  for (const g of graphBox.querySelectorAll('g.node.active')) g.classList.remove('active');
  const active = traceTable.querySelector<HTMLTableRowElement>('tr.active');
  const drawn = active?.dataset.node === undefined ? undefined : graphNodeByName.get(active.dataset.node);
  if (drawn !== undefined) {
    for (const g of graphBox.querySelectorAll('g.node')) if (g.querySelector('title')?.textContent === drawn) g.classList.add('active');
  }
}

function stepBy(delta: number): void {
  const traces = current?.traces;
  if (traces === undefined) return;
  const length = sweep === 'forward' ? traces.primal.length : traces.adjoint.length;
  step = Math.max(0, Math.min(length - 1, step + delta));
  renderTrace();
}

function showGraph(reply: Extract<AnalysisReply, { kind: 'graph' }>): void {
  graphNodes = reply.nodes;
  // graphDot labels an input by its name and a Wengert line as `v3 = …`.
  graphNodeByName = new Map(graphNodes.filter((n) => !n.label.startsWith('const ')).map((n) => [n.label.split(' = ')[0], n.name]));
  const reused = graphNodes.filter((n) => n.uses > 1 && !n.label.startsWith('const'));
  graphBox.innerHTML = reply.svg +
    (reused.length > 0
      ? `<p class="caption" data-testid="reused">${reused.map((n) => `${html(n.label.split(' = ')[0])} is used ${n.uses} times: its gradient ${short(n.grad)} is the sum of ${n.uses} contributions.`).join(' ')}</p>`
      : '');
  renderTrace();
}

// ---------------------------------------------------------------------------------------------------------------
// The V curve (vega-lite compiled once; the data changes)

let vcurveView: View | null = null;
/** vega and vega-lite, loaded with the first V curve so the answers appear before the plotting library has loaded. */
let plotting: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

const vcurveSpec: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  width: 'container',
  height: 280,
  autosize: { type: 'fit', contains: 'padding' },
  config: { legend: { orient: 'bottom', columns: 2, labelLimit: 200 }, axis: { labelFontSize: 10 } },
  layer: [
    {
      // The line joins measured errors only: an exact answer is a point on the "exact" floor, not a dive to it.
      data: { name: 'points' },
      transform: [{ filter: "datum.exact === 'no'" }],
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'h', type: 'quantitative', scale: { type: 'log' }, title: 'step h', axis: { format: '.0e', tickCount: 6 } },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, title: 'relative error of f′', axis: { format: '.0e' } },
        color: { field: 'method', type: 'nominal', title: null },
      },
    },
    {
      name: 'measured',
      data: { name: 'points' },
      mark: { type: 'point', filled: true, size: 28 },
      encoding: {
        x: { field: 'h', type: 'quantitative', scale: { type: 'log' } },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' } },
        color: { field: 'method', type: 'nominal', title: null },
        tooltip: [{ field: 'method' }, { field: 'h', format: '.1e' }, { field: 'error', title: 'relative error', format: '.2e' }, { field: 'exact' }],
      },
    },
    {
      name: 'optimal',
      data: { name: 'optimal' },
      mark: { type: 'point', shape: 'diamond', size: 150, strokeWidth: 2.5, filled: false },
      encoding: {
        x: { field: 'h', type: 'quantitative', scale: { type: 'log' } },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' } },
        color: { field: 'method', type: 'nominal', title: null },
        tooltip: [{ field: 'label', title: 'optimal step' }, { field: 'h', format: '.1e' }, { field: 'error', title: 'model error', format: '.2e' }],
      },
    },
    {
      data: { name: 'ad' },
      mark: { type: 'rule', strokeDash: [6, 3], color: '#111827', strokeWidth: 2 },
      encoding: { y: { field: 'y', type: 'quantitative', scale: { type: 'log' } }, tooltip: [{ field: 'label', title: 'AD' }] },
    },
    {
      data: { name: 'ad' },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, fontSize: 11, color: '#111827' },
      encoding: { x: { field: 'x', type: 'quantitative', scale: { type: 'log' } }, y: { field: 'y', type: 'quantitative', scale: { type: 'log' } }, text: { field: 'label' } },
    },
  ],
};

/** Where an exact zero is drawn on the log axis (and labelled "exact", not read as a measurement). */
const exactFloor = 1e-17;

let vcurveSeq = 0;

async function showVCurve(data: VCurveData): Promise<void> {
  const mine = ++vcurveSeq;
  vcurveBox.dataset.busy = 'yes';
  // Exact answers (error 0) sit on the floor line labelled "exact", not at a tiny number that looks measured.
  const points = data.points.filter((p) => p.error !== null).map((p) => (p.error === 0 ? { ...p, error: exactFloor, exact: 'yes (error 0)' } : { ...p, exact: 'no' }));
  const adExact = data.ad === 0;
  const ad = data.ad === null || !Number.isFinite(data.ad) ? [] : [{ x: data.steps[data.steps.length - 1], y: adExact ? exactFloor : data.ad, label: adExact ? 'exact: autograd (error 0)' : `autograd: ${short(data.ad)}` }];
  const optimal = data.optimal.filter((o) => o.h > 0 && o.error > 0).map((o) => ({ ...o, label: `${o.method}: optimal h` }));
  $('vcurve-caption').textContent =
    `Relative error of ∂f/∂${data.variable} at ${data.variable} = ${data.at} against the step h, one point per h (${data.steps.length} steps from ${short(data.steps[0])} to ${short(data.steps[data.steps.length - 1])})` +
    `${points.length < data.points.length ? `; ${data.points.length - points.length} refused or non-finite answers are not drawn` : ''}; exact answers (error 0) sit on the bottom line. ` +
    'Truncation error falls as h shrinks until round-off takes over: the V. Diamonds mark each scheme\'s optimal h from its error model; the dashed line is AD, with no step at all.';
  if (points.length === 0) {
    // Nothing finite to draw on log axes (an exact derivative of 0, or a NaN at the point): say so instead.
    vcurveView?.finalize();
    vcurveView = null;
    vcurveBox.textContent = `No finite relative errors to draw: the exact derivative is ${data.exact}.`;
    vcurveBox.dataset.drawn = '0';
    if (mine === vcurveSeq) vcurveBox.dataset.busy = 'no';
    return;
  }
  plotting ??= Promise.all([import('vega'), import('vega-lite')]);
  const [vega, vegaLite] = await plotting;
  if (vcurveView === null) {
    vcurveBox.replaceChildren();
    vcurveView = new vega.View(vega.parse(vegaLite.compile(vcurveSpec).spec), { renderer: 'svg', container: vcurveBox, hover: true });
  }
  const replace = (name: string, rows: object[]) => vcurveView!.change(name, vega.changeset().remove(() => true).insert(rows));
  replace('points', points);
  replace('optimal', optimal);
  replace('ad', ad);
  vcurveBox.dataset.steps = String(data.steps.length);
  vcurveBox.dataset.drawn = String(points.length);
  await vcurveView.runAsync();
  if (mine === vcurveSeq) vcurveBox.dataset.busy = 'no';
}

// ---------------------------------------------------------------------------------------------------------------
// Swell

function renderSwell(): void {
  if (current === null) return;
  const dag = current.rows.find((r) => r.name === 'symbolic-dag')?.derivatives ?? [];
  const plain = workerRows.get('symbolic');
  const simplified = workerRows.get('symbolic-simplified');
  const rows: string[] = [`<tr><td>f itself</td><td>${current.treeSize}</td><td>${current.dagSize}</td><td></td></tr>`];
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${x.toFixed(1)} ms`);
  for (const d of dag) rows.push(`<tr><td>∂f/∂${html(d.variable)}, reverse accumulation on the DAG</td><td>${d.treeSize}</td><td>${d.dagSize}</td><td>${ms(d.deriveMs)}</td></tr>`);
  for (const d of plain?.derivatives ?? []) rows.push(`<tr><td>∂f/∂${html(d.variable)}, mathjs derivative</td><td>${d.treeSize}</td><td>${d.dagSize}</td><td>${ms(d.deriveMs)}</td></tr>`);
  for (const d of simplified?.derivatives ?? []) rows.push(`<tr><td>∂f/∂${html(d.variable)}, mathjs derivative + simplify</td><td>${d.mathjsDerivedTreeSize ?? ''} → ${d.mathjsSimplifiedTreeSize ?? d.treeSize}</td><td>${d.dagSize}</td><td>${ms(d.simplifyMs)}</td></tr>`);
  let said: string;
  if (simplified === undefined || simplified.status === 'pending') said = 'mathjs simplify is running in the worker…';
  else if (simplified.derivatives !== undefined) {
    const d = simplified.derivatives;
    const before = d.reduce((s, x) => s + (x.mathjsDerivedTreeSize ?? 0), 0);
    const after = d.reduce((s, x) => s + (x.mathjsSimplifiedTreeSize ?? x.treeSize), 0);
    const took = d.reduce((s, x) => s + (x.simplifyMs ?? 0), 0);
    said = `mathjs simplify took ${took.toFixed(1)} ms and turned ${before} tree nodes into ${after}` +
      (d.length > 0 ? `: ${d.map((x) => `∂f/∂${x.variable} = ${x.infix}`).join('; ')}` : '.');
  } else said = `mathjs simplify gave no answer: ${simplified.reason ?? 'refused'}`;
  swellBox.innerHTML = `<p class="caption">A formula written out is a tree; shared subexpressions make it a DAG. Swell is the tree of the derivative growing faster than its DAG.</p>` +
    `<div class="swell-wrap"><table><tr><th></th><th>tree nodes</th><th>DAG nodes</th><th>time</th></tr>${rows.join('')}</table></div><p class="caption" data-testid="simplify">${html(said)}</p>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Updates

const symbolic = new SymbolicWorker((id, row) => {
  if (id !== updateId) return;
  workerRows.set(row.name, row);
  renderMethods();
  renderSwell();
});

const analysisWorker = new AnalysisWorker((reply) => {
  if (reply.id !== updateId) return;
  if (reply.kind === 'reference') {
    reference = { id: reply.id, value: reply.value, gradient: reply.gradient, error: reply.error };
    renderMethods();
  } else if (reply.kind === 'graph') showGraph(reply);
  else if (reply.kind === 'vcurve') void showVCurve(reply.vcurve);
  else if (reply.kind === 'failed') (reply.part === 'graph' ? graphBox : vcurveBox).textContent = `could not draw: ${reply.message}`;
});

function update(): void {
  const text = input.value;
  const parsed = parseExpression(text);
  updateId++;
  if ('problem' in parsed) {
    errorBox.hidden = false;
    // The message wraps on a phone; the excerpt keeps its columns so the caret stays under the position.
    const message = document.createElement('span');
    message.className = 'message';
    message.textContent = parsed.problem.message;
    const excerpt = document.createElement('span');
    excerpt.className = 'excerpt';
    excerpt.textContent = parsed.problem.excerpt;
    errorBox.replaceChildren(message, '\n', excerpt);
    input.setAttribute('aria-invalid', 'true');
    stats.updates.push({ text, work: null, symbolicJobs: 0 });
    return;
  }
  errorBox.hidden = true;
  errorBox.textContent = '';
  input.removeAttribute('aria-invalid');
  const variables = variablesIn(parsed.expr);
  for (const v of variables) if (!values.has(v)) values.set(v, 1);
  renderPoint(variables);
  syncPointFields();
  const point = Float64Array.from(variables, (v) => values.get(v)!);
  current = analyse(parsed.expr, variables, point);
  workerRows = new Map();
  const id = updateId;
  const jobs = current.rows.filter((r) => workerMethodNames.has(r.name)).map((r): SymbolicJob => ({
    id, method: r.name, text, variables, point: [...point], timeBudgetMs: budgetFromLink ?? defaultTimeBudgetMs, sizeBudget: symbolicSizeBudget,
  }));
  symbolic.submit(jobs);
  const small = current.dagSize <= graphNodeLimit;
  analysisWorker.submit({ id, text, variables, point: [...point], graph: small, vcurveVariable: variables[0] ?? null });
  if (!small) graphBox.innerHTML = `<p class="caption">The graph is drawn for up to ${graphNodeLimit} distinct nodes; this f has ${current.dagSize}.</p>`;
  if (variables.length === 0) $('vcurve-caption').textContent = 'A constant has no V curve.';
  step = -1;
  renderMethods();
  renderTrace();
  renderSwell();
  pytorchBox.textContent = current.pytorch;
  const at = Object.fromEntries(variables.map((v, i) => [v, point[i]]));
  history.replaceState(null, '', writeState({ expr: text, at, ...(budgetFromLink !== undefined ? { budget: budgetFromLink } : {}) }));
  stats.updates.push({ text, work: current.work, symbolicJobs: jobs.length });
}

// A link that changes only the hash (#expr=…&at=…) opens its state without reloading the page.
window.addEventListener('hashchange', () => {
  const state = readState('', location.hash);
  if (state === null) return;
  budgetFromLink = state.budget;
  history.replaceState(null, '', location.pathname + location.search);
  load(state.expr, state.at);
});

function load(expr: string, at: Readonly<Record<string, number>>): void {
  input.value = expr;
  for (const [name, value] of Object.entries(at)) values.set(name, value);
  pointBox.replaceChildren();
  update();
}

const select = $<HTMLSelectElement>('preset');
presets.forEach((p, i) => select.add(new Option(p.label, String(i))));
/** The expression the lesson line speaks about: once the user edits f away from it, the line would mislead. */
let lessonExpr: string | undefined;
function showLesson(preset: (typeof presets)[number] | undefined): void {
  lessonExpr = preset?.expr;
  $('lesson').textContent = preset?.lesson ?? '';
}
select.addEventListener('change', () => {
  const preset = presets[Number(select.value)];
  if (select.value === '' || preset === undefined) return;
  values.clear();
  showLesson(preset);
  load(preset.expr, preset.at);
});
$('share').addEventListener('click', () => void navigator.clipboard?.writeText(location.href).catch(() => {}));
input.addEventListener('input', () => {
  if (lessonExpr !== undefined && input.value.trim() !== lessonExpr.trim()) {
    showLesson(undefined);
    select.value = '';
  }
  update();
});
$('step-forward').addEventListener('click', () => ((sweep = 'forward'), (step = 0), renderTrace()));
$('step-reverse').addEventListener('click', () => ((sweep = 'reverse'), (step = 0), renderTrace()));
$('step-prev').addEventListener('click', () => stepBy(-1));
$('step-next').addEventListener('click', () => stepBy(1));

const initial = readState(location.search, location.hash);
budgetFromLink = initial?.budget;
if (initial !== null) load(initial.expr, initial.at);
else {
  showLesson(presets[0]);
  load(presets[0].expr, presets[0].at);
}
