// The report-section interface: every section under sections/ measures and renders itself through it; build.ts only assembles.
//
// How to add a section (for example a training experiment):
//
//   1. Write `src/report/sections/my-section.ts` exporting a `ReportSection<MyData>`:
//
//        export const mySection: ReportSection<MyData> = {
//          id: 'my-section',                       // HTML anchor, JSON key of its section entry
//          dataKey: 'mySection',                   // key of its measurements in report.json's `data`
//          weight: 2,                              // share of the progress bar (relative to the others)
//          applies: (suite) => suite.functions.length > 0,   // optional: skip for suites it does not fit
//          measure(suite, profile, ctx) { ... return data; },   // may be async; no rendering here
//          render(data, ctx) { ... return { title, caption, notes, tables, figures, code }; },
//          json: (data) => ({ ... }),               // optional: what report.json keeps (default: data as is)
//        };
//
//      `measure` gets the suite (the functions the user or the built-in suite supplies), the profile's settings
//      (how much work to do) and a context (seed, methods, each method's kind and options, a progress callback).
//      `render` turns the data into blocks; its caption must be computed from the data, never hard-coded.
//      Measurements that no other code uses live in the section's file (or beside it), not in the builder.
//   2. Add it to the list in `src/report/sections/index.ts`, at the position it should appear.
//
// Sections never import from build.ts; build.ts imports the list, runs measure → render for each section that
// applies to the suite, numbers them in order, and collects the data for the JSON report.
import type { GradientMethod } from '../diff/method.ts';
import type { MethodOptions } from '../harness/answers.ts';
import type { Suite } from '../harness/suite.ts';
import type { TableData } from './tables.ts';

/** How much work a report does: `full` (the committed example), `quick` (under a minute), `tiny` (tests). */
export type ReportProfile = 'full' | 'quick' | 'tiny';

/** What a profile sets: the sizes of every experiment. */
export interface ProfileSettings {
  readonly agreementRuns: number;
  readonly randomCases: number;
  /** Points drawn from each user function's domain for the agreement run. */
  readonly pointsPerFunction: number;
  readonly costNs: readonly number[];
  /** Timing: each sample repeats the call until it lasts at least this long (ms), and this many samples give the median and spread. */
  readonly sampleMs: number;
  readonly samples: number;
  /** Longest one gradient call the cost sweep will make (predicted from the previous n). */
  readonly slowCallMs: number;
  readonly swellMax: number;
  readonly symbolicBudgetMs: number;
  readonly vPerDecade: number;
  readonly chainDepth: number;
  /** Highest derivative order of the higher-order section. */
  readonly higherOrderMax: number;
  /** Tall versus wide: each timing sample repeats a Jacobian for this long (ms), and this many samples give the median. */
  readonly jacobianMinTimeMs: number;
  readonly jacobianSamples: number;
}

/** The settings of each profile (documented in `gradlab report --help`). */
export const profiles: Readonly<Record<ReportProfile, ProfileSettings>> = {
  full: { agreementRuns: 1000, randomCases: 200, pointsPerFunction: 200, costNs: [10, 30, 100, 300, 1000], sampleMs: 5, samples: 15, slowCallMs: 30_000, swellMax: 10, symbolicBudgetMs: 20_000, vPerDecade: 8, chainDepth: 1000, higherOrderMax: 8, jacobianMinTimeMs: 20, jacobianSamples: 9 },
  quick: { agreementRuns: 100, randomCases: 30, pointsPerFunction: 50, costNs: [10, 100, 1000], sampleMs: 2, samples: 9, slowCallMs: 1500, swellMax: 10, symbolicBudgetMs: 1000, vPerDecade: 4, chainDepth: 1000, higherOrderMax: 6, jacobianMinTimeMs: 5, jacobianSamples: 5 },
  tiny: { agreementRuns: 15, randomCases: 8, pointsPerFunction: 10, costNs: [10, 100], sampleMs: 1, samples: 5, slowCallMs: 5000, swellMax: 8, symbolicBudgetMs: 1000, vPerDecade: 2, chainDepth: 200, higherOrderMax: 6, jacobianMinTimeMs: 1, jacobianSamples: 3 },
};

