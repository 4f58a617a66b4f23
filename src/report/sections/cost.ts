// Section "cost": time and work of each method's gradient against the number of inputs, on each family the suite grows for cost.
import { measureCost, countSlack, type CostSweep } from '../../harness/cost.ts';
import type { SuiteFamily } from '../../harness/suite.ts';
import { costSpec, countSpec, memorySpec, renderFigure } from '../plots.ts';
import type { Figure, ReportSection, SectionTable } from '../section.ts';
import type { TableData } from '../tables.ts';
import { formatRatio, formatTiming, sig } from './common.ts';

/** "a–b", or "a" alone when both ends read the same. */
const span = (a: string, b: string): string => (a === b ? a : `${a}–${b}`);

/** The cost sweep of each family. */
export interface CostData {
  readonly sweeps: readonly { readonly family: string; readonly sweep: CostSweep }[];
}

const costFamilies = (families: readonly SuiteFamily[]) => families.filter((f) => f.roles.includes('cost'));

function costTables(sweep: CostSweep, family: string): SectionTable[] {
  const methods = [...new Set(sweep.points.map((p) => p.method))];
  const ratioTable: TableData = {
    columns: ['method (per call) ÷ f evaluated the way it evaluates f', ...sweep.ns.map((n) => `n = ${n}`)],
    rows: methods.map((m) => [
      `${m} ÷ ${sweep.points.find((q) => q.method === m && q.denominator !== undefined)?.denominator ?? 'f interpreted'}`,
      ...sweep.ns.map((n) => {
        const p = sweep.points.find((q) => q.method === m && q.n === n)!;
        if (p.ratio !== undefined) return `${formatRatio(p.ratio)}, ${formatTiming(p.time)}`;
        return p.status === 'skipped' ? 'skipped' : p.status === 'budget' ? 'budget cut-off' : p.status;
      }),
    ]),
  };
  const count = (method: string, n: number, pick: (p: CostSweep['points'][number]) => number | undefined) => {
    const p = sweep.points.find((q) => q.method === method && q.n === n);
    const v = p ? pick(p) : undefined;
    return v === undefined ? '—' : String(v);
  };
  const steadyTable: TableData = {
    columns: ['n', 'f ops', 'f compiled', 'f interpreted', 'reverse mode compiled once: time, ÷ f', 'its instructions ÷ f', 'central differences, f compiled once: time, ÷ f', 'its evaluations of f'],
    rows: sweep.baselines.map((b) => [
      String(b.n),
      String(b.fOps),
      formatTiming(b.fCompiled),
      formatTiming(b.fInterpreted),
      `${formatTiming(b.steady.reverse)}; ${formatRatio(b.steady.reverseRatio)}`,
      `${sig(b.reverseOps.ratio)}×`,
      `${formatTiming(b.steady.central)}; ${formatRatio(b.steady.centralRatio)}`,
      String(2 * b.n),
    ]),
  };
  const countTable: TableData = {
    columns: ['n', 'reverse-mode instructions', 'stored values (bytes)', 'autograd tape', 'central FD evaluations', 'forward FD evaluations', 'complex-step evaluations', 'symbolic-dag derivative nodes', 'mathjs derivative nodes'],
    rows: sweep.baselines.map((b) => [
      String(b.n),
      `${b.reverseOps.gradient} (${sig(b.reverseOps.ratio)}× f)`,
      String(b.reverseBytes),
      count('autograd', b.n, (p) => p.tapeLength),
      count('numeric-central', b.n, (p) => p.evaluations),
      count('numeric-forward', b.n, (p) => p.evaluations),
      count('complex-step', b.n, (p) => p.evaluations),
      count('symbolic-dag', b.n, (p) => p.derivativeSize),
      count('symbolic', b.n, (p) => p.derivativeSize),
    ]),
  };
  const memoryTable: TableData = {
    columns: ['n', 'autograd tape (recorded nodes)', 'heap kept by one taped forward, measured: median (quartiles)', 'measured bytes per recorded node', 'compiled reverse sweep: stored values (model, 8 bytes each)'],
    rows: sweep.baselines.map((b) => [
      String(b.n),
      b.tape ? String(b.tape.tapeLength) : '—',
      b.tape?.retained ? `${bytesText(b.tape.retained.median)} (${bytesText(b.tape.retained.q1)}–${bytesText(b.tape.retained.q3)})` : 'not measurable (no access to the garbage collector)',
      b.tape?.retained && b.tape.tapeLength > 0 ? sig(b.tape.retained.median / b.tape.tapeLength) : '—',
      bytesText(b.reverseBytes),
    ]),
  };
  return [
    { title: `${family}: steady state (everything compiled once), median (quartiles) and ratio to compiled f`, table: steadyTable },
    { title: `${family}: every method per call, ratio (spread) to f evaluated the way the method evaluates it, and time`, table: ratioTable },
    { title: `${family}: machine-independent counts`, table: countTable },
    { title: `${family}: memory of reverse mode, counted and measured`, table: memoryTable },
  ];
}

