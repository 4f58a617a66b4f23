// `npm run bench`: gradlab's gradient engines against the hand-written adjoint and the JS peers, one process, one run.
//
// Cases: the lesson polynomial at 3, Rosenbrock n = 2, 10, 100, 1000, the chain x → sin(x)·1.0001 + 0.1 of depth
// 100, 1,000, 10,000. For each case every engine is prepared once, checked against the hand adjoint, then its
// value+gradient call and its f call are timed in batches, interleaved round by round with the other engines
// (median µs per call). Prints µs, ω = gradient/f, the ratio to the hand adjoint and the max relative error, and
// writes the same to bench/results/latest.json. Then compileGradient's compile time on the ~200,000-instruction
// scalar network (bench/compile-network.ts) and the tensor table (bench/tensor.ts). `--quick` shortens every
// budget (about a minute in all).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { chainCase, polynomialCase, rosenbrockCase, type BenchCase } from './cases.ts';
import { EngineUnavailable, engines, type Engine, type PreparedEngine } from './engines.ts';
import { measureInterleaved, Timer, type Budget } from './measure.ts';
import { runMathjs } from './peers/mathjs.ts';
import { runTensorBench } from './tensor.ts';
import { runCompileNetworkBench } from './compile-network.ts';

const quick = process.argv.includes('--quick');
const budget: Budget = quick
  ? { warmupMs: 40, batchMs: 2, timerMs: 40, minSamples: 5, maxSamples: 40, slowMs: 300, slowSamples: 1 }
  : { warmupMs: 250, batchMs: 4, timerMs: 250, minSamples: 15, maxSamples: 200, slowMs: 500, slowSamples: 3 };
/** A call slower than this is timed once, by the check call itself. */
const verySlowMs = quick ? 500 : 2000;
const mathjsTimeoutMs = quick ? 8_000 : 15_000;

interface WorstComponent {
  readonly index: number;
  readonly value: number;
  readonly reference: number;
}

/** One engine on one case. */
interface Row {
  readonly caseName: string;
  readonly engine: string;
  readonly status: 'ok' | 'failed' | 'unavailable';
  readonly reason?: string;
  readonly medianUs?: number;
  readonly fMedianUs?: number;
  readonly omega?: number;
  readonly ratioToHand?: number;
  /** Max over components of |g − g_hand| / |g_hand| where the hand gradient does not underflow; null when every component underflows. */
  readonly maxRelError?: number | null;
  readonly samples?: number;
  readonly prepareMs?: number;
  /** Milliseconds of the first value+gradient call (it includes V8's or the engine's compile). */
  readonly firstCallMs?: number;
  /** The component with the largest error: its index, this engine's value and the hand adjoint's. */
  readonly worst?: WorstComponent;
  readonly note?: string;
  readonly extra?: Readonly<Record<string, unknown>>;
}

const underflow = 1e-300;

/** The worst component's relative error (null when every reference component underflows) and where it is. */
function compareGradients(g: ArrayLike<number>, reference: ArrayLike<number>): { error: number | null; worst?: WorstComponent } {
  let error: number | null = null;
  let worst: WorstComponent | undefined;
  for (let i = 0; i < reference.length; i++) {
    if (Math.abs(reference[i]) < underflow && Number.isFinite(g[i])) continue;
    const e = g[i] === reference[i] ? 0 : Number.isFinite(g[i]) ? Math.abs(g[i] - reference[i]) / Math.abs(reference[i]) : Infinity;
    if (error === null || e > error) {
      error = e;
      worst = { index: i, value: g[i], reference: reference[i] };
    }
  }
  return { error, worst };
}

function failureReason(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'stack overflow';
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 120);
}

/** Calls `fn` once, timed; an exception becomes a reason. */
function tryCall(fn: () => unknown): { ok: true; ms: number } | { ok: false; reason: string } {
  try {
    const start = performance.now();
    fn();
    return { ok: true, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, reason: failureReason(error) };
  }
}

interface Pending {
  readonly engine: Engine;
  readonly prepared: PreparedEngine;
  readonly gradient: Float64Array;
  readonly gradientTimer: Timer | null;
  readonly fTimer: Timer | null;
  /** The first call, compile included (V8's, or the engine's jit). */
  readonly firstCallMs: number;
  readonly firstGradientMs: number;
  readonly firstFMs: number | null;
  readonly fReason?: string;
}