/** A figure: an SVG produced by vega-lite or Graphviz, with the takeaway as its caption. */
export interface Figure {
  readonly id: string;
  /** File name under `figures/`. */
  readonly file: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
  /**
   * The same figure laid out for a narrow screen (a phone), with text no smaller than the body's at its natural
   * size; the HTML report shows it instead of `svg` below 640 px. Markdown and the figure files keep `svg`.
   */
  readonly narrowSvg?: string;
}

/** A rendered table, optionally collapsed (long lists the reader opens on demand). */
export interface SectionTable {
  readonly title: string;
  readonly table: TableData;
  readonly collapsed?: boolean;
}

/** One section of the report, as the renderers (Markdown, HTML, JSON) see it. */
export interface Section {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  /** The one-sentence takeaway, derived from this run's numbers. */
  readonly caption: string;
  /** Paragraphs explaining what is measured (method, not results). `**bold**` and `` `code` `` are rendered. */
  readonly notes: readonly string[];
  readonly tables: readonly SectionTable[];
  readonly figures: readonly Figure[];
  readonly code: readonly { readonly title: string; readonly text: string }[];
  /** Pre-rendered HTML blocks (KaTeX formulas), shown in the HTML report after the notes; Markdown shows `markdown` instead. */
  readonly math?: readonly { readonly title: string; readonly html: string; readonly markdown: string }[];
}

/** What `render` returns: a section without its number (the builder numbers the sections that apply). */
export type SectionBlocks = Omit<Section, 'number' | 'id'>;

/** Facts about the run, for the reader and for reproducing it. */
export interface ReportMeta {
  readonly title: string;
  /** The suite's name (absent in reports written before suites existed). */
  readonly suite?: string;
  readonly profile: ReportProfile;
  readonly seed: number;
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  readonly methods: readonly { readonly name: string; readonly summary: string; readonly kind: 'exact' | 'numeric' }[];
  readonly tolerance: { readonly exactFactor: number; readonly numericFactor: number };
  runtimeMs: number;
}

/** Everything the report holds: sections to render and the raw measurements (the JSON report). */
export interface ReportData {
  readonly meta: ReportMeta;
  readonly sections: readonly Section[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** What every section's `measure` and `render` may use besides the suite and the profile. */
export interface SectionContext {
  readonly seed: number;
  readonly profile: ReportProfile;
  readonly settings: ProfileSettings;
  readonly methods: readonly GradientMethod[];
  /** Each method's kind: `numeric` methods report an error estimate, `exact` ones do not. */
  readonly kinds: ReadonlyMap<string, 'exact' | 'numeric'>;
  /** Options per method for accuracy runs (symbolic budgets). */
  readonly methodOptions: MethodOptions;
  /** Options per method for timing runs (as `methodOptions`, numeric methods without their error estimate). */
  readonly timingOptions: MethodOptions;
  /** Reports progress within the current section: fraction 0..1 and what is running. */
  readonly progress: (fraction: number, label: string) => void;
  /** The suite being reported on (also passed to `measure`; here for `render`). */
  readonly suite: Suite;
}

/** One report section: measures its data, then renders it. See the header of this file. */
export interface ReportSection<D> {
  readonly id: string;
  /** Key of this section's measurements in the JSON report's `data`. */
  readonly dataKey: string;
  /** Relative share of the progress bar. */
  readonly weight: number;
  /** Whether this section has anything to show for the suite (default: always). */
  readonly applies?: (suite: Suite) => boolean;
  readonly measure: (suite: Suite, profile: ProfileSettings, ctx: SectionContext) => D | Promise<D>;
  readonly render: (data: D, ctx: SectionContext) => SectionBlocks | Promise<SectionBlocks>;
  /** The measurements as they go into report.json (default: the data itself). */
  readonly json?: (data: D) => unknown;
}

/** A section of any data type, for lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySection = ReportSection<any>;