/** Bytes for people: B, KB, MB (powers of 1000, three significant digits). */
function bytesText(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const a = Math.abs(bytes);
  return a < 1e3 ? `${Math.round(bytes)} B` : a < 1e6 ? `${sig(bytes / 1e3)} KB` : `${sig(bytes / 1e6)} MB`;
}

/** What the memory figure's caption says: the counts, the measurement, and how they compare. */
function memoryCaption(sweep: CostSweep): string {
  const first = sweep.baselines[0];
  const last = sweep.baselines[sweep.baselines.length - 1];
  const base = `The price of the constant time ratio is memory (Griewank's time–memory trade-off; checkpointing would trade some of it back for recomputation): the compiled reverse sweep's model keeps one 8-byte value per instruction, ${bytesText(first.reverseBytes)} → ${bytesText(last.reverseBytes)}, and the taping autograd records ${first.tape?.tapeLength ?? '—'} → ${last.tape?.tapeLength ?? '—'} nodes, both growing with the size of f.`;
  const measured = sweep.baselines.filter((b) => b.tape?.retained !== undefined && b.tape.tapeLength > 0);
  if (measured.length === 0) return `${base} The heap could not be measured here (no access to the garbage collector).`;
  const perNode = measured.map((b) => b.tape!.retained!.median / b.tape!.tapeLength);
  const lo = Math.min(...perNode);
  const hi = Math.max(...perNode);
  const big = measured[measured.length - 1];
  const noisy = measured.filter((b) => b.tape!.retained!.q3 - b.tape!.retained!.q1 > 0.2 * Math.abs(b.tape!.retained!.median));
  return `${base} Measured, one taped forward keeps ${bytesText(measured[0].tape!.retained!.median)} → ${bytesText(big.tape!.retained!.median)} of heap alive until its backward (median of ${big.tape!.retained!.trials} trials, a full GC before each reading), ${span(sig(lo, 2), sig(hi, 2))} bytes per recorded node: linear in the tape, as counted, and about ${sig((big.tape!.retained!.median / big.tape!.tapeLength) / 8, 2)}× the 8 bytes per value of the compiled sweep's model, because each recorded node is a JavaScript object (value, gradient slot, links to its inputs, its backward rule), not one float.${noisy.length > 0 ? ` The reading is noisy at n = ${noisy.map((b) => b.n).join(', ')} (quartiles more than 20% apart: a few KB against a heap that moves by about as much between collections), so read the bytes per node from the larger n.` : ' Every reading\'s quartiles are within 20% of each other.'}`;
}

function costCaption(sweep: CostSweep): string {
  const first = sweep.baselines[0];
  const last = sweep.baselines[sweep.baselines.length - 1];
  const ops = (b: typeof first) => sig(b.reverseOps.ratio);
  const auto = (n: number) => sweep.points.find((p) => p.method === 'autograd' && p.n === n)?.ratio;
  const parts = [
    `From n = ${first.n} to n = ${last.n} the reverse-mode gradient runs ${span(ops(first), ops(last))}× f's instructions and, compiled once, costs ${formatRatio(first.steady.reverseRatio)} → ${formatRatio(last.steady.reverseRatio)} f's time (the cheap-gradient principle: a constant)`,
    `, while central differences make 2n = ${2 * first.n} → ${2 * last.n} evaluations of f and cost ${formatRatio(first.steady.centralRatio)} → ${formatRatio(last.steady.centralRatio)} f (linear in n, as counted)`,
  ];
  const a0 = auto(first.n);
  const a1 = auto(last.n);
  // The count the measurement is checked against (harness/cost.ts, tapeContradiction): 1 + recorded nodes ÷ f's ops.
  const predicted = (b: typeof first) => (b.tape !== undefined && b.tape.tapeLength > 0 ? sig(1 + b.tape.tapeLength / b.fOps) : undefined);
  const p0 = predicted(first), p1 = predicted(last);
  const prediction = p0 !== undefined && p1 !== undefined ? `its tape predicts ${span(p0, p1)} in operations` : 'its tape predicts about 2 in operations';
  if (a0 && a1) parts.push(`; the taping autograd, per call, costs ${formatRatio(a0)} → ${formatRatio(a1)} an evaluation of f on the same tensors with nothing recorded (${prediction}: one recorded forward, one backward over the same nodes; recording each node, and partials dearer than their ops (sin's is a cos), come on top)`);
  return `${parts.join('')}.`;
}

