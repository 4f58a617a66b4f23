// Messages between the page and its two Web Workers (symbolic.worker.ts, analysis.worker.ts).
import type { MethodRow } from './compute.ts';

/** A job for the symbolic worker: one mathjs method on the expression at the point. */
export interface SymbolicJob {
  readonly id: number;
  readonly method: string;
  readonly text: string;
  readonly variables: readonly string[];
  readonly point: readonly number[];
  readonly timeBudgetMs: number;
  readonly sizeBudget: number;
}

export type SymbolicReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'started'; readonly id: number }
  | { readonly kind: 'row'; readonly id: number; readonly row: MethodRow };

/** A job for the analysis worker: the 64-digit reference, the graph drawing and the V curve. */
export interface AnalysisJob {
  readonly id: number;
  readonly text: string;
  readonly variables: readonly string[];
  readonly point: readonly number[];
  /** Draw the graph (small DAGs only). */
  readonly graph: boolean;
  /** The variable the V curve varies (the others held at the point). */
  readonly vcurveVariable: string | null;
}

export interface VPoint {
  readonly method: string;
  readonly h: number;
  /** Relative error (0 when exact), null when the method refused or the error is not finite. */
  readonly error: number | null;
}

export interface VCurveData {
  readonly variable: string;
  readonly at: number;
  readonly exact: number;
  readonly steps: readonly number[];
  readonly points: readonly VPoint[];
  readonly optimal: readonly { readonly method: string; readonly h: number; readonly error: number }[];
  /** AD's relative error (a flat line; 0 means exact). */
  readonly ad: number | null;
}

export type AnalysisReply =
  | { readonly kind: 'reference'; readonly id: number; readonly value: number; readonly gradient: readonly number[]; readonly error?: string }
  | { readonly kind: 'graph'; readonly id: number; readonly svg: string; readonly nodes: readonly { name: string; label: string; value: number; grad: number; uses: number }[] }
  | { readonly kind: 'vcurve'; readonly id: number; readonly vcurve: VCurveData }
  | { readonly kind: 'failed'; readonly id: number; readonly part: 'graph' | 'vcurve'; readonly message: string }
  | { readonly kind: 'done'; readonly id: number };