async function runCase(benchCase: BenchCase): Promise<Row[]> {
  const rows: Row[] = [];
  const n = benchCase.variables.length;
  const reference = new Float64Array(n);
  const pending: Pending[] = [];
  for (const engine of engines) {
    let prepared: PreparedEngine;
    try {
      prepared = await engine.prepare(benchCase);
    } catch (error) {
      const status = error instanceof EngineUnavailable ? 'unavailable' : 'failed';
      rows.push({ caseName: benchCase.name, engine: engine.name, status, reason: failureReason(error) });
      continue;
    }
    const gradient = new Float64Array(n);
    const check = tryCall(() => prepared.gradient(gradient));
    if (!check.ok) {
      rows.push({ caseName: benchCase.name, engine: engine.name, status: 'failed', reason: check.reason, prepareMs: prepared.prepareMs });
      continue;
    }
    if (engine.kind === 'reference') reference.set(gradient);
    const out = new Float64Array(n);
    // A slow first call may be a one-time compile (jax-js's jit): a second call tells.
    const second = check.ms > verySlowMs ? tryCall(() => prepared.gradient(out)) : check;
    const gradientMs = second.ok ? second.ms : check.ms;
    let fCheck = tryCall(prepared.f);
    if (fCheck.ok && fCheck.ms > verySlowMs) fCheck = tryCall(prepared.f);
    pending.push({
      engine,
      prepared,
      gradient,
      firstCallMs: check.ms,
      firstGradientMs: gradientMs,
      firstFMs: fCheck.ok ? fCheck.ms : null,
      fReason: fCheck.ok ? undefined : fCheck.reason,
      gradientTimer: gradientMs > verySlowMs ? null : new Timer(`${engine.name} gradient`, () => prepared.gradient(out)),
      fTimer: !fCheck.ok || fCheck.ms > verySlowMs ? null : new Timer(`${engine.name} f`, prepared.f),
    });
  }
  // mathjs in its worker first, alone, so it does not compete with the timers below.
  const mathjs = await runMathjs(benchCase, budget, mathjsTimeoutMs);

  const timers = pending.flatMap((p) => [p.gradientTimer, p.fTimer]).filter((t): t is Timer => t !== null);
  measureInterleaved(timers, budget);

  const handRow = pending.find((p) => p.engine.kind === 'reference');
  const handUs = handRow?.gradientTimer?.median() ?? NaN;
  for (const p of pending) {
    const { error, worst } = compareGradients(p.gradient, reference);
    const medianUs = p.gradientTimer?.median() ?? p.firstGradientMs * 1000;
    const fMedianUs = p.fTimer?.median() ?? (p.firstFMs === null ? NaN : p.firstFMs * 1000);
    rows.push({
      caseName: benchCase.name,
      engine: p.engine.name,
      status: 'ok',
      medianUs,
      fMedianUs,
      omega: medianUs / fMedianUs,
      ratioToHand: medianUs / handUs,
      maxRelError: error,
      worst,
      samples: p.gradientTimer?.samples.length ?? 1,
      prepareMs: p.prepared.prepareMs,
      firstCallMs: p.firstCallMs,
      note: [p.prepared.note, p.fReason && `f failed: ${p.fReason}`].filter(Boolean).join('; ') || undefined,
      extra: p.prepared.extra,
    });
  }
  if (mathjs.status === 'ok') {
    const { error, worst } = compareGradients(mathjs.gradient, reference);
    rows.push({
      caseName: benchCase.name,
      engine: 'mathjs',
      status: 'ok',
      medianUs: mathjs.medianUs,
      fMedianUs: mathjs.fMedianUs,
      omega: mathjs.medianUs / mathjs.fMedianUs,
      ratioToHand: mathjs.medianUs / handUs,
      maxRelError: error,
      worst,
      samples: mathjs.samples,
      prepareMs: mathjs.prepareMs,
      note: 'derivative per variable (simplify off), compiled; timed in a worker',
    });
  } else {
    rows.push({ caseName: benchCase.name, engine: 'mathjs', status: 'failed', reason: mathjs.reason });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------
// Printing

function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  if (us < 1) return us.toPrecision(2);
  if (us < 100) return us.toPrecision(3);
  return Math.round(us).toLocaleString('en-US');
}

function formatRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r < 10 ? r.toFixed(2) : r < 1000 ? r.toFixed(0) : Math.round(r).toLocaleString('en-US');
}

function formatError(e: number | null | undefined): string {
  if (e === undefined) return '—';
  if (e === null) return 'n/a (underflow)';
  if (e === 0) return '0';
  if (!Number.isFinite(e)) return 'non-finite';
  return e.toExponential(1);
}

function shortReason(row: Row): string {
  const reason = row.reason ?? row.status;
  return row.status === 'unavailable' ? 'unavailable' : reason.length > 22 ? `${reason.slice(0, 21)}…` : reason;
}

function shortCaseName(c: BenchCase): string {
  if (c.kind === 'polynomial') return 'poly';
  if (c.kind === 'rosenbrock') return `R n=${c.size}`;
  return `chain ${c.size.toLocaleString('en-US')}`;
}

const engineOrder = [...engines.map((e) => e.name), 'mathjs'];