export const costSection: ReportSection<CostData> = {
  id: 'cost',
  dataKey: 'cost',
  weight: 6,
  applies: (suite) => costFamilies(suite.families).length > 0,
  measure(suite, profile, ctx) {
    const families = costFamilies(suite.families);
    return {
      sweeps: families.map((family, i) => ({
        family: family.name,
        sweep: measureCost(family, family.costNs ?? profile.costNs, ctx.methods, {
          sampleMs: profile.sampleMs,
          samples: profile.samples,
          slowCallMs: profile.slowCallMs,
          methodOptions: ctx.timingOptions,
          onStep: (label) => ctx.progress(i / families.length, label),
        }),
      })),
    };
  },
  async render(data) {
    const figures: Figure[] = [];
    const tables: SectionTable[] = [];
    const captions: string[] = [];
    for (const [i, { family, sweep }] of data.sweeps.entries()) {
      const suffix = i === 0 ? '' : `-${i + 1}`;
      const caption = costCaption(sweep);
      captions.push(data.sweeps.length > 1 ? `${family}: ${caption}` : caption);
      figures.push(
        { id: `cost${suffix}`, file: `cost${suffix}.svg`, title: 'Cost against n', caption, ...(await renderFigure(costSpec(sweep, family))) },
        {
          id: `counts${suffix}`,
          file: `counts${suffix}.svg`,
          title: 'Counts against n',
          caption: `Counts do not depend on the machine: the difference schemes' evaluations of f grow like n, the reverse-mode instruction ratio stays at ${span(sig(sweep.baselines[0].reverseOps.ratio), sig(sweep.baselines[sweep.baselines.length - 1].reverseOps.ratio))}.`,
          ...(await renderFigure(countSpec(sweep))),
        },
        {
          id: `memory${suffix}`,
          file: `memory${suffix}.svg`,
          title: 'Memory against n',
          caption: memoryCaption(sweep),
          ...(await renderFigure(memorySpec(sweep))),
        },
      );
      tables.push(...costTables(sweep, family));
    }
    const remeasured = data.sweeps.flatMap((s) => s.sweep.baselines.filter((b) => b.remeasured > 0).map((b) => `${s.family} at n = ${b.n}`));
    return {
      title: 'Cost against the number of inputs',
      caption: captions.join(' '),
      notes: [
        `${data.sweeps.map((s) => (s.sweep.function.startsWith(`${s.family}:`) ? s.sweep.function : `${s.family}: ${s.sweep.function}`)).join('; ')}, at n = ${data.sweeps[0].sweep.ns.join(', ')}. ` +
          'Every time is the median of interleaved samples with its quartiles in brackets, on this process\'s CPU clock (user + system time: on a shared machine, wall time also counts the time spent waiting for a core, which comes and goes with the neighbours\' load): each candidate is first warmed up until its batch time stops improving (V8 optimises a large generated function late, and a fixed warm-up sampled some of them before and some after), calls are batched so that one sample lasts at least a millisecond (a single call of compiled f is below the timer\'s resolution), and the candidates are sampled in rounds, in a shuffled order each round, so that garbage collection and frequency changes hit them alike. A ratio\'s spread runs from the fastest quartile over the slowest to the reverse.',
        'Ratios compare like with like. The steady state (what a training loop pays per step, everything compiled once) divides by f compiled by the same code generator as the gradient: the compiled reverse-mode gradient, and central differences as 2n calls of that compiled f. Methods called through their public interface pay per call for taping, compiling or differentiating; each is divided by f evaluated the way that method evaluates it, sampled in the same interleaved rounds: the taping autograd by f on the same tensors with nothing recorded, autograd-compiled by f compiled by the same code generator (its per-call time adds to the program itself (the steady-state row) a lookup of the cached program, by the identity of the variable list, and a fresh gradient array, which V8 allocates off its heap above 8 entries at about a third of a microsecond: at small n that bookkeeping costs more than the program, so the per-call ratio there reads above the instruction count, and falls towards it as n grows; read the steady-state row for compiled reverse mode), forward mode (dual numbers compiled once per expression and cached, one pass per input) by that compiled f too (its count predicts a few times n; like autograd-compiled it also pays the cache lookup and fresh arrays on every call, which at small n cost more than its passes, so its per-call ratio there reads above that count), and every other method by f on the IR interpreter: the symbolic methods differentiate and evaluate afresh on each call, and the numeric ones compile f anew on each call before their 2n (or more) evaluations, so for them the interpreter is the honest unit.',
        `Each steady-state ratio is checked against the count that predicts it (2n evaluations of f within ×${countSlack.central}, the instruction ratio within ×${countSlack.reverse}), and so is the taping autograd's per-call ratio against its tape (1 + recorded nodes ÷ f's ops, within ×${countSlack.reverse}); a contradiction beyond the spread is re-measured with longer samples, and the report is not written if it persists.${remeasured.length > 0 ? ` Re-measured in this run: ${remeasured.join(', ')}.` : ''} Numeric methods run without their error estimate; a method is not tried at an n where one call would take too long (predicted from the previous n), nor after a budget cut-off.`,
      ],
      tables,
      figures,
      code: [],
    };
  },
};