function printTable(title: string, cases: readonly BenchCase[], rows: readonly Row[], cell: (row: Row) => string): void {
  const engineNames = engineOrder.filter((name) => rows.some((r) => r.engine === name));
  const table = new Table({ head: ['engine', ...cases.map(shortCaseName)], style: { head: [], border: [] } });
  for (const name of engineNames) {
    table.push([
      name,
      ...cases.map((c) => {
        const row = rows.find((r) => r.engine === name && r.caseName === c.name);
        if (row === undefined) return '';
        return row.status === 'ok' ? cell(row) : shortReason(row);
      }),
    ]);
  }
  console.log(`\n${title}`);
  console.log(table.toString());
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const loadBefore = os.loadavg();
  const cases: BenchCase[] = [
    polynomialCase(),
    ...[2, 10, 100, 1000].map(rosenbrockCase),
    ...[100, 1000, 10000].map(chainCase),
  ];
  const rows: Row[] = [];
  for (const benchCase of cases) {
    const caseStart = performance.now();
    rows.push(...(await runCase(benchCase)));
    console.error(`${benchCase.name}: ${((performance.now() - caseStart) / 1000).toFixed(1)} s`);
  }
  const seconds = (performance.now() - started) / 1000;
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverageBefore: loadBefore.map((x) => Number(x.toFixed(2))),
    loadAverageAfter: os.loadavg().map((x) => Number(x.toFixed(2))),
  };

  console.log(`gradlab benchmark${quick ? ' (--quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadAverageBefore.join(' ')}`);
  printTable('µs per value + gradient (median)', cases, rows, (r) => formatUs(r.medianUs!));
  printTable('ω = time(value + gradient) / time(f), each engine against its own f', cases, rows, (r) => formatRatio(r.omega!));
  printTable('× the hand-written adjoint (time)', cases, rows, (r) => formatRatio(r.ratioToHand!));
  printTable('max relative error of the gradient vs the hand-written adjoint', cases, rows, (r) => formatError(r.maxRelError));

  const compiledRows = rows.filter((r) => r.engine === 'autograd-compiled' && r.status === 'ok');
  console.log('\nautograd-compiled compile time (ms, before V8\'s own) and instructions f → gradient:');
  for (const r of compiledRows) {
    const counts = r.extra?.instructions as { f: number; gradient: number; ratio: number } | undefined;
    console.log(`  ${r.caseName}: ${r.prepareMs?.toFixed(1)} ms, ${counts?.f} → ${counts?.gradient} (×${counts?.ratio.toFixed(2)}), ${String(r.extra?.rolledInstructions)} in ${String(r.extra?.loops)} loops`);
  }
  console.log('\nengines:');
  for (const e of engines) console.log(`  ${e.name}: ${e.description}`);
  console.log('  mathjs: mathjs 15.2 derivative(expr, v, { simplify: false }) per variable, each compiled; n + 1 evaluations per gradient; run in a worker thread, stopped at the time limit');
  const failures = rows.filter((r) => r.status !== 'ok');
  if (failures.length > 0) {
    console.log('\nfailures:');
    const byEngine = new Map<string, Row[]>();
    for (const r of failures) byEngine.set(r.engine, [...(byEngine.get(r.engine) ?? []), r]);
    for (const [engine, list] of byEngine) {
      if (list.length === cases.length && list.every((r) => r.reason === list[0].reason)) console.log(`  ${engine}, every case: ${list[0].reason}`);
      else for (const r of list) console.log(`  ${engine} on ${r.caseName}: ${r.reason}`);
    }
  }
  const inaccurate = rows.filter((r) => r.status === 'ok' && typeof r.maxRelError === 'number' && r.maxRelError > 1e-6);
  if (inaccurate.length > 0) {
    console.log('\ninaccurate gradients (error > 1e-6), the worst component against the hand adjoint:');
    for (const r of inaccurate) {
      const w = r.worst!;
      const name = cases.find((c) => c.name === r.caseName)?.variables[w.index];
      console.log(`  ${r.engine} on ${r.caseName}: ∂f/∂${name} = ${w.value.toPrecision(10)}, hand ${w.reference.toPrecision(10)}${r.note ? ` (${r.note})` : ''}`);
    }
  }

  // compileGradient on a 200,000-instruction program (bench/compile-network.ts): compile time by phase.
  const compileNetwork = runCompileNetworkBench(quick);
  // The tensor table (bench/tensor.ts): training-shaped work on the Tensor API.
  const tensorResults = process.argv.includes('--no-tensor') ? null : await runTensorBench();

  const outDir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  const path = `${outDir}latest.json`;
  const report = {
    date: new Date().toISOString(),
    quick,
    seconds: Number(seconds.toFixed(1)),
    machine,
    budget,
    cases: cases.map((c) => ({ name: c.name, kind: c.kind, size: c.size, variables: c.variables.length })),
    engines: [...engines.map((e) => ({ name: e.name, kind: e.kind, description: e.description })), { name: 'mathjs', kind: 'peer', description: 'derivative per variable, compiled' }],
    results: rows,
    compileNetwork,
    tensor: tensorResults,
  };
  writeFileSync(path, `${JSON.stringify(report, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
  console.log(`\nfinished in ${seconds.toFixed(0)} s; results written to ${path}`);
  process.exit(0);
}

await main();
